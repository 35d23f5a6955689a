package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with this
// serial, and its key, returning the certificate.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "remit test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// serve runs remit serve with args until the test ends, returning the
// address it prints.
func serve(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan struct{})
	var errOut strings.Builder
	go func() {
		defer close(done)
		_ = run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), outW, &errOut)
		outW.Close()
	}()
	t.Cleanup(func() { stop(); <-done })
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("serve: %v: %s", err, errOut.String())
	}
	go io.Copy(io.Discard, outR)
	base := regexp.MustCompile(`https?://[0-9.:]+`).FindString(line)
	if base == "" {
		t.Fatalf("no address in %q", line)
	}
	return base
}

// signInForm signs in with the form and checks the headers every answer
// carries, and the session cookie's flags but for Secure.
func signInForm(t *testing.T, c *http.Client, base string) *http.Response {
	t.Helper()
	resp, err := c.PostForm(base+"/sign-in", url.Values{"email": {"admin@example.gov.uk"}, "password": {"a long admin password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	for k, want := range map[string]string{"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	if c := h.Get("Set-Cookie"); !strings.Contains(c, "; HttpOnly") || !strings.Contains(c, "; SameSite=Lax") || !strings.Contains(c, "Path=/") {
		t.Errorf("session cookie %q", c)
	}
	return resp
}

// TestServeTLS serves HTTPS from a certificate and key: cookies are
// Secure, HSTS is sent, and a renewed certificate is taken up on SIGHUP.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	db, certFile, keyFile := filepath.Join(dir, "remit.db"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, stderr, code := cliIn(t, "a long admin password", "user", "add", "admin@example.gov.uk", "--role", "admin", "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	first := writeCert(t, certFile, keyFile, 1)
	base := serve(t, nil, "--database", db, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serving at %s", base)
	}
	served := func() *x509.Certificate {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	if got := served(); got.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Fatalf("serves serial %v", got.SerialNumber)
	}
	pool := x509.NewCertPool()
	pool.AddCert(first)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp := signInForm(t, c, base)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "; Secure") || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("sign-in over TLS: %d, cookie %q, HSTS %q", resp.StatusCode, resp.Header.Get("Set-Cookie"), resp.Header.Get("Strict-Transport-Security"))
	}

	// Renewed: SIGHUP takes it up without a restart.
	second := writeCert(t, certFile, keyFile, 2)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for served().SerialNumber.Cmp(second.SerialNumber) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload the certificate")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCertificateFollowsFiles: a changed certificate file is taken up at
// the next handshake after the check interval; one that does not load is
// logged and the certificate in use kept.
func TestCertificateFollowsFiles(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, certFile, keyFile, 1)
	var logs strings.Builder
	c, err := newCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	serial := func() int64 {
		got, _ := c.GetCertificate(nil)
		x, _ := x509.ParseCertificate(got.Certificate[0])
		return x.SerialNumber.Int64()
	}
	writeCert(t, certFile, keyFile, 2)
	future := time.Now().Add(time.Minute)
	os.Chtimes(certFile, future, future)
	if serial() != 1 {
		t.Error("reloaded before the check interval")
	}
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
	if serial() != 2 {
		t.Error("a changed certificate was not taken up")
	}
	os.WriteFile(certFile, []byte("not a certificate"), 0o600)
	later := future.Add(time.Minute)
	os.Chtimes(certFile, later, later)
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
	if serial() != 2 || !strings.Contains(logs.String(), "does not load: keeping the one in use") {
		t.Errorf("a broken renewal: serial %d, log %s", serial(), logs.String())
	}
}

