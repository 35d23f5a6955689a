package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database at path to the new file
// to, while servers go on using it: VACUUM INTO reads one snapshot of the
// database (WAL mode lets writers carry on meanwhile) and writes it
// compacted. It refuses to overwrite a file.
func Backup(ctx context.Context, path, to string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("back up to %s: the file exists: give a new file, so that no backup is overwritten", to)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&mode=ro")
	if err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	defer db.Close()
	if err := isRemit(ctx, db, path); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		return errors.Join(fmt.Errorf("back up %s to %s: %w", path, to, err), os.Remove(to))
	}
	return nil
}

// Restore makes path a copy of the backup from, which must be a sound
// Remit database; path must not exist yet (move the old database aside
// first). The copy is written beside path and renamed into place, so a
// failed restore leaves nothing half-written.
func Restore(ctx context.Context, from, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("restore to %s: a database is there already: move it aside first (restore never overwrites one)", path)
	}
	db, err := sql.Open("sqlite", "file:"+from+"?mode=ro")
	if err != nil {
		return fmt.Errorf("restore %s: %w", from, err)
	}
	defer db.Close()
	if err := isRemit(ctx, db, from); err != nil {
		return err
	}
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("restore %s: the backup fails SQLite's integrity check (%s %v)", from, check, err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".restoring")
	_ = os.Remove(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return errors.Join(fmt.Errorf("restore %s to %s: %w", from, path, err), os.Remove(tmp))
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("restore %s to %s: %w", from, path, err), os.Remove(tmp))
	}
	return nil
}

// isRemit checks that db is a Remit database: it has Remit's tables.
func isRemit(ctx context.Context, db *sql.DB, path string) error {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('documents', 'audit', 'schema_migrations')`).Scan(&n)
	if err != nil {
		return fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if n != 3 {
		return fmt.Errorf("%s is not a Remit database (it lacks Remit's tables)", path)
	}
	return nil
}
