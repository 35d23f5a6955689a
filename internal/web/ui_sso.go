package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// Single sign-on with OpenID Connect (doc/operations.md): /sign-in/oidc
// sends the person to the identity provider with a fresh state, nonce and
// PKCE verifier, kept in a short-lived cookie scoped to the callback;
// /sign-in/oidc/callback checks the state, trades the code, verifies the
// ID token (signature, issuer, audience, expiry, nonce), maps the groups
// to a role and teams and opens a session.

// errNoSSO answers the single sign-on routes of a server without it.
var errNoSSO = fmt.Errorf("single sign-on is not set up on this server: %w", remit.ErrNotFound)

// ssoCookie holds one sign-in attempt between the two requests.
const ssoCookie = "remit_sso"

// ssoAttemptTTL is how long a person may take at the identity provider.
const ssoAttemptTTL = 10 * time.Minute

func (s *server) handleSSOStart(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return errNoSSO
	}
	a := accounts.NewAttempt()
	next := safeNext(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: a.State + "." + a.Nonce + "." + a.Verifier + "." + encodeNext(next),
		Path: "/sign-in/oidc", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(ssoAttemptTTL / time.Second)})
	http.Redirect(w, r, s.OIDC.AuthURL(a), http.StatusSeeOther)
	return nil
}

func (s *server) handleSSOCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return errNoSSO
	}
	// The attempt is used once, whatever happens.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Path: "/sign-in/oidc", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	fail := func(status int, msg string) error {
		p := s.signInPage(r)
		p.Errors = append(p.Errors, fieldError{"sso", msg})
		return s.render(w, r, status, "sign-in", p)
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := "The identity provider did not sign you in (" + e + ")"
		if d := q.Get("error_description"); d != "" {
			msg += ": " + d
		}
		return fail(http.StatusUnauthorized, msg)
	}
	c, err := r.Cookie(ssoCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	if len(parts) != 4 || q.Get("state") == "" || !accounts.SameHash(q.Get("state"), parts[0]) {
		return fail(http.StatusBadRequest, "This sign-in has expired or did not start here: sign in again")
	}
	a := accounts.Attempt{State: parts[0], Nonce: parts[1], Verifier: parts[2]}
	id, err := s.OIDC.Exchange(r.Context(), a, q.Get("code"))
	if err != nil {
		s.Log.Warn("single sign-on refused", "error", err, "address", remoteAddr(r.Context()))
		return fail(http.StatusUnauthorized, "The identity provider's answer could not be trusted: sign in again")
	}
	secret, _, err := s.Service.SignInSSO(r.Context(), id, s.OIDC.Mapping(), remoteAddr(r.Context()), sessionTTL)
	if errors.Is(err, remit.ErrForbidden) {
		return fail(http.StatusForbidden, sentence(err.Error()))
	}
	if err != nil {
		return err
	}
	sc := s.sessionCookie(secret, s.Now().Add(sessionTTL).UTC())
	http.SetCookie(w, &sc)
	http.Redirect(w, r, safeNext(decodeNext(parts[3])), http.StatusSeeOther)
	return nil
}

// encodeNext and decodeNext keep a return address inside the attempt
// cookie, whose parts are separated by dots.
func encodeNext(next string) string { return strings.NewReplacer("%", "%25", ".", "%2E").Replace(next) }
func decodeNext(s string) string    { return strings.NewReplacer("%2E", ".", "%25", "%").Replace(s) }
