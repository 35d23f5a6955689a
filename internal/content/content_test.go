package content_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/workspace"
)

// docPath is the user documentation of the built-in content, which must
// agree with the content itself.
const docPath = "../../doc/content.md"

// examplePath is the bundled example estate.
const examplePath = "../../examples/justice"

// loadBuiltins loads a workspace that lists every built-in catalogue and
// provider and has nothing of its own, failing the test with every problem
// the loader reports.
func loadBuiltins(t *testing.T) *remit.Workspace {
	t.Helper()
	root := fmt.Sprintf("name: Built-in content\norganisation: Remit\ncatalogues: [%s]\nproviders: [%s]\n",
		strings.Join(content.CatalogueIDs(), ", "), strings.Join(content.ProviderIDs(), ", "))
	ws, err := workspace.LoadFS(fstest.MapFS{workspace.RootFile: {Data: []byte(root)}}, "builtins")
	if err != nil {
		var ve *remit.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				t.Errorf("problem: %s", p)
			}
		}
		t.Fatalf("the built-in content does not load: %v", err)
	}
	return ws
}

func TestBuiltinContentLoads(t *testing.T) {
	cats, provs := content.CatalogueIDs(), content.ProviderIDs()
	if len(cats) == 0 || len(provs) == 0 {
		t.Fatalf("no built-in content: catalogues %v, providers %v", cats, provs)
	}
	ws := loadBuiltins(t)
	var gotCats, gotProvs []string
	for _, c := range ws.Catalogues {
		if !c.BuiltIn {
			t.Errorf("catalogue %q is not marked built in", c.ID)
		}
		gotCats = append(gotCats, c.ID)
	}
	for _, p := range ws.Providers {
		if !p.BuiltIn {
			t.Errorf("provider %q is not marked built in", p.ID)
		}
		gotProvs = append(gotProvs, p.ID)
	}
	slices.Sort(gotCats)
	slices.Sort(gotProvs)
	if !slices.Equal(gotCats, cats) {
		t.Errorf("loaded catalogues %v, want %v", gotCats, cats)
	}
	if !slices.Equal(gotProvs, provs) {
		t.Errorf("loaded providers %v, want %v", gotProvs, provs)
	}
	// The engine resolves every reference (depends_on included) or fails.
	if _, err := engine.New(ws, content.Defaults()); err != nil {
		t.Errorf("the engine rejects the built-in content: %v", err)
	}
}