// TestServeBehindProxy: with --public-url https://…, a server on loopback
// behind a TLS proxy sets Secure cookies and HSTS.
func TestServeBehindProxy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cliIn(t, "a long admin password", "user", "add", "admin@example.gov.uk", "--role", "admin", "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	for _, c := range []struct {
		public string
		secure bool
	}{{"", false}, {"https://remit.example.gov.uk", true}} {
		base := serve(t, map[string]string{"REMIT_PUBLIC_URL": c.public}, "--database", db, "--trusted-proxy", "127.0.0.1")
		resp := signInForm(t, &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, base)
		secure := strings.Contains(resp.Header.Get("Set-Cookie"), "; Secure")
		hsts := resp.Header.Get("Strict-Transport-Security") != ""
		if resp.StatusCode != http.StatusSeeOther || secure != c.secure || hsts != c.secure {
			t.Errorf("public URL %q: %d, Secure %v, HSTS %v", c.public, resp.StatusCode, secure, hsts)
		}
	}
}

// TestServeFlagsRefused: settings that cannot work are refused before the
// server starts, each naming the flag (exit 2).
func TestServeFlagsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "x.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", "missing.pem", "--tls-key", "missing.key"}, "load the TLS certificate missing.pem"},
		{[]string{"--public-url", "remit.example.gov.uk"}, `--public-url "remit.example.gov.uk" is not the server's public address`},
		{[]string{"--password-sign-in=false"}, "--password-sign-in=false needs single sign-on"},
		{[]string{"--break-glass", "a@example.gov.uk"}, "--break-glass names the one account"},
		{[]string{"--oidc-client-id", "remit"}, "single sign-on needs --oidc-issuer"},
		{[]string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "remit", "--oidc-role", "g=boss"}, `--oidc-role "g=boss" is not GROUP=ROLE`},
		{[]string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "remit", "--public-url", "https://remit.example.gov.uk"}, "needs at least one --oidc-role"},
		{[]string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "remit", "--oidc-role", "g=admin"}, "needs --oidc-redirect-url, or --public-url"},
	} {
		_, stderr, code := cli(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--database", db}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, stderr)
		}
	}
}

// TestUserLifecycleCommands: list, disable, enable, set-role and
// reset-password from the CLI, through the service.
func TestUserLifecycleCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	for _, u := range [][]string{{"admin@example.gov.uk", "admin"}, {"eddie@example.gov.uk", "editor"}} {
		if _, stderr, code := cliIn(t, "a long enough password", "user", "add", u[0], "--role", u[1], "--database", db); code != 0 {
			t.Fatal(stderr)
		}
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "disable", "Eddie@example.gov.uk"}, 0, "eddie@example.gov.uk is disabled (editor)."},
		{[]string{"user", "list"}, 0, "eddie@example.gov.uk  -     editor  -      password       disabled"},
		{[]string{"user", "enable", "eddie@example.gov.uk"}, 0, "eddie@example.gov.uk is enabled (editor)."},
		{[]string{"user", "set-role", "eddie@example.gov.uk", "--role", "assessor", "--team", "visits-team", "--team", "courts"}, 0, "eddie@example.gov.uk is changed (assessor; teams courts, visits-team)."},
		{[]string{"user", "set-role", "eddie@example.gov.uk", "--role", "boss"}, 2, `role "boss" is not known`},
		{[]string{"user", "disable", "admin@example.gov.uk"}, 2, "admin@example.gov.uk is the last one: make someone else an admin first"},
		{[]string{"user", "disable", "nobody@example.gov.uk"}, 2, "nobody@example.gov.uk"},
		{[]string{"user", "reset-password", "eddie@example.gov.uk"}, 0, "New password for eddie@example.gov.uk (pass it on; it is not shown again): "},
		{[]string{"user", "list", "--format", "json"}, 0, `"role": "assessor"`},
	}
	for _, s := range steps {
		out, stderr, code := cli(t, append(s.args, "--database", db)...)
		if code != s.code || !strings.Contains(out+stderr, s.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", s.args, code, s.code, s.want, out, stderr)
		}
	}
}

// cliIn is cli with standard input.
func cliIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut strings.Builder
	err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), exitCode(err, &errOut)
}

