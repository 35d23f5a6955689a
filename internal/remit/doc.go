// Package remit is Remit's domain: the vocabulary of shared responsibility
// models, its validation rules and its sentinel errors. Every other package
// (the engine, the workspace loader, the CLI and later the stores and the web
// server) speaks in these types.
//
// The vocabulary, one word for one thing:
//
//   - Catalogue: a named, versioned set of controls (what must be achieved).
//   - Control: one requirement, with an Area that says which layer of a
//     service it lives in (physical, operating system, identities, data…).
//   - Provider: a supplier; it sells Offerings.
//   - Offering: one service a provider sells, with a ServiceModel (IaaS,
//     PaaS, SaaS, managed service, on-premises) and the offerings it runs on
//     (DependsOn: fourth parties, from the organisation's point of view).
//   - Statement: for one offering and one control, the Class of
//     responsibility, what the provider does, what the customer must do, and
//     the published Source it comes from.
//   - Class: inherited (the provider runs it all), shared (split),
//     organisation-specific (ours alone), not-applicable.
//   - System: one of the organisation's services, with a Baseline of controls
//     and the offerings it Uses.
//   - Obligation: one thing one party must do for one system and control.
//     "Ours" are the organisation's; the providers' are assessed per offering.
//   - Assumed: a cell or contribution that rests on the service-model default
//     because the provider has made no statement; never shown as confirmed.
package remit
