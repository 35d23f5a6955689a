package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

const password = "correct horse battery"

// fixture is a server over a real SQLite store holding the example
// estate, with one account per role and a token for each.
type fixture struct {
	t      testing.TB
	store  remit.Store
	svc    *service.Service
	server *httptest.Server
	tokens map[string]string // role name -> bearer token
	dbPath string            // the SQLite file, for tests that tamper with it
	// now is the servers' clock; the test goroutine reads it directly,
	// servers through clock(), and changes go through setNow.
	now     time.Time
	nowLock sync.Mutex
	// logs is what the server logged.
	logs lockedBuffer
}

// lockedBuffer is a buffer safe for a server's goroutines to write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clock is the fixture's time, for the servers.
func (f *fixture) clock() time.Time {
	f.nowLock.Lock()
	defer f.nowLock.Unlock()
	return f.now
}

// setNow moves the fixture's clock.
func (f *fixture) setNow(t time.Time) {
	f.nowLock.Lock()
	defer f.nowLock.Unlock()
	f.now = t
}

var testAccounts = []accounts.User{
	{Email: "viewer@example.gov.uk", Role: remit.RoleViewer},
	{Email: "editor@example.gov.uk", Role: remit.RoleEditor, Teams: []string{"visits-team"}},
	{Email: "other-editor@example.gov.uk", Role: remit.RoleEditor, Teams: []string{"platform-team"}},
	{Email: "assessor@example.gov.uk", Role: remit.RoleAssessor},
	{Email: "risk@example.gov.uk", Role: remit.RoleRiskOwner},
	{Email: "admin@example.gov.uk", Role: remit.RoleAdmin},
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "remit.db")
	s, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ws, err := workspace.Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: s, dbPath: dbPath, tokens: map[string]string{}, now: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	f.svc = f.openService()
	if _, err := f.svc.Import(ctx, testAdmin, ws, false); err != nil {
		t.Fatal(err)
	}
	for _, u := range testAccounts {
		u, err := f.svc.AddUser(ctx, testAdmin, u, password)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := f.svc.CreateToken(ctx, u.Principal(), "tests", u.Role, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[strings.TrimSuffix(u.Email, "@example.gov.uk")] = secret
	}
	f.server = httptest.NewServer(NewServer(Config{Service: f.svc, Log: slog.New(slog.NewTextHandler(&f.logs, nil))}))
	t.Cleanup(f.server.Close)
	return f
}

// testAdmin is who the fixture sets things up as.
var testAdmin = remit.Principal{Email: "test", Role: remit.RoleAdmin}

// openService opens a service over the fixture's store, on its clock.
func (f *fixture) openService() *service.Service {
	f.t.Helper()
	svc, err := service.Open(context.Background(), service.Config{Store: f.store, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), Now: f.clock, CheckMappings: content.CheckMappings(), StandardClauses: content.SecurityAspectsLetter().Clauses})
	if err != nil {
		f.t.Fatal(err)
	}
	return svc
}

