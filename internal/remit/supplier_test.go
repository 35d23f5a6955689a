package remit

import (
	"strings"
	"testing"
	"time"
)

// TestDeriveTier: the documented rule, case by case.
func TestDeriveTier(t *testing.T) {
	for _, c := range []struct {
		classes []string
		tier    int
		why     string
	}{
		{nil, 3, "no system relies on it"},
		{[]string{""}, 3, "1 system relies on it, not classified"},
		{[]string{"official"}, 2, "1 system classified OFFICIAL relies on it"},
		{[]string{"", ""}, 2, "2 systems rely on it"},
		{[]string{"OFFICIAL-SENSITIVE"}, 1, "1 system classified above OFFICIAL relies on it"},
		{[]string{"OFFICIAL", "Secret", "OFFICIAL-SENSITIVE"}, 1, "2 systems classified above OFFICIAL rely on it"},
		{[]string{"", "", "", "", "OFFICIAL"}, 1, "5 systems rely on it (5 or more)"},
	} {
		if tier, why := DeriveTier(c.classes); tier != c.tier || why != c.why {
			t.Errorf("DeriveTier(%q) = %d %q, want %d %q", c.classes, tier, why, c.tier, c.why)
		}
	}
}

// TestSupplierRecordValidate: a tier set by hand needs its reason; a
// contract needs its reference, dates that are dates and an end after its
// start; contacts need names and real addresses.
func TestSupplierRecordValidate(t *testing.T) {
	bad := SupplierRecord{Tier: 4, Contacts: []SupplierContact{{Email: "not an address"}}, DataLocations: []string{" "},
		Contract: &Contract{Start: "2027-01-01", End: "2026-01-01", NoticeDays: -1, Renewal: "sometimes"}}
	got := map[string]bool{}
	for _, p := range bad.Validate() {
		got[p.Pointer] = true
	}
	for _, want := range []string{"/tier", "/tier_reason", "/contacts/0/name", "/contacts/0/email", "/data_locations/0", "/contract/reference", "/contract/end", "/contract/notice_days", "/contract/renewal"} {
		if !got[want] {
			t.Errorf("no problem at %s (got %v)", want, got)
		}
	}
	good := SupplierRecord{Tier: 1, TierReason: "Holds case files", Contacts: []SupplierContact{{Name: "Sam", Email: "sam@casetrack.example"}},
		Contract: &Contract{Reference: "CT-2026-01", Start: "2026-01-01", End: "2028-12-31", NoticeDays: 90, Renewal: "automatic"}}
	if ps := good.Validate(); len(ps) != 0 {
		t.Errorf("a good record: %v", ps)
	}
	if by := good.Contract.NoticeBy(); by != "2028-10-02" {
		t.Errorf("notice by %s", by)
	}
}

// TestClausesValidate: each clause's id, kind, title, source, hours and
// references are checked where they are.
func TestClausesValidate(t *testing.T) {
	rec := SupplierRecord{
		SubProcessors: []SubProcessor{{Purpose: "hosting"}},
		Clauses: []Clause{
			{ID: "Bad id!", Kind: "isms", Title: "x", Source: "contract"},
			{ID: "breach", Kind: ClauseBreachNotification, Title: "Tell us", Source: "letter", Controls: []string{"CSP-05"}, EvidenceKinds: []EvidenceKind{"rumour"}},
			{ID: "breach", Kind: "ism", Title: " ", Source: "contract"},
		}}
	got := map[string]string{}
	for _, p := range rec.Validate() {
		got[p.Pointer] = p.Message
	}
	for ptr, want := range map[string]string{
		"/sub_processors/0/name":      "a sub-processor needs a name",
		"/clauses/0/id":               `clause id "Bad id!" is not an id`,
		"/clauses/1/source":           `source "letter" is not known`,
		"/clauses/1/hours":            "within how many hours",
		"/clauses/1/controls/0":       `control "CSP-05" is not catalogue:control`,
		"/clauses/1/evidence_kinds/0": `evidence kind "rumour" is not known`,
		"/clauses/2/id":               "clause breach is listed twice",
		"/clauses/2/kind":             `(did you mean "isms"?)`,
		"/clauses/2/title":            "a clause needs a title",
	} {
		if !strings.Contains(got[ptr], want) {
			t.Errorf("%s: %q, want it to say %q", ptr, got[ptr], want)
		}
	}
}

