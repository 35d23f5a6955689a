// Package workspace reads and writes Remit's model-as-code format: a folder
// holding remit.yaml, catalogues/*.yaml, providers/*.yaml and
// systems/*.yaml. Every problem is reported at once, as file:line:column.
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"remit/internal/content"
	"remit/internal/remit"
)

// The folders of a workspace, each holding one object per .yaml file.
const (
	RootFile      = "remit.yaml"
	CataloguesDir = "catalogues"
	ProvidersDir  = "providers"
	SystemsDir    = "systems"
)

// origin records where one top-level object came from, so a problem found
// later by remit.Validate can be put back on its line.
type origin struct {
	file string
	root ast.Node
}

// loader holds the state of one Load.
type loader struct {
	problems []remit.Problem
	ws       remit.Workspace
	rootFile origin
	root     root
	// origins per kind, in the same order as the workspace's slices.
	catalogues, providers, systems []origin
}

// Load reads the workspace in dir, together with the built-in content it
// names, and validates it. On any problem it returns a
// *remit.ValidationError listing every one, sorted by file and line.
func Load(dir string) (*remit.Workspace, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &remit.ValidationError{Problems: []remit.Problem{{File: dir, Message: "no such folder: give the folder that holds remit.yaml"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("open workspace: %w", err)
	}
	if !info.IsDir() {
		return nil, &remit.ValidationError{Problems: []remit.Problem{{File: dir, Message: "not a folder: a workspace is a folder holding remit.yaml"}}}
	}
	return LoadFS(os.DirFS(dir), dir)
}

// LoadFS is Load over any file system; display is the folder name used in
// messages.
func LoadFS(fsys fs.FS, display string) (*remit.Workspace, error) {
	l := &loader{}
	l.load(fsys, display)
	if l.rootFile.root == nil {
		// Without remit.yaml there is no workspace to validate.
		sortProblems(l.problems)
		return nil, &remit.ValidationError{Problems: l.problems}
	}
	// Validate even when decoding found problems, so the user sees every
	// problem at once, but drop what only echoes a problem already
	// reported on the same line (a value of the wrong shape is also missing).
	type place struct {
		file string
		line int
	}
	decoded := make(map[place]bool, len(l.problems))
	for _, p := range l.problems {
		decoded[place{p.File, p.Line}] = true
	}
	for _, p := range remit.Validate(&l.ws) {
		if p = l.locate(p); !decoded[place{p.File, p.Line}] {
			l.problems = append(l.problems, p)
		}
	}
	if len(l.problems) > 0 {
		sortProblems(l.problems)
		return nil, &remit.ValidationError{Problems: l.problems}
	}
	return &l.ws, nil
}

func (l *loader) load(fsys fs.FS, display string) {
	name := func(rel string) string { return filepath.Join(display, filepath.FromSlash(rel)) }
	data, err := fs.ReadFile(fsys, RootFile)
	if err != nil {
		msg := "cannot read: " + err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "missing: a workspace folder starts with remit.yaml (run remit init to make one)"
		}
		l.problems = append(l.problems, remit.Problem{File: name(RootFile), Message: msg})
		return
	}
	d := &decoder{file: name(RootFile), problems: &l.problems}
	if n := d.parse(data, rootExpect); n != nil {
		l.rootFile = origin{file: d.file, root: n}
		l.root = d.root(n)
		l.ws.Name, l.ws.Organisation = l.root.Name, l.root.Organisation
		l.ws.CatalogueIDs, l.ws.ProviderIDs = l.root.Catalogues, l.root.Providers
	}
	// Built-in content first, then the workspace's own files, each kind in
	// file-name order so that results never depend on the directory listing.
	l.builtins(d, "catalogues", l.root.Catalogues, content.CatalogueIDs(), CataloguesDir, catalogueExpect, func(d *decoder, n ast.Node, builtIn bool) {
		c := d.catalogue(n)
		c.BuiltIn = builtIn
		l.ws.Catalogues = append(l.ws.Catalogues, c)
		l.catalogues = append(l.catalogues, origin{d.file, n})
	})
	l.builtins(d, "providers", l.root.Providers, content.ProviderIDs(), ProvidersDir, providerExpect, func(d *decoder, n ast.Node, builtIn bool) {
		p := d.provider(n)
		p.BuiltIn = builtIn
		l.ws.Providers = append(l.ws.Providers, p)
		l.providers = append(l.providers, origin{d.file, n})
	})
	for _, f := range l.dir(fsys, CataloguesDir, name) {
		l.file(fsys, f, name(f), catalogueExpect, func(d *decoder, n ast.Node) {
			l.ws.Catalogues = append(l.ws.Catalogues, d.catalogue(n))
			l.catalogues = append(l.catalogues, origin{d.file, n})
		})
	}
	for _, f := range l.dir(fsys, ProvidersDir, name) {
		l.file(fsys, f, name(f), providerExpect, func(d *decoder, n ast.Node) {
			l.ws.Providers = append(l.ws.Providers, d.provider(n))
			l.providers = append(l.providers, origin{d.file, n})
		})
	}
	for _, f := range l.dir(fsys, SystemsDir, name) {
		l.file(fsys, f, name(f), systemExpect, func(d *decoder, n ast.Node) {
			l.ws.Systems = append(l.ws.Systems, d.system(n))
			l.systems = append(l.systems, origin{d.file, n})
		})
	}
}

// builtins loads the built-in content named in remit.yaml under key.
func (l *loader) builtins(root *decoder, key string, ids, known []string, dir, expect string, add func(d *decoder, n ast.Node, builtIn bool)) {
	seq, _ := l.root.nodes[key].(*ast.SequenceNode)
	for i, id := range ids {
		var at ast.Node
		if seq != nil && i < len(seq.Values) {
			at = seq.Values[i]
		}
		if !slices.Contains(known, id) {
			hint := remit.Closest(id, known)
			msg := fmt.Sprintf("%s: %q is not built in; built-in %s are %s", key, id, key, strings.Join(known, ", "))
			if hint != "" {
				msg = fmt.Sprintf("%s: %q is not built in (did you mean %q?); built-in %s are %s", key, id, hint, key, strings.Join(known, ", "))
			}
			root.add(at, "%s; put your own in %s/", msg, dir)
			continue
		}
		if slices.Index(ids, id) < i {
			root.add(at, "%s: %q is listed twice", key, id)
			continue
		}
		file := path.Join(dir, id+".yaml")
		l.file(content.FS(), file, "builtin/"+file, expect, func(d *decoder, n ast.Node) { add(d, n, true) })
	}
}

// dir lists the .yaml and .yml files of one workspace folder, sorted.
func (l *loader) dir(fsys fs.FS, dir string, name func(string) string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.problems = append(l.problems, remit.Problem{File: name(dir), Message: "cannot read folder: " + err.Error()})
		return nil
	}
	var files []string
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	slices.Sort(files)
	return files
}

