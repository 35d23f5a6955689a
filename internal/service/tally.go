package service

import (
	"slices"
	"strings"
	"sync"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// tallies keeps, per system, how many obligations are ours, stamped with
// the matrix they were counted from: the dashboard adds them up and
// recounts only the systems whose matrix changed since.
type tallies struct {
	mu     sync.Mutex
	epoch  uint64
	ids    []string // the system each position was counted for
	stamps []uint64
	ours   []int32
}

// count returns each system's number of obligations of ours, by system
// index, recounting the systems whose matrix changed.
func (t *tallies) count(epoch uint64, c *engine.Cache) []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := c.Estate.NumSystems()
	if t.epoch != epoch {
		t.epoch, t.ids, t.stamps, t.ours = epoch, nil, nil, nil
	}
	// A deleted system's index goes to another system: a count is reused
	// only for the same system at the same stamp.
	t.ids, t.stamps, t.ours = resize(t.ids, n), resize(t.stamps, n), resize(t.ours, n)
	for si := range int32(n) {
		stamp, id := c.Stamp(si), c.Estate.System(si).System.ID
		if t.ids[si] == id && t.stamps[si] == stamp {
			continue
		}
		t.ids[si], t.ours[si], t.stamps[si] = id, int32(c.Estate.CountOurs(c.Matrix(si))), stamp
	}
	return slices.Clone(t.ours)
}

// resize returns s with length n, keeping what fits.
func resize[T any](s []T, n int) []T {
	if len(s) >= n {
		return s[:n]
	}
	return append(s, make([]T, n-len(s))...)
}

// NoTeam stands for the systems no team owns.
const NoTeam = "(no team)"

// TeamStatus counts one team's obligations of ours by status.
type TeamStatus struct {
	Team   string
	Counts [4]int // in remit.ObligationStatuses order
	Total  int
}

// ObligationsByTeam counts our obligations per team and status in sn:
// every obligation is not started until its tracking says otherwise.
// Tracking left behind by an obligation that no longer exists is not
// counted. Counts per system are kept between calls and redone only for
// systems whose matrix changed.
func (s *Service) ObligationsByTeam(sn *Snapshot) []TeamStatus {
	c := sn.cache
	ours := s.tallies.count(sn.epoch, c)
	byTeam := map[string]*TeamStatus{}
	get := func(team string) *TeamStatus {
		if team == "" {
			team = NoTeam
		}
		ts, ok := byTeam[team]
		if !ok {
			ts = &TeamStatus{Team: team}
			byTeam[team] = ts
		}
		return ts
	}
	for si, sys := range c.Estate.Systems() {
		ts := get(sys.System.Team)
		ts.Counts[0] += int(ours[si])
		ts.Total += int(ours[si])
	}
	for id, tr := range sn.tracking.All() {
		k := slices.Index(remit.ObligationStatuses, tr.Tracking.Status)
		if k <= 0 {
			continue
		}
		oid, err := remit.ParseObligationID(id)
		if err != nil || !oid.Ours {
			continue
		}
		m, cell, ok := sn.Cell(oid)
		if !ok || !slices.ContainsFunc(c.Estate.Ours(m, cell), func(o engine.Obligation) bool { return c.Estate.Key(o) == id }) {
			continue
		}
		ts := get(c.Estate.System(m.System).System.Team)
		ts.Counts[0]--
		ts.Counts[k]++
	}
	out := make([]TeamStatus, 0, len(byTeam))
	for _, ts := range byTeam {
		out = append(out, *ts)
	}
	slices.SortFunc(out, func(a, b TeamStatus) int { return strings.Compare(a.Team, b.Team) })
	return out
}

// WarmTallies counts every system's obligations of ours now, so the first
// dashboard need not (seconds on a 20,000-system estate).
func (s *Service) WarmTallies() { sn := s.Snapshot(); s.tallies.count(sn.epoch, sn.cache) }

// AssuranceTally counts our obligations by what assures them — automated
// checks, documents, people — and how: assured, stale or failed; the rest
// are unassured or not applicable.
type AssuranceTally struct {
	// BySource is in remit.AssuranceSources order.
	BySource                        [3]SourceCounts
	Unassured, NotApplicable, Total int
}

// SourceCounts counts one source's obligations by assurance.
type SourceCounts struct {
	Source                 string
	Assured, Stale, Failed int
}

// Resting counts the obligations something assures, fails or once
// assured.
func (t AssuranceTally) Resting() int { return t.Total - t.Unassured - t.NotApplicable }

// Sum is every obligation the source speaks for.
func (c SourceCounts) Sum() int { return c.Assured + c.Stale + c.Failed }

// assuranceTallies keeps each system's assurance tally, stamped with what
// it was counted from (its matrix, the evidence and tracking generations,
// the day): the dashboard adds them up and recounts only what changed.
type assuranceTallies struct {
	mu    sync.Mutex
	epoch uint64
	keys  []assuranceKey
	ts    []AssuranceTally
}

type assuranceKey struct {
	id                     string
	stamp, evidence, track uint64
	day                    string
}

// AssuranceBySource tallies our obligations across the estate by the
// source of their assurance on day now.
func (s *Service) AssuranceBySource(sn *Snapshot, now time.Time) AssuranceTally {
	t := &s.assurance
	t.mu.Lock()
	defer t.mu.Unlock()
	c := sn.cache
	n := c.Estate.NumSystems()
	if t.epoch != sn.epoch {
		t.epoch, t.keys, t.ts = sn.epoch, nil, nil
	}
	t.keys, t.ts = resize(t.keys, n), resize(t.ts, n)
	day := now.UTC().Format(time.DateOnly)
	var out AssuranceTally
	for i, src := range remit.AssuranceSources {
		out.BySource[i].Source = src
	}
	for si := range int32(n) {
		k := assuranceKey{c.Estate.System(si).System.ID, c.Stamp(si), sn.evidenceGen, sn.trackingGen, day}
		if t.keys[si] != k {
			t.keys[si], t.ts[si] = k, sn.assuranceOf(si, now)
		}
		x := t.ts[si]
		for i := range out.BySource {
			out.BySource[i].Assured += x.BySource[i].Assured
			out.BySource[i].Stale += x.BySource[i].Stale
			out.BySource[i].Failed += x.BySource[i].Failed
		}
		out.Unassured += x.Unassured
		out.NotApplicable += x.NotApplicable
		out.Total += x.Total
	}
	return out
}

// assuranceOf tallies one system's obligations of ours.
func (sn *Snapshot) assuranceOf(si int32, now time.Time) AssuranceTally {
	var t AssuranceTally
	m := sn.cache.Matrix(si)
	for i := range m.Cells {
		cell := &m.Cells[i]
		for _, o := range sn.cache.Estate.Ours(m, cell) {
			ob := sn.obligationOf(m, cell, o)
			a := sn.index.Assure(ob.Ref(), now)
			t.Total++
			src := slices.Index(remit.AssuranceSources, a.Source())
			switch {
			case a.Status == remit.AssuranceUnnecessary:
				t.NotApplicable++
			case src < 0 || a.Status == remit.Unassured:
				t.Unassured++
			case a.Status == remit.Assured:
				t.BySource[src].Assured++
			case a.Status == remit.AssuranceStale:
				t.BySource[src].Stale++
			case a.Status == remit.AssuranceFailed:
				t.BySource[src].Failed++
			}
		}
	}
	return t
}
