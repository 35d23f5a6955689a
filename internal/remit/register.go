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

// RiskList is the register ready to list: the risks in id order, with
// their orders by title and by review day worked out once, so that a
// listing in those orders filters instead of sorting.
type RiskList struct {
	ByID     []*Risk
	byTitle  []int32 // indexes into ByID
	byReview []int32
}

// NewRiskList orders risks (which it keeps, sharing them).
func NewRiskList(risks []*Risk) *RiskList {
	l := &RiskList{ByID: slices.Clone(risks)}
	slices.SortFunc(l.ByID, func(a, b *Risk) int { return strings.Compare(a.ID, b.ID) })
	order := func(cmp func(a, b *Risk) int) []int32 {
		idx := make([]int32, len(l.ByID))
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortFunc(idx, func(a, b int32) int {
			if c := cmp(l.ByID[a], l.ByID[b]); c != 0 {
				return c
			}
			return int(a - b)
		})
		return idx
	}
	l.byTitle = order(func(a, b *Risk) int { return strings.Compare(a.Title, b.Title) })
	l.byReview = order(func(a, b *Risk) int { return CompareDates(a.Review, b.Review) })
	return l
}

// Register lists the risks f keeps, in f's order, as they stand on day
// now. The risks are shared, not copied.
func Register(l *RiskList, s RiskSettings, now time.Time, f RiskFilter) []RegisterEntry {
	risks := l.ByID
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
		out = inOrder(out, len(risks), l.byTitle)
	case "review":
		out = inOrder(out, len(risks), l.byReview)
	case "inherent":
		out = byScore(out, top, func(e RegisterEntry) int { return e.Inherent })
	default:
		out = byScore(out, top, func(e RegisterEntry) int { return e.Residual })
	}
	return out
}

// inOrder puts entries in a precomputed order of all n risks.
func inOrder(es []RegisterEntry, n int, order []int32) []RegisterEntry {
	at := make([]int32, n)
	for i := range at {
		at[i] = -1
	}
	for i, e := range es {
		at[e.idx] = int32(i)
	}
	out := make([]RegisterEntry, 0, len(es))
	for _, i := range order {
		if j := at[i]; j >= 0 {
			out = append(out, es[j])
		}
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
