package remit

import (
	"fmt"
	"iter"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/persist"
)

// AutomatedResult is what automated checks last said of one control in
// one system (doc/checks.md): Failed when any mapped result failed, else
// passed, observed at Observed and good for Window. It only ever speaks
// for our obligations — the organisation-specific control, or our part of
// a shared one — never for a provider's.
type AutomatedResult struct {
	System  string        `json:"system"`
	Control string        `json:"control"` // catalogue:control
	Failed  bool          `json:"failed"`
	Tool    string        `json:"tool"`
	Rules   []string      `json:"rules"`
	Window  time.Duration `json:"window"`
	// Failing names the failing resources (rule: resource), for the reason.
	Failing  []string  `json:"failing,omitempty"`
	Observed time.Time `json:"observed"`
	// Run is the stored run it comes from.
	Run string `json:"run"`
}

// Automated holds, per system and control, each tool's latest automated
// result. It is a persistent value: With returns a new one that shares
// all it did not change, so handing in results for a few systems costs
// those results, not the estate's.
type Automated struct {
	m persist.Map[[]AutomatedResult]
}

// AutomatedOf holds results (each tool's latest per system and control).
func AutomatedOf(rs ...AutomatedResult) Automated { return Automated{}.With(rs...) }

// With returns a holding with rs added: for each system, control and
// tool, the result observed last wins (the later handed in, of equals).
func (a Automated) With(rs ...AutomatedResult) Automated {
	for _, r := range rs {
		k := r.System + "|" + r.Control
		held, _ := a.m.Get(k)
		i := slices.IndexFunc(held, func(l AutomatedResult) bool { return l.Tool == r.Tool })
		switch {
		case i < 0:
			a.m = a.m.Put(k, append(slices.Clip(held), r))
		case !r.Observed.Before(held[i].Observed):
			next := slices.Clone(held)
			next[i] = r
			a.m = a.m.Put(k, next)
		}
	}
	return a
}

// For is each tool's latest result for a control in a system.
func (a Automated) For(system, control string) []AutomatedResult {
	rs, _ := a.m.Get(system + "|" + control)
	return rs
}

// All yields each system and control's results.
func (a Automated) All() iter.Seq2[string, []AutomatedResult] { return a.m.All() }

// Len is how many system and control pairs have results.
func (a Automated) Len() int { return a.m.Len() }

// WithAutomated returns an index like x but assuring by a; x is not
// changed.
func (x *EvidenceIndex) WithAutomated(a Automated) *EvidenceIndex {
	cp := *x
	cp.automated = a
	return &cp
}

// assureAutomated holds one of our obligations to the automated results
// for its system and control (each tool's latest), if any: a failure of
// any fails it whatever else says; passes all within their windows assure
// it; a lapsed pass is stale unless other assurance still stands. Without
// results, other stands as it is.
func (x *EvidenceIndex) assureAutomated(o ObligationRef, other Assurance, now time.Time) Assurance {
	rs := x.automated.For(o.System, o.Control)
	if len(rs) == 0 {
		return other
	}
	r := rs[0]
	for _, c := range rs[1:] {
		switch {
		case c.Failed && !r.Failed:
			r = c
		case c.Failed == r.Failed && c.Observed.Add(c.Window).Before(r.Observed.Add(r.Window)):
			r = c // of equals, the one lapsing first
		}
	}
	what := fmt.Sprintf("%s (%s, run %s, %s)", r.Tool, strings.Join(r.Rules, ", "), r.Run, r.Observed.UTC().Format("2 Jan 2006 15:04"))
	switch {
	case r.Failed:
		failing := strings.Join(r.Failing, "; ")
		if len(r.Failing) > 5 {
			failing = strings.Join(r.Failing[:5], "; ") + fmt.Sprintf("; and %d more", len(r.Failing)-5)
		}
		return Assurance{Status: AssuranceFailed, Reason: fmt.Sprintf("failed the automated checks of %s: %s", what, failing), Automated: true}
	case now.Sub(r.Observed) > r.Window:
		if other.Status == Assured || other.Status == AssuranceUnnecessary {
			return other
		}
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("passed the automated checks of %s, but that was more than %s ago", what, window(r.Window)), Evidence: other.Evidence, Automated: true}
	}
	if other.Status == AssuranceFailed || other.Status == AssuranceUnnecessary {
		return other // a person's judgement of failure, or not applicable, stands
	}
	a := Assurance{Status: Assured, Reason: "assured by the automated checks of " + what, Automated: true}
	if other.Status == Assured {
		a.Evidence = other.Evidence
	}
	return a
}

