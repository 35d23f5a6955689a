package oscal

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"remit/internal/remit"
)

// Leveraging is a system as its own OSCAL SSP describes it: what Remit
// needs to make it a system of the estate with its offerings and the
// tracking of its obligations (doc/oscal.md#a-systems-own-ssp-in).
type Leveraging struct {
	// ID, Name, Owner, Team and Classification are the system's; ID is
	// Remit's system id when the SSP names one, else made from the name.
	ID, Name, Owner, Team, Classification string
	// Catalogue is the baseline's catalogue when the SSP says (Remit's
	// own do); All says the baseline is the whole catalogue.
	Catalogue string
	All       bool
	// Controls are the implemented requirements' control ids, in order.
	Controls []string
	// NotApplicable are the controls the system says do not apply.
	NotApplicable []remit.Exclusion
	// Leveraged are the services it relies on: components another
	// authorization provides.
	Leveraged []LeveragedComponent
	// Parts are, per control id, what the system's own components say:
	// the tracking of its part of the control.
	Parts map[string][]OwnPart
}

// LeveragedComponent is a service a system relies on.
type LeveragedComponent struct {
	UUID, Title, Type string
	// Offering is the offering it is (Remit's SSPs say), or "".
	Offering string
	// Direct is false for an offering relied on only through another.
	Direct  bool
	Purpose string
	// Path is where the component is in the document, for problems.
	Path string
}

// OwnPart is one statement of the system's own part of a control: the
// obligation it answers (Remit's SSPs say), its status and owner.
type OwnPart struct {
	Obligation string
	Status     remit.ObligationStatus
	// Stated says whether the SSP gave a status (an implementation-status).
	Stated               bool
	Owner, Due           string
	Reason, Notes, About string
}

type sspReadingSC struct {
	SystemIDs []struct {
		IdentifierType string `json:"identifier-type"`
		ID             string `json:"id"`
	} `json:"system-ids"`
	SystemName               string `json:"system-name"`
	Props                    []Prop `json:"props"`
	SecuritySensitivityLevel string `json:"security-sensitivity-level"`
}

// leveragedTypes are the component types that stand for a service another
// party provides.
var leveragedTypes = []string{"service", "leveraged-system", "interconnection"}

