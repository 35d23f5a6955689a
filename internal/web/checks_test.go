package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/workspace"
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

// TestChecksPages: once results are handed in, a system's page shows each
// tool's latest result per control, failed first, with the failing
// resources and when, and marks the obligations it decided; the evidence
// register lists the run; the dashboard counts our obligations by what
// assures them and lists the failing check, with figures that agree with
// each other.
func TestChecksPages(t *testing.T) {
	f := newFixture(t)
	_, body := f.page("viewer", "GET", "/systems/prison-visits", nil)
	if !strings.Contains(body, "No automated check results have been handed in for this system.") {
		t.Errorf("before any run, the system page says nothing of checks")
	}
	ocsf, err := os.ReadFile("../checks/testdata/prowler.ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/checks?format=ocsf", string(ocsf), "Content-Type", "application/octet-stream"); status != 201 {
		t.Fatalf("hand in: %d %s", status, data)
	}

	_, body = f.page("viewer", "GET", "/systems/prison-visits", nil)
	checks := section(t, body, `data-testid="checks"`, "</table>")
	rows := strings.Split(checks, `<tr class="govuk-table__row">`)[2:] // after the header
	if len(rows) != 2 || !strings.Contains(rows[0], "srm:SRM-09") || !strings.Contains(rows[0], ">failed<") ||
		!strings.Contains(rows[0], "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22: arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0a1b2c3d") ||
		!strings.Contains(rows[0], "4 Dec 2026 10:00 UTC") || !strings.Contains(rows[1], "srm:SRM-12") || !strings.Contains(rows[1], ">stale<") || !strings.Contains(rows[1], "4 Dec 2025 10:00 UTC") {
		t.Errorf("the system's checks (%d rows):\n%s", len(rows), checks)
	}
	if n := strings.Count(body, "by automated checks</a>"); n == 0 {
		t.Error("no obligation says automated checks decided its assurance")
	}

	_, body = f.page("viewer", "GET", "/evidence", nil)
	runs := section(t, body, `data-testid="check-runs"`, "</table>")
	if !strings.Contains(runs, "Prison visits booking") || !strings.Contains(runs, "Prowler") || !strings.Contains(runs, "<strong>failed:</strong> srm:SRM-09") || !strings.Contains(runs, "passed: srm:SRM-12") {
		t.Errorf("the register's runs:\n%s", runs)
	}

	_, body = f.page("viewer", "GET", "/", nil)
	bySource := section(t, body, `data-testid="assurance-by-source"`, "</table>")
	sn := f.svc.Snapshot()
	tally := f.svc.AssuranceBySource(sn, f.svc.Now())
	auto := tally.BySource[0]
	if auto.Source != "automated" || auto.Failed == 0 || auto.Stale == 0 { // Prowler's root MFA pass is a year old
		t.Fatalf("tally %+v", tally)
	}
	// The tally is the obligations' own assurance, counted.
	obs := sn.Obligations(nil, "ours", nil)
	sn.Assure(obs, f.svc.Now())
	byStatus := map[remit.AssuranceStatus]int{}
	for _, o := range obs {
		if o.Assurance.Automated {
			byStatus[o.Assurance.Status]++
		}
	}
	if byStatus["failed"] != auto.Failed || byStatus["stale"] != auto.Stale || byStatus["assured"] != auto.Assured || tally.Total != len(obs) {
		t.Errorf("tally %+v against %d obligations, by automated checks %v", tally, len(obs), byStatus)
	}
	want := fmt.Sprintf(`Automated checks</th>
      <td class="govuk-table__cell govuk-table__cell--numeric">%d</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">%d</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">%d</td>`, auto.Assured, auto.Stale, auto.Failed)
	if !strings.Contains(bySource, want) {
		t.Errorf("dashboard by source:\n%s\nwant %s", bySource, want)
	}
	failing := section(t, body, `data-testid="failing-checks"`, "</table>")
	if !strings.Contains(failing, "Prison visits booking") || strings.Index(failing, "srm:SRM-09") > strings.Index(failing, "srm:SRM-12") {
		t.Errorf("failing checks:\n%s", failing)
	}
	if !strings.Contains(body, "1 failing and 1 stale, by system and control.") {
		t.Error("the failing checks' count")
	}

	// The failing resource is proposed as a finding; raising it takes the
	// proposal.
	title := "Prison visits booking: Prowler fails ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22 on arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0a1b2c3d"
	_, body = f.page("admin", "GET", "/risks/proposals?source=checks", nil)
	if !strings.Contains(body, title) || !strings.Contains(body, "Raise a finding") || !strings.Contains(body, "1 open proposal.") {
		t.Fatalf("proposals:\n%s", section(t, body, "<main", "</main>"))
	}
	id := regexp.MustCompile(`name="source" value="(checks:[^"]+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no source in the raise form")
	}
	resp, _ := f.page("admin", "POST", "/findings", url.Values{"title": {title}, "severity": {"high"}, "status": {"open"}, "source": {id[1]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("raise: %d", resp.StatusCode)
	}
	if _, body = f.page("admin", "GET", "/risks/proposals?source=checks", nil); !strings.Contains(body, "0 open proposals.") {
		t.Errorf("the proposal stayed after its finding was raised")
	}
}

// section cuts body from the first from to the next to.
func section(t *testing.T, body, from, to string) string {
	t.Helper()
	i := strings.Index(body, from)
	if i < 0 {
		t.Fatalf("no %s in the page", from)
	}
	j := strings.Index(body[i:], to)
	if j < 0 {
		t.Fatalf("no %s after %s", to, from)
	}
	return body[i : i+j]
}

// TestMappedCellsOnSystemPage: a cell answered through a mapping is marked
// mapped in the system's matrix, with the control and relationship it
// comes from.
func TestMappedCellsOnSystemPage(t *testing.T) {
	f := newFixture(t)
	ws, err := workspace.Load("../../examples/mapped")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Import(context.Background(), remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}, ws, false); err != nil {
		t.Fatal(err)
	}
	_, body := f.page("viewer", "GET", "/systems/grants?class=shared", nil)
	tag := `<strong class="govuk-tag govuk-tag--purple">mapped</strong>`
	if n := strings.Count(section(t, body, `data-testid="matrix"`, "</table>"), tag); n != 3 {
		t.Errorf("%d shared cells marked mapped, want 3 (CSP-01, CSP-02, CSP-13)", n)
	}
	// What is still ours: the four obligations arising from a mapping
	// (CSP-01, -02, -09 and -13), whatever the filter below.
	if n := strings.Count(section(t, body, `data-testid="ours"`, "</table>"), tag); n != 4 {
		t.Errorf("%d of our obligations marked mapped, want 4", n)
	}
	if !strings.Contains(body, "<strong>HostCo Platform</strong>: shared (mapped from srm:SRM-01, subset-of)") {
		t.Errorf("the contribution does not say where it is mapped from")
	}
	// Coverage: of HostCo's 14 contributions, none stated for an NCSC
	// principle, 4 mapped, 10 assumed.
	cov := section(t, body, `data-testid="coverage"`, "</table>")
	want := `HostCo Platform<br><span class="govuk-body-s">HostCo</span></th>
      <td class="govuk-table__cell govuk-table__cell--numeric">0</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">4</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">10</td>`
	if !strings.Contains(cov, want) {
		t.Errorf("coverage:\n%s", cov)
	}
	status, _, data := f.do("viewer", "GET", "/api/v1/systems/grants/coverage", nil)
	if status != 200 || string(data) != `[{"offering":"hostco/platform","name":"HostCo Platform","provider":"HostCo","confirmed":0,"mapped":4,"assumed":10}]`+"\n" {
		t.Errorf("coverage API: %d %s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/systems/nope/coverage", nil); status != 404 {
		t.Errorf("coverage of no system: %d", status)
	}
	// The provider's page counts its offerings over the systems using them.
	_, body = f.page("viewer", "GET", "/providers/hostco", nil)
	if cov := section(t, body, `data-testid="coverage"`, "</table>"); !strings.Contains(cov, want) {
		t.Errorf("provider page coverage:\n%s", cov)
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/coverage?provider=hostco", nil)
	if status != 200 || string(data) != `{"provider":"hostco","systems":1,"offerings":[{"offering":"hostco/platform","name":"HostCo Platform","provider":"HostCo","confirmed":0,"mapped":4,"assumed":10}],"cells":{"confirmed":0,"mapped":4,"assumed":10}}`+"\n" {
		t.Errorf("provider coverage API: %d %s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/coverage?provider=nope", nil); status != 404 {
		t.Errorf("coverage of no provider: %d", status)
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/coverage", nil)
	var est report.CoverageDoc
	if err := json.Unmarshal(data, &est); status != 200 || err != nil || est.Provider != "" || est.Systems != f.svc.Snapshot().Estate().NumSystems() {
		t.Errorf("estate coverage API: %d %v %s", status, err, data)
	}
}

// TestSystemsTableAddsUp: each system's row in the systems table counts
// every control of its baseline (not-applicable ones too), so the row
// adds up to the total the chart beside it shows.
func TestSystemsTableAddsUp(t *testing.T) {
	f := newFixture(t)
	_, body := f.page("viewer", "GET", "/systems", nil)
	table := section(t, body, `data-testid="systems"`, "</table>")
	chart := section(t, body, `<svg class="remit-chart"`, "</svg>")
	cell := regexp.MustCompile(`<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>`)
	rows := strings.Split(table, `<tr class="govuk-table__row">`)[2:] // after the caption row and the header row
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	type drawn struct {
		total int
		width float64
	}
	var bars []drawn
	for _, row := range rows {
		name := regexp.MustCompile(`">([^<]+)</a></td>`).FindStringSubmatch(row)
		nums := cell.FindAllStringSubmatch(row, -1)
		if name == nil || len(nums) != 6 {
			t.Fatalf("row %q: %d numbers", row, len(nums))
		}
		sum := 0
		for _, n := range nums[1:5] { // inherited, shared, organisation-specific, not applicable
			v, _ := strconv.Atoi(n[1])
			sum += v
		}
		label := name[1]
		if len([]rune(label)) > 28 {
			label = string([]rune(label)[:27]) + "…"
		}
		want := regexp.MustCompile(`<text x="0" y="\d+">` + regexp.QuoteMeta(label) + `</text>((?:<rect[^>]*><title>[^<]*</title></rect>)*)<text x="[\d.]+" y="\d+">(\d+)</text>`).FindStringSubmatch(chart)
		if want == nil {
			t.Fatalf("no bar for %q in the chart", label)
		}
		if strconv.Itoa(sum) != want[2] {
			t.Errorf("%s: the row adds up to %d, the chart says %s", name[1], sum, want[2])
		}
		width := 0.0
		for _, w := range regexp.MustCompile(`width="([\d.]+)"`).FindAllStringSubmatch(want[1], -1) {
			v, _ := strconv.ParseFloat(w[1], 64)
			width += v
		}
		bars = append(bars, drawn{sum, width})
	}
	// One scale: every bar's length is its total over the largest total.
	most := 0
	for _, b := range bars {
		most = max(most, b.total)
	}
	for _, b := range bars {
		if want := float64(chartBarWidth) * float64(b.total) / float64(most); math.Abs(b.width-want) > 0.5 {
			t.Errorf("a bar of %d is %.1f wide, not %.1f: the bars are not on one scale", b.total, b.width, want)
		}
	}
}