func window(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// CheckRun is one results file handed in for a system: what it held and
// the verdicts it gave the controls its rules are mapped to.
type CheckRun struct {
	ID       string    `json:"id"`
	System   string    `json:"system"`
	Tool     string    `json:"tool"`
	Format   string    `json:"format"`
	Received time.Time `json:"received"`
	By       string    `json:"by"`
	// Pass, Fail and Skip count the file's results; Unmapped those whose
	// rules no mapping names.
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Skip     int `json:"skip"`
	Unmapped int `json:"unmapped"`
	// Verdicts are the run's results per control.
	Verdicts []AutomatedResult `json:"verdicts"`
}

// CheckMappings is one checks/*.yaml file of a workspace: which rules of
// which tools speak for which controls, and which systems a tool's
// results are about when the run names no system.
type CheckMappings struct {
	// ID is the file's name without .yaml.
	ID       string         `json:"id" required:"false" doc:"Taken from the path when omitted"`
	Mappings []CheckMapping `json:"mappings"`
	Systems  []CheckScope   `json:"systems,omitempty"`
}

// CheckMapping says that results of Tool (any tool when empty, compared
// without case) for any of Rules (exact ids or globs: * ? [a-z]) speak for
// Control, a pass keeping it assured for Window ("7d", "36h"; 7 days when
// empty).
type CheckMapping struct {
	Tool    string   `json:"tool,omitempty"`
	Rules   []string `json:"rules"`
	Control string   `json:"control"`
	Window  string   `json:"window,omitempty"`
}

// CheckScope says which results are about System when a run is handed in
// without naming one: those in any of Accounts (a cloud account id), from
// any of Repositories (as the tool names the repository), or about a
// resource carrying any of Tags ("Key=Value").
type CheckScope struct {
	System       string   `json:"system"`
	Accounts     []string `json:"accounts,omitempty"`
	Repositories []string `json:"repositories,omitempty"`
	Tags         []string `json:"tags,omitempty"`
}

// DefaultWindow is how long a passing automated result keeps a control
// assured unless its mapping says otherwise.
const DefaultWindow = 7 * 24 * time.Hour

// ParseWindow reads a window: whole days ("7d", at most 366) or anything
// time.ParseDuration takes ("36h", "90m"); "" is DefaultWindow.
func ParseWindow(s string) (time.Duration, error) {
	bad := fmt.Errorf("window %q is not a length of time: write it as 7d, 36h or 90m", s)
	if s == "" {
		return DefaultWindow, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 366 || strconv.Itoa(n) != days {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > 366*24*time.Hour {
		return 0, bad
	}
	return d, nil
}

// fileID checks the id of one of a folder's files (checks/, mappings/):
// well formed and not used twice.
func (v *validator) fileID(at, what, id string, seen map[string]bool) bool {
	if !v.id(at+"/id", what, id) {
		return false
	}
	if seen[id] {
		v.add(at+"/id", "%s %q is named twice", what, id)
	}
	seen[id] = true
	return true
}

// checks validates the workspace's check mappings: ids, rules, windows,
// controls that exist and systems that exist.
func (v *validator) checks() {
	seen := map[string]bool{}
	systems := map[string]bool{}
	for _, s := range v.ws.Systems {
		systems[s.ID] = true
	}
	for i, f := range v.ws.Checks {
		at := fmt.Sprintf("/checks/%d", i)
		if !v.fileID(at, "checks file", f.ID, seen) {
			continue
		}
		if len(f.Mappings) == 0 && len(f.Systems) == 0 {
			v.add(at, "there are no mappings or systems: write mappings (rules and a control) or systems (which results are about which system)")
		}
		for j, m := range f.Mappings {
			at := fmt.Sprintf("%s/mappings/%d", at, j)
			ps := m.Validate()
			for _, p := range ps {
				v.add(at+p.Pointer, "%s", p.Message)
			}
			ref, err := ParseControlRef(m.Control)
			switch {
			case err != nil:
			case !v.HasCatalogue(ref.Catalogue):
				v.add(at+"/control", "catalogue %q does not exist%s", ref.Catalogue, suggest(ref.Catalogue, v.CatalogueIDs()))
			case !v.HasControl(ref.Catalogue, ref.Control):
				v.add(at+"/control", "control %q is not in catalogue %q%s", ref.Control, ref.Catalogue, suggest(ref.Control, v.ControlIDs(ref.Catalogue)))
			}
		}
		for j, s := range f.Systems {
			at := fmt.Sprintf("%s/systems/%d", at, j)
			for _, p := range s.Validate() {
				v.add(at+p.Pointer, "%s", p.Message)
			}
			if !systems[s.System] && s.System != "" {
				v.add(at+"/system", "system %q does not exist%s", s.System, suggest(s.System, slices.Collect(maps.Keys(systems))))
			}
		}
	}
}

// Validate checks a mapping on its own: its rules, control reference and
// window (whether the control exists is the workspace's to say).
func (m CheckMapping) Validate() []Problem {
	var ps []Problem
	add := func(pointer, format string, args ...any) {
		ps = append(ps, Problem{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	if len(m.Tool) > MaxName {
		add("/tool", "tool is longer than %d characters", MaxName)
	}
	if len(m.Rules) == 0 {
		add("/rules", "the mapping has no rules: name the check ids (exact, or globs like CKV_AWS_*)")
	}
	for k, r := range m.Rules {
		if _, err := path.Match(r, ""); err != nil || strings.TrimSpace(r) == "" || len(r) > MaxName {
			add(fmt.Sprintf("/rules/%d", k), "rule %q is not a check id or a glob (* ? [a-z])", r)
		}
	}
	if _, err := ParseControlRef(m.Control); err != nil {
		add("/control", "control: %v", err)
	}
	if _, err := ParseWindow(m.Window); err != nil {
		add("/window", "%v", err)
	}
	return ps
}

// Validate checks a scope on its own (whether the system exists is the
// workspace's to say).
func (s CheckScope) Validate() []Problem {
	var ps []Problem
	add := func(pointer, format string, args ...any) {
		ps = append(ps, Problem{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	if s.System == "" {
		add("/system", "system is required: name the system the results are about")
	}
	if len(s.Accounts)+len(s.Repositories)+len(s.Tags) == 0 {
		add("", "say which results are about system %q: accounts, repositories or tags", s.System)
	}
	for k, a := range s.Accounts {
		if strings.TrimSpace(a) == "" || len(a) > MaxName {
			add(fmt.Sprintf("/accounts/%d", k), "account %q is not an account id", a)
		}
	}
	for k, r := range s.Repositories {
		if strings.TrimSpace(r) == "" || len(r) > MaxURL {
			add(fmt.Sprintf("/repositories/%d", k), "repository %q is not a repository", r)
		}
	}
	for k, t := range s.Tags {
		if key, _, ok := strings.Cut(t, "="); !ok || strings.TrimSpace(key) == "" || len(t) > MaxName {
			add(fmt.Sprintf("/tags/%d", k), "tag %q is not Key=Value", t)
		}
	}
	return ps
}
