package postgres

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"remit/internal/remit"
	"remit/internal/sqlstore"
	"remit/internal/storetest"
)

// previous is the migrations of the Remit before this one: all but the
// newest.
func previous(t *testing.T) (fs.FS, fs.FS) {
	t.Helper()
	all, _ := fs.Sub(migrations, "migrations")
	names, err := fs.Glob(all, "*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("migrations %v %v", names, err)
	}
	older := fstest.MapFS{}
	for _, n := range names[:len(names)-1] {
		b, _ := fs.ReadFile(all, n)
		older[n] = &fstest.MapFile{Data: b}
	}
	return older, all
}

// TestRollingUpgrade: a server of the previous version keeps working while
// the next one migrates the database under it (migrations only add), and
// both see each other's writes; but a previous-version server that starts
// afresh against the migrated database is refused, naming the versions.
func TestRollingUpgrade(t *testing.T) {
	ctx := context.Background()
	older, all := previous(t)
	if os.Getenv("REMIT_TEST_POSTGRES_URL") == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	path := storetest.PostgresURL(t, "remit_upgrade")
	old, err := open(ctx, path, older)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	next, err := open(ctx, path, all)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for i, s := range []*sqlstore.Store{old, next} {
		id := []string{"from-old", "from-next"}[i]
		if err := s.Write(ctx, func(tx remit.Tx) error {
			_, err := tx.CreateDocument(ctx, remit.Kind("note"), id, []byte(`{"by":"`+id+`"}`), now)
			return err
		}); err != nil {
			t.Fatalf("%s writes after the upgrade: %v", id, err)
		}
	}
	for _, s := range []*sqlstore.Store{old, next} {
		if err := s.Read(ctx, func(tx remit.Tx) error {
			docs, err := tx.Documents(ctx, remit.Kind("note"), "")
			if err == nil && len(docs) != 2 {
				t.Errorf("sees %d notes, want 2", len(docs))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = open(ctx, path, older)
	names, _ := fs.Glob(all, "*.sql")
	if !errors.Is(err, sqlstore.ErrNewerSchema) || !strings.Contains(err.Error(), "its schema is at version "+strings.TrimLeft(names[len(names)-1][:4], "0")) {
		t.Errorf("an older Remit starting against a newer database: %v", err)
	}
}
