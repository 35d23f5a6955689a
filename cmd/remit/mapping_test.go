package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"remit/internal/report"
)

const mappedExample = "../../examples/mapped"

// TestMappedExample: a provider model written against the SRM baseline
// answers for a system whose baseline is the NCSC Cloud Security
// Principles through examples/mapped/mappings/srm-ncsc.yaml — matrix,
// explain and validate --strict say which cells are mapped and from what;
// the workspace round-trips through the database byte for byte.
func TestMappedExample(t *testing.T) {
	out, _, code := cli(t, "matrix", mappedExample, "--system", "grants", "--format", "json")
	if code != 0 {
		t.Fatal(out)
	}
	var doc struct {
		Rows []struct {
			Control       string `json:"control"`
			Class         string `json:"class"`
			Mapped        bool   `json:"mapped"`
			Assumed       bool   `json:"assumed"`
			Contributions []struct {
				Mapped *struct {
					Partial bool `json:"partial"`
					Sources []struct {
						Control, Relationship, Mappings string
					} `json:"sources"`
				} `json:"mapped"`
			} `json:"contributions"`
		} `json:"rows"`
		Summary struct {
			Mapped int `json:"mapped"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ncsc-csp:CSP-01": "shared equivalent-to srm:SRM-15", "ncsc-csp:CSP-02": "shared subset-of srm:SRM-01 partial",
		"ncsc-csp:CSP-09": "organisation-specific equivalent-to srm:SRM-11", "ncsc-csp:CSP-13": "shared intersects-with srm:SRM-19 partial"}
	got := map[string]string{}
	for _, r := range doc.Rows {
		if !r.Mapped {
			continue
		}
		m := r.Contributions[0].Mapped
		s := r.Class + " " + m.Sources[0].Relationship + " " + m.Sources[0].Control
		if m.Partial {
			s += " partial"
		}
		if m.Sources[0].Mappings != "srm-ncsc" || r.Assumed {
			t.Errorf("%s: %+v", r.Control, r)
		}
		got[r.Control] = s
	}
	if len(got) != len(want) || doc.Summary.Mapped != 4 {
		t.Errorf("mapped rows %v (summary %d), want %v", got, doc.Summary.Mapped, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	out, _, code = cli(t, "validate", mappedExample, "--strict")
	if code != 1 || !regexp.MustCompile(`grants +ncsc-csp:CSP-02 +hostco/platform +shared +mapped from srm:SRM-01 \(subset-of\)`).MatchString(out) {
		t.Errorf("strict: exit %d\n%s", code, out)
	}
	out, _, _ = cli(t, "explain", mappedExample, "--system", "grants", "--control", "ncsc-csp:CSP-13")
	if !strings.Contains(out, "its statements for srm:SRM-19 (intersects-with, by mappings/srm-ncsc) are mapped to it, so it is shared, at most shared because they cover it only in part.") {
		t.Errorf("explain:\n%s", out)
	}

	db := filepath.Join(t.TempDir(), "remit.db")
	if _, stderr, code := cli(t, "import", mappedExample, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := cli(t, "export", dir, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	for _, f := range []string{"mappings/srm-ncsc.yaml", "systems/grants.yaml", "providers/hostco.yaml"} {
		a, _ := os.ReadFile(filepath.Join(mappedExample, f))
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s after a round trip:\n%s\nwant\n%s", f, b, a)
		}
	}
}

// TestCoverage: remit coverage counts each offering's contributions as
// stated for the control, mapped or assumed, for a system or the estate,
// with the cells' totals agreeing with the matrix's summary.
func TestCoverage(t *testing.T) {
	out, _, code := cli(t, "coverage", mappedExample)
	want := "OFFERING         PROVIDER  CONFIRMED  MAPPED  ASSUMED  SETTLED\nhostco/platform  HostCo    0          4       10       28%\n\n1 system: 0 cells confirmed, 4 mapped, 10 resting on assumed defaults.\n"
	if code != 0 || out != want {
		t.Errorf("coverage: exit %d\n%s\nwant\n%s", code, out, want)
	}
	out, _, code = cli(t, "coverage", example, "--format", "json")
	var doc report.CoverageDoc
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || doc.Systems != 8 || len(doc.Offerings) == 0 {
		t.Fatalf("estate coverage: exit %d %v\n%s", code, err, out)
	}
	sum, _, _ := cli(t, "matrix", example, "--system", "prison-visits")
	one, _, _ := cli(t, "coverage", example, "--system", "prison-visits")
	if !strings.Contains(sum, "5 rest on assumed defaults.") || !strings.Contains(one, "1 system: 22 cells confirmed, 0 mapped, 5 resting on assumed defaults.") {
		t.Errorf("a system's coverage against its matrix:\n%s\n%s", one, sum)
	}
	if _, stderr, code := cli(t, "coverage", example, "--system", "nope"); code != 2 || !strings.Contains(stderr, "nope") {
		t.Errorf("unknown system: exit %d %s", code, stderr)
	}
	// One provider's offerings, over the systems that use them.
	out, _, code = cli(t, "coverage", mappedExample, "--provider", "hostco", "--format", "json")
	var prov report.CoverageDoc
	wantDoc := report.CoverageDoc{Provider: "hostco", Systems: 1, Offerings: []report.OfferingCoverage{{Ref: "hostco/platform", Name: "HostCo Platform", Provider: "HostCo", Mapped: 4, Assumed: 10}}, Cells: report.CellCoverage{Mapped: 4, Assumed: 10}}
	if err := json.Unmarshal([]byte(out), &prov); code != 0 || err != nil || !reflect.DeepEqual(prov, wantDoc) {
		t.Errorf("provider coverage: exit %d %v\n%s\nwant %+v", code, err, out, wantDoc)
	}
	if _, stderr, code := cli(t, "coverage", example, "--provider", "amazon"); code != 2 || !strings.Contains(stderr, `--provider "amazon" is not a provider`) {
		t.Errorf("unknown provider: exit %d %s", code, stderr)
	}
}

// TestMappingImportExport: a workspace's mappings file goes out as an OSCAL
// mapping collection and back into another workspace as the same file;
// importing one whose controls the workspace lacks, or over an existing
// file, writes nothing.
func TestMappingImportExport(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "srm-ncsc.json")
	if _, stderr, code := cli(t, "mapping", "export", mappedExample, "--id", "srm-ncsc", "-o", doc); code != 0 {
		t.Fatal(stderr)
	}
	// A copy of the example without its mappings.
	ws := filepath.Join(dir, "ws")
	for _, f := range []string{"remit.yaml", "providers/hostco.yaml", "systems/grants.yaml"} {
		data, _ := os.ReadFile(filepath.Join(mappedExample, f))
		os.MkdirAll(filepath.Dir(filepath.Join(ws, f)), 0o755)
		os.WriteFile(filepath.Join(ws, f), data, 0o644)
	}
	out, stderr, code := cli(t, "mapping", "import", doc, "--workspace", ws)
	if code != 0 || out != "Wrote "+filepath.Join(ws, "mappings", "srm-ncsc.yaml")+": 4 pairs from srm to ncsc-csp.\n" {
		t.Fatalf("import: exit %d %s%s", code, out, stderr)
	}
	want, _ := os.ReadFile(filepath.Join(mappedExample, "mappings", "srm-ncsc.yaml"))
	got, _ := os.ReadFile(filepath.Join(ws, "mappings", "srm-ncsc.yaml"))
	// The source (a URL-less title) does not travel; the pairs and title do.
	if string(got) != string(want) {
		t.Errorf("imported:\n%s\nwant\n%s", got, want)
	}
	if _, stderr, code := cli(t, "mapping", "import", doc, "--workspace", ws); code != 2 || !strings.Contains(stderr, "already holds mappings/srm-ncsc.yaml") {
		t.Errorf("over an existing file: exit %d %s", code, stderr)
	}
	// Into a workspace without the NCSC catalogue: refused, nothing written.
	os.WriteFile(filepath.Join(ws, "remit.yaml"), []byte("name: Mapped example\norganisation: Example department\ncatalogues: [srm]\n"), 0o644)
	os.Remove(filepath.Join(ws, "mappings", "srm-ncsc.yaml"))
	os.Remove(filepath.Join(ws, "systems", "grants.yaml"))
	if _, stderr, code := cli(t, "mapping", "import", doc, "--workspace", ws, "--id", "again"); code != 2 || !strings.Contains(stderr, `catalogue "ncsc-csp" does not exist`) {
		t.Errorf("unknown catalogue: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(ws, "mappings", "again.yaml")); err == nil {
		t.Error("a refused import wrote its file")
	}
}
