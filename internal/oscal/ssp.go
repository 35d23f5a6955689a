package oscal

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
)

// NS is the namespace of the properties Remit writes.
const NS = "https://remit.example/ns/oscal"

// SSP is an OSCAL system security plan: the parts Remit writes and reads.
type SSP struct {
	UUID                  string               `json:"uuid"`
	Metadata              Metadata             `json:"metadata"`
	ImportProfile         ImportProfile        `json:"import-profile"`
	SystemCharacteristics json.RawMessage      `json:"system-characteristics"`
	SystemImplementation  SystemImplementation `json:"system-implementation"`
	ControlImplementation SSPControls          `json:"control-implementation"`
	BackMatter            *BackMatter          `json:"back-matter,omitempty"`
}

// ImportProfile names the baseline an SSP implements.
type ImportProfile struct {
	Href string `json:"href"`
}

// SystemImplementation lists what a system is made of and relies on.
type SystemImplementation struct {
	LeveragedAuthorizations []LeveragedAuthorization `json:"leveraged-authorizations,omitempty"`
	Users                   []json.RawMessage        `json:"users"`
	Components              []Component              `json:"components"`
	InventoryItems          []json.RawMessage        `json:"inventory-items,omitempty"`
	Remarks                 string                   `json:"remarks,omitempty"`
}

// LeveragedAuthorization is another system's authorization this one
// relies on: here, a provider's.
type LeveragedAuthorization struct {
	UUID           string `json:"uuid"`
	Title          string `json:"title"`
	Props          []Prop `json:"props,omitempty"`
	PartyUUID      string `json:"party-uuid"`
	DateAuthorized string `json:"date-authorized"`
	Remarks        string `json:"remarks,omitempty"`
}

