package web

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"remit/internal/remit"
)

// benchPage GETs the pages path gives, one after another (so each
// measures the server's render, not queueing), and reports the median and
// 95th percentile and the gzipped size of the last page.
func benchPage(b *testing.B, path func(rng *rand.Rand) string) {
	bs := startBench(b)
	client := &http.Client{}
	rng := rand.New(rand.NewPCG(1, 2))
	get := func() (time.Duration, int) {
		req, _ := http.NewRequest("GET", bs.url+path(rng), nil)
		req.Header.Set("Authorization", "Bearer "+bs.token)
		req.Header.Set("Accept-Encoding", "gzip")
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", req.URL, resp.StatusCode)
		}
		return time.Since(t0), int(n)
	}
	// The first render is reported on its own (the server counts the
	// dashboard's tallies in the background from its start, so a first
	// dashboard soon after start waits for them). The testing package runs
	// a benchmark more than once: only the very first render counts.
	d, _ := get()
	if _, ok := firstRender[b.Name()]; !ok {
		firstRender[b.Name()] = d
	}
	first := firstRender[b.Name()]
	latencies := make([]time.Duration, 0, b.N)
	size := 0
	b.ResetTimer()
	for range b.N {
		d, n := get()
		latencies = append(latencies, d)
		size = n
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(size)/1024, "gzip-KB")
	b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
}

// BenchmarkSystemPage renders a system's page (300 controls: the matrix
// with an explanation per control and what is still ours with its forms).
func BenchmarkSystemPage(b *testing.B) {
	benchPage(b, func(rng *rand.Rand) string {
		return "/systems/" + startBench(b).systems[rng.IntN(len(startBench(b).systems))]
	})
}

// BenchmarkDashboard renders the dashboard over the whole estate
// (REMIT_BENCH_SHAPE=L for 20,000 systems).
func BenchmarkDashboard(b *testing.B) {
	benchPage(b, func(*rand.Rand) string { return "/dashboard" })
}

// BenchmarkMyWork renders "my work" for someone in team-0, one of the
// synthetic estate's 40 teams (so a fortieth of its systems are theirs).
func BenchmarkMyWork(b *testing.B) {
	benchPage(b, func(*rand.Rand) string { return "/" })
}

// BenchmarkSystemsPage renders the first page of the systems list.
func BenchmarkSystemsPage(b *testing.B) {
	benchPage(b, func(*rand.Rand) string { return "/systems" })
}

// firstRender holds each benchmark's first render in this process.
var firstRender = map[string]time.Duration{}

var linkedAsset = regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`)

// TestPageWeight checks that every page, with everything it links to
// except fonts, transfers at most 300 KB (gzipped as served).
func TestPageWeight(t *testing.T) {
	f := newFixture(t)
	at := f.withEvidence()
	assetSize := map[string]int{}
	for _, pg := range uiPages {
		who := "admin"
		if pg.name == "sign-in" || pg.name == "portal" {
			who = ""
		}
		resp, body := f.page(who, "GET", at(pg.path), nil, "Accept-Encoding", "gzip")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", pg.path, resp.StatusCode)
		}
		total := len(body)
		_, html := f.page(who, "GET", at(pg.path), nil)
		// remit.mjs imports GOV.UK Frontend's script by its plain name.
		for _, m := range append(linkedAsset.FindAllStringSubmatch(html, -1), []string{"", "/assets/govuk-frontend.min.js"}) {
			u := m[1]
			if _, ok := assetSize[u]; !ok {
				resp, data := f.page("", "GET", u, nil, "Accept-Encoding", "gzip")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s links to %s: %d", pg.path, u, resp.StatusCode)
				}
				assetSize[u] = len(data)
			}
			total += assetSize[u]
		}
		t.Logf("%-18s %6.1f KB (page %5.1f KB gzipped)", pg.name, float64(total)/1024, float64(len(body))/1024)
		if total > 300<<10 {
			t.Errorf("%s transfers %d KB, over the 300 KB budget", pg.path, total>>10)
		}
	}
}

// BenchmarkRiskRegister filters and sorts a register of 50,000 risks and
// answers the first page through the API, reporting p50 and p99.
func BenchmarkRiskRegister(b *testing.B) {
	f := newFixture(b)
	rng := rand.New(rand.NewPCG(3, 4))
	cats := []string{"information-security", "supplier", "operational", "legal-regulatory"}
	risks := make([]remit.Risk, 50_000)
	for i := range risks {
		risks[i] = remit.Risk{ID: fmt.Sprintf("ri-%016x", i), Title: fmt.Sprintf("Risk %d", i), Category: cats[rng.IntN(len(cats))], Status: remit.RiskOpen,
			Inherent: remit.Score{Likelihood: 1 + rng.IntN(5), Impact: 1 + rng.IntN(5)}, Residual: remit.Score{Likelihood: 1 + rng.IntN(5), Impact: 1 + rng.IntN(5)}, Review: "2027-01-01"}
	}
	f.seedRisks(risks)
	queries := []string{"?sort=residual", "?category=supplier&above_appetite=true", "?status=open&sort=review", "?sort=title&limit=200"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		status, _, _ := f.do("viewer", "GET", "/api/v1/risks"+queries[i%len(queries)], nil)
		lat = append(lat, time.Since(t0))
		if status != 200 {
			b.Fatalf("status %d", status)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
