package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/storetest"
)

func TestStore(t *testing.T) {
	paths := map[remit.Store]string{}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) remit.Store {
			path := filepath.Join(t.TempDir(), "remit.db")
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			paths[s] = path
			return s
		},
		Exec: func(t *testing.T, s remit.Store, query string, args ...any) {
			db, err := sql.Open("sqlite", "file:"+paths[s])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(query, args...); err != nil {
				t.Fatal(err)
			}
		},
	})
}
