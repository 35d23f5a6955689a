package exports

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/live"
	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/synth"
)

// BenchmarkSSP writes the OSCAL SSP of one system of the S estate (300
// controls, its offerings and their parts), from the live model.
func BenchmarkSSP(b *testing.B) {
	ctx := context.Background()
	ws := synth.Estate(synth.S, 1)
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "remit.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	if _, err := remit.Import(ctx, s, ws, "bench", now, false); err != nil {
		b.Fatal(err)
	}
	m, err := live.Open(ctx, s, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	id := ws.Systems[0].ID
	var size int
	b.ResetTimer()
	for range b.N {
		doc, err := SSP(m, id, now)
		if err != nil {
			b.Fatal(err)
		}
		size = len(doc)
	}
	b.StopTimer()
	plan, _ := m.SystemPlan(id, now)
	b.ReportMetric(float64(len(plan.Rows)), "controls")
	b.ReportMetric(float64(size)/1024, "KB")
}
