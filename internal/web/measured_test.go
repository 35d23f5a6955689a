package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/service"
)

// TestProviderFindingsAPI: a provider's POA&M in YAML is planned (dry
// run), imported with If-Match "0", refused when the version quoted is
// stale or the caller a viewer, named with its place when bad, and listed
// back with its version; the offering's page shows the open items.
func TestProviderFindingsAPI(t *testing.T) {
	f := newFixture(t)
	poam, err := os.ReadFile("../oscal/testdata/measured/poam-srm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/providers/aws/offerings/ec2/findings"
	if status, _, data := f.do("viewer", "POST", path+"?dry_run=true", string(poam)); status != http.StatusForbidden {
		t.Errorf("viewer: %d %s", status, data)
	}
	status, _, data := f.do("assessor", "POST", path+"?dry_run=true", string(poam))
	var plan service.MeasuredPlan
	if status != http.StatusOK || json.Unmarshal(data, &plan) != nil || plan.New != 2 || plan.Version != 0 || plan.Systems != 1 {
		t.Fatalf("dry run: %d %s", status, data)
	}
	if status, _, data := f.do("assessor", "POST", path, string(poam)); status != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: %d %s", status, data)
	}
	if status, _, data := f.do("assessor", "POST", path+"?colour=red", string(poam), "If-Match", `"0"`); status != http.StatusBadRequest || !strings.Contains(string(data), `Query parameter \"colour\" is not known`) {
		t.Errorf("unknown parameter: %d %s", status, data)
	}
	if status, _, data := f.do("assessor", "POST", path, `{"plan-of-action-and-milestones": {"poam-items": {}}}`, "If-Match", `"0"`); status != http.StatusUnprocessableEntity || !strings.Contains(string(data), "plan-of-action-and-milestones.poam-items is a JSON object where OSCAL has a list") {
		t.Errorf("bad body: %d %s", status, data)
	}
	status, h, data := f.do("assessor", "POST", path, string(poam), "If-Match", `"0"`)
	if status != http.StatusOK || h.Get("ETag") != `"1"` {
		t.Fatalf("import: %d %v %s", status, h, data)
	}
	if status, _, data := f.do("assessor", "POST", path, string(poam), "If-Match", `"0"`); status != http.StatusConflict {
		t.Errorf("stale If-Match: %d %s", status, data)
	}
	status, _, data = f.do("viewer", "GET", path, nil)
	var got struct {
		Open      map[string]int `json:"open"`
		Documents []struct {
			Model   string `json:"model"`
			Version int64  `json:"version"`
			Items   []struct {
				Title string `json:"title"`
			} `json:"items"`
		} `json:"documents"`
	}
	if status != http.StatusOK || json.Unmarshal(data, &got) != nil || got.Open["high"] != 1 || got.Open["medium"] != 1 || len(got.Documents) != 1 || got.Documents[0].Version != 1 || got.Documents[0].Model != "poam" {
		t.Fatalf("list: %d %s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/providers/aws/offerings/ec3/findings", nil); status != http.StatusNotFound {
		t.Errorf("unknown offering: %d", status)
	}
}

// TestAcceptAboveAppetiteAPI: the API refuses to accept a risk above its
// appetite unless above_appetite is set, naming the field.
func TestAcceptAboveAppetiteAPI(t *testing.T) {
	f := newFixture(t)
	status, hdr, data := f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "AWS region outage", "category": "supplier", "residual": map[string]int{"likelihood": 3, "impact": 4}, "owner": "risk@example.gov.uk"})
	var it RiskItem
	if status != http.StatusCreated || json.Unmarshal(data, &it) != nil {
		t.Fatalf("record: %d %s", status, data)
	}
	path := "/api/v1/risks/" + it.ID + "/accept"
	if status, _, data := f.do("risk", "POST", path, map[string]any{"rationale": "Tolerable.", "until": "2027-06-01"}, "If-Match", hdr.Get("ETag")); status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"location":"body.above_appetite"`) || !strings.Contains(string(data), "the residual score 12 is above the appetite for supplier risks (9)") {
		t.Errorf("without the acknowledgement: %d %s", status, data)
	}
	if status, _, data := f.do("risk", "POST", path, map[string]any{"rationale": "Tolerable.", "until": "2027-06-01", "above_appetite": true}, "If-Match", hdr.Get("ETag")); status != http.StatusCreated && status != http.StatusOK {
		t.Errorf("with it: %d %s", status, data)
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/risks/"+it.ID, nil)
	if status != http.StatusOK || !strings.Contains(string(data), `"above_appetite":true,"appetite":9`) {
		t.Errorf("the acceptance: %d %s", status, data)
	}
}

// TestStatementSaveNamesTheSystems: saving a provider statement says
// which systems' obligations change and lands on the comparison of the
// model before and after.
func TestStatementSaveNamesTheSystems(t *testing.T) {
	f := newFixture(t)
	v, _ := f.svc.Snapshot().Version(service.KindOffering, "casetrack/casetrack-cloud")
	resp, _ := f.page("editor", "POST", "/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-01",
		url.Values{"class": {"organisation-specific"}, "customer": {"We guard the data centre ourselves."}, "version": {strconv.FormatInt(v, 10)}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/providers/casetrack/offerings/casetrack-cloud\?from=\d+&to=\d+#diff$`).MatchString(loc) {
		t.Fatalf("save: %d to %q", resp.StatusCode, loc)
	}
	var flash string
	for _, c := range resp.Cookies() {
		if v, err := url.QueryUnescape(c.Value); err == nil && strings.Contains(v, "Statement for") {
			flash = v
		}
	}
	if !strings.Contains(flash, "Statement for srm:SRM-01 saved. The obligations of 1 system change: Court case tracker") {
		t.Errorf("flash %q", flash)
	}
	_, body := f.page("editor", "GET", strings.TrimSuffix(loc, "#diff"), nil)
	if !strings.Contains(body, `data-testid="diff-count">1 system is affected.`) {
		t.Error("the comparison is not on the page landed on")
	}
}

