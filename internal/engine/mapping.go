package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"remit/internal/remit"
)

// mapEdge says that the control From relates to a target control as Rel
// (From rel target), by the mappings file File.
type mapEdge struct {
	From int32
	Rel  remit.Relationship
	File string
}

// MappedSource is one statement of an offering that answers, through a
// mapping, for a control it has no statement for.
type MappedSource struct {
	// Control is the source control, Statement the offering's statement
	// for it.
	Control   int32
	Statement int32
	// Rel is how the source control relates to the target control, and
	// File the mappings file that says so.
	Rel  remit.Relationship
	File string
}

// Mapped is how an offering answers for a control it has no statement for,
// through statements for controls mapped to it (doc/engine.md):
//
//   - a source that covers the whole target (equivalent-to, superset-of)
//     carries its class over; of several, the one that leaves us the most;
//   - sources that cover part of it (subset-of, intersects-with) make it at
//     most shared — the rest of the target is ours — however many there
//     are: shared when any gives the provider a part, else
//     organisation-specific;
//   - a source whose statement is not-applicable says nothing;
//   - a whole source wins over partial ones.
type Mapped struct {
	Sources []MappedSource
	// Partial is set when no source covers the whole target.
	Partial bool
	class   class
}

// Class is the class the mapping gives the control.
func (m *Mapped) Class() remit.Class { return classNames[m.class] }

// burden orders classes by what they leave us: inherited least.
func burden(c class) int {
	switch c {
	case clsInherited:
		return 0
	case clsShared:
		return 1
	}
	return 2
}

// indexMappings builds the edges into each control from the workspace's
// mappings, both ways round (a pair read from the target is the inverse
// relationship).
func (e *Estate) indexMappings(ms []remit.ControlMappings) error {
	e.mapsTo = map[int32][]mapEdge{}
	for _, f := range ms {
		for _, p := range f.Pairs {
			if !f.Usable(p, e.hasControl) {
				continue
			}
			from, ok := e.controlIndex[remit.ControlRef{Catalogue: f.From, Control: p.From}.String()]
			if !ok {
				return fmt.Errorf("mappings %s: unknown control %s:%s", f.ID, f.From, p.From)
			}
			to, ok := e.controlIndex[remit.ControlRef{Catalogue: f.To, Control: p.To}.String()]
			if !ok {
				return fmt.Errorf("mappings %s: unknown control %s:%s", f.ID, f.To, p.To)
			}
			e.mapsTo[to] = append(e.mapsTo[to], mapEdge{From: from, Rel: p.Relationship, File: f.ID})
			e.mapsTo[from] = append(e.mapsTo[from], mapEdge{From: to, Rel: p.Relationship.Inverse(), File: f.ID})
		}
	}
	return nil
}

func (e *Estate) hasControl(catalogue, control string) bool {
	_, ok := e.controlIndex[remit.ControlRef{Catalogue: catalogue, Control: control}.String()]
	return ok
}

// indexMapped works out, for each control an offering has no statement
// for, what its statements for mapped controls say of it.
// It runs on a freshly built statement table, marking each control it
// answers for in o.stmt (-2-i for o.maps[i]).
func (e *Estate) indexMapped(o *Offering) {
	o.maps = nil
	for _, ci := range slices.Sorted(maps.Keys(e.mapsTo)) {
		edges := e.mapsTo[ci]
		if o.stmt[ci] >= 0 {
			continue // a direct statement always wins
		}
		var m Mapped
		whole, part := clsNone, clsNone
		for _, ed := range edges {
			k := o.stmt[ed.From]
			if k < 0 || o.stmtClass[k] == clsNotApplicable { // only statements of its own: mappings do not chain
				continue
			}
			m.Sources = append(m.Sources, MappedSource{Control: ed.From, Statement: k, Rel: ed.Rel, File: ed.File})
			c := o.stmtClass[k]
			if ed.Rel.Covers() {
				if whole == clsNone || burden(c) > burden(whole) {
					whole = c
				}
				continue
			}
			if c == clsInherited || c == clsShared {
				part = clsShared
			} else if part == clsNone {
				part = clsOrganisation
			}
		}
		switch {
		case whole != clsNone:
			m.class = whole
		case part != clsNone:
			m.class, m.Partial = part, true
		default:
			continue
		}
		slices.SortFunc(m.Sources, func(a, b MappedSource) int {
			return strings.Compare(e.Controls[a.Control].Ref, e.Controls[b.Control].Ref)
		})
		o.stmt[ci] = -2 - int32(len(o.maps))
		o.maps = append(o.maps, m)
	}
}

