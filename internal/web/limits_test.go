package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"remit/internal/oscal"
)

// TestHeavyWorkIsBounded holds the one heavy slot, as a long import
// would: the next heavy request (an export, an import) is answered 503
// with Retry-After at once, a light one (a matrix) is served, and once
// the slot is free the export runs again. With a queue, a heavy request
// waits for the slot instead.
func TestHeavyWorkIsBounded(t *testing.T) {
	f := newFixture(t)
	s := newServer(Config{Service: f.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), HeavySlots: 1, HeavyQueue: -1})
	server := httptest.NewServer(s.handler)
	defer server.Close()
	call := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, server.URL+path, strings.NewReader("Control,Who\n"))
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		req.Header.Set("If-Match", `"0"`)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	const export = "/api/v1/systems/prison-visits/ssp"
	const resolve = "/api/v1/profiles/resolve"
	if resp := call("GET", export); resp.StatusCode != 200 {
		t.Fatalf("export with nothing else running: %d", resp.StatusCode)
	}
	release, ok := s.heavy.acquire(context.Background())
	if !ok {
		t.Fatal("no slot")
	}
	for _, r := range [][2]string{{"GET", export}, {"POST", resolve}, {"POST", "/api/v1/providers/aws/offerings/ec2/import?format=csv&catalogue=srm&map=control=Control,class=Who"}} {
		resp := call(r[0], r[1])
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" {
			t.Errorf("%s %s while the slot is held: %d, Retry-After %q", r[0], r[1], resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if resp := call("GET", "/api/v1/systems/prison-visits/matrix"); resp.StatusCode != 200 {
		t.Errorf("a matrix (light) while the slot is held: %d", resp.StatusCode)
	}
	release()
	if resp := call("GET", export); resp.StatusCode != 200 {
		t.Errorf("export once the slot is free: %d", resp.StatusCode)
	}

	// With room to wait, a request waits for the slot.
	s = newServer(Config{Service: f.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), HeavySlots: 1, HeavyQueue: 1, HeavyWait: 5 * time.Second})
	server = httptest.NewServer(s.handler)
	defer server.Close()
	release, _ = s.heavy.acquire(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); release() }()
	if resp := call("GET", export); resp.StatusCode != 200 {
		t.Errorf("an export that waited for the slot: %d", resp.StatusCode)
	}
}

// TestBodyLimits sends each upload one byte over its limit: 413, naming
// the limit, nothing written.
func TestBodyLimits(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path  string
		limit int
	}{
		{"/api/v1/profiles/resolve", maxOSCAL},
		{"/api/v1/catalogues/big/import", maxOSCAL},
		{"/api/v1/providers/aws/offerings/ec2/import?format=csv&catalogue=srm&map=control=Control,class=Who", maxMatrix},
	}
	for _, c := range cases {
		body := strings.Repeat(" ", c.limit+1)
		status, _, data := f.do("admin", "POST", c.path, body, "If-Match", `"0"`)
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d %.200s", c.path, len(body), status, data)
		}
	}
}

// TestMetricsCardinality sends requests with made-up methods and paths:
// the metrics gain no series for them, only the fixed sets of routes,
// methods and statuses.
func TestMetricsCardinality(t *testing.T) {
	f := newFixture(t)
	series := func() map[string]bool {
		resp, err := http.Get(f.server.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]bool{}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "remit_http_request_duration_seconds_count{") {
				out[line[:strings.LastIndex(line, "}")+1]] = true
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		method := []string{"GET", "POST", fmt.Sprintf("BREW%d", i), "PROPFIND"}[rng.IntN(4)]
		path := fmt.Sprintf("/made-up/%d/%x", i, rng.Uint64())
		if i%3 == 0 {
			path = fmt.Sprintf("/portal/secret-%d", i)
		}
		req, _ := http.NewRequest(method, f.server.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := series()
	for s := range got {
		if strings.Contains(s, "made-up") || strings.Contains(s, "secret-") || strings.Contains(s, "BREW") || strings.Contains(s, "PROPFIND") {
			t.Errorf("a series carries what a request made up: %s", s)
		}
	}
	if len(got) > 12 {
		t.Errorf("300 made-up requests made %d series, want a handful:\n%v", len(got), got)
	}
}

// TestOSCALObjectLimit resolves a profile against a catalog of more
// objects than any real one: refused at once with 422 naming the limit,
// before anything decodes it (it once cost gigabytes).
func TestOSCALObjectLimit(t *testing.T) {
	f := newFixture(t)
	controls := strings.Repeat(`{"id":"c","title":"t"},`, oscal.MaxObjects) + `{"id":"d","title":"t"}`
	body := `{"profile":{"profile":{"imports":[{"href":"c.json","include-all":{}}]}},"catalog":{"catalog":{"controls":[` + controls + `]}}}`
	status, _, data := f.do("viewer", "POST", "/api/v1/profiles/resolve", body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), "more than 150000 JSON objects") {
		t.Errorf("%d %.300s", status, data)
	}
	status, _, data = f.do("admin", "POST", "/api/v1/catalogues/big/import", `{"catalog":{"controls":[`+controls+`]}}`, "If-Match", `"0"`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), "more than 150000 JSON objects") {
		t.Errorf("import: %d %.300s", status, data)
	}
}

