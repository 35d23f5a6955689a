package content_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/workspace"
)

// loadMappings loads a workspace with every built-in catalogue and the
// built-in mappings named, and extra files of its own, failing the test
// with every problem the loader reports.
func loadMappings(t *testing.T, mappings []string, extra fstest.MapFS) *remit.Workspace {
	t.Helper()
	fsys := fstest.MapFS{workspace.RootFile: {Data: []byte(fmt.Sprintf("name: Built-in mappings\norganisation: Remit\ncatalogues: [%s]\nmappings: [%s]\n",
		strings.Join(content.CatalogueIDs(), ", "), strings.Join(mappings, ", ")))}}
	for k, v := range extra {
		fsys[k] = v
	}
	ws, err := workspace.LoadFS(fsys, "builtins")
	if err != nil {
		t.Fatalf("the built-in mappings do not load: %v", err)
	}
	return ws
}

// nistModerate is NIST's resolved MODERATE baseline as a catalogue file
// with the id the built-in mappings use, or a skip when the public OSCAL
// content is not beside the project.
func nistModerate(t *testing.T) fstest.MapFS {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "oscal", "nist-rev5", "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("the public OSCAL content is not beside the project: %v", err)
	}
	cat, err := oscal.ReadCatalog(path, data)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := oscal.ToCatalogue(cat, "nist-800-53")
	files := workspace.Files(&remit.Workspace{Name: "x", Catalogues: []remit.Catalogue{c}})
	return fstest.MapFS{"catalogues/nist-800-53.yaml": {Data: files["catalogues/nist-800-53.yaml"]}}
}

func nistMappings() (with, without []string) {
	for _, id := range content.MappingIDs() {
		if strings.Contains(id, "nist-800-53") {
			with = append(with, id)
		} else {
			without = append(without, id)
		}
	}
	return with, without
}

// TestBuiltinMappingsLoad: every built-in mapping loads, validated as a
// workspace's own would be (unknown controls, duplicates, contradictions),
// is marked built in, cites a dated source, and the engine takes it.
// Against NIST's MODERATE baseline no pair is skipped: every NIST control
// the mappings name is in it.
func TestBuiltinMappingsLoad(t *testing.T) {
	nist, others := nistMappings()
	if len(nist) != 3 || len(others) != 3 {
		t.Fatalf("built-in mappings %v and %v, want three to NIST and three between NCSC and SRM catalogues", nist, others)
	}
	ws := loadMappings(t, content.MappingIDs(), nistModerate(t))
	if len(ws.Mappings) != len(content.MappingIDs()) {
		t.Fatalf("%d mappings loaded, want %d", len(ws.Mappings), len(content.MappingIDs()))
	}
	has := func(cat, ctl string) bool {
		i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == cat })
		return i >= 0 && slices.ContainsFunc(ws.Catalogues[i].Controls, func(c remit.Control) bool { return c.ID == ctl })
	}
	for _, m := range ws.Mappings {
		if !m.BuiltIn {
			t.Errorf("%s is not marked built in", m.ID)
		}
		if want := m.From + "-" + m.To; m.ID != want {
			t.Errorf("%s: a built-in mapping is named from-to: want %s", m.ID, want)
		}
		if m.Source == nil {
			t.Errorf("%s: no source", m.ID)
		} else if p := sourceProblems(m.Source); len(p) > 0 {
			t.Errorf("%s: source: %s", m.ID, strings.Join(p, "; "))
		}
		if strings.TrimSpace(m.Title) == "" {
			t.Errorf("%s: no title", m.ID)
		}
		for _, p := range m.Pairs {
			if !has(m.From, p.From) || !has(m.To, p.To) {
				t.Errorf("%s: pair %s → %s names a control NIST's MODERATE baseline does not hold", m.ID, p.From, p.To)
			}
		}
	}
	if _, err := engine.New(ws, content.Defaults()); err != nil {
		t.Errorf("the engine rejects the built-in mappings: %v", err)
	}
}

