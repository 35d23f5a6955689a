package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
)

// TestSupplierAssessmentAPI assesses CaseTrack Cloud through the API: a
// viewer may not start, bad answers are refused, an editor may not sign
// off, nor anyone before every principle has a result; signed off by an
// assessor it assures what it found met and fails what it did not, for
// the systems relying on the offering; after that it never changes.
func TestSupplierAssessmentAPI(t *testing.T) {
	f := newFixture(t)
	if status, _, body := f.do("viewer", "POST", "/api/v1/assessments", map[string]string{"offering": "casetrack/casetrack-cloud"}); status != http.StatusForbidden {
		t.Fatalf("viewer starts: %d %s", status, body)
	}
	if status, _, body := f.do("editor", "POST", "/api/v1/assessments", map[string]string{"offering": "casetrack/nothing"}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `there is no offering \"casetrack/nothing\"`) {
		t.Fatalf("unknown offering: %d %s", status, body)
	}
	status, hdr, body := f.do("editor", "POST", "/api/v1/assessments", map[string]string{"offering": "casetrack/casetrack-cloud"})
	if status != http.StatusCreated {
		t.Fatalf("start: %d %s", status, body)
	}
	var a remit.SupplierAssessment
	if err := json.Unmarshal(body, &a); err != nil || len(a.Principles) != 14 {
		t.Fatalf("started: %s", body)
	}
	version := hdr.Get("ETag")
	put := func(who, control string, work remit.PrincipleAssessment) (int, string) {
		status, hdr, body := f.do(who, "PUT", "/api/v1/assessments/"+a.ID+"/principles/"+url.PathEscape(control), work, "If-Match", version)
		if status == http.StatusNoContent || status == http.StatusOK {
			version = hdr.Get("ETag")
		}
		return status, string(body)
	}
	if status, body := put("editor", "ncsc-csp:CSP-01", remit.PrincipleAssessment{Answers: map[string]string{"01-Q1": "perhaps", "01-Q2": "SSL 3"}, Result: remit.NotMet}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `answer \"perhaps\" to 01-Q1 is not yes or no`) || !strings.Contains(body, "a result of not-met needs its rationale") {
		t.Fatalf("bad answers: %d %s", status, body)
	}
	complete := func(who string) (int, string) {
		status, hdr, body := f.do(who, "POST", "/api/v1/assessments/"+a.ID+"/complete", map[string]string{"conclusion": "Acceptable, one gap to close.", "valid_until": "2027-11-29"}, "If-Match", version)
		if status == http.StatusNoContent || status == http.StatusOK || status == http.StatusCreated {
			version = hdr.Get("ETag")
		}
		return status, string(body)
	}
	if status, body := complete("assessor"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "14 principles have no result yet") {
		t.Fatalf("complete with nothing assessed: %d %s", status, body)
	}
	for _, p := range content.SupplierQuestionnaire().Principles {
		work := remit.PrincipleAssessment{Result: remit.Met}
		if p.Control == "ncsc-csp:CSP-02" {
			work = remit.PrincipleAssessment{Result: remit.NotMet, Rationale: "No data centre audit reports offered."}
		}
		if status, body := put("editor", p.Control, work); status != http.StatusNoContent && status != http.StatusOK {
			t.Fatalf("%s: %d %s", p.Control, status, body)
		}
	}
	if status, body := complete("editor"); status != http.StatusForbidden {
		t.Fatalf("an editor signs off: %d %s", status, body)
	}
	if status, body := complete("assessor"); status != http.StatusNoContent && status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("sign off: %d %s", status, body)
	}
	assurance := func(control string) string {
		id := "court-case-tracking/" + control + "/casetrack/casetrack-cloud/provider"
		status, _, body := f.do("viewer", "GET", "/api/v1/obligations/"+url.PathEscape(id), nil)
		var o Obligation
		if status != http.StatusOK || json.Unmarshal(body, &o) != nil || o.Assurance == nil {
			t.Fatalf("GET %s: %d %s", id, status, body)
		}
		return string(o.Assurance.Status) + ": " + o.Assurance.Reason
	}
	for control, want := range map[string]string{
		"srm:SRM-01": "failed: assessment " + a.ID + " (ncsc-csp:CSP-02 not-met): No data centre audit reports offered.",
		"srm:SRM-15": "assured: assured by assessment " + a.ID + " (ncsc-csp:CSP-01 met), until 2027-11-29",
		"srm:SRM-03": "unassured: no evidence or assessment yet that casetrack/casetrack-cloud does this",
	} {
		if got := assurance(control); got != want {
			t.Errorf("%s: %q, want %q", control, got, want)
		}
	}
	if status, body := put("assessor", "ncsc-csp:CSP-02", remit.PrincipleAssessment{Result: remit.Met}); status != http.StatusConflict {
		t.Errorf("changing a completed assessment: %d %s", status, body)
	}
	// The system page shows the failure in the matrix.
	_, page := f.page("viewer", "GET", "/systems/court-case-tracking?class=inherited", nil)
	if !strings.Contains(page, `data-control="srm:SRM-01"`) || !strings.Contains(page, `<strong class="govuk-tag govuk-tag--red">failed</strong>`) {
		t.Error("the system page does not show SRM-01 failed")
	}
	// And where the assurance it reuses comes from.
	if !strings.Contains(page, "supplier assessment "+a.ID) {
		t.Error("the system page does not name the assessment its provider assurance comes from")
	}
}
