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

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
)

// FindingItem is a finding with whether it is overdue today.
type FindingItem struct {
	remit.Finding
	Overdue bool `json:"overdue"`
}

func (s *server) findings(ctx context.Context) ([]FindingItem, error) {
	fs, err := s.Service.Findings(ctx)
	out := make([]FindingItem, len(fs))
	for i, f := range fs {
		out[i] = FindingItem{Finding: f, Overdue: f.Overdue(s.Now())}
	}
	return out, err
}

type findingListInput struct {
	Status  string `query:"status" enum:"open,in-progress,closed"`
	Overdue bool   `query:"overdue" doc:"Only findings past their due date and not closed"`
	Source  string `query:"source" doc:"Only findings from this assessment"`
}

type findingListOutput struct {
	Body struct {
		Items []FindingItem `json:"items"`
	}
}

func filterFindings(all []FindingItem, status string, overdue bool, source string) []FindingItem {
	out := []FindingItem{}
	for _, f := range all {
		if (status == "" || string(f.Status) == status) && (!overdue || f.Overdue) && (source == "" || f.Source == source) {
			out = append(out, f)
		}
	}
	return out
}

func (s *server) handleFindingList(ctx context.Context, in *findingListInput) (*findingListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	all, err := s.findings(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &findingListOutput{}
	out.Body.Items = filterFindings(all, in.Status, in.Overdue, in.Source)
	return out, nil
}

type findingCreateInput struct{ Body remit.Finding }

type findingOutput struct {
	ETag string `header:"ETag"`
	Body FindingItem
}

func (s *server) handleFindingCreate(ctx context.Context, in *findingCreateInput) (*findingOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActAssess, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may read findings but not raise them", p.Role))
	}
	f, err := s.Service.AddFinding(ctx, p, in.Body)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &findingOutput{ETag: etag(1), Body: FindingItem{Finding: f, Overdue: f.Overdue(s.Now())}}, nil
}

type findingInput struct {
	ID string `path:"id"`
}

func (s *server) handleFindingGet(ctx context.Context, in *findingInput) (*findingOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	f, v, err := s.Service.Finding(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &findingOutput{ETag: etag(v), Body: FindingItem{Finding: f, Overdue: f.Overdue(s.Now())}}, nil
}

type findingPutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
	Body    remit.Finding
}