// TestBuiltinMappingToMissingCatalogue: naming a NIST mapping without the
// NIST catalogue is refused, saying how to add it.
func TestBuiltinMappingToMissingCatalogue(t *testing.T) {
	fsys := fstest.MapFS{workspace.RootFile: {Data: []byte("name: x\ncatalogues: [srm, ncsc-csp]\nmappings: [srm-nist-800-53, srm-ncsc-cps]\n")}}
	_, err := workspace.LoadFS(fsys, "ws")
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{
		`catalogue "nist-800-53" does not exist: the built-in mapping "srm-nist-800-53" relates it; import it under that id (remit catalogue import FILE --id nist-800-53) or drop "srm-nist-800-53" from mappings in remit.yaml`,
		`ws/remit.yaml:3:29: mappings: "srm-ncsc-cps" is not built in (did you mean "srm-ncsc-csp"?)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// TestBuiltinMappingSkipsControlsNotImported: against a NIST catalogue
// holding only some controls (a baseline), a built-in mapping keeps the
// pairs it can and skips the rest, while the same file as the workspace's
// own is refused for naming controls the catalogue lacks.
func TestBuiltinMappingSkipsControlsNotImported(t *testing.T) {
	files := fstest.MapFS{
		"catalogues/nist-800-53.yaml": {Data: []byte("id: nist-800-53\ntitle: One control\nversion: x\ncontrols:\n  - id: sc-8\n    title: Transmission confidentiality\n    statement: Protect data in transit.\n    area: network\n")},
		"providers/p.yaml":            {Data: []byte("id: p\nname: P\nofferings:\n  - id: o\n    name: O\n    service_model: paas\n    statements:\n      - control: nist-800-53:sc-8\n        class: inherited\n        provider: Encrypts every connection.\n")},
		"systems/s.yaml":              {Data: []byte("id: s\nname: S\nowner: x\nteam: t\nclassification: official\nbaseline:\n  catalogue: ncsc-csp\n  controls: all\nuses:\n  - offering: p/o\n")},
	}
	ws := loadMappings(t, []string{"ncsc-csp-nist-800-53"}, files)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	si, _ := e.SystemIndex("s")
	m := e.Matrix(si)
	ci, _ := e.ControlIndex("ncsc-csp:CSP-01")
	cell := slices.IndexFunc(m.Cells, func(c engine.Cell) bool { return c.Control == ci })
	if cell < 0 || !m.Cells[cell].Mapped() || m.Cells[cell].Class() != remit.Inherited {
		t.Errorf("CSP-01 is not mapped inherited from sc-8 (equivalent-to)")
	}
	own := readBuiltinMapping(t, "ncsc-csp-nist-800-53")
	if len(own.Pairs) < 2 {
		t.Fatal("too few pairs to test")
	}
	data, _ := fs.ReadFile(content.FS(), "mappings/ncsc-csp-nist-800-53.yaml")
	files["mappings/mine.yaml"] = &fstest.MapFile{Data: data}
	fsys := fstest.MapFS{workspace.RootFile: {Data: []byte("name: x\ncatalogues: [ncsc-csp]\n")}}
	for k, v := range files {
		fsys[k] = v
	}
	if _, err := workspace.LoadFS(fsys, "ws"); err == nil || !strings.Contains(err.Error(), `is not in catalogue "nist-800-53"`) {
		t.Errorf("the workspace's own copy is not refused for controls the catalogue lacks: %v", err)
	}
}

// readBuiltinMapping reads a built-in mapping's file as it is written.
func readBuiltinMapping(t *testing.T, id string) remit.ControlMappings {
	t.Helper()
	data, err := fs.ReadFile(content.FS(), "mappings/"+id+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m remit.ControlMappings
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return m
}

// TestDocMappingsMatchContent: each built-in mapping's table in
// doc/content.md lists its pairs, in order, exactly.
func TestDocMappingsMatchContent(t *testing.T) {
	lines := readDoc(t)
	doc := strings.Join(lines, "\n")
	header := []string{"from", "to", "relationship", "note"}
	heading := regexp.MustCompile("^### .*\\(`([a-z0-9-]+)`\\)$")
	tables := map[string][][]string{}
	current := ""
	for i := 0; i < len(lines); i++ {
		if m := heading.FindStringSubmatch(lines[i]); m != nil {
			current = m[1]
			continue
		}
		if cells, ok := splitRow(lines[i]); ok && slices.Equal(cells, header) && current != "" {
			i++
			for i+1 < len(lines) {
				cells, ok := splitRow(lines[i+1])
				if !ok {
					break
				}
				i++
				tables[current] = append(tables[current], cells)
			}
			current = ""
		}
	}
	for _, id := range content.MappingIDs() {
		m := readBuiltinMapping(t, id)
		var want [][]string
		for _, p := range m.Pairs {
			want = append(want, []string{p.From, p.To, string(p.Relationship), p.Note})
		}
		if !slices.EqualFunc(tables[id], want, slices.Equal) {
			t.Errorf("%s: the table for %s does not list its %d pairs as the file does (%d rows)", docPath, id, len(want), len(tables[id]))
			for i := range max(len(want), len(tables[id])) {
				var w, g []string
				if i < len(want) {
					w = want[i]
				}
				if i < len(tables[id]) {
					g = tables[id][i]
				}
				if !slices.Equal(w, g) {
					t.Errorf("  row %d: doc %q, file %q", i+1, g, w)
					break
				}
			}
		}
		for _, s := range []string{m.Title, m.Source.Title, m.Source.URL} {
			if !strings.Contains(doc, s) {
				t.Errorf("%s: mapping %s: %q is not mentioned", docPath, id, s)
			}
		}
	}
}
