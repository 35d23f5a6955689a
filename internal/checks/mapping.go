package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

// DefaultWindow is how long a result speaks for a control unless its
// mapping says otherwise.
const DefaultWindow = remit.DefaultWindow

// Mapping says which rules of a tool speak for a control. A result
// matches when its run's tool is Tool (any tool when empty, compared
// without case) and its rule is one of Rules, each an exact id or a glob
// (path.Match: * ? [a-z]).
type Mapping struct {
	Tool    string
	Rules   []string
	Control remit.ControlRef
	// Window is how long a passing result keeps the control assured.
	Window time.Duration
}

// matches reports whether a result of tool's run with this rule is one of
// the mapping's.
func (m Mapping) matches(tool, rule string) bool {
	if m.Tool != "" && !strings.EqualFold(m.Tool, tool) {
		return false
	}
	for _, r := range m.Rules {
		if r == rule {
			return true
		}
		if ok, _ := path.Match(r, rule); ok {
			return true
		}
	}
	return false
}

// Verdict is what a run says of one control: Fail when any result a
// mapping gives it failed, else Pass when at least one passed. Rules are
// the rules that spoke, Failing the failing results (for findings).
type Verdict struct {
	Control  remit.ControlRef
	Outcome  Outcome
	Rules    []string
	Failing  []Result
	Observed time.Time
	Window   time.Duration
}

// State is the verdict's word at now: "failed" for a failure, "assured"
// for a pass observed within the window, "stale" once the window has
// passed.
func (v Verdict) State(now time.Time) string {
	switch {
	case v.Outcome == Fail:
		return "failed"
	case now.Sub(v.Observed) > v.Window:
		return "stale"
	}
	return "assured"
}

// Judge applies mappings to a run, one verdict per control that any
// mapping gives a passing or failing result, in the order of the
// mappings. A result observed at no time is taken as observed at
// received (when the run was handed in). Each distinct rule is matched
// against the mappings once, so a run costs its results plus its rules
// times the mappings.
func Judge(run Run, maps []Mapping, received time.Time) []Verdict {
	type slot struct {
		first int // the first mapping that gave it, for the order
		v     Verdict
	}
	slots := map[remit.ControlRef]*slot{}
	memo := map[string][]int{}
	for _, r := range run.Results {
		if r.Outcome == Skip {
			continue
		}
		// The mappings that speak for the rule, the first for each
		// control, worked out once per rule.
		hits, ok := memo[r.Rule]
		if !ok {
			for i, m := range maps {
				if m.matches(run.Tool, r.Rule) && !slices.ContainsFunc(hits, func(j int) bool { return maps[j].Control == m.Control }) {
					hits = append(hits, i)
				}
			}
			memo[r.Rule] = hits
		}
		when := r.Observed
		if when.IsZero() {
			when = received
		}
		for _, i := range hits {
			m := maps[i]
			window := m.Window
			if window == 0 {
				window = DefaultWindow
			}
			sl := slots[m.Control]
			if sl == nil {
				sl = &slot{first: i, v: Verdict{Control: m.Control, Outcome: Pass, Window: window}}
				slots[m.Control] = sl
			}
			v := &sl.v
			v.Window = min(v.Window, window)
			if !slices.Contains(v.Rules, r.Rule) {
				v.Rules = append(v.Rules, r.Rule)
			}
			if when.After(v.Observed) {
				v.Observed = when
			}
			if r.Outcome == Fail {
				v.Outcome = Fail
				v.Failing = append(v.Failing, r)
			}
		}
	}
	ordered := make([]*slot, 0, len(slots))
	for _, sl := range slots {
		ordered = append(ordered, sl)
	}
	slices.SortFunc(ordered, func(a, b *slot) int { return a.first - b.first })
	out := make([]Verdict, len(ordered))
	for i, sl := range ordered {
		out[i] = sl.v
	}
	return out
}

// Router finds the system a result is about, from the systems of checks
// files: by the result's cloud account, its repository, or a tag of its
// resource.
type Router struct {
	accounts, repositories, tags map[string]string
}

// NewRouter indexes the checks files' systems.
func NewRouter(files ...remit.CheckMappings) *Router {
	rt := &Router{accounts: map[string]string{}, repositories: map[string]string{}, tags: map[string]string{}}
	for _, f := range files {
		for _, s := range f.Systems {
			for _, a := range s.Accounts {
				rt.accounts[strings.TrimSpace(a)] = s.System
			}
			for _, r := range s.Repositories {
				rt.repositories[normalRepository(r)] = s.System
			}
			for _, t := range s.Tags {
				rt.tags[t] = s.System
			}
		}
	}
	return rt
}

// Empty reports whether the router knows no system.
func (rt *Router) Empty() bool {
	return len(rt.accounts)+len(rt.repositories)+len(rt.tags) == 0
}

// System is the system r is about, or "" when none is known: its
// account first, then its repository, then the first of its tags that
// names one.
func (rt *Router) System(r Result) string {
	if s, ok := rt.accounts[r.Account]; ok && r.Account != "" {
		return s
	}
	if s, ok := rt.repositories[normalRepository(r.Repository)]; ok && r.Repository != "" {
		return s
	}
	for _, t := range r.Tags {
		if s, ok := rt.tags[t]; ok {
			return s
		}
	}
	return ""
}

