package persist

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// vectorOps applies random appends, sets and pops to a Vector and to a
// plain slice, checking after each that they agree and that every
// earlier Vector still holds what it held (nothing published changes).
func TestVectorAgainstSlice(t *testing.T) {
	for _, start := range []int{0, 1, 31, 32, 33, 1023, 1024, 1025, 40000} {
		t.Run(fmt.Sprint(start), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(start), 1))
			ref := make([]int, start)
			for i := range ref {
				ref[i] = i
			}
			v := VectorOf(ref)
			type kept struct {
				v    Vector[int]
				want []int
			}
			var history []kept
			for step := range 3000 {
				switch n := rng.IntN(10); {
				case n < 4:
					v, ref = v.Append(step), append(ref, step)
				case n < 7 && len(ref) > 0:
					i := rng.IntN(len(ref))
					v = v.Set(i, -step)
					ref = slices.Clone(ref)
					ref[i] = -step
				case len(ref) > 0:
					v, ref = v.Pop(), slices.Clone(ref[:len(ref)-1])
				}
				if step%97 == 0 {
					history = append(history, kept{v, slices.Clone(ref)})
				}
				if v.Len() != len(ref) {
					t.Fatalf("step %d: Len %d, want %d", step, v.Len(), len(ref))
				}
				if len(ref) > 0 {
					i := rng.IntN(len(ref))
					if got := *v.At(i); got != ref[i] {
						t.Fatalf("step %d: At(%d) = %d, want %d", step, i, got, ref[i])
					}
				}
			}
			history = append(history, kept{v, ref})
			for _, h := range history {
				if diff := cmp.Diff(h.want, collect(h.v)); diff != "" {
					t.Fatalf("a kept vector changed (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func collect(v Vector[int]) []int {
	out := make([]int, 0, v.Len())
	for i, x := range v.All() {
		if i != len(out) {
			panic("All out of order")
		}
		out = append(out, *x)
	}
	return out
}

func TestMapAgainstMap(t *testing.T) {
	for _, name := range []string{"hashed", "colliding"} {
		t.Run(name, func(t *testing.T) {
			if name == "colliding" {
				// Few distinct hashes: most keys share one, down to the
				// collision lists at the bottom of the trie.
				old := hashOf
				hashOf = func(k string) uint64 { return uint64(len(k) % 3) }
				defer func() { hashOf = old }()
			}
			rng := rand.New(rand.NewPCG(7, 9))
			ref := map[string]int{}
			var m Map[int]
			type kept struct {
				m    Map[int]
				want map[string]int
			}
			var history []kept
			for step := range 5000 {
				k := fmt.Sprintf("k%d", rng.IntN(800))
				if rng.IntN(3) == 0 {
					m = m.Delete(k)
					ref = maps.Clone(ref)
					delete(ref, k)
				} else {
					m = m.Put(k, step)
					ref = maps.Clone(ref)
					ref[k] = step
				}
				if m.Len() != len(ref) {
					t.Fatalf("step %d: Len %d, want %d", step, m.Len(), len(ref))
				}
				probe := fmt.Sprintf("k%d", rng.IntN(800))
				got, ok := m.Get(probe)
				want, wok := ref[probe]
				if ok != wok || got != want {
					t.Fatalf("step %d: Get(%s) = %d, %v; want %d, %v", step, probe, got, ok, want, wok)
				}
				if step%211 == 0 {
					history = append(history, kept{m, ref})
				}
			}
			history = append(history, kept{m, ref})
			for _, h := range history {
				got := maps.Collect(h.m.All())
				if diff := cmp.Diff(h.want, got); diff != "" {
					t.Fatalf("a kept map changed (-want +got):\n%s", diff)
				}
			}
			// Deleting everything leaves an empty map.
			for k := range ref {
				m = m.Delete(k)
			}
			if m.Len() != 0 || m.root != nil {
				t.Fatalf("after deleting every key: Len %d, root %v", m.Len(), m.root)
			}
		})
	}
}

func BenchmarkVectorSet(b *testing.B) {
	for _, n := range []int{300, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			v := VectorOf(make([]int, n))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				v = v.Set(i%n, i)
			}
		})
	}
}

func BenchmarkMapPut(b *testing.B) {
	for _, n := range []int{300, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var m Map[int]
			for i := range n {
				m = m.Put(fmt.Sprint("s", i), i)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m = m.Put(fmt.Sprint("s", i%n), i)
			}
		})
	}
}