func TestBuiltinIDsMatchFileNames(t *testing.T) {
	for _, dir := range []struct {
		name string
		ids  []string
	}{{"catalogues", content.CatalogueIDs()}, {"providers", content.ProviderIDs()}} {
		entries, err := fs.ReadDir(content.FS(), dir.name)
		if err != nil {
			t.Fatalf("read built-in %s: %v", dir.name, err)
		}
		if len(entries) != len(dir.ids) {
			t.Errorf("%s: %d files but %d ids %v", dir.name, len(entries), len(dir.ids), dir.ids)
		}
		for _, e := range entries {
			file := path.Join(dir.name, e.Name())
			if path.Ext(e.Name()) != ".yaml" {
				t.Errorf("%s: built-in files end in .yaml", file)
				continue
			}
			data, err := fs.ReadFile(content.FS(), file)
			if err != nil {
				t.Fatalf("read %s: %v", file, err)
			}
			var head struct {
				ID string `yaml:"id"`
			}
			if err := yaml.Unmarshal(data, &head); err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			if want := strings.TrimSuffix(e.Name(), ".yaml"); head.ID != want {
				t.Errorf("%s: id is %q, want %q (the file name): remit.yaml names built-in content by file", file, head.ID, want)
			}
		}
	}
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// sourceProblems lists what is missing or malformed in a source.
func sourceProblems(s *remit.Source) []string {
	var out []string
	if strings.TrimSpace(s.Title) == "" {
		out = append(out, "no title")
	}
	if strings.TrimSpace(s.Version) == "" {
		out = append(out, "no version")
	}
	if u, err := url.Parse(s.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		out = append(out, fmt.Sprintf("url %q is not an https URL", s.URL))
	}
	if _, err := time.Parse(time.DateOnly, s.Date); err != nil || !dateRE.MatchString(s.Date) {
		out = append(out, fmt.Sprintf("date %q is not YYYY-MM-DD", s.Date))
	}
	return out
}

func TestBuiltinOfferingsCiteSources(t *testing.T) {
	ws := loadBuiltins(t)
	offerings := 0
	for _, p := range ws.Providers {
		for _, o := range p.Offerings {
			offerings++
			ref := remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String()
			if o.Source != nil {
				for _, msg := range sourceProblems(o.Source) {
					t.Errorf("%s: offering source: %s", ref, msg)
				}
			}
			if len(o.Statements) == 0 {
				t.Errorf("%s: no statements", ref)
			}
			for _, s := range o.Statements {
				src := s.Source
				if src == nil {
					src = o.Source
				}
				if src == nil {
					t.Errorf("%s: statement for %s has no source and the offering has none", ref, s.Control)
					continue
				}
				if s.Source != nil {
					for _, msg := range sourceProblems(s.Source) {
						t.Errorf("%s: source of the statement for %s: %s", ref, s.Control, msg)
					}
				}
			}
		}
	}
	if offerings == 0 {
		t.Fatal("the built-in providers have no offerings")
	}
}

func TestBuiltinControlsHaveAreaAndStatement(t *testing.T) {
	ws := loadBuiltins(t)
	for _, c := range ws.Catalogues {
		if c.Source == nil {
			t.Errorf("catalogue %s: no source", c.ID)
		} else {
			for _, msg := range sourceProblems(c.Source) {
				t.Errorf("catalogue %s: source: %s", c.ID, msg)
			}
		}
		if len(c.Controls) == 0 {
			t.Errorf("catalogue %s: no controls", c.ID)
		}
		for _, ctl := range c.Controls {
			ref := remit.ControlRef{Catalogue: c.ID, Control: ctl.ID}.String()
			if !ctl.Area.Valid() {
				t.Errorf("%s: area %q is not one of %v", ref, ctl.Area, remit.Areas)
			}
			if strings.TrimSpace(ctl.Statement) == "" {
				t.Errorf("%s: no statement", ref)
			}
			if strings.TrimSpace(ctl.Title) == "" {
				t.Errorf("%s: no title", ref)
			}
		}
	}
}

func TestDefaultsTable(t *testing.T) {
	d := content.Defaults()
	seen := map[remit.Area]int{}
	for _, r := range d.Rules {
		seen[r.Area]++
		if !r.Area.Valid() {
			t.Errorf("rule for unknown area %q", r.Area)
		}
		if strings.TrimSpace(r.Title) == "" {
			t.Errorf("%s: no title", r.Area)
		}
		if strings.TrimSpace(r.Provider) == "" {
			t.Errorf("%s: no assumed provider wording", r.Area)
		}
		if strings.TrimSpace(r.Customer) == "" {
			t.Errorf("%s: no assumed customer wording", r.Area)
		}
		for _, m := range remit.ServiceModels {
			c, ok := r.Classes[m]
			switch {
			case !ok:
				t.Errorf("%s: no class under %s", r.Area, m)
			case c == remit.NotApplicable:
				t.Errorf("%s under %s: a default is never not-applicable", r.Area, m)
			case !c.Valid():
				t.Errorf("%s under %s: unknown class %q", r.Area, m, c)
			}
		}
		for m := range r.Classes {
			if !m.Valid() {
				t.Errorf("%s: class for unknown service model %q", r.Area, m)
			}
		}
	}
	for _, a := range remit.Areas {
		if seen[a] != 1 {
			t.Errorf("area %s has %d rules, want exactly 1", a, seen[a])
		}
	}
	if len(d.Rules) != len(remit.Areas) {
		t.Errorf("%d rules, want one per area (%d)", len(d.Rules), len(remit.Areas))
	}
	if len(d.Sources) == 0 {
		t.Error("the default table cites no source")
	}
	for i := range d.Sources {
		for _, msg := range sourceProblems(&d.Sources[i]) {
			t.Errorf("default source %d (%s): %s", i+1, d.Sources[i].Title, msg)
		}
	}
}

func TestDefaultsKeyCells(t *testing.T) {
	d := content.Defaults()
	physical, ok := d.Rule(remit.AreaPhysical)
	if !ok {
		t.Fatal("no rule for physical")
	}
	data, ok := d.Rule(remit.AreaData)
	if !ok {
		t.Fatal("no rule for data")
	}
	for _, m := range remit.ServiceModels {
		want := remit.Inherited
		if m == remit.OnPremises {
			want = remit.OrganisationSpecific
		}
		if got := physical.Classes[m]; got != want {
			t.Errorf("physical under %s is %q, want %q", m, got, want)
		}
		if got := data.Classes[m]; got != remit.OrganisationSpecific {
			t.Errorf("data under %s is %q, want %q", m, got, remit.OrganisationSpecific)
		}
	}
}

// docRow is one body row of a Markdown table in the documentation.
type docRow struct {
	line  int
	cells []string
}

// splitRow splits a Markdown table row into its cells, trimmed and with
// code marks removed; ok is false when the line is not a table row.
func splitRow(line string) (cells []string, ok bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil, false
	}
	for c := range strings.SplitSeq(line[1:len(line)-1], "|") {
		cells = append(cells, strings.TrimSpace(strings.ReplaceAll(c, "`", "")))
	}
	return cells, true
}

