// Package sqlite is Remit's embedded store: SQLite through the pure-Go
// modernc.org/sqlite driver, in WAL mode with one writer connection and a
// pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"remit/internal/remit"
	"remit/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if need be) the database file at path and applies
// any pending migrations.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	return open(ctx, path, sub)
}

// open is Open with the migrations given (tests open with an older set,
// as an older Remit would).
func open(ctx context.Context, path string, sub fs.FS) (*sqlstore.Store, error) {
	dsn := func(extra string) string {
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
			q.Add("_pragma", p)
		}
		return "file:" + path + "?" + q.Encode() + extra
	}
	writer, err := sql.Open("sqlite", dsn("&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: %w", path, err), writer.Close())
	}
	reader.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	s, err := sqlstore.New(ctx, writer, reader, sub, sql.LevelDefault, search)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: %w", path, err), writer.Close(), reader.Close())
	}
	return s, nil
}

// search matches each term as a word prefix with FTS5 ("term"* for each:
// the terms hold only letters and digits), best (bm25) first.
func search(terms []string, kinds []remit.Kind, limit int) (string, []any) {
	match := make([]string, len(terms))
	for i, t := range terms {
		match[i] = `"` + t + `"*`
	}
	args := []any{strings.Join(match, " ")}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	args = append(args, limit)
	return `SELECT k.kind, k.id FROM search JOIN search_keys k ON k.n = search.rowid
WHERE search MATCH $1 AND k.kind IN (` + sqlstore.Placeholders(2, len(kinds)) + `)
ORDER BY search.rank, k.kind, k.id LIMIT $` + strconv.Itoa(len(kinds)+2), args
}
