// Package persist holds persistent collections: values that are never
// changed once built, whose "changes" return a new value sharing all that
// did not change with the old. A reader may keep one as long as it likes
// while writers derive the next; a change copies only the path to what it
// touches (a few hundred bytes), whatever the size of the collection.
//
// Remit's service publishes each state of the estate as such a value, so
// that a write costs what it changes and readers never see a change half
// made. The package depends on the standard library alone.
package persist

import "iter"

// shiftBits is log2 of a node's width: nodes hold 32 children or items.
const (
	shiftBits = 5
	width     = 1 << shiftBits
	mask      = width - 1
)

// Vector is an immutable sequence of values addressed by index. The zero
// Vector is empty and ready to use.
type Vector[T any] struct {
	root  *vnode[T]
	shift uint // bits of index consumed above the leaves
	n     int
}

// vnode is an interior node (kids) or a leaf (items); never changed once
// a Vector holding it is returned.
type vnode[T any] struct {
	kids  []*vnode[T]
	items []T
}

// VectorOf builds a Vector holding xs, in order. It copies xs.
func VectorOf[T any](xs []T) Vector[T] {
	var v Vector[T]
	if len(xs) == 0 {
		return v
	}
	// Leaves first, then each level above them, until one node remains.
	level := make([]*vnode[T], 0, (len(xs)+mask)/width)
	for i := 0; i < len(xs); i += width {
		level = append(level, &vnode[T]{items: append([]T(nil), xs[i:min(i+width, len(xs))]...)})
	}
	shift := uint(0)
	for len(level) > 1 {
		up := make([]*vnode[T], 0, (len(level)+mask)/width)
		for i := 0; i < len(level); i += width {
			up = append(up, &vnode[T]{kids: append([]*vnode[T](nil), level[i:min(i+width, len(level))]...)})
		}
		level, shift = up, shift+shiftBits
	}
	return Vector[T]{root: level[0], shift: shift, n: len(xs)}
}

// Len is the number of values.
func (v Vector[T]) Len() int { return v.n }

// At returns a pointer to the value at index i, which must be in range.
// The value is shared with every Vector derived from v: read it, never
// write through the pointer.
func (v Vector[T]) At(i int) *T {
	if i < 0 || i >= v.n {
		panic("persist: index out of range")
	}
	nd := v.root
	for shift := v.shift; shift > 0; shift -= shiftBits {
		nd = nd.kids[(i>>shift)&mask]
	}
	return &nd.items[i&mask]
}

// Set returns a Vector with the value at index i (in range) replaced by x.
func (v Vector[T]) Set(i int, x T) Vector[T] {
	if i < 0 || i >= v.n {
		panic("persist: index out of range")
	}
	v.root = set(v.root, v.shift, i, x)
	return v
}

func set[T any](nd *vnode[T], shift uint, i int, x T) *vnode[T] {
	cp := &vnode[T]{}
	if shift == 0 {
		cp.items = append([]T(nil), nd.items...)
		cp.items[i&mask] = x
		return cp
	}
	cp.kids = append([]*vnode[T](nil), nd.kids...)
	k := (i >> shift) & mask
	cp.kids[k] = set(nd.kids[k], shift-shiftBits, i, x)
	return cp
}

// Append returns a Vector with x added at the end.
func (v Vector[T]) Append(x T) Vector[T] {
	if v.root == nil {
		return Vector[T]{root: &vnode[T]{items: []T{x}}, n: 1}
	}
	if v.n == width<<v.shift { // full: grow a level
		v.root = &vnode[T]{kids: []*vnode[T]{v.root, path[T](v.shift, x)}}
		v.shift += shiftBits
	} else {
		v.root = appendAt(v.root, v.shift, v.n, x)
	}
	v.n++
	return v
}

// path builds a new branch of the given height holding x alone.
func path[T any](shift uint, x T) *vnode[T] {
	if shift == 0 {
		return &vnode[T]{items: []T{x}}
	}
	return &vnode[T]{kids: []*vnode[T]{path[T](shift-shiftBits, x)}}
}

func appendAt[T any](nd *vnode[T], shift uint, i int, x T) *vnode[T] {
	cp := &vnode[T]{}
	if shift == 0 {
		cp.items = append(append(make([]T, 0, len(nd.items)+1), nd.items...), x)
		return cp
	}
	k := (i >> shift) & mask
	cp.kids = append(make([]*vnode[T], 0, k+1), nd.kids...)
	if k < len(nd.kids) {
		cp.kids[k] = appendAt(nd.kids[k], shift-shiftBits, i, x)
	} else {
		cp.kids = append(cp.kids, path[T](shift-shiftBits, x))
	}
	return cp
}

// Pop returns a Vector without its last value; v must not be empty.
func (v Vector[T]) Pop() Vector[T] {
	if v.n == 0 {
		panic("persist: pop of an empty vector")
	}
	if v.n == 1 {
		return Vector[T]{}
	}
	v.root = pop(v.root, v.shift, v.n-1)
	v.n--
	// Drop a root left with a single child.
	for v.shift > 0 && len(v.root.kids) == 1 {
		v.root, v.shift = v.root.kids[0], v.shift-shiftBits
	}
	return v
}

// pop removes index i, the last, below nd; it returns nil when nothing is
// left of nd.
func pop[T any](nd *vnode[T], shift uint, i int) *vnode[T] {
	if shift == 0 {
		if i&mask == 0 {
			return nil
		}
		return &vnode[T]{items: append([]T(nil), nd.items[:i&mask]...)}
	}
	k := (i >> shift) & mask
	child := pop(nd.kids[k], shift-shiftBits, i)
	if child == nil && k == 0 {
		return nil
	}
	cp := &vnode[T]{kids: append([]*vnode[T](nil), nd.kids[:k+1]...)}
	if child == nil {
		cp.kids = cp.kids[:k]
	} else {
		cp.kids[k] = child
	}
	return cp
}

// All yields every index and a pointer to its value, in order (read only,
// as with At).
func (v Vector[T]) All() iter.Seq2[int, *T] {
	return func(yield func(int, *T) bool) {
		if v.root != nil {
			walk(v.root, v.shift, 0, yield)
		}
	}
}

func walk[T any](nd *vnode[T], shift uint, base int, yield func(int, *T) bool) bool {
	if shift == 0 {
		for j := range nd.items {
			if !yield(base+j, &nd.items[j]) {
				return false
			}
		}
		return true
	}
	for k, kid := range nd.kids {
		if !walk(kid, shift-shiftBits, base+k<<shift, yield) {
			return false
		}
	}
	return true
}
