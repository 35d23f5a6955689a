package remit

import (
	"strings"
	"testing"
	"time"
)

// TestFollowChain: a provider's obligation that rests on a fourth party,
// rule by rule, on injected days (doc/assurance.md#the-chain-of-reliance).
func TestFollowChain(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	chain := func(offering, control string) []string {
		if offering == "ct/cloud" && control == "srm:SRM-01" {
			return []string{"aws/ec2"}
		}
		return nil
	}
	names := func(ref string) []string {
		if ref == "aws/ec2" {
			return []string{"Amazon EC2", "Amazon Web Services"}
		}
		return nil
	}
	soc2 := func(id string, s *SOC2, scope string) Evidence {
		return Evidence{ID: id, Kind: EvidenceSOC2Type2, Title: "CaseTrack SOC 2", Scope: scope, Issued: "2026-02-01", Expires: "2027-02-01", SOC2: s,
			Supports: []Support{{On: SupportOffering, Ref: "ct/cloud"}}}
	}
	period := SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
	carved, inclusive := period, period
	carved.CarveOuts, inclusive.Inclusive = []string{"aws/ec2"}, []string{"aws/ec2"}
	awsISO := Evidence{ID: "ev-aws", Kind: EvidenceISO27001, Title: "AWS ISO 27001", Issued: "2024-06-01", Expires: "2026-12-05", Supports: []Support{{On: SupportOffering, Ref: "aws/ec2"}}}
	ctISO := Evidence{ID: "ev-ct-iso", Kind: EvidenceISO27001, Title: "CaseTrack ISO 27001", Issued: "2026-01-01", Expires: "2029-01-01", Scope: "CaseTrack Cloud, hosted on Amazon Web Services in London",
		Supports: []Support{{On: SupportOffering, Ref: "ct/cloud"}}}
	decided := func(ev Evidence, covered bool, why string) Evidence {
		ev.Coverage = []CoverageDecision{{Offering: "aws/ec2", Covered: covered, Rationale: why, DecidedBy: "ann@example.gov.uk", Decided: day("2026-11-20")}}
		return ev
	}
	signed := day("2026-06-01")
	awsFailed := SupplierAssessment{ID: "sa-aws", Offering: "aws/ec2", Status: AssessmentCompleted, SignedOff: &signed,
		Verdicts: []Verdict{{Offering: "aws/ec2", Control: "srm:SRM-01", Result: NotMet, Principle: "p", Rationale: "no visitor logs", Assessment: "sa-aws", ValidUntil: "2027-06-01"}}}
	ctMet := SupplierAssessment{ID: "sa-ct", Offering: "ct/cloud", Status: AssessmentCompleted, SignedOff: &signed,
		Verdicts: []Verdict{{Offering: "ct/cloud", Control: "srm:SRM-01", Result: Met, Principle: "p", Assessment: "sa-ct", ValidUntil: "2027-06-01"}}}
	for _, c := range []struct {
		name   string
		evs    []Evidence
		j      Judgements
		on     string
		ctl    string
		status AssuranceStatus
		reason string
	}{
		{"carved out, the fourth party's evidence current", []Evidence{soc2("ev-ct", &carved, ""), awsISO}, Judgements{}, "2026-12-04", "srm:SRM-01", Assured, `the part resting on aws/ec2: assured by "AWS ISO 27001"`},
		{"carved out, the fourth party's evidence lapsed today", []Evidence{soc2("ev-ct", &carved, ""), awsISO}, Judgements{}, "2026-12-05", "srm:SRM-01", AssuranceStale,
			`aws/ec2 is carved out of "CaseTrack SOC 2" (soc2-type-2, until 2027-02-01) and has no current evidence of its own: was assured by "AWS ISO 27001"`},
		{"carved out, nothing for the fourth party", []Evidence{soc2("ev-ct", &carved, "")}, Judgements{}, "2026-12-05", "srm:SRM-01", Unassured, "aws/ec2 is carved out of"},
		{"included (the inclusive method)", []Evidence{soc2("ev-ct", &inclusive, "")}, Judgements{}, "2026-12-05", "srm:SRM-01", Assured, `assured by "CaseTrack SOC 2"`},
		{"an ISO 27001 whose scope names it", []Evidence{ctISO}, Judgements{}, "2026-12-05", "srm:SRM-01", Assured, `assured by "CaseTrack ISO 27001"`},
		{"nothing says", []Evidence{soc2("ev-ct", &period, "")}, Judgements{}, "2026-12-05", "srm:SRM-01", Unassured, "coverage of aws/ec2 unknown: "},
		{"nothing says, the fourth party failed", []Evidence{soc2("ev-ct", &period, "")}, Judgements{Suppliers: []SupplierAssessment{awsFailed}}, "2026-12-05", "srm:SRM-01", AssuranceFailed, "no visitor logs"},
		{"nothing says, an assessor decided it is covered", []Evidence{decided(soc2("ev-ct", &period, ""), true, "section 3 describes AWS's controls as tested")}, Judgements{}, "2026-12-05", "srm:SRM-01", Assured,
			`the part resting on aws/ec2: covered by "CaseTrack SOC 2" (soc2-type-2, until 2027-02-01), as ann@example.gov.uk decided on 2026-11-20: section 3 describes AWS's controls as tested`},
		{"an assessor decided it is not covered, the fourth party's evidence current", []Evidence{decided(soc2("ev-ct", &period, ""), false, "silent on hosting"), awsISO}, Judgements{}, "2026-12-04", "srm:SRM-01", Assured, `the part resting on aws/ec2: assured by "AWS ISO 27001"`},
		{"an assessor decided it is not covered, the fourth party's evidence lapsed", []Evidence{decided(soc2("ev-ct", &period, ""), false, "silent on hosting"), awsISO}, Judgements{}, "2026-12-05", "srm:SRM-01", AssuranceStale,
			`aws/ec2 is not covered by "CaseTrack SOC 2" (soc2-type-2, until 2027-02-01), as ann@example.gov.uk decided on 2026-11-20: silent on hosting, and has no current evidence of its own`},
		{"a decision not to cover outweighs a scope naming it", []Evidence{decided(ctISO, false, "the certificate covers the software, not the hosting")}, Judgements{}, "2026-12-05", "srm:SRM-01", Unassured, "aws/ec2 is not covered by \"CaseTrack ISO 27001\""},
		{"a control resting on no fourth party", []Evidence{soc2("ev-ct", &carved, "")}, Judgements{}, "2026-12-05", "srm:SRM-03", Assured, `assured by "CaseTrack SOC 2"`},
		{"an assessment judges the offering whole", []Evidence{soc2("ev-ct", &carved, "")}, Judgements{Suppliers: []SupplierAssessment{ctMet}}, "2026-12-05", "srm:SRM-01", Assured, "assured by assessment sa-ct"},
	} {
		x := NewEvidenceIndex(c.evs, c.j).WithChains(chain, names)
		o := ObligationRef{Offering: "ct/cloud", Control: c.ctl}
		a := x.Assure(o, day(c.on))
		if a.Status != c.status || !strings.Contains(a.Reason, c.reason) {
			t.Errorf("%s: %s %q, want %s with %q", c.name, a.Status, a.Reason, c.status, c.reason)
		}
		if st := x.Status(o, day(c.on), c.on); st != a.Status {
			t.Errorf("%s: Status %s, Assure %s", c.name, st, a.Status)
		}
		if st := x.OfferingStatuses("ct/cloud", []string{c.ctl}, nil, c.on); st[0] != a.Status {
			t.Errorf("%s: OfferingStatuses %s, Assure %s", c.name, st[0], a.Status)
		}
	}
}

