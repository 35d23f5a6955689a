package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// AccountPage is one account, for an admin: change its name, role and
// teams; disable or enable it; reset its password. Disabling and
// resetting ask first (Confirm), and a reset shows the new password once.
type AccountPage struct {
	basePage
	Account accounts.User
	Version int64
	Roles   []remit.Role
	// Teams is the teams field as typed.
	Teams string
	// Confirm is "disable" or "reset-password" on the page that asks.
	Confirm string
	// NewPassword is shown once, after a reset.
	NewPassword string
}

func (s *server) accountPage(r *http.Request) (*AccountPage, error) {
	u, v, err := s.Service.UserVersion(r.Context(), user(r), r.PathValue("email"))
	if err != nil {
		return nil, err
	}
	return &AccountPage{basePage: basePage{Title: u.Email, Nav: "users"}, Account: u, Version: v, Roles: remit.Roles, Teams: strings.Join(u.Teams, ", ")}, nil
}

// accountAdmin refuses non-admins before anything else.
func (s *server) accountAdmin(r *http.Request) (*AccountPage, error) {
	if !user(r).May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("accounts are managed by admins: %w", remit.ErrForbidden)
	}
	return s.accountPage(r)
}

func (s *server) accountConfirmPage(what string) func(*http.Request) (*AccountPage, error) {
	return func(r *http.Request) (*AccountPage, error) {
		p, err := s.accountAdmin(r)
		if err != nil {
			return nil, err
		}
		p.Confirm = what
		return p, nil
	}
}

// accountForm is the account a form posts about, for an admin, and the
// version the form quotes.
func (s *server) accountForm(r *http.Request) (*AccountPage, int64, error) {
	p, err := s.accountAdmin(r)
	if err != nil {
		return nil, 0, err
	}
	version, err := formVersion(r)
	return p, version, err
}

// formVersion reads the version a form quotes.
func formVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return 0, badForm("the form's version is missing: reload the page and try again")
	}
	return v, nil
}

func (s *server) handleAccountPost(w http.ResponseWriter, r *http.Request) error {
	p, version, err := s.accountForm(r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := remit.Role(r.PostFormValue("role"))
	p.Teams = r.PostFormValue("teams")
	teams := []string{}
	for _, t := range strings.Split(p.Teams, ",") {
		if t = strings.TrimSpace(t); t != "" {
			teams = append(teams, t)
		}
	}
	if !role.Valid() {
		p.Errors = append(p.Errors, fieldError{"role", "Choose a role"})
	}
	if len(p.Errors) == 0 {
		_, _, err = s.Service.ChangeUser(r.Context(), user(r), p.Account.Email, service.UserChange{Name: &name, Role: &role, Teams: &teams}, version)
		var ve *remit.ValidationError
		switch {
		case errors.As(err, &ve):
			for _, pr := range ve.Problems {
				field, _, _ := strings.Cut(strings.TrimPrefix(pr.Pointer, "/"), "/")
				p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
			}
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		p.Account.Name, p.Account.Role = name, role
		return s.render(w, r, http.StatusUnprocessableEntity, "user", p)
	}
	s.verified.forget(func(string) bool { return true })
	return s.redirect(w, r, "/users/"+p.Account.Email, "Account of "+p.Account.Email+" changed")
}

func (s *server) handleAccountDisablePost(disabled bool) uiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, version, err := s.accountForm(r)
		if err != nil {
			return err
		}
		_, _, err = s.Service.ChangeUser(r.Context(), user(r), p.Account.Email, service.UserChange{Disabled: &disabled}, version)
		var ve *remit.ValidationError
		if errors.As(err, &ve) {
			p.Confirm = ""
			for _, pr := range ve.Problems {
				p.Errors = append(p.Errors, fieldError{"disable", sentence(pr.Message)})
			}
			return s.render(w, r, http.StatusUnprocessableEntity, "user", p)
		}
		if err != nil {
			return err
		}
		s.verified.forget(func(string) bool { return true })
		msg := "Account of " + p.Account.Email + " enabled"
		if disabled {
			msg = "Account of " + p.Account.Email + " disabled: its sessions have ended and its API tokens no longer work"
		}
		return s.redirect(w, r, "/users/"+p.Account.Email, msg)
	}
}

func (s *server) handlePasswordResetPost(w http.ResponseWriter, r *http.Request) error {
	p, version, err := s.accountForm(r)
	if err != nil {
		return err
	}
	password, v, err := s.Service.ResetPassword(r.Context(), user(r), p.Account.Email, version)
	if err != nil {
		return err
	}
	p.NewPassword, p.Version = password, v
	return s.render(w, r, http.StatusOK, "user", p)
}
