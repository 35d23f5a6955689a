package persist

import (
	"hash/maphash"
	"iter"
	"math/bits"
)

// Map is an immutable map from strings to values: a hash array mapped trie
// of 32-way nodes, so a change copies about log32(n) small nodes. The zero
// Map is empty and ready to use. Iteration order is unspecified.
type Map[V any] struct {
	root *mnode[V]
	n    int
}

// mnode holds, for each of the 32 slots its bitmap marks, an entry or a
// child node. At the deepest level, where the hash has run out, entries
// whose hashes collide share the one node in a list.
type mnode[V any] struct {
	bitmap uint32
	slots  []mslot[V]
}

type mslot[V any] struct {
	key   string
	value V
	hash  uint64
	child *mnode[V] // set for a child; then key, value and hash are unused
}

// seed is the process's hash seed: maps are never persisted, so hashes
// need only agree within one process.
var seed = maphash.MakeSeed()

// hashOf hashes a key; tests replace it to force collisions.
var hashOf = func(k string) uint64 { return maphash.String(seed, k) }

// maxShift is where the 64-bit hash runs out: below it, collisions.
const maxShift = 60

// Len is the number of entries.
func (m Map[V]) Len() int { return m.n }

// Get returns the value under k.
func (m Map[V]) Get(k string) (V, bool) {
	h := hashOf(k)
	nd := m.root
	for shift := uint(0); nd != nil; shift += shiftBits {
		if shift > maxShift {
			for i := range nd.slots {
				if nd.slots[i].key == k {
					return nd.slots[i].value, true
				}
			}
			break
		}
		bit := uint32(1) << ((h >> shift) & mask)
		if nd.bitmap&bit == 0 {
			break
		}
		s := &nd.slots[bits.OnesCount32(nd.bitmap&(bit-1))]
		if s.child == nil {
			if s.hash == h && s.key == k {
				return s.value, true
			}
			break
		}
		nd = s.child
	}
	var zero V
	return zero, false
}

// Put returns a Map with k holding v.
func (m Map[V]) Put(k string, v V) Map[V] {
	added := false
	m.root = put(m.root, 0, hashOf(k), k, v, &added)
	if added {
		m.n++
	}
	return m
}

func put[V any](nd *mnode[V], shift uint, h uint64, k string, v V, added *bool) *mnode[V] {
	if nd == nil {
		nd = &mnode[V]{}
	}
	if shift > maxShift { // a collision list
		cp := &mnode[V]{slots: append([]mslot[V](nil), nd.slots...)}
		for i := range cp.slots {
			if cp.slots[i].key == k {
				cp.slots[i].value = v
				return cp
			}
		}
		*added = true
		cp.slots = append(cp.slots, mslot[V]{key: k, value: v, hash: h})
		return cp
	}
	bit := uint32(1) << ((h >> shift) & mask)
	i := bits.OnesCount32(nd.bitmap & (bit - 1))
	cp := &mnode[V]{bitmap: nd.bitmap}
	if nd.bitmap&bit == 0 {
		*added = true
		cp.bitmap |= bit
		cp.slots = make([]mslot[V], len(nd.slots)+1)
		copy(cp.slots, nd.slots[:i])
		cp.slots[i] = mslot[V]{key: k, value: v, hash: h}
		copy(cp.slots[i+1:], nd.slots[i:])
		return cp
	}
	cp.slots = append([]mslot[V](nil), nd.slots...)
	s := &cp.slots[i]
	switch {
	case s.child != nil:
		s.child = put(s.child, shift+shiftBits, h, k, v, added)
	case s.hash == h && s.key == k:
		s.value = v
	default: // another key here: push both a level down
		child := put(nil, shift+shiftBits, s.hash, s.key, s.value, new(bool))
		*s = mslot[V]{child: put(child, shift+shiftBits, h, k, v, added)}
	}
	return cp
}

// Delete returns a Map without k (m itself when k is absent).
func (m Map[V]) Delete(k string) Map[V] {
	root, removed := del(m.root, 0, hashOf(k), k)
	if !removed {
		return m
	}
	return Map[V]{root: root, n: m.n - 1}
}

// del removes k below nd, returning the new node (nil when empty).
func del[V any](nd *mnode[V], shift uint, h uint64, k string) (*mnode[V], bool) {
	if nd == nil {
		return nil, false
	}
	if shift > maxShift {
		for i := range nd.slots {
			if nd.slots[i].key == k {
				if len(nd.slots) == 1 {
					return nil, true
				}
				cp := &mnode[V]{slots: make([]mslot[V], 0, len(nd.slots)-1)}
				cp.slots = append(append(cp.slots, nd.slots[:i]...), nd.slots[i+1:]...)
				return cp, true
			}
		}
		return nd, false
	}
	bit := uint32(1) << ((h >> shift) & mask)
	if nd.bitmap&bit == 0 {
		return nd, false
	}
	i := bits.OnesCount32(nd.bitmap & (bit - 1))
	s := nd.slots[i]
	var child *mnode[V]
	if s.child != nil {
		var removed bool
		if child, removed = del(s.child, shift+shiftBits, h, k); !removed {
			return nd, false
		}
	} else if s.hash != h || s.key != k {
		return nd, false
	}
	cp := &mnode[V]{bitmap: nd.bitmap, slots: append([]mslot[V](nil), nd.slots...)}
	switch {
	case child != nil && len(child.slots) == 1 && child.slots[0].child == nil:
		cp.slots[i] = child.slots[0] // a lone entry moves up
	case child != nil:
		cp.slots[i] = mslot[V]{child: child}
	default:
		cp.bitmap &^= bit
		cp.slots = append(cp.slots[:i], cp.slots[i+1:]...)
		if len(cp.slots) == 0 {
			return nil, true
		}
	}
	return cp, true
}

// All yields every key and value, in no particular order.
func (m Map[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		if m.root != nil {
			walkMap(m.root, yield)
		}
	}
}

func walkMap[V any](nd *mnode[V], yield func(string, V) bool) bool {
	for i := range nd.slots {
		s := &nd.slots[i]
		if s.child != nil {
			if !walkMap(s.child, yield) {
				return false
			}
		} else if !yield(s.key, s.value) {
			return false
		}
	}
	return true
}

// MapOf builds a Map holding every entry of xs.
func MapOf[V any](xs map[string]V) Map[V] {
	var m Map[V]
	for k, v := range xs {
		m = m.Put(k, v)
	}
	return m
}