// TestChainLink: the counting path names the link that fails, the
// deepest one when the chain runs further down, and agrees with Assure.
func TestChainLink(t *testing.T) {
	now, _ := time.Parse(time.DateOnly, "2026-12-05")
	day := "2026-12-05"
	chain := func(offering, control string) []string {
		switch offering {
		case "ct/cloud":
			return []string{"aws/ec2"}
		case "aws/ec2":
			return []string{"dc/site"}
		}
		return nil
	}
	period := SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
	ev := func(id, on string, s *SOC2) Evidence {
		kind := EvidenceISO27001
		if s != nil {
			kind = EvidenceSOC2Type2
		}
		return Evidence{ID: id, Kind: kind, Title: id, Issued: "2026-02-01", Expires: "2027-02-01", SOC2: s, Supports: []Support{{On: SupportOffering, Ref: on}}}
	}
	carvesAWS, carvesDC, includesDC := period, period, period
	carvesAWS.CarveOuts, carvesDC.CarveOuts, includesDC.Inclusive = []string{"aws/ec2"}, []string{"dc/site"}, []string{"dc/site"}
	for _, c := range []struct {
		name   string
		evs    []Evidence
		status AssuranceStatus
		link   string
	}{
		{"every link current", []Evidence{ev("ct", "ct/cloud", &carvesAWS), ev("aws", "aws/ec2", &carvesDC), ev("dc", "dc/site", nil)}, Assured, ""},
		{"the fourth party has nothing", []Evidence{ev("ct", "ct/cloud", &carvesAWS)}, Unassured, "aws/ec2"},
		{"the fifth party has nothing", []Evidence{ev("ct", "ct/cloud", &carvesAWS), ev("aws", "aws/ec2", &carvesDC)}, Unassured, "dc/site"},
		{"short through its own evidence", []Evidence{ev("aws", "aws/ec2", &carvesDC)}, Unassured, ""},
		// AWS's own report includes the data centre: the fourth party's
		// own assurance answers for what lies beneath it.
		{"the fifth party covered by the fourth's report", []Evidence{ev("ct", "ct/cloud", &carvesAWS), ev("aws", "aws/ec2", &includesDC)}, Assured, ""},
	} {
		x := NewEvidenceIndex(c.evs, Judgements{}).WithChains(chain, nil)
		sts, links := x.OfferingLinks("ct/cloud", []string{"srm:SRM-01"}, nil, day)
		if sts[0] != c.status || links[0] != c.link {
			t.Errorf("%s: %s through %q, want %s through %q", c.name, sts[0], links[0], c.status, c.link)
		}
		if a := x.Assure(ObligationRef{Offering: "ct/cloud", Control: "srm:SRM-01"}, now); a.Status != sts[0] || a.Through != c.link {
			t.Errorf("%s: Assure %s through %q (%q), OfferingLinks %s through %q", c.name, a.Status, a.Through, a.Reason, sts[0], links[0])
		}
		// The same obligation answered through a mapping, its evidence
		// given for the control it is mapped from.
		mapped := make([]Evidence, len(c.evs))
		for i, e := range c.evs {
			mapped[i] = e
			if e.ID == "ct" {
				mapped[i].Supports = []Support{{On: SupportOffering, Ref: "ct/cloud", Control: "srm:SRM-02"}}
			}
		}
		xm := NewEvidenceIndex(mapped, Judgements{}).WithChains(chain, nil)
		via := [][]MappedControl{{{Control: "srm:SRM-02", Relationship: EquivalentTo}}}
		if c.name == "short through its own evidence" {
			continue
		}
		if sts, links := xm.OfferingLinks("ct/cloud", []string{"srm:SRM-01"}, via, day); sts[0] != c.status || links[0] != c.link {
			t.Errorf("%s, through a mapping: %s through %q, want %s through %q", c.name, sts[0], links[0], c.status, c.link)
		}
	}
}

