package remit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// KindSupplierAssessment is a supplier assessment of one offering.
const KindSupplierAssessment Kind = "supplier-assessment"

// Questionnaire is a supplier assessment template: principles, each a
// catalogue control with the other controls it bears on, and questions.
type Questionnaire struct {
	Template   string      `json:"template" yaml:"template"`
	Version    int         `json:"version" yaml:"version"`
	Title      string      `json:"title" yaml:"title"`
	Sources    []Source    `json:"sources" yaml:"sources"`
	Principles []Principle `json:"principles" yaml:"principles"`
}

// Principle is one principle of a questionnaire.
type Principle struct {
	Control   string     `json:"control" yaml:"control"`
	Title     string     `json:"title" yaml:"title"`
	Summary   string     `json:"summary" yaml:"summary"`
	Controls  []string   `json:"controls" yaml:"controls"`
	Questions []Question `json:"questions" yaml:"questions"`
}

// Question is one typed question: yes-no, choice (of Options), text or date.
type Question struct {
	ID      string   `json:"id" yaml:"id"`
	Text    string   `json:"text" yaml:"text"`
	Type    string   `json:"type" yaml:"type"`
	Options []string `json:"options,omitempty" yaml:"options,omitempty"`
}

// Principle finds a principle by its control.
func (q *Questionnaire) Principle(control string) (*Principle, bool) {
	i := slices.IndexFunc(q.Principles, func(p Principle) bool { return p.Control == control })
	if i < 0 {
		return nil, false
	}
	return &q.Principles[i], true
}

// Result is an assessor's judgement of one principle.
type Result string

// The results of a principle.
const (
	Met              Result = "met"
	PartlyMet        Result = "partly-met"
	NotMet           Result = "not-met"
	ResultNotApplies Result = "not-applicable"
)

// Results lists every result, best first.
var Results = []Result{Met, PartlyMet, NotMet, ResultNotApplies}

// AssessmentStatus is where an assessment is in its life.
type AssessmentStatus string

// An assessment is in progress until an assessor completes it; then it
// never changes again (a new assessment replaces it).
const (
	AssessmentInProgress AssessmentStatus = "in-progress"
	AssessmentCompleted  AssessmentStatus = "completed"
)

// SupplierAssessment is one assessment of an offering against a
// questionnaire: the answers, the evidence and a result with its
// rationale per principle, an overall conclusion, the assessor's sign-off
// and the day it stops counting. Completed, it assures (or fails) the
// offering's provider obligations for every system relying on it.
type SupplierAssessment struct {
	ID              string                `json:"id"`
	Offering        string                `json:"offering"`
	Template        string                `json:"template"`
	TemplateVersion int                   `json:"template_version"`
	Status          AssessmentStatus      `json:"status"`
	Principles      []PrincipleAssessment `json:"principles"`
	Conclusion      string                `json:"conclusion,omitempty"`
	ValidUntil      string                `json:"valid_until,omitempty" doc:"YYYY-MM-DD: the first day it no longer counts"`
	SignedOffBy     string                `json:"signed_off_by,omitempty"`
	SignedOff       *time.Time            `json:"signed_off,omitempty"`
	Verdicts        []Verdict             `json:"verdicts,omitempty" doc:"What the completed assessment says of each control it bears on"`
	Created         time.Time             `json:"created"`
	CreatedBy       string                `json:"created_by"`
}

// PrincipleAssessment is the work on one principle.
type PrincipleAssessment struct {
	Control   string            `json:"control" required:"false" doc:"Taken from the path when omitted"`
	Answers   map[string]string `json:"answers,omitempty"`
	Evidence  []string          `json:"evidence,omitempty"`
	Result    Result            `json:"result,omitempty"`
	Rationale string            `json:"rationale,omitempty"`
}

// Verdict is what a completed assessment says of one control of an
// offering: the worst result of the principles bearing on it.
type Verdict struct {
	Offering   string `json:"offering"`
	Control    string `json:"control"`
	Result     Result `json:"result"`
	Principle  string `json:"principle"`
	Rationale  string `json:"rationale,omitempty"`
	Assessment string `json:"assessment"`
	ValidUntil string `json:"valid_until"`
}

// Principle returns the work on one principle.
func (a *SupplierAssessment) Principle(control string) (*PrincipleAssessment, bool) {
	i := slices.IndexFunc(a.Principles, func(p PrincipleAssessment) bool { return p.Control == control })
	if i < 0 {
		return nil, false
	}
	return &a.Principles[i], true
}

