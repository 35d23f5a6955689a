package web

import (
	"slices"
	"strings"
	"sync"

	"remit/internal/engine"
	"remit/internal/live"
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

// count returns each system's number of obligations of ours, recounting
// the systems whose matrix changed. It must run inside a model view.
func (t *tallies) count(epoch uint64, c *engine.Cache) []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := c.Estate.NumSystems()
	if t.epoch != epoch {
		t.epoch, t.ids, t.stamps, t.ours = epoch, nil, nil, nil
	}
	// Deleting a system shifts the later ones down without new stamps: a
	// count is reused only for the same system at the same stamp.
	t.ids, t.stamps, t.ours = resize(t.ids, n), resize(t.stamps, n), resize(t.ours, n)
	for si := range n {
		stamp, id := c.Stamp(int32(si)), c.Estate.System(int32(si)).System.ID
		if t.ids[si] == id && t.stamps[si] == stamp {
			continue
		}
		m := c.Matrix(int32(si))
		var k int32
		for i := range m.Cells {
			k += int32(len(c.Estate.Ours(m, &m.Cells[i])))
		}
		t.ids[si], t.ours[si], t.stamps[si] = id, k, stamp
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

// noTeam stands for the systems no team owns.
const noTeam = "(no team)"

// teamStatus counts one team's obligations of ours by status.
type teamStatus struct {
	Team   string
	Counts [4]int // in remit.ObligationStatuses order
	Total  int
}

// obligationsByTeam counts our obligations per team and status: every
// obligation is not started until its tracking says otherwise. Tracking
// left behind by an obligation that no longer exists is not counted.
func obligationsByTeam(c *engine.Cache, tracking map[string]remit.TrackedObligation, ours []int32) []teamStatus {
	byTeam := map[string]*teamStatus{}
	get := func(team string) *teamStatus {
		if team == "" {
			team = noTeam
		}
		ts, ok := byTeam[team]
		if !ok {
			ts = &teamStatus{Team: team}
			byTeam[team] = ts
		}
		return ts
	}
	for si, sys := range c.Estate.Systems() {
		ts := get(sys.System.Team)
		ts.Counts[0] += int(ours[si])
		ts.Total += int(ours[si])
	}
	for id, tr := range tracking {
		k := slices.Index(remit.ObligationStatuses, tr.Tracking.Status)
		if k <= 0 || !strings.HasSuffix(id, "/ours") {
			continue
		}
		m, cell, ok := live.Cell(c, id)
		if !ok || !slices.ContainsFunc(c.Estate.Ours(m, cell), func(o engine.Obligation) bool { return c.Estate.Key(o) == id }) {
			continue
		}
		ts := get(c.Estate.System(m.System).System.Team)
		ts.Counts[0]--
		ts.Counts[k]++
	}
	out := make([]teamStatus, 0, len(byTeam))
	for _, ts := range byTeam {
		out = append(out, *ts)
	}
	slices.SortFunc(out, func(a, b teamStatus) int { return strings.Compare(a.Team, b.Team) })
	return out
}
