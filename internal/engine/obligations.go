package engine

import "remit/internal/remit"

// unknownAreaCustomer is what the organisation is assumed to do for a
// control with no area, which no default can speak for.
const unknownAreaCustomer = "No area is set for this control, so Remit assumes all of it is ours until the provider states otherwise."

// Statement returns the explicit statement behind a contribution, or nil
// when the contribution is an assumed default.
func (e *Estate) Statement(k Contribution) *remit.Statement {
	if k.Statement < 0 {
		return nil
	}
	return &e.Offering(k.Offering).Offering.Statements[k.Statement]
}

// Source returns where a contribution's statement was published: the
// statement's own source, else its offering's. It is nil for an assumed
// default.
func (e *Estate) Source(k Contribution) *remit.Source {
	st := e.Statement(k)
	if st == nil {
		return nil
	}
	if st.Source != nil {
		return st.Source
	}
	return e.Offering(k.Offering).Offering.Source
}

// Rule returns the default rule for a control's area; ok is false when the
// control has no known area.
func (e *Estate) Rule(control int32) (remit.DefaultRule, bool) {
	a := e.Controls[control].area
	if a < 0 {
		return remit.DefaultRule{}, false
	}
	return e.rules[a], true
}

// Parts returns what the provider does and what the customer must do under
// a contribution, from its statement or, when assumed, from the default
// rule for the control's area. An assumed organisation-specific part is
// the control itself, which says more than the area's general wording. A
// part the class does not have is "".
func (e *Estate) Parts(control int32, k Contribution) (provider, customer string) {
	st := e.Statement(k)
	r, known := e.Rule(control)
	switch {
	case st != nil:
		provider, customer = st.Provider, st.Customer
	case k.IsMapped():
		provider, customer = e.mappedParts(control, e.Mapped(k), e.Offering(k.Offering))
	case !known:
		customer = unknownAreaCustomer
	case k.Class() == remit.OrganisationSpecific:
		customer = e.controlText(control)
	default:
		provider, customer = r.Provider, r.Customer
	}
	c := k.Class()
	if !c.ProviderPart() {
		provider = ""
	}
	if !c.CustomerPart() {
		customer = ""
	}
	return provider, customer
}

// controlText is what a control asks for: its statement, else its title.
func (e *Estate) controlText(control int32) string {
	ctl := e.Controls[control].Control
	if ctl.Statement != "" {
		return ctl.Statement
	}
	return ctl.Title
}

// Obligation is one thing one party must do for one control of one system.
type Obligation struct {
	System  int32
	Control int32
	// Offering is the offering the obligation arises from, or -1 when no
	// offering covers the control and all of it is the organisation's.
	Offering int32
	// Ours is true for the organisation's obligations and false for the
	// provider's (the provider of Offering).
	Ours bool
	Text string
	// Assumed is true when the obligation comes from a service-model
	// default, not from anything the provider has stated.
	Assumed bool
	// Mapped is true when it comes through a control mapping from the
	// provider's statements for other controls.
	Mapped bool
}

// Whole reports whether the obligation is an entire control that nothing
// covers.
func (o Obligation) Whole() bool { return o.Offering < 0 }

// Key identifies the obligation within an estate:
// system/catalogue:control/provider/offering (or * when whole) and the party.
func (e *Estate) Key(o Obligation) string {
	id := remit.ObligationID{System: e.System(o.System).System.ID, Ours: o.Ours}
	ctl := e.Controls[o.Control]
	id.Control = remit.ControlRef{Catalogue: ctl.Catalogue.ID, Control: ctl.Control.ID}
	if o.Offering >= 0 {
		off := e.Offering(o.Offering)
		id.Offering = remit.OfferingRef{Provider: off.Provider.ID, Offering: off.Offering.ID}
	}
	return id.String()
}

// Ours returns what is still the organisation's for one cell: every
// customer part, or the whole control when no offering covers it. A
// not-applicable cell has none.
func (e *Estate) Ours(m *Matrix, c *Cell) []Obligation {
	if c.class == clsNotApplicable {
		return nil
	}
	if !c.Covered() {
		return []Obligation{{System: m.System, Control: c.Control, Offering: -1, Ours: true, Text: e.controlText(c.Control)}}
	}
	var out []Obligation
	for _, k := range e.Contributions(m, c) {
		if !k.Class().CustomerPart() {
			continue
		}
		_, customer := e.Parts(c.Control, k)
		out = append(out, Obligation{System: m.System, Control: c.Control, Offering: k.Offering, Ours: true, Text: customer, Assumed: k.Assumed(), Mapped: k.IsMapped()})
	}
	return out
}

// Theirs returns the providers' obligations for one cell: every provider
// part, per offering. Fourth parties add none: they are the providers'
// own suppliers and answer to them, not to us.
func (e *Estate) Theirs(m *Matrix, c *Cell) []Obligation {
	if c.class == clsNotApplicable {
		return nil
	}
	var out []Obligation
	for _, k := range e.Contributions(m, c) {
		if !k.Class().ProviderPart() {
			continue
		}
		provider, _ := e.Parts(c.Control, k)
		out = append(out, Obligation{System: m.System, Control: c.Control, Offering: k.Offering, Text: provider, Assumed: k.Assumed(), Mapped: k.IsMapped()})
	}
	return out
}
