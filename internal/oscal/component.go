package oscal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// ComponentDefinition is an OSCAL component definition.
type ComponentDefinition struct {
	UUID       string             `json:"uuid"`
	Metadata   Metadata           `json:"metadata"`
	Components []DefinedComponent `json:"components,omitempty"`
	BackMatter *BackMatter        `json:"back-matter,omitempty"`
}

// DefinedComponent is a component a definition describes.
type DefinedComponent struct {
	UUID                   string                  `json:"uuid"`
	Type                   string                  `json:"type"`
	Title                  string                  `json:"title"`
	Description            string                  `json:"description"`
	Props                  []Prop                  `json:"props,omitempty"`
	Links                  []Link                  `json:"links,omitempty"`
	ControlImplementations []ControlImplementation `json:"control-implementations,omitempty"`
}

// ControlImplementation is how a component implements the controls of
// one source (a catalog or profile).
type ControlImplementation struct {
	UUID                    string                   `json:"uuid"`
	Source                  string                   `json:"source"`
	Description             string                   `json:"description"`
	Props                   []Prop                   `json:"props,omitempty"`
	ImplementedRequirements []ImplementedRequirement `json:"implemented-requirements"`
}

// ImplementedRequirement is one control a component implements.
type ImplementedRequirement struct {
	UUID        string `json:"uuid"`
	ControlID   string `json:"control-id"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
	// Statements say how parts of the control's statement are met (other
	// tools write them; Remit does not).
	Statements []RequirementStatement `json:"statements,omitempty"`
	Remarks    string                 `json:"remarks,omitempty"`
}

// RequirementStatement is how a component meets one part of a control.
type RequirementStatement struct {
	StatementID string `json:"statement-id"`
	UUID        string `json:"uuid"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
	Remarks     string `json:"remarks,omitempty"`
}

