package workspace

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"remit/internal/remit"
)

// Write writes ws as a workspace folder in dir: remit.yaml and one file
// per catalogue, provider and system that is not built in. The output is
// canonical (keys in documented order, one spelling for every value), so
// writing what Load read gives the same bytes every time. Write refuses a
// folder that already holds a remit.yaml.
func Write(dir string, ws *remit.Workspace) error {
	if _, err := os.Stat(filepath.Join(dir, RootFile)); err == nil {
		return fmt.Errorf("write workspace: %s already holds %s: %w", dir, RootFile, remit.ErrConflict)
	}
	files := Files(ws)
	for _, name := range sortedNames(files) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write workspace: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("write workspace: %w", err)
		}
	}
	return nil
}

// Files renders ws as workspace files, keyed by slash-separated path.
// Built-in catalogues, providers and mappings are not rendered: remit.yaml
// names them.
func Files(ws *remit.Workspace) map[string][]byte {
	files := make(map[string][]byte, 1+len(ws.Catalogues)+len(ws.Providers)+len(ws.Systems))
	var w writer
	w.key(0, "name", ws.Name)
	w.key(0, "organisation", ws.Organisation)
	w.flowList(0, "catalogues", ws.CatalogueIDs)
	w.flowList(0, "providers", ws.ProviderIDs)
	w.flowList(0, "mappings", ws.MappingIDs)
	files[RootFile] = w.take()
	for i := range ws.Catalogues {
		c := &ws.Catalogues[i]
		if c.BuiltIn {
			continue
		}
		w.catalogue(c)
		files[CataloguesDir+"/"+c.ID+".yaml"] = w.take()
	}
	for i := range ws.Providers {
		p := &ws.Providers[i]
		if p.BuiltIn {
			continue
		}
		w.provider(p)
		files[ProvidersDir+"/"+p.ID+".yaml"] = w.take()
	}
	for i := range ws.Systems {
		s := &ws.Systems[i]
		w.system(s)
		files[SystemsDir+"/"+s.ID+".yaml"] = w.take()
	}
	for i := range ws.Checks {
		c := &ws.Checks[i]
		w.checks(c)
		files[ChecksDir+"/"+c.ID+".yaml"] = w.take()
	}
	for i := range ws.Mappings {
		m := &ws.Mappings[i]
		if m.BuiltIn {
			continue
		}
		w.mappings(m)
		files[MappingsDir+"/"+m.ID+".yaml"] = w.take()
	}
	return files
}

// writer emits block-style YAML. Each method writes one key at an indent;
// empty values are left out, as Load reads an absent key as empty.
type writer struct{ buf bytes.Buffer }

func (w *writer) take() []byte {
	out := bytes.Clone(w.buf.Bytes())
	w.buf.Reset()
	return out
}

// item starts a list entry: the first key of an entry at indent n is
// written after "- " at indent n-2.
func (w *writer) indent(n int, first bool) {
	if first {
		w.buf.WriteString(strings.Repeat(" ", n-2))
		w.buf.WriteString("- ")
		return
	}
	w.buf.WriteString(strings.Repeat(" ", n))
}

func (w *writer) keyAt(n int, first bool, key, value string) {
	if value == "" {
		return
	}
	w.indent(n, first)
	w.buf.WriteString(key)
	w.buf.WriteString(": ")
	w.buf.WriteString(scalar(value))
	w.buf.WriteByte('\n')
}

func (w *writer) key(n int, key, value string) { w.keyAt(n, false, key, value) }

func (w *writer) flowList(n int, key string, values []string) { w.flowListAt(n, false, key, values) }

func (w *writer) flowListAt(n int, first bool, key string, values []string) {
	if len(values) == 0 {
		return
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = scalar(v)
		if strings.ContainsAny(quoted[i], ",[]{}?") && quoted[i][0] != '"' {
			quoted[i] = strconv.Quote(v)
		}
	}
	w.indent(n, first)
	fmt.Fprintf(&w.buf, "%s: [%s]\n", key, strings.Join(quoted, ", "))
}

func (w *writer) open(n int, key string) {
	w.indent(n, false)
	w.buf.WriteString(key)
	w.buf.WriteString(":\n")
}

func (w *writer) source(n int, s *remit.Source) {
	if s == nil {
		return
	}
	w.open(n, "source")
	w.key(n+2, "title", s.Title)
	w.key(n+2, "url", s.URL)
	w.key(n+2, "version", s.Version)
	w.key(n+2, "date", s.Date)
}

func (w *writer) catalogue(c *remit.Catalogue) {
	w.key(0, "id", c.ID)
	w.key(0, "title", c.Title)
	w.key(0, "version", c.Version)
	w.source(0, c.Source)
	w.open(0, "controls")
	for _, ctl := range c.Controls {
		w.keyAt(4, true, "id", ctl.ID)
		w.key(4, "title", ctl.Title)
		w.key(4, "statement", ctl.Statement)
		w.key(4, "area", string(ctl.Area))
		w.key(4, "group", ctl.Group)
	}
}

