package remit

import (
	"slices"
	"strings"
)

// Lapse is one piece of evidence that expired, with the targets it was
// the last counting evidence for: from that day what they assured is
// stale.
type Lapse struct {
	Evidence string   `json:"evidence"`
	Title    string   `json:"title"`
	Day      string   `json:"day"`
	Targets  []string `json:"targets" doc:"What it supported that nothing else now assures: on|ref|control"`
}

// Lapses lists the evidence that expired after day from (exclusive) up
// to day to (inclusive), each with the targets left with no counting
// evidence on day to. Assurance moves to stale on the expiry day by
// derivation; this is what the sweep records of it.
func (x *EvidenceIndex) Lapses(from, to string) []Lapse {
	var out []Lapse
	for _, ev := range x.byID {
		if ev.Expires == "" || ev.Expires <= from || ev.Expires > to {
			continue
		}
		l := Lapse{Evidence: ev.ID, Title: ev.Title, Day: ev.Expires}
		for _, key := range x.keysOf(ev) {
			if !slices.ContainsFunc(x.by[key], func(o *Evidence) bool { return o != ev && o.countsOn(to) }) {
				l.Targets = append(l.Targets, key.String())
			}
		}
		slices.Sort(l.Targets)
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Lapse) int {
		if a.Day != b.Day {
			return CompareDates(a.Day, b.Day)
		}
		return CompareDates(a.Evidence, b.Evidence)
	})
	return out
}

// keysOf lists the index keys an evidence is filed under.
func (x *EvidenceIndex) keysOf(ev *Evidence) []skey {
	var keys []skey
	for _, s := range ev.Supports {
		keys = append(keys, supportKey(s.On, s.Ref, s.Control))
	}
	if ev.SOC2 != nil {
		for _, c := range ev.SOC2.CUECs {
			for _, o := range c.Obligations {
				keys = append(keys, supportKey(SupportObligation, o, ""))
			}
		}
	}
	slices.SortFunc(keys, func(a, b skey) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(keys)
}
