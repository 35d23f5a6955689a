package engine

import (
	"fmt"
	"slices"

	"remit/internal/persist"
	"remit/internal/remit"
)

// Cache holds every system's matrix of an Estate. Like the Estate it is
// immutable: each change returns a new Cache over a new Estate, sharing
// every matrix the change did not recompute. A change to one offering
// recomputes only the systems that use it directly (systems that reach it
// only through depends_on are untouched: fourth parties add nothing to
// anyone's cells); a change to one system recomputes that system alone.
type Cache struct {
	Estate  *Estate
	entries persist.Vector[entry]
	// next is the last stamp given out in this Cache's line.
	next uint64
}

// entry is one system's matrix and its stamp.
type entry struct {
	m     Matrix
	stamp uint64
}

// NewCache computes every system's matrix once.
func NewCache(e *Estate) *Cache {
	entries := make([]entry, e.NumSystems())
	for i := range entries {
		entries[i].m = e.Matrix(int32(i))
	}
	return &Cache{Estate: e, entries: persist.VectorOf(entries)}
}

// Matrix returns the current matrix of one system (read only).
func (c *Cache) Matrix(system int32) *Matrix { return &c.entries.At(int(system)).m }

// Stamp returns a number that changes whenever a system's matrix is
// recomputed (or the system moves to another index). Within the Caches
// derived from one NewCache it never repeats for a system id.
func (c *Cache) Stamp(system int32) uint64 { return c.entries.At(int(system)).stamp }

// derive starts the next Cache: a copy of c over a copy of its Estate,
// for the change to replace what it touches.
func (c *Cache) derive() (*Cache, *Estate) {
	e := *c.Estate
	return &Cache{Estate: &e, entries: c.entries, next: c.next}, &e
}

// recompute computes the matrices of the given systems afresh.
func (c *Cache) recompute(systems []int32) {
	for _, si := range systems {
		c.next++
		c.entries = c.entries.Set(int(si), entry{m: c.Estate.Matrix(si), stamp: c.next})
	}
}

// SetStatement adds or replaces the statement an offering makes for one
// control (st.Control), or removes it when st.Class is empty, and
// recomputes the systems that use the offering. It returns the new Cache
// and those systems. The caller validates st first; SetStatement only
// refuses references it cannot resolve.
func (c *Cache) SetStatement(offering string, st remit.Statement) (*Cache, []int32, error) {
	oi, ok := c.Estate.OfferingIndex(offering)
	if !ok {
		return nil, nil, fmt.Errorf("set statement: offering %q: %w", offering, remit.ErrNotFound)
	}
	if _, ok := c.Estate.ControlIndex(st.Control); !ok {
		return nil, nil, fmt.Errorf("set statement: control %q: %w", st.Control, remit.ErrNotFound)
	}
	o := *c.Estate.Offering(oi).Offering
	o.Statements = slices.Clone(o.Statements)
	if err := o.SetStatement(st); err != nil {
		if st.Class == "" {
			return c, nil, nil // nothing to remove
		}
		return nil, nil, err
	}
	next, err := c.PutOffering(c.Estate.Offering(oi).Provider.ID, &o)
	if err != nil {
		return nil, nil, err
	}
	return next, c.Estate.Users(oi), nil
}

// PutOffering adds an offering to an existing provider, or replaces the
// one with its id, and recomputes the systems that use it. The caller has
// validated o against the estate (its statements' controls and its
// depends_on resolve, without a cycle); o is the Cache's from now on.
func (c *Cache) PutOffering(provider string, o *remit.Offering) (*Cache, error) {
	p, ok := c.Estate.Provider(provider)
	if !ok {
		return nil, fmt.Errorf("put offering: provider %q: %w", provider, remit.ErrNotFound)
	}
	ref := remit.OfferingRef{Provider: provider, Offering: o.ID}.String()
	next, e := c.derive()
	oi, exists := e.offeringIndex.Get(ref)
	off := Offering{Ref: ref, Offering: o, Provider: p}
	if err := e.index(&off); err != nil {
		return nil, err
	}
	var deps []string
	if exists {
		old := e.Offering(oi)
		off.Provider, off.Via, deps = old.Provider, old.Via, old.Offering.DependsOn
		e.offerings = e.offerings.Set(int(oi), off)
	} else {
		oi = int32(e.offerings.Len())
		e.offerings = e.offerings.Append(off)
		e.offeringIndex = e.offeringIndex.Put(ref, oi)
		e.users = e.users.Append(nil)
		np := *p
		np.Offerings = append(slices.Clip(p.Offerings), o.ID)
		e.setProvider(&np)
	}
	if !exists || !slices.Equal(deps, o.DependsOn) {
		if err := e.reresolveVia(); err != nil {
			return nil, err
		}
	}
	next.recompute(e.Users(oi))
	return next, nil
}

