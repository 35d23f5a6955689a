package remit

import (
	"fmt"
	"strings"
	"time"
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

// assureAutomated holds one of our obligations to the automated results
// for its system and control (each tool's latest), if any: a failure of
// any fails it whatever else says; passes all within their windows assure
// it; a lapsed pass is stale unless other assurance still stands. Without
// results, other stands as it is.
func (x *EvidenceIndex) assureAutomated(o ObligationRef, other Assurance, now time.Time) Assurance {
	rs := x.automated[[2]string{o.System, o.Control}]
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
		return Assurance{Status: AssuranceFailed, Reason: fmt.Sprintf("failed the automated checks of %s: %s", what, failing)}
	case now.Sub(r.Observed) > r.Window:
		if other.Status == Assured || other.Status == AssuranceUnnecessary {
			return other
		}
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("passed the automated checks of %s, but that was more than %s ago", what, window(r.Window)), Evidence: other.Evidence}
	}
	if other.Status == AssuranceFailed || other.Status == AssuranceUnnecessary {
		return other // a person's judgement of failure, or not applicable, stands
	}
	a := Assurance{Status: Assured, Reason: "assured by the automated checks of " + what}
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