// StartSupplierAssessment begins an assessment of an offering against q.
// The caller has checked that the offering exists.
func StartSupplierAssessment(ctx context.Context, s Store, q *Questionnaire, offering, actor string, now time.Time) (SupplierAssessment, error) {
	if _, err := ParseOfferingRef(offering); err != nil {
		return SupplierAssessment{}, &ValidationError{Problems: []Problem{{Pointer: "/offering", Message: err.Error()}}}
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return SupplierAssessment{}, err
	}
	a := SupplierAssessment{ID: "sa-" + hex.EncodeToString(id), Offering: offering, Template: q.Template, TemplateVersion: q.Version, Status: AssessmentInProgress, Created: now.UTC(), CreatedBy: actor}
	for _, p := range q.Principles {
		a.Principles = append(a.Principles, PrincipleAssessment{Control: p.Control})
	}
	body := mustJSON(a)
	err := s.Write(ctx, func(tx Tx) error {
		if _, err := tx.CreateDocument(ctx, KindSupplierAssessment, a.ID, body, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "create", KindSupplierAssessment, a.ID, nil, body, now)
	})
	if err != nil {
		return SupplierAssessment{}, fmt.Errorf("start assessment: %w", err)
	}
	return a, nil
}

// ValidatePrinciple reports every problem with the work on one principle:
// each answer fits its question's type, the result is known, and a result
// short of met says why.
func (q *Questionnaire) ValidatePrinciple(pa PrincipleAssessment) []Problem {
	p, ok := q.Principle(pa.Control)
	if !ok {
		return []Problem{{Pointer: "/control", Message: fmt.Sprintf("%q is not a principle of %s", pa.Control, q.Title)}}
	}
	var ps []Problem
	for id, answer := range pa.Answers {
		i := slices.IndexFunc(p.Questions, func(q Question) bool { return q.ID == id })
		if i < 0 {
			ps = append(ps, Problem{Pointer: "/answers/" + id, Message: fmt.Sprintf("%q is not a question of %s", id, p.Title)})
			continue
		}
		qu := p.Questions[i]
		switch {
		case answer == "":
		case qu.Type == "yes-no" && answer != "yes" && answer != "no":
			ps = append(ps, Problem{Pointer: "/answers/" + id, Message: fmt.Sprintf("answer %q to %s is not yes or no", answer, id)})
		case qu.Type == "choice" && !slices.Contains(qu.Options, answer):
			ps = append(ps, Problem{Pointer: "/answers/" + id, Message: fmt.Sprintf("answer %q to %s is not one of its options: %s", answer, id, joinQuoted(qu.Options))})
		case qu.Type == "date":
			if _, err := time.Parse(time.DateOnly, answer); err != nil {
				ps = append(ps, Problem{Pointer: "/answers/" + id, Message: fmt.Sprintf("answer %q to %s is not a date: write it as YYYY-MM-DD", answer, id)})
			}
		case len(answer) > 4000:
			ps = append(ps, Problem{Pointer: "/answers/" + id, Message: fmt.Sprintf("the answer to %s is longer than 4,000 characters", id)})
		}
	}
	if pa.Result != "" && !slices.Contains(Results, pa.Result) {
		ps = append(ps, Problem{Pointer: "/result", Message: fmt.Sprintf("result %q is not known: use one of %s", pa.Result, joinQuoted(stringsOf(Results)))})
	}
	if (pa.Result == PartlyMet || pa.Result == NotMet || pa.Result == ResultNotApplies) && strings.TrimSpace(pa.Rationale) == "" {
		ps = append(ps, Problem{Pointer: "/rationale", Message: fmt.Sprintf("a result of %s needs its rationale: say what falls short, or why it does not apply", pa.Result)})
	}
	return ps
}

// SaveAssessedPrinciple records the work on one principle of an
// assessment in progress, if version is still the stored one.
func SaveAssessedPrinciple(ctx context.Context, s Store, q *Questionnaire, id string, pa PrincipleAssessment, version int64, actor string, now time.Time) (int64, error) {
	if ps := q.ValidatePrinciple(pa); len(ps) > 0 {
		return 0, &ValidationError{Problems: ps}
	}
	return changeAssessment(ctx, s, id, version, actor, now, func(a *SupplierAssessment) error {
		p, ok := a.Principle(pa.Control)
		if !ok {
			return fmt.Errorf("principle %s of assessment %s: %w", pa.Control, id, ErrNotFound)
		}
		*p = pa
		return nil
	})
}

