package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
	"remit/internal/workspace"
)

// TestComponentDefinitionWhileStatementsChange reads an offering's
// component definition while its statements change. Readers once kept
// what the model handed them while a statement edit wrote into the same
// structures in place: run with -race, this test reported it.
func TestComponentDefinitionWhileStatementsChange(t *testing.T) {
	f := newFixture(t)
	const offering = "/api/v1/providers/casetrack/offerings/casetrack-cloud"
	_, h, _ := f.do("editor", "GET", offering, nil)
	etag := h.Get("ETag")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", f.server.URL+offering+"/component-definition", nil)
				req.Header.Set("Authorization", "Bearer "+f.tokens["viewer"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("component definition: %d %s", resp.StatusCode, body)
					return
				}
			}
		})
	}
	for i := range 30 {
		body := fmt.Sprintf(`{"class":"shared","provider":"Runs the platform (%d).","customer":"Configure it."}`, i)
		status, h, data := f.do("editor", "PUT", offering+"/statements/srm:SRM-0"+fmt.Sprint(1+i%5), body, "If-Match", etag)
		if status != 204 {
			t.Errorf("statement %d: %d %s", i, status, data)
			break
		}
		etag = h.Get("ETag")
	}
	close(stop)
	wg.Wait()
	_, _, data := f.do("viewer", "GET", offering+"/component-definition", nil)
	if !strings.Contains(string(data), "Runs the platform (29).") {
		t.Errorf("the component definition does not show the last statement written")
	}
}

// raceWrite is one change the mixed-traffic test made and the server
// accepted: enough to make it again, in the same order, elsewhere.
type raceWrite struct {
	resource string // what it changed: its version counts these
	method   string
	path     string
	body     string
	ifMatch  string
	version  int // the version it made
}

// raceSystems are the systems the mixed-traffic test edits.
var raceSystems = []string{"race-0", "race-1", "race-2", "race-3"}

const (
	raceOffering   = "/api/v1/providers/casetrack/offerings/casetrack-cloud"
	raceTracking   = "/api/v1/obligations/" + "prison-visits%2Fsrm:SRM-03%2Faws%2Fec2%2Fours"
	raceAttachable = "/uses/github/enterprise-cloud"
)

// setUpRace adds the systems the mixed-traffic test edits.
func setUpRace(f *fixture) {
	f.t.Helper()
	for _, id := range raceSystems {
		body := map[string]any{"name": "Race " + id, "team": "visits-team", "baseline": map[string]any{"catalogue": "srm", "all": true},
			"uses": []map[string]any{{"offering": "aws/ec2"}, {"offering": "casetrack/casetrack-cloud"}}}
		if status, _, data := f.do("admin", "PUT", "/api/v1/systems/"+id, body, "If-Match", `"0"`); status/100 != 2 {
			f.t.Fatalf("create %s: %d %s", id, status, data)
		}
	}
}

// versionOf reads a weak or strong ETag's number.
func versionOf(t testing.TB, etag string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(etag, "W/"), `"`))
	if err != nil {
		t.Fatalf("ETag %q is not a version", etag)
	}
	return n
}

