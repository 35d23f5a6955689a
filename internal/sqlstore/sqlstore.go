// Package sqlstore is the SQL shared by Remit's SQLite and PostgreSQL
// stores: documents with versions and the hash-chained audit trail, in SQL
// both dialects run unchanged. The dialect packages (internal/sqlite,
// internal/postgres) open the connections and own the migrations.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"
)

// Store implements remit.Store over database/sql. Writes go through
// writer; reads through reader (the same pool unless the dialect keeps a
// single writer connection, as SQLite does).
type Store struct {
	writer *sql.DB
	reader *sql.DB
	// readIsolation makes a read transaction one snapshot: SQLite's are
	// already; PostgreSQL needs REPEATABLE READ.
	readIsolation sql.IsolationLevel
	search        SearchSQL
}

// SearchSQL is a dialect's full-text query: for search terms (letters and
// digits only, from remit.SearchTerms), the SQL that selects the kind and
// id of the documents holding every term as a word prefix, of the kinds
// given, best first, at most limit of them.
type SearchSQL func(terms []string, kinds []remit.Kind, limit int) (query string, args []any)

// New returns a store over the given pools, after applying migrations,
// searching with search.
func New(ctx context.Context, writer, reader *sql.DB, migrations fs.FS, readIsolation sql.IsolationLevel, search SearchSQL) (*Store, error) {
	s := &Store{writer: writer, reader: reader, readIsolation: readIsolation, search: search}
	if err := migrate(ctx, writer, migrations); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	err := s.writer.Close()
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	return err
}

// Search finds documents by the words in them (remit.Searcher).
func (s *Store) Search(ctx context.Context, q remit.SearchQuery) ([]remit.SearchHit, error) {
	if len(q.Terms) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = remit.SearchKinds
	}
	query, args := s.search(q.Terms, kinds, q.Limit)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []remit.SearchHit
	for rows.Next() {
		var h remit.SearchHit
		if err := rows.Scan(&h.Kind, &h.ID); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return out, nil
}

// Placeholders returns n numbered placeholders from $from: "$2, $3".
func Placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ps, ", ")
}

// Read runs fn in a read-only transaction.
func (s *Store) Read(ctx context.Context, fn func(remit.Tx) error) error {
	return s.run(ctx, s.reader, &sql.TxOptions{ReadOnly: true, Isolation: s.readIsolation}, fn)
}

