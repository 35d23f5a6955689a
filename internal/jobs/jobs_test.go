package jobs

import (
	"context"
	"fmt"
	"io"
	"sync"

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
	for name, database := range databases(t, "remit_jobs") {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc := openService(t, name, database, nil)
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

// databases are where the jobs' tests run: a SQLite file, and a
// PostgreSQL schema of its own (so River's and Remit's tables start
// empty) when REMIT_TEST_POSTGRES_URL is set.
func databases(t *testing.T, schema string) map[string]string {
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "remit.db")}
	if u := storetest.PostgresURL(t, schema); u != "" {
		dbs["postgres"] = u
	}
	return dbs
}

// openService opens the store named (sqlite or postgres) at database and
// a service over it, on the clock given (the real one when nil), closed
// when the test ends.
func openService(t *testing.T, name, database string, now func() time.Time) *service.Service {
	t.Helper()
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
	t.Cleanup(func() { store.Close() })
	svc, err := service.Open(ctx, service.Config{Store: store, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestServersStartAtOnce starts four servers' stores and job runners on
// one fresh PostgreSQL database at the same moment: every one must come
// up (the migrations, ours and River's, once raced and killed all but
// one).
func TestServersStartAtOnce(t *testing.T) {
	u := storetest.PostgresURL(t, "remit_start")
	if u == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	ctx := context.Background()
	const n = 4
	errs := make([]error, n)
	runners := make([]*Runner, n)
	stores := make([]remit.Store, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(ctx, u)
			if err != nil {
				errs[i] = fmt.Errorf("store: %w", err)
				return
			}
			stores[i] = s
			runners[i], errs[i] = Start(ctx, Config{Database: u, Every: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sweep: func(context.Context) error { return nil }})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
		}
		if runners[i] != nil {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			runners[i].Stop(stopCtx)
			cancel()
		}
		if stores[i] != nil {
			stores[i].Close()
		}
	}
}
