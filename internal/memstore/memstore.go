// Package memstore is a remit.Store held in memory: the same contract as
// the SQL stores (versions, conflicts, all-or-nothing transactions, the
// chained audit trail), for fast service tests. Nothing survives the
// process.
package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"remit/internal/remit"
)

// Store is an in-memory remit.Store. Writers take turns; readers share a
// consistent view and never see a transaction half done.
type Store struct {
	mu       sync.RWMutex
	docs     map[remit.Kind]map[string]remit.Document
	audit    []remit.AuditRecord
	headSeq  int64
	headHash string
}

// New returns an empty store.
func New() *Store {
	return &Store{docs: map[remit.Kind]map[string]remit.Document{}}
}

// Read runs fn over the committed state.
func (s *Store) Read(ctx context.Context, fn func(remit.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&tx{s: s, readOnly: true})
}

// Write runs fn and keeps what it did only if it returns nil.
func (s *Store) Write(ctx context.Context, fn func(remit.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s, changed: map[remit.Kind]map[string]*remit.Document{}, headSeq: s.headSeq, headHash: s.headHash}
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for kind, byID := range t.changed {
		if s.docs[kind] == nil {
			s.docs[kind] = map[string]remit.Document{}
		}
		for id, d := range byID {
			if d == nil {
				delete(s.docs[kind], id)
			} else {
				s.docs[kind][id] = *d
			}
		}
	}
	s.audit = append(s.audit, t.audit...)
	s.headSeq, s.headHash = t.headSeq, t.headHash
	return nil
}

// Close does nothing: there is nothing to release.
func (s *Store) Close() error { return nil }

// tx is one transaction: writes are staged in changed (nil for deleted)
// and audit, and reach the store only at commit.
type tx struct {
	s        *Store
	readOnly bool
	changed  map[remit.Kind]map[string]*remit.Document
	audit    []remit.AuditRecord
	locked   bool
	headSeq  int64
	headHash string
}

var errReadOnly = fmt.Errorf("a read transaction cannot write")

// find returns the document as this transaction sees it.
func (t *tx) find(kind remit.Kind, id string) (remit.Document, bool) {
	if d, ok := t.changed[kind][id]; ok {
		if d == nil {
			return remit.Document{}, false
		}
		return *d, true
	}
	d, ok := t.s.docs[kind][id]
	return d, ok
}

