package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// The accounts' collections: the stored forms carry the secrets' hashes,
// the audit trail and every reader get the shown forms without them.
var (
	users    = collection[accounts.Record]{kind: KindUser, what: "account", public: func(r accounts.Record) any { return auditedAccount{r.User, fingerprint(r.PasswordHash)} }}
	sessions = collection[accounts.Session]{kind: KindSession, what: "session"}
	tokens   = collection[accounts.TokenRecord]{kind: KindToken, what: "token", public: func(t accounts.TokenRecord) any { return auditedToken{t.Token, fingerprint(t.Hash)} }}
)

// AddUser creates an account (an admin's change). The password must be at
// least 12 characters; the email is stored lower-cased.
func (s *Service) AddUser(ctx context.Context, p remit.Principal, u accounts.User, password string) (accounts.User, error) {
	if !p.May(remit.ActAdmin, "") {
		return accounts.User{}, fmt.Errorf("accounts are made by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	var ps []remit.Problem
	addr, err := mail.ParseAddress(u.Email)
	if err != nil || addr.Address != u.Email {
		ps = append(ps, remit.Problem{Pointer: "/email", Message: fmt.Sprintf("email %q is not an address: write it as name@example.gov.uk", u.Email)})
	}
	if !u.Role.Valid() {
		ps = append(ps, remit.Problem{Pointer: "/role", Message: roleProblem(u.Role)})
	}
	if len(password) < 12 {
		ps = append(ps, remit.Problem{Pointer: "/password", Message: "password is too short: use at least 12 characters"})
	}
	if len(ps) > 0 {
		return accounts.User{}, &remit.ValidationError{Problems: ps}
	}
	u.Email, u.Created = strings.ToLower(u.Email), s.now().UTC()
	hash, err := accounts.HashPassword(password)
	if err != nil {
		return accounts.User{}, err
	}
	err = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		_, err := users.create(ctx, tx, change{p.Email, s.now()}, u.Email, accounts.Record{User: u, PasswordHash: hash})
		return nil, err
	})
	if err != nil {
		return accounts.User{}, fmt.Errorf("add user: %w", err)
	}
	return u, nil
}

// User reads one account.
func (s *Service) User(ctx context.Context, email string) (accounts.User, error) {
	var r accounts.Record
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		r, _, err = users.find(ctx, tx, strings.ToLower(email))
		return err
	})
	return r.User, err
}

// Users lists every account, by email (an admin's view).
func (s *Service) Users(ctx context.Context, p remit.Principal) ([]accounts.User, error) {
	if !p.May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("the list of accounts is an admin's: %w", remit.ErrForbidden)
	}
	var out []accounts.User
	err := s.read(ctx, func(tx remit.Tx) error {
		rs, err := users.list(ctx, tx, "")
		for _, r := range rs {
			out = append(out, r.User)
		}
		return err
	})
	return out, err
}

// Authenticate finds who a session secret or an API token belongs to
// (API tokens look like remit_<id>_<secret>). Anything that does not
// check out is accounts.ErrBadCredentials.
func (s *Service) Authenticate(ctx context.Context, credential string) (remit.Principal, error) {
	var p remit.Principal
	now := s.now()
	err := s.read(ctx, func(tx remit.Tx) error {
		if id, secret, ok := accounts.SplitToken(credential); ok {
			t, _, err := tokens.find(ctx, tx, id)
			if err != nil {
				return err
			}
			if t.Revoked || now.After(t.Expires) || !accounts.SameHash(t.Hash, accounts.HashSecret(secret)) {
				return accounts.ErrBadCredentials
			}
			u, _, err := users.find(ctx, tx, t.Email)
			if err != nil || u.Disabled {
				return accounts.ErrBadCredentials
			}
			p = u.Principal()
			p.Scope = t.Scope
			// A token carries at most its user's role as it is now: if the
			// user's role has changed since, the token only reads.
			if t.Role != u.Role {
				p.Role = remit.RoleViewer
			}
			p.Token = true
			return nil
		}
		sess, _, err := sessions.find(ctx, tx, accounts.HashSecret(credential))
		if err != nil {
			return err
		}
		if now.After(sess.Expires) {
			return accounts.ErrBadCredentials
		}
		u, _, err := users.find(ctx, tx, sess.Email)
		if err != nil || u.Disabled {
			return accounts.ErrBadCredentials
		}
		p = u.Principal()
		return nil
	})
	if errors.Is(err, remit.ErrNotFound) {
		return remit.Principal{}, accounts.ErrBadCredentials
	}
	return p, err
}

