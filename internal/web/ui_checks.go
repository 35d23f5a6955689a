package web

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
)

// CheckResult is one tool's latest automated result for a control in a
// system, as the system page and the dashboard show it.
type CheckResult struct {
	System, SystemName string
	Control, Title     string
	Tool               string
	Rules              string
	// State is failed, passed or stale.
	State    string
	Observed string
	Ago      string
	Failing  []string
	More     int
	Run      string
}

// checkResult describes r at now.
func checkResult(sn *service.Snapshot, r remit.AutomatedResult, now time.Time) CheckResult {
	c := CheckResult{System: r.System, Control: r.Control, Tool: r.Tool, Rules: strings.Join(r.Rules, ", "), Run: r.Run,
		Observed: r.Observed.UTC().Format("2 Jan 2006 15:04 UTC"), Ago: ago(now.Sub(r.Observed)), State: "passed"}
	switch {
	case r.Failed:
		c.State = "failed"
	case now.Sub(r.Observed) > r.Window:
		c.State = "stale"
	}
	c.Failing = r.Failing[:min(5, len(r.Failing))]
	c.More = len(r.Failing) - len(c.Failing)
	if sys, _, ok := sn.System(r.System); ok {
		c.SystemName = sys.Name
	}
	if ci, ok := sn.Control(r.Control); ok {
		c.Title = ci.Control.Title
	}
	return c
}

// systemChecks lists the automated results for a system's controls: the
// failed first, then the stale, then the passed, each by control.
func systemChecks(sn *service.Snapshot, system string, controls []string, now time.Time) []CheckResult {
	var out []CheckResult
	auto := sn.Automated()
	for _, ctl := range controls {
		for _, r := range auto.For(system, ctl) {
			out = append(out, checkResult(sn, r, now))
		}
	}
	order := map[string]int{"failed": 0, "stale": 1, "passed": 2}
	slices.SortStableFunc(out, func(a, b CheckResult) int {
		return cmp.Or(order[a.State]-order[b.State], strings.Compare(a.Control, b.Control), strings.Compare(a.Tool, b.Tool))
	})
	return out
}

// ago says how long ago, in a word or two.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// CheckRunItem is one run handed in, for the evidence register.
type CheckRunItem struct {
	ID, System, SystemName, Tool, Format, By, Received string
	Pass, Fail, Skip, Unmapped                         int
	Failed, Passed                                     []string
}

// recentRuns lists the newest check runs, at most n, and how many there
// are.
func recentRuns(sn *service.Snapshot, n int) ([]CheckRunItem, int) {
	total := sn.NumCheckRuns()
	var out []CheckRunItem
	for i := total - 1; i >= 0 && len(out) < n; i-- {
		r, _ := sn.CheckRunAt(i)
		it := CheckRunItem{ID: r.ID, System: r.System, Tool: r.Tool, Format: r.Format, By: r.By, Received: r.Received.UTC().Format("2 Jan 2006 15:04 UTC"),
			Pass: r.Pass, Fail: r.Fail, Skip: r.Skip, Unmapped: r.Unmapped}
		if sys, _, ok := sn.System(r.System); ok {
			it.SystemName = sys.Name
		}
		for _, v := range r.Verdicts {
			if v.Failed {
				it.Failed = append(it.Failed, v.Control)
			} else {
				it.Passed = append(it.Passed, v.Control)
			}
		}
		out = append(out, it)
	}
	return out, total
}

// failingChecks lists the estate's failing and stale automated results,
// failed first and newest first, at most n, and how many of each there are.
func failingChecks(sn *service.Snapshot, now time.Time, n int) (list []CheckResult, failed, stale int) {
	var bad []remit.AutomatedResult
	for _, rs := range sn.Automated().All() {
		for _, r := range rs {
			switch {
			case r.Failed:
				failed++
			case now.Sub(r.Observed) > r.Window:
				stale++
			default:
				continue
			}
			bad = append(bad, r)
		}
	}
	slices.SortFunc(bad, func(a, b remit.AutomatedResult) int {
		if a.Failed != b.Failed {
			if a.Failed {
				return -1
			}
			return 1
		}
		return b.Observed.Compare(a.Observed)
	})
	// Only the rows shown are described.
	for _, r := range bad[:min(n, len(bad))] {
		list = append(list, checkResult(sn, r, now))
	}
	return list, failed, stale
}
