// Package storetest is the one conformance suite every remit.Store must
// pass: the SQLite store always, the PostgreSQL store when
// REMIT_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/workspace"
)

// Harness gives the suite fresh stores and raw access to their database.
type Harness struct {
	// Open returns a new, empty store, closed when the test ends.
	Open func(t *testing.T) remit.Store
	// Exec runs raw SQL against the store's database, to play the part of
	// someone tampering with it.
	Exec func(t *testing.T, s remit.Store, query string, args ...any)
	// Tamper and Drop change or remove a stored audit record behind the
	// store's back, for a store with no SQL to run (the in-memory one).
	Tamper func(t *testing.T, s remit.Store, seq int64, change func(r *remit.AuditRecord))
	Drop   func(t *testing.T, s remit.Store, seq int64)
}

// setActor rewrites the actor of a stored audit record.
func (h Harness) setActor(t *testing.T, s remit.Store, seq int64, actor string) {
	if h.Exec != nil {
		h.Exec(t, s, `UPDATE audit SET actor = $1 WHERE seq = $2`, actor, seq)
		return
	}
	h.Tamper(t, s, seq, func(r *remit.AuditRecord) { r.Actor = actor })
}

// drop removes a stored audit record.
func (h Harness) drop(t *testing.T, s remit.Store, seq int64) {
	if h.Exec != nil {
		h.Exec(t, s, `DELETE FROM audit WHERE seq = $1`, seq)
		return
	}
	h.Drop(t, s, seq)
}

// ExampleDir is the example estate, relative to a store package's tests.
const ExampleDir = "../../examples/justice"

var now = time.Date(2026, 11, 29, 9, 30, 0, 123456000, time.UTC)

// kindA and kindB are kinds of document for the contract tests: a store
// knows nothing of what the kinds mean.
const (
	kindA remit.Kind = "system"
	kindB remit.Kind = "offering-version"
)

