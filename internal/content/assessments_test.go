package content_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
)

// TestAssessmentTemplates loads both templates and holds them to their
// shape: every control they cite is in a built-in catalogue, ids run in
// order, question types are known, choices have options, sources are
// cited.
func TestAssessmentTemplates(t *testing.T) {
	known := map[string]bool{}
	for _, cat := range loadBuiltins(t).Catalogues {
		for _, c := range cat.Controls {
			known[cat.ID+":"+c.ID] = true
		}
	}
	q := content.SupplierQuestionnaire()
	if q.Template != "ncsc-supplier" || q.Version != 1 || len(q.Principles) != 14 || len(q.Sources) == 0 {
		t.Fatalf("questionnaire: %s v%d, %d principles, %d sources", q.Template, q.Version, len(q.Principles), len(q.Sources))
	}
	for i, p := range q.Principles {
		if want := fmt.Sprintf("ncsc-csp:CSP-%02d", i+1); p.Control != want {
			t.Errorf("principle %d is %s, want %s", i+1, p.Control, want)
		}
		for _, c := range append([]string{p.Control}, p.Controls...) {
			if !known[c] {
				t.Errorf("%s cites %s, which no built-in catalogue has", p.Control, c)
			}
		}
		if len(p.Questions) < 3 {
			t.Errorf("%s has %d questions", p.Control, len(p.Questions))
		}
		for j, qu := range p.Questions {
			if want := fmt.Sprintf("%02d-Q%d", i+1, j+1); qu.ID != want {
				t.Errorf("question %s, want %s", qu.ID, want)
			}
			if !slices.Contains([]string{"yes-no", "choice", "text", "date"}, qu.Type) || (qu.Type == "choice") != (len(qu.Options) > 0) || strings.TrimSpace(qu.Text) == "" {
				t.Errorf("question %s: type %q with %d options", qu.ID, qu.Type, len(qu.Options))
			}
		}
	}
	sat := content.SATObjectives()
	if sat.Template != "sat" || sat.Version != 1 || len(sat.Objectives) != 39 || len(sat.Sources) == 0 {
		t.Fatalf("SAT: %s v%d, %d objectives", sat.Template, sat.Version, len(sat.Objectives))
	}
	categories := []string{"identify", "protect", "detect", "respond", "recover"}
	last := 0
	for i, o := range sat.Objectives {
		if want := fmt.Sprintf("SAT-%02d", i+1); o.ID != want {
			t.Errorf("objective %s, want %s", o.ID, want)
		}
		k := slices.Index(categories, o.Category)
		if k < last {
			t.Errorf("%s: category %q out of order", o.ID, o.Category)
		}
		last = k
		if len(o.Controls) == 0 || o.Objective == "" || o.Evidence == "" {
			t.Errorf("%s: %d controls, objective %q, evidence %q", o.ID, len(o.Controls), o.Objective, o.Evidence)
		}
		for _, c := range o.Controls {
			if !known[c] {
				t.Errorf("%s cites %s, which no built-in catalogue has", o.ID, c)
			}
		}
	}
}

// TestSecurityAspectsLetter: the built-in clauses validate as a supplier
// record's, cite sources, and name only built-in controls; the
// questionnaire validates as any template would.
func TestSecurityAspectsLetter(t *testing.T) {
	known := map[string]bool{}
	for _, cat := range loadBuiltins(t).Catalogues {
		for _, c := range cat.Controls {
			known[cat.ID+":"+c.ID] = true
		}
	}
	s := content.SecurityAspectsLetter()
	if len(s.Clauses) != 8 || len(s.Sources) == 0 {
		t.Fatalf("%d clauses, %d sources", len(s.Clauses), len(s.Sources))
	}
	rec := remit.SupplierRecord{Clauses: s.Clauses}
	if ps := rec.Validate(); len(ps) != 0 {
		t.Errorf("the built-in clauses: %v", ps)
	}
	for _, c := range s.Clauses {
		for _, ctl := range c.Controls {
			if !known[ctl] {
				t.Errorf("clause %s cites %s, which no built-in catalogue has", c.ID, ctl)
			}
		}
	}
	if c, _ := rec.Clause("breach-notification"); c == nil || c.Hours != 24 {
		t.Errorf("breach notification: %+v", c)
	}
	if c, _ := rec.Clause("isms"); c == nil || !slices.Equal(c.EvidenceKinds, []remit.EvidenceKind{remit.EvidenceISO27001, remit.EvidenceCyberEssentialsPlus}) {
		t.Errorf("isms: %+v", c)
	}
	if ps := remit.ValidateQuestionnaire(content.SupplierQuestionnaire()); len(ps) != 0 {
		t.Errorf("the built-in questionnaire: %v", ps)
	}
}