// TestSystemSummaryAddsUp: the answer at the top of a system page — how
// many obligations are ours, by status, overdue, owners and assurance —
// agrees with the obligations themselves, after some are tracked.
func TestSystemSummaryAddsUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sn := f.svc.Snapshot()
	ours := sn.Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	for i, tr := range []remit.Tracking{
		{Owner: "Jo Bloggs", Status: remit.StatusInProgress, Due: "2026-11-01"}, // overdue on 29 November
		{Status: remit.StatusImplemented},
		{Owner: "Sam Smith", Status: remit.StatusNotApplicable, Reason: "No guest OS."},
	} {
		if _, err := f.svc.Track(ctx, testAdmin, ours[i].ID, tr, 0); err != nil {
			t.Fatal(err)
		}
	}
	_, body := f.page("viewer", "GET", "/systems/prison-visits", nil)
	got := section(t, body, `data-testid="ours-summary"`, "</dl>")
	n := len(ours)
	for _, want := range []string{
		fmt.Sprintf("<strong>%d obligations are ours</strong>, %d not yet implemented, <strong class=\"govuk-tag govuk-tag--red\">1 overdue</strong>", n, n-2),
		fmt.Sprintf("%d not started, 1 in progress, 1 implemented, 1 not applicable", n-3),
		fmt.Sprintf("2 with a named owner; %d fall to visits-team, the system's team", n-2),
		fmt.Sprintf("%d unassured, 1 not applicable", n-1),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the summary lacks %q:\n%s", want, got)
		}
	}
	// The table below names the owner of each, the system's team when none is named.
	if !strings.Contains(body, `<td class="govuk-table__cell">visits-team<br><span class="govuk-body-s">the system's team</span></td>`) || !strings.Contains(body, `<td class="govuk-table__cell">Jo Bloggs</td>`) {
		t.Errorf("the table does not show owners with the team as the fallback:\n%s", section(t, body, `data-testid="ours"`, "</table>"))
	}
}

