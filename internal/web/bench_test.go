package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/storetest"
	"remit/internal/synth"
)

// benchShape is S unless REMIT_BENCH_SHAPE=L (make bench-api).
func benchShape() synth.Shape {
	if os.Getenv("REMIT_BENCH_SHAPE") == "L" {
		return synth.L
	}
	return synth.S
}

type benchServer struct {
	url     string
	token   string
	systems []string
	ours    []string // obligation ids of ours
	// offerings lists every offering as provider/offering.
	offerings []string
	// versions holds each obligation's tracking version across runs.
	versions map[string]int
}

var (
	benchOnce sync.Once
	benchSrv  *benchServer
	benchErr  error
)

// startBench imports the synthetic estate into a SQLite file and serves it
// over real loopback TCP, once per process.
func startBench(b *testing.B) *benchServer {
	benchOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "remit-bench-")
		if err != nil {
			benchErr = err
			return
		}
		s, err := sqlite.Open(ctx, filepath.Join(dir, "remit.db"))
		if err != nil {
			benchErr = err
			return
		}
		ws := synth.Estate(benchShape(), 1)
		admin := remit.Principal{Email: "bench", Role: remit.RoleAdmin}
		if _, err := service.ImportWorkspace(ctx, s, admin, ws, time.Now(), false); err != nil {
			benchErr = err
			return
		}
		svc, err := service.Open(ctx, service.Config{Store: s, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives()})
		if err != nil {
			benchErr = err
			return
		}
		u, err := svc.AddUser(ctx, admin, accounts.User{Email: "bench@example.gov.uk", Role: remit.RoleAdmin, Teams: []string{"team-0"}}, "a long bench password")
		if err != nil {
			benchErr = err
			return
		}
		_, secret, err := svc.CreateToken(ctx, u.Principal(), "bench", remit.RoleAdmin, 24*time.Hour)
		if err != nil {
			benchErr = err
			return
		}
		srv := httptest.NewServer(NewServer(Config{Service: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
		bs := &benchServer{url: srv.URL, token: secret, versions: map[string]int{}}
		for _, sys := range ws.Systems {
			bs.systems = append(bs.systems, sys.ID)
		}
		for _, p := range ws.Providers {
			for _, o := range p.Offerings {
				bs.offerings = append(bs.offerings, remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String())
			}
		}
		first := map[string]bool{}
		for _, x := range ws.Systems[:min(len(ws.Systems), 200)] {
			first[x.ID] = true
		}
		for _, o := range svc.Snapshot().Obligations(func(x *remit.System) bool { return first[x.ID] }, "ours", nil) {
			bs.ours = append(bs.ours, o.ID)
		}
		benchSrv = bs
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSrv
}

// BenchmarkMatrixGet fetches one system's matrix (300 rows) from 50
// concurrent clients and reports the 50th and 99th percentile latency.
func BenchmarkMatrixGet(b *testing.B) {
	bs := startBench(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	const clients = 50
	// Warm the cache of encoded matrices, as a running service's is.
	for _, id := range bs.systems {
		req, _ := http.NewRequest("GET", bs.url+"/api/v1/systems/"+id+"/matrix", nil)
		req.Header.Set("Authorization", "Bearer "+bs.token)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	latencies := make([]time.Duration, 0, b.N)
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int, clients)
	b.ResetTimer()
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for range next {
				req, _ := http.NewRequest("GET", bs.url+"/api/v1/systems/"+bs.systems[rng.IntN(len(bs.systems))]+"/matrix", nil)
				req.Header.Set("Authorization", "Bearer "+bs.token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
				}
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}
		})
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
		b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	}
}

// BenchmarkTrackingUpdate changes obligations' status one after another
// through the API: each is validated, stored with its audit record, and
// applied to the warm model.
func BenchmarkTrackingUpdate(b *testing.B) {
	bs := startBench(b)
	client := &http.Client{}
	versions := bs.versions
	statuses := []string{"in-progress", "implemented"}
	b.ResetTimer()
	for i := range b.N {
		id := bs.ours[i%len(bs.ours)]
		body := fmt.Sprintf(`{"owner":"team-a","status":%q,"due":"2027-03-31"}`, statuses[i%2])
		req, _ := http.NewRequest("PUT", bs.url+"/api/v1/obligations/"+strings.ReplaceAll(id, "/", "%2F")+"/tracking", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+bs.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", fmt.Sprintf(`"%d"`, versions[id]))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("update %s: status %d", id, resp.StatusCode)
		}
		versions[id]++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	b.ReportMetric(storetest.PeakRSSMB(), "peak-RSS-MB")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
