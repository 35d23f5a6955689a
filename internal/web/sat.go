package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
	"remit/internal/report"
)

// satTemplate is the current template, and the template a SAT follows.
func (s *server) satTemplate(ctx context.Context, version int) (*remit.SATTemplate, error) {
	return s.Service.SATTemplate(ctx, version)
}

// satWithReport is a SAT with its report (against the previous completed
// SAT of the same system).
type satWithReport struct {
	remit.SAT
	Report remit.SATReport `json:"report"`
}

func (s *server) satReport(ctx context.Context, id string) (*remit.SAT, int64, *remit.SATTemplate, remit.SATReport, error) {
	a, v, err := s.Service.SAT(ctx, id)
	if err != nil {
		return nil, 0, nil, remit.SATReport{}, err
	}
	t, err := s.satTemplate(ctx, a.TemplateVersion)
	if err != nil {
		return nil, 0, nil, remit.SATReport{}, err
	}
	// The previous completed SAT of the same system, for comparison.
	var prev *remit.SAT
	for _, o := range s.Service.Snapshot().SATs() {
		if o.System == a.System && o.ID != a.ID && o.Status == remit.AssessmentCompleted && o.Created.Before(a.Created) && (prev == nil || o.Completed.After(*prev.Completed)) {
			prev = &o
		}
	}
	return &a, v, t, a.Report(t, prev), nil
}

// --- API ------------------------------------------------------------------

type satTemplateOutput struct{ Body *remit.SATTemplate }

func (s *server) handleSATTemplateGet(ctx context.Context, _ *struct{}) (*satTemplateOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	t, err := s.satTemplate(ctx, 0)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &satTemplateOutput{Body: t}, nil
}

type satTemplatePutInput struct{ Body remit.SATTemplate }

// handleSATTemplatePut publishes a new version of the objectives: it may
// add objectives, never delete or change one (422 naming each).
func (s *server) handleSATTemplatePut(ctx context.Context, in *satTemplatePutInput) (*struct{}, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActSignOff, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("the objectives are published by assessors and admins, not a %s", p.Role))
	}
	if err := s.Service.PublishSATTemplate(ctx, p, &in.Body); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

type satListInput struct {
	System string `query:"system"`
}

type satListOutput struct {
	Body struct {
		Items []remit.SAT `json:"items"`
	}
}

func (s *server) handleSATList(ctx context.Context, in *satListInput) (*satListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	out := &satListOutput{}
	out.Body.Items = []remit.SAT{}
	for _, a := range s.Service.Snapshot().SATs() {
		if in.System == "" || a.System == in.System {
			out.Body.Items = append(out.Body.Items, a)
		}
	}
	return out, nil
}

type satStartInput struct {
	Body struct {
		System string `json:"system"`
	}
}

type satOutput struct {
	ETag string `header:"ETag"`
	Body satWithReport
}

// startSAT starts a SAT of a system the user may assess.
func (s *server) startSAT(ctx context.Context, p remit.Principal, system string) (remit.SAT, error) {
	return s.Service.StartSAT(ctx, p, system)
}

func (s *server) handleSATStart(ctx context.Context, in *satStartInput) (*satOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.startSAT(ctx, p, in.Body.System)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	_, v, _, rep, err := s.satReport(ctx, a.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &satOutput{ETag: etag(v), Body: satWithReport{SAT: a, Report: rep}}, nil
}

type satInput struct {
	ID string `path:"id"`
}

func (s *server) handleSATGet(ctx context.Context, in *satInput) (*satOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	a, v, _, rep, err := s.satReport(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &satOutput{ETag: etag(v), Body: satWithReport{SAT: *a, Report: rep}}, nil
}

type satEntriesInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Entries []remit.SATEntry `json:"entries"`
	}
}

// saveSAT records entries of a SAT for someone who may assess.
func (s *server) saveSAT(ctx context.Context, p remit.Principal, id string, entries []remit.SATEntry, version int64) (int64, error) {
	return s.Service.SaveSATEntries(ctx, p, id, entries, version)
}

func (s *server) handleSATEntriesPut(ctx context.Context, in *satEntriesInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.saveSAT(ctx, p, in.ID, in.Body.Entries, version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &versionOutput{ETag: etag(v)}, nil
}

type satCompleteInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
}

