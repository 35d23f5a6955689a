package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode"

	"remit/internal/remit"
)

// FuzzSearch: whatever someone types, SearchTerms gives terms of letters
// and digits only, and SQLite's full-text search takes them without error
// (FTS5 has a query language of its own: nothing typed may reach it as
// syntax). A document holding a term is found by it.
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"visits", `"visits" OR NEAR(a b)`, "a* -b ^c", "Prison-visits: booking!", "NOT AND OR", "'); DROP TABLE search; --", "ПЕНТЕСТ 試験", "\x00\xff", "col:term"} {
		f.Add(q)
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(f.TempDir(), "search.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	n := 0
	f.Fuzz(func(t *testing.T, q string) {
		terms := remit.SearchTerms(q)
		for _, term := range terms {
			if term == "" || len([]rune(term)) > remit.MaxSearchTerm || slices.ContainsFunc([]rune(term), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
				t.Fatalf("term %q of %q", term, q)
			}
		}
		if len(terms) > remit.MaxSearchTerms {
			t.Fatalf("%d terms", len(terms))
		}
		if _, err := s.Search(ctx, remit.SearchQuery{Terms: terms, Limit: 5}); err != nil {
			t.Fatalf("search %q (terms %q): %v", q, terms, err)
		}
		if len(terms) == 0 {
			return
		}
		n++
		id := "fuzz-" + time.Now().Format("150405.000000000") + "-" + string(rune('a'+n%26))
		body, _ := json.Marshal(map[string]string{"name": terms[0]})
		if err := s.Write(ctx, func(tx remit.Tx) error {
			_, err := tx.CreateDocument(ctx, "finding", id, body, time.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		hits, err := s.Search(ctx, remit.SearchQuery{Terms: terms[:1], Kinds: []remit.Kind{"finding"}, Limit: 1000000})
		if err != nil || !slices.Contains(hits, remit.SearchHit{Kind: "finding", ID: id}) {
			t.Fatalf("a finding named %q is not found by it: %v", terms[0], err)
		}
	})
}
