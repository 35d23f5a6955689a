package service_test

import (
	"context"
	"testing"

	"remit/internal/memstore"
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
