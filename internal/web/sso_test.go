package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/oidctest"
	"remit/internal/remit"
	"remit/internal/service"
)

// ssoFixture serves the fixture's estate with single sign-on through a
// real OpenID Connect provider running in the test.
func ssoFixture(t *testing.T, cfg Config) (*fixture, *oidctest.Provider) {
	t.Helper()
	f := newFixture(t)
	// The browser's cookie jar keeps to the real clock: so does this
	// fixture, with its API tokens made again.
	f.setNow(time.Now())
	for _, a := range testAccounts {
		u, err := f.svc.User(context.Background(), a.Email)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := f.svc.CreateToken(context.Background(), u.Principal(), "tests", u.Role, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[strings.TrimSuffix(u.Email, "@example.gov.uk")] = secret
	}
	back := f.server.URL + "/sign-in/oidc/callback"
	p := oidctest.Start(t, []oidctest.User{
		{ID: "u1", Username: "ada", Password: "ada's long password", Email: "ada@example.gov.uk", Name: "Ada Lovelace", Groups: []string{"remit-admins", "visits"}},
		{ID: "u2", Username: "bob", Password: "bob's long password", Email: "bob@example.gov.uk", Name: "Bob Smith", Groups: []string{"everyone"}},
	}, "remit", "client secret", back)
	o, err := accounts.NewOIDC(context.Background(), accounts.OIDCConfig{Issuer: p.Issuer, ClientID: "remit", ClientSecret: "client secret", RedirectURL: back,
		Scopes: []string{"email", "profile", "groups"}, Name: "the Test Provider",
		Mapping: accounts.ClaimMapping{Roles: []accounts.GroupRole{{Group: "remit-admins", Role: remit.RoleAdmin}, {Group: "remit-editors", Role: remit.RoleEditor}},
			Teams: []accounts.GroupTeam{{Group: "visits", Team: "visits-team"}}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Service, cfg.Log, cfg.OIDC = f.svc, slog.New(slog.NewTextHandler(io.Discard, nil)), o
	f.server.Config.Handler = NewServer(cfg)
	return f, p
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestSSOSignIn signs in through the identity provider: the account is
// made with the role and teams its groups map to, follows the groups at
// the next sign-in, and is refused when disabled or when no group maps to
// a role; every sign-in and refusal is audited.
func TestSSOSignIn(t *testing.T) {
	f, p := ssoFixture(t, Config{})
	ctx := context.Background()
	c := oidctest.Browser()
	if status, page := get(t, c, f.server.URL+"/sign-in"); status != 200 || !strings.Contains(page, "Sign in with the Test Provider") || !strings.Contains(page, `name="password"`) {
		t.Fatalf("sign-in page: %d %.400s", status, page)
	}
	landed := oidctest.SignIn(t, c, f.server.URL+"/sign-in/oidc?next=/systems%3Fteam%3Dvisits-team", "ada", "ada's long password", f.server.URL+"/systems")
	if landed.RequestURI() != "/systems?team=visits-team" {
		t.Errorf("landed at %s", landed)
	}
	if status, page := get(t, c, landed.String()); status != 200 || !strings.Contains(page, "Ada Lovelace") {
		t.Fatalf("signed in: %d %.300s", status, page)
	}
	u, err := f.svc.User(ctx, "ada@example.gov.uk")
	if err != nil || u.Role != remit.RoleAdmin || !slices.Equal(u.Teams, []string{"visits-team"}) || u.SSO != p.Issuer || u.Name != "Ada Lovelace" {
		t.Fatalf("account %+v %v", u, err)
	}
	// No password works for an account made by single sign-on.
	if status, _, data := f.do("", "POST", "/api/v1/session", map[string]string{"email": "ada@example.gov.uk", "password": "any password at all"}); status != http.StatusUnauthorized {
		t.Errorf("a password for an account made by single sign-on: %d %s", status, data)
	}

	// The provider moves her to the editors: the next sign-in follows.
	p.SetGroups("u1", "remit-editors")
	oidctest.SignIn(t, oidctest.Browser(), f.server.URL+"/sign-in/oidc?next=/risks", "ada", "ada's long password", f.server.URL+"/risks")
	if u, _ = f.svc.User(ctx, "ada@example.gov.uk"); u.Role != remit.RoleEditor || u.Teams != nil {
		t.Errorf("after the provider's change: %s %v", u.Role, u.Teams)
	}

	// Sign out, and the session is gone.
	req, _ := http.NewRequest("POST", f.server.URL+"/sign-out", nil)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %v %v", resp, err)
	}
	if status, _ := get(t, c, f.server.URL+"/systems"); status != http.StatusSeeOther {
		t.Errorf("after signing out: %d", status)
	}

	// Disabled by an admin: refused, however the provider vouches.
	_, v, _ := f.svc.UserVersion(ctx, testAdmin, "ada@example.gov.uk")
	yes := true
	if _, _, err := f.svc.ChangeUser(ctx, testAdmin, "ada@example.gov.uk", service.UserChange{Disabled: &yes}, v); err != nil {
		t.Fatal(err)
	}
	b := oidctest.Browser()
	at := oidctest.SignIn(t, b, f.server.URL+"/sign-in/oidc", "ada", "ada's long password", f.server.URL+"/sign-in/oidc/callback")
	if status, page := get(t, b, at.String()); status != http.StatusForbidden || !strings.Contains(page, "Your account is disabled") {
		t.Errorf("disabled: %d %.300s", status, page)
	}

	// Nobody's groups map to a role: refused, no account made.
	at = oidctest.SignIn(t, b, f.server.URL+"/sign-in/oidc", "bob", "bob's long password", f.server.URL+"/sign-in/oidc/callback")
	if status, page := get(t, b, at.String()); status != http.StatusForbidden || !strings.Contains(page, "None of your groups is given a role in Remit") {
		t.Errorf("no role: %d %.500s", status, page)
	}
	if _, err := f.svc.User(ctx, "bob@example.gov.uk"); err == nil {
		t.Error("an account was made for someone with no role")
	}

	// The trail has each sign-in, with the provider, and each refusal.
	trail := func(id string) string {
		_, _, data := f.do("admin", "GET", "/api/v1/audit?kind=user&limit=100&id="+id, nil)
		var page struct {
			Items []struct {
				Action string
				After  []byte
			}
		}
		if err := json.Unmarshal(data, &page); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, it := range page.Items {
			fmt.Fprintf(&b, "%q %s\n", it.Action, it.After)
		}
		return b.String()
	}
	data := trail("ada@example.gov.uk")
	for _, want := range []string{`"sign-in" {"address"`, `"sso":"` + p.Issuer, `"sign-in-refused" {"address":"127.0.0.1","reason":"disabled"}`, `"create" {"email":"ada@example.gov.uk"`, `"update" {"email":"ada@example.gov.uk","name":"Ada Lovelace","role":"editor"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("audit of ada lacks %s:\n%s", want, data)
		}
	}
	if data = trail("bob@example.gov.uk"); !strings.Contains(data, `"sign-in-refused" {"address":"127.0.0.1","reason":"no role for the groups everyone"}`) {
		t.Errorf("audit of bob: %.500s", data)
	}
}

// TestSSOCallbackRefusals: a callback whose state is not this browser's,
// or that comes without the attempt's cookie, or with the provider's
// error, signs nobody in.
func TestSSOCallbackRefusals(t *testing.T) {
	f, _ := ssoFixture(t, Config{})
	c := oidctest.Browser()
	// Start, so the browser holds an attempt, then come back with another state.
	resp, err := c.Get(f.server.URL + "/sign-in/oidc")
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, q := range []string{"state=forged&code=x", "code=x", "error=access_denied&error_description=The+user+said+no"} {
		status, page := get(t, c, f.server.URL+"/sign-in/oidc/callback?"+q)
		if status < 400 || strings.Contains(page, "Sign out") {
			t.Errorf("%s: %d", q, status)
		}
		if strings.HasPrefix(q, "error") && !strings.Contains(page, "The user said no") {
			t.Errorf("the provider's error is not shown: %.300s", page)
		}
	}
	// Without the attempt's cookie at all.
	if status, _ := get(t, oidctest.Browser(), f.server.URL+"/sign-in/oidc/callback?state=a&code=b"); status != http.StatusBadRequest {
		t.Errorf("no cookie: %d", status)
	}
	// The attempt cookie is HttpOnly, scoped to the callback, Lax.
	resp, _ = oidctest.Browser().Get(f.server.URL + "/sign-in/oidc")
	sc := resp.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "Path=/sign-in/oidc") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || !strings.Contains(sc, "Max-Age=600") {
		t.Errorf("attempt cookie %s", sc)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("no PKCE: %s", loc)
	}
}

// TestPasswordsSwitchedOff: with passwords off only single sign-on and the
// break-glass account get in; the sign-in page says so.
func TestPasswordsSwitchedOff(t *testing.T) {
	f, _ := ssoFixture(t, Config{NoPasswordSignIn: true, BreakGlass: "admin@example.gov.uk"})
	status, _, body := f.do("", "POST", "/api/v1/session", map[string]string{"email": "viewer@example.gov.uk", "password": password})
	if status != http.StatusForbidden || !strings.Contains(string(body), "Passwords are switched off on this server: sign in with the Test Provider") {
		t.Errorf("viewer's password: %d %s", status, body)
	}
	if status, _, body := f.do("", "POST", "/api/v1/session", map[string]string{"email": "Admin@example.gov.uk", "password": password}); status != http.StatusOK {
		t.Errorf("break-glass: %d %s", status, body)
	}
	resp, page := f.page("", "POST", "/sign-in", url.Values{"email": {"editor@example.gov.uk"}, "password": {password}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Passwords are switched off") {
		t.Errorf("page sign-in: %d", resp.StatusCode)
	}
	_, page = f.page("", "GET", "/sign-in", nil)
	if !strings.Contains(page, "Sign in with the Test Provider") || !strings.Contains(page, "Sign in with the emergency account") {
		t.Errorf("sign-in page with passwords off: %.500s", page)
	}
}
