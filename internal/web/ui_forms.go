package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// obligationURL is the page of an obligation: its id's parts escaped, its
// slashes kept.
func obligationURL(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return "/obligations/" + strings.Join(parts, "/")
}

// --- system form ----------------------------------------------------------

// SystemFormPage creates or edits a system.
type SystemFormPage struct {
	basePage
	New        bool
	Form       systemForm
	Version    int64
	Catalogues []option
	Teams      []string
	Classes    []string
}

// systemForm is what the system form posts.
type systemForm struct {
	ID, Name, Owner, Team, Classification, Catalogue string
	All                                              bool
	Controls                                         string // one control id per line
}

var classifications = []string{"OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"}

func (s *server) systemFormPage(r *http.Request, isNew bool) *SystemFormPage {
	p := &SystemFormPage{basePage: basePage{Title: "Add a system", Nav: "systems"}, New: isNew, Classes: classifications}
	if !isNew {
		p.Title = "Change a system"
	}
	u := user(r)
	teams := map[string]bool{}
	sn := s.Service.Snapshot()
	for _, cat := range sn.Catalogues() {
		p.Catalogues = append(p.Catalogues, option{cat.ID, cat.Title})
	}
	if u.May(remit.ActAdmin, "") {
		for x := range sn.Systems() {
			teams[x.Team] = true
		}
	}
	for _, t := range u.Teams {
		teams[t] = true
	}
	p.Teams = sortedKeys(teams)
	return p
}

func (s *server) handleSystemNewPage(w http.ResponseWriter, r *http.Request) error {
	p := s.systemFormPage(r, true)
	p.Form.All = true
	if len(p.Catalogues) > 0 {
		p.Form.Catalogue = p.Catalogues[0].Value
	}
	return s.render(w, r, http.StatusOK, "system-form", p)
}

// handleSystemEditPage fills the form from the stored system, so what it
// shows and the version it quotes are the same document's.
func (s *server) handleSystemEditPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p := s.systemFormPage(r, false)
	x, version, err := s.Service.System(r.Context(), id)
	if err != nil {
		return err
	}
	if !user(r).May(remit.ActEditSystem, x.Team) {
		return fmt.Errorf("system %q belongs to team %q: %w", id, x.Team, remit.ErrForbidden)
	}
	p.Form = systemForm{ID: x.ID, Name: x.Name, Owner: x.Owner, Team: x.Team, Classification: x.Classification, Catalogue: x.Baseline.Catalogue, All: x.Baseline.All, Controls: strings.Join(x.Baseline.Controls, "\n")}
	p.Version = version
	p.keepChoices()
	return s.render(w, r, http.StatusOK, "system-form", p)
}

// keepChoices adds the form's current team and classification to the
// choices when they are not there (set through the API or by an admin),
// so saving the form never clears them silently.
func (p *SystemFormPage) keepChoices() {
	if t := p.Form.Team; t != "" && !slices.Contains(p.Teams, t) {
		p.Teams = append(p.Teams, t)
	}
	if c := p.Form.Classification; c != "" && !slices.Contains(p.Classes, c) {
		p.Classes = append(p.Classes, c)
	}
}

