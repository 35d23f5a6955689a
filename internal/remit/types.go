package remit

import "strings"

// Class is how responsibility for a control is split between a provider and
// the organisation.
type Class string

// The classes of responsibility.
const (
	Inherited            Class = "inherited"
	Shared               Class = "shared"
	OrganisationSpecific Class = "organisation-specific"
	NotApplicable        Class = "not-applicable"
)

// Classes lists every class in display order.
var Classes = []Class{Inherited, Shared, OrganisationSpecific, NotApplicable}

// Valid reports whether c is one of the four classes.
func (c Class) Valid() bool {
	switch c {
	case Inherited, Shared, OrganisationSpecific, NotApplicable:
		return true
	}
	return false
}

// ProviderPart reports whether a contribution of this class has something
// the provider does.
func (c Class) ProviderPart() bool { return c == Inherited || c == Shared }

// CustomerPart reports whether a contribution of this class leaves
// something for the organisation to do.
func (c Class) CustomerPart() bool { return c == Shared || c == OrganisationSpecific }

// ServiceModel is how an offering is delivered.
type ServiceModel string

// The service models.
const (
	IaaS           ServiceModel = "iaas"
	PaaS           ServiceModel = "paas"
	SaaS           ServiceModel = "saas"
	ManagedService ServiceModel = "managed-service"
	OnPremises     ServiceModel = "on-premises"
)

// ServiceModels lists every service model in display order.
var ServiceModels = []ServiceModel{IaaS, PaaS, SaaS, ManagedService, OnPremises}

// Valid reports whether m is a known service model.
func (m ServiceModel) Valid() bool {
	for _, v := range ServiceModels {
		if m == v {
			return true
		}
	}
	return false
}

// Area is the layer of a service a control lives in. With the offering's
// service model it decides the assumed default class.
type Area string

// The areas.
const (
	AreaData                   Area = "data"
	AreaEndpoints              Area = "endpoints"
	AreaIdentities             Area = "identities"
	AreaIdentityInfrastructure Area = "identity-infrastructure"
	AreaApplication            Area = "application"
	AreaNetwork                Area = "network"
	AreaOperatingSystem        Area = "operating-system"
	AreaPhysical               Area = "physical"
	AreaPeople                 Area = "people"
	AreaGovernance             Area = "governance"
)

// Areas lists every area, from the layer nearest the data to the furthest.
var Areas = []Area{
	AreaData, AreaEndpoints, AreaIdentities, AreaIdentityInfrastructure, AreaApplication,
	AreaNetwork, AreaOperatingSystem, AreaPhysical, AreaPeople, AreaGovernance,
}

// Valid reports whether a is a known area.
func (a Area) Valid() bool {
	for _, v := range Areas {
		if a == v {
			return true
		}
	}
	return false
}

// Workspace is everything Remit knows about one organisation's estate: the
// catalogues, the providers with their published models, and the systems.
type Workspace struct {
	Name         string
	Organisation string
	// CatalogueIDs and ProviderIDs name the built-in content the workspace
	// loads, as written in remit.yaml.
	CatalogueIDs []string
	ProviderIDs  []string
	Catalogues   []Catalogue
	Providers    []Provider
	Systems      []System
}

// Catalogue is a named, versioned set of controls.
type Catalogue struct {
	ID       string
	Title    string
	Version  string
	Source   *Source
	Controls []Control
	// BuiltIn is set on catalogues that come with Remit.
	BuiltIn bool
}

// Control is one requirement in a catalogue.
type Control struct {
	ID        string
	Title     string
	Statement string
	// Area may be empty for imported controls no area could be inferred
	// for; the engine then assumes the control is ours.
	Area  Area
	Group string
}

// Provider is a supplier of offerings.
type Provider struct {
	ID        string
	Name      string
	Offerings []Offering
	// BuiltIn is set on provider models that come with Remit.
	BuiltIn bool
}

// Offering is one service a provider sells.
type Offering struct {
	ID           string
	Name         string
	ServiceModel ServiceModel
	// DependsOn lists the offerings (provider/offering) this one runs on.
	DependsOn []string
	// Source is the default source of the offering's statements.
	Source     *Source
	Statements []Statement
}

// Statement is a provider's published position on one control for one
// offering.
type Statement struct {
	// Control is a reference catalogue:control.
	Control string
	Class   Class
	// Provider says what the provider does; Customer what the customer must do.
	Provider string
	Customer string
	// Source overrides the offering's Source when set.
	Source *Source
}

// Source is where a statement comes from: a provider's published model.
type Source struct {
	Title   string `json:"title,omitempty"`
	URL     string `json:"url,omitempty"`
	Version string `json:"version,omitempty"`
	Date    string `json:"date,omitempty"`
}

// System is one of the organisation's services.
type System struct {
	ID             string
	Name           string
	Owner          string
	Team           string
	Classification string
	Baseline       Baseline
	Uses           []Use
}

// Baseline is the set of controls that apply to a system.
type Baseline struct {
	Catalogue string
	// All selects every control of the catalogue; otherwise Controls lists
	// control ids of the catalogue.
	All      bool
	Controls []string
	// NotApplicable lists controls of the baseline that do not apply to the
	// system, each with the reason.
	NotApplicable []Exclusion
}

// Exclusion marks one baseline control as not applicable to a system.
type Exclusion struct {
	Control string
	Reason  string
}

// Use is a system's reliance on one offering.
type Use struct {
	// Offering is a reference provider/offering.
	Offering string
	Purpose  string
}

// ControlRef joins a catalogue id and a control id as catalogue:control.
func ControlRef(catalogue, control string) string { return catalogue + ":" + control }

// SplitControlRef splits catalogue:control; ok is false when s has no colon.
func SplitControlRef(s string) (catalogue, control string, ok bool) {
	return strings.Cut(s, ":")
}

// OfferingRef joins a provider id and an offering id as provider/offering.
func OfferingRef(provider, offering string) string { return provider + "/" + offering }

// SplitOfferingRef splits provider/offering; ok is false when s has no slash.
func SplitOfferingRef(s string) (provider, offering string, ok bool) {
	return strings.Cut(s, "/")
}
