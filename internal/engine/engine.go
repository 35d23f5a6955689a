// Package engine resolves shared responsibility: for every system and every
// control in its baseline it computes the effective class, the contributions
// of each offering with their provenance, and the obligations left to the
// organisation and to each provider. It is pure (no I/O) and built for
// whole-estate scale: ids are interned into dense int32 indexes and the hot
// loop reads slices, not maps.
package engine

import (
	"fmt"
	"slices"

	"remit/internal/remit"
)

// class is the compact form of remit.Class used in the hot loop.
type class uint8

const (
	clsNone class = iota
	clsInherited
	clsShared
	clsOrganisation
	clsNotApplicable
)

var classNames = [...]remit.Class{"", remit.Inherited, remit.Shared, remit.OrganisationSpecific, remit.NotApplicable}

func classOf(c remit.Class) class {
	switch c {
	case remit.Inherited:
		return clsInherited
	case remit.Shared:
		return clsShared
	case remit.OrganisationSpecific:
		return clsOrganisation
	case remit.NotApplicable:
		return clsNotApplicable
	}
	return clsNone
}

// Control is one control of the estate, addressed by its index.
type Control struct {
	Ref       string // catalogue:control
	Catalogue *remit.Catalogue
	Control   *remit.Control
	area      int // index into Estate.rules, or -1 when the area is unknown
}

// Offering is one offering of the estate, addressed by its index.
type Offering struct {
	Ref      string // provider/offering
	Provider *remit.Provider
	Offering *remit.Offering
	// Via lists the offerings this one relies on, directly or further down
	// (depends_on, transitively), nearest first.
	Via []int32
	// stmt maps a control index to the index of this offering's statement
	// for it, or -1 when it has none and the default applies.
	stmt      []int32
	stmtClass []class
	// defaults holds the default class for each area under this offering's
	// service model.
	defaults []class
}

// System is one system of the estate, addressed by its index.
type System struct {
	System *remit.System
	// Controls is the baseline, as control indexes, in catalogue order.
	Controls []int32
	// Uses lists the offerings the system relies on directly.
	Uses []int32
	// notApplicable maps a control index to the reason it does not apply.
	notApplicable map[int32]string
}

// Estate is a validated workspace made ready for resolution. It holds
// pointers into the workspace it was built from and owns it from then on:
// change it only through the Estate's methods.
type Estate struct {
	Workspace *remit.Workspace
	Controls  []Control
	Offerings []Offering
	Systems   []System
	rules     []remit.DefaultRule

	controlIndex  map[string]int32
	offeringIndex map[string]int32
	systemIndex   map[string]int32
	// users maps an offering index to the systems that use it directly.
	users [][]int32
}

// New builds an Estate from a workspace that has passed remit.Validate and
// from the table of service-model defaults. References that do not resolve
// are an error: New does not repeat validation's friendly messages.
func New(ws *remit.Workspace, defaults *remit.Defaults) (*Estate, error) {
	e := &Estate{
		Workspace:     ws,
		rules:         defaults.Rules,
		controlIndex:  make(map[string]int32),
		offeringIndex: make(map[string]int32),
		systemIndex:   make(map[string]int32, len(ws.Systems)),
	}
	for i := range ws.Catalogues {
		cat := &ws.Catalogues[i]
		for j := range cat.Controls {
			c := &cat.Controls[j]
			ref := remit.ControlRef(cat.ID, c.ID)
			e.controlIndex[ref] = int32(len(e.Controls))
			e.Controls = append(e.Controls, Control{Ref: ref, Catalogue: cat, Control: c, area: e.ruleIndex(c.Area)})
		}
	}
	for i := range ws.Providers {
		p := &ws.Providers[i]
		for j := range p.Offerings {
			o := &p.Offerings[j]
			ref := remit.OfferingRef(p.ID, o.ID)
			e.offeringIndex[ref] = int32(len(e.Offerings))
			e.Offerings = append(e.Offerings, Offering{Ref: ref, Provider: p, Offering: o})
		}
	}
	for i := range e.Offerings {
		if err := e.index(int32(i)); err != nil {
			return nil, err
		}
	}
	if err := e.resolveVia(); err != nil {
		return nil, err
	}
	e.users = make([][]int32, len(e.Offerings))
	for i := range ws.Systems {
		s, err := e.system(&ws.Systems[i])
		if err != nil {
			return nil, err
		}
		e.systemIndex[s.System.ID] = int32(i)
		for _, o := range s.Uses {
			e.users[o] = append(e.users[o], int32(i))
		}
		e.Systems = append(e.Systems, s)
	}
	return e, nil
}

