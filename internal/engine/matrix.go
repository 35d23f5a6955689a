package engine

import "remit/internal/remit"

// Contribution is what one offering a system uses brings to one control:
// its explicit statement, or the assumed service-model default.
type Contribution struct {
	Offering int32
	// Statement indexes the offering's statements; it is -1 when the
	// contribution is the assumed default.
	Statement int32
	// mapped indexes the offering's mapped answers when the contribution
	// comes through a mapping, else -1.
	mapped int32
	class  class
}

// Class is the contribution's class.
func (c Contribution) Class() remit.Class { return classNames[c.class] }

// Assumed reports whether the contribution rests on the service-model
// default rather than on anything the provider has stated.
func (c Contribution) Assumed() bool { return c.Statement < 0 && c.mapped < 0 }

// IsMapped reports whether the contribution comes through a mapping from
// statements for other controls (Estate.Mapped says which).
func (c Contribution) IsMapped() bool { return c.Statement < 0 && c.mapped >= 0 }

// Cell is the effective responsibility for one control of one system. It
// is eight bytes with no pointers, so a whole estate of cells is small and
// costs the garbage collector nothing to scan. Its contributions are not
// stored: they follow from the system's offerings and the estate's
// statements, and Estate.Contributions lists them on demand.
type Cell struct {
	Control int32
	class   class
	assumed bool
	covered bool
	mapped  bool
}

// Class is the cell's effective class.
func (c *Cell) Class() remit.Class { return classNames[c.class] }

// Assumed reports whether any contribution the class rests on is an
// assumed default: such a cell is never presented as confirmed.
func (c *Cell) Assumed() bool { return c.assumed }

// Mapped reports whether any contribution the class rests on comes
// through a mapping (and none is assumed): such a cell is derived, not
// confirmed.
func (c *Cell) Mapped() bool { return c.mapped && !c.assumed }

// Covered reports whether any offering contributes to the control at all
// (a not-applicable statement does not); when none does, the whole control
// is the organisation's.
func (c *Cell) Covered() bool { return c.covered }

// Summary counts a matrix's cells by class.
type Summary struct {
	Inherited            int `json:"inherited"`
	Shared               int `json:"shared"`
	OrganisationSpecific int `json:"organisation-specific"`
	NotApplicable        int `json:"not-applicable"`
	// Assumed counts cells resting on at least one assumed default.
	Assumed int `json:"assumed"`
	// Mapped counts cells resting on a mapping and on no assumed default.
	Mapped int `json:"mapped"`
}

// Add counts one more cell of class c.
func (s *Summary) Add(c remit.Class) {
	switch c {
	case remit.Inherited:
		s.Inherited++
	case remit.Shared:
		s.Shared++
	case remit.OrganisationSpecific:
		s.OrganisationSpecific++
	case remit.NotApplicable:
		s.NotApplicable++
	}
}

// Total is the number of cells counted.
func (s Summary) Total() int {
	return s.Inherited + s.Shared + s.OrganisationSpecific + s.NotApplicable
}

// Matrix is one system's effective responsibility matrix: one cell per
// baseline control, in catalogue order.
type Matrix struct {
	System  int32
	Cells   []Cell
	Summary Summary
}

// contribution is what offering oi brings to control ci: its statement,
// else the default for the control's area under the offering's service
// model (an unknown area is assumed to be ours).
func contribution(oi int32, o *Offering, ci int32, area int) Contribution {
	k := Contribution{Offering: oi, Statement: o.stmt[ci], mapped: -1}
	switch {
	case k.Statement >= 0:
		k.class = o.stmtClass[k.Statement]
	case k.Statement < -1:
		k.mapped, k.Statement = -2-k.Statement, -1
		k.class = o.maps[k.mapped].class
	case area >= 0:
		k.class = o.defaults[area]
	default:
		k.class = clsOrganisation
	}
	return k
}

// Contributions lists, in the order the system uses them, what each
// offering brings to a cell of m, including not-applicable statements
// (kept for provenance; they add nothing to the class or to anyone's
// obligations). A not-applicable cell has none.
func (e *Estate) Contributions(m *Matrix, c *Cell) []Contribution {
	if c.class == clsNotApplicable {
		return nil
	}
	uses := e.System(m.System).Uses
	out := make([]Contribution, len(uses))
	area := e.Controls[c.Control].area
	for i, oi := range uses {
		out[i] = contribution(oi, e.Offering(oi), c.Control, area)
	}
	return out
}

// Matrix computes the effective responsibility matrix of one system.
func (e *Estate) Matrix(system int32) Matrix {
	s := e.System(system)
	m := Matrix{System: system, Cells: make([]Cell, len(s.Controls))}
	// The offerings used, fetched once for the whole matrix.
	var buf [8]*Offering
	offerings := buf[:0]
	for _, oi := range s.Uses {
		offerings = append(offerings, e.Offering(oi))
	}
	for i, ci := range s.Controls {
		cell := &m.Cells[i]
		cell.Control = ci
		if _, na := s.notApplicable[ci]; na {
			cell.class = clsNotApplicable
			m.Summary.NotApplicable++
			continue
		}
		area := e.Controls[ci].area
		covered, allInherited, providerPart := false, true, false
		for j, oi := range s.Uses {
			k := contribution(oi, offerings[j], ci, area)
			switch {
			case k.mapped >= 0:
				cell.mapped = true
			case k.Statement < 0:
				cell.assumed = true
			}
			switch k.class {
			case clsNotApplicable:
				continue
			case clsInherited:
				providerPart = true
			case clsShared:
				providerPart, allInherited = true, false
			default:
				allInherited = false
			}
			covered = true
		}
		cell.covered = covered
		switch {
		case !covered || !providerPart:
			cell.class = clsOrganisation
			m.Summary.OrganisationSpecific++
		case allInherited:
			cell.class = clsInherited
			m.Summary.Inherited++
		default:
			cell.class = clsShared
			m.Summary.Shared++
		}
		if cell.assumed {
			m.Summary.Assumed++
		} else if cell.mapped {
			m.Summary.Mapped++
		}
	}
	return m
}

// Matrices computes every system's matrix.
func (e *Estate) Matrices() []Matrix {
	out := make([]Matrix, e.NumSystems())
	for i := range out {
		out[i] = e.Matrix(int32(i))
	}
	return out
}
