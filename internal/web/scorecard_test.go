package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"remit/internal/remit"
)

// TestScorecards counts each offering's obligations by assurance, follows
// evidence into them, sums them per provider, keeps review cadence and
// trend, and drills down to the obligations behind a number.
func TestScorecards(t *testing.T) {
	f := newFixture(t)
	cards := func() map[string]remit.Scorecard {
		status, _, body := f.do("viewer", "GET", "/api/v1/scorecards", nil)
		var out struct{ Items []remit.Scorecard }
		if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
			t.Fatalf("scorecards: %d %s", status, body)
		}
		by := map[string]remit.Scorecard{}
		for _, c := range out.Items {
			by[c.Provider] = c
			for _, o := range c.Offerings {
				by[o.Offering] = o
			}
		}
		return by
	}
	before := cards()
	ec2 := before["aws/ec2"]
	if ec2.Obligations == 0 || ec2.Counts[remit.Unassured] != ec2.Obligations || ec2.Systems != 1 || !before["aws"].Overdue || before["aws"].ReviewDue != "2026-11-29" {
		t.Fatalf("aws/ec2 before any evidence: %+v (aws %+v)", ec2, before["aws"])
	}
	sum := 0
	for _, o := range before["aws"].Offerings {
		sum += o.Obligations
	}
	if sum != before["aws"].Obligations {
		t.Errorf("aws: %d obligations, its offerings' sum to %d", before["aws"].Obligations, sum)
	}
	if _, err := f.svc.AddEvidence(context.Background(), testAdmin, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO", Expires: "2026-12-20", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "", nil); err == nil {
		t.Fatal("evidence with neither file nor link was added")
	}
	if _, err := f.svc.AddEvidence(context.Background(), testAdmin, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO", Expires: "2026-12-20", URL: "https://aws.amazon.com/compliance/", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "", nil); err != nil {
		t.Fatal(err)
	}
	after := cards()["aws/ec2"]
	if after.Counts[remit.Assured] != ec2.Obligations || after.ExpiringSoon != 1 {
		t.Errorf("aws/ec2 with a certificate expiring in 21 days: %+v", after)
	}
	// Cadence, and a snapshot for the trend.
	status, h, body := f.do("viewer", "GET", "/api/v1/providers/aws/review", nil)
	if status != 200 || h.Get("ETag") != `"0"` || !strings.Contains(string(body), `"months":12`) {
		t.Fatalf("the default cadence: %d %s %s", status, h.Get("ETag"), body)
	}
	if status, _, body := f.do("viewer", "PUT", "/api/v1/providers/aws/review", map[string]int{"months": 6}, "If-Match", `"0"`); status != http.StatusForbidden {
		t.Errorf("a viewer sets the cadence: %d %s", status, body)
	}
	if status, _, body := f.do("assessor", "PUT", "/api/v1/providers/aws/review", map[string]int{"months": 6}); status != http.StatusPreconditionRequired {
		t.Errorf("the cadence without If-Match: %d %s", status, body)
	}
	status, h, body = f.do("assessor", "PUT", "/api/v1/providers/aws/review", map[string]int{"months": 6}, "If-Match", `"0"`)
	if status >= 300 || h.Get("ETag") != `"1"` {
		t.Fatalf("cadence: %d %s", status, body)
	}
	// Someone who read it before that change is refused, not obeyed.
	if status, _, body := f.do("admin", "PUT", "/api/v1/providers/aws/review", map[string]int{"months": 24}, "If-Match", `"0"`); status != http.StatusConflict {
		t.Errorf("a stale cadence change: %d %s", status, body)
	}
	if err := f.svc.SnapshotScorecards(context.Background(), f.now); err != nil {
		t.Fatal(err)
	}
	_, page := f.page("viewer", "GET", "/scorecards/aws/ec2?status=assured", nil)
	for _, want := range []string{`data-testid="trend"`, "2026-11-29", `data-control="srm:SRM-01"`, `assured by &#34;AWS ISO&#34;`} {
		if !strings.Contains(page, want) {
			t.Errorf("the drill-down lacks %s", want)
		}
	}
	if _, page := f.page("viewer", "GET", "/providers/aws", nil); !strings.Contains(page, "Reviewed every 6 months") {
		t.Error("the provider page does not show its cadence")
	}
}
