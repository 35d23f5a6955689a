package web

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
)

var update = flag.Bool("update", false, "rewrite golden files")

// page fetches a page as who (a bearer token's role, or "" for nobody)
// without following redirects.
func (f *fixture) page(who, method, path string, form url.Values, headers ...string) (*http.Response, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.server.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// uiPages are the pages every test walks: each renders with the example
// estate, and its HTML is kept as a golden file.
var uiPages = []struct{ name, path string }{
	{"sign-in", "/sign-in"},
	{"my-work", "/"},
	{"dashboard", "/dashboard"},
	{"search", "/search?q=visits"},
	{"reminders", "/reminders"},
	{"outbox", "/outbox"},
	{"supplier", "/providers/casetrack/supplier"},
	{"systems", "/systems"},
	{"systems-filtered", "/systems?team=visits-team&provider=aws"},
	{"system", "/systems/prison-visits"},
	{"system-filtered", "/systems/prison-visits?class=shared&sort=class"},
	{"system-new", "/systems/new"},
	{"system-edit", "/systems/prison-visits/edit"},
	{"system-delete", "/systems/prison-visits/delete"},
	{"detach", "/systems/prison-visits/uses/aws/ec2/detach"},
	{"obligation", "/obligations/prison-visits/srm:SRM-03/aws/ec2/ours"},
	{"providers", "/providers"},
	{"provider", "/providers/aws"},
	{"offering", "/providers/casetrack/offerings/casetrack-cloud"},
	{"statement", "/providers/aws/offerings/ec2/statements/srm:SRM-03"},
	{"statement-new", "/providers/aws/offerings/ec2/statements/new"},
	{"catalogues", "/catalogues"},
	{"catalogue", "/catalogues/srm"},
	{"graph", "/graph"},
	{"audit", "/audit?kind=system"},
	{"users", "/users"},
	{"user-account", "/users/editor@example.gov.uk"},
	{"user-disable", "/users/editor@example.gov.uk/disable"},
	{"user-reset-password", "/users/editor@example.gov.uk/reset-password"},
	{"tokens", "/tokens"},
	{"evidence-list", "/evidence"},
	{"evidence-new", "/evidence/new"},
	{"evidence", "/evidence/{ev}"},
	{"assessments", "/assessments"},
	{"assessment", "/assessments/{sa}"},
	{"principle", "/assessments/{sa}/principles/ncsc-csp:CSP-01"},
	{"findings", "/findings"},
	{"finding", "/findings/{fi}"},
	{"sats", "/sats"},
	{"sat", "/sats/{sat}"},
	{"portal", "/portal/{portal}"},
	{"scorecards", "/scorecards"},
	{"scorecard", "/scorecards/casetrack/casetrack-cloud"},
	{"risks", "/risks"},
	{"risk-new", "/risks/new"},
	{"risk", "/risks/{ri}"},
	{"proposals", "/risks/proposals?source=concentration"},
	{"cumulative", "/risks/cumulative"},
}

// withEvidence adds a SOC 2 report supporting CaseTrack Cloud, with one
// CUEC mapped to an obligation of ours, and returns a function that puts
// its id into a page's path.
func (f *fixture) withEvidence() func(path string) string {
	f.t.Helper()
	ev := remit.Evidence{Kind: remit.EvidenceSOC2Type2, Title: "CaseTrack SOC 2 Type II 2026", Issuer: "Example Audit LLP", Issued: "2026-03-01", Expires: "2027-03-01",
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "casetrack/casetrack-cloud"}},
		SOC2: &remit.SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31", CarveOuts: []string{"aws/ec2"},
			CUECs: []remit.CUEC{{ID: "CUEC-1", Text: "Customers review their users' access every quarter.", Obligations: []string{"court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/ours"}}, {ID: "CUEC-2", Text: "Customers keep their own copies of exported case files."}}}}
	ctx := context.Background()
	assessorP := remit.Principal{Email: "assessor@example.gov.uk", Role: remit.RoleAssessor}
	added, err := f.svc.AddEvidence(ctx, remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}, ev, "soc2.pdf", []byte("%PDF-1.7 CaseTrack SOC 2"))
	if err != nil {
		f.t.Fatal(err)
	}
	// And an assessment of the same offering, one principle done.
	a, err := f.svc.StartAssessment(ctx, assessorP, "casetrack/casetrack-cloud", "")
	if err != nil {
		f.t.Fatal(err)
	}
	work := remit.PrincipleAssessment{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"01-Q1": "yes", "01-Q2": "TLS 1.2"}, Evidence: []string{added.ID}, Result: remit.Met}
	if _, err := f.svc.SavePrinciple(ctx, assessorP, a.ID, work, 1); err != nil {
		f.t.Fatal(err)
	}
	// And an overdue finding from it.
	fi, err := f.svc.AddFinding(ctx, assessorP, remit.Finding{Title: "No audit of CaseTrack's hosting", Severity: "high", Owner: "Supplier manager", Due: "2026-11-01", Source: a.ID,
		Obligations: []string{"court-case-tracking/srm:SRM-01/casetrack/casetrack-cloud/provider"}})
	if err != nil {
		f.t.Fatal(err)
	}
	// And a SAT of Prison visits booking, two objectives filled in.
	st, err := f.svc.StartSAT(ctx, assessorP, "prison-visits")
	if err != nil {
		f.t.Fatal(err)
	}
	eleven, three := 11, 3
	if _, err := f.svc.SaveSATEntries(ctx, assessorP, st.ID, []remit.SATEntry{
		{Objective: "SAT-01", Evidence: "held", Confidence: &eleven, Commentary: "Asset register reviewed in October."},
		{Objective: "SAT-02", Evidence: "partial", Confidence: &three, FurtherEvidence: "Data flow diagrams."}}, 1); err != nil {
		f.t.Fatal(err)
	}
	// And a risk, above appetite.
	ri, err := f.svc.AddRisk(ctx, assessorP, remit.Risk{Title: "CaseTrack hosting unaudited", Category: "supplier", Confidentiality: 4, Availability: 3,
		Inherent: remit.Score{Likelihood: 4}, Residual: remit.Score{Likelihood: 3, Impact: 4}, Treatment: "reduce", Owner: "risk@example.gov.uk", Review: "2027-01-31",
		Concerns: []remit.Ref{{Kind: "offering", ID: "casetrack/casetrack-cloud"}}, Countermeasures: []remit.Ref{{Kind: "control", ID: "srm:SRM-01"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	// And CaseTrack's own POA&M.
	poam, err := os.ReadFile("../../examples/measured/casetrack-poam.yaml")
	if err != nil {
		f.t.Fatal(err)
	}
	m, err := oscal.ReadMeasured("casetrack-poam.yaml", poam, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.ImportProviderFindings(ctx, assessorP, "casetrack/casetrack-cloud", "", m, 0, false); err != nil {
		f.t.Fatal(err)
	}
	// And two days of the register's trend: empty yesterday, the risk today.
	// And a supplier's link to the assessment.
	_, secret, err := f.svc.CreatePortalLink(ctx, assessorP, a.ID, 14*24*time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	trend := map[string]any{}
	for _, day := range []time.Time{f.now.AddDate(0, 0, -1), f.now} {
		var risks []*remit.Risk
		if day.Equal(f.now) {
			risks, _ = f.svc.Snapshot().Risks()
		}
		sn := remit.TakeRiskSnapshot(risks, remit.DefaultRiskSettings(), day)
		trend[sn.Day] = sn
	}
	f.seed(service.KindRiskSnapshot, trend)
	return func(path string) string {
		return strings.NewReplacer("{ev}", added.ID, "{sa}", a.ID, "{fi}", fi.ID, "{sat}", st.ID, "{portal}", secret, "{ri}", ri.ID).Replace(path)
	}
}

// portalSecret hides the secret of a supplier's link, and link ids.
var portalSecret = regexp.MustCompile(`rp_[0-9a-f]{12}_[A-Za-z0-9_-]+`)

// linkID hides the ids of supplier links (twelve hex digits alone).
var linkID = regexp.MustCompile(`\b[0-9a-f]{12}\b`)

// evidenceID hides the random ids of evidence and assessments.
var evidenceID = regexp.MustCompile(`(ev|sa|fi|sat|ri)-[0-9a-f]{16}`)

// assetHash hides the assets' content hashes, which change with the npm
// packages, not with Remit's pages.
var assetHash = regexp.MustCompile(`\?v=[0-9a-f]{12}`)

// tokenID hides the random ids of API tokens.
var tokenID = regexp.MustCompile(`/tokens/[^/"]+/revoke`)

// TestPagesGolden renders every page with the example estate and compares
// it with its golden file (go test ./internal/web -run PagesGolden -update).
func TestPagesGolden(t *testing.T) {
	f := newFixture(t)
	at := f.withEvidence()
	for _, pg := range uiPages {
		t.Run(pg.name, func(t *testing.T) {
			who := "admin"
			if pg.name == "sign-in" || pg.name == "portal" {
				who = ""
			}
			resp, body := f.page(who, "GET", at(pg.path), nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", pg.path, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			body = assetHash.ReplaceAllString(body, "?v=HASH")
			body = tokenID.ReplaceAllString(body, "/tokens/ID/revoke")
			body = evidenceID.ReplaceAllString(body, "$1-ID")
			body = portalSecret.ReplaceAllString(body, "rp_SECRET")
			body = linkID.ReplaceAllString(body, "LINKID")
			golden := filepath.Join("testdata", "pages", pg.name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), body); diff != "" {
				t.Errorf("GET %s differs from %s (-want +got):\n%s", pg.path, golden, diff)
			}
		})
	}
}

// TestPagesForEveryRole opens every page as every role: each renders (or,
// for admin pages, refuses with 403) and nobody sees a control they may
// not use.
func TestPagesForEveryRole(t *testing.T) {
	f := newFixture(t)
	at := f.withEvidence()
	for _, who := range []string{"viewer", "editor", "other-editor", "assessor", "risk", "admin"} {
		for _, pg := range uiPages[1:] {
			resp, body := f.page(who, "GET", at(pg.path), nil)
			want := http.StatusOK
			switch {
			case (pg.name == "users" || pg.name == "outbox" || strings.HasPrefix(pg.name, "user-")) && who != "admin":
				want = http.StatusForbidden
			case (pg.name == "statement" || pg.name == "statement-new") && who != "admin" && who != "editor" && who != "other-editor":
				want = http.StatusForbidden
			case (pg.name == "system-edit" || pg.name == "system-delete" || pg.name == "detach") && who != "admin" && who != "editor":
				want = http.StatusForbidden
			case pg.name == "supplier" && who != "admin" && who != "assessor":
				want = http.StatusForbidden
			case pg.name == "risk-new" && who == "viewer":
				want = http.StatusForbidden
			case pg.name == "evidence-new" && who != "admin" && who != "editor" && who != "other-editor" && who != "assessor":
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", who, pg.path, resp.StatusCode, want)
			}
			// What each may use is shown; what they may not is hidden.
			canEditSystem := who == "admin" || who == "editor"
			canEditModel := canEditSystem || who == "other-editor"
			for _, c := range []struct {
				page, marker string
				shown        bool
			}{
				{"system", `name="inline"`, canEditSystem},
				{"system", `/uses/aws/ec2/detach"`, canEditSystem},
				{"system", `action="/systems/prison-visits/uses"`, canEditSystem},
				{"system", `href="/systems/prison-visits/edit"`, canEditSystem},
				{"systems", `href="/systems/new"`, who == "admin" || who == "editor" || who == "other-editor"},
				{"offering", `/statements/new"`, canEditModel},
				{"dashboard", `href="/users"`, who == "admin"},
				{"evidence-list", `href="/evidence/new"`, who != "viewer" && who != "risk"},
				{"evidence", `name="cuec"`, who != "viewer" && who != "risk"},
				{"assessments", `action="/assessments"`, who == "admin" || who == "editor" || who == "other-editor" || who == "assessor"},
				{"assessment", `Sign off assessment`, who == "admin" || who == "assessor"},
				{"principle", `Save and return`, who == "admin" || who == "editor" || who == "other-editor" || who == "assessor"},
				{"findings", `Raise finding`, who == "admin" || who == "editor" || who == "other-editor" || who == "assessor"},
				{"finding", `Save finding`, who == "admin" || who == "editor" || who == "other-editor" || who == "assessor"},
				{"dashboard", `No audit of CaseTrack&#39;s hosting`, true},
				{"sat", `Save the table`, who == "admin" || who == "editor" || who == "assessor"}, // not another team's editor
				{"sat", `Sign off the table`, who == "admin" || who == "assessor"},
				{"risk", `Accept risk`, who == "risk"},
				{"risk", `Save risk`, who != "viewer"},
				{"risks", `href="/risks/new"`, who != "viewer"},
			} {
				if pg.name == c.page && strings.Contains(body, c.marker) != c.shown {
					t.Errorf("%s on %s: %s shown = %v, want %v", who, pg.path, c.marker, !c.shown, c.shown)
				}
			}
		}
	}
}

// TestPageAccess checks the gate in front of the pages: anonymous
// visitors go to sign in and come back; a stale cookie is forgotten rather
// than answered with API JSON; assets need no session.
func TestPageAccess(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.page("", "GET", "/systems/prison-visits?class=shared", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in?next=%2Fsystems%2Fprison-visits%3Fclass%3Dshared" {
		t.Errorf("anonymous: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = f.page("", "GET", "/", nil, "Cookie", sessionCookie+"=stale")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sign-in") {
		t.Errorf("stale cookie: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(c, sessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("stale cookie not cleared: %q", c)
	}
	resp, body := f.page("", "GET", "/api/v1/me", nil, "Cookie", sessionCookie+"=stale")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"status":401`) {
		t.Errorf("API with a stale cookie: %d %s", resp.StatusCode, body)
	}
	resp, body = f.page("admin", "GET", "/systems/no-such-system", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `no system &#34;no-such-system&#34;`) {
		t.Errorf("missing system: %d %s", resp.StatusCode, body)
	}
	// Detaching is confirmed first: the system page links to a page that
	// says what goes, and only its form detaches.
	_, body = f.page("editor", "GET", "/systems/prison-visits", nil)
	if !strings.Contains(body, `href="/systems/prison-visits/uses/aws/ec2/detach">Detach<span class="govuk-visually-hidden"> Amazon EC2</span></a>`) {
		t.Errorf("the system page does not link to the detach confirmation")
	}
	if resp, _ := f.page("admin", "GET", "/systems/prison-visits/uses/google/workspace/detach", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("detaching an offering the system does not use: %d", resp.StatusCode)
	}
	if resp, _ := f.page("other-editor", "GET", "/systems/prison-visits/uses/aws/ec2/detach", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another team's editor asks to detach: %d", resp.StatusCode)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
}

// TestSignInAndOut signs in through the form and checks the cookie's
// attributes, the redirect back, and that signing out ends the session.
func TestSignInAndOut(t *testing.T) {
	f := newFixture(t)
	resp, body := f.page("", "POST", "/sign-in", url.Values{"email": {"editor@example.gov.uk"}, "password": {"wrong password"}, "next": {"/systems"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Enter a correct email address and password") || !strings.Contains(body, "govuk-error-summary") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	resp, _ = f.page("", "POST", "/sign-in", url.Values{"email": {"editor@example.gov.uk"}, "password": {password}, "next": {"/systems"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems" {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie %q is Secure on a loopback test server", cookie)
	}
	session := strings.SplitN(cookie, ";", 2)[0]
	resp, body = f.page("", "GET", "/", nil, "Cookie", session)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "editor@example.gov.uk") || !strings.Contains(body, "visits-team") {
		t.Fatalf("dashboard after sign-in: %d", resp.StatusCode)
	}
	resp, _ = f.page("", "POST", "/sign-out", url.Values{}, "Cookie", session)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in" {
		t.Fatalf("sign out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = f.page("", "GET", "/", nil, "Cookie", session)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old session still opens the dashboard: %d", resp.StatusCode)
	}
}

// TestForms posts every form with good and bad input and as the wrong
// people: bad input shows the error summary and changes nothing; a
// refusal is a 403 page; a cross-site post is refused before any handler.
func TestForms(t *testing.T) {
	f := newFixture(t)
	const ob = "/obligations/prison-visits/srm:SRM-03/aws/ec2/ours"
	track := url.Values{"owner": {"Visits platform team"}, "status": {"in-progress"}, "due": {"2027-03-31"}, "version": {"0"}, "return": {"/systems/prison-visits#ours"}, "inline": {"yes"}}
	cases := []struct {
		name, who, path string
		form            url.Values
		headers         []string
		status          int
		location        string
		contains        []string
	}{
		{name: "cross-site post refused", who: "editor", path: ob, form: track, headers: []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, status: http.StatusForbidden},
		{name: "viewer may not track", who: "viewer", path: ob, form: track, status: http.StatusForbidden, contains: []string{"You do not have permission"}},
		{name: "editor of another team may not track", who: "other-editor", path: ob, form: track, status: http.StatusForbidden},
		{name: "bad due date", who: "editor", path: ob, form: with(track, "due", "31/03/2027"), status: http.StatusUnprocessableEntity,
			contains: []string{"govuk-error-summary", `<a href="#due">Due &#34;31/03/2027&#34; is not a date: write it as YYYY-MM-DD</a>`, `value="31/03/2027"`}},
		{name: "not-applicable needs a reason", who: "editor", path: ob, form: with(with(track, "status", "not-applicable"), "inline", ""), status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#reason">Reason is required when the status is not-applicable`}},
		{name: "tampered version", who: "editor", path: ob, form: with(track, "version", "x"), status: http.StatusBadRequest},
		{name: "editor tracks", who: "editor", path: ob, form: track, status: http.StatusSeeOther, location: "/systems/prison-visits#ours"},
		{name: "stale version is a conflict", who: "editor", path: ob, form: track, status: http.StatusConflict, contains: []string{"Someone else changed this"}},
		{name: "new system with nothing", who: "admin", path: "/systems", form: url.Values{"scope": {"all"}, "catalogue": {"srm"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#id">Enter an id`, `<a href="#name">Enter the system&#39;s name</a>`, `<a href="#team">Choose the team`}},
		{name: "new system with an unknown control", who: "admin", path: "/systems", form: url.Values{"id": {"parole"}, "name": {"Parole"}, "team": {"visits-team"}, "catalogue": {"srm"}, "scope": {"some"}, "controls": {"SRM-01\nSRM-99"}},
			status: http.StatusUnprocessableEntity, contains: []string{`<a href="#controls">`, "SRM-99"}},
		{name: "new system taken id", who: "admin", path: "/systems", form: url.Values{"id": {"prison-visits"}, "name": {"Again"}, "team": {"visits-team"}, "catalogue": {"srm"}, "scope": {"all"}},
			status: http.StatusUnprocessableEntity, contains: []string{"A system with id prison-visits already exists"}},
		{name: "editor may not add to another team", who: "editor", path: "/systems", form: url.Values{"id": {"parole"}, "name": {"Parole"}, "team": {"platform-team"}, "catalogue": {"srm"}, "scope": {"all"}}, status: http.StatusForbidden},
		{name: "editor adds a system", who: "editor", path: "/systems", form: url.Values{"id": {"parole"}, "name": {"Parole"}, "team": {"visits-team"}, "catalogue": {"srm"}, "scope": {"all"}}, status: http.StatusSeeOther, location: "/systems/parole"},
		{name: "attach an offering", who: "editor", path: "/systems/parole/uses", form: url.Values{"offering": {"google/workspace"}, "version": {"1"}}, status: http.StatusSeeOther, location: "/systems/parole#offerings"},
		{name: "attach an unknown offering", who: "editor", path: "/systems/parole/uses", form: url.Values{"offering": {"aws/ec3"}, "version": {"2"}}, status: http.StatusBadRequest,
			contains: []string{"There is no offering &#34;aws/ec3&#34;: give one as provider/offering, for example aws/ec2"}},
		{name: "attach with a stale version", who: "editor", path: "/systems/parole/uses", form: url.Values{"offering": {"aws/s3"}, "version": {"1"}}, status: http.StatusConflict},
		{name: "detach", who: "editor", path: "/systems/parole/uses/google/workspace/detach", form: url.Values{"version": {"2"}}, status: http.StatusSeeOther},
		{name: "editor of another team may not delete", who: "other-editor", path: "/systems/parole/delete", form: url.Values{"version": {"3"}}, status: http.StatusForbidden},
		{name: "delete with a stale version", who: "editor", path: "/systems/parole/delete", form: url.Values{"version": {"2"}}, status: http.StatusConflict},
		{name: "editor deletes the system", who: "editor", path: "/systems/parole/delete", form: url.Values{"version": {"3"}}, status: http.StatusSeeOther, location: "/systems"},
		{name: "viewer may not change an account", who: "viewer", path: "/users/other-editor@example.gov.uk", form: url.Values{"role": {"admin"}, "version": {"1"}}, status: http.StatusForbidden},
		{name: "account with no role", who: "admin", path: "/users/other-editor@example.gov.uk", form: url.Values{"role": {""}, "version": {"1"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#role">Choose a role</a>`}},
		{name: "account with a bad team", who: "admin", path: "/users/other-editor@example.gov.uk", form: url.Values{"role": {"editor"}, "teams": {"platform-team, no spaces"}, "version": {"1"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#teams">Team &#34;no spaces&#34; is not a team name`, `value="platform-team, no spaces"`}},
		{name: "admin changes an account", who: "admin", path: "/users/other-editor@example.gov.uk", form: url.Values{"name": {"Olga"}, "role": {"editor"}, "teams": {"platform-team"}, "version": {"1"}},
			status: http.StatusSeeOther, location: "/users/other-editor@example.gov.uk"},
		{name: "account change with a stale version", who: "admin", path: "/users/other-editor@example.gov.uk", form: url.Values{"role": {"viewer"}, "version": {"1"}}, status: http.StatusConflict},
		{name: "editor may not disable", who: "editor", path: "/users/other-editor@example.gov.uk/disable", form: url.Values{"version": {"2"}}, status: http.StatusForbidden},
		{name: "admin disables an account", who: "admin", path: "/users/other-editor@example.gov.uk/disable", form: url.Values{"version": {"2"}}, status: http.StatusSeeOther, location: "/users/other-editor@example.gov.uk"},
		{name: "admin enables it again", who: "admin", path: "/users/other-editor@example.gov.uk/enable", form: url.Values{"version": {"3"}}, status: http.StatusSeeOther, location: "/users/other-editor@example.gov.uk"},
		{name: "the last admin stays", who: "admin", path: "/users/admin@example.gov.uk/disable", form: url.Values{"version": {"1"}}, status: http.StatusUnprocessableEntity,
			contains: []string{"There must always be an admin to manage Remit, and admin@example.gov.uk is the last one"}},
		{name: "editor may not reset a password", who: "editor", path: "/users/other-editor@example.gov.uk/reset-password", form: url.Values{"version": {"4"}}, status: http.StatusForbidden},
		{name: "admin resets a password", who: "admin", path: "/users/other-editor@example.gov.uk/reset-password", form: url.Values{"version": {"4"}}, status: http.StatusOK,
			contains: []string{"New password for other-editor@example.gov.uk", `data-testid="new-password"`}},
		{name: "viewer may not change a statement", who: "viewer", path: "/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-01", form: url.Values{"class": {"shared"}, "version": {"1"}}, status: http.StatusForbidden},
		{name: "statement without a class", who: "editor", path: "/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-01", form: url.Values{"class": {""}, "version": {"1"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#class">Choose who runs the control</a>`}},
		{name: "viewer may not see users", who: "viewer", path: "/users", form: url.Values{"email": {"x@example.gov.uk"}}, status: http.StatusForbidden},
		{name: "user with a short password", who: "admin", path: "/users", form: url.Values{"email": {"new@example.gov.uk"}, "role": {"viewer"}, "password": {"short"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#password">Enter a password of at least 12 characters</a>`}},
		{name: "admin adds a user", who: "admin", path: "/users", form: url.Values{"email": {"new@example.gov.uk"}, "role": {"editor"}, "teams": {"visits-team, courts-digital"}, "password": {"a long enough password"}}, status: http.StatusSeeOther, location: "/users"},
		{name: "token without a name", who: "admin", path: "/tokens", form: url.Values{"days": {"400"}}, status: http.StatusUnprocessableEntity,
			contains: []string{`<a href="#name">Enter a name`, `<a href="#days">Enter how many days`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.page(c.who, "POST", c.path, c.form, c.headers...)
			if resp.StatusCode != c.status {
				t.Fatalf("POST %s: %d, want %d\n%s", c.path, resp.StatusCode, c.status, body)
			}
			if c.location != "" && resp.Header.Get("Location") != c.location {
				t.Errorf("redirect to %q, want %q", resp.Header.Get("Location"), c.location)
			}
			for _, s := range c.contains {
				if !strings.Contains(body, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
		})
	}
	// What the good posts did, and only that.
	o, _ := f.findObligationTracking("prison-visits/srm:SRM-03/aws/ec2/ours")
	if o.Owner != "Visits platform team" || o.Status != "in-progress" || o.Due != "2027-03-31" {
		t.Errorf("tracking after the posts: %+v", o)
	}
	if resp, _ := f.page("admin", "GET", "/systems/parole", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("parole after its deletion: %d", resp.StatusCode)
	}
	_, body := f.page("admin", "GET", "/audit?kind=system&id=parole", nil)
	for _, want := range []string{"create system", "update system", "delete system"} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit trail of parole lacks %q", want)
		}
	}
	_, body = f.page("admin", "GET", "/users", nil)
	if !strings.Contains(body, `<td class="govuk-table__cell">visits-team</td>
      <td class="govuk-table__cell">editor@example.gov.uk, new@example.gov.uk</td>`) {
		t.Error("the teams table does not list visits-team with its two members")
	}
}

func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set(key, value)
	return out
}

// TestAssets checks the embedded assets: present (make assets ran),
// content-hashed, cached for a year when asked for by hash, gzipped.
func TestAssets(t *testing.T) {
	f := newFixture(t)
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	if m := a.missing(); len(m) > 0 {
		t.Fatalf("assets missing: %v: run make assets", m)
	}
	u := a.url("govuk-frontend.min.css")
	resp, body := f.page("", "GET", u, nil, "Accept-Encoding", "gzip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("GET %s: %d %v", u, resp.StatusCode, resp.Header)
	}
	if len(body) > 40<<10 {
		t.Errorf("gzipped GOV.UK stylesheet is %d bytes", len(body))
	}
	resp, _ = f.page("", "GET", "/assets/govuk-frontend.min.css?v=old", nil)
	if resp.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("a stale hash is cached as %q", resp.Header.Get("Cache-Control"))
	}
	resp, _ = f.page("", "GET", "/assets/fonts/bold-b542beb274-v2.woff2", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("font: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	resp, _ = f.page("", "GET", "/assets/no-such-file.css", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d", resp.StatusCode)
	}
	// The pages' security headers.
	resp, _ = f.page("admin", "GET", "/", nil)
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}

// findObligationTracking reads an obligation's tracking from the model.
func (f *fixture) findObligationTracking(id string) (remit.Tracking, bool) {
	var t remit.Tracking
	x, ok := f.svc.Snapshot().Tracking(id)
	t = x.Tracking
	return t, ok
}

// TestSystemFormKeepsWhatItDoesNotShow saves the edit form unchanged:
// the stored system must come back byte for byte, its not-applicable
// controls and offerings included.
func TestSystemFormKeepsWhatItDoesNotShow(t *testing.T) {
	f := newFixture(t)
	before, err := f.storeDocument(service.KindSystem, "prison-visits")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"version": {strconv.FormatInt(before.Version, 10)}, "name": {"Prison visits booking"}, "owner": {"Jane Example"}, "team": {"visits-team"},
		"classification": {"OFFICIAL"}, "catalogue": {"srm"}, "scope": {"all"}}
	resp, body := f.page("editor", "POST", "/systems/prison-visits/edit", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	after, err := f.storeDocument(service.KindSystem, "prison-visits")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(before.Body), string(after.Body)); diff != "" {
		t.Errorf("saving the form unchanged changed the system (-before +after):\n%s", diff)
	}
	if !strings.Contains(string(after.Body), "SRM-27") {
		t.Error("the not-applicable SRM-27 was lost")
	}
}

func (f *fixture) storeDocument(kind remit.Kind, id string) (remit.Document, error) {
	var d remit.Document
	err := f.store.Read(context.Background(), func(tx remit.Tx) error {
		var err error
		d, err = tx.FindDocument(context.Background(), kind, id)
		return err
	})
	return d, err
}

// TestMatrixFollowsStatements renders a system page, changes a statement
// of an offering it uses, and renders it again: the kept matrix table
// must show the change.
func TestMatrixFollowsStatements(t *testing.T) {
	f := newFixture(t)
	const page = "/systems/court-case-tracking?class=organisation-specific"
	_, before := f.page("admin", "GET", page, nil)
	if strings.Contains(before, `data-control="srm:SRM-01"`) {
		t.Fatal("SRM-01 is organisation-specific before the change")
	}
	d, err := f.storeDocument(service.KindOffering, "casetrack/casetrack-cloud")
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := f.do("editor", "PUT", "/api/v1/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-01",
		map[string]string{"class": "organisation-specific", "customer": "We guard the hardware ourselves."}, "If-Match", etag(d.Version))
	if status != http.StatusNoContent && status != http.StatusOK {
		t.Fatalf("statement: %d %s", status, body)
	}
	_, after := f.page("admin", "GET", page, nil)
	if !strings.Contains(after, `data-control="srm:SRM-01"`) {
		t.Error("the matrix does not show SRM-01 as organisation-specific after the change")
	}
	// Made-up filter values are dropped, not cached as matrices of their own.
	_, plain := f.page("admin", "GET", "/systems/court-case-tracking", nil)
	_, bogus := f.page("admin", "GET", "/systems/court-case-tracking?sort=bogus&class=nothing&area=nowhere", nil)
	matrix := func(s string) string { return s[strings.Index(s, `data-testid="matrix-count"`):] }
	if matrix(plain) != matrix(bogus) {
		t.Error("made-up filter values changed the matrix shown")
	}
}

// TestFormsWithCookies posts a form as a browser does: the session cookie
// from the sign-in form, an Origin header; the same post from another
// site is refused.
func TestFormsWithCookies(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.page("", "POST", "/sign-in", url.Values{"email": {"editor@example.gov.uk"}, "password": {password}})
	cookie := strings.SplitN(resp.Header.Get("Set-Cookie"), ";", 2)[0]
	track := url.Values{"owner": {"Visits platform team"}, "status": {"implemented"}, "version": {"0"}, "return": {"/systems/prison-visits"}}
	const ob = "/obligations/prison-visits/srm:SRM-03/aws/ec2/ours"
	resp, body := f.page("", "POST", ob, track, "Cookie", cookie, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post with the cookie: %d %s", resp.StatusCode, body)
	}
	resp, body = f.page("", "POST", ob, track, "Cookie", cookie, "Origin", f.server.URL, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/prison-visits" {
		t.Fatalf("same-origin post with the cookie: %d %s", resp.StatusCode, body)
	}
	if tr, _ := f.findObligationTracking("prison-visits/srm:SRM-03/aws/ec2/ours"); tr.Status != remit.StatusImplemented {
		t.Errorf("tracking after the post: %+v", tr)
	}
}
