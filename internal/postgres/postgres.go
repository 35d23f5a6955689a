// Package postgres is Remit's multi-instance store: PostgreSQL through
// jackc/pgx/v5, for several servers sharing one database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"remit/internal/remit"
	"remit/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at url (postgres://…) and applies any
// pending migrations.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	return open(ctx, url, sub)
}

// open is Open with the migrations given (tests open with an older set,
// as an older Remit would).
func open(ctx context.Context, url string, sub fs.FS) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open postgres: %w", err), db.Close())
	}
	var s *sqlstore.Store
	err = WithMigrationLock(ctx, db, func() error {
		var err error
		s, err = sqlstore.New(ctx, db, db, sub, sql.LevelRepeatableRead, search)
		return err
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open postgres: %w", err), db.Close())
	}
	return s, nil
}

// migrationLock is the advisory lock every Remit process holds while it
// migrates a database ("remit" in ASCII).
const migrationLock = 0x72656d6974

// WithMigrationLock runs fn holding the database's migration lock, so that
// servers starting at once migrate one after another (ours and River's
// tables alike) instead of racing to create the same tables.
func WithMigrationLock(ctx context.Context, db *sql.DB, fn func() error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	return fn()
}

// search matches each term as a word prefix ('term':* for each, all of
// them: the terms hold only letters and digits) over the words the
// documents_words trigger keeps, best (ts_rank) first.
func search(terms []string, kinds []remit.Kind, limit int) (string, []any) {
	match := make([]string, len(terms))
	for i, t := range terms {
		match[i] = "'" + t + "':*"
	}
	args := []any{strings.Join(match, " & ")}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	args = append(args, limit)
	return `SELECT kind, id FROM documents
WHERE words @@ to_tsquery('simple', $1) AND kind IN (` + sqlstore.Placeholders(2, len(kinds)) + `)
ORDER BY ts_rank(words, to_tsquery('simple', $1)) DESC, kind, id LIMIT $` + strconv.Itoa(len(kinds)+2), args
}