// TestAssignOwnersOnThePage: the page's bulk form gives the obligations
// it shows one owner, and the owner filter then finds them — and those
// still with no owner named.
func TestAssignOwnersOnThePage(t *testing.T) {
	f := newFixture(t)
	_, body := f.page("editor", "GET", "/systems/prison-visits?ours_status=not-started", nil)
	form := section(t, body, `data-testid="assign-owner"`, "</form>")
	hidden := regexp.MustCompile(`name="o" value="([^"]+)"`).FindAllStringSubmatch(form, -1)
	if len(hidden) == 0 || !strings.Contains(body, `<datalist id="owner-choices">`) || !strings.Contains(body, `<option value="visits-team">Team visits-team</option>`) {
		t.Fatalf("the bulk form: %d obligations; datalist present: %v", len(hidden), strings.Contains(body, "owner-choices"))
	}
	vals := url.Values{"owner": {"Visits platform team"}, "return": {"/systems/prison-visits#ours"}}
	for _, h := range hidden[:5] {
		vals.Add("o", h[1])
	}
	resp, _ := f.page("editor", "POST", "/systems/prison-visits/owners", vals)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/prison-visits#ours" {
		t.Fatalf("assign: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := f.page("editor", "POST", "/systems/prison-visits/owners", vals); resp.StatusCode != http.StatusConflict {
		t.Errorf("the same versions again: %d", resp.StatusCode)
	}
	if resp, _ := f.page("viewer", "POST", "/systems/prison-visits/owners", vals); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer: %d", resp.StatusCode)
	}
	_, body = f.page("viewer", "GET", "/systems/prison-visits?ours_owner=Visits+platform+team", nil)
	if n := strings.Count(section(t, body, `data-testid="ours"`, "</table>"), `<td class="govuk-table__cell">Visits platform team</td>`); n != 5 {
		t.Errorf("filtered by owner: %d rows", n)
	}
	_, body = f.page("viewer", "GET", "/systems/prison-visits?ours_owner=none", nil)
	if strings.Contains(section(t, body, `data-testid="ours"`, "</table>"), "Visits platform team") {
		t.Error("the obligations with no owner named include one with an owner")
	}
}

// TestAssignOwnerAPI: the API gives many obligations one owner, refusing
// all of them on a stale version.
func TestAssignOwnerAPI(t *testing.T) {
	f := newFixture(t)
	ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	body := map[string]any{"owner": "Jo Bloggs", "obligations": []map[string]any{{"id": ours[0].ID, "version": 0}, {"id": ours[1].ID, "version": 0}}}
	if status, _, data := f.do("viewer", "POST", "/api/v1/obligations/owner", body); status != http.StatusForbidden {
		t.Errorf("viewer: %d %s", status, data)
	}
	status, _, data := f.do("editor", "POST", "/api/v1/obligations/owner", body)
	if status != http.StatusOK || !strings.Contains(string(data), `"changed":2`) {
		t.Fatalf("assign: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/obligations/owner", body); status != http.StatusConflict {
		t.Errorf("stale: %d %s", status, data)
	}
	if o, _ := f.svc.Snapshot().Obligation(ours[1].ID); o.Tracking.Owner != "Jo Bloggs" {
		t.Errorf("owner %q", o.Tracking.Owner)
	}
}
