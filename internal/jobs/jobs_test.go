package jobs

import (
	"context"

	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/storetest"
)

// TestSweepRunsOnBothStores starts River on a real SQLite file beside
// Remit's own tables (and on PostgreSQL when REMIT_TEST_POSTGRES_URL is
// set), and waits for the sweep to run at start, then again on schedule.
func TestSweepRunsOnBothStores(t *testing.T) {
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "remit.db")}
	if u := storetest.PostgresURL(t, "remit_jobs"); u != "" {
		// A schema of its own, so River's and Remit's tables start empty.
		dbs["postgres"] = u
	}
	for name, database := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var store remit.Store
			var err error
			if name == "sqlite" {
				store, err = sqlite.Open(ctx, database)
			} else {
				store, err = postgres.Open(ctx, database)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			svc, err := service.Open(ctx, service.Config{Store: store, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives()})
			if err != nil {
				t.Fatal(err)
			}
			var runs atomic.Int32
			done := make(chan struct{}, 8)
			r, err := Start(ctx, Config{Database: database, Every: 300 * time.Millisecond, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
				Sweep: func(ctx context.Context) error {
					// The sweep writes through Remit's store while River
					// holds its own connections to the same database.
					if err := svc.SnapshotScorecards(ctx, time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)); err != nil {
						return err
					}
					runs.Add(1)
					done <- struct{}{}
					return nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					_ = r.Stop(ctx)
					t.Fatalf("sweep %d did not run within 20 s (ran %d times)", i+1, runs.Load())
				}
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := r.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			snaps, err := svc.ScorecardTrend(ctx, 5)
			if err != nil || len(snaps) != 1 {
				t.Fatalf("snapshots after the sweeps: %v %+v", err, snaps)
			}
		})
	}
}
