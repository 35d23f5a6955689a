package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"remit/internal/remit"
)

// ClausePage adds one clause of a contract or security aspects letter to
// a supplier's record.
type ClausePage struct {
	basePage
	Provider      ProviderSummary
	Version       int64
	Form          remit.Clause
	Hours         string
	Controls      string // one per line
	Kinds         []option
	EvidenceKinds []option
	Sources       []string
}

func (s *server) clausePage(r *http.Request) (*ClausePage, error) {
	pr, v, err := s.keptSupplier(r)
	if err != nil {
		return nil, err
	}
	p := &ClausePage{basePage: basePage{Title: "Add a clause: " + pr.Name, Nav: "providers"}, Provider: pr, Version: v.Version, Form: remit.Clause{Source: "contract"}, Sources: remit.ClauseSources}
	for _, k := range remit.ClauseKinds {
		p.Kinds = append(p.Kinds, option{string(k.Kind), k.Name})
	}
	for _, k := range remit.EvidenceKinds {
		p.EvidenceKinds = append(p.EvidenceKinds, option{string(k.Kind), k.Name})
	}
	return p, nil
}

// handleClausePost adds the clause from the form: every problem against
// its field, nothing kept until there are none.
func (s *server) handleClausePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.clausePage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	c := remit.Clause{ID: v("id"), Kind: remit.ClauseKind(v("kind")), Title: v("title"), Text: v("text"), Source: v("source"), Reference: v("reference")}
	p.Hours, p.Controls = v("hours"), r.PostFormValue("controls")
	if p.Hours != "" {
		if c.Hours, err = strconv.Atoi(p.Hours); err != nil {
			c.Hours = -1
		}
	}
	c.Controls = nonEmptyLines(p.Controls)
	for _, k := range r.PostForm["evidence_kinds"] {
		c.EvidenceKinds = append(c.EvidenceKinds, remit.EvidenceKind(k))
	}
	p.Form = c
	_, err = s.Service.AddClauses(r.Context(), user(r), p.Provider.ID, []remit.Clause{c}, false, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := pr.Pointer[strings.LastIndex(pr.Pointer, "/")+1:]
			switch {
			case strings.Contains(pr.Pointer, "/controls"):
				field = "controls"
			case strings.Contains(pr.Pointer, "/evidence_kinds"):
				field = "evidence_kinds"
			case strings.Count(pr.Pointer, "/") < 3:
				field = "id" // the record's own problems: name the clause
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "clause", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/providers/"+url.PathEscape(p.Provider.ID)+"#clauses", "Clause "+c.Title+" added")
}

// handleStandardClausesPost adds the standard security aspects letter's
// clauses a supplier's record lacks.
func (s *server) handleStandardClausesPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("provider")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	if _, err := s.Service.AddClauses(r.Context(), user(r), id, nil, true, version); err != nil {
		return err
	}
	return s.redirect(w, r, "/providers/"+url.PathEscape(id)+"#clauses", "The standard security aspects letter's clauses added: each is now a supplier obligation to assure")
}

// handleClauseRemovePost removes a clause, once confirmed.
func (s *server) handleClauseRemovePost(w http.ResponseWriter, r *http.Request) error {
	id, clause := r.PathValue("provider"), r.PathValue("clause")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	v, err := s.Service.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	c, ok := v.Record.Clause(clause)
	if !ok {
		return notFound("clause", clause)
	}
	back := "/providers/" + url.PathEscape(id)
	if ok, err := s.confirmed(w, r, &ConfirmPage{basePage: basePage{Title: "Remove the clause " + c.Title + "?", Nav: "providers"}, Caption: id,
		Warning: "It stops being a supplier obligation: nothing measures it any more. Evidence and findings that name it are kept.",
		Action:  r.URL.Path, Button: "Remove the clause", Cancel: back + "#clauses", Fields: []option{{"version", strconv.FormatInt(version, 10)}}}); !ok {
		return err
	}
	if _, err := s.Service.RemoveClause(r.Context(), user(r), id, clause, version); err != nil {
		return err
	}
	return s.redirect(w, r, back+"#clauses", "Clause "+c.Title+" removed")
}