// ReadLeveraging reads a system's own OSCAL SSP (JSON or YAML), from
// Remit or any other tool.
func ReadLeveraging(file string, data []byte) (*Leveraging, error) {
	s, err := ReadSSP(file, data)
	if err != nil {
		return nil, err
	}
	var sc sspReadingSC
	if len(s.SystemCharacteristics) > 0 {
		if err := json.Unmarshal(s.SystemCharacteristics, &sc); err != nil {
			return nil, &Error{File: file, Path: "system-security-plan.system-characteristics", Message: "could not be read: " + err.Error()}
		}
	}
	l := &Leveraging{Name: strings.TrimSpace(sc.SystemName), Parts: map[string][]OwnPart{}}
	for _, id := range sc.SystemIDs {
		if id.IdentifierType == NS+"/system-id" {
			l.ID = id.ID
		}
	}
	if l.ID == "" {
		l.ID = slug(l.Name)
	}
	l.Classification = sc.SecuritySensitivityLevel
	for _, p := range sc.Props {
		if p.NS != NS {
			continue
		}
		switch p.Name {
		case "owner":
			l.Owner = p.Value
		case "team":
			l.Team = p.Value
		case "classification":
			l.Classification = p.Value
		}
	}
	if l.Classification == "none" {
		l.Classification = ""
	}
	if l.Name == "" {
		return nil, at(&Error{File: file, Path: "system-security-plan.system-characteristics.system-name", Message: "the SSP names no system: a system needs a name"}, data, "uuid", s.UUID, 1)
	}
	if s.BackMatter != nil {
		for _, r := range s.BackMatter.Resources {
			var res struct {
				UUID  string `json:"uuid"`
				Props []Prop `json:"props"`
			}
			if json.Unmarshal(r.Raw, &res) != nil || "#"+res.UUID != s.ImportProfile.Href {
				continue
			}
			for _, p := range res.Props {
				switch {
				case p.NS == NS && p.Name == "catalogue" && p.Value != "none":
					l.Catalogue = p.Value
				case p.NS == NS && p.Name == "selection":
					l.All = p.Value == "all"
				}
			}
		}
	}
	self := map[string]bool{}
	for i, c := range s.SystemImplementation.Components {
		offering, direct := "", true
		leveraged := slices.Contains(leveragedTypes, c.Type)
		for _, p := range c.Props {
			switch {
			case p.Name == "leveraged-authorization-uuid":
				leveraged = true
			case p.NS == NS && p.Name == "offering":
				offering, leveraged = p.Value, true
			case p.NS == NS && p.Name == "direct":
				direct = p.Value != "false"
			}
		}
		if !leveraged {
			self[c.UUID] = true
			continue
		}
		l.Leveraged = append(l.Leveraged, LeveragedComponent{UUID: c.UUID, Title: c.Title, Type: c.Type, Offering: offering, Direct: direct,
			Purpose: strings.TrimSpace(c.Remarks), Path: fmt.Sprintf("system-security-plan.system-implementation.components[%d]", i)})
	}
	for _, ir := range s.ControlImplementation.ImplementedRequirements {
		id := ir.ControlID
		if !slices.Contains(l.Controls, id) {
			l.Controls = append(l.Controls, id)
		}
		bcs := slices.Clone(ir.ByComponents)
		for _, st := range ir.Statements {
			bcs = append(bcs, st.ByComponents...)
		}
		for _, bc := range bcs {
			if !self[bc.ComponentUUID] {
				continue
			}
			part := ownPart(bc)
			if part.Status == remit.StatusNotApplicable && part.Obligation == "" {
				// The whole control does not apply to the system.
				reason := strings.TrimSpace(strings.TrimPrefix(part.Notes, "Not applicable:"))
				if !slices.ContainsFunc(l.NotApplicable, func(x remit.Exclusion) bool { return x.Control == id }) {
					l.NotApplicable = append(l.NotApplicable, remit.Exclusion{Control: id, Reason: or(reason, "not applicable, as the SSP says")})
				}
				continue
			}
			l.Parts[id] = append(l.Parts[id], part)
		}
	}
	if len(l.Controls) == 0 {
		return nil, at(&Error{File: file, Path: "system-security-plan.control-implementation.implemented-requirements", Message: "the SSP implements no control: there is no baseline to read"}, data, "uuid", s.UUID, 1)
	}
	return l, nil
}

// ownPart reads one statement of the system's own part of a control.
func ownPart(bc ByComponent) OwnPart {
	p := OwnPart{Status: remit.StatusNotStarted, Notes: strings.TrimSpace(bc.Remarks), About: strings.TrimSpace(bc.Description)}
	if bc.ImplementationStatus != nil {
		p.Stated = true
		switch bc.ImplementationStatus.State {
		case "implemented", "alternative":
			p.Status = remit.StatusImplemented
		case "partial":
			p.Status = remit.StatusInProgress
		case "not-applicable":
			p.Status = remit.StatusNotApplicable
			p.Reason = strings.TrimSpace(bc.ImplementationStatus.Remarks)
		}
	}
	for _, pr := range bc.Props {
		if pr.NS != NS {
			continue
		}
		switch pr.Name {
		case "obligation":
			p.Obligation = pr.Value
		case "owner":
			p.Owner = pr.Value
		case "due":
			p.Due = pr.Value
		}
	}
	if p.Status == remit.StatusNotApplicable && p.Obligation == "" {
		p.Notes = or(p.Notes, bc.Description)
	}
	return p
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes an id of a name: "Prison Visits (beta)" → prison-visits-beta.
func slug(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}
