package engine

import "remit/internal/remit"

// Contribution is what one offering a system uses brings to one control:
// its explicit statement, or the assumed service-model default.
type Contribution struct {
	Offering int32
	// Statement indexes the offering's statements; it is -1 when the
	// contribution is the assumed default.
	Statement int32
	class     class
}

// Class is the contribution's class.
func (c Contribution) Class() remit.Class { return classNames[c.class] }

// Assumed reports whether the contribution rests on the service-model
// default rather than on anything the provider has stated.
func (c Contribution) Assumed() bool { return c.Statement < 0 }

// Cell is the effective responsibility for one control of one system.
type Cell struct {
	Control int32
	// Contributions lists, in the order the system uses them, what each
	// offering brings, including not-applicable statements (kept for
	// provenance; they add nothing to the class or obligations).
	Contributions []Contribution
	class         class
	assumed       bool
}

// Class is the cell's effective class.
func (c *Cell) Class() remit.Class { return classNames[c.class] }

// Assumed reports whether any contribution the class rests on is an
// assumed default: such a cell is never presented as confirmed.
func (c *Cell) Assumed() bool { return c.assumed }

// Covered reports whether any offering contributes to the control at all;
// when none does, the whole control is the organisation's.
func (c *Cell) Covered() bool {
	for _, k := range c.Contributions {
		if k.class != clsNotApplicable {
			return true
		}
	}
	return false
}

// Summary counts a matrix's cells by class.
type Summary struct {
	Inherited            int `json:"inherited"`
	Shared               int `json:"shared"`
	OrganisationSpecific int `json:"organisation-specific"`
	NotApplicable        int `json:"not-applicable"`
	// Assumed counts cells resting on at least one assumed default.
	Assumed int `json:"assumed"`
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

// Matrix computes the effective responsibility matrix of one system.
func (e *Estate) Matrix(system int32) Matrix {
	s := &e.Systems[system]
	m := Matrix{System: system, Cells: make([]Cell, len(s.Controls))}
	// One backing array for every contribution of the system.
	backing := make([]Contribution, 0, len(s.Controls)*len(s.Uses))
	for i, ci := range s.Controls {
		cell := &m.Cells[i]
		cell.Control = ci
		if _, na := s.notApplicable[ci]; na {
			cell.class = clsNotApplicable
			m.Summary.NotApplicable++
			continue
		}
		start := len(backing)
		area := e.Controls[ci].area
		covered, allInherited, providerPart := false, true, false
		for _, oi := range s.Uses {
			o := &e.Offerings[oi]
			k := Contribution{Offering: oi, Statement: o.stmt[ci]}
			if k.Statement >= 0 {
				k.class = o.stmtClass[k.Statement]
			} else {
				k.class = clsOrganisation // an unknown area is assumed to be ours
				if area >= 0 {
					k.class = o.defaults[area]
				}
				if k.class != clsNotApplicable {
					cell.assumed = true
				}
			}
			backing = append(backing, k)
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
		cell.Contributions = backing[start:len(backing):len(backing)]
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
		}
	}
	return m
}

// Matrices computes every system's matrix.
func (e *Estate) Matrices() []Matrix {
	out := make([]Matrix, len(e.Systems))
	for i := range e.Systems {
		out[i] = e.Matrix(int32(i))
	}
	return out
}