func testPrefixes(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ids := []string{"aws/ec2@000001", "aws/ec2@000002", "aws/ec2x@000001", "aws/ec3@000001", "b/ec2@000001"}
	if err := s.Write(ctx, func(tx remit.Tx) error {
		for _, id := range ids {
			if _, err := tx.CreateDocument(ctx, kindB, id, []byte(`{}`), now); err != nil {
				return err
			}
		}
		_, err := tx.CreateDocument(ctx, kindA, "aws/ec2@000009", []byte(`{}`), now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Read(ctx, func(tx remit.Tx) error {
		for prefix, want := range map[string][]string{"aws/ec2@": ids[:2], "aws/ec2": ids[:3], "": ids, "zz": nil} {
			docs, err := tx.Documents(ctx, kindB, prefix)
			if err != nil {
				return err
			}
			var got []string
			for _, d := range docs {
				got = append(got, d.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("documents with prefix %q (-want +got):\n%s", prefix, diff)
			}
			n, err := tx.Count(ctx, kindB, prefix)
			if err != nil {
				return err
			}
			if n != len(want) {
				t.Errorf("count with prefix %q = %d, want %d", prefix, n, len(want))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Run runs the whole suite: the store contract alone (documents,
// versions and conflicts, prefixes and counts, all-or-nothing
// transactions, one winner among concurrent writers, the audit chain and
// its tamper evidence). The use-cases over a store are the service's
// tests.
func Run(t *testing.T, h Harness) {
	t.Run("Documents", func(t *testing.T) { testDocuments(t, h) })
	t.Run("PrefixesAndCounts", func(t *testing.T) { testPrefixes(t, h) })
	t.Run("RollbackLeavesNothing", func(t *testing.T) { testRollback(t, h) })
	t.Run("ConcurrentUpdatesOneWins", func(t *testing.T) { testConcurrentUpdates(t, h) })
	t.Run("AuditChain", func(t *testing.T) { testAudit(t, h) })
	t.Run("Search", func(t *testing.T) { testSearch(t, h) })
}

// testSearch: a store finds documents of the indexed kinds by word
// prefixes of their string values (every term needed, keys not counted,
// case and punctuation ignored), keeps up with updates and deletes, never
// indexes other kinds, rolls back with its transaction, and takes any
// terms SearchTerms gives without error.
func testSearch(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	se, ok := s.(remit.Searcher)
	if !ok {
		t.Fatalf("%T does not search", s)
	}
	write := func(fn func(tx remit.Tx) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx remit.Tx) error {
		for _, d := range []struct {
			kind     remit.Kind
			id, body string
		}{
			{"system", "prison-visits", `{"id":"prison-visits","name":"Prison visits booking","description":"Families book visits online."}`},
			{"risk", "ri-1", `{"title":"Visitor documents exposed","nested":{"notes":["Bucket policy reviewed by the Platform team"]},"score":12}`},
			{"finding", "fi-1", `{"title":"Admin accounts not reviewed","owner":"platform-team"}`},
			{"session", "s1", `{"email":"visits@example.gov.uk"}`},
			{"evidence", "ev-1", `{"title":"Penetration test","booking":"key, not a value"}`},
		} {
			if _, err := tx.CreateDocument(ctx, d.kind, d.id, []byte(d.body), now); err != nil {
				return err
			}
		}
		return nil
	})
	find := func(q string, kinds ...remit.Kind) []string {
		t.Helper()
		hits, err := se.Search(ctx, remit.SearchQuery{Terms: remit.SearchTerms(q), Kinds: kinds, Limit: 10})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, string(h.Kind)+":"+h.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		q     string
		kinds []remit.Kind
		want  []string
	}{
		{q: "visit", want: []string{"risk:ri-1", "system:prison-visits"}}, // "visits", "Visitor"; never the session
		{q: "VISITS booking", want: []string{"system:prison-visits"}},
		{q: "platform", want: []string{"finding:fi-1", "risk:ri-1"}},
		{q: "platform", kinds: []remit.Kind{"finding"}, want: []string{"finding:fi-1"}},
		{q: "reviewed", want: []string{"finding:fi-1", "risk:ri-1"}},
		{q: "booking", want: []string{"system:prison-visits"}}, // a key is not a word
		{q: "title", want: nil},
		{q: "visits penetration", want: nil},
		{q: `"); DROP TABLE documents; --`, want: nil},
		{q: "", want: nil},
	} {
		if got := find(c.q, c.kinds...); !slices.Equal(got, c.want) {
			t.Errorf("search %q in %v: %v, want %v", c.q, c.kinds, got, c.want)
		}
	}
	write(func(tx remit.Tx) error {
		if _, err := tx.UpdateDocument(ctx, "system", "prison-visits", []byte(`{"id":"prison-visits","name":"Visiting rooms"}`), 1, now); err != nil {
			return err
		}
		return tx.DeleteDocument(ctx, "risk", "ri-1", 1)
	})
	if got := find("visit"); !slices.Equal(got, []string{"system:prison-visits"}) {
		t.Errorf("after an update and a delete: %v", got)
	}
	if got := find("booking"); got != nil {
		t.Errorf("the old name is still found: %v", got)
	}
	_ = s.Write(ctx, func(tx remit.Tx) error {
		if _, err := tx.CreateDocument(ctx, "finding", "fi-2", []byte(`{"title":"Rolled back"}`), now); err != nil {
			return err
		}
		return errors.New("no")
	})
	if got := find("rolled"); got != nil {
		t.Errorf("a rolled-back document is found: %v", got)
	}
	if got := find("évidence ПЕНТЕСТ 試験 a b c d e f g h i j"); got != nil {
		t.Errorf("many terms in other scripts: %v", got)
	}
}

func load(t *testing.T) *remit.Workspace {
	t.Helper()
	ws, err := workspace.Load(ExampleDir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func testDocuments(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	err := s.Write(ctx, func(tx remit.Tx) error {
		for _, id := range []string{"b", "a", "c"} {
			d, err := tx.CreateDocument(ctx, kindA, id, []byte(`{"id":"`+id+`"}`), now)
			if err != nil {
				return err
			}
			if d.Version != 1 {
				t.Errorf("created %s at version %d, want 1", id, d.Version)
			}
		}
		if _, err := tx.CreateDocument(ctx, kindA, "a", []byte(`{}`), now); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("creating a duplicate: %v, want ErrConflict", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, kindA, "")
		if err != nil {
			return err
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
			t.Errorf("documents in id order (-want +got):\n%s", diff)
		}
		if !docs[0].UpdatedAt.Equal(now) {
			t.Errorf("updated_at = %v, want %v exactly", docs[0].UpdatedAt, now)
		}
		d, err := tx.UpdateDocument(ctx, kindA, "a", []byte(`{"id":"a","name":"A"}`), 1, now)
		if err != nil {
			return err
		}
		if d.Version != 2 {
			t.Errorf("updated to version %d, want 2", d.Version)
		}
		if _, err := tx.UpdateDocument(ctx, kindA, "a", []byte(`{}`), 1, now); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("update with a stale version: %v, want ErrConflict", err)
		}
		if _, err := tx.UpdateDocument(ctx, kindA, "zz", []byte(`{}`), 1, now); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("update of a missing document: %v, want ErrNotFound", err)
		}
		if err := tx.DeleteDocument(ctx, kindA, "b", 7); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("delete with a stale version: %v, want ErrConflict", err)
		}
		if err := tx.DeleteDocument(ctx, kindA, "b", 1); err != nil {
			return err
		}
		if _, err := tx.FindDocument(ctx, kindA, "b"); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("find after delete: %v, want ErrNotFound", err)
		}
		got, err := tx.FindDocument(ctx, kindA, "a")
		if err != nil {
			return err
		}
		if string(got.Body) != `{"id":"a","name":"A"}` || got.Version != 2 {
			t.Errorf("found %s at version %d", got.Body, got.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testRollback(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx remit.Tx) error {
		if _, err := tx.CreateDocument(ctx, kindA, "x", []byte(`{}`), now); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the function's error", err)
	}
	_ = s.Read(ctx, func(tx remit.Tx) error {
		if _, err := tx.FindDocument(ctx, kindA, "x"); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("a document written in a failed transaction is there: %v", err)
		}
		return nil
	})
}

func testConcurrentUpdates(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	if err := s.Write(ctx, func(tx remit.Tx) error {
		_, err := tx.CreateDocument(ctx, kindA, "o", []byte(`{}`), now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Write(ctx, func(tx remit.Tx) error {
				_, err := tx.UpdateDocument(ctx, kindA, "o", []byte(fmt.Sprintf(`{"writer":%d}`, i)), 1, now)
				return err
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, remit.ErrConflict):
			t.Errorf("a losing writer got %v, want ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d writers quoting version 1 succeeded, want exactly 1", won)
	}
}

func testAudit(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ws := load(t)
	alice := remit.Principal{Email: "alice@example.gov.uk", Role: remit.RoleAdmin}
	keys, err := service.ParseAuditKeys(service.NewAuditKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	// Records keep their MAC: written through a signing store, verified
	// with its key.
	if _, err := service.ImportWorkspace(ctx, service.Signed(s, keys), alice, ws, now, false); err != nil {
		t.Fatal(err)
	}
	check := service.AuditCheck{Keys: keys}
	rep, err := service.VerifyAudit(ctx, s, check)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records < len(ws.Systems) || rep.Keyed != rep.Records || rep.Documents < len(ws.Systems) {
		t.Fatalf("verified %+v, want at least one record per system, every one keyed, every document replayed", rep)
	}
	var recs []remit.AuditRecord
	if err := s.Read(ctx, func(tx remit.Tx) error {
		var err error
		recs, err = tx.AuditRecords(ctx, remit.AuditFilter{Kind: service.KindSystem, ID: "legacy-fines"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != "create" || recs[0].Actor != "alice@example.gov.uk" || !recs[0].At.Equal(now.Truncate(time.Microsecond)) || len(recs[0].After) == 0 || recs[0].Before != nil || !strings.HasPrefix(recs[0].MAC, "k1:") {
		t.Fatalf("audit for legacy-fines: %+v", recs)
	}
	seq := recs[0].Seq

	// Newest first, before a sequence number, limited: the page before
	// seq, latest first.
	var page []remit.AuditRecord
	if err := s.Read(ctx, func(tx remit.Tx) error {
		var err error
		page, err = tx.AuditRecords(ctx, remit.AuditFilter{BeforeSeq: seq, Newest: true, Limit: 3})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, r := range page {
		seqs = append(seqs, r.Seq)
	}
	if want := []int64{seq - 1, seq - 2, seq - 3}; seq > 3 && !slices.Equal(seqs, want) {
		t.Fatalf("newest 3 before %d: got seqs %v, want %v", seq, seqs, want)
	}

	// Editing a record's content is detected at that record.
	h.setActor(t, s, seq, "mallory")
	_, err = service.VerifyAudit(ctx, s, check)
	var broken *remit.AuditBrokenError
	if !errors.As(err, &broken) || broken.Seq != seq || broken.Reason != "its content does not match its hash" {
		t.Fatalf("after editing record %d: %v", seq, err)
	}
	h.setActor(t, s, seq, "alice@example.gov.uk")
	if _, err := service.VerifyAudit(ctx, s, check); err != nil {
		t.Fatalf("after restoring record %d: %v", seq, err)
	}
	// Deleting a record is detected where the gap is.
	h.drop(t, s, seq)
	_, err = service.VerifyAudit(ctx, s, check)
	if !errors.As(err, &broken) || broken.Seq != seq {
		t.Fatalf("after deleting record %d: %v", seq, err)
	}
}
