package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/storetest"
)

// TestStore runs the conformance suite against PostgreSQL, each test in a
// schema of its own. It skips when REMIT_TEST_POSTGRES_URL is not set.
func TestStore(t *testing.T) {
	if os.Getenv("REMIT_TEST_POSTGRES_URL") == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	urls := map[remit.Store]string{}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) remit.Store {
			u := storetest.PostgresURL(t, "remit_test")
			s, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			urls[s] = u
			return s
		},
		Exec: func(t *testing.T, s remit.Store, query string, args ...any) {
			db, err := sql.Open("pgx", urls[s])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(query, args...); err != nil {
				t.Fatal(strings.TrimSpace(err.Error()))
			}
		},
	})
}
