package main

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeFile reads deploy/compose.yaml back (Docker is not on this
// machine to run it): two Remit servers on one PostgreSQL behind the
// proxy, each waiting for the database to be healthy, with every secret
// and file it names present.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Build       string            `yaml:"build"`
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Secrets     []string          `yaml:"secrets"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   yaml.Node         `yaml:"depends_on"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
		} `yaml:"services"`
		Secrets map[string]struct {
			File string `yaml:"file"`
		} `yaml:"secrets"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, name := range []string{"remit-1", "remit-2"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if s.Build != ".." || s.Environment["REMIT_DATABASE_URL"] != "postgres://remit@postgres:5432/remit?sslmode=disable" ||
			!strings.HasPrefix(s.Environment["REMIT_PUBLIC_URL"], "https://") || !slices.Contains(s.Command, "--trusted-proxy") || s.Command[0] != "serve" {
			t.Errorf("%s: %+v", name, s)
		}
		var deps map[string]map[string]string
		if err := s.DependsOn.Decode(&deps); err != nil || deps["postgres"]["condition"] != "service_healthy" {
			t.Errorf("%s does not wait for a healthy database: %v", name, err)
		}
		for _, sec := range s.Secrets {
			if _, ok := c.Secrets[sec]; !ok {
				t.Errorf("%s uses secret %s, which is not declared", name, sec)
			}
		}
	}
	if c.Services["postgres"].Healthcheck == nil {
		t.Error("postgres has no health check")
	}
	caddy, err := os.ReadFile("../../deploy/Caddyfile")
	if err != nil || !slices.Contains(c.Services["proxy"].Volumes, "./Caddyfile:/etc/caddy/Caddyfile:ro") {
		t.Fatalf("the proxy's Caddyfile: %v", err)
	}
	for _, want := range []string{"reverse_proxy remit-1:8080 remit-2:8080", "health_uri /readyz"} {
		if !strings.Contains(string(caddy), want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
}

// TestImageBinary builds the binary as the Dockerfile does (static, no
// cgo) and checks what the image relies on: no dynamic loader, the
// assets embedded, and remit health for HEALTHCHECK. The Dockerfile's
// final stage runs it as a non-root user.
func TestImageBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	docker, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	build := regexp.MustCompile(`RUN (CGO_ENABLED=0 go build [^&]+) -o /out/remit \./cmd/remit`).FindStringSubmatch(string(docker))
	if build == nil {
		t.Fatal("the Dockerfile's go build line is not found")
	}
	for _, want := range []string{"USER 65532:65532", `HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/remit", "health", "--url", "http://127.0.0.1:8080/healthz"]`, `CMD ["serve", "--addr", "0.0.0.0:8080"]`} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	bin := filepath.Join(t.TempDir(), "remit")
	fields := strings.Fields(strings.TrimPrefix(build[1], "CGO_ENABLED=0 "))
	cmd := exec.Command(fields[0], append(fields[1:], "-o", bin, "./cmd/remit")...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary needs a dynamic loader: it would not run on distroless/static")
		}
	}
	f.Close()

	db := filepath.Join(t.TempDir(), "remit.db")
	srv := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database", db)
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	line, _ := bufio.NewReader(out).ReadString('\n')
	base := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	if base == "" {
		t.Fatalf("no address in %q", line)
	}
	if got, err := exec.Command(bin, "health", "--url", base+"/healthz").CombinedOutput(); err != nil || !strings.Contains(string(got), "ok") {
		t.Errorf("health of a running server: %v %s", err, got)
	}
	asset, err := exec.Command(bin, "health", "--url", base+"/assets/govuk-frontend.min.css").CombinedOutput()
	if err != nil {
		t.Errorf("the GOV.UK stylesheet is not embedded: %v %s", err, asset)
	}
	err = exec.Command(bin, "health", "--url", "http://127.0.0.1:1/healthz").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("health of nothing: %v, want exit 1", err)
	}
}

// TestSystemdUnit reads deploy/remit.service: it runs remit serve as its
// own user, reloads the certificate with SIGHUP, and is sandboxed.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile("../../deploy/remit.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			unit[k] = v
		}
	}
	for k, want := range map[string]string{"User": "remit", "ExecReload": "/bin/kill -HUP $MAINPID", "NoNewPrivileges": "true", "ProtectSystem": "strict", "CapabilityBoundingSet": ""} {
		if got, ok := unit[k]; !ok || got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(unit["ExecStart"], "/usr/local/bin/remit serve ") {
		t.Errorf("ExecStart=%s", unit["ExecStart"])
	}
}
