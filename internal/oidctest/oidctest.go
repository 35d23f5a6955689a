// Package oidctest runs a real OpenID Connect provider in a test: zitadel's
// OP with its example in-memory storage (a maintained library, not a
// hand-written fake), given users with passwords and groups, and one
// confidential client. Tests sign in through its login form.
package oidctest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is someone the provider knows.
type User struct {
	ID, Username, Password, Email, Name string
	Groups                              []string
}

// Provider is a running OpenID Connect provider.
type Provider struct {
	Issuer string
	server *httptest.Server
	store  *withGroups
}

// SetGroups changes the groups of the user with this id, as an
// administrator of the identity provider would.
func (p *Provider) SetGroups(id string, groups ...string) {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.groups[id] = groups
}

// withGroups adds a "groups" claim to ID tokens and userinfo when the
// "groups" scope is asked for, as Entra ID or Keycloak do when configured.
type withGroups struct {
	*storage.Storage
	mu     sync.Mutex
	groups map[string][]string
}

func (w *withGroups) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := w.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	if slices.Contains(scopes, "groups") {
		w.mu.Lock()
		ui.AppendClaims("groups", w.groups[req.GetSubject()])
		w.mu.Unlock()
	}
	return nil
}

// GetClientByClientID lets the client ask for the "groups" scope.
func (w *withGroups) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := w.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return groupsClient{c}, nil
}

type groupsClient struct{ op.Client }

func (c groupsClient) IsScopeAllowed(scope string) bool {
	return scope == "groups" || c.Client.IsScopeAllowed(scope)
}

// Start runs a provider with these users and one web client (id, secret)
// allowed to redirect to the given URLs. It stops when the test ends.
func Start(t testing.TB, users []User, clientID, secret string, redirects ...string) *Provider {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	type stored struct {
		ID, Username, Password, FirstName, LastName, Email string
		EmailVerified                                      bool
		PreferredLanguage                                  string
	}
	all := map[string]stored{}
	groups := map[string][]string{}
	for _, u := range users {
		first, last, _ := strings.Cut(u.Name, " ")
		all[u.ID] = stored{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: first, LastName: last, Email: u.Email, EmailVerified: true, PreferredLanguage: "en"}
		groups[u.ID] = u.Groups
	}
	data, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	us, err := storage.StoreFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	st := &withGroups{Storage: storage.NewStorageWithClients(us, map[string]*storage.Client{clientID: storage.WebClient(clientID, secret, redirects...)}), groups: groups}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false, op.WithAllowInsecure())
	srv.Start()
	t.Cleanup(srv.Close)
	return &Provider{Issuer: issuer, server: srv, store: st}
}

// Browser is an HTTP client with cookies that stops at redirects, to
// follow a sign-in step by step as a browser would.
func Browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// SignIn follows a sign-in that starts at start (the relying party's
// address, or the provider's authorisation URL): redirects until the
// provider's login form, the form filled in as username/password, then
// redirects until one leads to a URL beginning with stop, which it
// returns without following.
func SignIn(t testing.TB, c *http.Client, start, username, password, stop string) *url.URL {
	t.Helper()
	at := follow(t, c, "GET", start, nil, "/login/username")
	id := at.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no sign-in request at %s", at)
	}
	form := url.Values{"id": {id}, "username": {username}, "password": {password}}
	login := at.Scheme + "://" + at.Host + "/login/username"
	return follow(t, c, "POST", login, form, stop)
}

// follow makes a request and follows redirects until the address reached
// contains until (a path) or starts with it (an absolute URL).
func follow(t testing.TB, c *http.Client, method, u string, form url.Values, until string) *url.URL {
	t.Helper()
	for range 20 {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, u, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 3 {
			if reached(resp.Request.URL, until) {
				return resp.Request.URL
			}
			t.Fatalf("%s %s: %d before reaching %s: %.300s", method, u, resp.StatusCode, until, page)
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if reached(next, until) {
			return next
		}
		method, u, form = "GET", next.String(), nil
	}
	t.Fatalf("too many redirects from %s", u)
	return nil
}

func reached(u *url.URL, until string) bool {
	if strings.HasPrefix(until, "http") {
		return strings.HasPrefix(u.String(), until)
	}
	return strings.Contains(u.Path, until)
}