// CreateToken makes a token for p, returning it with its secret, which is
// shown once. role must be p's own role or viewer.
func (s *Service) CreateToken(ctx context.Context, p remit.Principal, name string, role remit.Role, ttl time.Duration) (accounts.Token, string, error) {
	return s.CreateScopedToken(ctx, p, name, role, ttl, "")
}

// CreateScopedToken is CreateToken with a scope: remit.ScopeChecks makes a
// token that may only hand in automated check results (for a pipeline,
// which then never holds an editor's rights).
func (s *Service) CreateScopedToken(ctx context.Context, p remit.Principal, name string, role remit.Role, ttl time.Duration, scope string) (accounts.Token, string, error) {
	if p.Token {
		// Else a leaked short-lived token could mint a long-lived one.
		return accounts.Token{}, "", fmt.Errorf("tokens are created from a signed-in session, not with another token: %w", remit.ErrForbidden)
	}
	if !p.May(remit.ActRead, "") {
		return accounts.Token{}, "", fmt.Errorf("no role, no token: %w", remit.ErrForbidden)
	}
	var ps []remit.Problem
	if strings.TrimSpace(name) == "" {
		ps = append(ps, remit.Problem{Pointer: "/name", Message: "name is required: say what the token is for"})
	}
	if role != p.Role && role != remit.RoleViewer {
		ps = append(ps, remit.Problem{Pointer: "/role", Message: fmt.Sprintf("a token carries at most its user's role: use %q or %q", p.Role, remit.RoleViewer)})
	}
	if scope != "" && scope != remit.ScopeChecks {
		ps = append(ps, remit.Problem{Pointer: "/scope", Message: fmt.Sprintf("scope %q is not known: leave it out for the role's whole reach, or use %q to only hand in check results", scope, remit.ScopeChecks)})
	}
	if ttl <= 0 || ttl > 366*24*time.Hour {
		ps = append(ps, remit.Problem{Pointer: "/expires_in_days", Message: "a token lives between 1 and 366 days"})
	}
	if len(ps) > 0 {
		return accounts.Token{}, "", &remit.ValidationError{Problems: ps}
	}
	now := s.now()
	id, secret := accounts.NewSecret()[:16], accounts.NewSecret()
	t := accounts.Token{ID: id, Email: p.Email, Name: name, Role: role, Created: now.UTC(), Expires: now.Add(ttl).UTC(), Scope: scope}
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		_, err := tokens.create(ctx, tx, change{p.Email, now}, id, accounts.TokenRecord{Token: t, Hash: accounts.HashSecret(secret)})
		return nil, err
	})
	if err != nil {
		return accounts.Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, accounts.TokenString(id, secret), nil
}

// RevokeToken revokes a token; only its owner or an admin may.
func (s *Service) RevokeToken(ctx context.Context, p remit.Principal, id string) error {
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		t, d, err := tokens.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if t.Email != p.Email && !p.May(remit.ActAdmin, "") {
			return nil, fmt.Errorf("token %s belongs to someone else: %w", id, remit.ErrForbidden)
		}
		t.Revoked = true
		_, _, err = tokens.update(ctx, tx, change{p.Email, s.now()}, id, t, d.Version)
		return nil, err
	})
}

// Tokens lists one user's API tokens (one's own, or an admin's view).
func (s *Service) Tokens(ctx context.Context, p remit.Principal, email string) ([]accounts.Token, error) {
	if email != p.Email && !p.May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("another user's tokens are an admin's to see: %w", remit.ErrForbidden)
	}
	var out []accounts.Token
	err := s.read(ctx, func(tx remit.Tx) error {
		all, err := tokens.list(ctx, tx, "")
		for _, t := range all {
			if t.Email == email {
				out = append(out, t.Token)
			}
		}
		return err
	})
	return out, err
}

// UserChange is an admin's change to an account: what is nil stays.
type UserChange struct {
	Name     *string
	Role     *remit.Role
	Teams    *[]string
	Disabled *bool
}

// UserVersion reads one account (an admin's view) with its version, for
// If-Match.
func (s *Service) UserVersion(ctx context.Context, p remit.Principal, email string) (accounts.User, int64, error) {
	if !p.May(remit.ActAdmin, "") && !strings.EqualFold(email, p.Email) {
		return accounts.User{}, 0, fmt.Errorf("another user's account is an admin's to see: %w", remit.ErrForbidden)
	}
	var r accounts.Record
	var version int64
	err := s.read(ctx, func(tx remit.Tx) error {
		var d remit.Document
		var err error
		r, d, err = users.find(ctx, tx, strings.ToLower(email))
		version = d.Version
		return err
	})
	return r.User, version, err
}

