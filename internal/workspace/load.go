// Package workspace reads and writes Remit's model-as-code format: a folder
// holding remit.yaml, catalogues/*.yaml, providers/*.yaml and
// systems/*.yaml. Every problem is reported at once, as file:line:column.
package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"remit/internal/checks"
	"remit/internal/content"
	"remit/internal/remit"
)

// The folders of a workspace, each holding one object per .yaml file.
const (
	RootFile      = "remit.yaml"
	CataloguesDir = "catalogues"
	ProvidersDir  = "providers"
	SystemsDir    = "systems"
	// ChecksDir holds mappings of automated check results to controls
	// and systems (doc/checks.md).
	ChecksDir = "checks"
	// MappingsDir holds how one catalogue's controls relate to another's
	// (doc/engine.md).
	MappingsDir = "mappings"
)

// origin records where one top-level object came from, so a problem found
// later by remit.Validate can be put back on its line. Its parse tree is
// not kept (on a large estate the trees take many times the files' size):
// locate parses the file again, which only a file with a problem needs.
type origin struct {
	fsys fs.FS
	rel  string
	file string
	// root is the parse tree, kept only for remit.yaml (small, and read
	// for built-in names), or once a problem has needed it.
	root *yaml.Node
}

// loader holds the state of one Load.
type loader struct {
	problems []remit.Problem
	ws       remit.Workspace
	rootFile origin
	root     root
	// origins per kind, in the same order as the workspace's slices.
	catalogues, providers, systems, checks, mappings []origin
	// trees are the files parsed again to locate problems.
	trees map[string]*yaml.Node
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
		l.rootFile = origin{fsys: fsys, rel: RootFile, file: d.file, root: n}
		l.root = d.root(n)
		l.ws.Name, l.ws.Organisation = l.root.Name, l.root.Organisation
		l.ws.CatalogueIDs, l.ws.ProviderIDs, l.ws.MappingIDs = l.root.Catalogues, l.root.Providers, l.root.Mappings
	}
	// Built-in content first, then the workspace's own files, each kind in
	// file-name order so that results never depend on the directory listing.
	var jobs []job
	for _, file := range l.builtins(d, "catalogues", l.root.Catalogues, content.CatalogueIDs(), CataloguesDir) {
		jobs = append(jobs, job{fsys: content.FS(), rel: file, display: "builtin/" + file, kind: kindCatalogue, builtIn: true})
	}
	for _, file := range l.builtins(d, "providers", l.root.Providers, content.ProviderIDs(), ProvidersDir) {
		jobs = append(jobs, job{fsys: content.FS(), rel: file, display: "builtin/" + file, kind: kindProvider, builtIn: true})
	}
	for _, kd := range []struct {
		dir  string
		kind kind
	}{{CataloguesDir, kindCatalogue}, {ProvidersDir, kindProvider}, {SystemsDir, kindSystem}} {
		for _, f := range l.dir(fsys, kd.dir, name) {
			jobs = append(jobs, job{fsys: fsys, rel: f, display: name(f), kind: kd.kind})
		}
	}
	parseAll(jobs)
	// Gather in order, so problems and ids come out the same every time.
	for i := range jobs {
		j := &jobs[i]
		l.problems = append(l.problems, j.problems...)
		if !j.parsed {
			continue
		}
		o := origin{fsys: j.fsys, rel: j.rel, file: j.display}
		switch j.kind {
		case kindCatalogue:
			j.catalogue.BuiltIn = j.builtIn
			l.ws.Catalogues = append(l.ws.Catalogues, j.catalogue)
			l.catalogues = append(l.catalogues, o)
		case kindProvider:
			j.provider.BuiltIn = j.builtIn
			l.ws.Providers = append(l.ws.Providers, j.provider)
			l.providers = append(l.providers, o)
		case kindSystem:
			l.ws.Systems = append(l.ws.Systems, j.system)
			l.systems = append(l.systems, o)
		}
		jobs[i] = job{} // let what was decoded go with the workspace alone
	}
	// Checks files are few and small: read in turn.
	for _, f := range l.dir(fsys, ChecksDir, name) {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			l.problems = append(l.problems, remit.Problem{File: name(f), Message: "cannot read: " + err.Error()})
			continue
		}
		c, err := checks.ReadMappings(name(f), bytes.NewReader(data))
		var verr *remit.ValidationError
		switch {
		case errors.As(err, &verr):
			l.problems = append(l.problems, verr.Problems...)
			continue
		case err != nil:
			l.problems = append(l.problems, remit.Problem{File: name(f), Message: err.Error()})
			continue
		}
		c.ID = strings.TrimSuffix(path.Base(f), path.Ext(f))
		l.ws.Checks = append(l.ws.Checks, c)
		l.checks = append(l.checks, origin{fsys: fsys, rel: f, file: name(f)})
	}
	// Mappings: the built-in ones remit.yaml names, then the workspace's.
	type mappingFile struct {
		fsys         fs.FS
		rel, display string
		builtIn      bool
	}
	var mfs []mappingFile
	for _, f := range l.builtins(d, "mappings", l.root.Mappings, content.MappingIDs(), MappingsDir) {
		mfs = append(mfs, mappingFile{content.FS(), f, "builtin/" + f, true})
	}
	for _, f := range l.dir(fsys, MappingsDir, name) {
		mfs = append(mfs, mappingFile{fsys, f, name(f), false})
	}
	for _, f := range mfs {
		data, err := fs.ReadFile(f.fsys, f.rel)
		if err != nil {
			l.problems = append(l.problems, remit.Problem{File: f.display, Message: "cannot read: " + err.Error()})
			continue
		}
		m, p := readMappings(f.display, data)
		if p != nil {
			l.problems = append(l.problems, *p)
			continue
		}
		m.ID = strings.TrimSuffix(path.Base(f.rel), path.Ext(f.rel))
		m.BuiltIn = f.builtIn
		l.ws.Mappings = append(l.ws.Mappings, m)
		l.mappings = append(l.mappings, origin{fsys: f.fsys, rel: f.rel, file: f.display})
	}
}

