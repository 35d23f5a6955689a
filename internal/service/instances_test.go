package service_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/storetest"
)

// twoStores opens two independent stores on one database, as two servers
// (or a server and the CLI) would: SQLite on one file always, and
// PostgreSQL when REMIT_TEST_POSTGRES_URL is set.
func twoStores(t *testing.T) map[string][2]remit.Store {
	ctx := context.Background()
	out := map[string][2]remit.Store{}
	path := filepath.Join(t.TempDir(), "remit.db")
	var pair [2]remit.Store
	for i := range pair {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		pair[i] = s
	}
	out["sqlite"] = pair
	u := storetest.PostgresURL(t, "remit_service")
	if u == "" {
		return out
	}
	var pg [2]remit.Store
	for i := range pg {
		s, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		pg[i] = s
	}
	out["postgres"] = pg
	return out
}

// classOf is the class of a control in a system's matrix, as sn has it.
func classOf(t *testing.T, f *fixture, system, control string) remit.Class {
	t.Helper()
	_, row, ok := f.svc.Snapshot().Explain(system, control)
	if !ok {
		t.Fatalf("no cell for %s %s", system, control)
	}
	return row.Class
}

// TestTwoInstancesFollowEachOther changes tracking and a statement through
// one service; a second service on the same database sees both as soon
// as it refreshes, and a snapshot taken before keeps what it showed.
func TestTwoInstancesFollowEachOther(t *testing.T) {
	for name, pair := range twoStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := withExample(t, pair[0], nil, nil)
			b := open(t, pair[1], nil, nil)
			before := b.svc.Snapshot()
			const id = "prison-visits/srm:SRM-03/aws/ec2/ours"
			if _, err := a.svc.Track(ctx, admin, id, remit.Tracking{Status: remit.StatusImplemented, Owner: "visits-team"}, 0); err != nil {
				t.Fatal(err)
			}
			_, v, err := a.svc.Offering(ctx, "casetrack/casetrack-cloud")
			if err != nil {
				t.Fatal(err)
			}
			st := remit.Statement{Control: "srm:SRM-04", Class: remit.Shared, Provider: "CaseTrack patches the application.", Customer: "Apply client updates."}
			if _, err := a.svc.SetStatement(ctx, admin, "casetrack/casetrack-cloud", st, v); err != nil {
				t.Fatal(err)
			}
			n, err := b.svc.Refresh(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("the refresh read no audit records")
			}
			if tr, ok := b.svc.Snapshot().Tracking(id); !ok || tr.Tracking.Status != remit.StatusImplemented {
				t.Errorf("after refreshing, the second instance has tracking %+v (%v)", tr, ok)
			}
			if got := classOf(t, b, "court-case-tracking", "srm:SRM-04"); got != remit.Shared {
				t.Errorf("after refreshing, SRM-04 of court-case-tracking is %q on the second instance, want shared", got)
			}
			if _, ok := before.Tracking(id); ok {
				t.Error("the snapshot taken before the refresh now shows the tracking: a published snapshot changed")
			}
			if _, row, _ := before.Explain("court-case-tracking", "srm:SRM-04"); row.Class == remit.Shared {
				t.Error("the snapshot taken before the refresh now shows the new statement: a published snapshot changed")
			}
			// Nothing new: a refresh reads nothing and keeps the snapshot.
			sn := b.svc.Snapshot()
			if n, err := b.svc.Refresh(ctx); err != nil || n != 0 || b.svc.Snapshot() != sn {
				t.Errorf("a second refresh read %d records (%v) or replaced the snapshot", n, err)
			}
		})
	}
}

// TestWriteCatchesUpFirst writes through an instance whose snapshot is
// behind the database: the write is validated against what the database
// holds now, never against the stale snapshot, so a change another
// instance made is neither missed nor undone.
func TestWriteCatchesUpFirst(t *testing.T) {
	for name, pair := range twoStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := withExample(t, pair[0], nil, nil)
			b := open(t, pair[1], nil, nil)
			// a adds a catalogue b has not seen; b puts a system whose
			// baseline is that catalogue. Against b's snapshot the baseline
			// names nothing; against the database it is right.
			cat := remit.Catalogue{ID: "local", Title: "Local", Controls: []remit.Control{{ID: "L-01", Title: "First", Area: "governance"}}}
			if _, err := a.svc.PutCatalogue(ctx, admin, cat, 0); err != nil {
				t.Fatal(err)
			}
			sys := remit.System{ID: "local-app", Name: "Local app", Team: "visits-team", Baseline: remit.Baseline{Catalogue: "local", All: true}}
			if _, err := b.svc.PutSystem(ctx, admin, sys, 0); err != nil {
				t.Fatalf("put a system on the catalogue another instance added: %v", err)
			}
			if _, _, ok := b.svc.Snapshot().System("local-app"); !ok {
				t.Error("the new system is not in the writer's snapshot")
			}
			if _, ok := b.svc.Snapshot().Catalogue("local"); !ok {
				t.Error("the other instance's catalogue is not in the writer's snapshot")
			}
			// Now a (behind: it has not seen local-app) deletes the
			// catalogue: it must see that local-app's baseline names it.
			v, err := a.svc.CatalogueVersion(ctx, "local")
			if err != nil {
				t.Fatal(err)
			}
			err = a.svc.DeleteCatalogue(ctx, admin, "local", v)
			var ve *remit.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("deleting a catalogue a system (written elsewhere) uses: %v, want a validation error", err)
			}
			if _, ok := a.svc.Snapshot().Catalogue("local"); !ok {
				t.Error("the refused deletion took the catalogue out of the snapshot")
			}
		})
	}
}
