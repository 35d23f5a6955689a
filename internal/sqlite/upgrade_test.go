package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"remit/internal/sqlstore"
	"remit/internal/storetest"
)

// TestRollingUpgrade: see storetest.RollingUpgrade.
func TestRollingUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "remit.db")
	all, _ := fs.Sub(migrations, "migrations")
	storetest.RollingUpgrade(t, all, func(m fs.FS) (*sqlstore.Store, error) { return open(context.Background(), path, m) })
}