// TestDestructiveFormsAskFirst: removing a provider statement and
// revoking a token show a warning page first and change nothing until
// confirmed.
func TestDestructiveFormsAskFirst(t *testing.T) {
	f := newFixture(t)
	v, _ := f.svc.Snapshot().Version(service.KindOffering, "casetrack/casetrack-cloud")
	path := "/providers/casetrack/offerings/casetrack-cloud/statements/srm:SRM-01"
	form := url.Values{"action": {"remove"}, "version": {strconv.FormatInt(v, 10)}}
	resp, body := f.page("editor", "POST", path, form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Remove the statement for srm:SRM-01?") || !strings.Contains(body, `<input type="hidden" name="confirm" value="yes">`) {
		t.Fatalf("remove without confirming: %d", resp.StatusCode)
	}
	if info, _ := f.svc.Snapshot().Offering("casetrack/casetrack-cloud"); !slices.ContainsFunc(info.Offering.Statements, func(st remit.Statement) bool { return st.Control == "srm:SRM-01" }) {
		t.Fatal("asking first removed the statement")
	}
	form.Set("confirm", "yes")
	if resp, _ := f.page("editor", "POST", path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove, confirmed: %d", resp.StatusCode)
	}
	if info, _ := f.svc.Snapshot().Offering("casetrack/casetrack-cloud"); slices.ContainsFunc(info.Offering.Statements, func(st remit.Statement) bool { return st.Control == "srm:SRM-01" }) {
		t.Fatal("the confirmed removal kept the statement")
	}

	status, _, data := f.do("viewer", "GET", "/api/v1/tokens", nil)
	var toks struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if status != http.StatusOK || json.Unmarshal(data, &toks) != nil || len(toks.Items) == 0 {
		t.Fatalf("tokens: %d %s", status, data)
	}
	revoke := "/tokens/" + toks.Items[0].ID + "/revoke"
	resp, body = f.page("viewer", "POST", revoke, url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "is refused from now on") {
		t.Fatalf("revoke without confirming: %d", resp.StatusCode)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/tokens", nil); status != http.StatusOK {
		t.Fatal("asking first revoked the token")
	}
	if resp, _ := f.page("viewer", "POST", revoke, url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke, confirmed: %d", resp.StatusCode)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/tokens", nil); status != http.StatusUnauthorized {
		t.Errorf("the revoked token still works: %d", status)
	}
}

