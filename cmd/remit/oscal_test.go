package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
)

// smallCatalog is a catalog of our own: two families, an enhancement, a
// withdrawn control and a family no area is inferred for.
const smallCatalog = `{"catalog": {"uuid": "11111111-1111-4111-8111-111111111111",
 "metadata": {"title": "Small", "last-modified": "2026-01-01T00:00:00Z", "version": "2", "oscal-version": "1.0.6"},
 "groups": [
  {"id": "ac", "title": "Access Control", "controls": [
   {"id": "ac-1", "title": "Policy", "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Have a policy."}]},
   {"id": "ac-2", "title": "Accounts", "parts": [{"id": "ac-2_smt", "name": "statement", "prose": "Manage accounts."}],
    "controls": [{"id": "ac-2.1", "title": "Automated", "parts": [{"id": "ac-2.1_smt", "name": "statement", "prose": "Automate it."}]}]},
   {"id": "ac-3", "title": "Gone", "props": [{"name": "status", "value": "withdrawn"}]}]},
  {"id": "au", "title": "Audit", "controls": [
   {"id": "au-2", "title": "Events", "parts": [{"id": "au-2_smt", "name": "statement", "prose": "Log events."}]}]}]}}`

const smallProfile = `{"profile": {"uuid": "22222222-2222-4222-8222-222222222222",
 "metadata": {"title": "Small baseline", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
 "imports": [{"href": "small.json", "include-controls": [{"with-ids": ["ac-2", "au-2"], "with-child-controls": "yes"}]}],
 "merge": {"as-is": true}}}`

// TestCatalogueAndProfileCommands imports a catalog and a profile into a
// database holding the example estate, refuses bad files with their
// position (exit 2, nothing written), keeps areas set by hand across a
// re-import, and resolves a profile to OSCAL JSON.
func TestCatalogueAndProfileCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	small := write("small.json", smallCatalog)
	profile := write("baseline.json", smallProfile)

	out, errOut, code := cli(t, "catalogue", "import", small, "--database", db)
	want := "Catalogue small from the OSCAL catalog: 4 controls (1 withdrawn left out).\n" +
		"No area could be inferred for 1 controls — set one (until then each is assumed ours): au-2\n"
	if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "catalogue  1       0       0") {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := cli(t, "catalogue", "import", small, "--database", db); !strings.HasSuffix(out, "Nothing to change: the database already holds this workspace.\n") {
		t.Errorf("re-import:\n%s", out)
	}

	// Set au-2's area by hand; a re-import keeps it.
	ctx := t.Context()
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := service.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ws.Catalogues {
		if ws.Catalogues[i].ID == "small" {
			for j := range ws.Catalogues[i].Controls {
				if ws.Catalogues[i].Controls[j].ID == "au-2" {
					ws.Catalogues[i].Controls[j].Area = remit.AreaOperatingSystem
				}
			}
		}
	}
	if _, err := service.ImportWorkspace(ctx, s, testAdmin, ws, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if out, _, _ := cli(t, "catalogue", "import", small, "--database", db); !strings.Contains(out, "Kept the area set earlier for 1 controls.") || !strings.Contains(out, "Nothing to change") || strings.Contains(out, "No area could be inferred") {
		t.Errorf("re-import after setting an area:\n%s", out)
	}

	// A profile, resolved from the file its import names.
	out, errOut, code = cli(t, "catalogue", "import", profile, "--id", "small-baseline", "--database", db)
	if code != 0 || !strings.HasPrefix(out, "Catalogue small-baseline from the OSCAL profile (resolved): 3 controls (0 withdrawn left out).") {
		t.Errorf("profile import: %d\n%s%s", code, out, errOut)
	}
	resolved := filepath.Join(dir, "resolved.json")
	if _, errOut, code := cli(t, "profile", "resolve", profile, "-o", resolved); code != 0 || !strings.Contains(errOut, "3 controls") {
		t.Fatalf("resolve: %d %s", code, errOut)
	}
	data, err := os.ReadFile(resolved)
	if err != nil {
		t.Fatal(err)
	}
	c, err := oscal.ReadCatalog(resolved, data)
	if err != nil || len(c.Groups) != 2 || c.Groups[0].Controls[0].ID != "ac-2" || c.Groups[0].Controls[0].Controls[0].ID != "ac-2.1" {
		t.Errorf("resolved catalog: %v %+v", err, c)
	}

	// Bad files: exit 2 with where and what, nothing written.
	for _, bad := range []struct{ name, text, want string }{
		{"broken.json", "{\"catalog\": {\n  \"uuid\": \"x\",\n  \"groups\": [}\n}", "broken.json:3:14: not valid JSON"},
		{"ssp.json", `{"system-security-plan": {"uuid": "x"}}`, "ssp.json: this is an OSCAL system-security-plan: give a catalog or a profile"},
		{"unknown.json", strings.Replace(smallProfile, `"au-2"`, `"au-99"`, 1), `import 0 selects control "au-99", which small.json does not have`},
		{"baseline.json", strings.Replace(smallProfile, `"small.json"`, `"https://example.org/cat.json"`, 1), "baseline.json: import https://example.org/cat.json: a remote address, and Remit does not fetch"},
	} {
		path := write(bad.name, bad.text)
		out, errOut, code := cli(t, "catalogue", "import", path, "--database", db)
		if code != 2 || !strings.Contains(errOut, bad.want) || !strings.Contains(errOut, "nothing was written") {
			t.Errorf("%s: %d %q %q", bad.name, code, out, errOut)
		}
	}
	if out, _, _ := cli(t, "export", filepath.Join(dir, "after"), "--database", db); !strings.Contains(out, "catalogues") {
		t.Errorf("export: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "after", "catalogues", "broken.yaml")); err == nil {
		t.Error("a refused import wrote a catalogue")
	}
}