// PutProvider renames a provider or changes whether it is built in; its
// offerings stay as they are. A new provider is added with none.
func (c *Cache) PutProvider(id, name string, builtIn bool) *Cache {
	next, e := c.derive()
	np := &Provider{ID: id, Name: name, BuiltIn: builtIn}
	if p, ok := e.Provider(id); ok {
		np.Offerings = p.Offerings
	}
	e.setProvider(np)
	return next
}

// setProvider puts p in place of the provider with its id (or adds it) and
// points the provider's offerings at it.
func (e *Estate) setProvider(p *Provider) {
	providers := slices.Clone(e.providers)
	if i, ok := e.providerIndex[p.ID]; ok {
		providers[i] = p
	} else {
		index := make(map[string]int, len(e.providerIndex)+1)
		for k, v := range e.providerIndex {
			index[k] = v
		}
		index[p.ID] = len(providers)
		providers = append(providers, p)
		e.providerIndex = index
	}
	e.providers = providers
	for _, id := range p.Offerings {
		if oi, ok := e.offeringIndex.Get(remit.OfferingRef{Provider: p.ID, Offering: id}.String()); ok {
			o := *e.Offering(oi)
			o.Provider = p
			e.offerings = e.offerings.Set(int(oi), o)
		}
	}
}

// reresolveVia computes every offering's fourth parties again, after a
// change to what one depends on (which touches the few offerings whose
// Via changes, but must look at every one).
func (e *Estate) reresolveVia() error {
	offerings := make([]Offering, e.NumOfferings())
	index := make(map[string]int32, len(offerings))
	for i, o := range e.Offerings() {
		offerings[i], index[o.Ref] = *o, i
	}
	if err := resolveVia(offerings, index); err != nil {
		return err
	}
	for i := range offerings {
		if !slices.Equal(offerings[i].Via, e.Offering(int32(i)).Via) {
			e.offerings = e.offerings.Set(i, offerings[i])
		}
	}
	return nil
}

// SetHeader changes the workspace's name, organisation and the built-in
// content it names (ws's catalogues, providers and systems are ignored).
func (c *Cache) SetHeader(ws remit.Workspace) *Cache {
	next, e := c.derive()
	e.header = ws.Header()
	return next
}

// PutSystem adds a system or replaces the one with its id, and computes its
// matrix alone. The caller has validated s against the estate; s is the
// Cache's from now on.
func (c *Cache) PutSystem(s *remit.System) (*Cache, error) {
	next, e := c.derive()
	fresh, err := e.system(s)
	if err != nil {
		return nil, err
	}
	si, exists := e.systemIndex.Get(s.ID)
	var old []int32
	if exists {
		old = e.System(si).Uses
		e.systems = e.systems.Set(int(si), fresh)
	} else {
		si = int32(e.systems.Len())
		e.systems = e.systems.Append(fresh)
		e.systemIndex = e.systemIndex.Put(s.ID, si)
		next.entries = next.entries.Append(entry{})
	}
	e.moveUser(si, old, fresh.Uses, si)
	next.recompute([]int32{si})
	return next, nil
}

// DeleteSystem removes a system and its matrix. The last system takes its
// index, so indexes stay dense.
func (c *Cache) DeleteSystem(id string) (*Cache, error) {
	si, ok := c.Estate.SystemIndex(id)
	if !ok {
		return nil, fmt.Errorf("delete system: %q: %w", id, remit.ErrNotFound)
	}
	next, e := c.derive()
	e.moveUser(si, e.System(si).Uses, nil, si)
	e.systemIndex = e.systemIndex.Delete(id)
	last := int32(e.systems.Len() - 1)
	if si != last {
		moved := *e.System(last)
		e.moveUser(last, moved.Uses, moved.Uses, si)
		e.systems = e.systems.Set(int(si), moved)
		e.systemIndex = e.systemIndex.Put(moved.System.ID, si)
		m := next.entries.At(int(last)).m
		m.System = si
		next.next++
		next.entries = next.entries.Set(int(si), entry{m: m, stamp: next.next})
	}
	e.systems, next.entries = e.systems.Pop(), next.entries.Pop()
	return next, nil
}

// moveUser updates which systems use each offering: system from (which
// used the offerings before) no longer uses them, and system to uses the
// offerings after.
func (e *Estate) moveUser(from int32, before, after []int32, to int32) {
	for _, oi := range before {
		if from == to && slices.Contains(after, oi) {
			continue
		}
		e.users = e.users.Set(int(oi), slices.DeleteFunc(slices.Clone(e.Users(oi)), func(s int32) bool { return s == from }))
	}
	for _, oi := range after {
		if from == to && slices.Contains(before, oi) {
			continue
		}
		e.users = e.users.Set(int(oi), append(slices.Clip(e.Users(oi)), to))
	}
}
