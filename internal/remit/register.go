package remit

import (
	"slices"
	"strings"
	"time"
)

// RiskFilter narrows and orders the register. Sort is residual (the
// default: highest first), inherent (highest first), title or review
// (soonest first, undated last); ties are in id order.
type RiskFilter struct {
	Status   string // a RiskStatus, or review-due
	Category string
	Owner    string
	Above    bool // only risks above their category's appetite
	Sort     string
}

// RiskSorts are the orders of the register.
var RiskSorts = []string{"residual", "inherent", "title", "review"}

// RegisterEntry is a risk in the register with what filtering and
// sorting need, so that whole items are made only for what is shown.
type RegisterEntry struct {
	Risk               *Risk
	Inherent, Residual int
	Now                RiskStatus // the status on the day listed
	Above              bool
	idx                int32 // place in id order
}

// Register lists the risks f keeps, in f's order, as they stand on day
// now. risks must be in id order (as the live model holds them); they
// are shared, not copied.
func Register(risks []*Risk, s RiskSettings, now time.Time, f RiskFilter) []RegisterEntry {
	day := now.UTC().Format(time.DateOnly)
	out := make([]RegisterEntry, 0, len(risks))
	top := 0
	for i, r := range risks {
		e := RegisterEntry{Risk: r, idx: int32(i), Inherent: r.InherentScore(), Residual: r.Residual.Value(), Now: r.StatusOn(day), Above: r.AboveAppetite(s)}
		if (f.Status != "" && string(e.Now) != f.Status) || (f.Category != "" && r.Category != f.Category) || (f.Owner != "" && r.Owner != f.Owner) || (f.Above && !e.Above) {
			continue
		}
		top = max(top, e.Inherent, e.Residual)
		out = append(out, e)
	}
	switch f.Sort {
	case "title":
		slices.SortFunc(out, func(a, b RegisterEntry) int {
			if c := strings.Compare(a.Risk.Title, b.Risk.Title); c != 0 {
				return c
			}
			return int(a.idx - b.idx)
		})
	case "review":
		slices.SortFunc(out, func(a, b RegisterEntry) int {
			if c := CompareDates(a.Risk.Review, b.Risk.Review); c != 0 {
				return c
			}
			return int(a.idx - b.idx)
		})
	case "inherent":
		out = byScore(out, top, func(e RegisterEntry) int { return e.Inherent })
	default:
		out = byScore(out, top, func(e RegisterEntry) int { return e.Residual })
	}
	return out
}

// byScore orders entries by a score, highest first, keeping their order
// (by id) within a score: a counting sort, as scores are small.
func byScore(es []RegisterEntry, top int, score func(RegisterEntry) int) []RegisterEntry {
	start := make([]int, top+2)
	for _, e := range es {
		start[top-score(e)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]RegisterEntry, len(es))
	for _, e := range es {
		k := top - score(e)
		out[start[k]] = e
		start[k]++
	}
	return out
}
