package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestOfferingImport imports providers' matrices: a component definition
// Remit exported (back into its offering: nothing changes; into a new
// one: the same statements), a CSV with a bad row (exit 2 naming row and
// column, nothing written), and a CAIQ-shaped workbook.
func TestOfferingImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	cd := filepath.Join(dir, "casetrack.json")
	if _, errOut, code := cli(t, "export", "component-definition", "--offering", "casetrack/casetrack-cloud", "--database", db, "-o", cd); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	out, errOut, code := cli(t, "offering", "import", "casetrack/casetrack-cloud", cd, "--format", "component-definition", "--database", db)
	if code != 0 || !strings.HasSuffix(out, "Nothing to change: the database already holds this workspace.\n") {
		t.Errorf("re-import of our own export: %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = cli(t, "offering", "import", "acme/casework", cd, "--format", "component-definition", "--service-model", "saas", "--provider-name", "Acme", "--name", "Acme Casework", "--database", db)
	if code != 0 || !strings.Contains(out, "provider  1       0       0") {
		t.Fatalf("import into a new offering: %d\n%s%s", code, out, errOut)
	}
	a, b := exportDir(t, db, "casetrack")
	if sa := statementsOf(a, "casetrack-cloud"); !strings.Contains(b, "name: Acme Casework") || !strings.Contains(sa, "control: srm:SRM-01") || sa != statementsOf(b, "casework") {
		t.Errorf("the new offering's statements differ from the exported ones:\n%s\n---\n%s", statementsOf(a, "casetrack-cloud"), statementsOf(b, "casework"))
	}

	before := snapshot(t, db)
	csv := filepath.Join(dir, "matrix.csv")
	if err := os.WriteFile(csv, []byte("Control,Who\nSRM-01,provider\nSRM-02,sometimes\nSRM-99,customer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = cli(t, "offering", "import", "aws/ec2", csv, "--map", "control=Control,class=Who", "--catalogue", "srm", "--database", db)
	if code != 2 || !strings.Contains(errOut, csv+`: row 3 column B: "sometimes" is not a class`) || !strings.Contains(errOut, csv+`: row 4 column A: control "SRM-99" is not in catalogue srm`) || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("bad CSV: %d %s", code, errOut)
	}
	if after := snapshot(t, db); after != before {
		t.Error("a refused import changed the database")
	}

	book := filepath.Join(dir, "caiq.xlsx")
	writeCAIQ(t, book, [][]any{
		{"SRM-01.1", "Physical security?", "Yes", "CSP-owned", "Our data centres are guarded.", ""},
		{"SRM-03.1", "Patching?", "Yes", "Shared CSP and CSC", "We patch the hosts.", "Patch your guests."},
		{"SRM-03.2", "Patching evidence?", "Yes", "Shared CSP and CSC", "Reports monthly.", ""},
	})
	out, errOut, code = cli(t, "offering", "import", "acme/hosting", book, "--format", "caiq", "--catalogue", "srm", "--service-model", "iaas", "--database", db, "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "2 statements for acme/hosting from "+book+" (caiq): 1 inherited, 1 shared.\n") || !strings.Contains(out, "Dry run") {
		t.Errorf("CAIQ: %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "offering", "import", "acme/hosting", book, "--format", "caiq", "--catalogue", "srm", "--database", db); code != 2 || !strings.Contains(errOut, `offering "acme/hosting" is new: give its service model (iaas, paas, saas, managed-service or on-premises)`) {
		t.Errorf("a new offering without a service model: %d %s", code, errOut)
	}
}

func writeCAIQ(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	const sh = "CAIQv4"
	if _, err := f.NewSheet(sh); err != nil {
		t.Fatal(err)
	}
	header := []any{"Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership", "CSP Implementation Description (Optional/Recommended)", "CSC Responsibilities (Optional/Recommended)"}
	_ = f.SetSheetRow(sh, "A2", &header)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 3+i)
		_ = f.SetSheetRow(sh, cell, &r)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// exportDir exports the database and returns two providers' files.
func exportDir(t *testing.T, db string, providers ...string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ws")
	if _, errOut, code := cli(t, "export", dir, "--database", db); code != 0 {
		t.Fatal(errOut)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, "providers", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return read(providers[0]), read("acme")
}

// statementsOf cuts an offering's statements out of a provider file.
func statementsOf(provider, offering string) string {
	i := strings.Index(provider, "id: "+offering+"\n")
	if i < 0 {
		return ""
	}
	rest := provider[i:]
	j := strings.Index(rest, "statements:")
	if j < 0 {
		return ""
	}
	rest = rest[j:]
	if k := strings.Index(rest[1:], "\n  - id: "); k >= 0 {
		rest = rest[:k+1]
	}
	return rest
}

// snapshot is the database's workspace as exported.
func snapshot(t *testing.T, db string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	if _, errOut, code := cli(t, "export", dir, "--database", db); code != 0 {
		t.Fatal(errOut)
	}
	var b bytes.Buffer
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.WriteString(p[len(dir):] + "\n")
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

// TestExportDocuments writes each document for the example estate and
// reads back what matters: the SSP's controls, the CRM's rows, the
// assessment results of a signed-off supplier assessment and the POA&M's
// items.
func TestExportDocuments(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	out, errOut, code := cli(t, "export", "ssp", "--system", "prison-visits", "--database", db)
	if code != 0 || !strings.Contains(out, `"system-security-plan"`) || !strings.Contains(out, `"control-id": "SRM-01"`) || !strings.Contains(out, `"leveraged-authorizations"`) {
		t.Errorf("ssp: %d %.300s %s", code, out, errOut)
	}
	if !strings.Contains(out, `"oscal-version": "1.1.3"`) {
		t.Errorf("the SSP does not declare OSCAL 1.1.3 by default")
	}
	out, errOut, code = cli(t, "export", "ssp", "--system", "prison-visits", "--oscal-version", "1.2.2", "--database", db)
	if code != 0 || !strings.Contains(out, `"oscal-version": "1.2.2"`) {
		t.Errorf("ssp as 1.2.2: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "export", "poam", "--oscal-version", "1.3", "--database", db); code != 2 || !strings.Contains(errOut, `--oscal-version "1.3" is not one Remit writes: use 1.0.6, 1.1.3, 1.2.2`) {
		t.Errorf("an unknown version: %d %s", code, errOut)
	}
	book := filepath.Join(dir, "crm.xlsx")
	if _, errOut, code := cli(t, "export", "crm", "--system", "prison-visits", "--format", "xlsx", "-o", book, "--database", db); code != 0 {
		t.Fatalf("crm: %s", errOut)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Responsibility matrix")
	if len(rows) != 29 || rows[0][2] != "class" || rows[1][0] != "srm:SRM-01" || rows[1][2] != "inherited" {
		t.Errorf("crm rows: %d %q", len(rows), rows[:2])
	}
	if _, errOut, code := cli(t, "export", "crm", "--system", "nowhere", "--database", db); code != 2 || !strings.Contains(errOut, `system "nowhere"`) {
		t.Errorf("unknown system: %d %s", code, errOut)
	}
	out, _, code = cli(t, "export", "poam", "--database", db)
	if code != 0 || !strings.Contains(out, `"title": "Nothing to put right"`) {
		t.Errorf("poam: %d %.400s", code, out)
	}
	if _, errOut, code := cli(t, "export", "assessment-results", "--database", db); code != 2 || !strings.Contains(errOut, "--assessment is required") {
		t.Errorf("no assessment: %d %s", code, errOut)
	}
}
