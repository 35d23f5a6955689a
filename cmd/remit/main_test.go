package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

const example = "../../examples/justice"

// cli runs the program as main would and returns its output and exit code.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

// cliEnv is cli with environment variables set.
func cliEnv(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestGolden runs every command and output format on the example estate.
func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
		code   int
	}{
		{"validate.txt", []string{"validate", example}, 0},
		{"validate-strict.txt", []string{"validate", "--strict", example}, 1},
		{"matrix-prison-visits.txt", []string{"matrix", example, "--system", "prison-visits"}, 0},
		{"matrix-prison-visits.csv", []string{"matrix", example, "--system", "prison-visits", "--format", "csv"}, 0},
		{"matrix-prison-visits.json", []string{"matrix", example, "--system", "prison-visits", "--format", "json"}, 0},
		{"matrix-prison-visits.md", []string{"matrix", example, "--system", "prison-visits", "--format", "markdown"}, 0},
		{"matrix-delivery-pipelines-inherited.json", []string{"matrix", example, "--system", "delivery-pipelines", "--class", "inherited", "--format", "json"}, 0},
		{"matrix-legacy-fines.txt", []string{"matrix", example, "--system", "legacy-fines"}, 0},
		{"obligations.txt", []string{"obligations", example}, 0},
		{"obligations.csv", []string{"obligations", example, "--format", "csv"}, 0},
		{"obligations.json", []string{"obligations", example, "--format", "json"}, 0},
		{"obligations.md", []string{"obligations", example, "--format", "markdown"}, 0},
		{"obligations-providers-court-case-tracking.txt", []string{"obligations", example, "--system", "court-case-tracking", "--party", "providers"}, 0},
		{"explain-fourth-party.txt", []string{"explain", example, "--system", "delivery-pipelines", "--control", "srm:SRM-01"}, 0},
		{"explain-assumed.txt", []string{"explain", example, "--system", "court-case-tracking", "--control", "srm:SRM-04"}, 0},
		{"explain-no-offering.txt", []string{"explain", example, "--system", "legacy-fines", "--control", "srm:SRM-09"}, 0},
		{"explain-not-applicable.txt", []string{"explain", example, "--system", "prison-visits", "--control", "srm:SRM-27"}, 0},
		{"explain-shared.json", []string{"explain", example, "--system", "prison-visits", "--control", "srm:SRM-03", "--format", "json"}, 0},
		{"graph.txt", []string{"graph", example}, 0},
		{"graph.dot", []string{"graph", example, "--format", "dot"}, 0},
		{"graph.json", []string{"graph", example, "--format", "json"}, 0},
		{"diff-same.txt", []string{"diff", example, example, "--exit-code"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, code := cli(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			golden(t, tt.golden, stdout)
		})
	}
}

// copyDir copies the example estate so a test can change it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDiff changes a provider's model and a system's offerings in a copy
// of the example estate and checks what diff reports.
func TestDiff(t *testing.T) {
	dir := copyDir(t, example)
	// The supplier now says it handles encryption in transit entirely.
	edit(t, filepath.Join(dir, "providers", "casetrack.yaml"),
		"        class: shared\n        provider: CaseTrack serves the web application and API over TLS 1.2 or later only.\n        customer: Make sure our integrations with the CaseTrack API use TLS 1.2 or later and validate certificates.\n",
		"        class: inherited\n        provider: CaseTrack serves the web application and API over TLS 1.2 or later only, and runs every integration for us.\n")
	// The legal aid portal stops running its own virtual machines.
	edit(t, filepath.Join(dir, "systems", "legal-aid-portal.yaml"), "  - offering: microsoft/azure-virtual-machines\n", "  - offering: aws/lambda\n")

	stdout, stderr, code := cli(t, "diff", example, dir, "--exit-code")
	if code != 1 {
		t.Fatalf("diff --exit-code with changes exited %d, want 1; stderr:\n%s", code, stderr)
	}
	golden(t, "diff.txt", stdout)
	stdout, _, code = cli(t, "diff", example, dir, "--format", "json")
	if code != 0 {
		t.Fatalf("diff without --exit-code exited %d, want 0", code)
	}
	golden(t, "diff.json", stdout)
}

