package storetest

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"remit/internal/remit"
	"remit/internal/sqlstore"
)

// Opener opens a store over one database with the migrations given.
type Opener func(migrations fs.FS) (*sqlstore.Store, error)

// RollingUpgrade checks what a rolling upgrade relies on: a store of the
// previous Remit (all migrations but the newest) keeps working while the
// next one migrates the database under it — each reads the other's
// writes — and a previous-version store opened afresh against the
// migrated database is refused, naming the schema's version.
func RollingUpgrade(t *testing.T, all fs.FS, open Opener) {
	t.Helper()
	ctx := context.Background()
	names, err := fs.Glob(all, "*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("migrations %v %v", names, err)
	}
	older := fstest.MapFS{}
	for _, n := range names[:len(names)-1] {
		b, _ := fs.ReadFile(all, n)
		older[n] = &fstest.MapFile{Data: b}
	}
	old, err := open(older)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	next, err := open(all)
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
	newest, _ := strconv.Atoi(strings.SplitN(names[len(names)-1], "_", 2)[0])
	if _, err = open(older); !errors.Is(err, sqlstore.ErrNewerSchema) || !strings.Contains(err.Error(), "its schema is at version "+strconv.Itoa(newest)) {
		t.Errorf("an older Remit starting against a newer database: %v", err)
	}
}