// TestAssureClause: a clause's assurance, rule by rule, on injected days.
func TestAssureClause(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	signed := day("2026-06-01")
	isms := Clause{ID: "isms", Kind: ClauseISMS, Title: "ISMS", Source: "security-aspects-letter", Controls: []string{"ncsc-csp:CSP-04"}, EvidenceKinds: []EvidenceKind{EvidenceISO27001}}
	vetting := Clause{ID: "vetting", Kind: ClauseVetting, Title: "BPSS", Source: "security-aspects-letter", Controls: []string{"ncsc-csp:CSP-06"}}
	breach := Clause{ID: "breach", Kind: ClauseBreachNotification, Title: "24 hours", Source: "contract", Hours: 24}
	iso := Evidence{ID: "ev-iso", Kind: EvidenceISO27001, Title: "ISO", Issued: "2026-01-01", Expires: "2027-01-01", Supports: []Support{{On: SupportOffering, Ref: "ct/cloud"}}}
	pentest := Evidence{ID: "ev-pen", Kind: EvidencePenTest, Title: "Pen test", Issued: "2026-01-01", Supports: []Support{{On: SupportOffering, Ref: "ct/cloud"}}}
	letter := Evidence{ID: "ev-ir", Kind: EvidenceAttestation, Title: "Incident plan", Issued: "2026-01-01", Expires: "2026-09-01", Supports: []Support{{On: SupportClause, Ref: "ct/breach"}}}
	assessment := SupplierAssessment{ID: "sa-1", Offering: "ct/cloud", Status: AssessmentCompleted, SignedOff: &signed, Verdicts: []Verdict{
		{Offering: "ct/cloud", Control: "ncsc-csp:CSP-06", Result: NotMet, Principle: "ncsc-csp:CSP-06", Rationale: "no BPSS for support staff", Assessment: "sa-1", ValidUntil: "2027-06-01"},
		{Offering: "ct/cloud", Control: "ncsc-csp:CSP-04", Result: Met, Principle: "ncsc-csp:CSP-04", Assessment: "sa-1", ValidUntil: "2027-06-01"},
	}}
	x := NewEvidenceIndex([]Evidence{iso, pentest, letter}, Judgements{Suppliers: []SupplierAssessment{assessment}})
	bare := NewEvidenceIndex(nil, Judgements{})
	offs := []string{"ct/cloud"}
	for _, c := range []struct {
		name     string
		x        *EvidenceIndex
		clause   Clause
		findings []string
		on       string
		status   AssuranceStatus
		reason   string
	}{
		{"nothing yet", bare, isms, nil, "2026-07-01", Unassured, "no evidence, assessment or finding yet"},
		{"evidence of its kind for an offering", x, isms, nil, "2026-07-01", Assured, `assured by "ISO" (iso-27001`},
		{"the kind expired, the assessment still met", x, isms, nil, "2027-02-01", Assured, "assured by assessment sa-1 (ncsc-csp:CSP-04 met), until 2027-06-01"},
		{"both lapsed", x, isms, nil, "2027-07-01", AssuranceStale, "expired on 2027-01-01"},
		{"the assessment judges its control not met", x, vetting, nil, "2026-07-01", AssuranceFailed, "no BPSS for support staff"},
		{"an open finding fails it", x, isms, []string{"fi-1 ISMS certificate withdrawn"}, "2026-07-01", AssuranceFailed, "fi-1 ISMS certificate withdrawn"},
		{"evidence naming the clause", x, breach, nil, "2026-07-01", Assured, `"Incident plan"`},
		{"evidence naming the clause, expired", x, breach, nil, "2026-10-01", AssuranceStale, "expired on 2026-09-01"},
		{"evidence of another kind does not count", NewEvidenceIndex([]Evidence{pentest}, Judgements{}), isms, nil, "2026-07-01", Unassured, "no evidence"},
	} {
		a := c.x.AssureClause("ct", offs, c.clause, c.findings, day(c.on))
		if a.Status != c.status || !strings.Contains(a.Reason, c.reason) {
			t.Errorf("%s: %s %q, want %s with %q", c.name, a.Status, a.Reason, c.status, c.reason)
		}
	}
}

// TestSupplierSettings: each tier's policy, the defaults filling gaps,
// and validation.
func TestSupplierSettings(t *testing.T) {
	d := DefaultSupplierSettings()
	if p := d.Policy(1); p.Months != 12 || p.SelfAttested() || p.Questionnaire != "" {
		t.Errorf("tier 1: %+v", p)
	}
	if p := d.Policy(3); p.Months != 36 || !p.SelfAttested() {
		t.Errorf("tier 3: %+v", p)
	}
	s := SupplierSettings{Tiers: []TierPolicy{{Tier: 2, Questionnaire: "caiq", Months: 6}}}
	if p := s.Policy(2); p.Questionnaire != "caiq" || p.Months != 6 {
		t.Errorf("tier 2 set: %+v", p)
	}
	if p := s.Policy(1); p.Months != 12 {
		t.Errorf("tier 1 falls back to the default: %+v", p)
	}
	bad := SupplierSettings{Tiers: []TierPolicy{{Tier: 4, Questionnaire: "nope", Months: 0, Evidence: []EvidenceKind{"x"}}, {Tier: 4, Questionnaire: "ncsc-supplier", Months: 12}}}
	got := map[string]bool{}
	for _, p := range bad.Validate(func(q string) bool { return q == "ncsc-supplier" }) {
		got[p.Pointer] = true
	}
	for _, want := range []string{"/tiers/0/tier", "/tiers/0/months", "/tiers/0/questionnaire", "/tiers/0/evidence/0", "/tiers/1/tier"} {
		if !got[want] {
			t.Errorf("no problem at %s: %v", want, got)
		}
	}
}

