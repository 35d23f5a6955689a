package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"remit/internal/remit"
)

// TestChecksAPI: POST /api/v1/systems/{id}/checks takes a results file as
// the tool wrote it, plain or gzipped, keeps the run and answers it; a
// file that is not its format is 422 naming where, an unknown encoding
// 415, another team's editor 403, a viewer 403.
func TestChecksAPI(t *testing.T) {
	f := newFixture(t)
	sarif, err := os.ReadFile("../checks/testdata/checkov.sarif")
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(sarif)
	zw.Close()
	for _, c := range []struct {
		who, query string
		body       []byte
		headers    []string
		status     int
		want       string
	}{
		{"editor", "?format=sarif", sarif, nil, 201, `"verdicts":[{"system":"prison-visits","control":"srm:SRM-09","failed":true`},
		{"editor", "?format=sarif", zipped.Bytes(), []string{"Content-Encoding", "gzip"}, 201, `"tool":"Checkov"`},
		{"editor", "?format=junit", sarif, nil, 422, `{"message":"there is no <testsuites> or <testsuite>","location":"body"}`},
		{"editor", "?format=sarif", []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"ruleId": "r", "level": "fatal"}]}]}`), nil, 422, `"location":"body.runs[0].results[0].level"`},
		{"editor", "?format=sarif", sarif, []string{"Content-Encoding", "br"}, 415, `Content-Encoding \"br\" is not taken`},
		{"editor", "?format=csv", sarif, nil, 422, "format"},
		{"other-editor", "?format=sarif", sarif, nil, 403, "not one of yours"},
		{"viewer", "?format=sarif", sarif, nil, 403, ""},
		{"", "?format=sarif", sarif, nil, 401, ""},
	} {
		headers := append([]string{"Content-Type", "application/octet-stream"}, c.headers...)
		status, _, body := f.do(c.who, "POST", "/api/v1/systems/prison-visits/checks"+c.query, string(c.body), headers...)
		if status != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s %v: %d %.400s", c.who, c.query, c.headers, status, body)
		}
	}
	// The obligations answer with the automated verdict.
	_, _, body := f.do("viewer", "GET", "/api/v1/obligations?system=prison-visits&party=ours&limit=500", nil)
	var page struct {
		Items []struct {
			Control   string
			Assurance remit.Assurance
		}
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range page.Items {
		if o.Control == "srm:SRM-09" {
			found = true
			if o.Assurance.Status != remit.AssuranceFailed || !strings.Contains(o.Assurance.Reason, "failed the automated checks of Checkov") {
				t.Errorf("SRM-09: %+v", o.Assurance)
			}
		}
	}
	if !found {
		t.Errorf("no SRM-09 obligation of ours: %.300s", body)
	}
}

// TestChecksToken: a token made to hand in check results does that (as
// far as its user's role may) and nothing else — not even read.
func TestChecksToken(t *testing.T) {
	f := newFixture(t)
	editor, err := f.svc.User(context.Background(), "editor@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := f.svc.CreateScopedToken(context.Background(), editor.Principal(), "pipeline", editor.Role, time.Hour, remit.ScopeChecks)
	if err != nil || tok.Scope != remit.ScopeChecks {
		t.Fatalf("scoped token: %+v %v", tok, err)
	}
	f.tokens["pipeline"] = secret
	body := `[{"metadata": {"event_code": "iam_root_mfa_enabled"}, "status_code": "PASS"}]`
	ct := []string{"Content-Type", "application/octet-stream"}
	if status, _, data := f.do("pipeline", "POST", "/api/v1/systems/prison-visits/checks?format=ocsf", body, ct...); status != 201 {
		t.Errorf("hand in for its team's system: %d %s", status, data)
	}
	if status, _, _ := f.do("pipeline", "POST", "/api/v1/systems/court-case-tracking/checks?format=ocsf", body, ct...); status != 403 {
		t.Errorf("hand in for another team's system: %d", status)
	}
	// Routed by account: its team's system, and not another's.
	routed := func(account string) string {
		return `[{"metadata": {"event_code": "iam_root_mfa_enabled"}, "status_code": "PASS", "cloud": {"account": {"uid": "` + account + `"}}},
		         {"metadata": {"event_code": "iam_root_mfa_enabled"}, "status_code": "PASS", "cloud": {"account": {"uid": "000000000000"}}}]`
	}
	status, _, data := f.do("pipeline", "POST", "/api/v1/checks?format=ocsf", routed("111122223333"), ct...)
	var got struct {
		Runs []struct {
			System   string `json:"system"`
			Verdicts []struct {
				Control string `json:"control"`
			} `json:"verdicts"`
		} `json:"runs"`
		Unrouted int `json:"unrouted"`
	}
	if err := json.Unmarshal(data, &got); status != 201 || err != nil || len(got.Runs) != 1 || got.Runs[0].System != "prison-visits" || got.Runs[0].Verdicts[0].Control != "srm:SRM-12" || got.Unrouted != 1 {
		t.Errorf("hand in routed by account: %d %s", status, data)
	}
	if status, _, _ := f.do("pipeline", "POST", "/api/v1/checks?format=ocsf", routed("444455556666"), ct...); status != 403 {
		t.Errorf("hand in routed to another team's system: %d", status)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/systems"}, {"GET", "/api/v1/me"}, {"GET", "/api/v1/systems/prison-visits/matrix"}, {"POST", "/api/v1/tokens"}, {"GET", "/"},
	} {
		if status, _, data := f.do("pipeline", c.method, c.path, nil); status != 403 || !strings.Contains(string(data), "this token may only hand in automated check results") {
			t.Errorf("%s %s with a checks token: %d %.200s", c.method, c.path, status, data)
		}
	}
	status, _, data = f.do("", "POST", "/api/v1/session", map[string]string{"email": "editor@example.gov.uk", "password": password})
	if status != 200 {
		t.Fatal(string(data))
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/tokens", map[string]any{"name": "x", "scope": "everything"}); status != 422 {
		t.Errorf("unknown scope: %d %s", status, data)
	}
}
