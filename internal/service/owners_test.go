package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// TestAssignOwner: one owner for many obligations in one go, keeping the
// rest of their tracking; a version no longer stored refuses them all; an
// editor of another team may not; the choices list teams, then people.
func TestAssignOwner(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		f.addUsers(t, editor, outsider)
		ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
		tr, err := f.svc.Track(ctx, editor, ours[0].ID, remit.Tracking{Status: remit.StatusInProgress, Due: "2027-01-31"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		as := []service.Assignment{{ID: ours[0].ID, Version: tr.Version}, {ID: ours[1].ID}, {ID: ours[2].ID}}
		if _, err := f.svc.AssignOwner(ctx, outsider, "Jo Bloggs", as); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("another team's editor: %v", err)
		}
		stale := slices.Clone(as)
		stale[0].Version = 0
		if _, err := f.svc.AssignOwner(ctx, editor, "Jo Bloggs", stale); !errors.Is(err, remit.ErrConflict) {
			t.Fatalf("a stale version: %v", err)
		}
		if o, _ := f.svc.Snapshot().Obligation(ours[1].ID); o.Tracking.Owner != "" {
			t.Fatal("a refused assignment changed an obligation")
		}
		n, err := f.svc.AssignOwner(ctx, editor, "  Jo   Bloggs ", as)
		if err != nil || n != 3 {
			t.Fatalf("assign: %d %v", n, err)
		}
		for i, o := range ours[:3] {
			got, _ := f.svc.Snapshot().Obligation(o.ID)
			if got.Tracking.Owner != "Jo Bloggs" || (i == 0 && (got.Tracking.Status != remit.StatusInProgress || got.Tracking.Due != "2027-01-31")) {
				t.Errorf("%s: %+v", o.ID, got.Tracking)
			}
		}
		page, _ := f.svc.Snapshot().OursOf("prison-visits", service.OursFilter{Owner: service.OwnerNone}, f.clock.Now(), func(n int) (int, int) { return 0, n })
		if page.Shown != page.Total-3 || page.Named != 3 || !slices.Equal(page.Owners, []string{"Jo Bloggs"}) {
			t.Errorf("the obligations with no owner named: %d of %d, %d named, owners %v", page.Shown, page.Total, page.Named, page.Owners)
		}
		choices, err := f.svc.OwnerChoices(ctx)
		if err != nil || len(choices) == 0 || !choices[0].Team || !slices.ContainsFunc(choices, func(c service.OwnerChoice) bool { return c.Value == editor.Email && !c.Team }) ||
			!slices.ContainsFunc(choices, func(c service.OwnerChoice) bool { return c.Value == "visits-team" && c.Team }) {
			t.Errorf("choices %+v (%v)", choices, err)
		}
	})
}

// TestOursSorted: what is still ours sorts by owner (those with none
// last), by due day (soonest first, none last) and by status, and keeps
// the control order within each.
func TestOursSorted(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	for i, tr := range []remit.Tracking{{Status: remit.StatusImplemented, Owner: "zed"}, {Status: remit.StatusInProgress, Owner: "amy", Due: "2027-03-01"}, {Status: remit.StatusNotStarted, Due: "2027-01-01"}} {
		if _, err := f.svc.Track(ctx, admin, ours[i].ID, tr, 0); err != nil {
			t.Fatal(err)
		}
	}
	first := func(sort string, n int) []string {
		page, _ := f.svc.Snapshot().OursOf("prison-visits", service.OursFilter{Sort: sort}, f.clock.Now(), func(int) (int, int) { return 0, n })
		var ids []string
		for _, o := range page.Page {
			ids = append(ids, o.ID)
		}
		return ids
	}
	for sort, want := range map[string][]string{
		"owner":  {ours[1].ID, ours[0].ID, ours[2].ID},
		"due":    {ours[2].ID, ours[1].ID, ours[0].ID},
		"status": {ours[2].ID, ours[3].ID, ours[4].ID},
		"":       {ours[0].ID, ours[1].ID, ours[2].ID},
	} {
		if got := first(sort, 3); !slices.Equal(got, want) {
			t.Errorf("sorted by %q: %v, want %v", sort, got, want)
		}
	}
}