// mappingsFile is the shape of mappings/*.yaml.
type mappingsFile struct {
	Title  string        `yaml:"title"`
	Source *remit.Source `yaml:"source"`
	From   string        `yaml:"from"`
	To     string        `yaml:"to"`
	Pairs  []struct {
		From         string `yaml:"from"`
		To           string `yaml:"to"`
		Relationship string `yaml:"relationship"`
		Note         string `yaml:"note"`
	} `yaml:"pairs"`
}

// readMappings reads a mappings file's shape; what it refers to is
// remit.Validate's to check, against the whole workspace (its problems
// are put back on their lines).
func readMappings(file string, data []byte) (remit.ControlMappings, *remit.Problem) {
	var f mappingsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = notFound.ReplaceAllString(msg, "is not known: a mappings file has title, source, from, to and pairs (each from, to, relationship, note)")
		if errors.Is(err, io.EOF) {
			msg = "file is empty: expected from, to and pairs"
		}
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return remit.ControlMappings{}, &remit.Problem{File: file, Line: line, Message: msg}
	}
	m := remit.ControlMappings{Title: f.Title, Source: f.Source, From: f.From, To: f.To}
	for _, p := range f.Pairs {
		m.Pairs = append(m.Pairs, remit.ControlPair{From: p.From, To: p.To, Relationship: remit.Relationship(p.Relationship), Note: p.Note})
	}
	return m, nil
}

var (
	yamlLine = regexp.MustCompile(`line (\d+)`)
	notFound = regexp.MustCompile(`not found in type [\w.]+`)
)

// kind is the kind of object a file holds.
type kind int

const (
	kindCatalogue kind = iota
	kindProvider
	kindSystem
)

var expects = [...]string{kindCatalogue: catalogueExpect, kindProvider: providerExpect, kindSystem: systemExpect}

// job is one file to read, parse and decode, and what came of it.
type job struct {
	fsys     fs.FS
	rel      string
	display  string
	kind     kind
	builtIn  bool
	parsed   bool
	problems []remit.Problem
	// What the file held, by kind.
	catalogue remit.Catalogue
	provider  remit.Provider
	system    remit.System
}

// parseAll reads, parses and decodes every job's file, on as many
// goroutines as there are processors: parsing is most of a load's time,
// and files are independent. Each file's parse tree is dropped as soon as
// it is decoded, so a load holds one tree per goroutine, not one per file.
func parseAll(jobs []job) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			// One interner per goroutine: no locking, and at most as many
			// copies of a string as there are goroutines.
			strs := newInterner()
			for i := range next {
				j := &jobs[i]
				data, err := fs.ReadFile(j.fsys, j.rel)
				if err != nil {
					j.problems = append(j.problems, remit.Problem{File: j.display, Message: "cannot read: " + err.Error()})
					continue
				}
				d := &decoder{file: j.display, problems: &j.problems, strings: strs}
				node := d.parse(data, expects[j.kind])
				if node == nil {
					continue
				}
				j.parsed = true
				switch j.kind {
				case kindCatalogue:
					j.catalogue = d.catalogue(node)
				case kindProvider:
					j.provider = d.provider(node)
				case kindSystem:
					j.system = d.system(node)
				}
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
}

// builtins checks the built-in content named in remit.yaml under key and
// returns the files to load for it, relative to content.FS().
func (l *loader) builtins(root *decoder, key string, ids, known []string, dir string) []string {
	var files []string
	seq := l.root.nodes[key]
	for i, id := range ids {
		at := seq
		if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
			at = seq.Content[i]
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
		files = append(files, path.Join(dir, id+".yaml"))
	}
	return files
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
		case "checks":
			list = l.checks
		case "mappings":
			list = l.mappings
		}
		if err == nil && i >= 0 && i < len(list) {
			o, rest = list[i], segs[2:]
		}
	}
	if o.file == "" {
		o = l.rootFile
	}
	root := l.tree(o)
	if root == nil {
		return p
	}
	p.File = o.file
	p.Line, p.Column = position(find(root, rest))
	return p
}

// tree is the parse tree of an origin's file, parsed again (once per
// file) when a problem in it needs its lines.
func (l *loader) tree(o origin) *yaml.Node {
	if o.root != nil || o.fsys == nil {
		return o.root
	}
	if t, ok := l.trees[o.file]; ok {
		return t
	}
	var t *yaml.Node
	if data, err := fs.ReadFile(o.fsys, o.rel); err == nil {
		var ignored []remit.Problem
		t = (&decoder{file: o.file, problems: &ignored}).parse(data, "")
	}
	if l.trees == nil {
		l.trees = map[string]*yaml.Node{}
	}
	l.trees[o.file] = t
	return t
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
