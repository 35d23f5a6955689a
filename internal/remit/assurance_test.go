package remit

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour) // mid-morning: the day, not the instant, matters
}

// TestAssure derives the assurance of one obligation from the evidence
// that supports it, on a given day.
func TestAssure(t *testing.T) {
	iso := Evidence{ID: "ev-iso", Kind: EvidenceISO27001, Title: "AWS ISO 27001", Issued: "2026-01-10", Expires: "2027-01-10",
		Supports: []Support{{On: SupportOffering, Ref: "aws/ec2"}}}
	pen := Evidence{ID: "ev-pen", Kind: EvidencePenTest, Title: "Visits IT health check", Issued: "2025-06-01", Expires: "2026-06-01",
		Supports: []Support{{On: SupportSystem, Ref: "prison-visits", Control: "srm:SRM-10"}}}
	soc := Evidence{ID: "ev-soc", Kind: EvidenceSOC2Type2, Title: "CaseTrack SOC 2", Issued: "2026-03-01", Expires: "2027-03-01",
		SOC2: &SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31", CUECs: []CUEC{{ID: "CUEC-1", Text: "Customers review user access quarterly.",
			Obligations: []string{"court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/ours"}}}}}
	policy := Evidence{ID: "ev-pol", Kind: EvidencePolicy, Title: "Patching policy", Issued: "2026-02-01",
		Supports: []Support{{On: SupportControl, Ref: "srm:SRM-03"}}}
	x := NewEvidenceIndex([]Evidence{iso, pen, soc, policy}, Judgements{})

	theirs := ObligationRef{ID: "prison-visits/srm:SRM-01/aws/ec2/provider", System: "prison-visits", Control: "srm:SRM-01", Offering: "aws/ec2"}
	ours := ObligationRef{ID: "prison-visits/srm:SRM-10/aws/ec2/ours", System: "prison-visits", Control: "srm:SRM-10", Offering: "aws/ec2", Ours: true, Tracking: &Tracking{Status: StatusImplemented}}
	cases := []struct {
		name   string
		o      ObligationRef
		now    string
		status AssuranceStatus
		reason string
		ev     []string
	}{
		{"provider obligation, certificate current", theirs, "2026-11-29", Assured, `assured by "AWS ISO 27001" (iso-27001, until 2027-01-10)`, []string{"ev-iso"}},
		{"the day before expiry still counts", theirs, "2027-01-09", Assured, `assured by "AWS ISO 27001" (iso-27001, until 2027-01-10)`, []string{"ev-iso"}},
		{"on the expiry day it is stale", theirs, "2027-01-10", AssuranceStale, `was assured by "AWS ISO 27001" (iso-27001, until 2027-01-10), which expired on 2027-01-10`, []string{"ev-iso"}},
		{"before it was issued it does not count", theirs, "2026-01-09", Unassured, "no evidence or assessment yet that aws/ec2 does this", nil},
		{"another offering's evidence does not count", ObligationRef{ID: "x/srm:SRM-01/aws/s3/provider", Control: "srm:SRM-01", Offering: "aws/s3"}, "2026-11-29", Unassured, "no evidence or assessment yet that aws/s3 does this", nil},
		{"ours, by system and control, expired", ours, "2026-11-29", AssuranceStale, `was assured by "Visits IT health check" (penetration-test, until 2026-06-01), which expired on 2026-06-01`, []string{"ev-pen"}},
		{"ours, same evidence, while current", ours, "2026-05-31", Assured, `assured by "Visits IT health check" (penetration-test, until 2026-06-01)`, []string{"ev-pen"}},
		{"ours, implemented but nothing shows it", ObligationRef{ID: "prison-visits/srm:SRM-12/aws/ec2/ours", System: "prison-visits", Control: "srm:SRM-12", Ours: true, Tracking: &Tracking{Status: StatusImplemented}}, "2026-11-29", Unassured, "no evidence yet that we do this", nil},
		{"ours, not applicable", ObligationRef{ID: "a/srm:SRM-12/*/ours", Control: "srm:SRM-12", Ours: true, Tracking: &Tracking{Status: StatusNotApplicable, Reason: "no staff"}}, "2026-11-29", AssuranceUnnecessary, "tracked as not applicable: no staff", nil},
		{"ours, through a SOC 2 CUEC mapped to it", ObligationRef{ID: "court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/ours", System: "court-case-tracking", Control: "srm:SRM-11", Ours: true}, "2026-11-29", Assured, `assured by "CaseTrack SOC 2" (soc2-type-2, until 2027-03-01)`, []string{"ev-soc"}},
		{"ours, by a policy for the control, which does not expire", ObligationRef{ID: "legal-aid-portal/srm:SRM-03/*/ours", System: "legal-aid-portal", Control: "srm:SRM-03", Ours: true}, "2040-01-01", Assured, `assured by "Patching policy" (policy)`, []string{"ev-pol"}},
		{"a provider's obligation is not assured by our policy", ObligationRef{ID: "legal-aid-portal/srm:SRM-03/aws/ec2/provider", Control: "srm:SRM-03", Offering: "aws/rds"}, "2026-11-29", Unassured, "no evidence or assessment yet that aws/rds does this", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := x.Assure(c.o, day(c.now))
			if fast := x.Status(c.o, day(c.now), c.now); fast != got.Status {
				t.Errorf("Status says %s, Assure %s", fast, got.Status)
			}
			if !c.o.Ours {
				if batch := x.OfferingStatuses(c.o.Offering, []string{c.o.Control}, [][]MappedControl{c.o.Mapped}, c.now); batch[0] != got.Status {
					t.Errorf("OfferingStatuses says %s, Assure %s", batch[0], got.Status)
				}
			}
			want := Assurance{Status: c.status, Reason: c.reason, Evidence: c.ev}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCombine holds a control to its weakest obligation: an inherited
// control is assured only if every provider obligation it rests on is.
func TestCombine(t *testing.T) {
	a := Assurance{Status: Assured, Reason: "assured by x"}
	s := Assurance{Status: AssuranceStale, Reason: "was assured by y"}
	u := Assurance{Status: Unassured, Reason: "no evidence or assessment yet that aws/s3 does this"}
	f := Assurance{Status: AssuranceFailed, Reason: "assessed as not met"}
	n := Assurance{Status: AssuranceUnnecessary, Reason: "tracked as not applicable: x"}
	cases := []struct {
		name   string
		in     []Assurance
		status AssuranceStatus
		reason string
	}{
		{"nothing rests on it", nil, AssuranceUnnecessary, "no obligation rests on this control"},
		{"inherited from two offerings, both assured", []Assurance{a, a}, Assured, "all 2 obligations it rests on are assured or not applicable"},
		{"inherited from two offerings, one unassured", []Assurance{a, u}, Unassured, "1 of 2 obligations it rests on are assured; the weakest: no evidence or assessment yet that aws/s3 does this"},
		{"stale is worse than assured, better than unassured", []Assurance{s, a}, AssuranceStale, "1 of 2 obligations it rests on are assured; the weakest: was assured by y"},
		{"failed is worst", []Assurance{u, f, s}, AssuranceFailed, "0 of 3 obligations it rests on are assured; the weakest: assessed as not met"},
		{"not applicable asks nothing", []Assurance{n, a}, Assured, "all 2 obligations it rests on are assured or not applicable"},
		{"all not applicable", []Assurance{n}, AssuranceUnnecessary, "all 1 obligations it rests on are assured or not applicable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Combine(c.in)
			if got.Status != c.status || got.Reason != c.reason {
				t.Errorf("got %s %q, want %s %q", got.Status, got.Reason, c.status, c.reason)
			}
		})
	}
}

// TestEvidenceValidate names every problem with its place.
func TestEvidenceValidate(t *testing.T) {
	ev := Evidence{Kind: "iso27001", Issued: "2026-13-01", Expires: "2026-01-01", URL: "ftp://x",
		SOC2:     &SOC2{PeriodStart: "2026-02-01", PeriodEnd: "2026-01-01", CUECs: []CUEC{{ID: "C1", Text: "t", Obligations: []string{"a/b/c/d/provider"}}, {ID: "C1", Text: "u"}}},
		Supports: []Support{{On: "offering", Ref: "aws"}, {On: "vendor", Ref: "x"}, {On: "control", Ref: "SRM-01", Control: "srm:SRM-01"}}}
	var got []string
	for _, p := range ev.Validate() {
		got = append(got, p.Pointer+": "+p.Message)
	}
	want := []string{
		`/kind: kind "iso27001" is not known: use one of "iso-27001", "soc2-type-2", "cyber-essentials-plus", "pci-dss", "csa-star", "penetration-test", "security-aspects-letter", "policy", "attestation" (did you mean "iso-27001"?)`,
		`/title: title is required: say what the evidence is, such as "ISO 27001 certificate for AWS, 2026"`,
		`/issued: issued "2026-13-01" is not a date: write it as YYYY-MM-DD`,
		`/url: url "ftp://x" is not a web address: give an https:// link`,
		`/soc2: soc2 details belong to a soc2-type-2, not a iso27001`,
		`/soc2/period_end: period_end 2026-01-01 is not after period_start 2026-02-01`,
		`/soc2/cuecs/0/obligations/0: "a/b/c/d/provider" is not one of our obligations (system/catalogue:control/provider/offering/ours)`,
		`/soc2/cuecs/1/id: complementary user entity control "C1" is listed twice`,
		`/supports/0/ref: offering "aws" is not provider/offering: write it as, for example, aws/ec2`,
		`/supports/1/on: on "vendor" is not known: use one of "offering", "obligation", "system", "control", "clause"`,
		`/supports/2/ref: control "SRM-01" is not catalogue:control`,
		`/supports/2/control: control narrows an offering or a system only`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestAssureByAssessment holds provider obligations to the latest
// completed supplier assessment of their offering: met assures them until
// it lapses; short of met fails them whatever evidence says.
func TestAssureByAssessment(t *testing.T) {
	signed := day("2026-06-01")
	older := day("2025-06-01")
	a := SupplierAssessment{ID: "sa-new", Offering: "casetrack/casetrack-cloud", Status: AssessmentCompleted, SignedOff: &signed, ValidUntil: "2027-06-01",
		Verdicts: []Verdict{
			{Offering: "casetrack/casetrack-cloud", Control: "srm:SRM-01", Result: Met, Principle: "ncsc-csp:CSP-02", Assessment: "sa-new", ValidUntil: "2027-06-01"},
			{Offering: "casetrack/casetrack-cloud", Control: "srm:SRM-11", Result: PartlyMet, Principle: "ncsc-csp:CSP-09", Rationale: "no MFA for support staff", Assessment: "sa-new", ValidUntil: "2027-06-01"},
			{Offering: "casetrack/casetrack-cloud", Control: "srm:SRM-27", Result: ResultNotApplies, Principle: "ncsc-csp:CSP-02", Rationale: "no removable media", Assessment: "sa-new", ValidUntil: "2027-06-01"},
		}}
	old := SupplierAssessment{ID: "sa-old", Offering: "casetrack/casetrack-cloud", Status: AssessmentCompleted, SignedOff: &older, ValidUntil: "2026-06-01",
		Verdicts: []Verdict{{Offering: "casetrack/casetrack-cloud", Control: "srm:SRM-11", Result: Met, Principle: "ncsc-csp:CSP-09", Assessment: "sa-old", ValidUntil: "2026-06-01"}}}
	draft := SupplierAssessment{ID: "sa-draft", Offering: "casetrack/casetrack-cloud", Status: AssessmentInProgress}
	cert := Evidence{ID: "ev-ce", Kind: EvidenceCyberEssentialsPlus, Title: "CaseTrack CE+", Issued: "2026-01-01", Expires: "2028-01-01", Supports: []Support{{On: SupportOffering, Ref: "casetrack/casetrack-cloud"}}}
	x := NewEvidenceIndex([]Evidence{cert}, Judgements{Suppliers: []SupplierAssessment{old, a, draft}})
	ref := func(control string) ObligationRef {
		return ObligationRef{ID: "court-case-tracking/" + control + "/casetrack/casetrack-cloud/provider", Control: control, Offering: "casetrack/casetrack-cloud"}
	}
	cases := []struct {
		name, control, now string
		status             AssuranceStatus
		reason             string
	}{
		{"met", "srm:SRM-01", "2026-11-29", Assured, "assured by assessment sa-new (ncsc-csp:CSP-02 met), until 2027-06-01"},
		{"partly met fails, though a certificate counts and an older assessment said met", "srm:SRM-11", "2026-11-29", AssuranceFailed, "assessment sa-new (ncsc-csp:CSP-09 partly-met): no MFA for support staff"},
		{"not applicable", "srm:SRM-27", "2026-11-29", AssuranceUnnecessary, "assessment sa-new (ncsc-csp:CSP-02 not-applicable): no removable media"},
		{"lapsed, but the certificate still counts", "srm:SRM-01", "2027-06-01", Assured, `assured by "CaseTrack CE+" (cyber-essentials-plus, until 2028-01-01)`},
		{"lapsed, and the certificate too", "srm:SRM-01", "2028-01-01", AssuranceStale, "was assured by assessment sa-new (ncsc-csp:CSP-02 met), which lapsed on 2027-06-01"},
		{"a control no principle bears on: evidence alone", "srm:SRM-05", "2026-11-29", Assured, `assured by "CaseTrack CE+" (cyber-essentials-plus, until 2028-01-01)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := x.Assure(ref(c.control), day(c.now))
			if fast := x.Status(ref(c.control), day(c.now), c.now); fast != got.Status {
				t.Errorf("Status says %s, Assure %s", fast, got.Status)
			}
			if batch := x.OfferingStatuses("casetrack/casetrack-cloud", []string{c.control}, nil, c.now); batch[0] != got.Status {
				t.Errorf("OfferingStatuses says %s, Assure %s", batch[0], got.Status)
			}
			if got.Status != c.status || got.Reason != c.reason {
				t.Errorf("got %s %q, want %s %q", got.Status, got.Reason, c.status, c.reason)
			}
		})
	}
	// Our obligations are not judged by a supplier assessment.
	ours := ObligationRef{ID: "court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/ours", System: "court-case-tracking", Control: "srm:SRM-11", Offering: "casetrack/casetrack-cloud", Ours: true}
	if got := x.Assure(ours, day("2026-11-29")); got.Status != Unassured {
		t.Errorf("ours: %s %q", got.Status, got.Reason)
	}
}

// TestVerdicts takes, for each control, the worst result of the
// principles bearing on it.
func TestVerdicts(t *testing.T) {
	q := &Questionnaire{Principles: []Principle{
		{Control: "ncsc-csp:CSP-01", Controls: []string{"srm:SRM-15"}},
		{Control: "ncsc-csp:CSP-02", Controls: []string{"srm:SRM-15", "srm:SRM-01"}},
		{Control: "ncsc-csp:CSP-03", Controls: []string{"srm:SRM-01"}},
	}}
	a := &SupplierAssessment{ID: "sa-1", Offering: "x/y", ValidUntil: "2027-01-01", Principles: []PrincipleAssessment{
		{Control: "ncsc-csp:CSP-01", Result: Met},
		{Control: "ncsc-csp:CSP-02", Result: NotMet, Rationale: "r2"},
		{Control: "ncsc-csp:CSP-03", Result: ResultNotApplies, Rationale: "r3"},
	}}
	var got []string
	for _, v := range verdicts(a, q) {
		got = append(got, v.Control+" "+string(v.Result)+" "+v.Principle)
	}
	want := []string{"ncsc-csp:CSP-01 met ncsc-csp:CSP-01", "srm:SRM-15 not-met ncsc-csp:CSP-02", "ncsc-csp:CSP-02 not-met ncsc-csp:CSP-02", "srm:SRM-01 not-met ncsc-csp:CSP-02", "ncsc-csp:CSP-03 not-applicable ncsc-csp:CSP-03"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}

// TestLapses finds the evidence that expired in a span of days and what
// it leaves with nothing counting.
func TestLapses(t *testing.T) {
	a := Evidence{ID: "ev-a", Title: "A", Expires: "2026-12-01", Supports: []Support{{On: SupportOffering, Ref: "aws/ec2"}, {On: SupportOffering, Ref: "aws/s3"}}}
	b := Evidence{ID: "ev-b", Title: "B", Expires: "2027-06-01", Supports: []Support{{On: SupportOffering, Ref: "aws/s3"}}}
	c := Evidence{ID: "ev-c", Title: "C", Expires: "2026-12-03", Supports: []Support{{On: SupportSystem, Ref: "prison-visits"}},
		SOC2: &SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31", CUECs: []CUEC{{ID: "1", Text: "t", Obligations: []string{"x/srm:SRM-11/p/o/ours"}}}}}
	x := NewEvidenceIndex([]Evidence{a, b, c}, Judgements{})
	got := x.Lapses("2026-11-29", "2026-12-02")
	want := []Lapse{{Evidence: "ev-a", Title: "A", Day: "2026-12-01", Targets: []string{"offering|aws/ec2|"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("to 2 December (-want +got):\n%s", diff)
	}
	got = x.Lapses("2026-12-02", "2026-12-03")
	want = []Lapse{{Evidence: "ev-c", Title: "C", Day: "2026-12-03", Targets: []string{"obligation|x/srm:SRM-11/p/o/ours|", "system|prison-visits|"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("on 3 December (-want +got):\n%s", diff)
	}
	if got := x.Lapses("2026-12-03", "2026-12-31"); len(got) != 0 {
		t.Errorf("nothing expires later in December: %+v", got)
	}
}

// BenchmarkLapses sweeps a year of expiry over 100,000 pieces of evidence
// with 10 supports each: 1,000,000 evidence links.
func BenchmarkLapses(b *testing.B) {
	evs := make([]Evidence, 100_000)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range evs {
		ev := Evidence{ID: fmt.Sprintf("ev-%016x", i), Title: "e", Issued: "2025-01-01", Expires: start.AddDate(0, 0, i%730).Format(time.DateOnly)}
		for j := range 10 {
			ev.Supports = append(ev.Supports, Support{On: SupportOffering, Ref: fmt.Sprintf("p%d/o%d", (i*7+j)%2000, j)})
		}
		evs[i] = ev
	}
	x := NewEvidenceIndex(evs, Judgements{})
	b.ResetTimer()
	var lapses []Lapse
	for range b.N {
		lapses = x.Lapses("2026-01-01", "2027-01-01")
	}
	b.StopTimer()
	targets := 0
	for _, l := range lapses {
		targets += len(l.Targets)
	}
	b.ReportMetric(float64(len(lapses)), "lapses")
	b.ReportMetric(float64(targets), "targets")
}

// TestExpiryNorms: evidence expiring far later than its kind usually
// counts needs a reason; within the usual life (and a few months' grace)
// it does not.
func TestExpiryNorms(t *testing.T) {
	today := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind            EvidenceKind
		issued, expires string
		reason          string
		want            bool
	}{
		{EvidenceISO27001, "2026-01-01", "2029-01-01", "", false},
		{EvidenceISO27001, "2026-01-01", "2029-03-31", "", false}, // within the grace
		{EvidenceISO27001, "2026-01-01", "2030-06-01", "", true},
		{EvidenceISO27001, "2026-01-01", "2030-06-01", "Certificate extended by the certification body.", false},
		{EvidencePenTest, "", "2027-12-01", "", false},
		{EvidencePenTest, "", "2099-01-01", "", true},
		{EvidenceSOC2Type2, "2026-06-30", "2027-12-31", "", true},
		{EvidencePolicy, "", "", "", false},
	} {
		ev := Evidence{Kind: c.kind, Issued: c.issued, Expires: c.expires, ExpiryReason: c.reason}
		if got := len(ev.ExpiryProblems(today)) > 0; got != c.want {
			t.Errorf("%s issued %q expiring %q (reason %q): a problem = %v, want %v", c.kind, c.issued, c.expires, c.reason, got, c.want)
		}
	}
}

// TestAssureMapped holds a provider's obligation for a mapped control to
// what assures its source controls, as far as each relationship allows:
// a whole source assures it (or leaves it stale), a partial one never
// does, any failed source fails it, and the control's own evidence or
// assessment, when it says assured or failed, stands.
func TestAssureMapped(t *testing.T) {
	const off = "hostco/platform"
	ev := func(id, control, expires string) Evidence {
		return Evidence{ID: id, Kind: EvidenceAttestation, Title: id, Issued: "2026-01-01", Expires: expires, Supports: []Support{{On: SupportOffering, Ref: off, Control: control}}}
	}
	signed := day("2026-06-01")
	sa := SupplierAssessment{ID: "sa", Offering: off, Status: AssessmentCompleted, SignedOff: &signed, ValidUntil: "2027-06-01",
		Verdicts: []Verdict{{Offering: off, Control: "srm:SRM-12", Result: NotMet, Principle: "ncsc-csp:CSP-10", Rationale: "shared admin accounts", Assessment: "sa", ValidUntil: "2027-06-01"}}}
	x := NewEvidenceIndex([]Evidence{
		ev("ev-transit", "srm:SRM-15", "2027-01-01"),
		ev("ev-physical", "srm:SRM-01", "2027-01-01"),
		ev("ev-old", "srm:SRM-11", "2026-03-01"),
		ev("ev-csp13", "ncsc-csp:CSP-13", "2027-01-01"),
	}, Judgements{Suppliers: []SupplierAssessment{sa}})
	whole := func(c string) MappedControl { return MappedControl{Control: c, Relationship: EquivalentTo} }
	part := func(c string) MappedControl { return MappedControl{Control: c, Relationship: SubsetOf} }
	cases := []struct {
		name    string
		control string
		mapped  []MappedControl
		status  AssuranceStatus
		reason  string
		ev      []string
	}{
		{"an equivalent source's evidence assures it", "ncsc-csp:CSP-01", []MappedControl{whole("srm:SRM-15")}, Assured,
			`through srm:SRM-15 (equivalent-to): assured by "ev-transit" (attestation, until 2027-01-01)`, []string{"ev-transit"}},
		{"a superset source assures it too", "ncsc-csp:CSP-01", []MappedControl{{Control: "srm:SRM-15", Relationship: SupersetOf}}, Assured,
			`through srm:SRM-15 (superset-of): assured by "ev-transit" (attestation, until 2027-01-01)`, []string{"ev-transit"}},
		{"a partial source never assures it", "ncsc-csp:CSP-02", []MappedControl{part("srm:SRM-01")}, Unassured,
			"partly assured: what assures srm:SRM-01 (subset-of) covers only part of ncsc-csp:CSP-02, and the rest needs evidence of its own; no evidence or assessment yet that hostco/platform does this", nil},
		{"however many partial sources", "ncsc-csp:CSP-02", []MappedControl{part("srm:SRM-01"), {Control: "srm:SRM-15", Relationship: IntersectsWith}}, Unassured,
			"partly assured: what assures srm:SRM-01 (subset-of) and srm:SRM-15 (intersects-with) covers only part of ncsc-csp:CSP-02, and the rest needs evidence of its own; no evidence or assessment yet that hostco/platform does this", nil},
		{"a whole source's lapsed evidence leaves it stale", "ncsc-csp:CSP-09", []MappedControl{whole("srm:SRM-11")}, AssuranceStale,
			`through srm:SRM-11 (equivalent-to): was assured by "ev-old" (attestation, until 2026-03-01), which expired on 2026-03-01`, []string{"ev-old"}},
		{"a failed source fails it, partial or not, whatever else assures", "ncsc-csp:CSP-10", []MappedControl{whole("srm:SRM-15"), part("srm:SRM-12")}, AssuranceFailed,
			"failed through srm:SRM-12 (subset-of): assessment sa (ncsc-csp:CSP-10 not-met): shared admin accounts", nil},
		{"the control's own evidence stands", "ncsc-csp:CSP-13", []MappedControl{part("srm:SRM-12")}, Assured,
			`assured by "ev-csp13" (attestation, until 2027-01-01)`, []string{"ev-csp13"}},
		{"a source with nothing behind it changes nothing", "ncsc-csp:CSP-05", []MappedControl{whole("srm:SRM-04")}, Unassured,
			"no evidence or assessment yet that hostco/platform does this", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := ObligationRef{ID: "s/" + c.control + "/" + off + "/provider", System: "s", Control: c.control, Offering: off, Mapped: c.mapped}
			got := x.Assure(o, day("2026-11-29"))
			if fast := x.Status(o, day("2026-11-29"), "2026-11-29"); fast != got.Status {
				t.Errorf("Status says %s, Assure %s", fast, got.Status)
			}
			if batch := x.OfferingStatuses(off, []string{c.control}, [][]MappedControl{c.mapped}, "2026-11-29"); batch[0] != got.Status {
				t.Errorf("OfferingStatuses says %s, Assure %s", batch[0], got.Status)
			}
			want := Assurance{Status: c.status, Reason: c.reason, Evidence: c.ev}
			if c.status == AssuranceFailed {
				want.Assessment = "sa"
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
