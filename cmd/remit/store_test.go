package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/synth"
	"remit/internal/workspace"
)

// TestMain lets the test binary play the remit command in a child process,
// for the interrupted-import test.
func TestMain(m *testing.M) {
	if os.Getenv("REMIT_TEST_CHILD") == "1" {
		err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestImportExportAudit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	out, stderr, code := cli(t, "import", example, "--database", db, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run exited %d: %s", code, stderr)
	}
	golden(t, "import-dry-run.txt", out)
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("the dry run made the database file (stat: %v); it should write nothing", err)
	}
	out, stderr, code = cli(t, "import", example, "--database", "sqlite:"+db)
	if code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	golden(t, "import.txt", out)
	out, _, _ = cli(t, "import", example, "--database", db)
	if want := "Nothing to change: the database already holds this workspace.\n"; out != want {
		t.Errorf("second import said %q, want %q", out, want)
	}
	dir := filepath.Join(t.TempDir(), "exported")
	if _, stderr, code := cli(t, "export", dir, "--database", db); code != 0 {
		t.Fatalf("export exited %d: %s", code, stderr)
	}
	// The example estate is written in canonical form, so the export is
	// byte-identical to it.
	for _, f := range listFiles(t, example) {
		want, _ := os.ReadFile(filepath.Join(example, f))
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !bytes.Equal(want, got) {
			t.Errorf("exported %s differs from the example's (%v)", f, err)
		}
	}
	if got, want := len(listFiles(t, dir)), len(listFiles(t, example)); got != want {
		t.Errorf("exported %d files, the example has %d", got, want)
	}
	if _, stderr, code := cli(t, "export", dir, "--database", db); code != 2 || !strings.Contains(stderr, "is not empty") {
		t.Errorf("export into a non-empty folder: exit %d, %q", code, stderr)
	}
	out, _, code = cli(t, "audit", "verify", "--database", db)
	if code != 0 || !strings.HasPrefix(out, "Audit trail intact: 32 records, each chained to the one before.\nNot keyed") || !strings.Contains(out, "Replayed: 32 documents are what their records left them as") {
		t.Errorf("audit verify: exit %d, %q", code, out)
	}
	// Tampering is found and named.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit SET after = '{}' WHERE seq = 5`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, stderr, code = cli(t, "audit", "verify", "--database", db)
	if code != 1 || out != "4 records check out before the break.\n" || stderr != "remit: audit trail broken at record 5: its content does not match its hash\n" {
		t.Errorf("audit verify after tampering: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	// An invalid workspace writes nothing.
	if _, _, code := cli(t, "import", filepath.Join(t.TempDir(), "missing"), "--database", db); code != 2 {
		t.Errorf("importing a missing folder exited %d, want 2", code)
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// TestInterruptedImport kills a child process in the middle of importing
// the synthetic S estate, many times over, and checks each time that the
// database is intact and holds either nothing or the whole workspace —
// never part of it.
func TestInterruptedImport(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "s")
	ws := synth.Estate(synth.S, 2)
	if err := workspace.Write(src, ws); err != nil {
		t.Fatal(err)
	}
	want := workspace.Files(ws)
	rng := rand.New(rand.NewPCG(1, 2))
	outcomes := map[string]int{}
	for i := range 12 {
		db := filepath.Join(t.TempDir(), "remit.db")
		cmd := exec.Command(self, "import", src, "--database", db)
		cmd.Env = append(os.Environ(), "REMIT_TEST_CHILD=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil && !strings.Contains(err.Error(), "no such") {
			t.Fatalf("run %d: integrity check: %v", i, err)
		}
		raw.Close()
		if check != "" && check != "ok" {
			t.Fatalf("run %d: integrity check says %q", i, check)
		}
		s, err := sqlite.Open(context.Background(), db)
		if err != nil {
			t.Fatalf("run %d: reopening after the kill: %v", i, err)
		}
		got, err := service.Export(context.Background(), s)
		switch {
		case err != nil:
			// Killed before the commit: nothing at all may be there.
			var docs, audits int
			_ = s.Read(context.Background(), func(tx remit.Tx) error {
				for _, k := range service.WorkspaceKinds {
					d, _ := tx.Documents(context.Background(), k, "")
					docs += len(d)
				}
				a, _ := tx.AuditRecords(context.Background(), remit.AuditFilter{})
				audits = len(a)
				return nil
			})
			if docs != 0 || audits != 0 {
				t.Fatalf("run %d: killed before commit, yet %d documents and %d audit records are stored", i, docs, audits)
			}
			outcomes["nothing"]++
		default:
			files := workspace.Files(got)
			for name, data := range want {
				if !bytes.Equal(files[name], data) {
					t.Fatalf("run %d: the import committed but %s differs", i, name)
				}
			}
			if _, err := service.VerifyAudit(context.Background(), s, service.AuditCheck{}); err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
			outcomes["whole"]++
		}
		s.Close()
	}
	t.Logf("outcomes: %v", outcomes)
}

// TestModelVersionDiffAndUsers imports a provider's model twice, compares
// the two stored versions, and adds accounts.
func TestModelVersionDiffAndUsers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	dir := copyDir(t, example)
	edit(t, filepath.Join(dir, "providers", "casetrack.yaml"),
		"        class: shared\n        provider: CaseTrack serves the web application and API over TLS 1.2 or later only.\n        customer: Make sure our integrations with the CaseTrack API use TLS 1.2 or later and validate certificates.\n",
		"        class: inherited\n        provider: CaseTrack serves the web application and API over TLS 1.2 or later only, and runs every integration for us.\n")
	out, stderr, code := cli(t, "import", dir, "--database", db)
	if code != 0 || !strings.Contains(out, "offering  0       1       0") {
		t.Fatalf("second import: %d %s %s", code, out, stderr)
	}
	out, stderr, code = cli(t, "diff", "--database", db, "--offering", "casetrack/casetrack-cloud", "--from", "1", "--to", "2", "--exit-code")
	if code != 1 {
		t.Fatalf("diff of versions: exit %d, %s", code, stderr)
	}
	golden(t, "diff-versions.txt", out)
	if _, stderr, code := cli(t, "diff", "--database", db, "--offering", "casetrack/casetrack-cloud", "--from", "1", "--to", "3"); code != 2 || !strings.Contains(stderr, "has versions 1 to 2") {
		t.Errorf("a version that does not exist: exit %d, %q", code, stderr)
	}
	if _, stderr, code := cli(t, "diff", example); code != 2 || !strings.Contains(stderr, "give two workspace folders") {
		t.Errorf("one folder: exit %d, %q", code, stderr)
	}

	var outBuf, errBuf bytes.Buffer
	add := func(stdin string, args ...string) (string, string, int) {
		outBuf.Reset()
		errBuf.Reset()
		err := run(context.Background(), append([]string{"user", "add", "--database", db}, args...), func(string) string { return "" }, strings.NewReader(stdin), &outBuf, &errBuf)
		code := exitCode(err, &errBuf)
		return outBuf.String(), errBuf.String(), code
	}
	if out, stderr, code := add("a long enough password\n", "ada@example.gov.uk", "--role", "admin", "--name", "Ada"); code != 0 || out != "Created ada@example.gov.uk (admin).\n" {
		t.Errorf("user add: %d %q %q", code, out, stderr)
	}
	if out, _, code := add("", "bob@example.gov.uk", "--role", "editor", "--team", "visits-team"); code != 0 || !strings.Contains(out, "Password: ") {
		t.Errorf("user add with a generated password: %d %q", code, out)
	}
	if _, stderr, code := add("short", "carol@example.gov.uk", "--role", "boss"); code != 2 ||
		!strings.Contains(stderr, `/role: role "boss" is not known`) || !strings.Contains(stderr, "/password: password is too short: use at least 12 characters") {
		t.Errorf("bad user: %d %q", code, stderr)
	}
	if _, stderr, code := add("another long password", "ada@example.gov.uk", "--role", "viewer"); code != 2 || !strings.Contains(stderr, "already exists") {
		t.Errorf("duplicate user: %d %q", code, stderr)
	}
}

// TestEvidenceCommands adds evidence from a file and a link, refuses bad
// input with exit 2 writing nothing, lists what expires soon, and writes a
// file back only while it matches its hash.
func TestEvidenceCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	pdf := filepath.Join(dir, "aws-iso.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\nAWS ISO certificate\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	soon := time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly)
	out, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "iso-27001", "--title", "AWS ISO 27001", "--expires", soon, "--file", pdf, "--supports", "offering:aws/ec2")
	if code != 0 || !strings.HasPrefix(out, "Added ev-") || !strings.Contains(out, "File aws-iso.pdf, 29 bytes, application/pdf, sha256 ") {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	id := strings.TrimSuffix(strings.Fields(out)[1], ":")
	if _, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "policy", "--title", "Patching policy", "--url", "https://intranet.example.gov.uk/patching", "--supports", "system:prison-visits@srm:SRM-03"); code != 0 {
		t.Fatalf("add link: %d %s", code, errOut)
	}
	_, errOut, code = cli(t, "evidence", "add", "--database", db, "--kind", "certificate", "--expires", "soon", "--url", "ftp://x", "--supports", "offering:aws")
	want := []string{
		`/kind: kind "certificate" is not known`,
		"/title: title is required",
		`/expires: expires "soon" is not a date: write it as YYYY-MM-DD`,
		`/url: url "ftp://x" is not a web address: give an https:// link`,
		`/supports/0/ref: offering "aws" is not provider/offering`,
		"remit: 5 problem(s); nothing was written",
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("bad evidence: stderr lacks %q:\n%s", w, errOut)
		}
	}
	if code != 2 {
		t.Errorf("bad evidence: exit %d, want 2", code)
	}
	if _, errOut, code := cli(t, "evidence", "add", "--database", db, "--kind", "policy", "--title", "x", "--supports", "aws"); code != 2 || !strings.Contains(errOut, `--supports "aws" is not on:ref`) {
		t.Errorf("bad --supports: %d %s", code, errOut)
	}
	out, _, code = cli(t, "evidence", "list", "--database", db, "--expiring", "30")
	if code != 0 || !strings.Contains(out, id) || strings.Contains(out, "Patching policy") {
		t.Errorf("expiring within 30 days: %d\n%s", code, out)
	}
	out, _, _ = cli(t, "evidence", "list", "--database", db)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.Contains(lines[2], "never") {
		t.Errorf("list: want the header, the certificate, then the policy that never expires:\n%s", out)
	}
	copyTo := filepath.Join(dir, "copy.pdf")
	if _, errOut, code := cli(t, "evidence", "get", id, "--database", db, "-o", copyTo); code != 0 {
		t.Fatalf("get: %d %s", code, errOut)
	}
	if a, b := readFile(t, pdf), readFile(t, copyTo); a != b {
		t.Errorf("the copy differs from the original")
	}
	// Tamper with the stored file: get refuses to write it, exit 1.
	sqlDB, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if _, err := sqlDB.Exec(`UPDATE documents SET body = ? WHERE kind = 'evidence-file' AND id = ?`, []byte("forged"), id); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(copyTo)
	if _, errOut, code := cli(t, "evidence", "get", id, "--database", db, "-o", copyTo); code != 1 || !strings.Contains(errOut, "does not match its hash: not written") {
		t.Errorf("tampered get: %d %s", code, errOut)
	}
	if _, err := os.Stat(copyTo); !os.IsNotExist(err) {
		t.Errorf("a tampered file was written")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAssessCommands drives the assessment commands against a database
// holding the example estate: a SAT exported, filled and imported back
// (a bad cell refused with its row and column, exit 2), scorecards, the
// sweep (once per day), and overdue findings (exit 1).
func TestAssessCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", "../../examples/justice", "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	ctx := context.Background()
	svc, closeSvc := openService(t, db)
	sat, err := svc.StartSAT(ctx, testAdmin, "prison-visits")
	if err == nil {
		_, err = svc.AddFinding(ctx, testAdmin, remit.Finding{Title: "Late", Severity: "high", Due: "2020-01-01"})
	}
	closeSvc()
	if err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(dir, "sat.xlsx")
	if _, errOut, code := cli(t, "assess", "sat", "export", sat.ID, "-o", book, "--database", db); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	for row := 7; row < 7+39; row++ {
		_ = f.SetCellValue("Standards Assurance Table", fmt.Sprintf("E%d", row), "Held")
		_ = f.SetCellValue("Standards Assurance Table", fmt.Sprintf("F%d", row), 13)
	}
	_ = f.SetCellValue("Standards Assurance Table", "F9", "lots")
	bad := filepath.Join(dir, "bad.xlsx")
	if err := f.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := cli(t, "assess", "sat", "import", sat.ID, bad, "--database", db)
	if code != 2 || !strings.Contains(errOut, bad+` (Standards Assurance Table):9:6: confidence "lots" is not a whole number from 0 to 14, nor N/A`) {
		t.Errorf("bad workbook: %d %s", code, errOut)
	}
	_ = f.SetCellValue("Standards Assurance Table", "F9", 13)
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := cli(t, "assess", "sat", "import", sat.ID, book, "--database", db); code != 0 || !strings.Contains(out, "39 objectives read") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	out, _, code := cli(t, "assess", "scorecards", "--database", db)
	if code != 0 || !strings.Contains(out, "casetrack") || !strings.Contains(out, "  aws/ec2") {
		t.Errorf("scorecards: %d\n%s", code, out)
	}
	out, _, code = cli(t, "assess", "sweep", "--database", db)
	if code != 0 || !strings.Contains(out, "0 pieces of evidence lapsed") {
		t.Errorf("sweep: %d %s", code, out)
	}
	if out, errOut, code := cli(t, "assess", "findings", "--overdue", "--database", db); code != 1 || !strings.Contains(out, "Late") || !strings.Contains(errOut, "1 findings are overdue") {
		t.Errorf("overdue findings: %d %s %s", code, out, errOut)
	}
	if out, _, code := cli(t, "assess", "list", "--database", db); code != 0 || !strings.Contains(out, sat.ID) {
		t.Errorf("list: %d %s", code, out)
	}
}

// TestReadOnlyCommandsMakeNoDatabase runs every command that only reads
// the database against one that is not there: each exits 2 naming the
// path, and none makes the file (an empty database made by a typo would
// hide the real one).
func TestReadOnlyCommandsMakeNoDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"evidence", "list"},
		{"risk", "list"},
		{"risk", "proposals"},
		{"audit", "verify"},
		{"export", filepath.Join(dir, "out")},
		{"export", "ssp", "--system", "prison-visits"},
		{"export", "crm", "--system", "prison-visits"},
		{"assess", "list"},
		{"assess", "findings"},
		{"assess", "scorecards"},
		{"diff", "--offering", "aws/ec2", "--from", "1", "--to", "2"},
	} {
		_, stderr, code := cli(t, append(args, "--database", db)...)
		if code != 2 || !strings.Contains(stderr, "there is no database at "+db) {
			t.Errorf("remit %s on a missing database: exit %d, %q", strings.Join(args, " "), code, stderr)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("remit %s made %s", strings.Join(args, " "), db)
		}
	}
}