// TestListExports: findings, evidence and the audit trail download as
// CSV (and XLSX), every row, the audit trail filtered as its page is.
func TestListExports(t *testing.T) {
	f := newFixture(t)
	f.withEvidence()
	get := func(path string) (int, http.Header, string) {
		resp, body := f.page("viewer", "GET", path, nil)
		return resp.StatusCode, resp.Header, body
	}
	status, h, body := get("/api/v1/findings/export")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(body, "id,title,severity,status,owner,due,overdue,source,obligations,raised,raised by\n") ||
		!strings.Contains(body, ",No audit of CaseTrack's hosting,high,open,Supplier manager,2026-11-01,true,") {
		t.Errorf("findings: %d %v\n%s", status, h, body)
	}
	status, _, body = get("/api/v1/evidence/export")
	if status != http.StatusOK || !strings.Contains(body, ",SOC 2 Type II,CaseTrack SOC 2 Type II 2026,Example Audit LLP,2026-03-01,2027-03-01,true,offering casetrack/casetrack-cloud,") {
		t.Errorf("evidence: %d\n%s", status, body)
	}
	status, h, _ = get("/api/v1/evidence/export?format=xlsx")
	if status != http.StatusOK || h.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("evidence as XLSX: %d %v", status, h)
	}
	status, _, body = get("/api/v1/audit/export?kind=risk")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if status != http.StatusOK || lines[0] != "seq,at,actor,action,kind,id,what changed" || len(lines) < 2 {
		t.Fatalf("audit: %d\n%s", status, body)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, ",risk,ri-") {
			t.Errorf("a record of another kind in the risk export: %s", l)
		}
	}
	if status, _, _ := get("/api/v1/findings/export?format=pdf"); status != http.StatusBadRequest {
		t.Errorf("an unknown format: %d", status)
	}

	// What is still ours in a system: every obligation, and per status
	// the rows add up to the whole, as the system page counts them.
	rows := func(path string) [][]string {
		t.Helper()
		status, _, body := get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) == 0 || strings.Join(recs[0], ",") != "obligation,control,title,offering,what we must do,owner,status,due,overdue,assurance,notes" {
			t.Fatalf("%s: %v\n%s", path, err, body)
		}
		return recs[1:]
	}
	all := rows("/api/v1/systems/prison-visits/obligations/export")
	_, page := f.page("viewer", "GET", "/systems/prison-visits", nil)
	if want := fmt.Sprintf("%d obligations are ours", len(all)); len(all) == 0 || !strings.Contains(page, want) {
		t.Errorf("the export has %d obligations; the page does not say %q", len(all), want)
	}
	sum := 0
	for _, st := range remit.ObligationStatuses {
		some := rows("/api/v1/systems/prison-visits/obligations/export?status=" + string(st))
		for _, r := range some {
			if r[6] != words(st) {
				t.Errorf("status %s: a row of %q", st, r[6])
			}
		}
		sum += len(some)
	}
	if sum != len(all) {
		t.Errorf("the statuses' rows add up to %d, not %d", sum, len(all))
	}
	for _, r := range rows("/api/v1/systems/prison-visits/obligations/export?owner=none") {
		if r[5] != "Not assigned" && !strings.HasSuffix(r[5], " (the system's team)") {
			t.Errorf("an obligation with an owner named in the unowned export: %q", r[5])
		}
	}
	if status, _, _ := get("/api/v1/systems/prison-visits/obligations/export?status=done"); status != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", status)
	}
	if status, _, _ := get("/api/v1/systems/nowhere/obligations/export"); status != http.StatusNotFound {
		t.Errorf("an unknown system: %d", status)
	}
	if !strings.Contains(page, `href="/api/v1/systems/prison-visits/obligations/export?format=xlsx"`) {
		t.Error("the system page does not offer the list as XLSX")
	}
}