// ChangeUser changes an account's name, role, teams or whether it is
// disabled (an admin's change, quoting the version read). Disabling ends
// the account's sessions at once and its API tokens stop working while it
// stays disabled — on every server, since each request is checked against
// the store. The last enabled admin can be neither disabled nor demoted.
func (s *Service) ChangeUser(ctx context.Context, p remit.Principal, email string, c UserChange, version int64) (accounts.User, int64, error) {
	if !p.May(remit.ActAdmin, "") {
		return accounts.User{}, 0, fmt.Errorf("accounts are changed by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	email = strings.ToLower(email)
	var ps []remit.Problem
	if c.Role != nil && !c.Role.Valid() {
		ps = append(ps, remit.Problem{Pointer: "/role", Message: roleProblem(*c.Role)})
	}
	if c.Teams != nil {
		for i, t := range *c.Teams {
			if !remit.ValidID(t) {
				ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/teams/%d", i), Message: fmt.Sprintf("team %q is not a team name: %s", t, remit.IDRule)})
			}
		}
	}
	if c.Name != nil && len(*c.Name) > remit.MaxName {
		ps = append(ps, remit.Problem{Pointer: "/name", Message: fmt.Sprintf("name is %d characters: use at most %d", len(*c.Name), remit.MaxName)})
	}
	if len(ps) > 0 {
		return accounts.User{}, 0, &remit.ValidationError{Problems: ps}
	}
	var out accounts.User
	var next int64
	now := s.now()
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		r, _, err := users.find(ctx, tx, email)
		if err != nil {
			return nil, err
		}
		u := r.User
		if c.Name != nil {
			u.Name = strings.TrimSpace(*c.Name)
		}
		if c.Role != nil {
			u.Role = *c.Role
		}
		if c.Teams != nil {
			u.Teams = slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(*c.Teams)))))
			if len(u.Teams) == 0 {
				u.Teams = nil
			}
		}
		if c.Disabled != nil {
			u.Disabled = *c.Disabled
		}
		if r.Role == remit.RoleAdmin && !r.Disabled && (u.Role != remit.RoleAdmin || u.Disabled) {
			last, err := lastAdmin(ctx, tx, email)
			if err != nil {
				return nil, err
			}
			if last {
				return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/role",
					Message: fmt.Sprintf("there must always be an admin to manage Remit, and %s is the last one: make someone else an admin first", email)}}}
			}
		}
		r.User = u
		_, d, err := users.update(ctx, tx, change{p.Email, now}, email, r, version)
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			if err := endSessions(ctx, tx, email); err != nil {
				return nil, err
			}
		}
		out, next = u, d.Version
		return nil, nil
	})
	if err != nil {
		return accounts.User{}, 0, fmt.Errorf("change user %s: %w", email, err)
	}
	return out, next, nil
}

// ResetPassword gives an account a new generated password, shown once to
// the admin who reset it to pass on; the account's sessions end.
func (s *Service) ResetPassword(ctx context.Context, p remit.Principal, email string, version int64) (string, int64, error) {
	if !p.May(remit.ActAdmin, "") {
		return "", 0, fmt.Errorf("passwords are reset by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	email = strings.ToLower(email)
	password := accounts.NewSecret()
	hash, err := accounts.HashPassword(password)
	if err != nil {
		return "", 0, err
	}
	var next int64
	err = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		r, _, err := users.find(ctx, tx, email)
		if err != nil {
			return nil, err
		}
		r.PasswordHash = hash
		_, d, err := users.update(ctx, tx, change{p.Email, s.now()}, email, r, version, "reset-password")
		if err != nil {
			return nil, err
		}
		next = d.Version
		return nil, endSessions(ctx, tx, email)
	})
	if err != nil {
		return "", 0, fmt.Errorf("reset the password of %s: %w", email, err)
	}
	return password, next, nil
}

// endSessions deletes every session of one account.
func endSessions(ctx context.Context, tx remit.Tx, email string) error {
	_, err := deleteSessions(ctx, tx, func(sess accounts.Session) bool { return sess.Email == email })
	return err
}

// deleteSessions deletes the sessions match picks (unaudited: a session
// is not a change anyone made), returning how many.
func deleteSessions(ctx context.Context, tx remit.Tx, match func(accounts.Session) bool) (int, error) {
	all, err := tx.Documents(ctx, KindSession, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range all {
		sess, err := sessions.decode(d)
		if err != nil {
			return n, err
		}
		if match(sess) {
			if err := tx.DeleteDocument(ctx, KindSession, d.ID, d.Version); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// roleProblem says a role is not known, and which are.
func roleProblem(r remit.Role) string {
	names := make([]string, len(remit.Roles))
	for i, r := range remit.Roles {
		names[i] = fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("role %q is not known: use one of %s", r, strings.Join(names, ", "))
}