// readDoc returns the lines of the content documentation.
func readDoc(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v", docPath, err)
	}
	return strings.Split(string(data), "\n")
}

// docTable collects the body rows of every table in the documentation
// whose header row is exactly header.
func docTable(t *testing.T, lines []string, header ...string) []docRow {
	t.Helper()
	var rows []docRow
	found := false
	for i := 0; i < len(lines); i++ {
		cells, ok := splitRow(lines[i])
		if !ok || !slices.Equal(cells, header) {
			continue
		}
		found = true
		i++ // the |---| line
		for i+1 < len(lines) {
			cells, ok := splitRow(lines[i+1])
			if !ok {
				break
			}
			i++
			rows = append(rows, docRow{line: i + 1, cells: cells})
		}
	}
	if !found {
		t.Fatalf("%s: no table with the header | %s |", docPath, strings.Join(header, " | "))
	}
	return rows
}

// compareTable checks that the documentation's rows are exactly want,
// matching rows by their first cell; ordered also checks their order.
func compareTable(t *testing.T, what string, header []string, rows []docRow, want [][]string, ordered bool) {
	t.Helper()
	byKey := map[string]docRow{}
	var docKeys []string
	for _, r := range rows {
		key := r.cells[0]
		if prev, dup := byKey[key]; dup {
			t.Errorf("%s:%d: %s: row %q appears again (first on line %d)", docPath, r.line, what, key, prev.line)
			continue
		}
		byKey[key] = r
		docKeys = append(docKeys, key)
	}
	var wantKeys []string
	for _, w := range want {
		key := w[0]
		wantKeys = append(wantKeys, key)
		r, ok := byKey[key]
		if !ok {
			t.Errorf("%s: %s: no row for %q; the content gives | %s |", docPath, what, key, strings.Join(w, " | "))
			continue
		}
		if len(r.cells) != len(w) {
			t.Errorf("%s:%d: %s: row %q has %d cells, want %d: | %s |", docPath, r.line, what, key, len(r.cells), len(w), strings.Join(w, " | "))
			continue
		}
		for i := range w {
			if r.cells[i] != w[i] {
				t.Errorf("%s:%d: %s: row %q, column %q says %q but the content says %q", docPath, r.line, what, key, header[i], r.cells[i], w[i])
			}
		}
	}
	for _, key := range docKeys {
		if !slices.Contains(wantKeys, key) {
			t.Errorf("%s:%d: %s: row %q is not in the content", docPath, byKey[key].line, what, key)
		}
	}
	if ordered && !t.Failed() && !slices.Equal(docKeys, wantKeys) {
		t.Errorf("%s: %s: rows are in the order %v, want %v", docPath, what, docKeys, wantKeys)
	}
}

func TestDocDefaultTableMatchesContent(t *testing.T) {
	lines := readDoc(t)
	d := content.Defaults()

	header := []string{"area"}
	for _, m := range remit.ServiceModels {
		header = append(header, string(m))
	}
	var want [][]string
	for _, r := range d.Rules {
		row := []string{string(r.Area)}
		for _, m := range remit.ServiceModels {
			row = append(row, string(r.Classes[m]))
		}
		want = append(want, row)
	}
	compareTable(t, "default table", header, docTable(t, lines, header...), want, true)

	header = []string{"area", "title", "assumed provider part", "assumed customer part"}
	want = nil
	for _, r := range d.Rules {
		want = append(want, []string{string(r.Area), r.Title, r.Provider, r.Customer})
	}
	compareTable(t, "assumed wording", header, docTable(t, lines, header...), want, true)

	doc := strings.Join(lines, "\n")
	for _, s := range d.Sources {
		cite := fmt.Sprintf("[%s](%s), %s, %s.", s.Title, s.URL, s.Version, s.Date)
		if !strings.Contains(doc, cite) {
			t.Errorf("%s: the default table's source is not cited as %q", docPath, cite)
		}
	}
}

func TestDocCataloguesMatchContent(t *testing.T) {
	ws := loadBuiltins(t)
	lines := readDoc(t)
	header := []string{"id", "title", "area", "group"}
	var want [][]string
	for _, c := range ws.Catalogues {
		for _, ctl := range c.Controls {
			want = append(want, []string{ctl.ID, ctl.Title, string(ctl.Area), ctl.Group})
		}
	}
	compareTable(t, "catalogue tables", header, docTable(t, lines, header...), want, false)
	doc := strings.Join(lines, "\n")
	for _, c := range ws.Catalogues {
		for _, s := range []string{c.Title, c.Source.Title, c.Source.URL, c.Source.Date} {
			if !strings.Contains(doc, s) {
				t.Errorf("%s: catalogue %s: %q is not mentioned", docPath, c.ID, s)
			}
		}
	}
}

