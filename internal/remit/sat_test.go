package remit

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func satTemplate() *SATTemplate {
	return &SATTemplate{Template: "sat", Version: 1, Objectives: []Objective{
		{ID: "SAT-01", Category: "identify", Title: "Know the assets", Objective: "Assets are known.", Controls: []string{"srm:SRM-25"}},
		{ID: "SAT-02", Category: "protect", Title: "Patch", Objective: "Systems are patched.", Controls: []string{"srm:SRM-03", "srm:SRM-04"}},
		{ID: "SAT-03", Category: "protect", Title: "Accounts", Objective: "Accounts are managed.", Controls: []string{"srm:SRM-04", "srm:SRM-11"}},
	}}
}

// TestSATEvolution enforces that a new template version only adds.
func TestSATEvolution(t *testing.T) {
	prev := satTemplate()
	next := func(edit func(t *SATTemplate)) *SATTemplate {
		n := satTemplate()
		n.Objectives = append(n.Objectives[:0:0], n.Objectives...)
		n.Version = 2
		edit(n)
		return n
	}
	added := Objective{ID: "SAT-40", Category: "recover", Title: "Restore", Objective: "Backups restore.", Controls: []string{"srm:SRM-21"}}
	cases := []struct {
		name string
		next *SATTemplate
		want []string
	}{
		{"adds an objective", next(func(n *SATTemplate) { n.Objectives = append(n.Objectives, added) }), nil},
		{"deletes one", next(func(n *SATTemplate) { n.Objectives = n.Objectives[:2] }), []string{"/objectives/2: objective SAT-03 is deleted: objectives are never deleted; a new version may only add"}},
		{"edits one in place", next(func(n *SATTemplate) { n.Objectives[1].Objective = "Systems are patched within 14 days." }), []string{"/objectives/1: objective SAT-02 is edited in place: objectives never change; add a new objective instead"}},
		{"moves one", next(func(n *SATTemplate) { n.Objectives[0], n.Objectives[1] = n.Objectives[1], n.Objectives[0] }), []string{
			"/objectives/1: objective SAT-01 moved from place 1 to 2: existing objectives keep their place",
			"/objectives/0: objective SAT-02 moved from place 2 to 1: existing objectives keep their place"}},
		{"skips a version", next(func(n *SATTemplate) { n.Version = 3; n.Objectives = append(n.Objectives, added) }), []string{"/version: version 3 does not follow 1: a template changes only by a new version, 2"}},
		{"adds a bad one", next(func(n *SATTemplate) {
			n.Objectives = append(n.Objectives, Objective{ID: "SAT-01", Category: "defend", Title: "x", Objective: "y"})
		}), []string{
			"/objectives/3/id: objective SAT-01 is listed twice", `/objectives/3/category: category "defend" is not known: use one of "identify", "protect", "detect", "respond", "recover"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range CheckSATEvolution(prev, c.next) {
				got = append(got, p.Pointer+": "+p.Message)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func intp(i int) *int { return &i }

// TestSATReport computes delta = 14 − confidence per objective, per
// category and overall, and compares with the previous SAT.
func TestSATReport(t *testing.T) {
	tmpl := satTemplate()
	prev := &SAT{ID: "sat-prev", Entries: []SATEntry{{Objective: "SAT-01", Evidence: "partial", Confidence: intp(4)}, {Objective: "SAT-02", Evidence: "held", Confidence: intp(12)}}}
	cur := &SAT{ID: "sat-cur", Entries: []SATEntry{
		{Objective: "SAT-01", Evidence: "held", Confidence: intp(11)},
		{Objective: "SAT-02", Evidence: "partial", Confidence: intp(7)},
		{Objective: "SAT-03", Evidence: "n/a"},
	}}
	r := cur.Report(tmpl, prev)
	var lines []string
	for _, l := range r.Objectives {
		s := l.ID + " delta "
		if l.Delta == nil {
			s += "n/a"
		} else {
			s += strconv.Itoa(*l.Delta)
		}
		if l.Was != nil {
			s += " was " + strconv.Itoa(*l.Was)
		}
		lines = append(lines, s)
	}
	if diff := cmp.Diff([]string{"SAT-01 delta 3 was 10", "SAT-02 delta 7 was 2", "SAT-03 delta n/a"}, lines); diff != "" {
		t.Errorf("objectives (-want +got):\n%s", diff)
	}
	want := []SATCategory{{"identify", 1, 1, 3, 14}, {"protect", 2, 1, 7, 14}, {"detect", 0, 0, 0, 0}, {"respond", 0, 0, 0, 0}, {"recover", 0, 0, 0, 0}}
	if diff := cmp.Diff(want, r.Categories); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	if r.Delta != 10 || r.Max != 28 || r.Previous != "sat-prev" {
		t.Errorf("overall delta %d of %d, previous %q", r.Delta, r.Max, r.Previous)
	}
}

// TestAssureBySAT holds our obligations in a system to its latest
// completed SAT: held assures, not held fails, partial defers to evidence.
func TestAssureBySAT(t *testing.T) {
	done := day("2026-10-01")
	sat := SAT{ID: "sat-1", System: "prison-visits", Status: AssessmentCompleted, Completed: &done, ValidUntil: "2027-10-01",
		Verdicts: map[string]SATEvidence{"srm:SRM-03": "held", "srm:SRM-04": "not-held", "srm:SRM-11": "partial", "srm:SRM-25": "n/a"}}
	policy := Evidence{ID: "ev-pol", Kind: EvidencePolicy, Title: "Access policy", Issued: "2026-01-01", Supports: []Support{{On: SupportControl, Ref: "srm:SRM-11"}}}
	x := NewEvidenceIndex([]Evidence{policy}, Judgements{SATs: []SAT{sat}})
	ours := func(system, control string) ObligationRef {
		return ObligationRef{ID: system + "/" + control + "/*/ours", System: system, Control: control, Ours: true}
	}
	cases := []struct {
		name   string
		o      ObligationRef
		now    string
		status AssuranceStatus
		reason string
	}{
		{"held", ours("prison-visits", "srm:SRM-03"), "2026-11-29", Assured, "assured by SAT sat-1 (srm:SRM-03: held), until 2027-10-01"},
		{"not held fails", ours("prison-visits", "srm:SRM-04"), "2026-11-29", AssuranceFailed, "SAT sat-1 (srm:SRM-04: not-held): no written evidence that we do this"},
		{"partial, but a policy counts", ours("prison-visits", "srm:SRM-11"), "2026-11-29", Assured, `assured by "Access policy" (policy)`},
		{"n/a leaves evidence alone", ours("prison-visits", "srm:SRM-25"), "2026-11-29", Unassured, "no evidence yet that we do this"},
		{"another system is not judged by it", ours("legal-aid-portal", "srm:SRM-04"), "2026-11-29", Unassured, "no evidence yet that we do this"},
		{"lapsed", ours("prison-visits", "srm:SRM-03"), "2027-10-01", AssuranceStale, "was assured by SAT sat-1 (srm:SRM-03: held), which lapsed on 2027-10-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := x.Assure(c.o, day(c.now))
			if fast := x.Status(c.o, day(c.now), c.now); fast != got.Status {
				t.Errorf("Status says %s, Assure %s", fast, got.Status)
			}
			if got.Status != c.status || got.Reason != c.reason {
				t.Errorf("got %s %q, want %s %q", got.Status, got.Reason, c.status, c.reason)
			}
		})
	}
}
