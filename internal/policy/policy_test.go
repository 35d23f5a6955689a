package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"remit/internal/checks"
)

func check(t *testing.T, opts Options, files []string, namespaces []string, all bool) []Outcome {
	t.Helper()
	e, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []Input
	for _, f := range files {
		in, err := ReadInput(f, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	out, err := e.Check(context.Background(), inputs, namespaces, all)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// canonical sorts outcomes and their messages, and round-trips them
// through JSON, so that conftest's output (in map order) and Remit's
// compare.
func canonical(t *testing.T, data []byte) []Outcome {
	t.Helper()
	var os []Outcome
	if err := json.Unmarshal(data, &os); err != nil {
		t.Fatal(err)
	}
	for i := range os {
		for _, rs := range [][]Result{os[i].Failures, os[i].Warnings, os[i].Exceptions} {
			slices.SortFunc(rs, func(a, b Result) int { return strings.Compare(a.Msg, b.Msg) })
		}
	}
	slices.SortFunc(os, func(a, b Outcome) int {
		return strings.Compare(a.File+"|"+a.Namespace, b.File+"|"+b.Namespace)
	})
	return os
}

// TestConftestCompatible: on the same policies and inputs, Remit's JSON
// output is conftest's (testdata/conftest, made by conftest v0.71.1):
// the same failures, warnings and exceptions with the same metadata, and
// the same counts of successes — for Kubernetes manifests in the default
// namespace with --data, exceptions, an object-valued violation and
// data.conftest.file, and for a Terraform plan and an
// aws ec2 describe-security-groups answer across all namespaces.
func TestConftestCompatible(t *testing.T) {
	for _, c := range []struct {
		name   string
		dir    string
		opts   Options
		files  []string
		all    bool
		golden string
	}{
		{"kubernetes", "testdata", Options{Policies: []string{"policy"}, Data: []string{"data"}}, []string{"input/manifests.yaml", "input/clean.yaml"}, false, "testdata/conftest/k8s.json"},
		{"aws", "../../examples/policy", Options{Policies: []string{"policy"}}, []string{"input/plan.json", "input/security-groups.json"}, true, "testdata/conftest/aws.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := os.ReadFile(c.golden)
			if err != nil {
				t.Fatal(err)
			}
			t.Chdir(c.dir)
			out := check(t, c.opts, c.files, nil, c.all)
			var buf bytes.Buffer
			if err := Write(&buf, "json", out, "test"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(canonical(t, want), canonical(t, buf.Bytes())); diff != "" {
				t.Errorf("Remit's output against conftest's (-conftest +remit):\n%s", diff)
			}
			// The summary line too.
			buf.Reset()
			if err := Write(&buf, "stdout", out, "test"); err != nil {
				t.Fatal(err)
			}
			summary := map[string]string{"kubernetes": "20 tests, 15 passed, 1 warning, 3 failures, 1 exception", "aws": "12 tests, 8 passed, 1 warning, 3 failures, 0 exceptions"}[c.name]
			if !strings.HasSuffix(buf.String(), "\n"+summary+"\n") {
				t.Errorf("stdout:\n%s\nwant the summary %q", buf.String(), summary)
			}
		})
	}
}

// TestNamespacesAndCombine: only main runs unless namespaces are named or
// all are asked for; --combine gives one input listing every file's path
// and contents; the rules of a Rego v0 policy run with RegoVersion v0.
func TestNamespacesAndCombine(t *testing.T) {
	t.Chdir("../../examples/policy")
	opts := Options{Policies: []string{"policy"}}
	if out := check(t, opts, []string{"input/plan.json"}, nil, false); len(out) != 1 || out[0].Namespace != "main" || out[0].Successes != 0 || len(out[0].Failures) != 0 {
		t.Errorf("the default namespace main, which the example has not: %+v", out)
	}
	out := check(t, opts, []string{"input/plan.json"}, []string{"aws.encryption"}, false)
	if len(out) != 1 || out[0].Namespace != "aws.encryption" || out[0].Successes != 2 {
		t.Errorf("one named namespace: %+v", out)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "combined.rego"), []byte(`package main

deny contains msg if {
	count(input) != 2
	msg := "want two files"
}

deny contains msg if {
	some f in input
	f.path == "input/plan.json"
	count(f.contents.resource_changes) != 5
	msg := sprintf("%s has %d changes", [f.path, count(f.contents.resource_changes)])
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "old.rego"), []byte("package old\n\ndeny[msg] {\n  input.SecurityGroups\n  msg := \"v0 syntax\"\n}\n"), 0o644)
	e, err := Load(context.Background(), Options{Policies: []string{filepath.Join(dir, "combined.rego")}})
	if err != nil {
		t.Fatal(err)
	}
	var inputs []Input
	for _, f := range []string{"input/plan.json", "input/security-groups.json"} {
		in, err := ReadInput(f, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	out, err = e.Check(context.Background(), []Input{Combine(inputs)}, nil, false)
	if err != nil || len(out) != 1 || out[0].File != "Combined" || len(out[0].Failures) != 0 || out[0].Successes != 2 {
		t.Errorf("combined: %+v %v", out, err)
	}
	if _, err := Load(context.Background(), Options{Policies: []string{filepath.Join(dir, "old.rego")}}); err == nil || !strings.Contains(err.Error(), "old.rego:3") {
		t.Errorf("v0 syntax read as v1: %v", err)
	}
	if out := check(t, Options{Policies: []string{filepath.Join(dir, "old.rego")}, RegoVersion: "v0"}, []string{"input/security-groups.json"}, []string{"old"}, false); len(out) != 1 || len(out[0].Failures) != 1 || out[0].Failures[0].Msg != "v0 syntax" {
		t.Errorf("v0: %+v", out)
	}
}

// TestBadPolicyAndInput: what cannot be used is refused naming the file
// and line (and column, for JSON).
func TestBadPolicyAndInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Policies: []string{write("syntax.rego", "package main\n\ndeny contains msg if {\n  msg := \n}\n")}}, "syntax.rego:5: rego_parse_error"},
		{Options{Policies: []string{write("undefined.rego", "package main\n\ndeny contains msg if {\n  msg := nothing_here(1)\n}\n")}}, "undefined.rego:4"},
		{Options{Policies: []string{filepath.Join(dir, "missing")}}, "missing: cannot be read: no such file or directory"},
		{Options{Policies: []string{write("empty.txt", "")}}, "holds no Rego policies"},
		{Options{Policies: []string{write("ok.rego", "package main\n")}, RegoVersion: "v2"}, `Rego version "v2" is not known`},
	} {
		_, err := Load(context.Background(), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.opts, err, c.want)
		}
	}
	for _, c := range []struct{ name, text, want string }{
		{"broken.json", "{\n  \"a\": [1, 2,\n}", "broken.json: 3:1: not valid JSON"},
		{"two.json", "{} {}", "two.json: 1:4: not valid JSON: more than one JSON value"},
		{"short.json", "{\"a\": ", "short.json: 1:7: not valid JSON: the file ends too soon"},
		{"bad.yaml", "a: [1\nb: 2\n", "bad.yaml: not valid YAML: line 1"},
		{"empty.yaml", "# nothing\n", "empty.yaml: holds no documents"},
	} {
		_, err := ReadInput(write(c.name, c.text), "", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestOutputs: JUnit and SARIF come out as their readers take them, so a
// run's output can be handed in; and Run turns outcomes into results as
// conftest's JUnit reads (failures fail, warnings decide nothing).
func TestOutputs(t *testing.T) {
	t.Chdir("../../examples/policy")
	out := check(t, Options{Policies: []string{"policy"}}, []string{"input/plan.json", "input/security-groups.json"}, nil, true)
	var buf bytes.Buffer
	if err := Write(&buf, "junit", out, "test"); err != nil {
		t.Fatal(err)
	}
	junit, err := checks.Read(checks.JUnit, &buf)
	if err != nil {
		t.Fatal(err)
	}
	conftestJUnit, err := os.Open("../../internal/policy/testdata/conftest/aws.junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer conftestJUnit.Close()
	theirs, err := checks.Read(checks.JUnit, conftestJUnit)
	if err != nil {
		t.Fatal(err)
	}
	count := func(r checks.Run) [3]int { p, f, s := r.Counts(); return [3]int{p, f, s} }
	if junit.Tool != "conftest" || theirs.Tool != "conftest" || count(junit) != count(theirs) {
		t.Errorf("JUnit: ours %s %v, conftest's %s %v", junit.Tool, count(junit), theirs.Tool, count(theirs))
	}
	buf.Reset()
	if err := Write(&buf, "sarif", out, "test"); err != nil {
		t.Fatal(err)
	}
	sarif, err := checks.Read(checks.SARIF, &buf)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string][]checks.Outcome{}
	for _, r := range sarif.Results {
		outcomes[r.Rule+" "+r.Resource] = append(outcomes[r.Rule+" "+r.Resource], r.Outcome)
	}
	want := map[string][]checks.Outcome{
		"aws.encryption/deny input/plan.json":                 {checks.Pass},
		"aws.encryption/deny input/security-groups.json":      {checks.Pass},
		"aws.security_groups/deny input/plan.json":            {checks.Fail, checks.Fail},
		"aws.security_groups/deny input/security-groups.json": {checks.Fail},
		"aws.security_groups/warn input/security-groups.json": {checks.Fail},
	}
	if diff := cmp.Diff(want, outcomes); diff != "" {
		t.Errorf("SARIF read back (-want +got):\n%s", diff)
	}
	buf.Reset()
	if err := Write(&buf, "table", out, "test"); err != nil || !regexp.MustCompile(`(?m)^failure +input/plan.json +aws.security_groups +aws_security_group.bastion allows port 22 from 0.0.0.0/0$`).MatchString(buf.String()) {
		t.Errorf("table: %v\n%s", err, buf.String())
	}
	if err := Write(&buf, "tap", out, "test"); err == nil {
		t.Error("an unknown output was taken")
	}

	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	run := Run(out, now)
	pass, fail, skip := run.Counts()
	if run.Tool != "conftest" || pass != 8 || fail != 3 || skip != 1 {
		t.Errorf("run: %s %d %d %d", run.Tool, pass, fail, skip)
	}
	if r := run.Results[0]; r.Rule != "conftest.aws.encryption" || r.Outcome != checks.Pass || !r.Observed.Equal(now) {
		t.Errorf("first result %+v", r)
	}
}

// FuzzJSONToValue: the JSON parser takes exactly what encoding/json takes
// and gives the same value OPA would make of it.
func FuzzJSONToValue(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5, -0.1e3, "x\u00e9\n"], "b": {"c": null, "d": true, "e": false}}`, `[]`, `""`, `{"a":1,"a":2}`, `1e400`, `"\ud800"`, "\"\xff\"", `01`, `[1,]`, `{"a" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := jsonToValue(data)
		valid := json.Valid(data)
		var v any
		if valid {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
		want, werr := ast.InterfaceToValue(v)
		if werr != nil {
			valid = false // OPA refuses it too: a number too big
		}
		if (err == nil) != valid {
			t.Fatalf("%q: ours %v, encoding/json says valid %v", data, err, valid)
		}
		if err != nil {
			return
		}
		if got.Compare(want) != 0 {
			t.Fatalf("%q: ours %v, want %v", data, got, want)
		}
	})
}

// FuzzParseInput: no input file panics the parsers, and what they accept
// has at least one document.
func FuzzParseInput(f *testing.F) {
	f.Add("a.yaml", []byte("kind: Deployment\n---\nkind: Service\nspec: {type: LoadBalancer}\n"))
	f.Add("a.json", []byte(`{"resource_changes": []}`))
	f.Add("a.txt", []byte("a: 1\n"))
	f.Add("b.yaml", []byte("? [a]\n: 1\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		in, err := ParseInput(name, "", data)
		if err == nil && len(in.Docs) == 0 {
			t.Fatalf("%s %q: accepted with no documents", name, data)
		}
	})
}
