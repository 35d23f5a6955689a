package postgres

import (
	"context"
	"io/fs"
	"os"
	"testing"

	"remit/internal/sqlstore"
	"remit/internal/storetest"
)

// TestRollingUpgrade: see storetest.RollingUpgrade.
func TestRollingUpgrade(t *testing.T) {
	if os.Getenv("REMIT_TEST_POSTGRES_URL") == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	url := storetest.PostgresURL(t, "remit_upgrade")
	all, _ := fs.Sub(migrations, "migrations")
	storetest.RollingUpgrade(t, all, func(m fs.FS) (*sqlstore.Store, error) { return open(context.Background(), url, m) })
}
