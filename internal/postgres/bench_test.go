package postgres_test

import (
	"context"
	"os"
	"testing"

	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/storetest"
	"remit/internal/synth"
)

func BenchmarkImport(b *testing.B) {
	base := os.Getenv("REMIT_TEST_POSTGRES_URL")
	if base == "" {
		b.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	for _, shape := range []synth.Shape{synth.S, synth.L} {
		b.Run(shape.Name, func(b *testing.B) {
			storetest.BenchImport(b, shape, func(b *testing.B) remit.Store {
				u := storetest.PostgresURL(b, "remit_bench")
				s, err := postgres.Open(context.Background(), u)
				if err != nil {
					b.Fatal(err)
				}
				return s
			})
		})
	}
}