func (e *Estate) ruleIndex(a remit.Area) int {
	for i, r := range e.rules {
		if r.Area == a {
			return i
		}
	}
	return -1
}

// index builds an offering's dense statement table and default classes.
func (e *Estate) index(oi int32) error {
	o := &e.Offerings[oi]
	o.stmt = slices.Repeat([]int32{-1}, len(e.Controls))
	o.stmtClass = make([]class, len(o.Offering.Statements))
	for k, st := range o.Offering.Statements {
		ci, ok := e.controlIndex[st.Control]
		if !ok {
			return fmt.Errorf("offering %s: statement for unknown control %q", o.Ref, st.Control)
		}
		o.stmt[ci] = int32(k)
		o.stmtClass[k] = classOf(st.Class)
	}
	o.defaults = make([]class, len(e.rules))
	for k, r := range e.rules {
		o.defaults[k] = classOf(r.Classes[o.Offering.ServiceModel])
		if o.defaults[k] == clsNone {
			o.defaults[k] = clsOrganisation
		}
	}
	return nil
}

// resolveVia computes every offering's transitive dependencies, nearest first.
func (e *Estate) resolveVia() error {
	for i := range e.Offerings {
		seen := map[int32]bool{int32(i): true}
		queue := []int32{int32(i)}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, dep := range e.Offerings[cur].Offering.DependsOn {
				di, ok := e.offeringIndex[dep]
				if !ok {
					return fmt.Errorf("offering %s: depends on unknown offering %q", e.Offerings[cur].Ref, dep)
				}
				if !seen[di] {
					seen[di] = true
					e.Offerings[i].Via = append(e.Offerings[i].Via, di)
					queue = append(queue, di)
				}
			}
		}
	}
	return nil
}

func (e *Estate) system(s *remit.System) (System, error) {
	out := System{System: s}
	cat := s.Baseline.Catalogue
	ref := func(id string) (int32, error) {
		ci, ok := e.controlIndex[remit.ControlRef(cat, id)]
		if !ok {
			return 0, fmt.Errorf("system %s: baseline control %q is not in catalogue %q", s.ID, id, cat)
		}
		return ci, nil
	}
	if s.Baseline.All {
		for i := range e.Controls {
			if e.Controls[i].Catalogue.ID == cat {
				out.Controls = append(out.Controls, int32(i))
			}
		}
	} else {
		out.Controls = make([]int32, 0, len(s.Baseline.Controls))
		for _, id := range s.Baseline.Controls {
			ci, err := ref(id)
			if err != nil {
				return out, err
			}
			out.Controls = append(out.Controls, ci)
		}
		slices.Sort(out.Controls) // catalogue order
	}
	if len(s.Baseline.NotApplicable) > 0 {
		out.notApplicable = make(map[int32]string, len(s.Baseline.NotApplicable))
		for _, x := range s.Baseline.NotApplicable {
			ci, err := ref(x.Control)
			if err != nil {
				return out, err
			}
			out.notApplicable[ci] = x.Reason
		}
	}
	for _, u := range s.Uses {
		oi, ok := e.offeringIndex[u.Offering]
		if !ok {
			return out, fmt.Errorf("system %s: uses unknown offering %q", s.ID, u.Offering)
		}
		out.Uses = append(out.Uses, oi)
	}
	return out, nil
}

// reindexUsers rebuilds which systems use each offering.
func (e *Estate) reindexUsers() {
	users := make([][]int32, len(e.Offerings))
	for i := range e.Systems {
		for _, o := range e.Systems[i].Uses {
			users[o] = append(users[o], int32(i))
		}
	}
	e.users = users
}

// SystemIndex returns the index of the system with the given id.
func (e *Estate) SystemIndex(id string) (int32, bool) {
	i, ok := e.systemIndex[id]
	return i, ok
}

// ControlIndex returns the index of the control catalogue:control.
func (e *Estate) ControlIndex(ref string) (int32, bool) {
	i, ok := e.controlIndex[ref]
	return i, ok
}

// OfferingIndex returns the index of the offering provider/offering.
func (e *Estate) OfferingIndex(ref string) (int32, bool) {
	i, ok := e.offeringIndex[ref]
	return i, ok
}

// Users returns the systems that use an offering directly.
func (e *Estate) Users(offering int32) []int32 { return e.users[offering] }

// NotApplicable returns the reason a system's baseline marks a control as
// not applicable, if it does.
func (e *Estate) NotApplicable(system, control int32) (string, bool) {
	r, ok := e.Systems[system].notApplicable[control]
	return r, ok
}