func (s *server) handleFindingPut(ctx context.Context, in *findingPutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActAssess, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may read findings but not change them", p.Role))
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	in.Body.ID = in.ID
	v, err := s.Service.UpdateFinding(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

// --- pages ----------------------------------------------------------------

// FindingsPage lists findings and raises one.
type FindingsPage struct {
	basePage
	Items           []FindingItem
	Status, Overdue string
	CanRaise        bool
	Form            remit.Finding
	ObligationsText string
	Severities      []remit.Severity
	Statuses        []remit.FindingStatus
	// Ours are the obligations a finding may concern, for the picker;
	// Clauses the suppliers' clauses it may say are not kept.
	Ours    []option
	Clauses []option
}

func (s *server) findingsPage(r *http.Request) (*FindingsPage, error) {
	q := r.URL.Query()
	p := &FindingsPage{basePage: basePage{Title: "Findings", Nav: "findings"}, Status: q.Get("status"), Overdue: q.Get("overdue"), CanRaise: user(r).May(remit.ActAssess, ""),
		Severities: remit.Severities, Statuses: remit.FindingStatuses, Form: remit.Finding{Severity: "medium", Source: q.Get("source")}}
	all, err := s.findings(r.Context())
	if err != nil {
		return nil, err
	}
	if p.Status != "" && p.Status != "open" && p.Status != "in-progress" && p.Status != "closed" {
		p.Status = ""
	}
	p.Items = filterFindings(all, p.Status, p.Overdue == "yes", "")
	if p.CanRaise {
		p.Ours = obligationChoices(s.Service.Snapshot(), user(r), "")
		if p.Clauses, err = s.clauseChoices(r); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func findingFromForm(r *http.Request) (remit.Finding, string) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := remit.Finding{Title: v("title"), Description: v("description"), Severity: remit.Severity(v("severity")), Owner: v("owner"), Due: v("due"), Status: remit.FindingStatus(v("status")), Source: v("source")}
	text := r.PostFormValue("obligations")
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			f.Obligations = append(f.Obligations, line)
		}
	}
	for _, c := range r.PostForm["clauses"] {
		f.Clauses = append(f.Clauses, strings.TrimSpace(c))
	}
	// What was picked from the list joins what was typed.
	if pick := v("obligation_pick"); pick != "" && !slices.Contains(f.Obligations, pick) {
		f.Obligations = append(f.Obligations, pick)
		text = strings.Join(f.Obligations, "\n")
	}
	return f, text
}

func findingErrors(err error, into *[]fieldError) bool {
	var ve *remit.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, pr := range ve.Problems {
		field := strings.TrimPrefix(pr.Pointer, "/")
		if strings.HasPrefix(field, "obligations") {
			field = "obligations"
		}
		if strings.HasPrefix(field, "clauses") {
			field = "clauses"
		}
		*into = append(*into, fieldError{field, sentence(pr.Message)})
	}
	return true
}

func (s *server) handleFindingPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.findingsPage(r)
	if err != nil {
		return err
	}
	if !p.CanRaise {
		return fmt.Errorf("findings are raised by editors, assessors and admins: %w", remit.ErrForbidden)
	}
	p.Form, p.ObligationsText = findingFromForm(r)
	if p.Form.Status == "" {
		p.Form.Status = "open"
	}
	f, err := s.Service.AddFinding(r.Context(), user(r), p.Form)
	if findingErrors(err, &p.Errors) {
		return s.render(w, r, http.StatusUnprocessableEntity, "findings", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/findings/"+url.PathEscape(f.ID), "Finding raised: "+f.Title)
}

// FindingPage is one finding, with the form to change it.
type FindingPage struct {
	basePage
	Item            FindingItem
	Version         int64
	Form            remit.Finding
	ObligationsText string
	Severities      []remit.Severity
	Statuses        []remit.FindingStatus
	CanChange       bool
	Ours            []option
	Clauses         []option
}

func (s *server) findingPage(r *http.Request) (*FindingPage, error) {
	f, v, err := s.Service.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &FindingPage{basePage: basePage{Title: f.Title, Nav: "findings"}, Item: FindingItem{Finding: f, Overdue: f.Overdue(s.Now())}, Version: v, Form: f,
		ObligationsText: strings.Join(f.Obligations, "\n"), Severities: remit.Severities, Statuses: remit.FindingStatuses, CanChange: user(r).May(remit.ActAssess, "")}
	if p.CanChange {
		p.Ours = obligationChoices(s.Service.Snapshot(), user(r), "")
		if p.Clauses, err = s.clauseChoices(r); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *server) handleFindingUpdatePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.findingPage(r)
	if err != nil {
		return err
	}
	if !p.CanChange {
		return fmt.Errorf("findings are changed by editors, assessors and admins: %w", remit.ErrForbidden)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	p.Form, p.ObligationsText = findingFromForm(r)
	p.Form.ID = p.Item.ID
	_, err = s.Service.UpdateFinding(r.Context(), user(r), p.Form, version)
	if findingErrors(err, &p.Errors) {
		return s.render(w, r, http.StatusUnprocessableEntity, "finding", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/findings/"+url.PathEscape(p.Item.ID), "Finding saved")
}

// clauseChoices lists every supplier's clauses, as "Supplier: clause".
func (s *server) clauseChoices(r *http.Request) ([]option, error) {
	cs, err := s.Service.Clauses(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]option, len(cs))
	for i, c := range cs {
		out[i] = option{c.Ref, c.Supplier + ": " + c.Title}
	}
	return out, nil
}
