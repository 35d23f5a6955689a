package memstore_test

import (
	"testing"

	"remit/internal/memstore"
	"remit/internal/remit"
	"remit/internal/storetest"
)

// TestStore holds the in-memory store to the contract every store keeps,
// so service tests over it mean what they would over SQLite.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(*testing.T) remit.Store { return memstore.New() },
		Tamper: func(_ *testing.T, s remit.Store, seq int64, change func(*remit.AuditRecord)) {
			s.(*memstore.Store).Tamper(seq, change)
		},
		Drop: func(_ *testing.T, s remit.Store, seq int64) { s.(*memstore.Store).Drop(seq) },
	})
}
