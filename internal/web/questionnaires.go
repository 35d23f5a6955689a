package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/workspace"
)

// --- API ------------------------------------------------------------------

type questionnaireListOutput struct {
	Body struct {
		Items []service.QuestionnaireInfo `json:"items"`
	}
}

func (s *server) handleQuestionnaireList(ctx context.Context, _ *struct{}) (*questionnaireListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	qs, err := s.Service.Questionnaires(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &questionnaireListOutput{}
	out.Body.Items = qs
	return out, nil
}

type questionnaireInput struct {
	Template string `path:"template"`
	Version  int    `query:"version" doc:"A version; 0 or none for the current one"`
}

func (s *server) handleQuestionnaireVersionGet(ctx context.Context, in *questionnaireInput) (*questionnaireOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	q, err := s.Service.QuestionnaireVersion(ctx, in.Template, in.Version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &questionnaireOutput{Body: q}, nil
}

type questionnairePutInput struct {
	Template string `path:"template"`
	Body     remit.Questionnaire
}

// handleQuestionnairePut publishes a template's next version (or its
// first): once used, it may only add and reorder (422 naming each
// problem).
func (s *server) handleQuestionnairePut(ctx context.Context, in *questionnairePutInput) (*struct{}, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if in.Body.Template != in.Template {
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("the body's template %q is not the path's %q", in.Body.Template, in.Template))
	}
	if err := s.Service.PublishQuestionnaire(ctx, p, &in.Body); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

type caiqImportInput struct {
	Template string `path:"template"`
	Title    string `query:"title" required:"true" doc:"The questionnaire's title, such as CSA CAIQ v4.0.3"`
	RawBody  []byte `contentType:"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" doc:"The CAIQ v4 workbook, as the user has it"`
}

// handleCAIQImport takes a CAIQ v4 workbook's question set as a template.
func (s *server) handleCAIQImport(ctx context.Context, in *caiqImportInput) (*questionnaireOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.Service.ImportQuestionnaire(ctx, p, service.QuestionnaireCAIQ, "workbook", in.RawBody, in.Template, in.Title)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &questionnaireOutput{Body: q}, nil
}

// --- pages ----------------------------------------------------------------

// QuestionnairesPage lists the questionnaire templates and imports one.
type QuestionnairesPage struct {
	basePage
	Items     []service.QuestionnaireInfo
	CanEdit   bool
	Form      struct{ Template, Title string }
	ImportErr []string
}

func (s *server) questionnairesPage(r *http.Request) (*QuestionnairesPage, error) {
	qs, err := s.Service.Questionnaires(r.Context())
	if err != nil {
		return nil, err
	}
	return &QuestionnairesPage{basePage: basePage{Title: "Questionnaires", Nav: "assessments"}, Items: qs, CanEdit: user(r).May(remit.ActSignOff, "")}, nil
}

// maxQuestionnaireFile bounds an uploaded template or workbook.
const maxQuestionnaireFile = 8 << 20

// handleQuestionnaireImportPost takes a YAML template or a CAIQ v4
// workbook (by its name's ending): every problem shown, nothing kept
// until there are none.
func (s *server) handleQuestionnaireImportPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.questionnairesPage(r)
	if err != nil {
		return err
	}
	fail := func(field, msg string) error {
		p.Errors = append(p.Errors, fieldError{field, msg})
		return s.render(w, r, http.StatusUnprocessableEntity, "questionnaires", p)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxQuestionnaireFile)
	if err := r.ParseMultipartForm(maxQuestionnaireFile); err != nil {
		return fail("file", fmt.Sprintf("The file could not be read (is it larger than %d MiB?): choose a .yaml template or a CAIQ .xlsx workbook", maxQuestionnaireFile>>20))
	}
	p.Form.Template, p.Form.Title = strings.TrimSpace(r.FormValue("template")), strings.TrimSpace(r.FormValue("title"))
	file, h, err := r.FormFile("file")
	if err != nil {
		return fail("file", "Choose a .yaml template or a CAIQ .xlsx workbook")
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return badForm("the file could not be read: " + err.Error())
	}
	format := service.QuestionnaireYAML
	if strings.EqualFold(path.Ext(h.Filename), ".xlsx") {
		format = service.QuestionnaireCAIQ
	}
	q, err := s.Service.ImportQuestionnaire(r.Context(), user(r), format, h.Filename, data, p.Form.Template, p.Form.Title)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := "file"
			if pr.Pointer == "/template" || pr.Pointer == "/title" {
				field = pr.Pointer[1:]
			}
			msg := sentence(pr.Message)
			if pr.File != "" {
				msg = pr.String() // begins with the file's name, as given
			}
			p.Errors = append(p.Errors, fieldError{field, msg})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "questionnaires", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/questionnaires/"+url.PathEscape(q.Template), fmt.Sprintf("%s published as version %d: %d principles, %d questions", q.Title, q.Version, len(q.Principles), q.Questions()))
}

// QuestionnairePage shows a template's current version and, to
// assessors, its editor: add a principle or a question, move a question.
type QuestionnairePage struct {
	basePage
	Q       *remit.Questionnaire
	Info    service.QuestionnaireInfo
	CanEdit bool
	Types   []string
	// Form holds what was typed into the add-a-question form.
	Form      remit.Question
	Principle string
	Options   string
	New       struct{ Control, Title, Summary, Controls string }
}

func (s *server) questionnairePage(r *http.Request) (*QuestionnairePage, error) {
	template := r.PathValue("template")
	q, err := s.Service.QuestionnaireVersion(r.Context(), template, 0)
	if err != nil {
		return nil, err
	}
	qs, err := s.Service.Questionnaires(r.Context())
	if err != nil {
		return nil, err
	}
	p := &QuestionnairePage{basePage: basePage{Title: q.Title, Nav: "assessments"}, Q: q, CanEdit: user(r).May(remit.ActSignOff, ""), Types: remit.QuestionTypes, Form: remit.Question{Type: "yes-no"}}
	if i := slices.IndexFunc(qs, func(x service.QuestionnaireInfo) bool { return x.Template == template }); i >= 0 {
		p.Info = qs[i]
	}
	p.FlashAnchors = []string{"principles"}
	return p, nil
}

// editQuestionnaire publishes the next version of the template the page
// shows, as edit leaves a copy of its current one, if the form's version
// is still the current one.
func (s *server) editQuestionnaire(w http.ResponseWriter, r *http.Request, edit func(p *QuestionnairePage, next *remit.Questionnaire) error, done string) error {
	p, err := s.questionnairePage(r)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	next, err := s.Service.ReviseQuestionnaire(r.Context(), user(r), p.Q.Template, version, func(next *remit.Questionnaire) error { return edit(p, next) })
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := pr.Pointer[strings.LastIndex(pr.Pointer, "/")+1:]
			if !slices.Contains([]string{"id", "text", "type", "options", "expect", "help", "evidence", "control", "title", "controls", "principle"}, field) {
				field = "text"
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "questionnaire", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/questionnaires/"+url.PathEscape(next.Template)+"#principles", fmt.Sprintf("%s, published as version %d", done, next.Version))
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *server) handleQuestionAddPost(w http.ResponseWriter, r *http.Request) error {
	return s.editQuestionnaire(w, r, func(p *QuestionnairePage, next *remit.Questionnaire) error {
		v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
		p.Principle, p.Options = v("principle"), r.PostFormValue("options")
		p.Form = remit.Question{ID: v("id"), Text: v("text"), Type: v("type"), Options: nonEmptyLines(p.Options), Help: v("help"), Evidence: v("evidence"), Expect: v("expect")}
		pr, ok := next.Principle(p.Principle)
		if !ok {
			return &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/principle", Message: "choose the principle the question belongs to"}}}
		}
		pr.Questions = append(pr.Questions, p.Form)
		return nil
	}, "Question added")
}

func (s *server) handlePrincipleAddPost(w http.ResponseWriter, r *http.Request) error {
	return s.editQuestionnaire(w, r, func(p *QuestionnairePage, next *remit.Questionnaire) error {
		v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
		p.New.Control, p.New.Title, p.New.Summary, p.New.Controls = v("control"), v("title"), v("summary"), r.PostFormValue("controls")
		next.Principles = append(next.Principles, remit.Principle{Control: p.New.Control, Title: p.New.Title, Summary: p.New.Summary, Controls: nonEmptyLines(p.New.Controls)})
		return nil
	}, "Principle added: add its questions")
}

// handleQuestionMovePost moves a question one place up or down within
// its principle.
func (s *server) handleQuestionMovePost(w http.ResponseWriter, r *http.Request) error {
	return s.editQuestionnaire(w, r, func(_ *QuestionnairePage, next *remit.Questionnaire) error {
		id, up := r.PostFormValue("question"), r.PostFormValue("direction") == "up"
		for pi := range next.Principles {
			qs := next.Principles[pi].Questions
			i := slices.IndexFunc(qs, func(q remit.Question) bool { return q.ID == id })
			if i < 0 {
				continue
			}
			j := i + 1
			if up {
				j = i - 1
			}
			if j < 0 || j >= len(qs) {
				return badForm("the question is already at that end of its principle")
			}
			qs[i], qs[j] = qs[j], qs[i]
			return nil
		}
		return notFound("question", id)
	}, "Question moved")
}

// handleQuestionnaireYAML answers GET /questionnaires/{template}/yaml:
// the current version as YAML, to edit and import again.
func (s *server) handleQuestionnaireYAML(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Service.QuestionnaireVersion(r.Context(), r.PathValue("template"), 0)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", q.Template+"-v"+strconv.Itoa(q.Version)+".yaml"))
	_, err = w.Write(workspace.QuestionnaireFile(q))
	return err
}