// seed writes documents straight into the store, as data already there
// would be, and serves a service built afresh over it (a restart).
func (f *fixture) seed(kind remit.Kind, docs map[string]any) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.store.Write(ctx, func(tx remit.Tx) error {
		for id, v := range docs {
			body, err := json.Marshal(v)
			if err != nil {
				return err
			}
			old, err := tx.FindDocument(ctx, kind, id)
			if err == nil {
				_, err = tx.UpdateDocument(ctx, kind, id, body, old.Version, f.clock())
			} else {
				_, err = tx.CreateDocument(ctx, kind, id, body, f.clock())
			}
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
	f.svc = f.openService()
	f.server.Config.Handler = NewServer(Config{Service: f.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// do sends a request as who ("" for nobody) and returns the status, the
// headers and the body.
func (f *fixture) do(who, method, path string, body any, headers ...string) (int, http.Header, []byte) {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.server.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

const obligationID = "prison-visits/srm:SRM-03/aws/ec2/ours" // visits-team's

var (
	newSystem = map[string]any{"name": "Visits extra", "team": "visits-team",
		"baseline": map[string]any{"catalogue": "srm", "all": true}, "uses": []map[string]any{{"offering": "aws/ec2"}}}
	newCatalogue = map[string]any{"title": "Local", "controls": []map[string]any{{"id": "L-01", "title": "First", "area": "governance"}}}
	newOffering  = map[string]any{"name": "Acme Mail", "service_model": "saas",
		"statements": []map[string]any{{"control": "srm:SRM-01", "class": "inherited", "provider": "Runs the data centres."}}}
)

// currentETag finds the ETag a change to path must quote: that of the
// document the path changes, or "0" when it does not exist yet.
func (f *fixture) currentETag(path string) string {
	f.t.Helper()
	var get string
	switch {
	case strings.HasSuffix(path, "/tracking"):
		get = strings.TrimSuffix(path, "/tracking")
	case strings.HasSuffix(path, "/password-reset"):
		get = strings.TrimSuffix(path, "/password-reset")
	case strings.Contains(path, "/statements/"):
		get = path[:strings.Index(path, "/statements/")]
	case strings.Contains(path, "/uses/"):
		get = path[:strings.Index(path, "/uses/")]
	case strings.Contains(path, "/controls/"):
		get = path[:strings.Index(path, "/controls/")]
	default:
		get = path
	}
	status, h, _ := f.do("admin", "GET", get, nil)
	if status == 404 {
		return `"0"`
	}
	return h.Get("ETag")
}

func esc(id string) string { return url.PathEscape(id) }

// TestRoutesByRole sends every route as every role and as nobody, and
// checks the status: the table is the authorisation contract.
func TestRoutesByRole(t *testing.T) {
	f := newFixture(t)
	roles := []string{"", "viewer", "editor", "other-editor", "assessor", "risk", "admin"}
	type route struct {
		method, path string
		body         any
		headers      []string
		want         []int // one status per role, in the order above
	}
	okAll := []int{401, 200, 200, 200, 200, 200, 200}
	track := map[string]any{"owner": "visits-team", "status": "in-progress"}
	stmt := map[string]any{"class": "shared", "provider": "Patches hosts.", "customer": "Patch guests."}
	// A token of the admin's, which nobody else may revoke.
	admin, err := f.svc.User(context.Background(), "admin@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	adminToken, _, err := f.svc.CreateToken(context.Background(), admin.Principal(), "spare", remit.RoleAdmin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	routes := []route{
		// Signing in needs no credential; one sent along changes nothing.
		{"POST", "/api/v1/session", map[string]any{"email": "viewer@example.gov.uk", "password": password}, nil, []int{200, 200, 200, 200, 200, 200, 200}},
		{"DELETE", "/api/v1/tokens/" + adminToken.ID, nil, nil, []int{401, 403, 403, 403, 403, 403, 204}},
		{"GET", "/api/v1/me", nil, nil, okAll},
		{"GET", "/api/v1/systems", nil, nil, okAll},
		{"GET", "/api/v1/systems/prison-visits", nil, nil, okAll},
		{"GET", "/api/v1/systems/prison-visits/matrix", nil, nil, okAll},
		{"GET", "/api/v1/systems/prison-visits/explain?control=srm:SRM-01", nil, nil, okAll},
		{"GET", "/api/v1/systems/prison-visits/coverage", nil, nil, okAll},
		{"GET", "/api/v1/coverage?provider=casetrack", nil, nil, okAll},
		{"GET", "/api/v1/obligations", nil, nil, okAll},
		{"GET", "/api/v1/obligations/" + esc(obligationID), nil, nil, okAll},
		{"GET", "/api/v1/graph", nil, nil, okAll},
		{"GET", "/api/v1/catalogues", nil, nil, okAll},
		{"GET", "/api/v1/catalogues/srm", nil, nil, okAll},
		{"GET", "/api/v1/providers", nil, nil, okAll},
		{"GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud", nil, nil, okAll},
		{"GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/versions", nil, nil, okAll},
		{"GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/diff?from=1&to=1", nil, nil, okAll},
		{"GET", "/api/v1/audit?limit=5", nil, nil, okAll},
		{"GET", "/api/v1/tokens", nil, nil, okAll},
		// Tokens are made from a session, never with another token.
		{"POST", "/api/v1/tokens", map[string]any{"name": "ci", "role": "viewer", "expires_in_days": 7}, nil, []int{401, 403, 403, 403, 403, 403, 403}},
		// Automated check results: the system's team, assessors, admins.
		{"POST", "/api/v1/systems/prison-visits/checks?format=ocsf", `[{"metadata": {"event_code": "iam_root_mfa_enabled"}, "status_code": "PASS"}]`, []string{"Content-Type", "application/octet-stream"}, []int{401, 403, 201, 403, 201, 403, 201}},
		// The same, routed by account (prison-visits' in examples/justice/checks).
		{"POST", "/api/v1/checks?format=ocsf", `[{"metadata": {"event_code": "iam_root_mfa_enabled"}, "status_code": "PASS", "cloud": {"account": {"uid": "111122223333"}}}]`, []string{"Content-Type", "application/octet-stream"}, []int{401, 403, 201, 403, 201, 403, 201}},
		// A provider's own POA&M: whoever may assess (a dry run: nothing kept).
		{"POST", "/api/v1/providers/aws/offerings/ec2/findings?dry_run=true", `{"plan-of-action-and-milestones": {"uuid": "u", "metadata": {"title": "t"}, "poam-items": [{"uuid": "i", "title": "t", "props": [{"name": "control-id", "value": "SRM-01"}]}]}}`, nil, []int{401, 403, 200, 200, 200, 403, 200}},
		{"GET", "/api/v1/providers/aws/offerings/ec2/findings", nil, nil, okAll},
		{"GET", "/api/v1/findings/export", nil, nil, okAll},
		{"GET", "/api/v1/evidence/export", nil, nil, okAll},
		{"GET", "/api/v1/audit/export?kind=risk", nil, nil, okAll},
		{"GET", "/api/v1/users", nil, nil, []int{401, 403, 403, 403, 403, 403, 200}},
		// One's own account, or an admin's view of any.
		{"GET", "/api/v1/users/viewer@example.gov.uk", nil, nil, []int{401, 200, 403, 403, 403, 403, 200}},
		// Tracking: only the owning team's editors and admins. Each
		// success bumps the version, so the If-Match is read fresh below.
		{"PUT", "/api/v1/obligations/" + esc(obligationID) + "/tracking", track, nil, []int{401, 403, 200, 403, 403, 403, 200}},
		// Models: any editor and admins (models belong to no team).
		{"PUT", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-04", stmt, nil, []int{401, 403, 204, 204, 403, 403, 204}},
		{"DELETE", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-04", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		{"POST", "/api/v1/users", map[string]any{"email": "new@example.gov.uk", "role": "viewer", "password": "a long enough password"}, nil, []int{401, 403, 403, 403, 403, 403, 201}},
		{"PATCH", "/api/v1/users/new@example.gov.uk", map[string]any{"teams": []string{"visits-team"}}, nil, []int{401, 403, 403, 403, 403, 403, 200}},
		{"POST", "/api/v1/users/new@example.gov.uk/password-reset", nil, nil, []int{401, 403, 403, 403, 403, 403, 200}},
		// Systems: editors of the system's team, and admins.
		{"PUT", "/api/v1/systems/visits-extra", newSystem, nil, []int{401, 403, 204, 403, 403, 403, 204}},
		{"PUT", "/api/v1/systems/visits-extra/uses/aws/s3", map[string]any{"purpose": "Files"}, nil, []int{401, 403, 204, 403, 403, 403, 204}},
		// Another team's editor is refused: the system is visits-team's.
		{"DELETE", "/api/v1/systems/visits-extra/uses/aws/s3", nil, nil, []int{401, 403, 204, 403, 403, 403, 404}},
		{"DELETE", "/api/v1/systems/visits-extra", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		// Catalogues, controls, providers and offerings: editors and admins.
		{"PUT", "/api/v1/catalogues/local", newCatalogue, nil, []int{401, 403, 204, 204, 403, 403, 204}},
		{"PUT", "/api/v1/catalogues/local/controls/L-02", map[string]any{"title": "Second", "area": "data"}, nil, []int{401, 403, 204, 204, 403, 403, 204}},
		{"DELETE", "/api/v1/catalogues/local/controls/L-02", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		{"DELETE", "/api/v1/catalogues/local", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		{"GET", "/api/v1/providers/casetrack", nil, nil, okAll},
		{"PUT", "/api/v1/providers/acme", map[string]any{"name": "Acme"}, nil, []int{401, 403, 204, 204, 403, 403, 204}},
		{"PUT", "/api/v1/providers/acme/offerings/mail", newOffering, nil, []int{401, 403, 204, 204, 403, 403, 204}},
		{"DELETE", "/api/v1/providers/acme/offerings/mail", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		{"DELETE", "/api/v1/providers/acme", nil, nil, []int{401, 403, 204, 404, 403, 403, 404}},
		{"DELETE", "/api/v1/session", nil, nil, []int{401, 204, 204, 204, 204, 204, 204}},
	}
	for _, r := range routes {
		for i, who := range roles {
			headers := r.headers
			if r.method == "PUT" || r.method == "DELETE" || r.method == "PATCH" || strings.HasSuffix(r.path, "/password-reset") {
				headers = []string{"If-Match", f.currentETag(r.path)}
			}
			status, _, body := f.do(who, r.method, r.path, r.body, headers...)
			if status != r.want[i] {
				t.Errorf("%s %s as %q: %d, want %d\n%s", r.method, r.path, who, status, r.want[i], body)
			}
		}
	}
}

func TestTrackingConcurrencyAndValidation(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/obligations/" + esc(obligationID) + "/tracking"
	body := map[string]any{"owner": "Jane Example", "status": "in-progress", "due": "2027-01-31"}

	status, _, data := f.do("editor", "PUT", path, body)
	if status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %d, want 428\n%s", status, data)
	}
	status, h, data := f.do("editor", "PUT", path, body, "If-Match", `"0"`)
	if status != 200 || h.Get("ETag") != `"1"` {
		t.Fatalf("first update: %d, ETag %s\n%s", status, h.Get("ETag"), data)
	}
	var got Obligation
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Tracking == nil || *got.Tracking != (remit.Tracking{Owner: "Jane Example", Status: remit.StatusInProgress, Due: "2027-01-31"}) || got.Version != 1 {
		t.Errorf("after the update: %+v", got)
	}
	// Someone else still holding version 0 is refused, and loses nothing.
	status, _, data = f.do("admin", "PUT", path, map[string]any{"status": "implemented"}, "If-Match", `"0"`)
	if status != http.StatusConflict {
		t.Errorf("stale If-Match: %d, want 409\n%s", status, data)
	}
	var problem struct {
		Status int `json:"status"`
		Errors []struct {
			Message, Location string
		} `json:"errors"`
	}
	status, h, data = f.do("editor", "PUT", path, map[string]any{"status": "not-applicable", "due": "31/01/2027"}, "If-Match", `"1"`)
	if err := json.Unmarshal(data, &problem); err != nil || status != 422 || h.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("bad tracking: %d %s %s", status, h.Get("Content-Type"), data)
	}
	want := []string{"body.reason: reason is required when the status is not-applicable: say why the obligation does not apply", `body.due: due "31/01/2027" is not a date: write it as YYYY-MM-DD`}
	var gotProblems []string
	for _, e := range problem.Errors {
		gotProblems = append(gotProblems, e.Location+": "+e.Message)
	}
	if strings.Join(gotProblems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gotProblems, "\n"), strings.Join(want, "\n"))
	}
	// Unknown fields are refused.
	status, _, data = f.do("editor", "PUT", path, `{"status":"implemented","colour":"green"}`, "If-Match", `"1"`)
	if status != 422 || !strings.Contains(string(data), "colour") {
		t.Errorf("unknown field: %d\n%s", status, data)
	}
	// A body over the limit is refused.
	status, _, _ = f.do("editor", "PUT", path, `{"status":"implemented","notes":"`+strings.Repeat("x", 70<<10)+`"}`, "If-Match", `"1"`)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", status)
	}
	// The change is in the audit trail, with who made it.
	status, _, data = f.do("viewer", "GET", "/api/v1/audit?kind=obligation&id="+url.QueryEscape(obligationID), nil)
	var audit struct{ Items []remit.AuditRecord }
	if err := json.Unmarshal(data, &audit); err != nil || status != 200 || len(audit.Items) != 1 || audit.Items[0].Actor != "editor@example.gov.uk" {
		t.Errorf("audit: %d %s", status, data)
	}
	// Filters see the new status.
	_, _, data = f.do("viewer", "GET", "/api/v1/obligations?status=in-progress", nil)
	var list struct{ Items []Obligation }
	if err := json.Unmarshal(data, &list); err != nil || len(list.Items) != 1 || list.Items[0].ID != obligationID {
		t.Errorf("filter by status: %s", data)
	}
}

// TestStatementChangeUpdatesMatrixAndHistory edits a provider statement
// through the API and checks the matrix, the model versions and the diff.
func TestStatementChangeUpdatesMatrixAndHistory(t *testing.T) {
	f := newFixture(t)
	row := func() map[string]any {
		_, _, data := f.do("viewer", "GET", "/api/v1/systems/court-case-tracking/matrix", nil)
		var doc struct{ Rows []map[string]any }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Rows {
			if r["control"] == "srm:SRM-04" {
				return r
			}
		}
		t.Fatal("no SRM-04 row")
		return nil
	}
	if r := row(); r["class"] != "inherited" || r["assumed"] != true {
		t.Fatalf("before: %v %v", r["class"], r["assumed"])
	}
	_, h, _ := f.do("editor", "GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud", nil)
	status, h2, data := f.do("editor", "PUT", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-04",
		map[string]any{"class": "shared", "provider": "CaseTrack patches the application.", "customer": "Apply CaseTrack's client updates on our devices."}, "If-Match", h.Get("ETag"))
	if status != 204 || h2.Get("ETag") == "" {
		t.Fatalf("put statement: %d %s", status, data)
	}
	if r := row(); r["class"] != "shared" || r["assumed"] != false {
		t.Errorf("after: %v %v", r["class"], r["assumed"])
	}
	// The old ETag is stale now.
	status, _, _ = f.do("editor", "PUT", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-04",
		map[string]any{"class": "inherited", "provider": "x"}, "If-Match", h.Get("ETag"))
	if status != http.StatusConflict || h2.Get("ETag") == h.Get("ETag") {
		t.Errorf("stale offering ETag: %d", status)
	}
	// A statement that breaks the rules names the problem.
	status, _, data = f.do("editor", "PUT", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-99",
		map[string]any{"class": "shared", "provider": "x"}, "If-Match", h2.Get("ETag"))
	if status != 422 || !strings.Contains(string(data), `control \"srm:SRM-99\" is not in catalogue \"srm\" (did you mean \"SRM-09\"?)`) || !strings.Contains(string(data), "a shared statement must say what the customer must do") {
		t.Errorf("bad statement: %d %s", status, data)
	}
	_, _, data = f.do("viewer", "GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/versions", nil)
	var versions struct{ Items []remit.OfferingVersion }
	if err := json.Unmarshal(data, &versions); err != nil || len(versions.Items) != 2 || versions.Items[1].Actor != "editor@example.gov.uk" {
		t.Fatalf("versions: %s", data)
	}
	_, _, data = f.do("viewer", "GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/diff?from=1&to=2", nil)
	var diff struct {
		Systems []struct {
			System string
			Cells  []struct {
				Control  string
				OldClass string `json:"old_class"`
				NewClass string `json:"new_class"`
			}
		}
	}
	if err := json.Unmarshal(data, &diff); err != nil || len(diff.Systems) != 1 || diff.Systems[0].System != "court-case-tracking" || len(diff.Systems[0].Cells) != 1 ||
		diff.Systems[0].Cells[0].Control != "srm:SRM-04" || diff.Systems[0].Cells[0].OldClass != "inherited" || diff.Systems[0].Cells[0].NewClass != "shared" {
		t.Errorf("diff: %s", data)
	}
}

func TestSignInSessionsAndRateLimit(t *testing.T) {
	f := newFixture(t)
	status, h, data := f.do("", "POST", "/api/v1/session", map[string]any{"email": "viewer@example.gov.uk", "password": password})
	if status != 200 {
		t.Fatalf("sign in: %d %s", status, data)
	}
	cookie := h.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") || strings.Contains(cookie, "Secure") {
		t.Errorf("cookie on loopback: %s", cookie)
	}
	var session struct{ Token string }
	_ = json.Unmarshal(data, &session)
	f.tokens["session"] = session.Token
	if status, _, _ := f.do("session", "GET", "/api/v1/me", nil); status != 200 {
		t.Errorf("me with the session: %d", status)
	}
	if status, _, _ := f.do("session", "DELETE", "/api/v1/session", nil); status != 204 {
		t.Errorf("sign out: %d", status)
	}
	if status, _, _ := f.do("session", "GET", "/api/v1/me", nil); status != 401 {
		t.Errorf("me after sign-out: %d, want 401", status)
	}
	// Wrong passwords sent all at once are counted before they are checked:
	// no more than five get an answer other than 429.
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Go(func() {
			statuses[i], _, _ = f.do("", "POST", "/api/v1/session", map[string]any{"email": "risk@example.gov.uk", "password": "guess " + strconv.Itoa(i)})
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[401] != 5 || counts[429] != 15 {
		t.Errorf("20 parallel guesses: %v, want 5 x 401 and 15 x 429", counts)
	}
	f.setNow(f.now.Add(16 * time.Minute))
	// Five wrong passwords, then even the right one is refused for a while.
	for i := range 5 {
		if status, _, _ := f.do("", "POST", "/api/v1/session", map[string]any{"email": "admin@example.gov.uk", "password": "wrong password " + string(rune('a'+i))}); status != 401 {
			t.Errorf("wrong password %d: %d, want 401", i, status)
		}
	}
	if status, _, data := f.do("", "POST", "/api/v1/session", map[string]any{"email": "admin@example.gov.uk", "password": password}); status != 429 {
		t.Errorf("after five failures: %d, want 429\n%s", status, data)
	}
	f.setNow(f.now.Add(16 * time.Minute))
	if status, _, _ := f.do("", "POST", "/api/v1/session", map[string]any{"email": "admin@example.gov.uk", "password": password}); status != 200 {
		t.Errorf("after the window: %d, want 200", status)
	}
}

func TestTokens(t *testing.T) {
	f := newFixture(t)
	status, _, data := f.do("", "POST", "/api/v1/session", map[string]any{"email": "editor@example.gov.uk", "password": password})
	var session struct{ Token string }
	if err := json.Unmarshal(data, &session); err != nil || status != 200 {
		t.Fatalf("sign in: %d %s", status, data)
	}
	f.tokens["editor-session"] = session.Token
	if status, _, data := f.do("editor", "POST", "/api/v1/tokens", map[string]any{"name": "pipeline", "role": "viewer", "expires_in_days": 30}); status != 403 || !strings.Contains(string(data), "created from a signed-in session") {
		t.Errorf("a token making a token: %d %s", status, data)
	}
	status, _, data = f.do("editor-session", "POST", "/api/v1/tokens", map[string]any{"name": "pipeline", "role": "admin", "expires_in_days": 30})
	if status != 422 || !strings.Contains(string(data), "a token carries at most its user's role") {
		t.Errorf("token above the user's role: %d %s", status, data)
	}
	status, _, data = f.do("editor-session", "POST", "/api/v1/tokens", map[string]any{"name": "pipeline", "role": "viewer", "expires_in_days": 30})
	var created struct {
		Token  accounts.Token
		Secret string
	}
	if err := json.Unmarshal(data, &created); err != nil || status != 201 || !strings.HasPrefix(created.Secret, "remit_") || strings.Contains(string(data), `"hash"`) {
		t.Fatalf("create token: %d %s", status, data)
	}
	f.tokens["pipeline"] = created.Secret
	// Lists never show a hash of a password or a token.
	_, _, list := f.do("pipeline", "GET", "/api/v1/tokens", nil)
	_, _, users := f.do("admin", "GET", "/api/v1/users", nil)
	if !strings.Contains(string(list), created.Token.ID) || strings.Contains(string(list), `"hash"`) ||
		!strings.Contains(string(users), "editor@example.gov.uk") || strings.Contains(string(users), "password_hash") || strings.Contains(string(users), "argon2") {
		t.Errorf("lists show secrets or miss items:\n%s\n%s", list, users)
	}
	if status, _, _ := f.do("pipeline", "GET", "/api/v1/systems", nil); status != 200 {
		t.Errorf("reading with the token: %d", status)
	}
	// A viewer token cannot write, though its user could.
	_, h, _ := f.do("editor", "GET", "/api/v1/obligations/"+esc(obligationID), nil)
	if status, _, _ := f.do("pipeline", "PUT", "/api/v1/obligations/"+esc(obligationID)+"/tracking", map[string]any{"status": "implemented"}, "If-Match", h.Get("ETag")); status != 403 {
		t.Errorf("viewer token writing: %d, want 403", status)
	}
	if status, _, _ := f.do("other-editor", "DELETE", "/api/v1/tokens/"+created.Token.ID, nil); status != 403 {
		t.Errorf("someone else revoking: %d, want 403", status)
	}
	if status, _, _ := f.do("editor", "DELETE", "/api/v1/tokens/"+created.Token.ID, nil); status != 204 {
		t.Errorf("revoke: %d", status)
	}
	if status, _, _ := f.do("pipeline", "GET", "/api/v1/systems", nil); status != 401 {
		t.Errorf("revoked token: %d, want 401", status)
	}
	f.setNow(f.now.Add(25 * time.Hour))
	if status, _, _ := f.do("viewer", "GET", "/api/v1/systems", nil); status != 401 {
		t.Errorf("expired token: %d, want 401", status)
	}
}

func TestListsPaginateAndHealth(t *testing.T) {
	f := newFixture(t)
	var ids []string
	cursor := ""
	for range 10 {
		_, _, data := f.do("viewer", "GET", "/api/v1/systems?limit=3&sort=name&cursor="+cursor, nil)
		var page struct {
			Items      []SystemSummary
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Items {
			ids = append(ids, s.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(ids) != 8 {
		t.Errorf("paged through %d systems, want 8: %v", len(ids), ids)
	}
	// The audit trail pages by sequence number.
	_, _, data := f.do("viewer", "GET", "/api/v1/audit?limit=5", nil)
	var audit struct {
		Items      []remit.AuditRecord
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(data, &audit); err != nil || len(audit.Items) != 5 || audit.NextCursor != "5" {
		t.Fatalf("first audit page: %.300s", data)
	}
	_, _, data = f.do("viewer", "GET", "/api/v1/audit?limit=5&cursor="+audit.NextCursor, nil)
	if err := json.Unmarshal(data, &audit); err != nil || len(audit.Items) != 5 || audit.Items[0].Seq != 6 {
		t.Errorf("second audit page: %.300s", data)
	}
	// Catalogues sort by title on request.
	_, _, data = f.do("viewer", "GET", "/api/v1/catalogues?sort=title", nil)
	var cats struct{ Items []CatalogueSummary }
	if err := json.Unmarshal(data, &cats); err != nil || len(cats.Items) != 4 || !slices.IsSortedFunc(cats.Items, func(a, b CatalogueSummary) int { return strings.Compare(a.Title, b.Title) }) {
		t.Errorf("catalogues by title: %s", data)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/systems?cursor=nonsense!", nil); status != 400 {
		t.Errorf("bad cursor: %d %s", status, data)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/systems?colour=blue", nil); status != 422 {
		t.Errorf("unknown query parameter: %d %s", status, data)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"} {
		status, h, data := f.do("", "GET", p, nil)
		if status != 200 || h.Get("X-Request-ID") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, headers %v", p, status, h)
		}
		if p == "/api/v1/openapi.json" && !strings.Contains(string(data), `"openapi":"3.1.0"`) {
			t.Errorf("openapi: %.200s", data)
		}
		if p == "/metrics" && !strings.Contains(string(data), "remit_http_request_duration_seconds") {
			t.Errorf("metrics lack the request histogram")
		}
	}
}

// TestTwoServersOneDatabase changes an obligation through one server and
// sees it through another on the same database once it refreshes.
func TestTwoServersOneDatabase(t *testing.T) {
	f := newFixture(t)
	other := f.openService()
	b := httptest.NewServer(NewServer(Config{Service: other, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer b.Close()
	status, _, data := f.do("editor", "PUT", "/api/v1/obligations/"+esc(obligationID)+"/tracking", map[string]any{"status": "implemented"}, "If-Match", `"0"`)
	if status != 200 {
		t.Fatalf("update through A: %d %s", status, data)
	}
	n, err := other.Refresh(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("refresh: %d, %v", n, err)
	}
	// A refreshes too, and sees its own change once, not twice.
	if _, err := f.svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, h, _ := f.do("viewer", "GET", "/api/v1/obligations/"+esc(obligationID), nil)
	if h.Get("ETag") != `"1"` {
		t.Errorf("A's ETag after refreshing its own change: %s, want \"1\"", h.Get("ETag"))
	}
	f.server.URL, b.URL = b.URL, f.server.URL // send the next requests to B
	_, h, data = f.do("viewer", "GET", "/api/v1/obligations/"+esc(obligationID), nil)
	if h.Get("ETag") != `"1"` || !strings.Contains(string(data), `"status":"implemented"`) {
		t.Errorf("B sees %s %s", h.Get("ETag"), data)
	}
	if status, _, data := f.do("editor", "PUT", "/api/v1/obligations/"+esc(obligationID)+"/tracking", map[string]any{"status": "in-progress"}, "If-Match", h.Get("ETag")); status != 200 {
		t.Errorf("B updating with the ETag it gave: %d %s", status, data)
	}
}

// TestWorkspaceChanges creates, changes and deletes through the API and
// checks validation, team rules and what the matrix shows.
func TestWorkspaceChanges(t *testing.T) {
	f := newFixture(t)
	put := func(who, path string, body any) (int, string) {
		status, _, data := f.do(who, "PUT", path, body, "If-Match", f.currentETag(path))
		return status, string(data)
	}
	// A system that uses an offering nobody sells is refused, naming where.
	bad := map[string]any{"name": "X", "team": "visits-team", "baseline": map[string]any{"catalogue": "srm", "all": true}, "uses": []map[string]any{{"offering": "aws/ec3"}}}
	status, data := put("editor", "/api/v1/systems/x", bad)
	if status != 422 || !strings.Contains(data, `"message":"system x: offering \"aws/ec3\" is not a known offering: write provider/offering (did you mean \"aws/ec2\"?)","location":"body.uses.0.offering"`) {
		t.Errorf("bad system: %d %s", status, data)
	}
	// An editor cannot put a system in someone else's team.
	other := map[string]any{"name": "X", "team": "platform-team", "baseline": map[string]any{"catalogue": "srm", "all": true}}
	if status, data := put("editor", "/api/v1/systems/x", other); status != 403 {
		t.Errorf("system for another team: %d %s", status, data)
	}
	// Deleting an offering that systems use is refused and names them.
	status, _, body := f.do("admin", "DELETE", "/api/v1/providers/aws/offerings/lambda", nil, "If-Match", f.currentETag("/api/v1/providers/aws/offerings/lambda"))
	if status != 422 || !strings.Contains(string(body), `system hearing-transcription: offering \"aws/lambda\" is not a known offering`) {
		t.Errorf("delete a used offering: %d %s", status, body)
	}
	// Attaching an offering changes the matrix.
	if status, data := put("editor", "/api/v1/systems/prison-visits/uses/github/enterprise-cloud", map[string]any{"purpose": "Code"}); status != 204 {
		t.Fatalf("attach: %d %s", status, data)
	}
	_, _, body = f.do("viewer", "GET", "/api/v1/systems/prison-visits/explain?control=srm:SRM-01", nil)
	if !strings.Contains(string(body), "github/enterprise-cloud relies on microsoft/azure-virtual-machines (Microsoft, a fourth party)") {
		t.Errorf("explain after attaching: %s", body)
	}
	// A stale ETag is refused even when the body changes nothing.
	_, _, body = f.do("viewer", "GET", "/api/v1/systems/prison-visits", nil)
	var current SystemSummary
	_ = json.Unmarshal(body, &current)
	same := remit.System{ID: current.ID, Name: current.Name, Owner: current.Owner, Team: current.Team, Classification: current.Classification, Baseline: current.Baseline, Uses: current.Uses}
	if status, _, data := f.do("editor", "PUT", "/api/v1/systems/prison-visits", same, "If-Match", `"999"`); status != 409 {
		t.Errorf("stale ETag: %d %s", status, data)
	}
	// Another team's editor may not delete the system.
	if status, _, _ := f.do("other-editor", "DELETE", "/api/v1/systems/prison-visits", nil, "If-Match", f.currentETag("/api/v1/systems/prison-visits")); status != 403 {
		t.Errorf("another team's editor deleting: %d, want 403", status)
	}
	// Editing a built-in model makes it the workspace's own, so it is kept.
	status, data = put("editor", "/api/v1/providers/aws/offerings/ec2/statements/srm:SRM-24", map[string]any{"class": "organisation-specific", "customer": "Develop securely."})
	if status != 204 {
		t.Fatalf("edit a built-in statement: %d %s", status, data)
	}
	ws, err := f.svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	files := workspace.Files(ws)
	if _, ok := files["providers/aws.yaml"]; !ok || strings.Contains(string(files["remit.yaml"]), "aws") {
		t.Errorf("after editing aws: remit.yaml is %q and providers/aws.yaml exists: %v", files["remit.yaml"], ok)
	}
	_, _, body = f.do("viewer", "GET", "/api/v1/systems/prison-visits/explain?control=srm:SRM-24", nil)
	if !strings.Contains(string(body), "Develop securely.") {
		t.Errorf("the edited statement is not in the matrix: %s", body)
	}
	// A control a baseline names cannot be deleted.
	status, _, body = f.do("admin", "DELETE", "/api/v1/catalogues/moj-extra/controls/MOJ-01", nil, "If-Match", f.currentETag("/api/v1/catalogues/moj-extra"))
	if status != 422 || !strings.Contains(string(body), "system hearing-transcription") {
		t.Errorf("delete a used control: %d %s", status, body)
	}
	// And every change is audited.
	_, _, body = f.do("viewer", "GET", "/api/v1/audit?kind=system&id=prison-visits", nil)
	if !strings.Contains(string(body), `"actor":"editor@example.gov.uk"`) {
		t.Errorf("audit of prison-visits: %.300s", body)
	}
}

// TestMatrixEncodings gets one matrix gzipped and plain: the same document,
// which is the documented contract.
func TestMatrixEncodings(t *testing.T) {
	f := newFixture(t)
	_, h, zipped := f.do("viewer", "GET", "/api/v1/systems/prison-visits/matrix", nil, "Accept-Encoding", "gzip")
	if h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", h)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	_, h, plain := f.do("viewer", "GET", "/api/v1/systems/prison-visits/matrix", nil, "Accept-Encoding", "identity")
	if h.Get("Content-Encoding") != "" || !bytes.Equal(unzipped, plain) {
		t.Errorf("gzipped and plain differ: %d and %d bytes", len(unzipped), len(plain))
	}
	want, err := os.ReadFile("../../cmd/remit/testdata/golden/matrix-prison-visits.json")
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(want, &a) != nil || json.Unmarshal(plain, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Error("the API's matrix differs from remit matrix --format json")
	}
}

// seedRisks puts risks in the register as if recorded before the server
// started.
func (f *fixture) seedRisks(risks []remit.Risk) {
	f.t.Helper()
	docs := make(map[string]any, len(risks))
	for _, r := range risks {
		docs[r.ID] = r
	}
	f.seed(service.KindRisk, docs)
}