// Write runs fn in a transaction committed only when fn returns nil.
func (s *Store) Write(ctx context.Context, fn func(remit.Tx) error) error {
	return s.run(ctx, s.writer, nil, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(remit.Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{tx: sqlTx, store: s}
	if err := fn(t); err != nil {
		return errors.Join(err, rollback(sqlTx))
	}
	if err := t.flushHead(ctx); err != nil {
		return errors.Join(err, rollback(sqlTx))
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

type tx struct {
	tx    *sql.Tx
	store *Store
	// The audit head, once locked in this transaction: appends advance it
	// here and it is written back once, at commit.
	locked   bool
	dirty    bool
	headSeq  int64
	headHash string
}

// micros is how times are stored: microseconds since 1970 UTC, the same
// on both dialects and exact.
func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func (t *tx) Documents(ctx context.Context, kind remit.Kind, prefix string) ([]remit.Document, error) {
	cond, args := prefixRange(prefix, 2)
	rows, err := t.tx.QueryContext(ctx, `SELECT id, body, version, updated_at FROM documents WHERE kind = $1`+cond+` ORDER BY id`, append([]any{string(kind)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []remit.Document
	for rows.Next() {
		d := remit.Document{Kind: kind}
		var at int64
		if err := rows.Scan(&d.ID, &d.Body, &d.Version, &at); err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		d.UpdatedAt = fromMicros(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	// Byte order, and exactly the prefix, whatever the database's collation.
	out = slices.DeleteFunc(out, func(d remit.Document) bool { return !strings.HasPrefix(d.ID, prefix) })
	slices.SortFunc(out, func(a, b remit.Document) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// prefixRange is the condition and arguments selecting ids that start
// with prefix, as a range the primary key serves: from prefix up to (not
// including) prefix with its last byte raised by one.
func prefixRange(prefix string, first int) (string, []any) {
	if prefix == "" {
		return "", nil
	}
	return fmt.Sprintf(` AND id >= $%d AND id < $%d`, first, first+1), []any{prefix, string(append([]byte(prefix[:len(prefix)-1]), prefix[len(prefix)-1]+1))}
}

func (t *tx) Count(ctx context.Context, kind remit.Kind, prefix string) (int, error) {
	cond, args := prefixRange(prefix, 2)
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE kind = $1`+cond, append([]any{string(kind)}, args...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", kind, err)
	}
	return n, nil
}

func (t *tx) FindDocument(ctx context.Context, kind remit.Kind, id string) (remit.Document, error) {
	d := remit.Document{Kind: kind, ID: id}
	var at int64
	err := t.tx.QueryRowContext(ctx, `SELECT body, version, updated_at FROM documents WHERE kind = $1 AND id = $2`, string(kind), id).
		Scan(&d.Body, &d.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%s %q: %w", kind, id, remit.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("find %s %q: %w", kind, id, err)
	}
	d.UpdatedAt = fromMicros(at)
	return d, nil
}

func (t *tx) CreateDocument(ctx context.Context, kind remit.Kind, id string, body []byte, now time.Time) (remit.Document, error) {
	// ON CONFLICT DO NOTHING rather than catching the violation: on
	// PostgreSQL a failed statement would spoil the whole transaction.
	res, err := t.tx.ExecContext(ctx, `INSERT INTO documents (kind, id, body, version, updated_at) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (kind, id) DO NOTHING`,
		string(kind), id, body, micros(now))
	if err != nil {
		return remit.Document{}, fmt.Errorf("create %s %q: %w", kind, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return remit.Document{}, errors.Join(fmt.Errorf("%s %q already exists: %w", kind, id, remit.ErrConflict), err)
	}
	return remit.Document{Kind: kind, ID: id, Body: body, Version: 1, UpdatedAt: fromMicros(micros(now))}, nil
}

func (t *tx) UpdateDocument(ctx context.Context, kind remit.Kind, id string, body []byte, version int64, now time.Time) (remit.Document, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE documents SET body = $1, version = version + 1, updated_at = $2 WHERE kind = $3 AND id = $4 AND version = $5`,
		body, micros(now), string(kind), id, version)
	if err != nil {
		return remit.Document{}, fmt.Errorf("update %s %q: %w", kind, id, err)
	}
	if err := t.changedOne(ctx, res, kind, id, version); err != nil {
		return remit.Document{}, err
	}
	return remit.Document{Kind: kind, ID: id, Body: body, Version: version + 1, UpdatedAt: fromMicros(micros(now))}, nil
}

func (t *tx) DeleteDocument(ctx context.Context, kind remit.Kind, id string, version int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM documents WHERE kind = $1 AND id = $2 AND version = $3`, string(kind), id, version)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, id, err)
	}
	return t.changedOne(ctx, res, kind, id, version)
}

// changedOne turns "no row changed" into ErrNotFound or ErrConflict.
func (t *tx) changedOne(ctx context.Context, res sql.Result, kind remit.Kind, id string, version int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %q: %w", kind, id, err)
	}
	if n == 1 {
		return nil
	}
	cur, err := t.FindDocument(ctx, kind, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("%s %q is at version %d, not %d: someone changed it first: %w", kind, id, cur.Version, version, remit.ErrConflict)
}

func (t *tx) AuditHead(ctx context.Context) (int64, string, error) {
	if t.locked {
		return t.headSeq, t.headHash, nil
	}
	// An update, not a select: it locks the head until commit on every
	// dialect, so concurrent writers chain one after another.
	err := t.tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE one = 1 RETURNING seq, hash`).Scan(&t.headSeq, &t.headHash)
	if err != nil {
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	t.locked = true
	return t.headSeq, t.headHash, nil
}

func (t *tx) AppendAudit(ctx context.Context, r remit.AuditRecord) error {
	if !t.locked || r.Seq != t.headSeq+1 || r.PrevHash != t.headHash {
		return fmt.Errorf("append audit: record %d does not follow the head (%d) read in this transaction", r.Seq, t.headSeq)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO audit (seq, at, actor, action, kind, id, before, after, prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.Seq, micros(r.At), r.Actor, r.Action, string(r.Kind), r.ID, r.Before, r.After, r.PrevHash, r.Hash, r.MAC)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	t.headSeq, t.headHash, t.dirty = r.Seq, r.Hash, true
	return nil
}

// flushHead writes the advanced audit head back, once per transaction.
func (t *tx) flushHead(ctx context.Context) error {
	if !t.dirty {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE one = 1`, t.headSeq, t.headHash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

func (t *tx) AuditSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("audit seq: %w", err)
	}
	return seq, nil
}

func (t *tx) AuditRecords(ctx context.Context, f remit.AuditFilter) ([]remit.AuditRecord, error) {
	q := `SELECT seq, at, actor, action, kind, id, before, after, prev_hash, hash, mac FROM audit WHERE seq > $1`
	args := []any{f.AfterSeq}
	add := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + cond + " = $" + strconv.Itoa(len(args))
	}
	if f.Kind != "" {
		add("kind", string(f.Kind))
	}
	if f.ID != "" {
		add("id", f.ID)
	}
	if f.Actor != "" {
		add("actor", f.Actor)
	}
	if !f.Since.IsZero() {
		args = append(args, micros(f.Since))
		q += " AND at >= $" + strconv.Itoa(len(args))
	}
	if f.BeforeSeq > 0 {
		args = append(args, f.BeforeSeq)
		q += " AND seq < $" + strconv.Itoa(len(args))
	}
	q += " ORDER BY seq"
	if f.Newest {
		q += " DESC"
	}
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit records: %w", err)
	}
	defer rows.Close()
	var out []remit.AuditRecord
	for rows.Next() {
		var r remit.AuditRecord
		var at int64
		var kind string
		if err := rows.Scan(&r.Seq, &at, &r.Actor, &r.Action, &kind, &r.ID, &r.Before, &r.After, &r.PrevHash, &r.Hash, &r.MAC); err != nil {
			return nil, fmt.Errorf("audit records: %w", err)
		}
		r.At, r.Kind = fromMicros(at), remit.Kind(kind)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ErrNewerSchema refuses a database migrated by a newer Remit.
var ErrNewerSchema = errors.New("the database was migrated by a newer Remit")

// migrate applies the numbered .sql files of migrations not yet applied,
// each in its own transaction, recording each in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, migrations fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	slices.Sort(names)
	known := 0
	for _, name := range names {
		n, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: %s does not start with a number", name)
		}
		known = max(known, n)
	}
	// A database a newer Remit has migrated may hold what this one does
	// not understand: refuse it rather than guess.
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if newest.Valid && int(newest.Int64) > known {
		return fmt.Errorf("%w: its schema is at version %d, and this Remit knows versions up to %d: run the newer Remit (remit version says which this is)", ErrNewerSchema, newest.Int64, known)
	}
	for _, name := range names {
		n, _ := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		body, err := fs.ReadFile(migrations, name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := applyMigration(ctx, db, n, name, string(body)); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, n int, name, body string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, n).Scan(&done); err != nil {
		return errors.Join(fmt.Errorf("migrate %s: %w", name, err), rollback(tx))
	}
	if done > 0 {
		return rollback(tx)
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return errors.Join(fmt.Errorf("migrate %s: %w", name, err), rollback(tx))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, n, name); err != nil {
		return errors.Join(fmt.Errorf("migrate %s: %w", name, err), rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	return nil
}