func (l *loader) file(fsys fs.FS, rel, display, expect string, fn func(d *decoder, n ast.Node)) {
	data, err := fs.ReadFile(fsys, rel)
	if err != nil {
		l.problems = append(l.problems, remit.Problem{File: display, Message: "cannot read: " + err.Error()})
		return
	}
	d := &decoder{file: display, problems: &l.problems}
	if n := d.parse(data, expect); n != nil {
		fn(d, n)
	}
}

// locate turns a problem addressed by JSON pointer into one at a file's
// line and column.
func (l *loader) locate(p remit.Problem) remit.Problem {
	segs := strings.Split(strings.TrimPrefix(p.Pointer, "/"), "/")
	var o origin
	rest := segs
	if len(segs) >= 2 {
		i, err := strconv.Atoi(segs[1])
		var list []origin
		switch segs[0] {
		case "catalogues":
			list = l.catalogues
		case "providers":
			list = l.providers
		case "systems":
			list = l.systems
		}
		if err == nil && i >= 0 && i < len(list) {
			o, rest = list[i], segs[2:]
		}
	}
	if o.root == nil {
		o = l.rootFile
	}
	if o.root == nil {
		return p
	}
	p.File = o.file
	p.Line, p.Column = position(find(o.root, rest))
	return p
}

func sortProblems(ps []remit.Problem) {
	slices.SortStableFunc(ps, func(a, b remit.Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

func join(keys []string) string { return strings.Join(keys, ", ") }