func (s *server) completeSAT(ctx context.Context, p remit.Principal, id string, version int64) (int64, error) {
	return s.Service.CompleteSAT(ctx, p, id, version)
}

func (s *server) handleSATComplete(ctx context.Context, in *satCompleteInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.completeSAT(ctx, p, in.ID, version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &versionOutput{ETag: etag(v)}, nil
}

// apiDownload serves a file from the API: signed-in callers only, errors
// as problem JSON. Downloads and imports are heavy work: each runs in a
// heavy slot, once the caller is known to be signed in.
func (s *server) apiDownload(h uiHandler) http.HandlerFunc {
	run := s.heavyHandler(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			if importProblem(w, err) {
				return
			}
			status, msg := statusOf(err)
			if status >= 500 {
				s.Log.Error("download failed", "request_id", requestID(r.Context()), "err", err)
				msg = "something went wrong on our side; the request id is " + requestID(r.Context())
			}
			writeProblem(w, status, msg)
		}
	})
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := principal(r.Context()); !ok {
			writeProblem(w, http.StatusUnauthorized, "sign in first: send Authorization: Bearer <token>, or sign in at POST /api/v1/session")
			return
		}
		run(w, r)
	}
}

// handleSATWorkbook answers a SAT as an XLSX workbook.
func (s *server) handleSATWorkbook(w http.ResponseWriter, r *http.Request) error {
	a, _, t, rep, err := s.satReport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	name := s.systemName(a.System)
	data, err := report.SATWorkbook(name, t, a, rep)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="SAT %s %s.xlsx"`, a.System, a.Created.Format("2006-01-02")))
	h.Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

// --- pages ----------------------------------------------------------------

// SATsPage lists SATs and starts one.
type SATsPage struct {
	basePage
	Items    []satRow
	Systems  []option
	System   string
	CanStart bool
}

type satRow struct {
	remit.SAT
	Name   string
	Report remit.SATReport
}

func (s *server) satsPage(r *http.Request) (*SATsPage, error) {
	p := &SATsPage{basePage: basePage{Title: "Standards Assurance Tables", Nav: "sats"}, CanStart: user(r).May(remit.ActAssess, ""), System: r.URL.Query().Get("system")}
	names := map[string]string{}
	u := user(r)
	for x := range s.Service.Snapshot().Systems() {
		names[x.ID] = x.Name
		if u.May(remit.ActAssess, x.Team) { // an editor: their own teams' systems only
			p.Systems = append(p.Systems, option{x.ID, x.Name})
		}
	}
	slices.SortFunc(p.Systems, func(a, b option) int { return strings.Compare(a.Text, b.Text) })
	for _, a := range s.Service.Snapshot().SATs() {
		p.Items = append(p.Items, satRow{SAT: a, Name: names[a.System]})
	}
	return p, nil
}

func (s *server) handleSATStartPost(w http.ResponseWriter, r *http.Request) error {
	system := r.PostFormValue("system")
	a, err := s.startSAT(r.Context(), user(r), system)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p, perr := s.satsPage(r)
		if perr != nil {
			return perr
		}
		p.Errors = append(p.Errors, fieldError{"system", sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "sats", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/sats/"+url.PathEscape(a.ID), "Standards Assurance Table started")
}

// SATPage is one SAT: the table to fill in, its deltas and how they
// compare with the last one, export and import, sign-off.
type SATPage struct {
	basePage
	A          *remit.SAT
	Version    int64
	Name       string
	Report     remit.SATReport
	Levels     []remit.SATEvidence
	Scores     []string
	CanWork    bool
	CanSignOff bool
	// Form holds what was posted when it has problems, by objective.
	Form map[string]remit.SATEntry
}

func (s *server) satPage(r *http.Request) (*SATPage, error) {
	a, v, _, rep, err := s.satReport(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	u := user(r)
	team := ""
	if x, _, ok := s.Service.Snapshot().System(a.System); ok {
		team = x.Team
	}
	p := &SATPage{basePage: basePage{Title: "Standards Assurance Table", Nav: "sats"}, A: a, Version: v, Name: a.System, Report: rep, Levels: remit.SATEvidenceLevels,
		CanWork: u.May(remit.ActAssess, team) && a.Status == remit.AssessmentInProgress, CanSignOff: u.May(remit.ActSignOff, "") && a.Status == remit.AssessmentInProgress}
	for i := 0; i <= remit.MaxConfidence; i++ {
		p.Scores = append(p.Scores, strconv.Itoa(i))
	}
	p.Name = s.systemName(a.System)
	p.Title = "Standards Assurance Table: " + p.Name
	p.Form = map[string]remit.SATEntry{}
	for _, line := range rep.Objectives {
		p.Form[line.ID] = line.Entry
	}
	return p, nil
}

// handleSATPost saves the whole table from the page's form.
func (s *server) handleSATPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.satPage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	var entries []remit.SATEntry
	p.Form = map[string]remit.SATEntry{}
	for _, line := range p.Report.Objectives {
		id := line.ID
		e := remit.SATEntry{Objective: id, Evidence: remit.SATEvidence(r.PostFormValue("evidence-" + id)), FurtherEvidence: strings.TrimSpace(r.PostFormValue("further-" + id)),
			Commentary: strings.TrimSpace(r.PostFormValue("commentary-" + id)), EvidenceLinks: line.Entry.EvidenceLinks}
		if c := r.PostFormValue("confidence-" + id); c != "" && c != "n/a" {
			n, err := strconv.Atoi(c)
			if err != nil {
				n = -1 // reported by the validation below
			}
			e.Confidence = &n
		}
		entries = append(entries, e)
		p.Form[id] = e
	}
	_, err = s.saveSAT(r.Context(), user(r), p.A.ID, entries, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := "evidence-" + p.Report.Objectives[0].ID
			var i int
			var rest string
			if _, serr := fmt.Sscanf(pr.Pointer, "/entries/%d%s", &i, &rest); serr == nil && i < len(entries) {
				field = strings.TrimPrefix(rest, "/") + "-" + entries[i].Objective
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "sat", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/sats/"+url.PathEscape(p.A.ID), "Standards Assurance Table saved")
}

// handleSATImportPost takes a completed workbook: every row it names is
// saved, or, on any problem, none.
func (s *server) handleSATImportPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.satPage(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSATWorkbook)
	if err := r.ParseMultipartForm(maxSATWorkbook); err != nil {
		p.Errors = append(p.Errors, fieldError{"workbook", fmt.Sprintf("The workbook could not be read (is it larger than %d MiB?): choose the .xlsx file exported from Remit", maxSATWorkbook>>20)})
		return s.render(w, r, http.StatusUnprocessableEntity, "sat", p)
	}
	version, err := strconv.ParseInt(r.FormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	file, _, err := r.FormFile("workbook")
	if err != nil {
		p.Errors = append(p.Errors, fieldError{"workbook", "Choose the completed .xlsx workbook"})
		return s.render(w, r, http.StatusUnprocessableEntity, "sat", p)
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return badForm("the workbook could not be read: " + err.Error())
	}
	t, err := s.satTemplate(r.Context(), p.A.TemplateVersion)
	if err != nil {
		return err
	}
	entries, err := report.ReadSATWorkbook(data, t)
	if err == nil {
		_, err = s.saveSAT(r.Context(), user(r), p.A.ID, entries, version)
	}
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			msg := pr.Message
			if pr.Line > 0 {
				msg = fmt.Sprintf("Row %d, column %d: %s", pr.Line, pr.Column, pr.Message)
			}
			p.Errors = append(p.Errors, fieldError{"workbook", sentence(msg)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "sat", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/sats/"+url.PathEscape(p.A.ID), fmt.Sprintf("%d objectives read from the workbook and saved", len(entries)))
}

func (s *server) handleSATCompletePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.satPage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	_, err = s.completeSAT(r.Context(), user(r), p.A.ID, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p.Errors = append(p.Errors, fieldError{"evidence-" + p.Report.Objectives[0].ID, sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "sat", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/sats/"+url.PathEscape(p.A.ID), "Standards Assurance Table signed off: it now assures or fails our obligations in the system")
}

// systemName is a system's name, or its id when the estate no longer has it.
func (s *server) systemName(id string) string {
	if x, _, ok := s.Service.Snapshot().System(id); ok {
		return x.Name
	}
	return id
}
