package remit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SATCategories are the groups of objectives, in order.
var SATCategories = []string{"identify", "protect", "detect", "respond", "recover"}

// SATTemplate is a version of the Standards Assurance Table's objectives.
// A new version may add objectives; it never removes or changes one.
type SATTemplate struct {
	Template   string      `json:"template" yaml:"template"`
	Version    int         `json:"version" yaml:"version"`
	Title      string      `json:"title" yaml:"title"`
	Sources    []Source    `json:"sources" yaml:"sources"`
	Objectives []Objective `json:"objectives" yaml:"objectives"`
}

// Objective is one objective of the table, with the controls it bears on.
type Objective struct {
	ID        string   `json:"id" yaml:"id"`
	Category  string   `json:"category" yaml:"category" enum:"identify,protect,detect,respond,recover"`
	Title     string   `json:"title" yaml:"title"`
	Objective string   `json:"objective" yaml:"objective"`
	Evidence  string   `json:"evidence" yaml:"evidence" doc:"What written evidence would show it is met"`
	Controls  []string `json:"controls" yaml:"controls"`
}

// Objective finds an objective by id.
func (t *SATTemplate) Objective(id string) (*Objective, bool) {
	i := slices.IndexFunc(t.Objectives, func(o Objective) bool { return o.ID == id })
	if i < 0 {
		return nil, false
	}
	return &t.Objectives[i], true
}

// CheckSATEvolution reports how next fails to extend prev: it must be the
// next version, keep every objective of prev exactly as it was and in its
// place, and only add objectives with new ids.
func CheckSATEvolution(prev, next *SATTemplate) []Problem {
	var ps []Problem
	if next.Version != prev.Version+1 {
		ps = append(ps, Problem{Pointer: "/version", Message: fmt.Sprintf("version %d does not follow %d: a template changes only by a new version, %d", next.Version, prev.Version, prev.Version+1)})
	}
	for i, o := range prev.Objectives {
		switch j := slices.IndexFunc(next.Objectives, func(x Objective) bool { return x.ID == o.ID }); {
		case j < 0:
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/objectives/%d", i), Message: fmt.Sprintf("objective %s is deleted: objectives are never deleted; a new version may only add", o.ID)})
		case j != i:
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/objectives/%d", j), Message: fmt.Sprintf("objective %s moved from place %d to %d: existing objectives keep their place", o.ID, i+1, j+1)})
		case !sameObjective(o, next.Objectives[j]):
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/objectives/%d", j), Message: fmt.Sprintf("objective %s is edited in place: objectives never change; add a new objective instead", o.ID)})
		}
	}
	seen := map[string]bool{}
	for i, o := range next.Objectives {
		if seen[o.ID] {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/objectives/%d/id", i), Message: fmt.Sprintf("objective %s is listed twice", o.ID)})
		}
		seen[o.ID] = true
		if i >= len(prev.Objectives) {
			ps = append(ps, validateObjective(fmt.Sprintf("/objectives/%d", i), o)...)
		}
	}
	return ps
}

func sameObjective(a, b Objective) bool {
	return a.ID == b.ID && a.Category == b.Category && a.Title == b.Title && a.Objective == b.Objective && a.Evidence == b.Evidence && slices.Equal(a.Controls, b.Controls)
}

func validateObjective(ptr string, o Objective) []Problem {
	var ps []Problem
	if o.ID == "" || strings.TrimSpace(o.Title) == "" || strings.TrimSpace(o.Objective) == "" {
		ps = append(ps, Problem{Pointer: ptr, Message: "an objective needs an id, a title and what must be true"})
	}
	if !slices.Contains(SATCategories, o.Category) {
		ps = append(ps, Problem{Pointer: ptr + "/category", Message: fmt.Sprintf("category %q is not known: use one of %s", o.Category, joinQuoted(SATCategories))})
	}
	for i, c := range o.Controls {
		if !strings.Contains(c, ":") {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("%s/controls/%d", ptr, i), Message: fmt.Sprintf("control %q is not catalogue:control", c)})
		}
	}
	return ps
}

// SATEvidence is how much written evidence an objective has.
type SATEvidence string

// The evidence levels of an objective.
var SATEvidenceLevels = []SATEvidence{"held", "partial", "not-held", "n/a"}

// MaxConfidence is the top of the confidence scale: delta = 14 − confidence.
const MaxConfidence = 14

// SATEntry is the assessor's record for one objective.
type SATEntry struct {
	Objective string      `json:"objective"`
	Evidence  SATEvidence `json:"evidence,omitempty" enum:"held,partial,not-held,n/a"`
	// Confidence is 0 to 14; nil is N/A (or not yet scored).
	Confidence      *int     `json:"confidence,omitempty" minimum:"0" maximum:"14"`
	FurtherEvidence string   `json:"further_evidence,omitempty" maxLength:"4000"`
	Commentary      string   `json:"commentary,omitempty" maxLength:"10000"`
	EvidenceLinks   []string `json:"evidence_links,omitempty" doc:"Ids of evidence in the register"`
}

// Delta is 14 − confidence: how far the objective is from being met; nil
// when confidence is N/A.
func (e *SATEntry) Delta() *int {
	if e.Confidence == nil {
		return nil
	}
	d := MaxConfidence - *e.Confidence
	return &d
}

// SAT is one Standards Assurance Table assessment of a system against a
// version of the template.
type SAT struct {
	ID              string           `json:"id"`
	System          string           `json:"system"`
	TemplateVersion int              `json:"template_version"`
	Status          AssessmentStatus `json:"status"`
	Entries         []SATEntry       `json:"entries"`
	Assessor        string           `json:"assessor,omitempty"`
	// Verdicts, fixed at completion: what the SAT shows of each control
	// its objectives bear on.
	Verdicts   map[string]SATEvidence `json:"verdicts,omitempty"`
	Completed  *time.Time             `json:"completed,omitempty"`
	ValidUntil string                 `json:"valid_until,omitempty"`
	Created    time.Time              `json:"created"`
	CreatedBy  string                 `json:"created_by"`
}