// handleSystemSave creates (POST /systems) or changes (POST
// /systems/{id}/edit) a system. Every problem is shown at once against its
// field; nothing is saved until there are none.
func (s *server) handleSystemSave(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	isNew := id == ""
	p := s.systemFormPage(r, isNew)
	f := systemForm{ID: strings.TrimSpace(r.PostFormValue("id")), Name: strings.TrimSpace(r.PostFormValue("name")), Owner: strings.TrimSpace(r.PostFormValue("owner")),
		Team: strings.TrimSpace(r.PostFormValue("team")), Classification: r.PostFormValue("classification"), Catalogue: r.PostFormValue("catalogue"),
		All: r.PostFormValue("scope") != "some", Controls: r.PostFormValue("controls")}
	if !isNew {
		f.ID = id
	}
	p.Form = f
	version := int64(0)
	if !isNew {
		if _, err := fmt.Sscan(r.PostFormValue("version"), &version); err != nil {
			return badForm("the form's version is missing: reload the page and try again")
		}
	}
	p.Version = version
	if isNew && !remit.ValidID(f.ID) {
		p.Errors = append(p.Errors, fieldError{"id", "Enter an id of letters, digits, '.', '_' and '-', starting with a letter or digit and at most 64 characters, such as prison-visits"})
	}
	if f.Name == "" {
		p.Errors = append(p.Errors, fieldError{"name", "Enter the system's name"})
	}
	if f.Team == "" {
		p.Errors = append(p.Errors, fieldError{"team", "Choose the team that owns the system"})
	}
	p.keepChoices()
	if len(f.Classification) > 100 {
		p.Errors = append(p.Errors, fieldError{"classification", "Choose a classification from the list"})
	}
	if !slices.ContainsFunc(p.Catalogues, func(o option) bool { return o.Value == f.Catalogue }) {
		p.Errors = append(p.Errors, fieldError{"catalogue", "Choose the catalogue the system's baseline comes from"})
	}
	var controls []string
	for _, c := range strings.FieldsFunc(f.Controls, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		if c = strings.TrimSpace(c); c != "" {
			controls = append(controls, c)
		}
	}
	if !f.All && len(controls) == 0 {
		p.Errors = append(p.Errors, fieldError{"controls", "Enter the controls of the baseline, one per line, or choose every control"})
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "system-form", p)
	}
	sys := remit.System{ID: f.ID, Name: f.Name, Owner: f.Owner, Team: f.Team, Classification: f.Classification, Baseline: remit.Baseline{Catalogue: f.Catalogue, All: f.All}}
	if !f.All {
		sys.Baseline.Controls = controls
	}
	_, err := s.Service.PutSystemDetails(r.Context(), user(r), sys, version)
	var ve *remit.ValidationError
	switch {
	case isNew && errors.Is(err, remit.ErrConflict):
		p.Errors = append(p.Errors, fieldError{"id", fmt.Sprintf("A system with id %s already exists: choose another id", f.ID)})
	case errors.As(err, &ve):
		for _, pr := range ve.Problems {
			p.Errors = append(p.Errors, fieldError{systemField(pr.Pointer), sentence(pr.Message)})
		}
	case err != nil:
		return err
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "system-form", p)
	}
	msg := "System " + f.Name + " saved"
	if isNew {
		msg = "System " + f.Name + " added"
	}
	return s.redirect(w, r, "/systems/"+url.PathEscape(f.ID), msg)
}

// systemField maps a validation problem's pointer to the form field it
// concerns: /systems/N/baseline/controls/2 → controls.
func systemField(pointer string) string {
	for _, f := range []string{"controls", "catalogue", "name", "team", "owner", "classification", "id"} {
		if strings.Contains(pointer, "/"+f) {
			return f
		}
	}
	return "name"
}

// handleUseAttach attaches an offering to a system from its page.
func (s *server) handleUseAttach(w http.ResponseWriter, r *http.Request) error {
	id, ref := r.PathValue("id"), strings.TrimSpace(r.PostFormValue("offering"))
	or, err := remit.ParseOfferingRef(ref)
	if _, known := s.Service.Snapshot().Offering(ref); err != nil || !known {
		return badForm(fmt.Sprintf("there is no offering %q: give one as provider/offering, for example aws/ec2, as listed under Providers", ref))
	}
	in := &usePutInput{ID: id, Provider: or.Provider, Offering: or.Offering, IfMatch: `"` + r.PostFormValue("version") + `"`}
	in.Body.Purpose = strings.TrimSpace(r.PostFormValue("purpose"))
	if _, err := s.handleUsePut(r.Context(), in); err != nil {
		return err
	}
	return s.redirect(w, r, "/systems/"+url.PathEscape(id)+"#offerings", "Offering "+ref+" attached")
}

