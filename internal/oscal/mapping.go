package oscal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// MappingVersion is the OSCAL version that has the mapping model: Remit
// writes a mapping collection as OSCAL 1.2 (its other documents stay at
// Version).
const MappingVersion = "1.2.2"

// MappingCollection is an OSCAL mapping-collection: the parts Remit
// writes and reads.
type MappingCollection struct {
	UUID       string            `json:"uuid"`
	Metadata   Metadata          `json:"metadata"`
	Provenance MappingProvenance `json:"provenance"`
	Mappings   []Mapping         `json:"mappings"`
}

// MappingProvenance says how the mapping was made.
type MappingProvenance struct {
	Method            string `json:"method"`
	MatchingRationale string `json:"matching-rationale"`
	Status            string `json:"status"`
	Description       string `json:"mapping-description"`
}

// Mapping relates the controls of a source resource to a target's.
type Mapping struct {
	UUID   string          `json:"uuid"`
	Source MappingResource `json:"source-resource"`
	Target MappingResource `json:"target-resource"`
	Maps   []MappingEntry  `json:"maps"`
}

// MappingResource is the catalogue a mapping is from or to.
type MappingResource struct {
	Type  string `json:"type"`
	Href  string `json:"href"`
	Props []Prop `json:"props,omitempty"`
}

// MappingEntry relates source controls to target controls.
type MappingEntry struct {
	UUID         string        `json:"uuid"`
	Relationship string        `json:"relationship"`
	Sources      []MappingItem `json:"sources"`
	Targets      []MappingItem `json:"targets"`
	Remarks      string        `json:"remarks,omitempty"`
}

// MappingItem is one control.
type MappingItem struct {
	Type  string `json:"type"`
	IDRef string `json:"id-ref"`
}

// MappingOf writes a workspace's mappings file as an OSCAL 1.2 mapping
// collection: one mapping from its source catalogue to its target, an
// entry per pair (the relationship, the two controls, the note as
// remarks). Each resource names its catalogue in a Remit property, so the
// document reads back exactly.
func MappingOf(m remit.ControlMappings, now time.Time) ([]byte, error) {
	title := m.Title
	if title == "" {
		title = fmt.Sprintf("Controls of %s mapped to %s", m.From, m.To)
	}
	res := func(cat string) MappingResource {
		return MappingResource{Type: "catalog", Href: "#" + stableUUID("catalogue", cat), Props: []Prop{{Name: "catalogue", NS: NS, Value: cat}}}
	}
	mc := MappingCollection{UUID: stableUUID("mapping-collection", m.ID),
		Metadata:   Metadata{Title: title, LastModified: now.UTC().Format(time.RFC3339), Version: "1", OSCALVersion: MappingVersion},
		Provenance: MappingProvenance{Method: "human", MatchingRationale: "semantic", Status: "complete", Description: "How the controls of " + m.From + " relate to those of " + m.To + ", written for Remit (" + m.ID + ")."},
		Mappings:   []Mapping{{UUID: stableUUID("mapping", m.ID), Source: res(m.From), Target: res(m.To)}},
	}
	if m.Source != nil && m.Source.URL != "" {
		mc.Metadata.Links = []Link{{Href: m.Source.URL, Rel: "reference", Text: m.Source.Title}}
	}
	for _, p := range m.Pairs {
		mc.Mappings[0].Maps = append(mc.Mappings[0].Maps, MappingEntry{UUID: stableUUID("map", m.ID, p.From, p.To), Relationship: string(p.Relationship),
			Sources: []MappingItem{{Type: "control", IDRef: p.From}}, Targets: []MappingItem{{Type: "control", IDRef: p.To}}, Remarks: p.Note})
	}
	return json.MarshalIndent(map[string]any{string(KindMapping): mc}, "", "  ")
}

// ReadMapping reads an OSCAL mapping collection into mappings files, one
// per mapping in it (id: the file's name with -N after the first). A
// mapping's catalogues come from Remit's catalogue property, else from
// the fragment of their href; an entry with several sources or targets
// becomes a pair for each. A problem names the JSON path.
func ReadMapping(file, id string, data []byte) ([]remit.ControlMappings, error) {
	var mc MappingCollection
	if err := decode(file, data, KindMapping, &mc); err != nil {
		return nil, err
	}
	if len(mc.Mappings) == 0 {
		return nil, &Error{File: file, Path: "mapping-collection.mappings", Message: "there are no mappings"}
	}
	var out []remit.ControlMappings
	for i, mp := range mc.Mappings {
		at := fmt.Sprintf("mapping-collection.mappings[%d]", i)
		cm := remit.ControlMappings{ID: id, Title: mc.Metadata.Title}
		if i > 0 {
			cm.ID = fmt.Sprintf("%s-%d", id, i+1)
		}
		var err error
		if cm.From, err = catalogueOf(file, at+".source-resource", mp.Source); err != nil {
			return nil, err
		}
		if cm.To, err = catalogueOf(file, at+".target-resource", mp.Target); err != nil {
			return nil, err
		}
		for j, e := range mp.Maps {
			where := fmt.Sprintf("%s.maps[%d]", at, j)
			rel := remit.Relationship(e.Relationship)
			if !slices.Contains(remit.Relationships, rel) {
				return nil, &Error{File: file, Path: where + ".relationship", Message: fmt.Sprintf("relationship %q is not one Remit can use: equivalent-to, subset-of, superset-of or intersects-with", e.Relationship)}
			}
			if len(e.Sources) == 0 || len(e.Targets) == 0 {
				return nil, &Error{File: file, Path: where, Message: "an entry needs sources and targets"}
			}
			for _, s := range e.Sources {
				for _, t := range e.Targets {
					if s.Type != "control" || t.Type != "control" {
						return nil, &Error{File: file, Path: where, Message: fmt.Sprintf("Remit maps controls, not %s to %s", s.Type, t.Type)}
					}
					cm.Pairs = append(cm.Pairs, remit.ControlPair{From: s.IDRef, To: t.IDRef, Relationship: rel, Note: strings.TrimSpace(e.Remarks)})
				}
			}
		}
		out = append(out, cm)
	}
	return out, nil
}

func catalogueOf(file, at string, r MappingResource) (string, error) {
	if v := propValue(r.Props, "catalogue"); v != "" {
		return v, nil
	}
	if _, frag, ok := strings.Cut(r.Href, "#"); ok && frag != "" && remit.ValidID(frag) {
		return frag, nil
	}
	return "", &Error{File: file, Path: at, Message: fmt.Sprintf("which catalogue is %q? Give a catalogue property (%s) or an href ending #catalogue-id", r.Href, NS)}
}
