package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/service"
)

// TestCumulativeAndExports accepts risks resting on a system and on a
// provider, and checks the sums and the systems carrying accepted risk
// resting on the provider; then the register's exports.
func TestCumulativeAndExports(t *testing.T) {
	f := newFixture(t)
	record := func(body map[string]any) string {
		status, hdr, data := f.do("editor", "POST", "/api/v1/risks", body)
		var it RiskItem
		if status != http.StatusCreated || json.Unmarshal(data, &it) != nil {
			t.Fatalf("record: %d %s", status, data)
		}
		// (AWS region outage, 10, is above the supplier appetite of 9.)
		if status, _, data := f.do("risk", "POST", "/api/v1/risks/"+it.ID+"/accept", map[string]any{"rationale": "Tolerable.", "until": "2027-06-01", "above_appetite": true}, "If-Match", hdr.Get("ETag")); status >= 300 {
			t.Fatalf("accept: %d %s", status, data)
		}
		return it.ID
	}
	record(map[string]any{"title": "AWS region outage", "category": "supplier", "residual": map[string]int{"likelihood": 2, "impact": 5}, "concerns": []map[string]string{{"kind": "provider", "id": "aws"}}})
	record(map[string]any{"title": "Visits booking abuse", "category": "operational", "residual": map[string]int{"likelihood": 3, "impact": 2}, "concerns": []map[string]string{{"kind": "system", "id": "prison-visits"}}})
	status, _, data := f.do("viewer", "GET", "/api/v1/risks/cumulative", nil)
	var c Cumulative
	if status != http.StatusOK || json.Unmarshal(data, &c) != nil {
		t.Fatalf("cumulative: %d %s", status, data)
	}
	if c.Estate.Count != 2 || c.Estate.Total != 16 || c.Estate.Highest != 10 || c.Estate.ByBand["high"] != 1 || c.Estate.ByBand["medium"] != 1 {
		t.Errorf("estate: %+v", c.Estate)
	}
	var aws cumulativeRow
	for _, p := range c.Providers {
		if p.ID == "aws" {
			aws = p
		}
	}
	// Three systems rely on AWS (prison-visits directly; court-case-tracking
	// through CaseTrack; legal-aid-portal): all carry the provider's risk.
	if aws.Count != 1 || aws.Systems != 3 {
		t.Errorf("aws: %+v", aws)
	}
	if len(c.Systems) != 1 || c.Systems[0].ID != "prison-visits" || c.Systems[0].Total != 6 {
		t.Errorf("systems: %+v", c.Systems)
	}
	if _, page := f.page("viewer", "GET", "/risks/cumulative", nil); !strings.Contains(page, `data-testid="cumulative-providers"`) || !strings.Contains(page, "Amazon Web Services") {
		t.Error("the cumulative page lacks the providers")
	}
	resp, csv := f.page("viewer", "GET", "/api/v1/risks/export?format=csv", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(csv, "id,title,category,status,inherent,residual,band") || !strings.Contains(csv, ",AWS region outage,supplier,accepted,0,10,high,true,") {
		t.Errorf("csv: %d\n%s", resp.StatusCode, csv)
	}
	_, md := f.page("viewer", "GET", "/api/v1/risks/export?format=markdown", nil)
	if !strings.Contains(md, "| id | title | category |") || !strings.Contains(md, "| AWS region outage | supplier | accepted |") {
		t.Errorf("markdown:\n%s", md)
	}
	resp, xlsx := f.page("viewer", "GET", "/api/v1/risks/export?format=xlsx", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(xlsx, "PK") {
		t.Errorf("xlsx: %d", resp.StatusCode)
	}
	if resp, _ := f.page("viewer", "GET", "/api/v1/risks/export?format=pdf", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown format: %d", resp.StatusCode)
	}
}

// TestProposalsAPI adopts one proposal and dismisses another through the
// API: neither is proposed again; adopting a proposal that is not open is
// refused.
func TestProposalsAPI(t *testing.T) {
	f := newFixture(t)
	list := func() map[string]bool {
		status, _, data := f.do("viewer", "GET", "/api/v1/risks/proposals", nil)
		var out struct{ Items []struct{ ID string } }
		if status != http.StatusOK || json.Unmarshal(data, &out) != nil {
			t.Fatalf("proposals: %d %s", status, data)
		}
		ids := map[string]bool{}
		for _, p := range out.Items {
			ids[p.ID] = true
		}
		return ids
	}
	ids := list()
	if !ids["concentration:microsoft"] || !ids["ours:prison-visits"] {
		t.Fatalf("proposals: %v", ids)
	}
	if status, _, data := f.do("viewer", "POST", "/api/v1/risks/proposals/ours:prison-visits/dismiss", map[string]string{"reason": "x"}); status != http.StatusForbidden {
		t.Errorf("a viewer dismisses: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/risks/proposals/ours:prison-visits/dismiss", map[string]string{"reason": ""}); status != http.StatusUnprocessableEntity {
		t.Errorf("dismissed without a reason: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/risks/proposals/ours:prison-visits/dismiss", map[string]string{"reason": "Tracked in the team's own backlog."}); status >= 300 {
		t.Fatalf("dismiss: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "Microsoft concentration", "category": "supplier", "proposal": "concentration:microsoft"}); status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "Again", "category": "supplier", "proposal": "concentration:microsoft"}); status != http.StatusNotFound {
		t.Errorf("adopting an adopted proposal: %d %s", status, data)
	}
	ids = list()
	if ids["concentration:microsoft"] || ids["ours:prison-visits"] {
		t.Errorf("adopted or dismissed proposals are still open: %v", ids)
	}
	if _, page := f.page("editor", "GET", "/risks/new?proposal=concentration:aws", nil); !strings.Contains(page, `value="3 of 8 systems rely on Amazon Web Services"`) || !strings.Contains(page, `name="proposal" value="concentration:aws"`) {
		t.Error("the form is not filled from the proposal being adopted")
	}
}

// TestRiskTrendAPI answers the latest daily snapshots, oldest first,
// whatever order they were taken in; a retaken day replaces its point.
func TestRiskTrendAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, day := range []string{"2026-11-27", "2026-11-25", "2026-11-26", "2026-11-27"} {
		f.seed(service.KindRiskSnapshot, map[string]any{day: remit.RiskSnapshot{Day: day, Bands: map[string]int{"high": i}, Open: i}})
	}
	_ = ctx
	status, _, data := f.do("viewer", "GET", "/api/v1/risks/trend?days=2", nil)
	var body struct {
		Items []remit.RiskSnapshot `json:"items"`
	}
	if err := json.Unmarshal(data, &body); status != http.StatusOK || err != nil {
		t.Fatalf("%d %v %s", status, err, data)
	}
	if len(body.Items) != 2 || body.Items[0].Day != "2026-11-26" || body.Items[0].Open != 2 || body.Items[1].Day != "2026-11-27" || body.Items[1].Open != 3 {
		t.Errorf("trend: %+v", body.Items)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/risks/trend?days=0", nil); status != http.StatusUnprocessableEntity {
		t.Errorf("days=0: %d", status)
	}
}