// Component is a part of a system: itself, or a service it uses.
type Component struct {
	UUID        string          `json:"uuid"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Props       []Prop          `json:"props,omitempty"`
	Links       []Link          `json:"links,omitempty"`
	Status      ComponentStatus `json:"status"`
	Remarks     string          `json:"remarks,omitempty"`
}

// ComponentStatus is a component's operational state.
type ComponentStatus struct {
	State string `json:"state"`
}

// SSPControls says how each control is implemented.
type SSPControls struct {
	Description             string                     `json:"description"`
	ImplementedRequirements []ImplementedRequirementSS `json:"implemented-requirements"`
}

// ImplementedRequirementSS is one control's implementation in an SSP.
type ImplementedRequirementSS struct {
	UUID         string        `json:"uuid"`
	ControlID    string        `json:"control-id"`
	Props        []Prop        `json:"props,omitempty"`
	Statements   []StatementSS `json:"statements,omitempty"`
	ByComponents []ByComponent `json:"by-components,omitempty"`
	Remarks      string        `json:"remarks,omitempty"`
}

// StatementSS is one part of a control's implementation.
type StatementSS struct {
	StatementID  string        `json:"statement-id"`
	UUID         string        `json:"uuid"`
	ByComponents []ByComponent `json:"by-components,omitempty"`
}

// ByComponent is what one component does for a control.
type ByComponent struct {
	ComponentUUID        string                `json:"component-uuid"`
	UUID                 string                `json:"uuid"`
	Description          string                `json:"description"`
	Props                []Prop                `json:"props,omitempty"`
	ImplementationStatus *ImplementationStatus `json:"implementation-status,omitempty"`
	Export               *Export               `json:"export,omitempty"`
	Inherited            []Inherited           `json:"inherited,omitempty"`
	Satisfied            []Satisfied           `json:"satisfied,omitempty"`
	Remarks              string                `json:"remarks,omitempty"`
}

// ImplementationStatus is how far a component has implemented a control.
type ImplementationStatus struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

// Export is what a leveraged system offers those relying on it: what it
// provides, and what it leaves to them.
type Export struct {
	Description      string           `json:"description,omitempty"`
	Provided         []Provided       `json:"provided,omitempty"`
	Responsibilities []Responsibility `json:"responsibilities,omitempty"`
}

// Provided is a capability a leveraged system provides.
type Provided struct {
	UUID        string `json:"uuid"`
	Description string `json:"description"`
}

// Responsibility is what a leveraging system must do.
type Responsibility struct {
	UUID         string `json:"uuid"`
	ProvidedUUID string `json:"provided-uuid,omitempty"`
	Description  string `json:"description"`
}

// Inherited is what this system inherits from a leveraged one.
type Inherited struct {
	UUID         string `json:"uuid"`
	ProvidedUUID string `json:"provided-uuid,omitempty"`
	Description  string `json:"description"`
}

// Satisfied is how this system meets a leveraged system's responsibility.
type Satisfied struct {
	UUID               string `json:"uuid"`
	ResponsibilityUUID string `json:"responsibility-uuid,omitempty"`
	Description        string `json:"description"`
}

// exportRef and responsibilityRef find, in a statement's source, the
// first uuid of the provider SSP's provided statements and
// responsibilities it was read from: matrixin writes the source as
// "TITLE, export provided UUID …; responsibilities UUID …" (before, as
// "TITLE, export UUID …", provided first).
var (
	uuidPattern       = `([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12})`
	exportRef         = regexp.MustCompile(`, export (?:provided )?` + uuidPattern)
	responsibilityRef = regexp.MustCompile(`, export (?:provided [^;]*; )?responsibilities ` + uuidPattern)
)

// ProvidedUUID is the uuid of the provider's provided statement a
// statement was read from, when it came from the provider's SSP.
func ProvidedUUID(src *remit.Source) string { return sourceUUID(src, exportRef) }

// ResponsibilityUUID is the uuid of the provider's responsibility (what it
// asks of the customer) a statement was read from, when it came from the
// provider's SSP.
func ResponsibilityUUID(src *remit.Source) string { return sourceUUID(src, responsibilityRef) }

func sourceUUID(src *remit.Source, re *regexp.Regexp) string {
	if src == nil {
		return ""
	}
	if m := re.FindStringSubmatch(src.Title); m != nil {
		return m[1]
	}
	return ""
}

// stableUUID makes a UUID from a key: the same key, the same UUID, so a
// document exported twice differs only where the model does.
func stableUUID(parts ...string) string {
	sum := sha256.Sum256([]byte("remit\x00" + strings.Join(parts, "\x00")))
	return uuidFrom(sum[:16])
}

// controlID is the OSCAL control-id of a Remit control reference
// (catalogue:control → control) with the catalogue apart.
func controlID(ref string) (catalogue, id string) {
	catalogue, id, _ = strings.Cut(ref, ":")
	return catalogue, id
}

// implementationState maps our tracking status to OSCAL's.
func implementationState(s remit.ObligationStatus) string {
	switch s {
	case remit.StatusImplemented:
		return "implemented"
	case remit.StatusInProgress:
		return "partial"
	case remit.StatusNotApplicable:
		return "not-applicable"
	}
	return "planned"
}

// linkRemarks says one link of the chain of reliance in words: upper
// rests on lower for so many controls, what upper's evidence says of it,
// and what that leaves not assured.
func linkRemarks(l report.PlanLink, upper, lower string) string {
	says := map[remit.CoverageSays]string{
		remit.CoverIncluded: "includes it", remit.CoverNamed: "names it in its scope", remit.CoverDecided: "covers it, as an assessor decided",
		remit.CoverCarvedOut: "carves it out", remit.CoverDecidedNot: "does not cover it, as an assessor decided",
		remit.CoverSilent: "is silent on it (coverage unknown)", remit.CoverNoEvidence: "is missing: it has no current evidence",
	}[l.Coverage]
	controls := "controls"
	if l.Controls == 1 {
		controls = "control"
	}
	s := fmt.Sprintf("%s rests on %s for %d %s; %s's evidence %s.", upper, lower, l.Controls, controls, upper, says)
	if l.Short > 0 {
		s += fmt.Sprintf(" %d of %s's obligations are not assured through %s.", l.Short, upper, lower)
	}
	return s
}

// SSPInput is what an SSP is written from besides the plan.
type SSPInput struct {
	Plan *report.SystemPlan
	// Catalogue is the title of the system's baseline catalogue.
	Catalogue string
	// Assessed gives, per provider, the day its latest supplier assessment
	// was signed off ("" when none has been).
	Assessed map[string]string
	Now      time.Time
}

// WriteSSP writes a system's OSCAL system security plan: a component for
// the system and one per offering it relies on; a leveraged authorization
// per provider; and per control its class, each offering's part as
// inherited from that offering's component, and each part of ours as
// satisfied by the system, with its implementation status from our
// tracking.
func WriteSSP(in SSPInput) SSP {
	p, now := in.Plan, in.Now.UTC()
	sys := p.System
	key := func(parts ...string) string { return stableUUID(append([]string{"ssp", sys.ID}, parts...)...) }
	out := SSP{UUID: key(), ImportProfile: ImportProfile{Href: "#" + key("baseline")}}
	out.Metadata = Metadata{Title: "System security plan: " + sys.Name, LastModified: now.Format(time.RFC3339), Version: now.Format(time.DateOnly), OSCALVersion: Version,
		Roles: []Role{{ID: "system-owner", Title: "System owner"}, {ID: "provider", Title: "Provider"}}}
	providers := map[string]string{} // id → party uuid
	for _, o := range p.Offerings {
		if _, ok := providers[o.Provider]; ok {
			continue
		}
		providers[o.Provider] = key("party", o.Provider)
		party, _ := json.Marshal(map[string]any{"uuid": providers[o.Provider], "type": "organization", "name": o.ProviderName,
			"props": []Prop{{Name: "provider-id", NS: NS, Value: o.Provider}}})
		out.Metadata.Parties = append(out.Metadata.Parties, party)
	}
	owner := sys.Owner
	if owner == "" {
		owner = "not named"
	}
	sc := map[string]any{
		"system-ids":                 []map[string]string{{"identifier-type": NS + "/system-id", "id": sys.ID}},
		"system-name":                sys.Name,
		"description":                fmt.Sprintf("%s, owned by %s, team %s. Written by Remit from its shared responsibility model.", sys.Name, owner, orNone(sys.Team)),
		"props":                      append([]Prop{{Name: "classification", NS: NS, Value: orNone(sys.Classification)}}, props("owner", sys.Owner, "team", sys.Team)...),
		"security-sensitivity-level": orNone(sys.Classification),
		"system-information": map[string]any{"information-types": []map[string]any{{
			"uuid": key("information"), "title": "Information the system processes",
			"description":            "Remit does not record information types; categorise them in the authorisation package.",
			"confidentiality-impact": map[string]string{"base": "not-categorised"},
			"integrity-impact":       map[string]string{"base": "not-categorised"},
			"availability-impact":    map[string]string{"base": "not-categorised"},
		}}},
		"security-impact-level":  map[string]string{"security-objective-confidentiality": "not-categorised", "security-objective-integrity": "not-categorised", "security-objective-availability": "not-categorised"},
		"status":                 map[string]string{"state": "operational"},
		"authorization-boundary": map[string]string{"description": fmt.Sprintf("%s and the %d offerings it relies on, directly or through another offering.", sys.Name, len(p.Offerings))},
	}
	out.SystemCharacteristics, _ = json.Marshal(sc)

	self := key("component", "this-system")
	user, _ := json.Marshal(map[string]any{"uuid": key("user", "owner"), "title": "System owner", "role-ids": []string{"system-owner"}})
	out.SystemImplementation.Users = []json.RawMessage{user}
	out.SystemImplementation.Components = []Component{{UUID: self, Type: "this-system", Title: sys.Name, Description: "The system itself: everything of each control that is ours.", Status: ComponentStatus{"operational"}}}
	leveraged := map[string]string{} // provider → authorization uuid
	laAt := map[string]int{}         // provider → its authorization's place
	direct := map[string]bool{}      // providers the system uses an offering of directly
	for _, o := range p.Offerings {
		if _, ok := leveraged[o.Provider]; !ok {
			la := LeveragedAuthorization{UUID: key("leveraged", o.Provider), Title: o.ProviderName, PartyUUID: providers[o.Provider]}
			if d := in.Assessed[o.Provider]; d != "" {
				la.DateAuthorized = d
				la.Props = []Prop{{Name: "basis", NS: NS, Value: "supplier-assessment"}}
			} else {
				la.DateAuthorized = now.Format(time.DateOnly)
				la.Props = []Prop{{Name: "basis", NS: NS, Value: "not-assessed"}}
				la.Remarks = "No supplier assessment of this provider has been signed off: the date is the plan's."
			}
			leveraged[o.Provider] = la.UUID
			laAt[o.Provider] = len(out.SystemImplementation.LeveragedAuthorizations)
			out.SystemImplementation.LeveragedAuthorizations = append(out.SystemImplementation.LeveragedAuthorizations, la)
		}
		how := "used directly"
		if !o.Direct {
			how = "relied on through another offering (a fourth party)"
		}
		// The chain of reliance: what it rests on, or what it is relied on
		// through, with what the upper offering's evidence says of it.
		var chain []Prop
		for _, l := range o.RestsOn {
			chain = append(chain, Prop{Name: "rests-on", NS: NS, Value: l.Offering, Class: string(l.Coverage),
				Remarks: linkRemarks(l, o.Ref, l.Offering)})
		}
		for _, l := range o.Through {
			chain = append(chain, Prop{Name: "relied-on-through", NS: NS, Value: l.Offering, Class: string(l.Coverage),
				Remarks: linkRemarks(l, l.Offering, o.Ref)})
		}
		// The provider's authorization carries the chain too: how the
		// system relies on it, and each link of its offerings.
		la := &out.SystemImplementation.LeveragedAuthorizations[laAt[o.Provider]]
		direct[o.Provider] = direct[o.Provider] || o.Direct
		la.Props = append(la.Props, chain...)
		var purpose string
		for _, u := range sys.Uses {
			if u.Offering == o.Ref {
				purpose = u.Purpose
			}
		}
		out.SystemImplementation.Components = append(out.SystemImplementation.Components, Component{Remarks: purpose,
			UUID: key("component", o.Ref), Type: "service", Title: o.Name,
			Description: fmt.Sprintf("%s, an offering of %s (%s), %s.", o.Name, o.ProviderName, modelName(o.ServiceModel), how),
			Props: append([]Prop{{Name: "leveraged-authorization-uuid", Value: leveraged[o.Provider]}, {Name: "offering", NS: NS, Value: o.Ref},
				{Name: "service-model", NS: NS, Value: string(o.ServiceModel)}, {Name: "direct", NS: NS, Value: fmt.Sprint(o.Direct)}}, chain...),
			Status: ComponentStatus{"operational"}})
	}

	for provider, i := range laAt {
		la := &out.SystemImplementation.LeveragedAuthorizations[i]
		reliance := "fourth-party"
		if direct[provider] {
			reliance = "direct"
		}
		la.Props = append([]Prop{la.Props[0], {Name: "reliance", NS: NS, Value: reliance}}, la.Props[1:]...)
	}

	out.ControlImplementation.Description = fmt.Sprintf("How each control of %s's baseline (%s) is shared between %s and its providers, as Remit computes it.", sys.Name, in.Catalogue, sys.Name)
	for _, r := range p.Rows {
		cat, id := controlID(r.Control)
		ir := ImplementedRequirementSS{UUID: key("control", r.Control), ControlID: id,
			Props: props("catalogue", cat, "responsibility", string(r.Class), "assurance", string(r.Assurance.Status))}
		if r.Class == remit.NotApplicable {
			ir.ByComponents = append(ir.ByComponents, ByComponent{ComponentUUID: self, UUID: key("na", r.Control), Description: "Not applicable: " + orNone(r.Reason),
				ImplementationStatus: &ImplementationStatus{State: "not-applicable"}})
			out.ControlImplementation.ImplementedRequirements = append(out.ControlImplementation.ImplementedRequirements, ir)
			continue
		}
		for _, pp := range r.Provided {
			if pp.Text == "" {
				continue
			}
			bc := ByComponent{ComponentUUID: key("component", pp.Offering), UUID: key("by", r.Control, pp.Offering), Description: pp.Text,
				Props:     props("responsibility", string(pp.Class), "assurance", string(pp.Assurance.Status)),
				Inherited: []Inherited{{UUID: key("inherited", r.Control, pp.Offering), ProvidedUUID: ProvidedUUID(pp.Source), Description: pp.Text}}}
			if pp.Assumed {
				bc.Props = append(bc.Props, Prop{Name: "assumed", NS: NS, Value: "true"})
			}
			bc.Props = append(bc.Props, mappedFrom(pp.Mapped)...)
			ir.ByComponents = append(ir.ByComponents, bc)
		}
		for _, d := range r.Ours {
			bc := ByComponent{ComponentUUID: self, UUID: key("ours", d.Obligation), Description: d.Text,
				Props:                props("obligation", d.Obligation, "assurance", string(d.Assurance.Status), "due", d.Tracking.Due),
				ImplementationStatus: &ImplementationStatus{State: implementationState(d.Tracking.Status)}, Remarks: d.Tracking.Notes}
			if d.Tracking.Status == remit.StatusNotApplicable {
				bc.ImplementationStatus.Remarks = d.Tracking.Reason
			}
			if d.Tracking.Owner != "" {
				bc.Props = append(bc.Props, Prop{Name: "owner", NS: NS, Value: strings.Join(strings.Fields(d.Tracking.Owner), " ")})
			}
			if d.Offering != "" {
				// Answer the provider's responsibility by its uuid when the
				// offering's statement was read from the provider's SSP.
				var resp string
				for _, pp := range r.Provided {
					if pp.Offering == d.Offering {
						resp = ResponsibilityUUID(pp.Source)
					}
				}
				bc.Satisfied = []Satisfied{{UUID: key("satisfied", d.Obligation), ResponsibilityUUID: resp, Description: d.Text}}
			}
			bc.Props = append(bc.Props, mappedFrom(d.Mapped)...)
			ir.ByComponents = append(ir.ByComponents, bc)
		}
		out.ControlImplementation.ImplementedRequirements = append(out.ControlImplementation.ImplementedRequirements, ir)
	}
	selection := "listed"
	if sys.Baseline.All {
		selection = "all"
	}
	res, _ := json.Marshal(map[string]any{"uuid": key("baseline"), "title": in.Catalogue, "props": []Prop{{Name: "catalogue", NS: NS, Value: orNone(sys.Baseline.Catalogue)}, {Name: "selection", NS: NS, Value: selection}}})
	out.BackMatter = &BackMatter{Resources: []Resource{{UUID: key("baseline"), Raw: res}}}
	return out
}

// mappedFrom names each control a mapped part is mapped from, with the
// relationship as the property's class (doc/oscal.md#mapped-parts).
func mappedFrom(ms []remit.MappedControl) []Prop {
	var out []Prop
	for _, m := range ms {
		out = append(out, Prop{Name: "mapped-from", NS: NS, Value: m.Control, Class: string(m.Relationship)})
	}
	return out
}

// props makes Remit's properties from name, value pairs, leaving out
// empty values (OSCAL allows none).
func props(pairs ...string) []Prop {
	var out []Prop
	for i := 0; i+1 < len(pairs); i += 2 {
		if v := strings.Join(strings.Fields(pairs[i+1]), " "); v != "" {
			out = append(out, Prop{Name: pairs[i], NS: NS, Value: v})
		}
	}
	return out
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return strings.Join(strings.Fields(s), " ")
}

// ReadSSP reads an OSCAL JSON system security plan.
func ReadSSP(file string, data []byte) (*SSP, error) {
	var s SSP
	if err := decode(file, data, KindSSP, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
