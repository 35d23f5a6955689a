package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestFindingsAPI raises, refuses and changes findings: overdue while
// open past their due date, not once closed.
func TestFindingsAPI(t *testing.T) {
	f := newFixture(t)
	raise := map[string]any{"title": "No MFA for CaseTrack support staff", "severity": "high", "owner": "Supplier manager", "due": "2026-11-01", "status": "open",
		"obligations": []string{"court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/provider"}}
	if status, _, body := f.do("viewer", "POST", "/api/v1/findings", raise); status != http.StatusForbidden {
		t.Fatalf("viewer raises: %d %s", status, body)
	}
	status, _, body := f.do("assessor", "POST", "/api/v1/findings", map[string]any{"title": " ", "severity": "high", "status": "open", "due": "1 Nov", "obligations": []string{"SRM-11"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "title is required") || !strings.Contains(string(body), `due \"1 Nov\" is not a date`) || !strings.Contains(string(body), `\"SRM-11\" is not an obligation id`) {
		t.Fatalf("bad finding: %d %s", status, body)
	}
	status, hdr, body := f.do("assessor", "POST", "/api/v1/findings", raise)
	var fi FindingItem
	if status != http.StatusCreated || json.Unmarshal(body, &fi) != nil || !fi.Overdue || !strings.HasPrefix(fi.ID, "fi-") {
		t.Fatalf("raise: %d %s", status, body)
	}
	status, _, body = f.do("viewer", "GET", "/api/v1/findings?overdue=true", nil)
	if status != http.StatusOK || !strings.Contains(string(body), fi.ID) {
		t.Errorf("overdue list: %d %s", status, body)
	}
	raise["status"] = "closed"
	if status, _, body := f.do("assessor", "PUT", "/api/v1/findings/"+fi.ID, raise, "If-Match", `"7"`); status != http.StatusConflict {
		t.Errorf("stale version: %d %s", status, body)
	}
	if status, _, body := f.do("assessor", "PUT", "/api/v1/findings/"+fi.ID, raise, "If-Match", hdr.Get("ETag")); status != http.StatusNoContent && status != http.StatusOK {
		t.Fatalf("close: %d %s", status, body)
	}
	status, _, body = f.do("viewer", "GET", "/api/v1/findings?overdue=true", nil)
	if status != http.StatusOK || strings.Contains(string(body), fi.ID) {
		t.Errorf("a closed finding is still overdue: %s", body)
	}
}
