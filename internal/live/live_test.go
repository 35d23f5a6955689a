package live_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/live"
	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

// twoStores opens two independent stores on one database, as two servers
// would: SQLite on one file always, and PostgreSQL when
// REMIT_TEST_POSTGRES_URL is set.
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
	if base := os.Getenv("REMIT_TEST_POSTGRES_URL"); base != "" {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		schema := fmt.Sprintf("remit_live_%d", time.Now().UnixNano())
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() })
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		var pg [2]remit.Store
		for i := range pg {
			s, err := postgres.Open(ctx, u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			pg[i] = s
		}
		out["postgres"] = pg
	}
	return out
}

// TestTwoInstancesFollowEachOther changes tracking and a statement through
// one model and waits for a second model on the same database, following
// every 100 ms, to see both within a second.
func TestTwoInstancesFollowEachOther(t *testing.T) {
	for name, stores := range twoStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ws, err := workspace.Load("../../examples/justice")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
			if _, err := remit.Import(ctx, stores[0], ws, "test", now, false); err != nil {
				t.Fatal(err)
			}
			a, err := live.Open(ctx, stores[0], content.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			b, err := live.Open(ctx, stores[1], content.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			go b.Follow(ctx, 100*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))

			admin := remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}
			const id = "prison-visits/srm:SRM-03/aws/ec2/ours"
			if _, err := a.Track(ctx, admin, id, remit.Tracking{Status: remit.StatusImplemented, Owner: "visits-team"}, 0, now); err != nil {
				t.Fatal(err)
			}
			st := remit.Statement{Control: "srm:SRM-04", Class: remit.Shared, Provider: "CaseTrack patches the application.", Customer: "Apply client updates."}
			if _, err := a.SetStatement(ctx, admin, "casetrack/casetrack-cloud", st, 1, now); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for {
				var status remit.ObligationStatus
				var class remit.Class
				b.View(func(c *engine.Cache, tracking map[string]remit.TrackedObligation) {
					status = tracking[id].Tracking.Status
					si, _ := c.Estate.SystemIndex("court-case-tracking")
					ci, _ := c.Estate.ControlIndex("srm:SRM-04")
					m := c.Matrix(si)
					for i := range m.Cells {
						if m.Cells[i].Control == ci {
							class = m.Cells[i].Class()
						}
					}
				})
				if status == remit.StatusImplemented && class == remit.Shared {
					t.Logf("the second instance saw both changes after %v", time.Since(start).Round(time.Millisecond))
					return
				}
				if time.Since(start) > time.Second {
					t.Fatalf("after a second the second instance sees status %q and class %q", status, class)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
