package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

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
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	for _, shape := range []synth.Shape{synth.S, synth.L} {
		b.Run(shape.Name, func(b *testing.B) {
			storetest.BenchImport(b, shape, func(b *testing.B) remit.Store {
				schema := fmt.Sprintf("remit_bench_%d", time.Now().UnixNano())
				if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
				u, _ := url.Parse(base)
				q := u.Query()
				q.Set("search_path", schema)
				u.RawQuery = q.Encode()
				s, err := postgres.Open(context.Background(), u.String())
				if err != nil {
					b.Fatal(err)
				}
				return s
			})
		})
	}
}