// CompleteSupplierAssessment signs an assessment off: only an assessor
// (or an admin) may, once every principle has a result, with a conclusion
// and the day it stops counting. Its verdicts are fixed then, from q.
func CompleteSupplierAssessment(ctx context.Context, s Store, q *Questionnaire, id string, p Principal, conclusion, validUntil string, version int64, now time.Time) (int64, error) {
	if !p.May(ActSignOff, "") {
		return 0, fmt.Errorf("assessments are signed off by an assessor, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	var ps []Problem
	if strings.TrimSpace(conclusion) == "" {
		ps = append(ps, Problem{Pointer: "/conclusion", Message: "the overall conclusion is required"})
	}
	until, err := time.Parse(time.DateOnly, validUntil)
	switch {
	case err != nil:
		ps = append(ps, Problem{Pointer: "/valid_until", Message: fmt.Sprintf("valid until %q is not a date: write it as YYYY-MM-DD", validUntil)})
	case !until.After(now.UTC()):
		ps = append(ps, Problem{Pointer: "/valid_until", Message: fmt.Sprintf("valid until %s is not in the future", validUntil)})
	}
	if len(ps) > 0 {
		return 0, &ValidationError{Problems: ps}
	}
	return changeAssessment(ctx, s, id, version, p.Email, now, func(a *SupplierAssessment) error {
		var missing []string
		for _, pa := range a.Principles {
			if pa.Result == "" {
				missing = append(missing, pa.Control)
			}
		}
		if len(missing) > 0 {
			return &ValidationError{Problems: []Problem{{Pointer: "/principles", Message: fmt.Sprintf("%d principles have no result yet: %s", len(missing), strings.Join(missing, ", "))}}}
		}
		signed := now.UTC()
		a.Status, a.Conclusion, a.ValidUntil, a.SignedOffBy, a.SignedOff = AssessmentCompleted, strings.TrimSpace(conclusion), validUntil, p.Email, &signed
		a.Verdicts = verdicts(a, q)
		return nil
	})
}

// verdicts says, for every control the assessment's principles bear on,
// the worst result of those principles (not-applicable only when all are).
func verdicts(a *SupplierAssessment, q *Questionnaire) []Verdict {
	rank := map[Result]int{ResultNotApplies: 0, Met: 1, PartlyMet: 2, NotMet: 3}
	by := map[string]*Verdict{}
	var order []string
	for _, pa := range a.Principles {
		p, ok := q.Principle(pa.Control)
		if !ok {
			continue
		}
		for _, c := range append([]string{p.Control}, p.Controls...) {
			v := by[c]
			if v == nil {
				order = append(order, c)
			}
			if v == nil || rank[pa.Result] > rank[v.Result] {
				by[c] = &Verdict{Offering: a.Offering, Control: c, Result: pa.Result, Principle: p.Control, Rationale: pa.Rationale, Assessment: a.ID, ValidUntil: a.ValidUntil}
			}
		}
	}
	out := make([]Verdict, 0, len(order))
	for _, c := range order {
		out = append(out, *by[c])
	}
	return out
}

// changeAssessment applies change to an assessment in progress.
func changeAssessment(ctx context.Context, s Store, id string, version int64, actor string, now time.Time, change func(a *SupplierAssessment) error) (int64, error) {
	var out int64
	err := s.Write(ctx, func(tx Tx) error {
		a, d, err := findAssessment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status == AssessmentCompleted {
			return fmt.Errorf("assessment %s was completed on %s and does not change: start a new one: %w", id, a.SignedOff.Format(time.DateOnly), ErrConflict)
		}
		if err := change(&a); err != nil {
			return err
		}
		body := mustJSON(a)
		nd, err := tx.UpdateDocument(ctx, KindSupplierAssessment, id, body, version, now)
		if err != nil {
			return err
		}
		out = nd.Version
		return appendAudit(ctx, tx, actor, "update", KindSupplierAssessment, id, d.Body, body, now)
	})
	if err != nil {
		return 0, fmt.Errorf("assessment %s: %w", id, err)
	}
	return out, nil
}

func findAssessment(ctx context.Context, tx Tx, id string) (SupplierAssessment, Document, error) {
	return decodeOne[SupplierAssessment](ctx, tx, KindSupplierAssessment, id)
}

// FindSupplierAssessment reads one assessment and its version.
func FindSupplierAssessment(ctx context.Context, tx Tx, id string) (SupplierAssessment, int64, error) {
	a, d, err := findAssessment(ctx, tx, id)
	return a, d.Version, err
}

// SupplierAssessments reads every assessment.
func SupplierAssessments(ctx context.Context, tx Tx) ([]SupplierAssessment, error) {
	return decodeAll[SupplierAssessment](ctx, tx, KindSupplierAssessment)
}
