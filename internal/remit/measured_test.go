package remit

import (
	"testing"
	"time"
)

// TestProviderFindingEffect: the rule of doc/assurance.md, by severity,
// status and deadline, on a given day.
func TestProviderFindingEffect(t *testing.T) {
	for _, c := range []struct {
		name     string
		f        ProviderFinding
		day      string
		want     AssuranceStatus
		sev      Severity
		overdue  bool
		effected bool
	}{
		{"critical fails", ProviderFinding{Severity: SeverityCritical, Status: ProviderFindingOpen}, "2026-12-01", AssuranceFailed, SeverityCritical, false, true},
		{"high fails", ProviderFinding{Severity: SeverityHigh, Status: ProviderFindingOpen, Deadline: "2026-12-31"}, "2026-12-01", AssuranceFailed, SeverityHigh, false, true},
		{"medium holds at stale", ProviderFinding{Severity: SeverityMedium, Status: ProviderFindingOpen, Deadline: "2026-12-31"}, "2026-12-31", AssuranceStale, SeverityMedium, false, true},
		{"medium past its deadline fails", ProviderFinding{Severity: SeverityMedium, Status: ProviderFindingOpen, Deadline: "2026-12-31"}, "2027-01-01", AssuranceFailed, SeverityHigh, true, true},
		{"low does nothing", ProviderFinding{Severity: SeverityLow, Status: ProviderFindingOpen, Deadline: "2026-12-31"}, "2026-12-01", "", SeverityLow, false, true},
		{"low past its deadline holds at stale", ProviderFinding{Severity: SeverityLow, Status: ProviderFindingOpen, Deadline: "2026-12-31"}, "2027-01-01", AssuranceStale, SeverityMedium, true, true},
		{"closed does nothing", ProviderFinding{Severity: SeverityCritical, Status: ProviderFindingClosed}, "2026-12-01", "", "", false, false},
		{"an approved deviation does nothing", ProviderFinding{Severity: SeverityHigh, Status: ProviderFindingDeviation}, "2026-12-01", "", "", false, false},
	} {
		st, sev, overdue := c.f.Effect(c.day)
		if st != c.want || sev != c.sev || overdue != c.overdue {
			t.Errorf("%s: %q %q %v, want %q %q %v", c.name, st, sev, overdue, c.want, c.sev, c.overdue)
		}
	}
}

// TestProviderFindingsHoldTheProvider: the index fails, degrades or
// leaves a provider's obligation by the worst open finding on its control
// or a control mapped to it, and never touches ours.
func TestProviderFindingsHoldTheProvider(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	day := now.Format(time.DateOnly)
	evs := []Evidence{{ID: "ev-1", Kind: EvidenceISO27001, Title: "ISO", Issued: "2026-01-01", Expires: "2027-01-01", Supports: []Support{{On: SupportOffering, Ref: "p/o"}}}}
	pf := &ProviderFindings{Offering: "p/o", Model: MeasuredPOAM, Items: []ProviderFinding{
		{UUID: "1", Title: "Doors", Controls: []string{"nist:pe-3"}, Severity: SeverityHigh, Status: ProviderFindingOpen},
		{UUID: "2", Title: "Patching", Controls: []string{"srm:SRM-02"}, Severity: SeverityMedium, Status: ProviderFindingOpen},
		{UUID: "3", Title: "Ciphers", Controls: []string{"srm:SRM-14"}, Severity: SeverityLow, Status: ProviderFindingOpen},
		{UUID: "4", Title: "Old", Controls: []string{"srm:SRM-05"}, Severity: SeverityCritical, Status: ProviderFindingClosed},
	}}
	related := func(c string) []string {
		if c == "nist:pe-3" {
			return []string{"srm:SRM-01"}
		}
		return nil
	}
	x := NewEvidenceIndex(evs, Judgements{}).WithProviderFindings([]*ProviderFindings{pf}, related)
	for _, c := range []struct {
		o      ObligationRef
		want   AssuranceStatus
		reason string
	}{
		{ObligationRef{Offering: "p/o", Control: "srm:SRM-01"}, AssuranceFailed, `failed by the provider's own open high finding "Doors" (nist:pe-3)`},
		{ObligationRef{Offering: "p/o", Control: "srm:SRM-02"}, AssuranceStale, `held at stale by the provider's own open medium finding "Patching" (srm:SRM-02); otherwise assured by "ISO" (iso-27001, until 2027-01-01)`},
		{ObligationRef{Offering: "p/o", Control: "srm:SRM-14"}, Assured, `assured by "ISO" (iso-27001, until 2027-01-01)`},
		{ObligationRef{Offering: "p/o", Control: "srm:SRM-05"}, Assured, `assured by "ISO" (iso-27001, until 2027-01-01)`},
		{ObligationRef{Offering: "q/o", Control: "srm:SRM-01"}, Unassured, "no evidence or assessment yet that q/o does this"},
		{ObligationRef{ID: "s/srm:SRM-01", System: "s", Control: "srm:SRM-01", Ours: true}, Unassured, "no evidence yet that we do this"},
		// Through a mapping: the obligation for CSP-01 rests on SRM-01's statement.
		{ObligationRef{Offering: "p/o", Control: "ncsc-csp:CSP-01", Mapped: []MappedControl{{Control: "srm:SRM-01", Relationship: "equivalent-to"}}}, AssuranceFailed, `through srm:SRM-01 (equivalent-to): failed by the provider's own open high finding "Doors" (nist:pe-3)`},
	} {
		a := x.Assure(c.o, now)
		if a.Status != c.want || a.Reason != c.reason {
			t.Errorf("%s %s: %s %q, want %s %q", c.o.Offering, c.o.Control, a.Status, a.Reason, c.want, c.reason)
		}
		if st := x.Status(c.o, now, day); st != a.Status {
			t.Errorf("%s %s: Status %s, Assure %s", c.o.Offering, c.o.Control, st, a.Status)
		}
	}
}

// TestProviderFindingsMerge: next month's document keeps when each item
// was first seen and closes what it no longer holds.
func TestProviderFindingsMerge(t *testing.T) {
	was := &ProviderFindings{Offering: "p/o", Model: MeasuredPOAM, Items: []ProviderFinding{
		{UUID: "a", Status: ProviderFindingOpen, First: "2026-10-01"},
		{UUID: "b", Status: ProviderFindingOpen, First: "2026-10-01"},
		{UUID: "c", Status: ProviderFindingClosed, First: "2026-09-01", Closed: "2026-10-01"},
	}}
	next := &ProviderFindings{Offering: "p/o", Model: MeasuredPOAM, Dated: "2026-11-30", Items: []ProviderFinding{
		{UUID: "b", Status: ProviderFindingClosed}, {UUID: "d", Status: ProviderFindingOpen},
	}}
	next.Merge(was, "2026-12-01")
	got := map[string]ProviderFinding{}
	for _, f := range next.Items {
		got[f.UUID] = f
	}
	if len(next.Items) != 4 ||
		got["a"].Status != ProviderFindingClosed || got["a"].Closed != "2026-12-01" || got["a"].StatusFrom != "no longer in the provider's POA&M of 2026-11-30" || got["a"].First != "2026-10-01" ||
		got["b"].Status != ProviderFindingClosed || got["b"].Closed != "2026-12-01" || got["b"].First != "2026-10-01" ||
		got["c"].Closed != "2026-10-01" || got["d"].First != "2026-12-01" || got["d"].Closed != "" {
		t.Fatalf("merged %+v", next.Items)
	}
}
