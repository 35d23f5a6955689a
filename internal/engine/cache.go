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
}

// NewCache computes every system's matrix once.
func NewCache(e *Estate) *Cache {
	return &Cache{Estate: e, matrices: e.Matrices()}
}

// Matrix returns the current matrix of one system.
func (c *Cache) Matrix(system int32) *Matrix { return &c.matrices[system] }

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
	stmts := &o.Offering.Statements
	switch k := o.stmt[ci]; {
	case st.Class == "" && k >= 0:
		*stmts = slices.Delete(*stmts, int(k), int(k)+1)
		// Statement indexes after k have moved down by one.
		for i := range o.stmt {
			if o.stmt[i] > k {
				o.stmt[i]--
			}
		}
		o.stmt[ci] = -1
		o.stmtClass = slices.Delete(o.stmtClass, int(k), int(k)+1)
	case st.Class == "":
		return nil, nil
	case k >= 0:
		(*stmts)[k] = st
		o.stmtClass[k] = classOf(st.Class)
	default:
		*stmts = append(*stmts, st)
		o.stmt[ci] = int32(len(*stmts) - 1)
		o.stmtClass = append(o.stmtClass, classOf(st.Class))
	}
	affected := e.users[oi]
	for _, s := range affected {
		c.matrices[s] = e.Matrix(s)
	}
	return affected, nil
}
