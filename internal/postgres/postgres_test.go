package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/storetest"
)

// TestStore runs the conformance suite against PostgreSQL, each test in a
// schema of its own. It skips when REMIT_TEST_POSTGRES_URL is not set.
func TestStore(t *testing.T) {
	base := os.Getenv("REMIT_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	urls := map[remit.Store]string{}
	n := 0
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) remit.Store {
			n++
			schema := fmt.Sprintf("remit_test_%d_%d", time.Now().UnixNano()%1e9, n)
			if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			s, err := postgres.Open(context.Background(), u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			urls[s] = u.String()
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
