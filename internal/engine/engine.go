// Package engine resolves shared responsibility: for every system and every
// control in its baseline it computes the effective class, the contributions
// of each offering with their provenance, and the obligations left to the
// organisation and to each provider. It is pure (no I/O) and built for
// whole-estate scale: ids are interned into dense int32 indexes and the hot
// loop reads slices, not maps.
//
// An Estate, and a Cache of its matrices, never change once built: a change
// (a system put or deleted, a statement set, an offering replaced) returns a
// new value that shares everything it did not touch, so a reader may keep
// the old one as long as it likes and a write costs what it changes.
package engine

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"remit/internal/persist"
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

// Provider is a provider of the estate: its name and its offerings' ids,
// in order. Its offerings themselves are the estate's Offerings.
type Provider struct {
	ID        string
	Name      string
	BuiltIn   bool
	Offerings []string
}

// Offering is one offering of the estate, addressed by its index.
type Offering struct {
	Ref      string // provider/offering
	Provider *Provider
	Offering *remit.Offering
	// Via lists the offerings this one relies on, directly or further down
	// (depends_on, transitively), nearest first.
	Via []int32
	// stmt maps a control index to the index of this offering's statement
	// for it; or to -2-i when it has none but answers through mappings
	// (maps[i]); or -1 when the default applies. One dense table, so the
	// hot loop looks up nothing more for mappings.
	stmt      []int32
	stmtClass []class
	// defaults holds the default class for each area under this offering's
	// service model.
	defaults []class
	// maps are the offering's answers through mappings (see stmt).
	maps []Mapped
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

// Estate is a validated workspace made ready for resolution. It is
// immutable: every value it holds, and every value reachable from them, is
// shared with the Estates derived from it and never changed.
type Estate struct {
	// header is the workspace without its catalogues, providers and systems.
	header     remit.Workspace
	catalogues []remit.Catalogue
	// Controls lists every control of every catalogue. Never change it.
	Controls  []Control
	providers []*Provider
	offerings persist.Vector[Offering]
	systems   persist.Vector[System]
	rules     []remit.DefaultRule

	controlIndex   map[string]int32
	catalogueIndex map[string]int
	providerIndex  map[string]int
	offeringIndex  persist.Map[int32]
	systemIndex    persist.Map[int32]
	// users holds, per offering index, the systems that use it directly.
	users persist.Vector[[]int32]
	// mapsTo holds, per control, the controls mapped to it (both ways
	// round) by the workspace's mappings.
	mapsTo   map[int32][]mapEdge
	mappings []remit.ControlMappings
}

// New builds an Estate from a workspace that has passed remit.Validate and
// from the table of service-model defaults. References that do not resolve
// are an error: New does not repeat validation's friendly messages. The
// Estate keeps pointers into ws: nothing may change ws afterwards.
func New(ws *remit.Workspace, defaults *remit.Defaults) (*Estate, error) {
	e := &Estate{
		header:         ws.Header(),
		catalogues:     ws.Catalogues,
		rules:          defaults.Rules,
		controlIndex:   make(map[string]int32),
		catalogueIndex: make(map[string]int, len(ws.Catalogues)),
		providerIndex:  make(map[string]int, len(ws.Providers)),
	}
	for i := range ws.Catalogues {
		cat := &ws.Catalogues[i]
		e.catalogueIndex[cat.ID] = i
		for j := range cat.Controls {
			c := &cat.Controls[j]
			ref := remit.ControlRef{Catalogue: cat.ID, Control: c.ID}.String()
			e.controlIndex[ref] = int32(len(e.Controls))
			e.Controls = append(e.Controls, Control{Ref: ref, Catalogue: cat, Control: c, area: e.ruleIndex(c.Area)})
		}
	}
	e.mappings = ws.Mappings
	if err := e.indexMappings(ws.Mappings); err != nil {
		return nil, err
	}
	var offerings []Offering
	index := map[string]int32{}
	for i := range ws.Providers {
		p := &ws.Providers[i]
		pr := &Provider{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: make([]string, len(p.Offerings))}
		e.providerIndex[p.ID] = len(e.providers)
		e.providers = append(e.providers, pr)
		for j := range p.Offerings {
			o := &p.Offerings[j]
			pr.Offerings[j] = o.ID
			ref := remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String()
			index[ref] = int32(len(offerings))
			off := Offering{Ref: ref, Provider: pr, Offering: o}
			if err := e.index(&off); err != nil {
				return nil, err
			}
			offerings = append(offerings, off)
		}
	}
	if err := resolveVia(offerings, index); err != nil {
		return nil, err
	}
	e.offerings = persist.VectorOf(offerings)
	e.offeringIndex = persist.MapOf(index)
	users := make([][]int32, len(offerings))
	systems := make([]System, len(ws.Systems))
	sysIndex := make(map[string]int32, len(ws.Systems))
	for i := range ws.Systems {
		s, err := e.system(&ws.Systems[i])
		if err != nil {
			return nil, err
		}
		sysIndex[s.System.ID] = int32(i)
		for _, o := range s.Uses {
			users[o] = append(users[o], int32(i))
		}
		systems[i] = s
	}
	e.systems, e.systemIndex, e.users = persist.VectorOf(systems), persist.MapOf(sysIndex), persist.VectorOf(users)
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
func (e *Estate) index(o *Offering) error {
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
	e.indexMapped(o)
	return nil
}

// resolveVia computes every offering's transitive dependencies, nearest
// first, in place.
func resolveVia(offerings []Offering, index map[string]int32) error {
	for i := range offerings {
		offerings[i].Via = nil
		seen := map[int32]bool{int32(i): true}
		queue := []int32{int32(i)}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, dep := range offerings[cur].Offering.DependsOn {
				di, ok := index[dep]
				if !ok {
					return fmt.Errorf("offering %s: depends on unknown offering %q", offerings[cur].Ref, dep)
				}
				if !seen[di] {
					seen[di] = true
					offerings[i].Via = append(offerings[i].Via, di)
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
		ci, ok := e.controlIndex[remit.ControlRef{Catalogue: cat, Control: id}.String()]
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
		oi, ok := e.offeringIndex.Get(u.Offering)
		if !ok {
			return out, fmt.Errorf("system %s: uses unknown offering %q", s.ID, u.Offering)
		}
		out.Uses = append(out.Uses, oi)
	}
	return out, nil
}

// NumSystems is the number of systems.
func (e *Estate) NumSystems() int { return e.systems.Len() }

// System returns the system at an index (read only).
func (e *Estate) System(si int32) *System { return e.systems.At(int(si)) }

// Systems yields every system with its index, in index order (which is
// not id order: a new system takes the next index, and a deleted one's
// index goes to the last).
func (e *Estate) Systems() iter.Seq2[int32, *System] {
	return func(yield func(int32, *System) bool) {
		for i, s := range e.systems.All() {
			if !yield(int32(i), s) {
				return
			}
		}
	}
}

// NumOfferings is the number of offerings.
func (e *Estate) NumOfferings() int { return e.offerings.Len() }

// Offering returns the offering at an index (read only).
func (e *Estate) Offering(oi int32) *Offering { return e.offerings.At(int(oi)) }

// Offerings yields every offering with its index, in the workspace's order.
func (e *Estate) Offerings() iter.Seq2[int32, *Offering] {
	return func(yield func(int32, *Offering) bool) {
		for i, o := range e.offerings.All() {
			if !yield(int32(i), o) {
				return
			}
		}
	}
}

// Providers lists the providers in the workspace's order (read only).
func (e *Estate) Providers() []*Provider { return e.providers }

// Provider returns the provider with an id.
func (e *Estate) Provider(id string) (*Provider, bool) {
	i, ok := e.providerIndex[id]
	if !ok {
		return nil, false
	}
	return e.providers[i], true
}

// Catalogues lists the catalogues in the workspace's order (read only).
func (e *Estate) Catalogues() []remit.Catalogue { return e.catalogues }

// Catalogue returns the catalogue with an id (read only).
func (e *Estate) Catalogue(id string) (*remit.Catalogue, bool) {
	i, ok := e.catalogueIndex[id]
	if !ok {
		return nil, false
	}
	return &e.catalogues[i], true
}

// Header is the workspace's name, organisation and the built-in content it
// names, without catalogues, providers or systems.
func (e *Estate) Header() remit.Workspace { return e.header }

// Workspace assembles the whole workspace the estate holds: catalogues and
// providers in their order, systems by id. It shares every aggregate with
// the estate: read it, never change it (clone what you mean to edit).
func (e *Estate) Workspace() *remit.Workspace {
	ws := e.header
	ws.Catalogues = e.catalogues
	ws.Mappings = e.mappings
	ws.Providers = make([]remit.Provider, len(e.providers))
	for i, p := range e.providers {
		ws.Providers[i] = remit.Provider{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: make([]remit.Offering, len(p.Offerings))}
		for j, id := range p.Offerings {
			oi, _ := e.offeringIndex.Get(remit.OfferingRef{Provider: p.ID, Offering: id}.String())
			ws.Providers[i].Offerings[j] = *e.Offering(oi).Offering
		}
	}
	ws.Systems = make([]remit.System, 0, e.NumSystems())
	for _, s := range e.Systems() {
		ws.Systems = append(ws.Systems, *s.System)
	}
	slices.SortFunc(ws.Systems, func(a, b remit.System) int { return strings.Compare(a.ID, b.ID) })
	return &ws
}

// SystemIndex returns the index of the system with the given id.
func (e *Estate) SystemIndex(id string) (int32, bool) { return e.systemIndex.Get(id) }

// ControlIndex returns the index of the control catalogue:control.
func (e *Estate) ControlIndex(ref string) (int32, bool) {
	i, ok := e.controlIndex[ref]
	return i, ok
}

// OfferingIndex returns the index of the offering provider/offering.
func (e *Estate) OfferingIndex(ref string) (int32, bool) { return e.offeringIndex.Get(ref) }

// Users returns the systems that use an offering directly (read only).
func (e *Estate) Users(offering int32) []int32 { return *e.users.At(int(offering)) }

// NotApplicable returns the reason a system's baseline marks a control as
// not applicable, if it does.
func (e *Estate) NotApplicable(system, control int32) (string, bool) {
	r, ok := e.System(system).notApplicable[control]
	return r, ok
}

// The estate answers what validating one aggregate asks of the rest
// (remit.Refs), from its indexes, without building anything.

// HasCatalogue reports whether the estate has a catalogue.
func (e *Estate) HasCatalogue(id string) bool { _, ok := e.catalogueIndex[id]; return ok }

// HasControl reports whether a catalogue of the estate has a control.
func (e *Estate) HasControl(catalogue, id string) bool {
	_, ok := e.controlIndex[remit.ControlRef{Catalogue: catalogue, Control: id}.String()]
	return ok
}

// HasOffering reports whether the estate has an offering (provider/offering).
func (e *Estate) HasOffering(ref string) bool { _, ok := e.offeringIndex.Get(ref); return ok }

// DependsOn returns what an offering of the estate depends on directly.
func (e *Estate) DependsOn(ref string) []string {
	oi, ok := e.offeringIndex.Get(ref)
	if !ok {
		return nil
	}
	return e.Offering(oi).Offering.DependsOn
}

// CatalogueIDs lists the catalogues' ids, for suggestions.
func (e *Estate) CatalogueIDs() []string { return slices.Sorted(maps.Keys(e.catalogueIndex)) }

// ControlIDs lists a catalogue's control ids, for suggestions.
func (e *Estate) ControlIDs(catalogue string) []string {
	c, ok := e.Catalogue(catalogue)
	if !ok {
		return nil
	}
	ids := make([]string, len(c.Controls))
	for i, ctl := range c.Controls {
		ids[i] = ctl.ID
	}
	return ids
}

// OfferingRefs lists every offering, for suggestions.
func (e *Estate) OfferingRefs() []string {
	out := make([]string, 0, e.NumOfferings())
	for _, o := range e.Offerings() {
		out = append(out, o.Ref)
	}
	return out
}

// OfferingsOf lists a provider's offerings, in its order (read only).
func (e *Estate) OfferingsOf(p *Provider) []*Offering {
	out := make([]*Offering, 0, len(p.Offerings))
	for _, id := range p.Offerings {
		if oi, ok := e.offeringIndex.Get(remit.OfferingRef{Provider: p.ID, Offering: id}.String()); ok {
			out = append(out, e.Offering(oi))
		}
	}
	return out
}
