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
const DefaultWindow = 7 * 24 * time.Hour

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
// received (when the run was handed in).
func Judge(run Run, maps []Mapping, received time.Time) []Verdict {
	var out []Verdict
	index := map[remit.ControlRef]int{}
	for _, m := range maps {
		window := m.Window
		if window == 0 {
			window = DefaultWindow
		}
		for _, r := range run.Results {
			if r.Outcome == Skip || !m.matches(run.Tool, r.Rule) {
				continue
			}
			i, ok := index[m.Control]
			if !ok {
				i = len(out)
				index[m.Control] = i
				out = append(out, Verdict{Control: m.Control, Outcome: Pass, Window: window})
			}
			v := &out[i]
			v.Window = min(v.Window, window)
			if !slices.Contains(v.Rules, r.Rule) {
				v.Rules = append(v.Rules, r.Rule)
			}
			when := r.Observed
			if when.IsZero() {
				when = received
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
	return out
}

// mappingFile is checks/*.yaml in a workspace:
//
//	mappings:
//	  - tool: Checkov
//	    rules: [CKV_AWS_24, CKV_AWS_25]
//	    control: srm:SRM-07
//	    window: 14d
type mappingFile struct {
	Mappings []struct {
		Tool    string    `yaml:"tool"`
		Rules   yaml.Node `yaml:"rules"`
		Control string    `yaml:"control"`
		Window  string    `yaml:"window"`
	} `yaml:"mappings"`
}

// ReadMappings reads a mappings file; a problem names its line.
func ReadMappings(name string, r io.Reader) ([]Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, err
	}
	var f mappingFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Lines of each entry, for messages.
	var lines []int
	if len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "mappings" {
				for _, item := range doc.Content[i+1].Content {
					lines = append(lines, item.Line)
				}
			}
		}
	}
	if len(f.Mappings) == 0 {
		return nil, fmt.Errorf("%s: there are no mappings: write them under mappings:, each with rules and a control", name)
	}
	var out []Mapping
	for i, m := range f.Mappings {
		at := name
		if i < len(lines) {
			at = fmt.Sprintf("%s:%d", name, lines[i])
		}
		var rules []string
		switch m.Rules.Kind {
		case yaml.ScalarNode:
			rules = []string{m.Rules.Value}
		case yaml.SequenceNode:
			for _, n := range m.Rules.Content {
				if n.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s:%d: a rule is a check id or a glob, not a %s", name, n.Line, kindName(n))
				}
				rules = append(rules, n.Value)
			}
		case 0:
		default:
			return nil, fmt.Errorf("%s:%d: rules are a list of check ids or globs", name, m.Rules.Line)
		}
		if len(rules) == 0 {
			return nil, fmt.Errorf("%s: the mapping has no rules: name the check ids (exact, or globs like CKV_AWS_*)", at)
		}
		for _, r := range rules {
			if _, err := path.Match(r, ""); err != nil || strings.TrimSpace(r) == "" {
				return nil, fmt.Errorf("%s: rule %q is not a check id or a glob", at, r)
			}
		}
		ref, err := remit.ParseControlRef(m.Control)
		if err != nil {
			return nil, fmt.Errorf("%s: control: %v", at, err)
		}
		window, err := parseWindow(m.Window)
		if err != nil {
			return nil, fmt.Errorf("%s: window %q is not a length of time: write it as 7d, 36h or 90m", at, m.Window)
		}
		out = append(out, Mapping{Tool: m.Tool, Rules: rules, Control: ref, Window: window})
	}
	return out, nil
}

func kindName(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		return "mapping"
	}
	return "list"
}

// parseWindow reads "7d", or anything time.ParseDuration takes; "" is
// the default window.
func parseWindow(s string) (time.Duration, error) {
	if s == "" {
		return DefaultWindow, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n <= 0 || n > 366 || fmt.Sprint(n) != days {
			return 0, errors.New("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("bad duration")
	}
	return d, nil
}