// TestClientAddress: X-Forwarded-For names the client only when the peer
// is a trusted proxy, and then the nearest hop that is not one.
func TestClientAddress(t *testing.T) {
	s := &server{Config: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}}}
	for _, c := range []struct {
		peer, xff, want string
	}{
		{"198.51.100.7:5000", "203.0.113.5", "198.51.100.7"},                     // not a proxy: its word is ignored
		{"127.0.0.1:5000", "203.0.113.5", "203.0.113.5"},                         // a trusted proxy
		{"10.1.2.3:5000", "203.0.113.5, 198.51.100.9, 10.9.9.9", "198.51.100.9"}, // spoofed first hop ignored
		{"10.1.2.3:5000", "", "10.1.2.3"},
		{"10.1.2.3:5000", "not-an-address", "10.1.2.3"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

// TestNothingIsCached: API answers (the sign-in's, with its secret, above
// all) and pages are marked no-store; the static assets may be cached.
func TestNothingIsCached(t *testing.T) {
	f := newFixture(t)
	_, h, _ := f.do("", "POST", "/api/v1/session", map[string]any{"email": "viewer@example.gov.uk", "password": password})
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("sign-in: Cache-Control %q", h.Get("Cache-Control"))
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/systems/prison-visits/matrix", "/api/v1/systems/prison-visits", "/systems/prison-visits", "/api/v1/openapi.json"} {
		if _, h, _ := f.do("viewer", "GET", path, nil); !strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
	}
	if status, h, _ := f.do("", "GET", "/assets/remit.css", nil); status != 200 || strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("an asset: %d, Cache-Control %q", status, h.Get("Cache-Control"))
	}
}

// TestStrongValidators: every change quotes the version it read as a
// strong ETag — the risk settings and review cadences too, which once
// ignored If-Match — and a weak one never matches (412).
func TestStrongValidators(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/obligations/" + esc(obligationID) + "/tracking"
	body := map[string]any{"owner": "Jane Example", "status": "in-progress"}
	if status, _, data := f.do("editor", "PUT", path, body, "If-Match", `W/"0"`); status != http.StatusPreconditionFailed || !strings.Contains(string(data), "weak validator") {
		t.Errorf("a weak ETag: %d %s", status, data)
	}
	status, h, data := f.do("admin", "GET", "/api/v1/risks/settings", nil)
	if status != 200 || h.Get("ETag") != `"0"` {
		t.Fatalf("risk settings: %d %s %s", status, h.Get("ETag"), data)
	}
	settings := string(data)
	if status, _, data := f.do("admin", "PUT", "/api/v1/risks/settings", settings); status != http.StatusPreconditionRequired {
		t.Errorf("risk settings without If-Match: %d %s", status, data)
	}
	if status, h, data := f.do("admin", "PUT", "/api/v1/risks/settings", settings, "If-Match", `"0"`); status >= 300 || h.Get("ETag") != `"1"` {
		t.Errorf("risk settings: %d %s %s", status, h.Get("ETag"), data)
	}
	if status, _, data := f.do("admin", "PUT", "/api/v1/risks/settings", settings, "If-Match", `"0"`); status != http.StatusConflict {
		t.Errorf("stale risk settings: %d %s", status, data)
	}
}
