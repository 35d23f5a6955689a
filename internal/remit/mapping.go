package remit

import (
	"fmt"
	"slices"
)

// Relationship says how a source control relates to a target control, in
// the NIST/OSCAL mapping vocabulary: the source is equivalent to the
// target, a subset of it (covers part of it), a superset of it (covers all
// of it and more), or intersects with it (covers some of it and some of
// something else).
type Relationship string

// The relationships.
const (
	EquivalentTo   Relationship = "equivalent-to"
	SubsetOf       Relationship = "subset-of"
	SupersetOf     Relationship = "superset-of"
	IntersectsWith Relationship = "intersects-with"
)

// Relationships lists them, for messages.
var Relationships = []Relationship{EquivalentTo, SubsetOf, SupersetOf, IntersectsWith}

// Inverse is the relationship seen from the target: subset-of and
// superset-of swap; the others are symmetric.
func (r Relationship) Inverse() Relationship {
	switch r {
	case SubsetOf:
		return SupersetOf
	case SupersetOf:
		return SubsetOf
	}
	return r
}

// Covers reports whether a source in this relationship covers all of its
// target (equivalent-to, superset-of) rather than part of it.
func (r Relationship) Covers() bool { return r == EquivalentTo || r == SupersetOf }

// ControlMappings is one mappings/*.yaml file: how the controls of a source
// catalogue relate to the controls of a target catalogue.
type ControlMappings struct {
	// ID is the file's name without .yaml.
	ID     string        `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Title  string        `json:"title,omitempty"`
	Source *Source       `json:"source,omitempty" doc:"Where the mapping is published"`
	From   string        `json:"from" doc:"The source catalogue's id"`
	To     string        `json:"to" doc:"The target catalogue's id"`
	Pairs  []ControlPair `json:"pairs"`
	// BuiltIn marks Remit's own mappings (internal/content/mappings),
	// named in remit.yaml. Their pairs that name a control the workspace's
	// catalogue does not hold are skipped, not refused: a catalogue
	// imported as a baseline holds only some of NIST's controls.
	BuiltIn bool `json:"built_in,omitempty"`
}

// Usable reports whether the pair's controls are both in the workspace:
// always for a workspace's own mappings (validation refuses the others),
// and for the pairs of a built-in mapping whose controls were imported.
func (m *ControlMappings) Usable(p ControlPair, has func(catalogue, control string) bool) bool {
	return !m.BuiltIn || has(m.From, p.From) && has(m.To, p.To)
}

// ControlPair relates one control of the source catalogue to one of the
// target's.
type ControlPair struct {
	From         string       `json:"from" doc:"A control id of the source catalogue"`
	To           string       `json:"to" doc:"A control id of the target catalogue"`
	Relationship Relationship `json:"relationship" enum:"equivalent-to,subset-of,superset-of,intersects-with"`
	Note         string       `json:"note,omitempty"`
}

// mappings validates the workspace's control mappings: ids, catalogues and
// controls that exist, relationships that are known, no pair twice, and
// no pair contradicting another read the other way round.
func (v *validator) mappings() {
	type pairKey struct{ from, to string }
	seen := map[string]bool{}
	at := map[pairKey]string{}
	rel := map[pairKey]Relationship{}
	for i, f := range v.ws.Mappings {
		base := fmt.Sprintf("/mappings/%d", i)
		if !v.fileID(base, "mappings file", f.ID, seen) {
			continue
		}
		v.text(base, "/title", "title", f.Title, MaxName)
		builtIn := ""
		if f.BuiltIn {
			builtIn = f.ID
		}
		okFrom, okTo := v.mappedCatalogue(base+"/from", f.From, builtIn), v.mappedCatalogue(base+"/to", f.To, builtIn)
		if okFrom && okTo && f.From == f.To {
			v.add(base+"/to", "a mapping relates two catalogues: %q is both from and to", f.To)
		}
		if len(f.Pairs) == 0 {
			v.add(base+"/pairs", "there are no pairs: list each from control, to control and relationship")
		}
		for j, p := range f.Pairs {
			pp := fmt.Sprintf("%s/pairs/%d", base, j)
			if okFrom && okTo && !f.Usable(p, v.HasControl) {
				continue
			}
			good := true
			if okFrom && !v.HasControl(f.From, p.From) {
				v.add(pp+"/from", "control %q is not in catalogue %q%s", p.From, f.From, suggest(p.From, v.ControlIDs(f.From)))
				good = false
			}
			if okTo && !v.HasControl(f.To, p.To) {
				v.add(pp+"/to", "control %q is not in catalogue %q%s", p.To, f.To, suggest(p.To, v.ControlIDs(f.To)))
				good = false
			}
			if !slices.Contains(Relationships, p.Relationship) {
				v.add(pp+"/relationship", "relationship %q is not known: use one of %s%s", p.Relationship, joinQuoted(stringsOf(Relationships)), suggest(string(p.Relationship), stringsOf(Relationships)))
				good = false
			}
			v.text(pp, "/note", "note", p.Note, MaxNote)
			if !good || !okFrom || !okTo {
				continue
			}
			from := ControlRef{Catalogue: f.From, Control: p.From}.String()
			to := ControlRef{Catalogue: f.To, Control: p.To}.String()
			if where, dup := at[pairKey{from, to}]; dup {
				v.add(pp, "%s and %s are already related at %s: give each pair once", from, to, where)
				continue
			}
			if back, ok := rel[pairKey{to, from}]; ok && back.Inverse() != p.Relationship {
				v.add(pp+"/relationship", "%s %s %s contradicts %s %s %s at %s", from, p.Relationship, to, to, back, from, at[pairKey{to, from}])
				continue
			}
			at[pairKey{from, to}] = pp
			rel[pairKey{from, to}] = p.Relationship
		}
	}
}

// mappedCatalogue checks a catalogue a mappings file names; builtIn is
// the built-in mapping's id ("" for a workspace's own), which needs the
// catalogue added under that id.
func (v *validator) mappedCatalogue(pointer, id, builtIn string) bool {
	switch {
	case id == "":
		v.add(pointer, "a catalogue id is required")
	case !v.HasCatalogue(id):
		if builtIn != "" {
			v.add(pointer, "catalogue %q does not exist: the built-in mapping %q relates it; import it under that id (remit catalogue import FILE --id %s) or drop %q from mappings in remit.yaml", id, builtIn, id, builtIn)
			break
		}
		v.add(pointer, "catalogue %q does not exist%s", id, suggest(id, v.CatalogueIDs()))
	default:
		return true
	}
	return false
}