// Entry returns the record for one objective.
func (s *SAT) Entry(objective string) (*SATEntry, bool) {
	i := slices.IndexFunc(s.Entries, func(e SATEntry) bool { return e.Objective == objective })
	if i < 0 {
		return nil, false
	}
	return &s.Entries[i], true
}

// ValidateEntry reports every problem with one objective's record.
func (t *SATTemplate) ValidateEntry(e SATEntry) []Problem {
	ps := lengthProblems(field{"/further_evidence", "further_evidence", e.FurtherEvidence, MaxDetail}, field{"/commentary", "commentary", e.Commentary, MaxText})
	if _, ok := t.Objective(e.Objective); !ok {
		ps = append(ps, Problem{Pointer: "/objective", Message: fmt.Sprintf("%q is not an objective of version %d of the table", e.Objective, t.Version)})
	}
	if e.Evidence != "" && !slices.Contains(SATEvidenceLevels, e.Evidence) {
		ps = append(ps, Problem{Pointer: "/evidence", Message: fmt.Sprintf("evidence %q is not known: use one of %s", e.Evidence, joinQuoted(stringsOf(SATEvidenceLevels)))})
	}
	if c := e.Confidence; c != nil && (*c < 0 || *c > MaxConfidence) {
		ps = append(ps, Problem{Pointer: "/confidence", Message: fmt.Sprintf("confidence %d is outside 0 to 14 (leave it empty for N/A)", *c)})
	}
	return ps
}

// SignOff completes a SAT in progress: every objective must have its
// evidence level; it counts for a year.
func (a *SAT) SignOff(t *SATTemplate, by string, now time.Time) error {
	var missing []string
	for _, e := range a.Entries {
		if e.Evidence == "" {
			missing = append(missing, e.Objective)
		}
	}
	if len(missing) > 0 {
		return &ValidationError{Problems: []Problem{{Pointer: "/entries", Message: fmt.Sprintf("%d objectives have no evidence level yet: %s", len(missing), strings.Join(missing, ", "))}}}
	}
	if a.TemplateVersion != t.Version {
		return fmt.Errorf("SAT %s follows template version %d, not %d", a.ID, a.TemplateVersion, t.Version)
	}
	done := now.UTC()
	a.Status, a.Assessor, a.Completed, a.ValidUntil = AssessmentCompleted, by, &done, done.AddDate(1, 0, 0).Format(time.DateOnly)
	a.Verdicts = a.verdicts(t)
	return nil
}

// SATReport is a SAT summed up: delta per objective, per category and
// overall, and against the previous completed SAT of the same system.
type SATReport struct {
	Objectives []SATLine     `json:"objectives"`
	Categories []SATCategory `json:"categories"`
	// Delta sums every scored objective's delta; Max is what it would be
	// with no confidence at all (14 per scored objective).
	Delta, Max int
	// Previous is the SAT compared against, "" when there is none.
	Previous string `json:"previous,omitempty"`
}

// SATLine is one objective in a report.
type SATLine struct {
	Objective
	Entry SATEntry `json:"entry"`
	Delta *int     `json:"delta"`
	// Was is the delta in the previous SAT, when it scored the objective.
	Was *int `json:"was,omitempty"`
}

// SATCategory sums a category.
type SATCategory struct {
	Category   string `json:"category"`
	Objectives int    `json:"objectives"`
	Scored     int    `json:"scored"`
	Delta      int    `json:"delta"`
	Max        int    `json:"max"`
}

// Report sums a SAT against its template, comparing with prev (nil for
// none).
func (a *SAT) Report(t *SATTemplate, prev *SAT) SATReport {
	r := SATReport{}
	if prev != nil {
		r.Previous = prev.ID
	}
	cats := map[string]*SATCategory{}
	for _, c := range SATCategories {
		cats[c] = &SATCategory{Category: c}
	}
	for _, o := range t.Objectives {
		e, _ := a.Entry(o.ID)
		if e == nil {
			e = &SATEntry{Objective: o.ID}
		}
		line := SATLine{Objective: o, Entry: *e, Delta: e.Delta()}
		if prev != nil {
			if pe, ok := prev.Entry(o.ID); ok {
				line.Was = pe.Delta()
			}
		}
		c := cats[o.Category]
		c.Objectives++
		if line.Delta != nil {
			c.Scored++
			c.Delta += *line.Delta
			c.Max += MaxConfidence
			r.Delta += *line.Delta
			r.Max += MaxConfidence
		}
		r.Objectives = append(r.Objectives, line)
	}
	for _, c := range SATCategories {
		r.Categories = append(r.Categories, *cats[c])
	}
	return r
}

// verdicts says what a completed SAT shows of the controls its
// objectives bear on, for its system: held assures our obligations there,
// partial leaves them unassured, not held fails them.
func (a *SAT) verdicts(t *SATTemplate) map[string]SATEvidence {
	rank := map[SATEvidence]int{"n/a": 0, "held": 1, "partial": 2, "not-held": 3}
	out := map[string]SATEvidence{}
	for _, o := range t.Objectives {
		e, ok := a.Entry(o.ID)
		if !ok || e.Evidence == "" {
			continue
		}
		for _, c := range o.Controls {
			if cur, ok := out[c]; !ok || rank[e.Evidence] > rank[cur] {
				out[c] = e.Evidence
			}
		}
	}
	return out
}
