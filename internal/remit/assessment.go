package remit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Questionnaire is a supplier assessment template: principles, each a
// catalogue control with the other controls it bears on, and questions.
type Questionnaire struct {
	Template   string      `json:"template" yaml:"template"`
	Version    int         `json:"version" yaml:"version"`
	Title      string      `json:"title" yaml:"title"`
	Sources    []Source    `json:"sources,omitempty" yaml:"sources,omitempty"`
	Principles []Principle `json:"principles" yaml:"principles"`
}

// Principle is one principle of a questionnaire.
type Principle struct {
	Control   string     `json:"control" yaml:"control"`
	Title     string     `json:"title" yaml:"title"`
	Summary   string     `json:"summary,omitempty" yaml:"summary,omitempty"`
	Controls  []string   `json:"controls,omitempty" yaml:"controls,omitempty"`
	Questions []Question `json:"questions" yaml:"questions"`
}

// Question is one typed question: yes-no, choice (of Options), text or
// date. Help explains it to whoever answers; Evidence says what evidence
// is asked for with the answer; Expect is the answer that meets the
// principle (yes, or one of the options), so answers suggest a result.
type Question struct {
	ID       string   `json:"id" yaml:"id"`
	Text     string   `json:"text" yaml:"text"`
	Type     string   `json:"type" yaml:"type" enum:"yes-no,choice,text,date"`
	Options  []string `json:"options,omitempty" yaml:"options,omitempty"`
	Help     string   `json:"help,omitempty" yaml:"help,omitempty"`
	Evidence string   `json:"evidence,omitempty" yaml:"evidence,omitempty" doc:"The evidence asked for with the answer"`
	Expect   string   `json:"expect,omitempty" yaml:"expect,omitempty" doc:"The answer that meets the principle"`
}

// Clone returns a copy of q sharing nothing a change to the copy's
// principles, questions or sources would touch.
func (q *Questionnaire) Clone() *Questionnaire {
	next := *q
	next.Sources = slices.Clone(q.Sources)
	next.Principles = slices.Clone(q.Principles)
	for i := range next.Principles {
		next.Principles[i].Controls = slices.Clone(q.Principles[i].Controls)
		next.Principles[i].Questions = slices.Clone(q.Principles[i].Questions)
	}
	return &next
}

// QuestionTypes lists the types of question.
var QuestionTypes = []string{"yes-no", "choice", "text", "date"}

// Questions counts the questions of q.
func (q *Questionnaire) Questions() int {
	n := 0
	for _, p := range q.Principles {
		n += len(p.Questions)
	}
	return n
}

// ValidateQuestionnaire reports every problem with a questionnaire
// template: its id and version, and each principle (a catalogue:control,
// once) and question (an id unique in the template, a known type, the
// options a choice needs, an expected answer it could get).
func ValidateQuestionnaire(q *Questionnaire) []Problem {
	var ps []Problem
	add := func(ptr, format string, a ...any) {
		ps = append(ps, Problem{Pointer: ptr, Message: fmt.Sprintf(format, a...)})
	}
	if !ValidID(q.Template) {
		add("/template", "template %q is not an id: %s", q.Template, IDRule)
	}
	if q.Version < 1 {
		add("/version", "version %d is not 1 or more", q.Version)
	}
	if strings.TrimSpace(q.Title) == "" {
		add("/title", "a questionnaire needs a title")
	}
	if len(q.Principles) == 0 {
		add("/principles", "a questionnaire needs at least one principle with its questions")
	}
	principles, questions := map[string]bool{}, map[string]bool{}
	for i, p := range q.Principles {
		at := fmt.Sprintf("/principles/%d", i)
		if !strings.Contains(p.Control, ":") {
			add(at+"/control", "principle %q is not catalogue:control, such as ncsc-csp:CSP-01", p.Control)
		}
		if principles[p.Control] {
			add(at+"/control", "principle %s is listed twice", p.Control)
		}
		principles[p.Control] = true
		if strings.TrimSpace(p.Title) == "" {
			add(at+"/title", "principle %s needs a title", p.Control)
		}
		for j, c := range p.Controls {
			if !strings.Contains(c, ":") {
				add(fmt.Sprintf("%s/controls/%d", at, j), "control %q is not catalogue:control", c)
			}
		}
		for j, qu := range p.Questions {
			qat := fmt.Sprintf("%s/questions/%d", at, j)
			if !ValidID(qu.ID) {
				add(qat+"/id", "question id %q is not an id: %s", qu.ID, IDRule)
			}
			if questions[qu.ID] {
				add(qat+"/id", "question %s is listed twice", qu.ID)
			}
			questions[qu.ID] = true
			if strings.TrimSpace(qu.Text) == "" {
				add(qat+"/text", "question %s has no text", qu.ID)
			}
			if !slices.Contains(QuestionTypes, qu.Type) {
				add(qat+"/type", "type %q is not known: use one of %s%s", qu.Type, joinQuoted(QuestionTypes), suggest(qu.Type, QuestionTypes))
			}
			if qu.Type == "choice" && len(qu.Options) < 2 {
				add(qat+"/options", "a choice needs at least two options")
			}
			switch {
			case qu.Expect == "":
			case qu.Type == "yes-no" && qu.Expect != "yes" && qu.Expect != "no":
				add(qat+"/expect", "the expected answer to a yes-no question is yes or no, not %q", qu.Expect)
			case qu.Type == "choice" && !slices.Contains(qu.Options, qu.Expect):
				add(qat+"/expect", "the expected answer %q is not one of the options: %s", qu.Expect, joinQuoted(qu.Options))
			case qu.Type == "text" || qu.Type == "date":
				add(qat+"/expect", "only yes-no and choice questions have an expected answer")
			}
			ps = append(ps, lengthProblems(field{qat + "/text", "text", qu.Text, MaxDetail}, field{qat + "/help", "help", qu.Help, MaxDetail}, field{qat + "/evidence", "evidence", qu.Evidence, MaxDetail})...)
		}
	}
	return ps
}

