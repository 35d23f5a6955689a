package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"remit/internal/remit"
)

// TestSupplierClausePages: an assessor adds the standard security aspects
// letter's clauses to a supplier, the provider page counts them by
// assurance and each row agrees; a finding ticked against one fails it;
// evidence naming one assures it; a clause typed in wrong is refused
// field by field; removing one asks first.
func TestSupplierClausePages(t *testing.T) {
	f := newFixture(t)
	_, body := f.page("assessor", "GET", "/providers/casetrack", nil)
	if !strings.Contains(body, "Add the standard security aspects letter's 8 clauses") || !strings.Contains(body, "No clause recorded") {
		t.Fatal("the provider page does not offer the standard clauses")
	}
	if _, body := f.page("viewer", "GET", "/providers/casetrack", nil); strings.Contains(body, "/clauses/standard") {
		t.Error("a viewer is offered the standard clauses")
	}
	resp, _ := f.page("assessor", "POST", "/providers/casetrack/clauses/standard", url.Values{"version": {"0"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/providers/casetrack#clauses" {
		t.Fatalf("standard clauses: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = f.page("viewer", "GET", "/providers/casetrack", nil)
	if got := section(t, body, `data-testid="clause-counts"`, "</p>"); !strings.Contains(got, "8 clauses, each a supplier obligation: 8 unassured.") {
		t.Errorf("counts: %s", got)
	}

	// A finding fails the vetting clause; evidence assures the breach one.
	resp, body = f.page("assessor", "GET", "/findings", nil)
	if !strings.Contains(body, `value="casetrack/vetting"`) {
		t.Fatal("the finding form offers no clause")
	}
	resp, _ = f.page("assessor", "POST", "/findings", url.Values{"title": {"Support staff not BPSS cleared"}, "severity": {"high"}, "clauses": {"casetrack/vetting"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finding: %d", resp.StatusCode)
	}
	status, _, data := f.do("assessor", "POST", "/api/v1/evidence", map[string]any{"kind": "policy", "title": "CaseTrack incident procedure", "url": "https://casetrack.example/ir",
		"supports": []map[string]string{{"on": "clause", "ref": "casetrack/breach-notification"}}})
	if status != http.StatusCreated {
		t.Fatalf("evidence: %d %s", status, data)
	}
	status, _, data = f.do("assessor", "POST", "/api/v1/evidence", map[string]any{"kind": "policy", "title": "x", "url": "https://x.example",
		"supports": []map[string]string{{"on": "clause", "ref": "casetrack/breach-notificaton"}}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `casetrack has no clause \"breach-notificaton\" (did you mean \"breach-notification\"?)`) {
		t.Errorf("evidence for a clause that is not there: %d %s", status, data)
	}
	_, body = f.page("viewer", "GET", "/providers/casetrack", nil)
	counts := section(t, body, `data-testid="clause-counts"`, "</p>")
	table := section(t, body, `data-testid="clauses"`, "</table>")
	if !strings.Contains(counts, "1 assured, 6 unassured, 1 failed") {
		t.Errorf("counts after: %s", counts)
	}
	if n := strings.Count(table, ">assured</strong>"); n != 1 {
		t.Errorf("%d rows assured, the counts say 1", n)
	}
	if n := strings.Count(table, ">failed</strong>"); n != 1 || !strings.Contains(table, "Support staff not BPSS cleared") {
		t.Errorf("%d rows failed, the counts say 1:\n%s", n, table)
	}

	// A clause typed in wrong.
	resp, body = f.page("assessor", "POST", "/providers/casetrack/clauses", url.Values{"version": {"2"}, "id": {"Data return!"}, "kind": {"breach-notification"}, "title": {""}, "source": {"contract"}, "controls": {"CSP-05"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad clause: %d", resp.StatusCode)
	}
	for _, field := range []string{"id", "title", "hours", "controls"} {
		if !strings.Contains(body, `href="#`+field+`"`) {
			t.Errorf("no error against %s", field)
		}
	}
	resp, _ = f.page("assessor", "POST", "/providers/casetrack/clauses", url.Values{"version": {"1"}, "id": {"data-return"}, "kind": {"other"}, "title": {"Return our data within 30 days of the end"}, "source": {"contract"}, "reference": {"Schedule 4"},
		"evidence_kinds": {"attestation"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good clause: %d", resp.StatusCode)
	}
	// Removing asks first.
	resp, body = f.page("assessor", "POST", "/providers/casetrack/clauses/data-return/remove", url.Values{"version": {"2"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Remove the clause Return our data within 30 days of the end?") {
		t.Fatalf("remove without confirming: %d", resp.StatusCode)
	}
	if v, _ := f.svc.Supplier(t.Context(), "casetrack"); len(v.Clauses) != 9 {
		t.Fatalf("removed before confirming: %d clauses", len(v.Clauses))
	}
	resp, _ = f.page("assessor", "POST", "/providers/casetrack/clauses/data-return/remove", url.Values{"version": {"2"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if v, _ := f.svc.Supplier(t.Context(), "casetrack"); len(v.Clauses) != 8 {
		t.Errorf("after removing: %d clauses", len(v.Clauses))
	}
	// The scorecards count them too.
	status, _, data = f.do("viewer", "GET", "/api/v1/scorecards", nil)
	if status != http.StatusOK || !strings.Contains(string(data), `"clauses":{"assured":1,"failed":1,"unassured":6}`) {
		t.Errorf("scorecards: %d %.400s", status, data)
	}
}

// caiqWorkbook is a small workbook in the CAIQ v4 layout, in our words.
func caiqWorkbook(t *testing.T) []byte {
	t.Helper()
	x := excelize.NewFile()
	const sh = "CAIQv4.0.3"
	_, _ = x.NewSheet(sh)
	_ = x.SetSheetRow(sh, "A2", &[]any{"Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership", "CSP Implementation Description", "CSC Responsibilities", "CCM Control ID", "CCM Control Specification", "CCM Control Title", "CCM Domain Title"})
	_ = x.SetSheetRow(sh, "A3", &[]any{"A&A-01.1", "Are audit policies set out and kept?", "", "", "", "", "A&A-01", "Keep audit policies.", "Audit policy", "Audit & Assurance"})
	_ = x.SetSheetRow(sh, "A4", &[]any{"A&A-01.2", "Are they reviewed every year?", "", "", "", "", "A&A-01", "Review yearly.", "Audit policy", "Audit & Assurance"})
	_ = x.SetSheetRow(sh, "A5", &[]any{"IAM-01.1", "Is there an access policy?", "", "", "", "", "IAM-01", "", "Policy", "Identity & Access Management"})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a multipart form with one file as who.
func (f *fixture) upload(who, path string, fields map[string]string, field, name string, data []byte) (int, string) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.server.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location") + string(b)
}

// TestQuestionnairePages: a CAIQ-shaped workbook becomes a template
// through the page and through the API; a question is added and moved;
// the YAML download reads back; an assessment on the template is served
// by the portal; once used, deleting a question is refused.
func TestQuestionnairePages(t *testing.T) {
	f := newFixture(t)
	book := caiqWorkbook(t)
	if status, _ := f.upload("editor", "/questionnaires/import", map[string]string{"template": "caiq-v4", "title": "CSA CAIQ v4"}, "file", "caiq.xlsx", book); status != http.StatusForbidden {
		t.Errorf("an editor imports: %d", status)
	}
	status, out := f.upload("assessor", "/questionnaires/import", map[string]string{"template": "", "title": ""}, "file", "caiq.xlsx", book)
	if status != http.StatusUnprocessableEntity || !strings.Contains(out, `href="#template"`) || !strings.Contains(out, `href="#title"`) {
		t.Errorf("no id or title: %d", status)
	}
	status, out = f.upload("assessor", "/questionnaires/import", map[string]string{"template": "caiq-v4", "title": "CSA CAIQ v4"}, "file", "caiq.xlsx", []byte("not a workbook"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(out, "caiq.xlsx") {
		t.Errorf("not a workbook: %d %s", status, section(t, out, "govuk-error-summary", "</div>"))
	}
	status, out = f.upload("assessor", "/questionnaires/import", map[string]string{"template": "caiq-v4", "title": "CSA CAIQ v4"}, "file", "caiq.xlsx", book)
	if status != http.StatusSeeOther || !strings.HasPrefix(out, "/questionnaires/caiq-v4") {
		t.Fatalf("import: %d %.200s", status, out)
	}
	_, body := f.page("viewer", "GET", "/questionnaires", nil)
	table := section(t, body, `data-testid="questionnaires"`, "</table>")
	if !strings.Contains(table, "CSA CAIQ v4</a>") || !strings.Contains(table, "Supplier assessment against the NCSC Cloud Security Principles</a> <strong class=\"govuk-tag govuk-tag--grey\">built in</strong>") {
		t.Errorf("list:\n%s", table)
	}
	_, body = f.page("assessor", "GET", "/questionnaires/caiq-v4", nil)
	if !strings.Contains(body, "2 principles, 3 questions; not used by any assessment yet") || !strings.Contains(body, "Audit &amp; Assurance") {
		t.Fatalf("the template page:\n%s", section(t, body, "<h1", "</form>"))
	}
	resp, _ := f.page("assessor", "POST", "/questionnaires/caiq-v4/questions", url.Values{"version": {"1"}, "principle": {"caiq:IAM"}, "id": {"IAM-01.2"}, "text": {"Is the policy reviewed yearly?"}, "type": {"yes-no"}, "expect": {"yes"}, "evidence": {"The policy"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a question: %d", resp.StatusCode)
	}
	resp, body = f.page("assessor", "POST", "/questionnaires/caiq-v4/questions", url.Values{"version": {"2"}, "principle": {"caiq:IAM"}, "id": {"IAM-01.2"}, "text": {"Again"}, "type": {"choice"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "uestion IAM-01.2 is listed twice") || !strings.Contains(body, " choice needs at least two options") {
		t.Errorf("a bad question: %d", resp.StatusCode)
	}
	if resp, _ := f.page("assessor", "POST", "/questionnaires/caiq-v4/questions", url.Values{"version": {"1"}, "principle": {"caiq:IAM"}, "id": {"x"}, "text": {"x"}, "type": {"text"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("a stale form: %d", resp.StatusCode)
	}
	resp, _ = f.page("assessor", "POST", "/questionnaires/caiq-v4/move", url.Values{"version": {"2"}, "question": {"IAM-01.2"}, "direction": {"up"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", resp.StatusCode)
	}
	q, err := f.svc.QuestionnaireVersion(t.Context(), "caiq-v4", 0)
	if err != nil || q.Version != 3 || q.Principles[1].Questions[0].ID != "IAM-01.2" || q.Principles[1].Questions[1].ID != "IAM-01.1" {
		t.Fatalf("after moving: %+v %v", q, err)
	}
	// The YAML download reads back as the same template.
	resp, yml := f.page("viewer", "GET", "/questionnaires/caiq-v4/yaml", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(yml, "template: caiq-v4") || !strings.Contains(yml, "version: 3") {
		t.Fatalf("yaml: %d %.200s", resp.StatusCode, yml)
	}
	// The API: list, get a version, publish through PUT, import a workbook.
	status, _, data := f.do("viewer", "GET", "/api/v1/questionnaires", nil)
	if status != http.StatusOK || !strings.Contains(string(data), `"template":"caiq-v4","version":3`) {
		t.Errorf("list: %d %s", status, data)
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/questionnaires/caiq-v4?version=1", nil)
	if status != http.StatusOK || strings.Contains(string(data), "IAM-01.2") {
		t.Errorf("version 1: %d %s", status, data)
	}
	status, _, data = f.do("assessor", "PUT", "/api/v1/questionnaires/own", map[string]any{"template": "own", "version": 1, "title": "Our questions",
		"principles": []map[string]any{{"control": "ncsc-csp:CSP-05", "title": "Operational security", "questions": []map[string]any{{"id": "o1", "text": "Patched in 14 days?", "type": "yes-no", "expect": "yes"}}}}})
	if status/100 != 2 {
		t.Fatalf("put: %d %s", status, data)
	}
	req, _ := http.NewRequest("POST", f.server.URL+"/api/v1/questionnaires/caiq-api/caiq?title=CAIQ+by+API", bytes.NewReader(book))
	req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	req.Header.Set("Authorization", "Bearer "+f.tokens["assessor"])
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"template":"caiq-api"`) {
		t.Errorf("caiq by API: %d %.300s", r.StatusCode, b)
	}

	// An assessment on our template; the portal asks its questions.
	status, _, data = f.do("assessor", "POST", "/api/v1/assessments", map[string]string{"offering": "casetrack/casetrack-cloud", "template": "own"})
	if status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("start: %d %s", status, data)
	}
	var a remit.SupplierAssessment
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Template != "own" {
		t.Fatalf("assessment template %q", a.Template)
	}
	_, secret, err := f.svc.CreatePortalLink(t.Context(), assessorW, a.ID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, body = f.page("", "GET", "/portal/"+secret, nil)
	if !strings.Contains(body, "Patched in 14 days?") || strings.Contains(body, "Is all traffic between our users") {
		t.Errorf("the portal does not serve the template:\n%.2000s", body)
	}
	// Used now: a version that drops o1 is refused.
	status, _, data = f.do("assessor", "PUT", "/api/v1/questionnaires/own", map[string]any{"template": "own", "version": 2, "title": "Our questions",
		"principles": []map[string]any{{"control": "ncsc-csp:CSP-05", "title": "Operational security", "questions": []map[string]any{{"id": "o2", "text": "Other", "type": "text"}}}}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), "question o1 of ncsc-csp:CSP-05 is deleted") {
		t.Errorf("dropping an answered question: %d %s", status, data)
	}
}

// TestSupplierSettingsPage: admins set each tier's rules; others read
// them; the provider page's schedule follows.
func TestSupplierSettingsPage(t *testing.T) {
	f := newFixture(t)
	_, body := f.page("assessor", "GET", "/suppliers/settings", nil)
	if !strings.Contains(body, `data-testid="tier-rules"`) || strings.Contains(body, `action="/suppliers/settings"`) {
		t.Error("an assessor is offered the form")
	}
	form := url.Values{"version": {"0"}, "tier1_questionnaire": {"ncsc-supplier"}, "tier1_months": {"0"}, "tier2_questionnaire": {"ncsc-supplier"}, "tier2_months": {"24"},
		"tier3_questionnaire": {"ncsc-supplier"}, "tier3_months": {"36"}}
	resp, body := f.page("admin", "POST", "/suppliers/settings", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#tier1_months"`) {
		t.Fatalf("months 0: %d", resp.StatusCode)
	}
	form.Set("tier1_months", "6")
	form["tier1_evidence"] = []string{"iso-27001"}
	if resp, _ := f.page("admin", "POST", "/suppliers/settings", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	st, v, _ := f.svc.SupplierSettings(t.Context())
	if v != 1 || st.Policy(1).Months != 6 || len(st.Policy(1).Evidence) != 1 || !st.Policy(3).SelfAttested() {
		t.Errorf("settings: v%d %+v", v, st)
	}
	status, h, _ := f.do("viewer", "GET", "/api/v1/suppliers/settings", nil)
	if status != http.StatusOK || h.Get("ETag") != `"1"` {
		t.Errorf("api: %d %s", status, h.Get("ETag"))
	}
	sv, _ := f.svc.Supplier(t.Context(), "aws")
	_, body = f.page("viewer", "GET", "/providers/aws", nil)
	sched := section(t, body, `data-testid="schedule"`, "</p>")
	if !strings.Contains(sched, "Due "+sv.Schedule.Due) || !strings.Contains(sched, "never been assessed") {
		t.Errorf("schedule: %s", sched)
	}
}

// TestSupplierPack: the supplier pack is a Word document with the record,
// the schedule, and clause counts that agree with its own table.
func TestSupplierPack(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.SetSupplier(t.Context(), assessorW, "casetrack", remit.SupplierRecord{Contract: &remit.Contract{Reference: "CT-2026-01", End: "2028-12-31", NoticeDays: 90},
		SubProcessors: []remit.SubProcessor{{Name: "Amazon Web Services", Provider: "aws", Purpose: "hosting"}}, Clauses: f.svc.StandardClauses()}, 0); err != nil {
		t.Fatal(err)
	}
	resp, body := f.page("viewer", "GET", "/api/v1/providers/casetrack/pack", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != docxType || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="supplier-pack-casetrack-`) {
		t.Fatalf("pack: %d %v", resp.StatusCode, resp.Header)
	}
	paras := docText(t, []byte(body))
	all := strings.Join(paras, "\n")
	for _, want := range []string{"CaseTrack Ltd (fictional): supplier pack", "CT-2026-01", "give notice by 2028-10-02", "Amazon Web Services: hosting", "Its next assessment", "it has never been assessed",
		"From its contract and security aspects letter: 8 clauses — 8 unassured."} {
		if !strings.Contains(all, want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	if n := strings.Count(all, "\nunassured\n"); n < 8 {
		t.Errorf("%d rows say unassured; the clauses alone are 8", n)
	}
}

// assessorW is the fixture's assessor, acting through the service.
var assessorW = remit.Principal{Email: "assessor@example.gov.uk", Role: remit.RoleAssessor}

// TestCarveOutsNameOfferings: a SOC 2 report's carve-outs are offerings
// of the estate, through the API and the form, with the nearest one
// suggested.
func TestCarveOutsNameOfferings(t *testing.T) {
	f := newFixture(t)
	body := map[string]any{"kind": "soc2-type-2", "title": "CaseTrack SOC 2", "url": "https://trust.casetrack.example/soc2", "issued": "2026-02-01", "expires": "2027-02-01",
		"supports": []map[string]string{{"on": "offering", "ref": "casetrack/casetrack-cloud"}},
		"soc2":     map[string]any{"period_start": "2025-01-01", "period_end": "2025-12-31", "carve_outs": []string{"aws/ec3"}}}
	status, _, data := f.do("assessor", "POST", "/api/v1/evidence", body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"body.soc2.carve_outs.0"`) || !strings.Contains(string(data), `(did you mean \"aws/ec2\"?)`) {
		t.Errorf("an unknown carve-out: %d %s", status, data)
	}
	body["soc2"].(map[string]any)["carve_outs"] = []string{"aws/ec2"}
	if status, _, data := f.do("assessor", "POST", "/api/v1/evidence", body); status != http.StatusCreated {
		t.Errorf("a known carve-out: %d %s", status, data)
	}
}

// TestObligationChainShown: a provider's obligation resting on a fourth
// party says so on its page, names the failing link when the report
// carves that party out and it has no evidence, and is assured once it
// has.
func TestObligationChainShown(t *testing.T) {
	f := newFixture(t)
	f.withEvidence() // CaseTrack's SOC 2 carves out aws/ec2
	const page = "/obligations/court-case-tracking/srm:SRM-01/casetrack/casetrack-cloud/provider"
	_, body := f.page("viewer", "GET", page, nil)
	chain, assurance := section(t, body, `data-testid="chain"`, "</dd>"), section(t, body, `data-testid="assurance"`, "</dd>")
	if !strings.Contains(chain, "CaseTrack Ltd (fictional): CaseTrack Cloud runs on <a") || !strings.Contains(chain, "Amazon EC2</a>") ||
		!strings.Contains(chain, `Amazon Web Services: Amazon EC2: <strong class="govuk-tag govuk-tag--red">carved out</strong> <span class="govuk-body-s">by <a class="govuk-link" href="/evidence/ev-`) {
		t.Errorf("chain: %s", chain)
	}
	if !strings.Contains(assurance, ">unassured</strong>") || !strings.Contains(assurance, "aws/ec2 is carved out of &#34;CaseTrack SOC 2 Type II 2026&#34;") {
		t.Errorf("assurance: %s", assurance)
	}
	if status, _, data := f.do("assessor", "POST", "/api/v1/evidence", map[string]any{"kind": "iso-27001", "title": "AWS ISO 27001", "url": "https://aws.example/iso", "issued": "2026-01-01", "expires": "2028-12-31",
		"supports": []map[string]string{{"on": "offering", "ref": "aws/ec2"}}}); status != http.StatusCreated {
		t.Fatalf("AWS evidence: %d %s", status, data)
	}
	_, body = f.page("viewer", "GET", page, nil)
	if a := section(t, body, `data-testid="assurance"`, "</dd>"); !strings.Contains(a, ">assured</strong>") || !strings.Contains(a, "the part resting on aws/ec2: assured by &#34;AWS ISO 27001&#34;") {
		t.Errorf("with AWS evidence: %s", a)
	}
	// An obligation CaseTrack meets alone shows no chain.
	if _, body := f.page("viewer", "GET", "/obligations/court-case-tracking/srm:SRM-03/casetrack/casetrack-cloud/provider", nil); strings.Contains(body, `data-testid="chain"`) {
		t.Error("SRM-03 rests on CaseTrack alone")
	}
}

// TestCoverageDecisionPages: an assessor decides whether a report covers
// a fourth party it is silent on, through the evidence page's form (each
// problem against its field, a confirmation before withdrawing) and the
// API (problem JSON, If-Match); the offering pages and the chain API
// agree with what follows.
func TestCoverageDecisionPages(t *testing.T) {
	f := newFixture(t)
	status, h, data := f.do("assessor", "POST", "/api/v1/evidence", map[string]any{"kind": "soc2-type-2", "title": "CaseTrack SOC 2 (silent)", "url": "https://trust.casetrack.example/soc2", "issued": "2026-02-01", "expires": "2027-02-01",
		"supports": []map[string]string{{"on": "offering", "ref": "casetrack/casetrack-cloud"}}, "soc2": map[string]any{"period_start": "2025-01-01", "period_end": "2025-12-31"}})
	if status != http.StatusCreated {
		t.Fatalf("evidence: %d %s", status, data)
	}
	var ev remit.Evidence
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	page := "/evidence/" + ev.ID
	etag := h.Get("ETag")
	if etag == "" {
		_, h, _ = f.do("viewer", "GET", "/api/v1/evidence/"+ev.ID, nil)
		etag = h.Get("ETag")
	}

	// The page names the fourth party, says its coverage is unknown and
	// offers assessors the decision; a viewer gets no form.
	_, body := f.page("assessor", "GET", page, nil)
	card := section(t, body, `data-fourth-party="aws/ec2"`, "</form>")
	if !strings.Contains(card, "CaseTrack Cloud, for 17 controls") || !strings.Contains(card, ">coverage unknown</strong>") || !strings.Contains(card, "Does this evidence cover Amazon EC2's part?") {
		t.Errorf("the fourth party's card: %s", card)
	}
	if _, body := f.page("viewer", "GET", page, nil); strings.Contains(body, "/coverage\"") {
		t.Error("a viewer is offered the decision")
	}

	// The form: no answer and no rationale, each named against its field;
	// nothing kept.
	version := strings.Trim(etag, `"`)
	resp, body := f.page("assessor", "POST", page+"/coverage", url.Values{"version": {version}, "offering": {"aws/ec2"}, "rationale": {" "}})
	if summary := section(t, body, "govuk-error-summary", "</ul>"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary, `href="#coverage-aws-ec2-covered"`) ||
		!strings.Contains(summary, "Say whether the evidence covers Amazon Web Services: Amazon EC2") || !strings.Contains(summary, `href="#coverage-aws-ec2-rationale"`) {
		t.Errorf("no answer and no rationale, both said at once: %d %s", resp.StatusCode, summary)
	}
	resp, body = f.page("assessor", "POST", page+"/coverage", url.Values{"version": {version}, "offering": {"aws/ec2"}, "covered": {"yes"}, "rationale": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#coverage-aws-ec2-rationale"`) || !strings.Contains(body, "Give the rationale") ||
		!strings.Contains(body, `id="coverage-aws-ec2-covered" name="covered" type="radio" value="yes" checked>`) {
		t.Errorf("no rationale, the answer kept: %d %s", resp.StatusCode, section(t, body, "govuk-error-summary", "</div>"))
	}
	if _, _, data := f.do("viewer", "GET", "/api/v1/evidence/"+ev.ID, nil); strings.Contains(string(data), `"coverage"`) {
		t.Errorf("a refused decision was kept: %s", data)
	}

	// Decided covered: the obligations resting on AWS are assured through
	// the report, and the page says who decided and why.
	resp, _ = f.page("assessor", "POST", page+"/coverage", url.Values{"version": {version}, "offering": {"aws/ec2"}, "covered": {"yes"}, "rationale": {"Section 3 tests AWS's physical controls."}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"#fourth-parties" {
		t.Fatalf("decided: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = f.page("assessor", "GET", page, nil)
	card = section(t, body, `data-fourth-party="aws/ec2"`, "</form>")
	if !strings.Contains(card, ">covered</strong> as an assessor decided") || !strings.Contains(card, "Section 3 tests AWS&#39;s physical controls.") || !strings.Contains(card, "Decided by assessor@example.gov.uk") {
		t.Errorf("after the decision: %s", card)
	}
	_, body = f.page("viewer", "GET", "/providers/casetrack/offerings/casetrack-cloud", nil)
	rests := section(t, body, `data-testid="rests-on"`, "</table>")
	if !strings.Contains(rests, "Amazon EC2</a>") || !strings.Contains(rests, ">covered</strong> as an assessor decided") || !strings.Contains(rests, `<td class="govuk-table__cell govuk-table__cell--numeric" data-testid="short">0</td>`) {
		t.Errorf("CaseTrack's page: %s", rests)
	}

	// Through the API: a stale ETag is refused, an unknown fourth party is
	// named with the nearest, a viewer is forbidden; then decided not
	// covered.
	decision := map[string]any{"offering": "aws/ec2", "covered": false, "rationale": "The 2025 report drops section 3."}
	if status, _, data := f.do("assessor", "PUT", "/api/v1/evidence/"+ev.ID+"/coverage", decision, "If-Match", etag); status != http.StatusPreconditionFailed && status != http.StatusConflict {
		t.Errorf("a stale ETag: %d %s", status, data)
	}
	_, h, _ = f.do("viewer", "GET", "/api/v1/evidence/"+ev.ID, nil)
	etag = h.Get("ETag")
	if status, _, data := f.do("viewer", "PUT", "/api/v1/evidence/"+ev.ID+"/coverage", decision, "If-Match", etag); status != http.StatusForbidden {
		t.Errorf("a viewer: %d %s", status, data)
	}
	if status, _, data := f.do("assessor", "PUT", "/api/v1/evidence/"+ev.ID+"/coverage", map[string]any{"offering": "aws/ec3", "covered": true, "rationale": "x"}, "If-Match", etag); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(data), `(did you mean \"aws/ec2\"?)`) || !strings.Contains(string(data), `"body.offering"`) {
		t.Errorf("an unknown fourth party: %d %s", status, data)
	}
	status, h, data = f.do("assessor", "PUT", "/api/v1/evidence/"+ev.ID+"/coverage", decision, "If-Match", etag)
	if status != http.StatusOK && status != http.StatusNoContent {
		t.Fatalf("decided not covered: %d %s", status, data)
	}
	etag = h.Get("ETag")

	// AWS has no evidence in the fixture: all 17 are unassured through
	// it, on both offerings' pages, the chain API and the scorecards.
	_, body = f.page("viewer", "GET", "/providers/aws/offerings/ec2", nil)
	if by := section(t, body, `data-testid="relied-on-by"`, "</table>"); !strings.Contains(by, "CaseTrack Cloud</a>") || !strings.Contains(by, ">not covered</strong> as an assessor decided") ||
		!strings.Contains(by, `data-testid="short">17</td>`) {
		t.Errorf("AWS's page: %s", by)
	}
	if leaves := section(t, body, `data-testid="leaves"`, "</p>"); !strings.Contains(leaves, "<strong>17</strong> of their obligations not assured") {
		t.Errorf("AWS's page: %s", leaves)
	}
	var chain struct {
		RestsOn []struct {
			RestsOn        string         `json:"rests_on"`
			Coverage       string         `json:"coverage"`
			LeftNotAssured int            `json:"left_not_assured"`
			Own            map[string]int `json:"own"`
			Controls       []string       `json:"controls"`
		} `json:"rests_on"`
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/chain", nil)
	if err := json.Unmarshal(data, &chain); status != http.StatusOK || err != nil || len(chain.RestsOn) != 1 {
		t.Fatalf("chain: %d %s", status, data)
	}
	if l := chain.RestsOn[0]; l.RestsOn != "aws/ec2" || l.Coverage != "decided-not-covered" || l.LeftNotAssured != 17 || len(l.Controls) != 17 || l.Own["unassured"] != 17 {
		t.Errorf("chain: %+v", l)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/providers/casetrack/offerings/nothing/chain", nil); status != http.StatusNotFound {
		t.Errorf("the chain of no offering: %d", status)
	}
	_, body = f.page("viewer", "GET", "/scorecards", nil)
	if c := section(t, body, `data-provider="aws"`, "</th>"); !strings.Contains(c, `<strong data-testid="card-leaves">17</strong> obligations of other offerings resting on it are not assured through it`) {
		t.Errorf("AWS's scorecard: %s", c)
	}

	// Withdrawing asks first, then the report is silent again.
	resp, body = f.page("assessor", "POST", page+"/coverage/withdraw", url.Values{"version": {strings.Trim(etag, `"`)}, "offering": {"aws/ec2"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Withdraw the decision on Amazon Web Services: Amazon EC2?") {
		t.Fatalf("withdraw unconfirmed: %d", resp.StatusCode)
	}
	resp, _ = f.page("assessor", "POST", page+"/coverage/withdraw", url.Values{"version": {strings.Trim(etag, `"`)}, "offering": {"aws/ec2"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if _, body := f.page("viewer", "GET", page, nil); !strings.Contains(section(t, body, `data-fourth-party="aws/ec2"`, "</dl>"), ">coverage unknown</strong>") {
		t.Error("withdrawn, the report is not silent again")
	}
}