// handleUseDetach detaches an offering from a system.
func (s *server) handleUseDetach(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in := &useDeleteInput{ID: id, Provider: r.PathValue("provider"), Offering: r.PathValue("offering"), IfMatch: `"` + r.PostFormValue("version") + `"`}
	if _, err := s.handleUseDelete(r.Context(), in); err != nil {
		return err
	}
	return s.redirect(w, r, "/systems/"+url.PathEscape(id)+"#offerings", "Offering "+remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()+" detached")
}

// DetachPage asks to confirm detaching an offering from a system, saying
// what goes with it.
type DetachPage struct {
	basePage
	ID, Name        string
	Ref, Offering   string
	ProviderID, OID string
	Version         int64
	// Ours and Theirs count the obligations, ours and the provider's, that
	// arise from the offering in this system and leave with it.
	Ours, Theirs int
}

func (s *server) detachPage(r *http.Request) (*DetachPage, error) {
	id := r.PathValue("id")
	ref := remit.OfferingRef{Provider: r.PathValue("provider"), Offering: r.PathValue("offering")}.String()
	p := &DetachPage{basePage: basePage{Title: "Detach an offering", Nav: "systems"}, ID: id, Ref: ref, ProviderID: r.PathValue("provider"), OID: r.PathValue("offering")}
	sn := s.Service.Snapshot()
	x, _, ok := sn.System(id)
	if !ok {
		return nil, notFound("system", id)
	}
	if !user(r).May(remit.ActEditSystem, x.Team) {
		return nil, fmt.Errorf("system %q belongs to team %q: %w", id, x.Team, remit.ErrForbidden)
	}
	if !slices.ContainsFunc(x.Uses, func(u remit.Use) bool { return u.Offering == ref }) {
		return nil, notFound("offering used by "+id, ref)
	}
	p.Name = x.Name
	p.Offering = ref
	if o, ok := sn.Offering(ref); ok {
		p.Offering = o.Offering.Name
	}
	pick := func(sys *remit.System) bool { return sys.ID == id }
	from := func(o service.Obligation) bool { return o.Offering == ref }
	p.Ours = len(sn.Obligations(pick, report.PartyOurs, from))
	p.Theirs = len(sn.Obligations(pick, report.PartyProviders, from))
	p.Version, _ = sn.Version(service.KindSystem, id)
	return p, nil
}

// SystemDeletePage asks to confirm deleting a system.
type SystemDeletePage struct {
	basePage
	ID, Name string
	Version  int64
	Ours     int
}

func (s *server) systemDeletePage(r *http.Request) (*SystemDeletePage, error) {
	id := r.PathValue("id")
	p := &SystemDeletePage{basePage: basePage{Title: "Delete a system", Nav: "systems"}, ID: id}
	sn := s.Service.Snapshot()
	x, _, ok := sn.System(id)
	if !ok {
		return nil, notFound("system", id)
	}
	p.Name, p.Ours = x.Name, sn.CountOurs(id)
	if !user(r).May(remit.ActEditSystem, x.Team) {
		return nil, fmt.Errorf("system %q belongs to team %q: %w", id, x.Team, remit.ErrForbidden)
	}
	p.Version, _ = sn.Version(service.KindSystem, id)
	return p, nil
}

// handleSystemDeletePost deletes a system once confirmed; its obligations'
// tracking stays in the audit trail.
func (s *server) handleSystemDeletePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.systemDeletePage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	if err := s.Service.DeleteSystem(r.Context(), user(r), p.ID, version); err != nil {
		return err
	}
	return s.redirect(w, r, "/systems", "System "+p.Name+" deleted")
}

// ConfirmPage asks before a destructive action: what it does, in a GOV.UK
// warning, and a form that repeats the action with confirm=yes (Fields
// are the hidden fields to carry, as name in Value and value in Text).
type ConfirmPage struct {
	basePage
	Caption, Warning, Action, Button, Cancel string
	Fields                                   []option
}

// confirmed reports whether a destructive form was confirmed; if not, it
// renders the page asking first.
func (s *server) confirmed(w http.ResponseWriter, r *http.Request, p *ConfirmPage) (bool, error) {
	if r.PostFormValue("confirm") == "yes" {
		return true, nil
	}
	return false, s.render(w, r, http.StatusOK, "confirm", p)
}
