package service

import (
	"slices"
	"strings"
	"sync"

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