// TestCoverageSays: what each piece of evidence says of a fourth party,
// and what an offering's current evidence says taken together.
func TestCoverageSays(t *testing.T) {
	period := SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
	carved, inclusive := period, period
	carved.CarveOuts, inclusive.Inclusive = []string{"aws/ec2"}, []string{"aws/ec2"}
	ev := func(id string, s *SOC2, scope string, d ...CoverageDecision) Evidence {
		return Evidence{ID: id, Kind: EvidenceSOC2Type2, Title: id, Scope: scope, Issued: "2026-02-01", Expires: "2027-02-01", SOC2: s, Coverage: d,
			Supports: []Support{{On: SupportOffering, Ref: "ct/cloud"}}}
	}
	yes := CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "r"}
	no := CoverageDecision{Offering: "aws/ec2", Rationale: "r"}
	names := func(string) []string { return []string{"Amazon EC2"} }
	for _, c := range []struct {
		ev   Evidence
		want CoverageSays
	}{
		{ev("inc", &inclusive, ""), CoverIncluded},
		{ev("carve", &carved, "hosted on Amazon EC2"), CoverCarvedOut},
		{ev("scope", &period, "hosted on Amazon EC2"), CoverNamed},
		{ev("yes", &period, "", yes), CoverDecided},
		{ev("no", &period, "hosted on Amazon EC2", no), CoverDecidedNot},
		{ev("silent", &period, "CaseTrack"), CoverSilent},
	} {
		x := NewEvidenceIndex([]Evidence{c.ev}, Judgements{}).WithChains(nil, names)
		if got := x.Says(&c.ev, "aws/ec2"); got != c.want {
			t.Errorf("%s: says %s, want %s", c.ev.ID, got, c.want)
		}
		if got := x.CoverageOf("ct/cloud", nil, "aws/ec2", "2026-12-05"); got.Says != c.want || (c.want != CoverSilent) != (got.Evidence != nil) {
			t.Errorf("%s: CoverageOf says %s (%v), want %s", c.ev.ID, got.Says, got.Evidence, c.want)
		}
		if got := x.CoverageOf("ct/cloud", nil, "aws/ec2", "2027-02-01"); got.Says != CoverNoEvidence {
			t.Errorf("%s: expired, CoverageOf says %s", c.ev.ID, got.Says)
		}
	}
	// One piece covering it is enough, whatever another says.
	x := NewEvidenceIndex([]Evidence{ev("carve", &carved, ""), ev("yes", &period, "", yes)}, Judgements{})
	if got := x.CoverageOf("ct/cloud", nil, "aws/ec2", "2026-12-05"); got.Says != CoverDecided || got.Evidence.ID != "yes" || got.Decision == nil {
		t.Errorf("carved out by one, decided covered by another: %+v", got)
	}
}
