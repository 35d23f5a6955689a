package accounts_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/oidctest"
	"remit/internal/remit"
)

const callback = "http://127.0.0.1:1/sign-in/oidc/callback"

var people = []oidctest.User{
	{ID: "u1", Username: "ada", Password: "ada's long password", Email: "Ada@Example.gov.uk", Name: "Ada Lovelace", Groups: []string{"remit-admins", "visits"}},
	{ID: "u2", Username: "bob", Password: "bob's long password", Email: "bob@example.gov.uk", Name: "Bob Smith", Groups: []string{"everyone"}},
}

var mapping = accounts.ClaimMapping{
	Roles: []accounts.GroupRole{{Group: "remit-admins", Role: remit.RoleAdmin}, {Group: "remit-editors", Role: remit.RoleEditor}},
	Teams: []accounts.GroupTeam{{Group: "visits", Team: "visits-team"}},
}

func relyingParty(t *testing.T, issuer, clientID string, now func() time.Time) *accounts.OIDC {
	t.Helper()
	o, err := accounts.NewOIDC(context.Background(), accounts.OIDCConfig{Issuer: issuer, ClientID: clientID, ClientSecret: "client secret", RedirectURL: callback,
		Scopes: []string{"email", "profile", "groups"}, Mapping: mapping, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// code signs in at the provider and returns the code it sends back.
func code(t *testing.T, o *accounts.OIDC, a accounts.Attempt, username, password string) string {
	t.Helper()
	back := oidctest.SignIn(t, oidctest.Browser(), o.AuthURL(a), username, password, callback)
	if back.Query().Get("state") != a.State {
		t.Fatalf("state came back as %q", back.Query().Get("state"))
	}
	return back.Query().Get("code")
}

// TestOIDCSignIn signs in through a real OpenID Connect provider: the code
// flow with PKCE, the ID token verified, the email (from userinfo) and
// groups (from the ID token) read and mapped.
func TestOIDCSignIn(t *testing.T) {
	p := oidctest.Start(t, people, "remit", "client secret", callback)
	o := relyingParty(t, p.Issuer, "remit", nil)
	a := accounts.NewAttempt()
	auth, _ := url.Parse(o.AuthURL(a))
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") != a.Nonce || q.Get("state") != a.State || q.Get("response_type") != "code" {
		t.Fatalf("authorisation request %s", auth.RawQuery)
	}
	id, err := o.Exchange(context.Background(), a, code(t, o, a, "ada", "ada's long password"))
	if err != nil {
		t.Fatal(err)
	}
	if id.Issuer != p.Issuer || id.Subject != "u1" || id.Email != "ada@example.gov.uk" || id.Name != "Ada Lovelace" || !slices.Equal(id.Groups, []string{"remit-admins", "visits"}) {
		t.Errorf("identity %+v", id)
	}
	role, teams, err := o.Mapping().Apply(id.Groups)
	if err != nil || role != remit.RoleAdmin || !slices.Equal(teams, []string{"visits-team"}) {
		t.Errorf("mapped to %s %v %v", role, teams, err)
	}
	// A code is good once, and a made-up one not at all.
	b := accounts.NewAttempt()
	c := code(t, o, b, "ada", "ada's long password")
	if _, err := o.Exchange(context.Background(), b, c); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Exchange(context.Background(), b, c); err == nil {
		t.Error("a code was taken twice")
	}
	if _, err := o.Exchange(context.Background(), b, c+"x"); err == nil {
		t.Error("a made-up code was taken")
	}
}

// TestOIDCRefusals: every way an answer can fail to be this provider's,
// for this client, for this sign-in, now, is refused.
func TestOIDCRefusals(t *testing.T) {
	p := oidctest.Start(t, people, "remit", "client secret", callback)
	other := oidctest.Start(t, people, "remit", "client secret", callback)
	o := relyingParty(t, p.Issuer, "remit", nil)
	ctx := context.Background()

	// A fresh ID token, straight from the provider's token endpoint.
	idToken := func(o *accounts.OIDC) (accounts.Attempt, string) {
		a := accounts.NewAttempt()
		raw, err := accounts.ExchangeRaw(ctx, o, a, code(t, o, a, "ada", "ada's long password"))
		if err != nil {
			t.Fatal(err)
		}
		return a, raw
	}
	a, raw := idToken(o)
	if _, err := o.Verify(ctx, a, raw); err != nil {
		t.Fatalf("the genuine token: %v", err)
	}
	refused := func(name string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", name, err, want)
		}
	}

	parts := strings.Split(raw, ".")
	payload := []byte(parts[1])
	payload[len(payload)/2] ^= 1
	_, err := o.Verify(ctx, a, parts[0]+"."+string(payload)+"."+parts[2])
	refused("tampered payload", err, "not valid")
	_, err = o.Verify(ctx, a, parts[0]+"."+parts[1]+"."+parts[2][:len(parts[2])-4]+"AAAA")
	refused("tampered signature", err, "not valid")

	_, err = o.Verify(ctx, accounts.Attempt{State: a.State, Nonce: "another sign-in's nonce", Verifier: a.Verifier}, raw)
	refused("wrong nonce", err, "nonce")

	_, err = relyingParty(t, p.Issuer, "someone-else", nil).Verify(ctx, a, raw)
	refused("wrong audience", err, "audience")

	oa, otherRaw := idToken(relyingParty(t, other.Issuer, "remit", nil))
	_, err = o.Verify(ctx, oa, otherRaw)
	refused("another provider's token (its issuer and keys)", err, "not valid")

	_, err = relyingParty(t, p.Issuer, "remit", func() time.Time { return time.Now().Add(3 * time.Hour) }).Verify(ctx, a, raw)
	refused("expired", err, "expired")

	// PKCE: the code is worth nothing without the verifier it was asked with.
	b := accounts.NewAttempt()
	c := code(t, o, b, "ada", "ada's long password")
	_, err = o.Exchange(ctx, accounts.Attempt{State: b.State, Nonce: b.Nonce, Verifier: accounts.NewAttempt().Verifier}, c)
	refused("wrong PKCE verifier", err, "refused the code")
}

// TestClaimMapping: the first role whose group matches wins, then the
// default, else a refusal; teams are every match, once, sorted.
func TestClaimMapping(t *testing.T) {
	m := accounts.ClaimMapping{
		Roles: []accounts.GroupRole{{Group: "a", Role: remit.RoleAdmin}, {Group: "e", Role: remit.RoleEditor}},
		Teams: []accounts.GroupTeam{{Group: "t2", Team: "team-b"}, {Group: "t1", Team: "team-a"}, {Group: "t3", Team: "team-a"}},
	}
	for _, c := range []struct {
		groups []string
		dflt   remit.Role
		role   remit.Role
		teams  []string
		err    error
	}{
		{[]string{"e", "a", "t1", "t2", "t3"}, "", remit.RoleAdmin, []string{"team-a", "team-b"}, nil},
		{[]string{"e"}, "", remit.RoleEditor, nil, nil},
		{[]string{"x", "t1"}, "", "", nil, accounts.ErrNoRole},
		{[]string{"x", "t1"}, remit.RoleViewer, remit.RoleViewer, []string{"team-a"}, nil},
		{nil, "", "", nil, accounts.ErrNoRole},
	} {
		m.DefaultRole = c.dflt
		role, teams, err := m.Apply(c.groups)
		if role != c.role || !slices.Equal(teams, c.teams) || !errors.Is(err, c.err) {
			t.Errorf("%v (default %q): %q %v %v", c.groups, c.dflt, role, teams, err)
		}
	}
	for _, bad := range []string{"", "=admin", "g=boss", "g"} {
		if _, err := accounts.ParseGroupRole(bad); err == nil {
			t.Errorf("ParseGroupRole(%q) taken", bad)
		}
	}
	// A group may hold "=" (an LDAP name): the last "=" splits.
	if gr, err := accounts.ParseGroupRole("cn=admins,ou=groups=admin"); err != nil || gr.Group != "cn=admins,ou=groups" || gr.Role != remit.RoleAdmin {
		t.Errorf("ParseGroupRole of an LDAP group: %+v %v", gr, err)
	}
	if gt, err := accounts.ParseGroupTeam("cn=visits,ou=groups=visits-team"); err != nil || gt.Group != "cn=visits,ou=groups" || gt.Team != "visits-team" {
		t.Errorf("ParseGroupTeam of an LDAP group: %+v %v", gt, err)
	}
	if _, err := accounts.ParseGroupTeam("g=not a team"); err == nil {
		t.Error("a team with spaces was taken")
	}
}

// FuzzGroupMapping: the GROUP=ROLE and GROUP=TEAM flag readers never
// panic, and what they accept has a group and a valid role or team.
func FuzzGroupMapping(f *testing.F) {
	for _, s := range []string{"remit-admins=admin", "g=boss", "=admin", "cn=a,ou=b=viewer", "visits=visits-team", "g=no spaces", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if gr, err := accounts.ParseGroupRole(s); err == nil && (gr.Group == "" || !gr.Role.Valid()) {
			t.Fatalf("ParseGroupRole(%q) = %+v", s, gr)
		}
		if gt, err := accounts.ParseGroupTeam(s); err == nil && (gt.Group == "" || !remit.ValidID(gt.Team)) {
			t.Fatalf("ParseGroupTeam(%q) = %+v", s, gt)
		}
	})
}