// TestMixedTrafficRace is the black-box race test: readers fetch matrices,
// component definitions, an SSP, the dashboard and obligations while
// writers change statements, systems, their offerings and tracking, all
// over HTTP. Under -race no access may race; every answer is 2xx, or 409
// or 412 for a write that lost to another; each resource's version counts
// exactly the writes that succeeded (none lost); and making the same
// successful writes again, in version order, on a fresh server gives the
// same estate and tracking.
func TestMixedTrafficRace(t *testing.T) {
	f := newFixture(t)
	setUpRace(f)
	duration := 3 * time.Second
	if testing.Short() {
		duration = time.Second
	}
	initial := map[string]int{}
	for _, path := range append([]string{raceOffering, raceTracking}, systemPaths()...) {
		_, h, _ := f.do("admin", "GET", path, nil)
		initial[path] = versionOf(t, h.Get("ETag"))
	}

	client := &http.Client{}
	call := func(method, path, body, ifMatch string) (int, http.Header, []byte, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, f.server.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, data, err
	}

	var (
		mu     sync.Mutex
		writes []raceWrite
		reads  atomic.Int64
		lost   atomic.Int64
	)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	readPaths := []string{
		"/api/v1/systems/race-0/matrix", "/api/v1/systems/race-1/matrix",
		raceOffering + "/component-definition",
		"/api/v1/systems/race-2/ssp",
		"/", "/dashboard",
		"/api/v1/obligations?system=race-3",
		"/api/v1/obligations",
	}
	for g := range 12 {
		wg.Go(func() {
			for i := g; time.Now().Before(deadline); i++ {
				path := readPaths[i%len(readPaths)]
				status, _, data, err := call("GET", path, "", "")
				if err != nil || status != 200 {
					t.Errorf("GET %s: %d %v %.300s", path, status, err, data)
					return
				}
				reads.Add(1)
			}
		})
	}
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := 0; time.Now().Before(deadline); i++ {
				marker := fmt.Sprintf("writer %d, change %d", g, i)
				w, ok := raceChange(t, call, rng, marker)
				if !ok {
					return
				}
				switch {
				case w.version > 0:
					mu.Lock()
					writes = append(writes, w)
					mu.Unlock()
				default:
					lost.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d reads, %d writes made, %d refused as stale", reads.Load(), len(writes), lost.Load())
	if len(writes) == 0 {
		t.Fatal("no write succeeded")
	}

	// Each resource's version counts exactly its successful writes.
	byResource := map[string][]raceWrite{}
	for _, w := range writes {
		byResource[w.resource] = append(byResource[w.resource], w)
	}
	for resource, ws := range byResource {
		_, h, _ := f.do("admin", "GET", resource, nil)
		if got, want := versionOf(t, h.Get("ETag")), initial[resource]+len(ws); got != want {
			t.Errorf("%s is at version %d after %d successful writes from %d: a write was lost or counted twice", resource, got, len(ws), initial[resource])
		}
	}

	// The same writes, made again in version order on a fresh server, give
	// the same estate and tracking.
	again := newFixture(t)
	setUpRace(again)
	for _, ws := range byResource {
		slices.SortFunc(ws, func(a, b raceWrite) int { return a.version - b.version })
		for _, w := range ws {
			status, h, data := again.do("admin", w.method, w.path, w.body, "If-Match", w.ifMatch)
			if status/100 != 2 || versionOf(t, h.Get("ETag")) != w.version {
				t.Fatalf("replaying %s %s: %d, ETag %s, want version %d: %s", w.method, w.path, status, h.Get("ETag"), w.version, data)
			}
		}
	}
	got, err := f.svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, err := again.svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(workspace.Files(want), workspace.Files(got)); diff != "" {
		t.Errorf("the estate differs from the successful writes replayed (-replayed +served):\n%s", diff)
	}
	_, _, a := f.do("admin", "GET", raceTracking, nil)
	_, _, b := again.do("admin", "GET", raceTracking, nil)
	var ta, tb struct{ Tracking *remit.Tracking }
	_ = json.Unmarshal(a, &ta)
	_ = json.Unmarshal(b, &tb)
	if !reflect.DeepEqual(ta.Tracking, tb.Tracking) {
		t.Errorf("tracking %+v, replayed %+v", ta.Tracking, tb.Tracking)
	}
}

func systemPaths() []string {
	var paths []string
	for _, id := range raceSystems {
		paths = append(paths, "/api/v1/systems/"+id)
	}
	return paths
}

// raceChange makes one random change as the mixed-traffic test's writers
// do: read the resource, change it quoting the version read. It returns
// the write with the version made, or version 0 when it was refused as
// stale; ok is false when something went wrong (and the test has failed).
func raceChange(t *testing.T, call func(method, path, body, ifMatch string) (int, http.Header, []byte, error), rng *rand.Rand, marker string) (w raceWrite, ok bool) {
	read := func(path string) (string, []byte, bool) {
		status, h, data, err := call("GET", path, "", "")
		if err != nil || status != 200 {
			t.Errorf("GET %s: %d %v %.300s", path, status, err, data)
			return "", nil, false
		}
		return h.Get("ETag"), data, true
	}
	switch rng.IntN(4) {
	case 0: // a statement
		etag, _, ok := read(raceOffering)
		if !ok {
			return w, false
		}
		control := fmt.Sprintf("srm:SRM-0%d", 1+rng.IntN(5))
		body, _ := json.Marshal(map[string]string{"class": "shared", "provider": "Runs the platform (" + marker + ").", "customer": "Configure it."})
		w = raceWrite{resource: raceOffering, method: "PUT", path: raceOffering + "/statements/" + control, body: string(body), ifMatch: etag}
	case 1: // tracking
		etag, _, ok := read(raceTracking)
		if !ok {
			return w, false
		}
		body, _ := json.Marshal(map[string]string{"owner": marker, "status": "in-progress", "due": "2027-01-31"})
		w = raceWrite{resource: raceTracking, method: "PUT", path: raceTracking + "/tracking", body: string(body), ifMatch: etag}
	default: // a system: rename it, or attach or detach an offering
		path := "/api/v1/systems/" + raceSystems[rng.IntN(len(raceSystems))]
		etag, data, ok := read(path)
		if !ok {
			return w, false
		}
		var sys remit.System
		if err := json.Unmarshal(data, &sys); err != nil {
			t.Errorf("GET %s: %v", path, err)
			return w, false
		}
		attached := slices.ContainsFunc(sys.Uses, func(u remit.Use) bool { return u.Offering == "github/enterprise-cloud" })
		switch {
		case rng.IntN(2) == 0:
			sys.Name = "Race (" + marker + ")"
			body, _ := json.Marshal(sys)
			w = raceWrite{method: "PUT", path: path, body: string(body)}
		case attached:
			w = raceWrite{method: "DELETE", path: path + raceAttachable}
		default:
			w = raceWrite{method: "PUT", path: path + raceAttachable, body: `{"purpose":"` + marker + `"}`}
		}
		w.resource, w.ifMatch = path, etag
	}
	status, h, data, err := call(w.method, w.path, w.body, w.ifMatch)
	switch {
	case err != nil:
		t.Errorf("%s %s: %v", w.method, w.path, err)
		return w, false
	case status == http.StatusConflict || status == http.StatusPreconditionFailed:
		w.version = 0
		return w, true
	case status/100 != 2:
		t.Errorf("%s %s: %d %.300s", w.method, w.path, status, data)
		return w, false
	}
	w.version = versionOf(t, h.Get("ETag"))
	if w.version != versionOf(t, w.ifMatch)+1 {
		t.Errorf("%s %s quoting %s made version %d", w.method, w.path, w.ifMatch, w.version)
	}
	return w, true
}
