package engine

import (
	"fmt"
	"slices"

	"remit/internal/remit"
)

// Cache keeps every system's matrix warm and recomputes incrementally: a
// change to one offering's statements recomputes only the systems that use
// that offering directly. (Systems that reach it only through depends_on
// are untouched: fourth parties add nothing to anyone's cells.)
type Cache struct {
	Estate   *Estate
	matrices []Matrix
	// stamps holds, per system, a number that changes whenever its matrix
	// is recomputed: what is derived from a matrix can be kept until then.
	stamps []uint64
	next   uint64
}

// NewCache computes every system's matrix once.
func NewCache(e *Estate) *Cache {
	return &Cache{Estate: e, matrices: e.Matrices(), stamps: make([]uint64, len(e.Systems))}
}

// Matrix returns the current matrix of one system.
func (c *Cache) Matrix(system int32) *Matrix { return &c.matrices[system] }

// Stamp returns a number that changes whenever a system's matrix is
// recomputed. Within one Cache it never repeats for a system id.
func (c *Cache) Stamp(system int32) uint64 { return c.stamps[system] }

func (c *Cache) stamp() uint64 {
	c.next++
	return c.next
}

// SetStatement adds or replaces the statement an offering makes for one
// control (st.Control), or removes it when st.Class is empty, and
// recomputes the systems that use the offering. It returns those systems.
// The caller validates st first; SetStatement only refuses references it
// cannot resolve.
func (c *Cache) SetStatement(offering string, st remit.Statement) ([]int32, error) {
	e := c.Estate
	oi, ok := e.offeringIndex[offering]
	if !ok {
		return nil, fmt.Errorf("set statement: offering %q: %w", offering, remit.ErrNotFound)
	}
	ci, ok := e.controlIndex[st.Control]
	if !ok {
		return nil, fmt.Errorf("set statement: control %q: %w", st.Control, remit.ErrNotFound)
	}
	o := &e.Offerings[oi]
	// Copy on write: readers may still hold the provider's offerings and
	// their statements (to encode them after releasing a lock), so nothing
	// they can reach is changed in place. The provider gets new offerings,
	// and every offering of the provider is re-pointed at its copy.
	p := o.Provider
	offerings := slices.Clone(p.Offerings)
	j := slices.IndexFunc(offerings, func(x remit.Offering) bool { return x.ID == o.Offering.ID })
	stmts := slices.Clone(offerings[j].Statements)
	classes := slices.Clone(o.stmtClass)
	switch k := o.stmt[ci]; {
	case st.Class == "" && k >= 0:
		stmts = slices.Delete(stmts, int(k), int(k)+1)
		classes = slices.Delete(classes, int(k), int(k)+1)
		table := slices.Clone(o.stmt)
		// Statement indexes after k have moved down by one.
		for i := range table {
			if table[i] > k {
				table[i]--
			}
		}
		table[ci] = -1
		o.stmt = table
	case st.Class == "":
		return nil, nil
	case k >= 0:
		stmts[k] = st
		classes[k] = classOf(st.Class)
	default:
		stmts = append(stmts, st)
		classes = append(classes, classOf(st.Class))
		table := slices.Clone(o.stmt)
		table[ci] = int32(len(stmts) - 1)
		o.stmt = table
	}
	offerings[j].Statements = stmts
	o.stmtClass = classes
	p.Offerings = offerings
	for i := range e.Offerings {
		if e.Offerings[i].Provider == p {
			id := e.Offerings[i].Offering.ID
			e.Offerings[i].Offering = &offerings[slices.IndexFunc(offerings, func(x remit.Offering) bool { return x.ID == id })]
		}
	}
	affected := e.users[oi]
	matrices, stamps := slices.Clone(c.matrices), slices.Clone(c.stamps)
	for _, s := range affected {
		matrices[s], stamps[s] = e.Matrix(s), c.stamp()
	}
	c.matrices, c.stamps = matrices, stamps
	return affected, nil
}

// PutSystem adds a system or replaces the one with its id, and computes
// its matrix alone. The caller has validated s against the estate.
// Readers may still hold the old systems, so lists are copied, not
// changed in place.
func (c *Cache) PutSystem(s remit.System) error {
	e := c.Estate
	ws := slices.Clone(e.Workspace.Systems)
	systems := slices.Clone(e.Systems)
	matrices := slices.Clone(c.matrices)
	stamps := slices.Clone(c.stamps)
	i, ok := e.systemIndex[s.ID]
	if ok {
		ws[i] = s
	} else {
		i = int32(len(ws))
		ws = append(ws, s)
		systems = append(systems, System{})
		matrices = append(matrices, Matrix{})
		stamps = append(stamps, 0)
	}
	for j := range systems {
		systems[j].System = &ws[j] // the same systems, in the new list
	}
	fresh, err := e.system(&ws[i])
	if err != nil {
		return err
	}
	systems[i] = fresh
	e.Workspace.Systems, e.Systems = ws, systems
	e.systemIndex[s.ID] = i
	e.reindexUsers()
	matrices[i], stamps[i] = e.Matrix(i), c.stamp()
	c.matrices, c.stamps = matrices, stamps
	return nil
}

// DeleteSystem removes a system and its matrix.
func (c *Cache) DeleteSystem(id string) error {
	e := c.Estate
	i, ok := e.systemIndex[id]
	if !ok {
		return fmt.Errorf("delete system: %q: %w", id, remit.ErrNotFound)
	}
	ws := slices.Delete(slices.Clone(e.Workspace.Systems), int(i), int(i)+1)
	systems := slices.Delete(slices.Clone(e.Systems), int(i), int(i)+1)
	matrices := slices.Delete(slices.Clone(c.matrices), int(i), int(i)+1)
	c.stamps = slices.Delete(slices.Clone(c.stamps), int(i), int(i)+1)
	index := make(map[string]int32, len(ws))
	for j := range systems {
		systems[j].System = &ws[j]
		matrices[j].System = int32(j)
		index[ws[j].ID] = int32(j)
	}
	e.Workspace.Systems, e.Systems, e.systemIndex, c.matrices = ws, systems, index, matrices
	e.reindexUsers()
	return nil
}
