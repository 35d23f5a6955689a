package web

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/oidctest"
	"remit/internal/remit"
)

// TestBrowser runs the browser suite (e2e/journeys.mjs) in a real
// Chromium against a server over a real SQLite store holding the example
// estate: the main journeys, axe on every page, and a screenshot of each
// in e2e/screenshots. It needs node, the npm packages (make assets) and
// Chromium; without them it skips, unless REMIT_TEST_BROWSER=1 (as CI
// sets), when their absence fails the test.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser suite is not short")
	}
	required := os.Getenv("REMIT_TEST_BROWSER") == "1"
	missing := func(what string) {
		if required {
			t.Fatalf("REMIT_TEST_BROWSER=1 but %s", what)
		}
		t.Skipf("skipping the browser suite: %s", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium is not at " + chromium + " (apt-get install chromium, or set CHROMIUM)")
	}
	root, _ := filepath.Abs("../..")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		missing("the npm packages are not installed (make assets)")
	}
	f := newFixture(t)
	// Sessions last from the real time, so the browser keeps its cookie.
	f.setNow(time.Now().UTC())
	shots := filepath.Join(root, "e2e", "screenshots")
	_ = os.RemoveAll(shots)
	// A guard against a hung browser, not a measure: under the race
	// detector on two cores the journeys take a few minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	url := f.server.URL
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(root, "e2e", "journeys.mjs")}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "REMIT_URL="+url, "REMIT_PASSWORD="+password, "SCREENSHOTS="+shots, "CHROMIUM="+chromium)
		out, err := cmd.CombinedOutput()
		t.Logf("browser suite %v:\n%s", args, out)
		if err != nil {
			t.Fatalf("the browser suite %v did not pass (%v); the screenshots are in %s", args, err, shots)
		}
	}
	run()
	// Once through the organisation's identity provider, on a server of
	// its own over the same service (the first one's handler stays as it
	// is while its connections close).
	sso := httptest.NewUnstartedServer(nil)
	url = "http://" + sso.Listener.Addr().String()
	back := url + "/sign-in/oidc/callback"
	idp := oidctest.Start(t, []oidctest.User{{ID: "u1", Username: "ada", Password: "ada's long password", Email: "ada@example.gov.uk", Name: "Ada Lovelace", Groups: []string{"remit-viewers"}}},
		"remit", "client secret", back)
	o, err := accounts.NewOIDC(ctx, accounts.OIDCConfig{Issuer: idp.Issuer, ClientID: "remit", ClientSecret: "client secret", RedirectURL: back,
		Scopes: []string{"email", "profile", "groups"}, Name: "the Test Provider",
		Mapping: accounts.ClaimMapping{Roles: []accounts.GroupRole{{Group: "remit-viewers", Role: remit.RoleViewer}}}})
	if err != nil {
		t.Fatal(err)
	}
	sso.Config.Handler = NewServer(Config{Service: f.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), OIDC: o})
	sso.Start()
	defer sso.Close()
	t.Setenv("SSO_USER", "ada")
	t.Setenv("SSO_PASSWORD", "ada's long password")
	run("sso")
	url = f.server.URL
	// Two years on, the acceptances the journeys recorded have expired.
	f.setNow(time.Now().UTC().AddDate(2, 0, 0))
	run("expiry")
}