func (w *writer) provider(p *remit.Provider) {
	w.key(0, "id", p.ID)
	w.key(0, "name", p.Name)
	w.open(0, "offerings")
	for _, o := range p.Offerings {
		w.keyAt(4, true, "id", o.ID)
		w.key(4, "name", o.Name)
		w.key(4, "service_model", string(o.ServiceModel))
		w.flowList(4, "depends_on", o.DependsOn)
		w.source(4, o.Source)
		if len(o.Statements) == 0 {
			continue
		}
		w.open(4, "statements")
		for _, s := range o.Statements {
			w.keyAt(8, true, "control", s.Control)
			w.key(8, "class", string(s.Class))
			w.key(8, "provider", s.Provider)
			w.key(8, "customer", s.Customer)
			w.source(8, s.Source)
		}
	}
}

func (w *writer) system(s *remit.System) {
	w.key(0, "id", s.ID)
	w.key(0, "name", s.Name)
	w.key(0, "owner", s.Owner)
	w.key(0, "team", s.Team)
	w.key(0, "classification", s.Classification)
	w.open(0, "baseline")
	w.key(2, "catalogue", s.Baseline.Catalogue)
	if s.Baseline.All {
		w.key(2, "controls", "all")
	} else {
		w.flowList(2, "controls", s.Baseline.Controls)
	}
	if len(s.Baseline.NotApplicable) > 0 {
		w.open(2, "not_applicable")
		for _, x := range s.Baseline.NotApplicable {
			w.keyAt(6, true, "control", x.Control)
			w.key(6, "reason", x.Reason)
		}
	}
	if len(s.Uses) == 0 {
		w.buf.WriteString("uses: []\n")
		return
	}
	w.open(0, "uses")
	for _, u := range s.Uses {
		w.keyAt(4, true, "offering", u.Offering)
		w.key(4, "purpose", u.Purpose)
	}
}

// checks writes a checks file; each entry starts with a key it always
// has (a mapping's tool when it names one, else its rules; a scope's
// system).
func (w *writer) checks(c *remit.CheckMappings) {
	if len(c.Mappings) > 0 {
		w.open(0, "mappings")
	}
	for _, m := range c.Mappings {
		if m.Tool != "" {
			w.keyAt(4, true, "tool", m.Tool)
			w.flowList(4, "rules", m.Rules)
		} else {
			w.flowListAt(4, true, "rules", m.Rules)
		}
		w.key(4, "control", m.Control)
		w.key(4, "window", m.Window)
	}
	if len(c.Systems) > 0 {
		w.open(0, "systems")
	}
	for _, s := range c.Systems {
		w.keyAt(4, true, "system", s.System)
		w.flowList(4, "accounts", s.Accounts)
		w.flowList(4, "repositories", s.Repositories)
		w.flowList(4, "tags", s.Tags)
	}
}

// MappingsFile renders one mappings file (mappings/<id>.yaml).
func MappingsFile(m *remit.ControlMappings) []byte {
	var w writer
	w.mappings(m)
	return w.take()
}

// mappings writes a mappings file.
func (w *writer) mappings(m *remit.ControlMappings) {
	w.key(0, "title", m.Title)
	w.source(0, m.Source)
	w.key(0, "from", m.From)
	w.key(0, "to", m.To)
	w.open(0, "pairs")
	for _, p := range m.Pairs {
		w.keyAt(4, true, "from", p.From)
		w.key(4, "to", p.To)
		w.key(4, "relationship", string(p.Relationship))
		w.key(4, "note", p.Note)
	}
}

// special are words YAML 1.1 or 1.2 would read as something other than text.
var special = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "~": true, "y": true, "n": true,
}

// scalar writes a string as a plain scalar when that reads back exactly,
// and as a double-quoted one otherwise.
func scalar(s string) string {
	if isPlain(s) && !special[strings.ToLower(s)] && !numeric(s) {
		return s
	}
	return strconv.Quote(s)
}

// isPlain reports whether s can be written without quotes in block
// context: it starts with a letter, digit or "(", holds no control
// character, no ": " (a key) and no " #" (a comment), and does not end with
// ":" or a space.
func isPlain(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '(') {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return false
		case c >= utf8.RuneSelf:
			// Next lines, line and paragraph separators are line breaks
			// to YAML; C1 controls and byte-order marks are not text.
			r, _ := utf8.DecodeRuneInString(s[i:])
			if (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError {
				return false
			}
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return false
		case c == '#' && s[i-1] == ' ':
			return false
		}
	}
	return s[len(s)-1] != ' '
}

// numeric reports whether YAML might read s as a number, which would lose
// its spelling (1.10 → 1.1).
func numeric(s string) bool {
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
		return true
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return true
	}
	return false
}

func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
