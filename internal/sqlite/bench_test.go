package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/storetest"
	"remit/internal/synth"
)

func BenchmarkImport(b *testing.B) {
	for _, shape := range []synth.Shape{synth.S, synth.L} {
		b.Run(shape.Name, func(b *testing.B) {
			storetest.BenchImport(b, shape, func(b *testing.B) remit.Store {
				s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "remit.db"))
				if err != nil {
					b.Fatal(err)
				}
				return s
			})
		})
	}
}
