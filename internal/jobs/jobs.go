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
	sweep    func(ctx context.Context) error
	webhooks func(ctx context.Context) ([]string, error)
}

// Work sweeps, then queues a delivery job for each webhook post waiting.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	if err := w.sweep(ctx); err != nil {
		return err
	}
	if w.webhooks == nil {
		return nil
	}
	ids, err := w.webhooks(ctx)
	if err != nil {
		return err
	}
	client := river.ClientFromContext[*sql.Tx](ctx)
	for _, id := range ids {
		if _, err := client.Insert(ctx, DeliverArgs{ID: id}, nil); err != nil {
			return err
		}
	}
	return nil
}

// DeliverArgs is one webhook post: the delivery's id. River tries it
// again, backing off, until it is sent or MaxAttempts is reached.
type DeliverArgs struct {
	ID string `json:"id"`
}

// Kind names the job in River's tables.
func (DeliverArgs) Kind() string { return "remit.deliver" }

// MaxAttempts is how often a webhook post is tried (the service marks the
// delivery failed at the last).
const MaxAttempts = 8

// InsertOpts makes one job per delivery while it waits.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
		rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}}}
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	deliver func(ctx context.Context, id string) error
	retry   func(attempt int) time.Duration
}

func (w *deliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	return w.deliver(ctx, j.Args.ID)
}

// NextRetry backs off: Config.RetryAfter of the attempts made so far.
func (w *deliverWorker) NextRetry(j *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.retry(j.Attempt))
}

// backoff is 30 s doubling with each attempt, at most an hour.
func backoff(attempt int) time.Duration {
	return min(30*time.Second<<max(0, attempt-1), time.Hour)
}

// Config says what the jobs run against and how often.
type Config struct {
	// Database is the --database value: a SQLite path (or sqlite:path)
	// or a postgres:// URL.
	Database string
	// Every is how often the sweep runs (an hour unless set); it runs
	// once at start too.
	Every time.Duration
	// Sweep is the work: record lapses, snapshot scorecards, find and
	// queue reminders, send the day's digests.
	Sweep func(ctx context.Context) error
	// Webhooks lists the webhook deliveries waiting after a sweep, and
	// Deliver posts one (an error: try again later). Without them no
	// webhook is posted.
	Webhooks func(ctx context.Context) ([]string, error)
	Deliver  func(ctx context.Context, id string) error
	// RetryAfter is how long to wait before trying a post again after
	// attempt failures (backoff unless set).
	RetryAfter func(attempt int) time.Duration
	Log        *slog.Logger
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
	if cfg.RetryAfter == nil {
		cfg.RetryAfter = backoff
	}
	workers := river.NewWorkers()
	sweep := &sweepWorker{sweep: cfg.Sweep}
	if cfg.Deliver != nil {
		sweep.webhooks = cfg.Webhooks
		river.AddWorker(workers, &deliverWorker{deliver: cfg.Deliver, retry: cfg.RetryAfter})
	}
	river.AddWorker(workers, sweep)
	client, err := river.NewClient(driver, &river.Config{
		Logger:            cfg.Log,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
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