func (t *tx) ids(kind remit.Kind, prefix string) []string {
	var out []string
	for id := range t.s.docs[kind] {
		if _, staged := t.changed[kind][id]; !staged && strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	for id, d := range t.changed[kind] {
		if d != nil && strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (t *tx) Documents(_ context.Context, kind remit.Kind, prefix string) ([]remit.Document, error) {
	ids := t.ids(kind, prefix)
	out := make([]remit.Document, len(ids))
	for i, id := range ids {
		out[i], _ = t.find(kind, id)
	}
	return out, nil
}

func (t *tx) Count(_ context.Context, kind remit.Kind, prefix string) (int, error) {
	return len(t.ids(kind, prefix)), nil
}

func (t *tx) FindDocument(_ context.Context, kind remit.Kind, id string) (remit.Document, error) {
	d, ok := t.find(kind, id)
	if !ok {
		return remit.Document{Kind: kind, ID: id}, fmt.Errorf("%s %q: %w", kind, id, remit.ErrNotFound)
	}
	return d, nil
}

func (t *tx) stage(d remit.Document) {
	if t.changed[d.Kind] == nil {
		t.changed[d.Kind] = map[string]*remit.Document{}
	}
	d.Body = slices.Clone(d.Body)
	t.changed[d.Kind][d.ID] = &d
}

func (t *tx) CreateDocument(_ context.Context, kind remit.Kind, id string, body []byte, now time.Time) (remit.Document, error) {
	if t.readOnly {
		return remit.Document{}, errReadOnly
	}
	if _, ok := t.find(kind, id); ok {
		return remit.Document{}, fmt.Errorf("%s %q already exists: %w", kind, id, remit.ErrConflict)
	}
	d := remit.Document{Kind: kind, ID: id, Body: body, Version: 1, UpdatedAt: now.UTC().Truncate(time.Microsecond)}
	t.stage(d)
	return d, nil
}

func (t *tx) UpdateDocument(_ context.Context, kind remit.Kind, id string, body []byte, version int64, now time.Time) (remit.Document, error) {
	if t.readOnly {
		return remit.Document{}, errReadOnly
	}
	old, ok := t.find(kind, id)
	switch {
	case !ok:
		return remit.Document{}, fmt.Errorf("%s %q: %w", kind, id, remit.ErrNotFound)
	case old.Version != version:
		return remit.Document{}, fmt.Errorf("%s %q is at version %d, not %d: someone changed it first: %w", kind, id, old.Version, version, remit.ErrConflict)
	}
	d := remit.Document{Kind: kind, ID: id, Body: body, Version: version + 1, UpdatedAt: now.UTC().Truncate(time.Microsecond)}
	t.stage(d)
	return d, nil
}

func (t *tx) DeleteDocument(_ context.Context, kind remit.Kind, id string, version int64) error {
	if t.readOnly {
		return errReadOnly
	}
	old, ok := t.find(kind, id)
	switch {
	case !ok:
		return fmt.Errorf("%s %q: %w", kind, id, remit.ErrNotFound)
	case old.Version != version:
		return fmt.Errorf("%s %q is at version %d, not %d: someone changed it first: %w", kind, id, old.Version, version, remit.ErrConflict)
	}
	if t.changed[kind] == nil {
		t.changed[kind] = map[string]*remit.Document{}
	}
	t.changed[kind][id] = nil
	return nil
}

func (t *tx) AuditHead(context.Context) (int64, string, error) {
	if t.readOnly {
		return 0, "", errReadOnly
	}
	t.locked = true
	return t.headSeq, t.headHash, nil
}

func (t *tx) AppendAudit(_ context.Context, r remit.AuditRecord) error {
	if !t.locked || r.Seq != t.headSeq+1 || r.PrevHash != t.headHash {
		return fmt.Errorf("append audit: record %d does not follow the head (%d) read in this transaction", r.Seq, t.headSeq)
	}
	r.Before, r.After = slices.Clone(r.Before), slices.Clone(r.After)
	t.audit = append(t.audit, r)
	t.headSeq, t.headHash = r.Seq, r.Hash
	return nil
}

func (t *tx) AuditSeq(context.Context) (int64, error) {
	all := append(slices.Clip(t.s.audit), t.audit...)
	if len(all) == 0 {
		return 0, nil
	}
	return all[len(all)-1].Seq, nil
}

func (t *tx) AuditRecords(_ context.Context, f remit.AuditFilter) ([]remit.AuditRecord, error) {
	var out []remit.AuditRecord
	for _, r := range append(slices.Clip(t.s.audit), t.audit...) {
		switch {
		case r.Seq <= f.AfterSeq,
			f.Kind != "" && r.Kind != f.Kind,
			f.ID != "" && r.ID != f.ID,
			f.Actor != "" && r.Actor != f.Actor,
			!f.Since.IsZero() && r.At.Before(f.Since),
			f.BeforeSeq > 0 && r.Seq >= f.BeforeSeq:
			continue
		}
		out = append(out, r)
	}
	if f.Newest {
		slices.Reverse(out)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Tamper changes a stored audit record in place, to play the part of
// someone editing the trail behind Remit's back (tests only).
func (s *Store) Tamper(seq int64, change func(r *remit.AuditRecord)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.audit {
		if s.audit[i].Seq == seq {
			change(&s.audit[i])
		}
	}
}

// Drop removes a stored audit record, as someone deleting a line of the
// trail behind Remit's back would (tests only).
func (s *Store) Drop(seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audit = slices.DeleteFunc(s.audit, func(r remit.AuditRecord) bool { return r.Seq == seq })
}

// Search finds documents by the words in them (remit.Searcher), as the
// SQL stores do, by reading every document of the kinds asked for: the
// words of its string values, split at anything but letters and digits;
// a document is found when each term begins one of them. The order is by
// kind and id (the SQL stores rank by relevance).
func (s *Store) Search(_ context.Context, q remit.SearchQuery) ([]remit.SearchHit, error) {
	if len(q.Terms) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = remit.SearchKinds
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []remit.SearchHit
	for _, k := range kinds {
		if !slices.Contains(remit.SearchKinds, k) {
			continue
		}
		for _, id := range slices.Sorted(maps.Keys(s.docs[k])) {
			if words := docWords(s.docs[k][id].Body); slices.IndexFunc(q.Terms, func(t string) bool {
				return !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) })
			}) < 0 {
				out = append(out, remit.SearchHit{Kind: k, ID: id})
			}
		}
	}
	slices.SortFunc(out, func(a, b remit.SearchHit) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) })
	return out[:min(len(out), q.Limit)], nil
}

// docWords lists the words of a JSON document's string values.
func docWords(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var words []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			words = append(words, remit.Words(x)...)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return words
}