// TestVersion: remit version and remit --version say the same, from the
// build information.
func TestVersion(t *testing.T) {
	a, _, code := cli(t, "version")
	b, _, code2 := cli(t, "--version")
	if code != 0 || code2 != 0 || a != b || !strings.HasPrefix(a, "remit ") || !strings.Contains(a, "go1.") {
		t.Errorf("version %q (%d), --version %q (%d)", a, code, b, code2)
	}
}

// TestFirstRun: a server on an empty database says how to make the first
// admin.
func TestFirstRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	outR, outW := io.Pipe()
	go func() {
		_ = run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database", db}, func(string) string { return "" }, strings.NewReader(""), outW, io.Discard)
		outW.Close()
	}()
	r := bufio.NewReader(outR)
	var got strings.Builder
	for range 4 {
		line, err := r.ReadString('\n')
		got.WriteString(line)
		if err != nil {
			break
		}
	}
	go io.Copy(io.Discard, outR)
	if !strings.Contains(got.String(), "No accounts yet. Create the first admin with:\n  remit user add you@example.gov.uk --role admin --database "+db) {
		t.Errorf("first run printed:\n%s", got.String())
	}
}

// TestChecksIngest: remit checks ingest keeps a run and prints each mapped
// control's verdict; bad usage, a file that is not its format, and a run
// that maps to nothing are refused (exit 2) and keep nothing; the trail
// still verifies.
func TestChecksIngest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := cli(t, "checks", "ingest", "../../internal/checks/testdata/checkov.sarif", "--format", "sarif", "--system", "prison-visits", "--database", db)
	if code != 0 || !strings.Contains(out, "of Checkov for prison-visits: 4 results (1 pass, 2 fail, 1 skip; 0 on rules no mapping names).") ||
		!regexp.MustCompile(`srm:SRM-09\s+failed\s+CKV_AWS_24, CKV_AWS_25\s+CKV_AWS_24: network/bastion.tf:12; CKV_AWS_25: network/bastion.tf:12`).MatchString(out) ||
		!regexp.MustCompile(`srm:SRM-14\s+passed\s+CKV_AWS_19\s+-`).MatchString(out) {
		t.Fatalf("ingest: %d\n%s%s", code, out, stderr)
	}
	// Without --system: Prowler's account is prison-visits' (examples/justice/checks/estate.yaml).
	out, stderr, code = cli(t, "checks", "ingest", "../../internal/checks/testdata/prowler.ocsf.json", "--format", "ocsf", "--database", db)
	if code != 0 || !strings.Contains(out, "of Prowler for prison-visits: 3 results (1 pass, 1 fail, 1 skip; 0 on rules no mapping names).") ||
		!regexp.MustCompile(`srm:SRM-09\s+failed\s+ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22`).MatchString(out) {
		t.Fatalf("ingest by account: %d\n%s%s", code, out, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"../../internal/checks/testdata/checkov.sarif", "--format", "csv", "--system", "prison-visits"}, `--format "csv" is not known`},
		{[]string{"../../internal/checks/testdata/checkov.sarif", "--format", "junit", "--system", "prison-visits"}, "checkov.sarif: junit: there is no <testsuites> or <testsuite>"},
		{[]string{"../../internal/checks/testdata/conftest.junit.xml", "--format", "junit", "--system", "prison-visits"}, "is mapped to a control, so they could assure nothing"},
		{[]string{"../../internal/checks/testdata/checkov.sarif", "--format", "sarif", "--system", "no-such-system"}, `there is no system "no-such-system"`},
	} {
		_, stderr, code := cli(t, append(append([]string{"checks", "ingest"}, c.args...), "--database", db)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, stderr)
		}
	}
	if out, stderr, code := cli(t, "audit", "verify", "--database", db); code != 0 {
		t.Errorf("verify: %s%s", out, stderr)
	}
}
