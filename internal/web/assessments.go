package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
)

// --- API ------------------------------------------------------------------

type questionnaireOutput struct{ Body *remit.Questionnaire }

func (s *server) handleQuestionnaireGet(ctx context.Context, _ *struct{}) (*questionnaireOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	return &questionnaireOutput{Body: s.Service.Questionnaire()}, nil
}

type assessmentListInput struct {
	Offering string `query:"offering" doc:"Only assessments of this offering (provider/offering)"`
}

type assessmentListOutput struct {
	Body struct {
		Items []remit.SupplierAssessment `json:"items"`
	}
}

func (s *server) handleAssessmentList(ctx context.Context, in *assessmentListInput) (*assessmentListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	out := &assessmentListOutput{}
	out.Body.Items = []remit.SupplierAssessment{}
	for _, a := range s.Service.Snapshot().Assessments() {
		if in.Offering == "" || a.Offering == in.Offering {
			out.Body.Items = append(out.Body.Items, a)
		}
	}
	return out, nil
}

type assessmentStartInput struct {
	Body struct {
		Offering string `json:"offering" doc:"provider/offering"`
		Template string `json:"template,omitempty" doc:"The questionnaire template; empty for the one the supplier's tier asks for"`
	}
}

type assessmentOutput struct {
	ETag string `header:"ETag"`
	Body remit.SupplierAssessment
}

// startAssessment starts an assessment of an offering that exists.
func (s *server) startAssessment(ctx context.Context, p remit.Principal, offering, template string) (remit.SupplierAssessment, error) {
	return s.Service.StartAssessment(ctx, p, offering, template)
}

func (s *server) handleAssessmentStart(ctx context.Context, in *assessmentStartInput) (*assessmentOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.startAssessment(ctx, p, in.Body.Offering, in.Body.Template)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &assessmentOutput{ETag: etag(1), Body: a}, nil
}

type assessmentInput struct {
	ID string `path:"id"`
}

func (s *server) findAssessment(ctx context.Context, id string) (remit.SupplierAssessment, int64, error) {
	return s.Service.Assessment(ctx, id)
}

