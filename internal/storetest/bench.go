package storetest

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/synth"
)

// BenchImport imports a synthetic estate of the given shape into a fresh
// store per iteration, reporting documents per second and the process's
// peak resident memory.
func BenchImport(b *testing.B, shape synth.Shape, open func(b *testing.B) remit.Store) {
	ws := synth.Estate(shape, 1)
	all, err := service.Documents(ws)
	if err != nil {
		b.Fatal(err)
	}
	docs := 0
	for _, byID := range all {
		docs += len(byID)
	}
	admin := remit.Principal{Email: "bench", Role: remit.RoleAdmin}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		runtime.GC()
		b.StartTimer()
		plan, err := service.ImportWorkspace(context.Background(), s, admin, ws, time.Now(), false)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Changes) != docs {
			b.Fatalf("imported %d documents, want %d", len(plan.Changes), docs)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(docs), "docs")
	b.ReportMetric(float64(docs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(PeakRSSMB(), "peak-RSS-MB")
}

// PeakRSSMB is the process's peak resident memory so far (VmHWM), in MB,
// or 0 where /proc does not say.
func PeakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