// PropAnyNS is the value of the first property named name, in any
// namespace ("" when there is none).
func PropAnyNS(props []Prop, name string) string {
	for _, p := range props {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// WriteComponentDefinition writes an offering's model as a component
// definition: per catalogue its statements, each with our class as a
// namespaced property, what the provider does as the description and what
// the customer must do as remarks.
func WriteComponentDefinition(ws *remit.Workspace, ref string, now time.Time) (ComponentDefinition, error) {
	pid, oid, _ := strings.Cut(ref, "/")
	var prov *remit.Provider
	var off *remit.Offering
	for i := range ws.Providers {
		if ws.Providers[i].ID == pid {
			prov = &ws.Providers[i]
			for j := range prov.Offerings {
				if prov.Offerings[j].ID == oid {
					off = &prov.Offerings[j]
				}
			}
		}
	}
	if off == nil {
		return ComponentDefinition{}, fmt.Errorf("offering %q: %w", ref, remit.ErrNotFound)
	}
	key := func(parts ...string) string {
		return stableUUID(append([]string{"component-definition", ref}, parts...)...)
	}
	now = now.UTC()
	cd := ComponentDefinition{UUID: key(), Metadata: Metadata{Title: fmt.Sprintf("%s: shared responsibility model of %s", prov.Name, off.Name),
		LastModified: now.Format(time.RFC3339), Version: now.Format(time.DateOnly), OSCALVersion: Version}}
	comp := DefinedComponent{UUID: key("component"), Type: "service", Title: off.Name,
		Description: fmt.Sprintf("%s, an offering of %s (%s).", off.Name, prov.Name, modelName(off.ServiceModel)),
		Props: []Prop{{Name: "provider", NS: NS, Value: prov.ID}, {Name: "provider-name", NS: NS, Value: orNone(prov.Name)},
			{Name: "offering", NS: NS, Value: off.ID}, {Name: "service-model", NS: NS, Value: string(off.ServiceModel)}}}
	for _, d := range off.DependsOn {
		comp.Props = append(comp.Props, Prop{Name: "depends-on", NS: NS, Value: d})
	}
	if src := off.Source; src != nil && src.URL != "" {
		comp.Links = append(comp.Links, Link{Href: src.URL, Rel: "reference", Text: src.Title})
	}
	byCat := map[string][]remit.Statement{}
	var cats []string
	for _, st := range off.Statements {
		cat, _ := controlID(st.Control)
		if _, ok := byCat[cat]; !ok {
			cats = append(cats, cat)
		}
		byCat[cat] = append(byCat[cat], st)
	}
	slices.Sort(cats)
	titles := map[string]string{}
	for _, c := range ws.Catalogues {
		titles[c.ID] = c.Title
	}
	var resources []Resource
	for _, cat := range cats {
		res, _ := json.Marshal(map[string]any{"uuid": key("catalogue", cat), "title": orNone(titles[cat]), "props": []Prop{{Name: "catalogue", NS: NS, Value: cat}}})
		resources = append(resources, Resource{UUID: key("catalogue", cat), Raw: res})
		ci := ControlImplementation{UUID: key("implementation", cat), Source: "#" + key("catalogue", cat),
			Description: fmt.Sprintf("What %s does, and leaves to its customers, for the controls of %s.", off.Name, orNone(titles[cat])),
			Props:       []Prop{{Name: "catalogue", NS: NS, Value: cat}}}
		for _, st := range byCat[cat] {
			_, id := controlID(st.Control)
			desc := st.Provider
			if desc == "" {
				desc = "The provider does nothing for this control: it is the customer's."
			}
			ir := ImplementedRequirement{UUID: key("statement", st.Control), ControlID: id, Description: desc,
				Props: []Prop{{Name: "responsibility", NS: NS, Value: string(st.Class)}}, Remarks: st.Customer}
			if st.Provider == "" {
				ir.Props = append(ir.Props, Prop{Name: "provider-part", NS: NS, Value: "none"})
			}
			ci.ImplementedRequirements = append(ci.ImplementedRequirements, ir)
		}
		comp.ControlImplementations = append(comp.ControlImplementations, ci)
	}
	cd.Components = []DefinedComponent{comp}
	if len(resources) > 0 {
		cd.BackMatter = &BackMatter{Resources: resources}
	}
	return cd, nil
}

// ReadComponentDefinition reads an OSCAL JSON component definition.
func ReadComponentDefinition(file string, data []byte) (*ComponentDefinition, error) {
	var cd ComponentDefinition
	if err := decode(file, data, KindComponentDefinition, &cd); err != nil {
		return nil, err
	}
	return &cd, nil
}

// Statements reads back the statements of a component definition Remit
// wrote (or one that follows its properties): per implemented
// requirement, the class from its responsibility property, what the
// provider does from its description and what the customer must do from
// its remarks. Requirements without a class are reported, not guessed.
func (cd *ComponentDefinition) Statements(file string) ([]remit.Statement, error) {
	var out []remit.Statement
	for ci, comp := range cd.Components {
		for ii, impl := range comp.ControlImplementations {
			cat := propValue(impl.Props, "catalogue")
			for ri, ir := range impl.ImplementedRequirements {
				at := fmt.Sprintf("component-definition.components[%d].control-implementations[%d].implemented-requirements[%d]", ci, ii, ri)
				class := remit.Class(propValue(ir.Props, "responsibility"))
				if !class.Valid() {
					return nil, &Error{File: file, Path: at, Message: fmt.Sprintf("control %s has no responsibility property (%s) naming inherited, shared, organisation-specific or not-applicable; for a component definition written by another tool, name the catalogue its controls are in (--catalogue) and Remit reads its properties, or assumes the classes", ir.ControlID, NS)}
				}
				if cat == "" {
					return nil, &Error{File: file, Path: at, Message: fmt.Sprintf("its control implementation names no catalogue property (%s): name the catalogue its controls are in (--catalogue)", NS)}
				}
				st := remit.Statement{Control: cat + ":" + ir.ControlID, Class: class, Provider: ir.Description, Customer: ir.Remarks}
				if propValue(ir.Props, "provider-part") == "none" {
					st.Provider = ""
				}
				out = append(out, st)
			}
		}
	}
	return out, nil
}

func propValue(props []Prop, name string) string {
	for _, p := range props {
		if p.Name == name && p.NS == NS {
			return p.Value
		}
	}
	return ""
}

// modelName writes a service model as people do: iaas → IaaS.
func modelName(m remit.ServiceModel) string {
	s := string(m)
	if len(s) == 4 && strings.HasSuffix(s, "aas") {
		return strings.ToUpper(s[:1]) + "aa" + "S"
	}
	return s
}