// TestUnreachableDatabaseExits3: a database that cannot be opened is not
// bad input but a failure, exit 3, and the message says which.
func TestUnreachableDatabaseExits3(t *testing.T) {
	dir := t.TempDir() // a folder, not a SQLite file
	_, stderr, code := cli(t, "evidence", "list", "--database", dir)
	if code != 3 || !strings.Contains(stderr, "remit: open "+dir) {
		t.Errorf("a folder as the database: exit %d, %q", code, stderr)
	}
}

// TestLimitsHoldEveryWayIn: an id or a text over its documented limit is
// refused at import (exit 2, naming the file and field), and whatever is
// accepted — an id of exactly 64 characters — exports again. A 5,000-
// character system id was once accepted, and export then failed.
func TestLimitsHoldEveryWayIn(t *testing.T) {
	write := func(dir, id, name string) {
		t.Helper()
		os.MkdirAll(filepath.Join(dir, "systems"), 0o755)
		os.WriteFile(filepath.Join(dir, "remit.yaml"), []byte("name: Limits\ncatalogues: [srm, ncsc-csp]\nproviders: [aws]\n"), 0o644)
		sys := fmt.Sprintf("id: %s\nname: %s\nbaseline:\n  catalogue: srm\n  controls: all\nuses:\n  - offering: aws/ec2\n", id, name)
		os.WriteFile(filepath.Join(dir, "systems", "a.yaml"), []byte(sys), 0o644)
	}
	for _, c := range []struct{ id, name, want string }{
		{strings.Repeat("a", 5000), "Long", "system id"},
		{strings.Repeat("b", 65), "Long", "at most 64 characters"},
		{"fine", strings.Repeat("n", 301), "system name is 301 characters long, over the limit of 300"},
	} {
		dir := t.TempDir()
		write(dir, c.id, c.name)
		db := filepath.Join(t.TempDir(), "remit.db")
		_, stderr, code := cli(t, "import", dir, "--database", db)
		if code != 2 || !strings.Contains(stderr, "systems/a.yaml") || !strings.Contains(stderr, c.want) {
			t.Errorf("id of %d, name of %d: exit %d, %.300q", len(c.id), len(c.name), code, stderr)
		}
	}
	dir := t.TempDir()
	longest := strings.Repeat("c", 64)
	write(dir, longest, strings.Repeat("n", 300))
	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", dir, "--database", db); code != 0 {
		t.Fatalf("import at the limits: %s", stderr)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := cli(t, "export", out, "--database", db); code != 0 {
		t.Fatalf("export at the limits: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "systems", longest+".yaml")); err != nil {
		t.Errorf("the exported system: %v", err)
	}
}

// TestOutputIsSafe puts terminal escapes, a bidirectional override, line
// breaks and a spreadsheet formula into a workspace's texts: the CLI's
// tables show none of the control characters and cannot be given forged
// rows, its CSV keeps the formula as text, its Markdown shows HTML as
// text.
func TestOutputIsSafe(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "systems"), 0o755)
	os.WriteFile(filepath.Join(dir, "remit.yaml"), []byte("name: Safe\ncatalogues: [srm, ncsc-csp]\nproviders: [aws]\n"), 0o644)
	sys := "id: evil\nname: \"Evil \\e[2J\\e]0;owned\\a \\u202Egnp.exe <b>x</b>\\nsrm:SRM-99  inherited  no  0  Forged row\"\nteam: \"=HYPERLINK(\\\"https://evil.example\\\")\"\nbaseline:\n  catalogue: srm\n  controls: all\n  not_applicable:\n    - control: SRM-27\n      reason: \"line one\\nsrm:SRM-99  inherited  no  0  Forged row\"\nuses:\n  - offering: aws/ec2\n"
	os.WriteFile(filepath.Join(dir, "systems", "evil.yaml"), []byte(sys), 0o644)
	out, stderr, code := cli(t, "matrix", dir, "--system", "evil")
	if code != 0 {
		t.Fatalf("matrix: %d %s", code, stderr)
	}
	if strings.ContainsAny(out, "\x1b\a\u202e") || !strings.Contains(out, "Evil \ufffd[2J") {
		t.Errorf("the table carries control characters: %q", out[:min(200, len(out))])
	}
	out, _, _ = cli(t, "obligations", dir, "--system", "evil", "--format", "csv")
	if !strings.Contains(out, `'=HYPERLINK(""https://evil.example"")`) {
		t.Errorf("the CSV does not neutralise the formula: %.300s", out)
	}
	out, _, _ = cli(t, "matrix", dir, "--system", "evil", "--format", "markdown")
	if strings.Contains(out, "<b>") || !strings.Contains(out, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("the Markdown carries HTML: %.300s", out)
	}
	out, _, _ = cli(t, "matrix", dir, "--system", "evil", "--format", "table")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "srm:SRM-99") {
			t.Errorf("a name forged a row of the table: %q", line)
		}
	}
}