// Mapped returns how a contribution answers through mappings, or nil when
// it does not.
func (e *Estate) Mapped(k Contribution) *Mapped {
	if k.mapped < 0 || k.Statement >= 0 {
		return nil
	}
	return &e.Offering(k.Offering).maps[k.mapped]
}

// MappedFrom lists the controls through which an offering answers for a
// control it has no statement for, with how each relates to it; nil when
// it has a statement of its own or no mapping answers.
func (e *Estate) MappedFrom(offering, control int32) []remit.MappedControl {
	o := e.Offering(offering)
	if int(control) >= len(o.stmt) || o.stmt[control] > -2 {
		return nil
	}
	m := &o.maps[-2-o.stmt[control]]
	out := make([]remit.MappedControl, len(m.Sources))
	for i, s := range m.Sources {
		out[i] = remit.MappedControl{Control: e.Controls[s.Control].Ref, Relationship: s.Rel}
	}
	return out
}

// AnswersThroughMappings reports whether an offering answers for any
// control through mappings.
func (e *Estate) AnswersThroughMappings(offering int32) bool {
	return len(e.Offering(offering).maps) > 0
}

// MappedFromRefs is MappedFrom by offering (provider/offering) and control
// (catalogue:control) reference.
func (e *Estate) MappedFromRefs(offering, control string) []remit.MappedControl {
	oi, ok := e.OfferingIndex(offering)
	if !ok {
		return nil
	}
	ci, ok := e.ControlIndex(control)
	if !ok {
		return nil
	}
	return e.MappedFrom(oi, ci)
}

// mappedParts is what the provider does and what we must do under a
// mapped contribution: the source statements' parts, named; for a partial
// mapping, also the rest of the control.
func (e *Estate) mappedParts(control int32, m *Mapped, o *Offering) (provider, customer string) {
	var prov, cust []string
	for _, s := range m.Sources {
		st := &o.Offering.Statements[s.Statement]
		ref := e.Controls[s.Control].Ref
		if st.Provider != "" {
			prov = append(prov, fmt.Sprintf("As for %s (%s): %s", ref, s.Rel, st.Provider))
		}
		if st.Customer != "" {
			cust = append(cust, fmt.Sprintf("As for %s (%s): %s", ref, s.Rel, st.Customer))
		}
	}
	if m.Partial {
		cust = append(cust, fmt.Sprintf("The rest of %s, which the mapped controls cover only in part: %s", e.Controls[control].Ref, e.controlText(control)))
	}
	return strings.Join(prov, " "), strings.Join(cust, " ")
}

// Coverage counts, for one offering in one or more systems, what its
// contributions to their baseline controls rest on: a statement for the
// control itself (confirmed; a not-applicable statement counts), a
// mapping from statements for other controls (mapped), or the assumed
// service-model default (assumed).
type Coverage struct {
	Offering                   int32
	Confirmed, Mapped, Assumed int
}

// Total is every contribution counted.
func (c Coverage) Total() int { return c.Confirmed + c.Mapped + c.Assumed }

// AddCoverage adds a matrix's contributions to cov, one entry per
// offering in the order first met, and returns it. Not-applicable cells
// have none.
func (e *Estate) AddCoverage(cov []Coverage, m *Matrix) []Coverage {
	uses := e.System(m.System).Uses
	at := make([]int, len(uses))
	for j, oi := range uses {
		at[j] = slices.IndexFunc(cov, func(c Coverage) bool { return c.Offering == oi })
		if at[j] < 0 {
			at[j] = len(cov)
			cov = append(cov, Coverage{Offering: oi})
		}
	}
	for i := range m.Cells {
		c := &m.Cells[i]
		if c.class == clsNotApplicable {
			continue
		}
		area := e.Controls[c.Control].area
		for j, oi := range uses {
			k := contribution(oi, e.Offering(oi), c.Control, area)
			switch {
			case k.Statement >= 0:
				cov[at[j]].Confirmed++
			case k.mapped >= 0:
				cov[at[j]].Mapped++
			default:
				cov[at[j]].Assumed++
			}
		}
	}
	return cov
}

// Related lists the controls the workspace's mappings relate to ref
// (catalogue:control), either way round and whatever the relationship.
func (e *Estate) Related(ref string) []string {
	ci, ok := e.controlIndex[ref]
	if !ok {
		return nil
	}
	var out []string
	for _, ed := range e.mapsTo[ci] {
		if r := e.Controls[ed.From].Ref; !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
