package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/service"
)

// TestSupplierRecord: a provider's page says its tier and why, worked out
// from the systems relying on it; assessors keep its record (a bad one is
// refused field by field, through the API and the form); a tier set by
// hand shows with its reason beside the one worked out.
func TestSupplierRecord(t *testing.T) {
	f := newFixture(t)
	relying := f.svc.Snapshot().Relying(func(o service.OfferingInfo) bool { return o.ProviderID == "casetrack" })
	var classes []string
	for _, r := range relying {
		classes = append(classes, r.Classification)
	}
	tier, why := remit.DeriveTier(classes)
	_, body := f.page("viewer", "GET", "/providers/casetrack", nil)
	rec := section(t, body, `data-testid="supplier-record"`, "</dl>")
	if want := "<strong>Tier " + string(rune('0'+tier)) + "</strong>: " + why; !strings.Contains(rec, want) {
		t.Errorf("the record does not say %q:\n%s", want, rec)
	}
	if strings.Contains(body, "/providers/casetrack/supplier\"") {
		t.Error("a viewer is offered the change")
	}

	status, h, _ := f.do("viewer", "GET", "/api/v1/providers/casetrack/supplier", nil)
	if status != http.StatusOK || h.Get("ETag") != `"0"` {
		t.Fatalf("get: %d %s", status, h.Get("ETag"))
	}
	good := map[string]any{"tier": 1, "tier_reason": "It holds every court case file", "data_locations": []string{"United Kingdom"},
		"contract": map[string]any{"reference": "CT-2026-01", "start": "2026-01-01", "end": "2028-12-31", "notice_days": 90, "renewal": "automatic"}}
	if status, _, _ := f.do("editor", "PUT", "/api/v1/providers/casetrack/supplier", good, "If-Match", `"0"`); status != http.StatusForbidden {
		t.Errorf("an editor keeps the record: %d", status)
	}
	status, _, data := f.do("assessor", "PUT", "/api/v1/providers/casetrack/supplier", map[string]any{"tier": 2, "contract": map[string]any{"end": "someday"}}, "If-Match", `"0"`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"body.tier_reason"`) || !strings.Contains(string(data), `"body.contract.end"`) || !strings.Contains(string(data), `"body.contract.reference"`) {
		t.Errorf("a bad record: %d %s", status, data)
	}
	if status, h, data := f.do("assessor", "PUT", "/api/v1/providers/casetrack/supplier", good, "If-Match", `"0"`); status/100 != 2 || h.Get("ETag") != `"1"` {
		t.Fatalf("a good record: %d %s", status, data)
	}
	_, body = f.page("viewer", "GET", "/providers/casetrack", nil)
	rec = section(t, body, `data-testid="supplier-record"`, "</dl>")
	for _, want := range []string{"<strong>Tier 1</strong>, set by hand: It holds every court case file", "CT-2026-01, from 2026-01-01 to 2028-12-31; renewal automatic; 90 days' notice", "Give notice by 2028-10-02", "United Kingdom"} {
		if !strings.Contains(rec, want) {
			t.Errorf("the record lacks %q:\n%s", want, rec)
		}
	}

	resp, body := f.page("assessor", "POST", "/providers/casetrack/supplier", url.Values{"version": {"1"}, "tier": {""}, "contract_reference": {"CT-2026-01"}, "contract_start": {"2026-01-01"}, "contract_end": {"2025-01-01"},
		"contacts": {"Sam Patel | not-an-address | security contact"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#contract_end"`) || !strings.Contains(body, `href="#contacts"`) {
		t.Fatalf("the form with errors: %d", resp.StatusCode)
	}
	resp, _ = f.page("assessor", "POST", "/providers/casetrack/supplier", url.Values{"version": {"1"}, "tier": {""}, "contract_reference": {"CT-2026-01"}, "contacts": {"Sam Patel | sam@casetrack.example | security contact"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/providers/casetrack#supplier" {
		t.Fatalf("the form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	v, err := f.svc.Supplier(t.Context(), "casetrack")
	if err != nil || v.Set || v.Tier != tier || len(v.Record.Contacts) != 1 || v.Record.Contacts[0].Role != "security contact" {
		t.Errorf("after the form: %+v (%v)", v, err)
	}
}
