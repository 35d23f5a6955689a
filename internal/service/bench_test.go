package service_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"remit/internal/memstore"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/synth"
)

// BenchmarkSSP writes the OSCAL SSP of one system of the S estate (300
// controls, its offerings and their parts) from the current snapshot.
func BenchmarkSSP(b *testing.B) {
	ctx := context.Background()
	ws := synth.Estate(synth.S, 1)
	st := memstore.New()
	f := open(b, st, nil, nil)
	if _, err := f.svc.Import(ctx, admin, ws, false); err != nil {
		b.Fatal(err)
	}
	id := ws.Systems[0].ID
	now := f.clock.Now()
	sn := f.svc.Snapshot()
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		doc, err := sn.SSP(id, now)
		if err != nil {
			b.Fatal(err)
		}
		size = len(doc)
	}
	b.StopTimer()
	plan, err := sn.SystemPlan(id, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(plan.Rows)), "controls")
	b.ReportMetric(float64(size)/1024, "KB")
}

// BenchmarkSearch searches the S estate on SQLite: names from the
// snapshot, stored text through FTS5 (300 systems, 150 offerings with
// their statements, 1,200 controls).
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	ws := synth.Estate(synth.S, 1)
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "remit.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	f := open(b, st, nil, nil)
	if _, err := f.svc.Import(ctx, admin, ws, false); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"system 12", "patch"} {
		b.Run(strings.ReplaceAll(q, " ", "-"), func(b *testing.B) {
			var n int
			b.ReportAllocs()
			for range b.N {
				rs, err := f.svc.Search(ctx, viewer, q, 0)
				if err != nil {
					b.Fatal(err)
				}
				n = len(rs)
			}
			b.ReportMetric(float64(n), "results")
		})
	}
}

// BenchmarkMyWork gathers the work of someone in one of the S estate's
// 40 teams (so a fortieth of its systems, every obligation of theirs).
func BenchmarkMyWork(b *testing.B) {
	ctx := context.Background()
	ws := synth.Estate(synth.S, 1)
	f := open(b, memstore.New(), nil, nil)
	if _, err := f.svc.Import(ctx, admin, ws, false); err != nil {
		b.Fatal(err)
	}
	p := remit.Principal{Email: "someone@example.gov.uk", Role: remit.RoleEditor, Teams: []string{"team-0"}}
	sn := f.svc.Snapshot()
	var w service.MyWork
	b.ReportAllocs()
	for range b.N {
		var err error
		if w, err = f.svc.MyWork(ctx, sn, p, f.clock.Now(), 20); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.Teams.Total), "obligations")
}