func (s *server) handleAssessmentGet(ctx context.Context, in *assessmentInput) (*assessmentOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	a, v, err := s.findAssessment(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &assessmentOutput{ETag: etag(v), Body: a}, nil
}

type principlePutInput struct {
	ID      string `path:"id"`
	Control string `path:"control" doc:"The principle, as catalogue:control"`
	IfMatch string `header:"If-Match"`
	Body    remit.PrincipleAssessment
}

func (s *server) handlePrinciplePut(ctx context.Context, in *principlePutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActAssess, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may read assessments but not work on them", p.Role))
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	in.Body.Control = in.Control
	v, err := s.Service.SavePrinciple(ctx, p, in.ID, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type assessmentCompleteInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Conclusion string `json:"conclusion" maxLength:"10000"`
		ValidUntil string `json:"valid_until" doc:"YYYY-MM-DD"`
	}
}

func (s *server) handleAssessmentComplete(ctx context.Context, in *assessmentCompleteInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.CompleteAssessment(ctx, p, in.ID, in.Body.Conclusion, in.Body.ValidUntil, version)
	return s.etagOf(ctx, v, err)
}

// --- pages ----------------------------------------------------------------

// AssessmentsPage lists supplier assessments and starts one.
type AssessmentsPage struct {
	basePage
	Items     []assessmentRow
	Offerings []option
	Offering  string
	// Templates are the questionnaires to choose from; Template the one
	// chosen ("": the one the supplier's tier asks for).
	Templates []option
	Template  string
	CanStart  bool
}

type assessmentRow struct {
	remit.SupplierAssessment
	Name    string
	Done    int
	Current bool
}

func (s *server) assessmentsPage(r *http.Request) (*AssessmentsPage, error) {
	p := &AssessmentsPage{basePage: basePage{Title: "Supplier assessments", Nav: "assessments"}, CanStart: user(r).May(remit.ActAssess, ""), Offering: r.URL.Query().Get("offering")}
	names := map[string]string{}
	for o := range s.Service.Snapshot().Offerings() {
		names[o.Ref] = o.ProviderName + ": " + o.Offering.Name
		p.Offerings = append(p.Offerings, option{o.Ref, names[o.Ref]})
	}
	slices.SortFunc(p.Offerings, func(a, b option) int { return strings.Compare(a.Text, b.Text) })
	qs, err := s.Service.Questionnaires(r.Context())
	if err != nil {
		return nil, err
	}
	p.Templates = []option{{"", "The one the supplier's tier asks for"}}
	for _, q := range qs {
		p.Templates = append(p.Templates, option{q.Template, fmt.Sprintf("%s (version %d, %d questions)", q.Title, q.Version, q.Questions)})
	}
	today := s.Now().UTC().Format(time.DateOnly)
	for _, a := range s.Service.Snapshot().Assessments() {
		row := assessmentRow{SupplierAssessment: a, Name: names[a.Offering], Current: a.Status == remit.AssessmentCompleted && today < a.ValidUntil}
		for _, pa := range a.Principles {
			if pa.Result != "" {
				row.Done++
			}
		}
		p.Items = append(p.Items, row)
	}
	return p, nil
}

func (s *server) handleAssessmentStartPost(w http.ResponseWriter, r *http.Request) error {
	offering := r.PostFormValue("offering")
	a, err := s.startAssessment(r.Context(), user(r), offering, r.PostFormValue("template"))
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p, perr := s.assessmentsPage(r)
		if perr != nil {
			return perr
		}
		p.Offering, p.Template = offering, r.PostFormValue("template")
		field := "offering"
		if ve.Problems[0].Pointer == "/template" {
			field = "template"
		}
		p.Errors = append(p.Errors, fieldError{field, sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "assessments", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/assessments/"+url.PathEscape(a.ID), "Assessment of "+offering+" started")
}

// AssessmentPage is one assessment as a GOV.UK task list: a task per
// principle, then the conclusion and sign-off.
type AssessmentPage struct {
	basePage
	A          remit.SupplierAssessment
	Version    int64
	Name       string
	Q          *remit.Questionnaire
	Tasks      []assessmentTask
	Done       int
	CanWork    bool
	CanSignOff bool
	Current    bool
	Form       struct{ Conclusion, ValidUntil string }
	// Links are the supplier portal links; NewLink is one just made, its
	// secret shown this once.
	Links          []remit.PortalLink
	NewLink        string
	NewLinkExpires time.Time
}

type assessmentTask struct {
	Control, Title, Href string
	Result               remit.Result
	Answered, Questions  int
}

func (s *server) assessmentPage(r *http.Request) (*AssessmentPage, error) {
	a, v, err := s.findAssessment(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	u := user(r)
	p := &AssessmentPage{basePage: basePage{Title: "Assessment of " + a.Offering, Nav: "assessments"}, A: a, Version: v,
		CanWork: u.May(remit.ActAssess, "") && a.Status == remit.AssessmentInProgress, CanSignOff: u.May(remit.ActSignOff, "") && a.Status == remit.AssessmentInProgress,
		Current: a.Status == remit.AssessmentCompleted && s.Now().UTC().Format(time.DateOnly) < a.ValidUntil}
	p.Name = s.offeringName(a.Offering)
	if p.Q, err = s.Service.AssessmentTemplate(r.Context(), &a); err != nil {
		return nil, err
	}
	for _, pa := range a.Principles {
		pr, ok := p.Q.Principle(pa.Control)
		if !ok {
			continue
		}
		t := assessmentTask{Control: pa.Control, Title: pr.Title, Href: "/assessments/" + url.PathEscape(a.ID) + "/principles/" + url.PathEscape(pa.Control), Result: pa.Result, Questions: len(pr.Questions)}
		for _, q := range pr.Questions {
			if pa.Answers[q.ID] != "" {
				t.Answered++
			}
		}
		if pa.Result != "" {
			p.Done++
		}
		p.Tasks = append(p.Tasks, t)
	}
	p.Form.ValidUntil = s.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	if p.Links, err = s.portalLinks(r, a.ID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *server) handleAssessmentCompletePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.assessmentPage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	p.Form.Conclusion, p.Form.ValidUntil = strings.TrimSpace(r.PostFormValue("conclusion")), strings.TrimSpace(r.PostFormValue("valid_until"))
	_, err = s.Service.CompleteAssessment(r.Context(), user(r), p.A.ID, p.Form.Conclusion, p.Form.ValidUntil, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := strings.TrimPrefix(pr.Pointer, "/")
			if field == "principles" {
				field = "conclusion"
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "assessment", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/assessments/"+url.PathEscape(p.A.ID), "Assessment signed off: it now assures or fails "+p.A.Offering+"'s obligations for every system relying on it")
}

// PrinciplePage is the work on one principle: the questions, the
// evidence, the result and why.
type PrinciplePage struct {
	basePage
	A         remit.SupplierAssessment
	Version   int64
	Principle *remit.Principle
	Work      remit.PrincipleAssessment
	Q         *remit.Questionnaire
	// Suggested is the result the answers point to, from the questions
	// that expect an answer.
	Suggested remit.Result
	Evidence  []option
	Results   []remit.Result
	CanWork   bool
}

func (s *server) principlePage(r *http.Request) (*PrinciplePage, error) {
	a, v, err := s.findAssessment(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	control := r.PathValue("control")
	q, err := s.Service.AssessmentTemplate(r.Context(), &a)
	if err != nil {
		return nil, err
	}
	pr, ok := q.Principle(control)
	work, ok2 := a.Principle(control)
	if !ok || !ok2 {
		return nil, notFound("principle of assessment "+a.ID, control)
	}
	p := &PrinciplePage{basePage: basePage{Title: pr.Title, Nav: "assessments"}, A: a, Version: v, Principle: pr, Work: *work, Q: q, Suggested: pr.Suggest(work.Answers), Results: remit.Results, CanWork: user(r).May(remit.ActAssess, "") && a.Status == remit.AssessmentInProgress}
	if p.Work.Answers == nil {
		p.Work.Answers = map[string]string{}
	}
	for _, ev := range s.Service.Snapshot().AllEvidence() {
		if slices.ContainsFunc(ev.Supports, func(x remit.Support) bool { return x.On == remit.SupportOffering && x.Ref == a.Offering }) {
			p.Evidence = append(p.Evidence, option{ev.ID, ev.Title})
		}
	}
	return p, nil
}

func (s *server) handlePrinciplePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principlePage(r)
	if err != nil {
		return err
	}
	if !p.CanWork {
		return fmt.Errorf("this assessment is not yours to change (completed, or your role may only read it): %w", remit.ErrForbidden)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	if err := r.ParseForm(); err != nil {
		return badForm("the form could not be read: " + err.Error())
	}
	work := remit.PrincipleAssessment{Control: p.Principle.Control, Answers: map[string]string{}, Result: remit.Result(r.PostFormValue("result")), Rationale: strings.TrimSpace(r.PostFormValue("rationale"))}
	for _, q := range p.Principle.Questions {
		if a := strings.TrimSpace(r.PostFormValue("q-" + q.ID)); a != "" {
			work.Answers[q.ID] = a
		}
	}
	for _, id := range r.PostForm["evidence"] {
		if slices.ContainsFunc(p.Evidence, func(o option) bool { return o.Value == id }) {
			work.Evidence = append(work.Evidence, id)
		}
	}
	p.Work = work
	_, err = s.Service.SavePrinciple(r.Context(), user(r), p.A.ID, work, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := strings.TrimPrefix(pr.Pointer, "/")
			if id, ok := strings.CutPrefix(field, "answers/"); ok {
				field = "q-" + id
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "principle", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/assessments/"+url.PathEscape(p.A.ID), p.Principle.Title+" saved")
}

// offeringName names an offering for a page: "Provider: Offering", or its
// reference when the estate no longer has it.
func (s *server) offeringName(ref string) string {
	if o, ok := s.Service.Snapshot().Offering(ref); ok {
		return o.ProviderName + ": " + o.Offering.Name
	}
	return ref
}
