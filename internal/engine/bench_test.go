package engine

import (
	"runtime"
	"slices"
	"sync"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/synth"
)

// Generated estates are shared between benchmarks: generating L takes
// longer than resolving it.
var (
	estatesMu sync.Mutex
	estates   = map[string]*remit.Workspace{}
)

func benchEstate(b *testing.B, shape synth.Shape) *Estate {
	b.Helper()
	estatesMu.Lock()
	ws, ok := estates[shape.Name]
	if !ok {
		ws = synth.Estate(shape, 1)
		estates[shape.Name] = ws
	}
	estatesMu.Unlock()
	e, err := New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	return e
}

var shapes = []synth.Shape{synth.S, synth.L}

// BenchmarkNew measures interning a workspace into an estate.
func BenchmarkNew(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			e := benchEstate(b, shape)
			b.ResetTimer()
			for b.Loop() {
				if _, err := New(e.Workspace(), content.Defaults()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatrixAll computes every system's matrix and keeps them all,
// reporting the live heap (estate and matrices) and the memory the process
// took from the system.
func BenchmarkMatrixAll(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			e := benchEstate(b, shape)
			var all []Matrix
			cells := 0
			b.ResetTimer()
			for b.Loop() {
				all = e.Matrices()
			}
			b.StopTimer()
			for i := range all {
				cells += len(all[i].Cells)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(cells), "cells")
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-MB")
			b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
			runtime.KeepAlive(all)
		})
	}
}

// BenchmarkMatrixOne computes one system's matrix (300 controls, 5
// offerings), cycling through the systems.
func BenchmarkMatrixOne(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			e := benchEstate(b, shape)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				m := e.Matrix(int32(i % e.NumSystems()))
				if len(m.Cells) == 0 {
					b.Fatal("empty matrix")
				}
				i++
			}
		})
	}
}

// BenchmarkRecompute changes one statement of one offering and recomputes
// the systems that use it, incrementally, with every matrix warm.
func BenchmarkRecompute(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			e := benchEstate(b, shape)
			c := NewCache(e)
			recomputed := 0
			classes := []remit.Class{remit.Inherited, remit.Shared}
			i := 0
			b.ResetTimer()
			for b.Loop() {
				o := c.Estate.Offering(int32(i % c.Estate.NumOfferings()))
				st := o.Offering.Statements[0]
				st.Class = classes[i%2]
				st.Provider, st.Customer = "Changed.", "Changed too."
				if st.Class == remit.Inherited {
					st.Customer = ""
				}
				next, affected, err := c.SetStatement(o.Ref, st)
				if err != nil {
					b.Fatal(err)
				}
				c = next
				recomputed += len(affected)
				i++
			}
			b.ReportMetric(float64(recomputed)/float64(b.N), "systems/op")
		})
	}
}

// BenchmarkPutSystem replaces one system (a new offering attached) and
// recomputes its matrix, with every other matrix warm.
func BenchmarkPutSystem(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			e := benchEstate(b, shape)
			c := NewCache(e)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				s := *c.Estate.System(int32(i % c.Estate.NumSystems())).System
				s.Uses = append(slices.Clone(s.Uses[:len(s.Uses)-1]), remit.Use{Offering: c.Estate.Offering(int32(i % c.Estate.NumOfferings())).Ref})
				next, err := c.PutSystem(&s)
				if err != nil {
					b.Fatal(err)
				}
				c = next
				i++
			}
		})
	}
}

// BenchmarkMatrixAllMapped computes every system's matrix when every
// baseline control is answered through a mapping: the systems' baselines
// are moved to a second catalogue "tgt", each of whose controls is mapped
// from one of "syn" (the providers' catalogue), alternately equivalent-to
// and subset-of — the worst case for mapped cells (doc/engine.md).
func BenchmarkMatrixAllMapped(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.Name, func(b *testing.B) {
			base := benchEstate(b, shape).Workspace()
			ws := *base
			syn := ws.Catalogues[0]
			tgt := remit.Catalogue{ID: "tgt", Title: "Target", Controls: make([]remit.Control, len(syn.Controls))}
			pairs := make([]remit.ControlPair, len(syn.Controls))
			rename := map[string]string{}
			for i, c := range syn.Controls {
				tc := c
				tc.ID = "T" + c.ID
				tgt.Controls[i] = tc
				rename[c.ID] = tc.ID
				rel := remit.EquivalentTo
				if i%2 == 1 {
					rel = remit.SubsetOf
				}
				pairs[i] = remit.ControlPair{From: c.ID, To: tc.ID, Relationship: rel}
			}
			ws.Catalogues = []remit.Catalogue{syn, tgt}
			ws.Mappings = []remit.ControlMappings{{ID: "syn-tgt", From: "syn", To: "tgt", Pairs: pairs}}
			ws.Systems = slices.Clone(ws.Systems)
			for i := range ws.Systems {
				s := ws.Systems[i]
				s.Baseline.Catalogue = "tgt"
				s.Baseline.Controls = slices.Clone(s.Baseline.Controls)
				for j, c := range s.Baseline.Controls {
					s.Baseline.Controls[j] = rename[c]
				}
				s.Baseline.NotApplicable = slices.Clone(s.Baseline.NotApplicable)
				for j := range s.Baseline.NotApplicable {
					s.Baseline.NotApplicable[j].Control = rename[s.Baseline.NotApplicable[j].Control]
				}
				ws.Systems[i] = s
			}
			e, err := New(&ws, content.Defaults())
			if err != nil {
				b.Fatal(err)
			}
			var all []Matrix
			b.ResetTimer()
			for b.Loop() {
				all = e.Matrices()
			}
			b.StopTimer()
			mapped := 0
			for i := range all {
				mapped += all[i].Summary.Mapped
			}
			if mapped == 0 {
				b.Fatal("no mapped cell")
			}
			b.ReportMetric(float64(mapped), "mapped-cells")
		})
	}
}
