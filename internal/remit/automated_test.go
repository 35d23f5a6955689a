package remit

import (
	"strings"
	"testing"
	"time"
)

// TestAutomatedNeverAssuresTheProvider: an automated result for a system
// and control speaks for our obligation there (the organisation-specific
// control, or our half of a shared one) and never for the provider's
// obligation on the same control, passing or failing.
func TestAutomatedNeverAssuresTheProvider(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, failed := range []bool{false, true} {
		x := NewEvidenceIndex(nil, Judgements{Automated: AutomatedOf(AutomatedResult{System: "prison-visits", Control: "srm:SRM-07", Tool: "Checkov", Rules: []string{"CKV_AWS_24"},
			Failed: failed, Failing: []string{"CKV_AWS_24: network/bastion.tf:12"}, Window: 7 * 24 * time.Hour, Observed: now.Add(-time.Hour), Run: "run-1"})})
		ours := ObligationRef{ID: "prison-visits/srm:SRM-07/aws/ec2/ours", System: "prison-visits", Control: "srm:SRM-07", Offering: "aws/ec2", Ours: true}
		theirs := ObligationRef{ID: "prison-visits/srm:SRM-07/aws/ec2/provider", System: "prison-visits", Control: "srm:SRM-07", Offering: "aws/ec2"}
		want := Assured
		if failed {
			want = AssuranceFailed
		}
		if a := x.Assure(ours, now); a.Status != want || a.Source() != SourceAutomated {
			t.Errorf("failed=%v: ours is %s (%s) from %q, want %s from automated", failed, a.Status, a.Reason, a.Source(), want)
		}
		if a := x.Assure(theirs, now); a.Status != Unassured || strings.Contains(a.Reason, "automated") {
			t.Errorf("failed=%v: the provider's obligation is %s (%s): automated results must not speak for it", failed, a.Status, a.Reason)
		}
	}
}

// TestAssureAutomated: a failure fails our obligation whatever evidence
// says; a pass within its window assures it; a lapsed pass is stale unless
// other assurance stands; each tool's latest result counts, and any
// tool's failure decides; not applicable stays not applicable.
func TestAssureAutomated(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	policy := Evidence{ID: "ev-pol", Kind: EvidencePolicy, Title: "Firewall standard", Issued: "2026-02-01", Supports: []Support{{On: SupportSystem, Ref: "s", Control: "c:1"}}}
	result := func(tool string, failed bool, ago time.Duration) AutomatedResult {
		r := AutomatedResult{System: "s", Control: "c:1", Tool: tool, Rules: []string{"R1"}, Failed: failed, Window: week, Observed: now.Add(-ago), Run: "run-" + tool}
		if failed {
			r.Failing = []string{"R1: sg-1", "R1: sg-2", "R1: sg-3", "R1: sg-4", "R1: sg-5", "R1: sg-6"}
		}
		return r
	}
	o := ObligationRef{ID: "s/c:1/ours", System: "s", Control: "c:1", Ours: true}
	for _, c := range []struct {
		name     string
		evidence []Evidence
		results  []AutomatedResult
		tracking *Tracking
		want     AssuranceStatus
		reason   string
		source   string
	}{
		{"a pass assures", nil, []AutomatedResult{result("Checkov", false, time.Hour)}, nil, Assured, "assured by the automated checks of Checkov (R1, run run-Checkov, 4 Dec 2026 11:00)", SourceAutomated},
		{"a failure fails, evidence or not", []Evidence{policy}, []AutomatedResult{result("Checkov", true, time.Hour)}, nil, AssuranceFailed,
			"failed the automated checks of Checkov (R1, run run-Checkov, 4 Dec 2026 11:00): R1: sg-1; R1: sg-2; R1: sg-3; R1: sg-4; R1: sg-5; and 1 more", SourceAutomated},
		{"a lapsed pass is stale", nil, []AutomatedResult{result("Checkov", false, 8*24*time.Hour)}, nil, AssuranceStale, "but that was more than 7 days ago", SourceAutomated},
		{"a lapsed pass gives way to evidence that counts", []Evidence{policy}, []AutomatedResult{result("Checkov", false, 8*24*time.Hour)}, nil, Assured, `assured by "Firewall standard"`, SourceDocuments},
		{"an older failure is replaced by the tool's newer pass", nil, []AutomatedResult{result("Checkov", true, 48*time.Hour), result("Checkov", false, time.Hour)}, nil, Assured, "assured by the automated checks", SourceAutomated},
		{"another tool's failure decides", nil, []AutomatedResult{result("Checkov", false, time.Hour), result("Prowler", true, 2*time.Hour)}, nil, AssuranceFailed, "failed the automated checks of Prowler", SourceAutomated},
		{"not applicable stays", nil, []AutomatedResult{result("Checkov", false, time.Hour)}, &Tracking{Status: StatusNotApplicable, Reason: "no network"}, AssuranceUnnecessary, "tracked as not applicable", ""},
		{"no results: evidence alone", []Evidence{policy}, nil, nil, Assured, `assured by "Firewall standard"`, SourceDocuments},
		{"nothing at all", nil, nil, nil, Unassured, "", ""},
	} {
		x := NewEvidenceIndex(c.evidence, Judgements{Automated: AutomatedOf(c.results...)})
		o.Tracking = c.tracking
		a := x.Assure(o, now)
		if a.Status != c.want || !strings.Contains(a.Reason, c.reason) || a.Source() != c.source {
			t.Errorf("%s: %s (%s) from %q, want %s with %q from %q", c.name, a.Status, a.Reason, a.Source(), c.want, c.reason, c.source)
		}
	}
}

// TestAutomatedIsPersistent: adding results makes a new holding and
// leaves the old one as it was; each tool's latest result per system and
// control is kept, an older one handed in later does not replace it.
func TestAutomatedIsPersistent(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	r := func(system, tool string, failed bool, ago time.Duration) AutomatedResult {
		return AutomatedResult{System: system, Control: "srm:SRM-09", Tool: tool, Failed: failed, Observed: now.Add(-ago), Window: DefaultWindow}
	}
	a := AutomatedOf(r("a", "Checkov", true, time.Hour))
	b := a.With(r("a", "Checkov", false, 0), r("a", "Prowler", false, 0), r("b", "Checkov", true, 0))
	c := b.With(r("a", "Checkov", true, 2*time.Hour)) // older: ignored
	if got := a.For("a", "srm:SRM-09"); len(got) != 1 || !got[0].Failed {
		t.Errorf("a changed: %+v", got)
	}
	if got := b.For("a", "srm:SRM-09"); len(got) != 2 || got[0].Failed || got[1].Tool != "Prowler" {
		t.Errorf("b: %+v", got)
	}
	if got := c.For("a", "srm:SRM-09"); len(got) != 2 || got[0].Failed {
		t.Errorf("an older result replaced a newer one: %+v", got)
	}
	if b.Len() != 2 || a.Len() != 1 || len(b.For("c", "srm:SRM-09")) != 0 {
		t.Errorf("lengths %d %d", a.Len(), b.Len())
	}
}