// TestBadInput checks that bad usage and bad input exit 2 with a message
// that says what was wrong and what would be right.
func TestBadInput(t *testing.T) {
	broken := copyDir(t, example)
	edit(t, filepath.Join(broken, "systems", "prison-visits.yaml"), "offering: aws/ec2", "offering: aws/ec3")
	edit(t, filepath.Join(broken, "providers", "casetrack.yaml"), "service_model: saas", "service_model: sass")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown command", []string{"matrx"}, "remit: unknown command \"matrx\" for \"remit\"\n\nDid you mean this?\n\tmatrix\n\nRun 'remit help' for usage.\n"},
		{"missing argument", []string{"matrix", "--system", "x"}, "remit: remit matrix: accepts 1 arg(s), received 0\nRun 'remit help' for usage.\n"},
		{"unknown flag", []string{"matrix", example, "--sytem", "x"}, "remit: unknown flag: --sytem\nRun 'remit help' for usage.\n"},
		{"missing system", []string{"matrix", example}, "remit: --system is required: name a system id\nRun 'remit help' for usage.\n"},
		{"unknown system", []string{"matrix", example, "--system", "prison-visit"}, "remit: no system \"prison-visit\" in the workspace (did you mean \"prison-visits\"?); systems are court-case-tracking, delivery-pipelines, hearing-transcription, legacy-fines, legal-aid-portal, prison-visits, probation-partner-collaboration, staff-intranet\nRun 'remit help' for usage.\n"},
		{"bad format", []string{"matrix", example, "--system", "prison-visits", "--format", "xml"}, "remit: --format \"xml\" is not known: use one of table, csv, json, markdown\nRun 'remit help' for usage.\n"},
		{"bad class", []string{"matrix", example, "--system", "prison-visits", "--class", "mine"}, "remit: --class \"mine\" is not a class: use one of inherited, shared, organisation-specific, not-applicable\nRun 'remit help' for usage.\n"},
		{"bad party", []string{"obligations", example, "--party", "theirs"}, "remit: --party \"theirs\" is not known: use ours or providers\nRun 'remit help' for usage.\n"},
		{"control not in baseline", []string{"explain", example, "--system", "prison-visits", "--control", "srm:SRM-1"}, "remit: control \"srm:SRM-1\" is not in the baseline of system \"prison-visits\" (did you mean \"srm:SRM-01\"?)\nRun 'remit help' for usage.\n"},
		{"missing workspace", []string{"validate", "no-such-folder"}, "no-such-folder: no such folder: give the folder that holds remit.yaml\nremit: 1 problem(s); nothing was written\n"},
		{"invalid workspace", []string{"validate", broken}, broken + "/providers/casetrack.yaml:6:20: service_model \"sass\" is not known: use one of \"iaas\", \"paas\", \"saas\", \"managed-service\", \"on-premises\" (did you mean \"saas\"?)\n" +
			broken + "/systems/prison-visits.yaml:13:15: offering \"aws/ec3\" is not a known offering: write provider/offering (did you mean \"aws/ec2\"?)\nremit: 2 problem(s); nothing was written\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := cli(t, tt.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("printed to stdout on bad input:\n%s", stdout)
			}
			if diff := cmp.Diff(tt.stderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "estate")
	stdout, stderr, code := cli(t, "init", dir)
	if code != 0 {
		t.Fatalf("init exited %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "Created workspace "+dir) {
		t.Errorf("init said %q", stdout)
	}
	// The starter workspace is valid and computes a matrix.
	stdout, stderr, code = cli(t, "validate", dir)
	if code != 0 {
		t.Fatalf("validate of a fresh workspace exited %d:\n%s", code, stderr)
	}
	if want := dir + ": valid — 2 catalogues (42 controls), 5 providers (10 offerings, 277 statements), 1 systems\n"; stdout != want {
		t.Errorf("validate said %q, want %q", stdout, want)
	}
	if _, stderr, code := cli(t, "matrix", dir, "--system", "example", "--format", "json"); code != 0 {
		t.Fatalf("matrix on a fresh workspace exited %d: %s", code, stderr)
	}
	// A second init into the same folder writes nothing.
	before, _ := os.ReadFile(filepath.Join(dir, "remit.yaml"))
	_, stderr, code = cli(t, "init", dir)
	if code != 2 || !strings.Contains(stderr, "is not empty") {
		t.Errorf("init into a non-empty folder: exit %d, stderr %q; want 2 and 'is not empty'", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "remit.yaml"))
	if !bytes.Equal(before, after) {
		t.Error("init into a non-empty folder changed remit.yaml")
	}
}

func TestGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	if out, stderr, code := cli(t, "generate", dir, "--shape", "S"); code != 0 || out != "Wrote the S estate to "+dir+".\n" {
		t.Fatalf("generate: %d %q %q", code, out, stderr)
	}
	out, stderr, code := cli(t, "validate", dir)
	if want := dir + ": valid — 1 catalogues (1200 controls), 30 providers (150 offerings, 45000 statements), 300 systems\n"; code != 0 || out != want {
		t.Errorf("validate the S estate: %d %q %q, want %q", code, out, stderr, want)
	}
	if _, stderr, code := cli(t, "generate", filepath.Join(t.TempDir(), "x"), "--shape", "XL"); code != 2 || !strings.Contains(stderr, `--shape "XL" is not known: use S, M or L`) {
		t.Errorf("bad shape: %d %q", code, stderr)
	}
}

// testAdmin is who the tests act as when they set a database up.
var testAdmin = remit.Principal{Email: "test", Role: remit.RoleAdmin}

// openService opens a service over the SQLite database at db, for a test
// to set things up as a user would; close it before the CLI runs.
func openService(t *testing.T, db string) (*service.Service, func()) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.Open(context.Background(), service.Config{Store: s, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives()})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return svc, func() { s.Close() }
}
