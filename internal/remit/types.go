package remit

import (
	"fmt"
	"slices"
	"strings"
)

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

// ServiceModelList names every service model for a message: "iaas, paas,
// saas, managed-service or on-premises".
func ServiceModelList() string {
	names := stringsOf(ServiceModels)
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

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
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	// CatalogueIDs, ProviderIDs and MappingIDs name the built-in content
	// the workspace loads, as written in remit.yaml.
	CatalogueIDs []string    `json:"catalogue_ids,omitempty"`
	ProviderIDs  []string    `json:"provider_ids,omitempty"`
	MappingIDs   []string    `json:"mapping_ids,omitempty"`
	Catalogues   []Catalogue `json:"catalogues,omitempty"`
	Providers    []Provider  `json:"providers,omitempty"`
	Systems      []System    `json:"systems,omitempty"`
	// Checks are the workspace's checks/*.yaml: mappings of automated
	// check rules to controls, and of results to systems (doc/checks.md).
	Checks []CheckMappings `json:"checks,omitempty"`
	// Mappings are the workspace's mappings/*.yaml: how the controls of
	// one catalogue relate to another's (doc/engine.md).
	Mappings []ControlMappings `json:"mappings,omitempty"`
}

// Header is the workspace without its content: its names and the
// built-in content it names.
func (ws *Workspace) Header() Workspace {
	return Workspace{Name: ws.Name, Organisation: ws.Organisation, CatalogueIDs: ws.CatalogueIDs, ProviderIDs: ws.ProviderIDs, MappingIDs: ws.MappingIDs}
}

// Catalogue is a named, versioned set of controls.
type Catalogue struct {
	ID       string    `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Title    string    `json:"title"`
	Version  string    `json:"version,omitempty"`
	Source   *Source   `json:"source,omitempty"`
	Controls []Control `json:"controls"`
	// BuiltIn is set on catalogues that come with Remit.
	BuiltIn bool `json:"built_in,omitempty"`
}

// KeepAreas carries over, from the catalogue an import replaces, the area
// of each control the import could not infer one for: a user's choice is
// not lost by importing a new edition. It returns how many it kept.
func (c *Catalogue) KeepAreas(old Catalogue) int {
	was := map[string]Area{}
	for _, ctl := range old.Controls {
		if ctl.Area != "" {
			was[ctl.ID] = ctl.Area
		}
	}
	n := 0
	for i := range c.Controls {
		if a, ok := was[c.Controls[i].ID]; ok && c.Controls[i].Area == "" {
			c.Controls[i].Area = a
			n++
		}
	}
	return n
}

// Control is one requirement in a catalogue.
type Control struct {
	ID        string `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Title     string `json:"title"`
	Statement string `json:"statement,omitempty"`
	// Area may be empty for imported controls no area could be inferred
	// for; the engine then assumes the control is ours.
	Area  Area   `json:"area,omitempty"`
	Group string `json:"group,omitempty"`
}

// Provider is a supplier of offerings.
type Provider struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Offerings []Offering `json:"offerings"`
	// BuiltIn is set on provider models that come with Remit.
	BuiltIn bool `json:"built_in,omitempty"`
}

// Offering is one service a provider sells.
type Offering struct {
	ID           string       `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Name         string       `json:"name"`
	ServiceModel ServiceModel `json:"service_model"`
	// DependsOn lists the offerings (provider/offering) this one runs on.
	DependsOn []string `json:"depends_on,omitempty"`
	// Source is the default source of the offering's statements.
	Source     *Source     `json:"source,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
}

// SetStatement adds the offering's statement for st.Control, replaces it,
// or — when st.Class is empty — removes it (ErrNotFound if there is none).
func (o *Offering) SetStatement(st Statement) error {
	i := slices.IndexFunc(o.Statements, func(s Statement) bool { return s.Control == st.Control })
	switch {
	case st.Class == "" && i < 0:
		return fmt.Errorf("%s has no statement for %s: %w", o.ID, st.Control, ErrNotFound)
	case st.Class == "":
		o.Statements = slices.Delete(o.Statements, i, i+1)
	case i >= 0:
		o.Statements[i] = st
	default:
		o.Statements = append(o.Statements, st)
	}
	return nil
}

// Statement is a provider's published position on one control for one
// offering.
type Statement struct {
	// Control is a reference catalogue:control.
	Control string `json:"control"`
	Class   Class  `json:"class"`
	// Provider says what the provider does; Customer what the customer must do.
	Provider string `json:"provider,omitempty"`
	Customer string `json:"customer,omitempty"`
	// Source overrides the offering's Source when set.
	Source *Source `json:"source,omitempty"`
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
	ID             string   `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Name           string   `json:"name"`
	Owner          string   `json:"owner,omitempty"`
	Team           string   `json:"team,omitempty"`
	Classification string   `json:"classification,omitempty"`
	Baseline       Baseline `json:"baseline"`
	Uses           []Use    `json:"uses,omitempty"`
}

// Baseline is the set of controls that apply to a system.
type Baseline struct {
	Catalogue string `json:"catalogue"`
	// All selects every control of the catalogue; otherwise Controls lists
	// control ids of the catalogue.
	All      bool     `json:"all,omitempty"`
	Controls []string `json:"controls,omitempty"`
	// NotApplicable lists controls of the baseline that do not apply to the
	// system, each with the reason.
	NotApplicable []Exclusion `json:"not_applicable,omitempty"`
}

// Exclusion marks one baseline control as not applicable to a system.
type Exclusion struct {
	Control string `json:"control"`
	Reason  string `json:"reason"`
}

// Use is a system's reliance on one offering.
type Use struct {
	// Offering is a reference provider/offering.
	Offering string `json:"offering"`
	Purpose  string `json:"purpose,omitempty"`
}