// Split divides a run's results by the system each is about; unrouted
// counts those about no known system.
func (rt *Router) Split(run Run) (bySystem map[string]Run, unrouted int) {
	bySystem = map[string]Run{}
	for _, r := range run.Results {
		s := rt.System(r)
		if s == "" {
			unrouted++
			continue
		}
		sub, ok := bySystem[s]
		if !ok {
			sub = Run{Format: run.Format, Tool: run.Tool, Version: run.Version}
		}
		sub.Results = append(sub.Results, r)
		bySystem[s] = sub
	}
	return bySystem, unrouted
}

// normalRepository compares repositories without case, a trailing slash
// or ".git".
func normalRepository(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	r = strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
	return r
}

// Compile turns checks files into the mappings Judge applies, in order.
// The files must be valid (ReadMappings, remit.Validate).
func Compile(files ...remit.CheckMappings) ([]Mapping, error) {
	var out []Mapping
	for _, f := range files {
		for i, m := range f.Mappings {
			ref, err := remit.ParseControlRef(m.Control)
			if err != nil {
				return nil, fmt.Errorf("checks %s: mapping %d: %w", f.ID, i+1, err)
			}
			window, err := remit.ParseWindow(m.Window)
			if err != nil {
				return nil, fmt.Errorf("checks %s: mapping %d: %w", f.ID, i+1, err)
			}
			out = append(out, Mapping{Tool: m.Tool, Rules: m.Rules, Control: ref, Window: window})
		}
	}
	return out, nil
}

// mappingFile is the shape of checks/*.yaml in a workspace:
//
//	mappings:
//	  - tool: Checkov
//	    rules: [CKV_AWS_24, CKV_AWS_25]
//	    control: srm:SRM-07
//	    window: 14d
//	systems:
//	  - system: prison-visits
//	    accounts: ["111122223333"]
//	    repositories: [https://github.com/example/prison-visits]
//	    tags: [remit-system=prison-visits]
type mappingFile struct {
	Mappings []struct {
		Tool    string    `yaml:"tool"`
		Rules   yaml.Node `yaml:"rules"`
		Control string    `yaml:"control"`
		Window  string    `yaml:"window"`
	} `yaml:"mappings"`
	Systems []struct {
		System       string    `yaml:"system"`
		Accounts     yaml.Node `yaml:"accounts"`
		Repositories yaml.Node `yaml:"repositories"`
		Tags         yaml.Node `yaml:"tags"`
	} `yaml:"systems"`
}

// ReadMappings reads a checks file named name (checks/network.yaml: its
// id is network): its shape, and each mapping's rules, control reference
// and window. A problem names the file and line. Whether the controls and
// systems exist is remit.Validate's to say, against the whole workspace.
func ReadMappings(name string, r io.Reader) (remit.CheckMappings, error) {
	fail := func(line int, format string, args ...any) (remit.CheckMappings, error) {
		return remit.CheckMappings{}, &remit.ValidationError{Problems: []remit.Problem{{File: name, Line: line, Message: fmt.Sprintf(format, args...)}}}
	}
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return remit.CheckMappings{}, err
	}
	var f mappingFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fail(0, "%v", err)
	}
	// Lines of each entry, for messages.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fail(0, "%v", err)
	}
	lines := map[string][]int{}
	if len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			for _, item := range doc.Content[i+1].Content {
				lines[doc.Content[i].Value] = append(lines[doc.Content[i].Value], item.Line)
			}
		}
	}
	line := func(key string, i int) int {
		if i < len(lines[key]) {
			return lines[key][i]
		}
		return 0
	}
	out := remit.CheckMappings{ID: strings.TrimSuffix(path.Base(filepathToSlash(name)), path.Ext(name))}
	if len(f.Mappings) == 0 && len(f.Systems) == 0 {
		return fail(0, "there are no mappings: write them under mappings:, each with rules and a control (or under systems:, which results are about which system)")
	}
	for i, m := range f.Mappings {
		rules, err := strs(m.Rules, "rules are a list of check ids or globs", "a rule is a check id or a glob")
		if err != nil {
			return fail(err.line, "%s", err.msg)
		}
		cm := remit.CheckMapping{Tool: m.Tool, Rules: rules, Control: m.Control, Window: m.Window}
		if ps := cm.Validate(); len(ps) > 0 {
			return fail(line("mappings", i), "%s", ps[0].Message)
		}
		out.Mappings = append(out.Mappings, cm)
	}
	for i, s := range f.Systems {
		sc := remit.CheckScope{System: s.System}
		for _, x := range []struct {
			n   yaml.Node
			dst *[]string
		}{{s.Accounts, &sc.Accounts}, {s.Repositories, &sc.Repositories}, {s.Tags, &sc.Tags}} {
			v, err := strs(x.n, "a list of names", "each is a name")
			if err != nil {
				return fail(err.line, "%s", err.msg)
			}
			*x.dst = v
		}
		if ps := sc.Validate(); len(ps) > 0 {
			return fail(line("systems", i), "%s", ps[0].Message)
		}
		out.Systems = append(out.Systems, sc)
	}
	return out, nil
}

// filepathToSlash turns a Windows path's separators into slashes, so
// path.Base finds the file name.
func filepathToSlash(name string) string { return strings.ReplaceAll(name, "\\", "/") }

type nodeError struct {
	line int
	msg  string
}

// strs reads a scalar or a list of scalars.
func strs(n yaml.Node, notList, notScalar string) ([]string, *nodeError) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, &nodeError{c.Line, fmt.Sprintf("%s, not a %s", notScalar, kindName(c))}
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, &nodeError{n.Line, notList}
}

func kindName(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		return "mapping"
	}
	return "list"
}
