package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"remit/internal/remit"
)

// OwnerChoice is someone an obligation can be given to: an account (by
// its email, with its name) or a team.
type OwnerChoice struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Team  bool   `json:"team,omitempty"`
}

// OwnerChoices lists who obligations can be given to: every team a system
// or an account names, then every account that is not disabled. Anyone
// signed in may read it (to pick an owner); it holds names and emails
// only.
func (s *Service) OwnerChoices(ctx context.Context) ([]OwnerChoice, error) {
	teams := map[string]bool{}
	for sys := range s.Snapshot().Systems() {
		if sys.Team != "" {
			teams[sys.Team] = true
		}
	}
	var people []OwnerChoice
	err := s.read(ctx, func(tx remit.Tx) error {
		rs, err := users.list(ctx, tx, "")
		for _, r := range rs {
			for _, t := range r.User.Teams {
				teams[t] = true
			}
			if r.User.Disabled {
				continue
			}
			label := r.User.Email
			if r.User.Name != "" {
				label = r.User.Name + " (" + r.User.Email + ")"
			}
			people = append(people, OwnerChoice{Value: r.User.Email, Label: label})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []OwnerChoice
	for _, t := range slices.Sorted(maps.Keys(teams)) {
		out = append(out, OwnerChoice{Value: t, Label: "Team " + t, Team: true})
	}
	slices.SortFunc(people, func(a, b OwnerChoice) int { return strings.Compare(a.Label, b.Label) })
	return append(out, people...), nil
}

// Assignment is one obligation to give an owner, at the tracking version
// read (0: never tracked).
type Assignment struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// AssignOwner gives every obligation listed the same owner ("" takes the
// owner away, so the system's team answers for them), keeping the rest of
// each one's tracking, in one transaction: any version that is no longer
// the stored one refuses the whole assignment (409), and p must be able
// to track every one of them.
func (s *Service) AssignOwner(ctx context.Context, p remit.Principal, owner string, as []Assignment) (int, error) {
	owner = strings.Join(strings.Fields(owner), " ")
	if len(owner) > 200 {
		return 0, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/owner", Message: fmt.Sprintf("owner is %d characters long, over the limit of 200: shorten it", len(owner))}}}
	}
	if len(as) == 0 {
		return 0, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/obligations", Message: "choose at least one obligation to give an owner"}}}
	}
	sn := s.Snapshot()
	for _, a := range as {
		team, ok := sn.ObligationTeam(a.ID)
		if !ok {
			return 0, fmt.Errorf("obligation %q: %w", a.ID, remit.ErrNotFound)
		}
		if !p.May(remit.ActTrackObligation, team) {
			return 0, fmt.Errorf("obligation %q belongs to team %q: %w", a.ID, team, remit.ErrForbidden)
		}
	}
	changed := 0
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		var done []remit.TrackedObligation
		for _, a := range as {
			t := remit.DefaultTracking
			cur, held := sn.tracking.Get(a.ID)
			if held {
				t = cur.Tracking
			}
			if cur.Version != a.Version {
				return nil, stale("the tracking of obligation", a.ID, cur.Version, a.Version)
			}
			if t.Owner == owner {
				continue
			}
			t.Owner = owner
			d, err := trackings.put(ctx, tx, change{p.Email, s.now()}, a.ID, t, a.Version)
			if err != nil {
				return nil, err
			}
			done = append(done, remit.TrackedObligation{ID: a.ID, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt})
		}
		changed = len(done)
		return func(next *Snapshot) error {
			for _, t := range done {
				next.putTracking(t)
			}
			return nil
		}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("assign an owner: %w", err)
	}
	return changed, nil
}
