package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"remit/internal/service"
)

// TestSupplierCommands drives remit supplier against a database holding
// the example estate: the suppliers due, a supplier's record, the
// standard clauses added and one removed, questionnaire templates
// imported from a CAIQ-shaped workbook and from YAML (bad input first:
// exit 2, nothing published), exported, and an assessment started on one.
func TestSupplierCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", "../../examples/justice", "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	out, errOut, code := cli(t, "supplier", "due", "--database", db, "--format", "json")
	var due []service.SupplierDue
	if code != 0 || json.Unmarshal([]byte(out), &due) != nil || len(due) == 0 || !due[0].Overdue {
		t.Fatalf("due: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "supplier", "show", "casetrak", "--database", db); code != 2 || !strings.Contains(errOut, `no provider "casetrak"`) {
		t.Errorf("an unknown provider: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "supplier", "clauses", "casetrack", "--database", db); code != 2 || !strings.Contains(errOut, "give --add-standard or --remove CLAUSE") {
		t.Errorf("clauses without a flag: %d %s", code, errOut)
	}
	if out, errOut, code := cli(t, "supplier", "clauses", "casetrack", "--add-standard", "--database", db); code != 0 || !strings.Contains(out, "casetrack now holds 8 clauses") {
		t.Fatalf("add standard: %d %s %s", code, out, errOut)
	}
	if out, errOut, code := cli(t, "supplier", "clauses", "casetrack", "--remove", "right-to-audit", "--database", db); code != 0 || !strings.Contains(out, "casetrack now holds 7 clauses") {
		t.Fatalf("remove: %d %s %s", code, out, errOut)
	}
	out, _, code = cli(t, "supplier", "show", "casetrack", "--database", db)
	if code != 0 || !strings.Contains(out, "Next assessment due") || !strings.Contains(out, "breach-notification    unassured") || strings.Contains(out, "right-to-audit") {
		t.Errorf("show:\n%s", out)
	}

	// A CAIQ-shaped workbook.
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Question ID", "Question", "CCM Control ID", "CCM Domain Title"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{"A&A-01.1", "Are audit policies kept?", "A&A-01", "Audit & Assurance"})
	_ = x.SetSheetRow("Sheet1", "A3", &[]any{"IAM-01.1", "Is there an access policy?", "IAM-01", "Identity & Access Management"})
	var buf bytes.Buffer
	_ = x.Write(&buf)
	book := filepath.Join(dir, "caiq.xlsx")
	if err := os.WriteFile(book, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := cli(t, "supplier", "questionnaire", "import", book, "--database", db); code != 2 || !strings.Contains(errOut, "template") {
		t.Errorf("a workbook without --template: %d %s", code, errOut)
	}
	if out, errOut, code := cli(t, "supplier", "questionnaire", "import", book, "--template", "caiq-v4", "--title", "CSA CAIQ v4", "--database", db); code != 0 || !strings.Contains(out, "version 1 of caiq-v4: 2 principles, 2 questions") {
		t.Fatalf("import caiq: %d %s %s", code, out, errOut)
	}
	// YAML: a bad file names its line; the exported one imports as version 2.
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("template: own\nversion: 1\ntitle: Own\nprinciples:\n  - control: own:P1\n    title: One\n    questions:\n      - id: q1\n        text: Is it?\n        type: maybe\n"), 0o600)
	if _, errOut, code := cli(t, "supplier", "questionnaire", "import", bad, "--database", db); code != 2 || !strings.Contains(errOut, "bad.yaml:10") {
		t.Errorf("bad yaml: %d %s", code, errOut)
	}
	yml, errOut, code := cli(t, "supplier", "questionnaire", "export", "caiq-v4", "--database", db)
	if code != 0 || !strings.Contains(yml, "template: caiq-v4") {
		t.Fatalf("export: %d %s", code, errOut)
	}
	again := filepath.Join(dir, "again.yaml")
	_ = os.WriteFile(again, []byte(yml), 0o600)
	if out, errOut, code := cli(t, "supplier", "questionnaire", "import", again, "--database", db); code != 0 || !strings.Contains(out, "version 2 of caiq-v4") {
		t.Fatalf("import yaml: %d %s %s", code, out, errOut)
	}
	if out, _, code := cli(t, "supplier", "questionnaire", "list", "--database", db); code != 0 || !strings.Contains(out, "caiq-v4") || !strings.Contains(out, "ncsc-supplier") {
		t.Errorf("list:\n%s", out)
	}
	if out, errOut, code := cli(t, "assess", "start", "casetrack/casetrack-cloud", "--template", "caiq-v4", "--database", db); code != 0 || !strings.Contains(out, "against caiq-v4 version 2, 2 principles") {
		t.Errorf("start: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "assess", "start", "casetrack/casetrack-cloud", "--template", "nope", "--database", db); code != 2 || !strings.Contains(errOut, `there is no questionnaire "nope"`) {
		t.Errorf("start on an unknown template: %d %s", code, errOut)
	}
}

// TestEvidenceSOC2Flags: remit evidence add records a SOC 2 report's
// period, carve-outs, complementary user entity controls and bridge
// letter; a carve-out that is not an offering of the estate is refused
// with the nearest one (exit 2, nothing added), as are the SOC 2 flags on
// evidence of another kind; evidence can support a supplier's clause.
func TestEvidenceSOC2Flags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", "../../examples/justice", "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	base := []string{"evidence", "add", "--database", db, "--kind", "soc2-type-2", "--title", "CaseTrack SOC 2 Type II 2025", "--url", "https://trust.casetrack.example/soc2",
		"--issued", "2026-02-01", "--expires", "2027-02-01", "--supports", "offering:casetrack/casetrack-cloud", "--period", "2025-01-01/2025-12-31",
		"--cuec", "CC-1=Customers review access quarterly", "--bridge-letter", "2026-03-31"}
	if _, errOut, code := cli(t, append(base, "--carve-out", "aws/ec3")...); code != 2 || !strings.Contains(errOut, `carve-out "aws/ec3" is not an offering of the estate`) || !strings.Contains(errOut, `(did you mean "aws/ec2"?)`) {
		t.Errorf("an unknown carve-out: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "iso-27001", "--title", "x", "--url", "https://x.example", "--carve-out", "aws/ec2"); code != 2 || !strings.Contains(errOut, "soc2 details belong to a soc2-type-2") {
		t.Errorf("SOC 2 flags on an ISO certificate: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, append(base, "--period", "2025")...); code != 2 || !strings.Contains(errOut, "--period \"2025\" is not START/END") {
		t.Errorf("a bad period: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, append(base, "--carve-out", "aws/ec2", "--inclusive", "aws/ec2")...); code != 2 || !strings.Contains(errOut, "aws/ec2 is both carved out and included") {
		t.Errorf("carved out and included: %d %s", code, errOut)
	}
	out, errOut, code := cli(t, append(base, "--carve-out", "aws/ec2")...)
	if code != 0 || !strings.Contains(out, "Added ev-") {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	out, _, code = cli(t, "evidence", "list", "--database", db, "--format", "json")
	if code != 0 || !strings.Contains(out, `"carve_outs": [`) || !strings.Contains(out, `"aws/ec2"`) || !strings.Contains(out, `"period_start": "2025-01-01"`) ||
		!strings.Contains(out, `"bridge_until": "2026-03-31"`) || !strings.Contains(out, `"text": "Customers review access quarterly"`) || strings.Count(out, `"id": "ev-`) != 1 {
		t.Errorf("the report as stored:\n%s", out)
	}
	// A supplier's clause, once the record holds it.
	if _, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "policy", "--title", "Incident procedure", "--url", "https://x.example/ir", "--supports", "clause:casetrack/breach-notification"); code != 2 || !strings.Contains(errOut, `casetrack has no clause "breach-notification"`) {
		t.Errorf("a clause not held: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "supplier", "clauses", "casetrack", "--add-standard", "--database", db); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "policy", "--title", "Incident procedure", "--url", "https://x.example/ir", "--supports", "clause:casetrack/breach-notification"); code != 0 {
		t.Fatalf("evidence for a clause: %s", errOut)
	}
	if out, _, _ := cli(t, "supplier", "show", "casetrack", "--database", db); !strings.Contains(out, "breach-notification    assured") {
		t.Errorf("the clause is not assured:\n%s", out)
	}
}

// TestEvidenceCoverageCommand: the fourth parties a report's offering
// rests on, and an assessor's decision on one it is silent on, from the
// command line; bad input exits 2 naming what is wrong.
func TestEvidenceCoverageCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", "../../examples/justice", "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	out, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "soc2-type-2", "--title", "CaseTrack SOC 2", "--url", "https://trust.casetrack.example/soc2",
		"--issued", "2026-02-01", "--expires", "2027-02-01", "--supports", "offering:casetrack/casetrack-cloud", "--period", "2025-01-01/2025-12-31")
	if code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	id := strings.TrimSuffix(strings.Fields(out)[1], ":")
	show := func() string {
		t.Helper()
		out, errOut, code := cli(t, "evidence", "coverage", id, "--database", db)
		if code != 0 {
			t.Fatalf("coverage: %s", errOut)
		}
		return out
	}
	if out := show(); !strings.Contains(out, "aws/ec2       casetrack/casetrack-cloud  17        silent") {
		t.Errorf("before deciding:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--covered"}, "name the fourth party with --offering"},
		{[]string{"--offering", "aws/ec2", "--rationale", "x"}, "say --covered or --not-covered"},
		{[]string{"--offering", "aws/ec2", "--covered", "--not-covered", "--rationale", "x"}, "say --covered or --not-covered"},
		{[]string{"--offering", "aws/ec2", "--withdraw", "--covered"}, "--withdraw takes --offering alone"},
		{[]string{"--offering", "aws/ec2", "--covered"}, "give the rationale"},
		{[]string{"--offering", "aws/ec3", "--covered", "--rationale", "x"}, `(did you mean "aws/ec2"?)`},
		{[]string{"--offering", "aws/ec2", "--withdraw"}, `no decision on "aws/ec2" to withdraw`},
	} {
		_, errOut, code := cli(t, append([]string{"evidence", "coverage", id, "--database", db}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %s, want exit 2 with %q", c.args, code, errOut, c.want)
		}
	}
	if out, errOut, code := cli(t, "evidence", "coverage", id, "--database", db, "--offering", "aws/ec2", "--covered", "--rationale", "Section 3 tests AWS's controls"); code != 0 || !strings.Contains(out, "Recorded: CaseTrack SOC 2 covers aws/ec2") {
		t.Fatalf("decide: %d %s %s", code, out, errOut)
	}
	if out := show(); !strings.Contains(out, "decided-covered") || !strings.Contains(out, "Section 3 tests AWS's controls (cli, ") {
		t.Errorf("after deciding:\n%s", out)
	}
	if out, errOut, code := cli(t, "evidence", "coverage", id, "--database", db, "--offering", "aws/ec2", "--withdraw"); code != 0 || !strings.Contains(out, "is silent on aws/ec2 again") {
		t.Fatalf("withdraw: %d %s %s", code, out, errOut)
	}
	if out := show(); !strings.Contains(out, "silent") {
		t.Errorf("after withdrawing:\n%s", out)
	}
}