// CheckQuestionnaireEvolution reports how next fails to follow prev: it
// is the same template's next version; and once prev has been used by an
// assessment, it only adds — every principle and question of prev stays,
// unchanged, though they may be reordered within it. (Unused, anything
// may change.)
func CheckQuestionnaireEvolution(prev, next *Questionnaire, used bool) []Problem {
	var ps []Problem
	if next.Template != prev.Template {
		ps = append(ps, Problem{Pointer: "/template", Message: fmt.Sprintf("template %q is not %q", next.Template, prev.Template)})
	}
	if next.Version != prev.Version+1 {
		ps = append(ps, Problem{Pointer: "/version", Message: fmt.Sprintf("version %d does not follow %d: a template changes only by a new version, %d", next.Version, prev.Version, prev.Version+1)})
	}
	if !used {
		return ps
	}
	for _, p := range prev.Principles {
		np, ok := next.Principle(p.Control)
		if !ok {
			ps = append(ps, Problem{Pointer: "/principles", Message: fmt.Sprintf("principle %s is deleted: it has been answered, so a new version may only add", p.Control)})
			continue
		}
		if np.Title != p.Title || !slices.Equal(np.Controls, p.Controls) {
			ps = append(ps, Problem{Pointer: "/principles", Message: fmt.Sprintf("principle %s changes its title or controls: it has been answered; add a new principle instead", p.Control)})
		}
		for _, qu := range p.Questions {
			i := slices.IndexFunc(np.Questions, func(x Question) bool { return x.ID == qu.ID })
			switch {
			case i < 0:
				ps = append(ps, Problem{Pointer: "/principles", Message: fmt.Sprintf("question %s of %s is deleted: it has been answered, so a new version may only add or reorder", qu.ID, p.Control)})
			case !sameQuestion(qu, np.Questions[i]):
				ps = append(ps, Problem{Pointer: "/principles", Message: fmt.Sprintf("question %s is changed: it has been answered; add a new question instead", qu.ID)})
			}
		}
	}
	return ps
}

func sameQuestion(a, b Question) bool {
	return a.ID == b.ID && a.Text == b.Text && a.Type == b.Type && slices.Equal(a.Options, b.Options) && a.Expect == b.Expect
}

// Suggest is the result the answers to a principle point to, from the
// questions that expect an answer: met when every such question is
// answered as expected, not-met when none is, partly-met between; ""
// until they are all answered, or when no question expects anything.
func (p *Principle) Suggest(answers map[string]string) Result {
	var asked, kept int
	for _, q := range p.Questions {
		if q.Expect == "" {
			continue
		}
		a, ok := answers[q.ID]
		if !ok || a == "" {
			return ""
		}
		asked++
		if a == q.Expect {
			kept++
		}
	}
	switch {
	case asked == 0:
		return ""
	case kept == asked:
		return Met
	case kept == 0:
		return NotMet
	}
	return PartlyMet
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

// SignOff completes an assessment in progress: every principle must have
// a result; its verdicts are fixed from q.
func (a *SupplierAssessment) SignOff(q *Questionnaire, by, conclusion, validUntil string, now time.Time) error {
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
	a.Status, a.Conclusion, a.ValidUntil, a.SignedOffBy, a.SignedOff = AssessmentCompleted, conclusion, validUntil, by, &signed
	a.Verdicts = verdicts(a, q)
	return nil
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
