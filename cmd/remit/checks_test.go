package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const policyExample = "../../examples/policy"

// TestChecksRun: remit checks run answers as conftest does — its lines
// and summary, exit 1 on failures, 2 on failures and 1 on warnings alone
// with --fail-on-warn, 0 when clean — writes each output format, refuses
// a bad policy or input naming where (exit 2), and with --ingest hands
// the results in for the system, failing its network access control.
func TestChecksRun(t *testing.T) {
	p := filepath.Join(policyExample, "policy")
	plan, groups := filepath.Join(policyExample, "input", "plan.json"), filepath.Join(policyExample, "input", "security-groups.json")
	out, stderr, code := cli(t, "checks", "run", "--all-namespaces", "-p", p, plan, groups)
	want := "FAIL - " + plan + " - aws.security_groups - aws_security_group.bastion allows port 22 from 0.0.0.0/0\n" +
		"FAIL - " + plan + " - aws.security_groups - aws_vpc_security_group_ingress_rule.admin_v6 allows port 3389 from ::/0\n" +
		"WARN - " + groups + " - aws.security_groups - sg-0a1b2c3d (visits-bastion) allows ports 443-443 from anywhere\n" +
		"FAIL - " + groups + " - aws.security_groups - sg-0a1b2c3d (visits-bastion) allows port 22 from 0.0.0.0/0\n" +
		"\n12 tests, 8 passed, 1 warning, 3 failures, 0 exceptions\n"
	if code != 1 || out != want || stderr != "remit: 3 policy failure(s)\n" {
		t.Errorf("run: exit %d\n%s\nwant\n%s%s", code, out, want, stderr)
	}
	if _, _, code := cli(t, "checks", "run", "--all-namespaces", "--fail-on-warn", "-p", p, plan); code != 2 {
		t.Errorf("--fail-on-warn with failures: exit %d, want 2", code)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "warn.rego"), []byte("package main\n\nwarn contains \"look\" if input.SecurityGroups\n"), 0o644)
	if _, _, code := cli(t, "checks", "run", "-p", dir, groups); code != 0 {
		t.Errorf("warnings alone: exit %d, want 0", code)
	}
	if _, _, code := cli(t, "checks", "run", "--fail-on-warn", "-p", dir, groups); code != 1 {
		t.Errorf("warnings alone with --fail-on-warn: exit %d, want 1", code)
	}
	if out, _, code := cli(t, "checks", "run", "-p", p, "-n", "aws.encryption", plan); code != 0 || !strings.HasSuffix(out, "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions\n") {
		t.Errorf("clean: exit %d\n%s", code, out)
	}
	// A folder of inputs is read in name order.
	if out, _, _ := cli(t, "checks", "run", "--all-namespaces", "-p", p, filepath.Join(policyExample, "input")); !strings.HasSuffix(out, "12 tests, 8 passed, 1 warning, 3 failures, 0 exceptions\n") {
		t.Errorf("a folder: %s", out)
	}
	for format, pattern := range map[string]string{
		"json":  `"namespace": "aws.security_groups"`,
		"junit": `<testsuite name="conftest.aws.security_groups" tests="8" failures="4"`,
		"sarif": `"ruleId": "aws.security_groups/deny"`,
		"table": `failure +` + regexp.QuoteMeta(plan) + ` +aws.security_groups`,
	} {
		if out, _, code := cli(t, "checks", "run", "--all-namespaces", "-p", p, "-o", format, plan, groups); code != 1 || !regexp.MustCompile(pattern).MatchString(out) {
			t.Errorf("-o %s: exit %d\n%.600s", format, code, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package main\n\ndeny contains msg if {\n  msg := \n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{\n  \"a\": 1,\n}\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", filepath.Join(dir, "bad.rego"), plan}, "bad.rego:5: rego_parse_error"},
		{[]string{"-p", p, filepath.Join(dir, "bad.json")}, "bad.json: 3:1: not valid JSON"},
		{[]string{"-p", p, filepath.Join(dir, "none.json")}, "none.json: cannot be read: no such file or directory"},
		{[]string{"-p", p, "-o", "tap", plan}, `--output "tap" is not known`},
		{[]string{"-p", p, "--ingest", plan}, "--ingest needs --system"},
	} {
		_, stderr, code := cli(t, append([]string{"checks", "run"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, stderr)
		}
	}

	// --ingest: conftest.aws.security_groups is mapped to SRM-09 in the
	// example estate's checks/estate.yaml.
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code = cli(t, "checks", "run", "--all-namespaces", "-p", p, plan, "--ingest", "--system", "prison-visits", "--database", db)
	if code != 1 || !strings.Contains(stderr, "of conftest for prison-visits: 6 results (4 pass, 2 fail, 0 skip; 0 on rules no mapping names).") ||
		!regexp.MustCompile(`srm:SRM-09\s+failed\s+conftest.aws.security_groups\s+conftest.aws.security_groups: `+regexp.QuoteMeta(plan)+` - aws_security_group.bastion`).MatchString(stderr) {
		t.Errorf("--ingest: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code := cli(t, "audit", "verify", "--database", db); code != 0 {
		t.Errorf("verify: %s%s", out, stderr)
	}
}

// TestObligationsAssurance: remit obligations without a folder reads the
// database with each obligation's assurance and its source; --assurance
// failed lists the obligations automated checks failed and exits 1 (a CI
// gate), and exits 0 when there are none; with a folder it is refused.
func TestObligationsAssurance(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	if out, _, code := cli(t, "obligations", "--assurance", "failed", "--database", db); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("nothing failed yet: exit %d\n%s", code, out)
	}
	if _, stderr, code := cli(t, "checks", "ingest", "../../internal/checks/testdata/prowler.ocsf.json", "--format", "ocsf", "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := cli(t, "obligations", "--assurance", "failed", "--database", db, "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || stderr != "remit: 4 obligation(s) failed\n" || len(lines) != 5 || lines[0] != "id,system,control,offering,assurance,source,reason" ||
		!strings.HasPrefix(lines[1], "prison-visits/srm:SRM-09/aws/ec2/ours,prison-visits,srm:SRM-09,aws/ec2,failed,automated,\"failed the automated checks of Prowler") {
		t.Errorf("failed: exit %d\n%s%s", code, out, stderr)
	}
	if _, _, code := cli(t, "obligations", "--assurance", "failed", "--system", "court-case-tracking", "--database", db); code != 0 {
		t.Errorf("another system: exit %d", code)
	}
	if out, _, code := cli(t, "obligations", "--database", db, "--system", "prison-visits", "--format", "json"); code != 0 || !strings.Contains(out, `"automated": true`) {
		t.Errorf("all, as JSON: exit %d\n%.400s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"obligations", example, "--assurance", "failed"}, "--assurance reads the database"},
		{[]string{"obligations", "--assurance", "broken", "--database", db}, `--assurance "broken" is not known: use not-applicable, assured, stale, unassured, failed`},
		{[]string{"obligations", "--system", "nope", "--database", db}, `there is no system "nope"`},
	} {
		if _, stderr, code := cli(t, c.args...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, stderr)
		}
	}
}