func TestDocProvidersMatchContent(t *testing.T) {
	ws := loadBuiltins(t)
	lines := readDoc(t)
	d := content.Defaults()
	var srm *remit.Catalogue
	for i := range ws.Catalogues {
		if ws.Catalogues[i].ID == "srm" {
			srm = &ws.Catalogues[i]
		}
	}
	if srm == nil {
		t.Fatal("no built-in srm catalogue")
	}

	offHeader := []string{"offering", "name", "service model", "depends on", "statements (srm + ncsc-csp)", "srm controls left to assumed defaults"}
	srcHeader := []string{"offering", "source", "version", "date"}
	var offWant, srcWant [][]string
	doc := strings.Join(lines, "\n")
	for _, p := range ws.Providers {
		for _, o := range p.Offerings {
			ref := remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String()
			deps := "—"
			if len(o.DependsOn) > 0 {
				deps = strings.Join(o.DependsOn, ", ")
			}
			stated := map[string]bool{}
			nSRM, nCSP := 0, 0
			for _, s := range o.Statements {
				stated[s.Control] = true
				cr, _ := remit.ParseControlRef(s.Control)
				cat := cr.Catalogue
				switch cat {
				case "srm":
					nSRM++
				case "ncsc-csp":
					nCSP++
				}
			}
			var left []string
			for _, ctl := range srm.Controls {
				if stated[remit.ControlRef{Catalogue: srm.ID, Control: ctl.ID}.String()] {
					continue
				}
				r, _ := d.Rule(ctl.Area)
				left = append(left, fmt.Sprintf("%s (%s)", ctl.ID, r.Classes[o.ServiceModel]))
			}
			offWant = append(offWant, []string{ref, o.Name, string(o.ServiceModel), deps,
				fmt.Sprintf("%d (%d + %d)", len(o.Statements), nSRM, nCSP), strings.Join(left, ", ")})
			src := "—"
			version, date := "—", "—"
			if o.Source != nil {
				src = fmt.Sprintf("[%s](%s)", o.Source.Title, o.Source.URL)
				version, date = o.Source.Version, o.Source.Date
			}
			srcWant = append(srcWant, []string{ref, src, version, date})

			// Statements citing a page of their own are listed under the
			// provider, one line per offering and source.
			own := map[remit.Source][]string{}
			var order []remit.Source
			for _, s := range o.Statements {
				if s.Source == nil {
					continue
				}
				if _, ok := own[*s.Source]; !ok {
					order = append(order, *s.Source)
				}
				own[*s.Source] = append(own[*s.Source], s.Control)
			}
			for _, s := range order {
				var refs []string
				for _, c := range own[s] {
					refs = append(refs, "`"+c+"`")
				}
				line := fmt.Sprintf("- %s, %s: [%s](%s), %s, %s.", o.Name, strings.Join(refs, ", "), s.Title, s.URL, s.Version, s.Date)
				if !strings.Contains(doc, line) {
					t.Errorf("%s: %s: statements with their own source are not listed as\n%s", docPath, ref, line)
				}
			}
		}
	}
	compareTable(t, "offering tables", offHeader, docTable(t, lines, offHeader...), offWant, false)
	compareTable(t, "offering source tables", srcHeader, docTable(t, lines, srcHeader...), srcWant, false)
}

func TestExampleEstateExercisesContent(t *testing.T) {
	ws, err := workspace.Load(examplePath)
	if err != nil {
		t.Fatalf("the example estate does not load: %v", err)
	}
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	offerings := map[string]*remit.Offering{}
	for i := range ws.Providers {
		p := &ws.Providers[i]
		for j := range p.Offerings {
			offerings[remit.OfferingRef{Provider: p.ID, Offering: p.Offerings[j].ID}.String()] = &p.Offerings[j]
		}
	}
	classes := map[remit.Class]bool{}
	assumed, fourthParty, noOfferings := false, false, false
	for i, s := range ws.Systems {
		m := e.Matrix(int32(i))
		for j := range m.Cells {
			c := &m.Cells[j]
			classes[c.Class()] = true
			assumed = assumed || c.Assumed()
		}
		if len(s.Uses) == 0 {
			noOfferings = true
		}
		for _, u := range s.Uses {
			if o := offerings[u.Offering]; o != nil && len(o.DependsOn) > 0 {
				fourthParty = true
			}
		}
	}
	for _, c := range remit.Classes {
		if !classes[c] {
			t.Errorf("no cell of any system in the example estate is %s", c)
		}
	}
	if !assumed {
		t.Error("no cell of the example estate rests on an assumed default")
	}
	if !fourthParty {
		t.Error("no system of the example estate uses an offering that depends on another (a fourth party)")
	}
	if !noOfferings {
		t.Error("every system of the example estate uses some offering; one should use none")
	}
}