// TestQuestionnaireTemplates: validation, evolution once used (add and
// reorder only), and the result answers suggest.
func TestQuestionnaireTemplates(t *testing.T) {
	v1 := &Questionnaire{Template: "own", Version: 1, Title: "Our questions", Principles: []Principle{{Control: "own:P1", Title: "Patching", Questions: []Question{
		{ID: "q1", Text: "Patched within 14 days?", Type: "yes-no", Expect: "yes"},
		{ID: "q2", Text: "Scanner?", Type: "choice", Options: []string{"Weekly", "Never"}, Expect: "Weekly"},
		{ID: "q3", Text: "Describe it", Type: "text"},
	}}}}
	if ps := ValidateQuestionnaire(v1); len(ps) != 0 {
		t.Fatalf("v1: %v", ps)
	}
	bad := &Questionnaire{Template: "Own!", Title: "", Principles: []Principle{{Control: "P1", Questions: []Question{
		{ID: "q1", Text: "a", Type: "yes-no", Expect: "maybe"}, {ID: "q1", Text: "b", Type: "choise"}, {ID: "q2", Text: "c", Type: "choice", Options: []string{"one"}, Expect: "two"}, {ID: "q3", Text: "d", Type: "text", Expect: "x"},
	}}}}
	got := map[string]string{}
	for _, p := range ValidateQuestionnaire(bad) {
		got[p.Pointer] += p.Message
	}
	for ptr, want := range map[string]string{
		"/template": "not an id", "/version": "not 1 or more", "/title": "needs a title", "/principles/0/control": "not catalogue:control",
		"/principles/0/questions/0/expect": "yes or no", "/principles/0/questions/1/id": "listed twice", "/principles/0/questions/1/type": `did you mean "choice"`,
		"/principles/0/questions/2/options": "at least two options", "/principles/0/questions/2/expect": "not one of the options", "/principles/0/questions/3/expect": "only yes-no and choice",
	} {
		if !strings.Contains(got[ptr], want) {
			t.Errorf("%s: %q, want %q", ptr, got[ptr], want)
		}
	}
	// Reordered and added to: allowed once used.
	v2 := &Questionnaire{Template: "own", Version: 2, Title: "Our questions", Principles: []Principle{{Control: "own:P1", Title: "Patching", Questions: []Question{
		v1.Principles[0].Questions[2], v1.Principles[0].Questions[0], v1.Principles[0].Questions[1], {ID: "q4", Text: "Emergency patches?", Type: "yes-no"},
	}}}}
	if ps := CheckQuestionnaireEvolution(v1, v2, true); len(ps) != 0 {
		t.Errorf("reorder and add: %v", ps)
	}
	// Deleting or changing an answered question: refused once used, allowed before.
	v2b := &Questionnaire{Template: "own", Version: 2, Title: "x", Principles: []Principle{{Control: "own:P1", Title: "Patching", Questions: []Question{
		{ID: "q1", Text: "Patched within 30 days?", Type: "yes-no"},
	}}}}
	var msgs []string
	for _, p := range CheckQuestionnaireEvolution(v1, v2b, true) {
		msgs = append(msgs, p.Message)
	}
	if all := strings.Join(msgs, "|"); !strings.Contains(all, "question q1 is changed") || !strings.Contains(all, "question q2 of own:P1 is deleted") || !strings.Contains(all, "question q3 of own:P1 is deleted") {
		t.Errorf("used: %v", msgs)
	}
	if ps := CheckQuestionnaireEvolution(v1, v2b, false); len(ps) != 0 {
		t.Errorf("unused: %v", ps)
	}
	if ps := CheckQuestionnaireEvolution(v1, &Questionnaire{Template: "own", Version: 3}, false); len(ps) != 1 || ps[0].Pointer != "/version" {
		t.Errorf("skipped version: %v", ps)
	}
	p := &v1.Principles[0]
	for _, c := range []struct {
		answers map[string]string
		want    Result
	}{
		{map[string]string{"q1": "yes"}, ""},
		{map[string]string{"q1": "yes", "q2": "Weekly"}, Met},
		{map[string]string{"q1": "no", "q2": "Weekly"}, PartlyMet},
		{map[string]string{"q1": "no", "q2": "Never", "q3": "we do not"}, NotMet},
	} {
		if got := p.Suggest(c.answers); got != c.want {
			t.Errorf("Suggest(%v) = %q, want %q", c.answers, got, c.want)
		}
	}
}
