package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop schemas
)

var schemas atomic.Int64

// PostgresURL returns a URL for a fresh, empty schema of the database
// REMIT_TEST_POSTGRES_URL names, dropped when t ends; "" when the variable
// is not set (the caller skips what needs PostgreSQL).
func PostgresURL(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv("REMIT_TEST_POSTGRES_URL")
	if base == "" {
		return ""
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e12, schemas.Add(1))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
