package checks

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func read(t *testing.T, f Format, file string) Run {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Read(f, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestReaders reads a sample of each tool's output, written from the
// tools' documented formats (Checkov SARIF, Prowler 5 OCSF, Security Hub
// ASFF, conftest JUnit), and checks every field Remit takes.
func TestReaders(t *testing.T) {
	for _, c := range []struct {
		format Format
		file   string
		want   Run
	}{
		{SARIF, "checkov.sarif", Run{Format: SARIF, Tool: "Checkov", Version: "3.2.300", Results: []Result{
			{Rule: "CKV_AWS_24", Resource: "network/bastion.tf:12", Outcome: Fail, Severity: "error", Message: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22", Observed: at("2026-12-03T10:00:00Z"), Repository: "https://github.com/example/prison-visits"},
			{Rule: "CKV_AWS_25", Resource: "network/bastion.tf:12", Outcome: Fail, Severity: "warning", Message: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389", Observed: at("2026-12-03T10:00:00Z"), Repository: "https://github.com/example/prison-visits"},
			{Rule: "CKV_AWS_19", Resource: "aws_s3_bucket.visits_documents", Outcome: Pass, Severity: "none", Message: "Ensure all data stored in the S3 bucket is securely encrypted at rest", Observed: at("2026-12-03T10:00:00Z"), Repository: "https://github.com/example/prison-visits"},
			{Rule: "CKV_AWS_18", Outcome: Skip, Message: "Ensure the S3 bucket has access logging enabled", Observed: at("2026-12-03T10:00:00Z"), Repository: "https://github.com/example/prison-visits"},
		}}},
		{OCSF, "prowler.ocsf.json", Run{Format: OCSF, Tool: "Prowler", Version: "5.4.0", Results: []Result{
			{Rule: "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", Resource: "arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0a1b2c3d", Outcome: Fail, Severity: "High",
				Message: "Security group sg-0a1b2c3d has SSH (22) open to the Internet.", Account: "111122223333", Observed: at("2026-12-04T10:00:00Z")},
			{Rule: "iam_root_mfa_enabled", Resource: "arn:aws:iam::111122223333:root", Outcome: Pass, Severity: "Critical", Message: "MFA is enabled for root account.", Account: "111122223333", Observed: time.Unix(1764842400, 0).UTC()},
			{Rule: "s3_bucket_default_encryption", Resource: "arn:aws:s3:::visits-documents", Outcome: Skip, Severity: "Medium", Message: "Check the bucket's encryption by hand.", Account: "111122223333", Tags: []string{"remit-system=prison-visits"}, Observed: time.UnixMilli(1764842400000).UTC()},
		}}},
		{ASFF, "securityhub.asff.json", Run{Format: ASFF, Tool: "Security Hub", Results: []Result{
			{Rule: "EC2.13", Resource: "arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0a1b2c3d", Outcome: Fail, Severity: "HIGH", Message: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22", Account: "111122223333", Observed: at("2026-12-04T09:30:00Z")},
			{Rule: "S3.8", Resource: "arn:aws:s3:::visits-documents", Outcome: Pass, Severity: "INFORMATIONAL", Message: "S3 general purpose buckets should block public access", Account: "111122223333", Tags: []string{"Owner=visits-team", "remit-system=prison-visits"}, Observed: at("2026-12-04T09:30:00Z")},
			{Rule: "IAM.6", Resource: "AWS::::Account:111122223333", Outcome: Skip, Severity: "CRITICAL", Message: "Hardware MFA should be enabled for the root user", Account: "111122223333", Observed: at("2026-12-01T09:30:00Z")},
		}}},
		{JUnit, "conftest.junit.xml", conftestJUnit()},
	} {
		t.Run(string(c.format), func(t *testing.T) {
			if diff := cmp.Diff(c.want, read(t, c.format, c.file)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.file, diff)
			}
		})
	}
	pass, fail, skip := read(t, SARIF, "checkov.sarif").Counts()
	if pass != 1 || fail != 2 || skip != 1 {
		t.Errorf("counts %d %d %d", pass, fail, skip)
	}
}

// conftestJUnit is what conftest.junit.xml holds: conftest v0.71.1's
// JUnit output for internal/policy/testdata (made here): its four
// messages as failures (conftest writes its warnings so too) and a test
// case per success; no timestamps.
func conftestJUnit() Run {
	fail := func(msg string) Result {
		return Result{Rule: "conftest.main", Resource: "input/manifests.yaml - " + msg, Outcome: Fail, Message: "Failed"}
	}
	run := Run{Format: JUnit, Tool: "conftest", Results: []Result{
		fail("visits-web is exposed through a load balancer"),
		fail("visits-web uses image docker.io/library/nginx:1.27 from outside registry.example.gov.uk/"),
		fail("visits-web runs web privileged"),
		fail("db-password: secrets do not belong in manifests.yaml"),
	}}
	for range 11 {
		run.Results = append(run.Results, Result{Rule: "conftest.main", Resource: "input/manifests.yaml", Outcome: Pass})
	}
	for range 4 {
		run.Results = append(run.Results, Result{Rule: "conftest.main", Resource: "input/clean.yaml", Outcome: Pass})
	}
	return run
}

// TestBadResults: each way a file can be wrong is refused, naming where.
func TestBadResults(t *testing.T) {
	for _, c := range []struct {
		format Format
		in     string
		want   string
	}{
		{SARIF, "{\n  \"version\": \"2.1.0\",\n  \"runs\": [,]\n}", "sarif: 3:12: not valid JSON"},
		{SARIF, `{"version": "2.0.0", "runs": []}`, `sarif: version: the SARIF version is "2.0.0": Remit reads SARIF 2.1.0`},
		{SARIF, `{"runs": []}`, "sarif: version: the SARIF version is none"},
		{SARIF, `{"version": "2.1.0", "runs": []}`, "sarif: runs: there are no runs"},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`, "sarif: runs[0].tool.driver.name: the tool has no name"},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"level": "error"}]}]}`, "sarif: runs[0].results[0].ruleId: the result names no rule"},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"ruleId": "r", "level": "fatal"}]}]}`, `sarif: runs[0].results[0].level: level "fatal" is not one of none, note, warning, error`},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"ruleId": "r", "kind": "bad"}]}]}`, `runs[0].results[0].kind: kind "bad" is not one of`},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}}, {"tool": {"driver": {"name": "u"}}}]}`, `give one tool's results per file`},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "invocations": [{"endTimeUtc": "yesterday"}]}]}`, `runs[0].invocations[0].endTimeUtc: "yesterday" is not a time`},
		{SARIF, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": 7}}}]}`, "sarif: 1:60: runs.tool.driver.name is a JSON number, where a string belongs"},
		{OCSF, `[{"status_code": "FAIL"}]`, "ocsf: [0].metadata.event_code: the finding names no check"},
		{OCSF, `[{"status_code": "MAYBE", "metadata": {"event_code": "x"}}]`, `ocsf: [0].status_code: status_code "MAYBE" is not PASS, FAIL or MANUAL`},
		{OCSF, `[{"metadata": {"event_code": "x"}, "time_dt": "soon"}]`, `ocsf: [0].time_dt: "soon" is not a time`},
		{OCSF, "[\n{\"metadata\": 3}]", "ocsf: 2:14: metadata is a JSON number, where an object belongs"},
		{ASFF, `{"Items": []}`, "asff: Findings: there is no Findings list"},
		{ASFF, `[{"Compliance": {"Status": "FAILED"}}]`, "asff: Findings[0].GeneratorId: the finding names no control"},
		{ASFF, `[{"GeneratorId": "g", "Compliance": {"Status": "BROKEN"}}]`, `asff: Findings[0].Compliance.Status: Compliance.Status "BROKEN" is not PASSED`},
		{JUnit, "<testsuites>\n<testsuite>\n<testcase name=\"a\">\n</testsuite>", "junit: 3:1: the testcase is not valid: XML syntax error on line 4: element <testcase> closed by </testsuite>"},
		{JUnit, `<results><testcase name="a"/></results>`, "junit: 1:1: <results> is not <testsuites> or <testsuite>"},
		{JUnit, `<testsuite><testcase/></testsuite>`, "junit: 1:12: the testcase has neither a classname nor a name"},
		{JUnit, `<testsuite timestamp="tuesday"></testsuite>`, `junit: 1:1: timestamp "tuesday" is not a time`},
		{JUnit, ``, "junit: there is no <testsuites> or <testsuite>"},
		{JUnit, "<testsuites>\n<testsuite></testsuites>", "junit: 2: not valid XML: element <testsuite> closed by </testsuites>"},
	} {
		_, err := Read(c.format, strings.NewReader(c.in))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q:\n got %v\nwant %s", c.format, c.in, err, c.want)
		}
	}
	if _, err := Read("csv", strings.NewReader("")); err == nil || !strings.Contains(err.Error(), `format "csv" is not known: use sarif, ocsf, asff or junit`) {
		t.Errorf("unknown format: %v", err)
	}
}

// FuzzRead: no input makes a reader panic, and what one accepts is
// whole: every result has a rule and one of the three outcomes.
func FuzzRead(f *testing.F) {
	for _, s := range []struct {
		format byte
		file   string
	}{{0, "checkov.sarif"}, {1, "prowler.ocsf.json"}, {2, "securityhub.asff.json"}, {3, "conftest.junit.xml"}} {
		data, err := os.ReadFile("testdata/" + s.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.format, data)
	}
	f.Add(byte(3), []byte(`<testsuites><testsuite><testcase classname="c"><error message="e"/></testcase></testsuite></testsuites>`))
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		format := Formats[int(which)%len(Formats)]
		run, err := Read(format, bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: an error that is not a checks.Error: %v", format, err)
			}
			return
		}
		for i, r := range run.Results {
			if r.Rule == "" || (r.Outcome != Pass && r.Outcome != Fail && r.Outcome != Skip) {
				t.Fatalf("%s: result %d is not whole: %+v", format, i, r)
			}
		}
	})
}
