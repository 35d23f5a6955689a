// Package jobs runs Remit's background work on River, on either store:
// the hourly sweep that records evidence lapsing (what it leaves stale)
// and keeps the day's scorecard snapshot. River's tables live in the same
// database as Remit's, so several servers share one queue and a sweep
// runs once, wherever it is picked up.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"remit/internal/postgres"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// SweepArgs is the sweep job. It has no arguments: each run sweeps up to
// the day it runs.
type SweepArgs struct{}

// Kind names the job in River's tables.
func (SweepArgs) Kind() string { return "remit.sweep" }

// InsertOpts makes one sweep at a time: a sweep already waiting is enough.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	sweep func(ctx context.Context) error
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error { return w.sweep(ctx) }

// Config says what the jobs run against and how often.
type Config struct {
	// Database is the --database value: a SQLite path (or sqlite:path)
	// or a postgres:// URL.
	Database string
	// Every is how often the sweep runs (an hour unless set); it runs
	// once at start too.
	Every time.Duration
	// Sweep is the work: record lapses, snapshot scorecards.
	Sweep func(ctx context.Context) error
	Log   *slog.Logger
}

// Runner is the running River client.
type Runner struct {
	client *river.Client[*sql.Tx]
	db     *sql.DB
}

// Start migrates River's tables and starts the client. Stop it with Stop.
func Start(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Every <= 0 {
		cfg.Every = time.Hour
	}
	db, driver, err := open(cfg.Database)
	if err != nil {
		return nil, err
	}
	migrate := func() error {
		migrator, err := rivermigrate.New(driver, nil)
		if err == nil {
			_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
		return err
	}
	if isPostgres(cfg.Database) {
		// Servers starting at once take turns.
		err = postgres.WithMigrationLock(ctx, db, migrate)
	} else {
		err = migrate()
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("jobs: migrate River's tables: %w", err), db.Close())
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sweepWorker{sweep: cfg.Sweep})
	client, err := river.NewClient(driver, &river.Config{
		Logger:            cfg.Log,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:           workers,
		FetchPollInterval: 2 * time.Second,
		JobTimeout:        10 * time.Minute,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.Every),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true, ID: "remit.sweep"})},
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("jobs: %w", err), db.Close())
	}
	if err := client.Start(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("jobs: start: %w", err), db.Close())
	}
	return &Runner{client: client, db: db}, nil
}

// Stop lets a running sweep finish (within ctx) and closes the pool.
func (r *Runner) Stop(ctx context.Context) error {
	return errors.Join(r.client.Stop(ctx), r.db.Close())
}

func isPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// open makes River's own connection pool: for SQLite one writer with a
// long busy timeout, as River's SQLite driver asks, beside Remit's.
func open(database string) (*sql.DB, riverdriver.Driver[*sql.Tx], error) {
	if isPostgres(database) {
		db, err := sql.Open("pgx", database)
		if err != nil {
			return nil, nil, fmt.Errorf("jobs: %w", err)
		}
		db.SetMaxOpenConns(4)
		return db, riverdatabasesql.New(db), nil
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(database, "sqlite:")+"?"+q.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, riversqlite.New(db), nil
}
