package remit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// workspaceHeader is the body of the KindWorkspace document.
type workspaceHeader struct {
	Name         string   `json:"name"`
	Organisation string   `json:"organisation,omitempty"`
	CatalogueIDs []string `json:"catalogue_ids,omitempty"`
	ProviderIDs  []string `json:"provider_ids,omitempty"`
}

// providerHeader is the body of a KindProvider document: the provider
// without its offerings, which are documents of their own, but with their
// order.
type providerHeader struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	BuiltIn   bool     `json:"built_in,omitempty"`
	Offerings []string `json:"offerings"`
}

// workspaceID is the id of the one KindWorkspace document.
const workspaceID = "workspace"

// Documents splits a workspace into the documents a Store holds, keyed by
// kind and id, each body canonical JSON (the same workspace always gives the
// same bytes).
func Documents(ws *Workspace) map[Kind]map[string][]byte {
	docs := make(map[Kind]map[string][]byte, len(WorkspaceKinds))
	for _, k := range WorkspaceKinds {
		docs[k] = map[string][]byte{}
	}
	docs[KindWorkspace][workspaceID] = mustJSON(workspaceHeader{ws.Name, ws.Organisation, ws.CatalogueIDs, ws.ProviderIDs})
	for _, c := range ws.Catalogues {
		docs[KindCatalogue][c.ID] = mustJSON(c)
	}
	for _, p := range ws.Providers {
		h := providerHeader{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []string{}}
		for _, o := range p.Offerings {
			h.Offerings = append(h.Offerings, o.ID)
			docs[KindOffering][OfferingRef{Provider: p.ID, Offering: o.ID}.String()] = mustJSON(o)
		}
		docs[KindProvider][p.ID] = mustJSON(h)
	}
	for _, s := range ws.Systems {
		docs[KindSystem][s.ID] = mustJSON(s)
	}
	return docs
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("remit: marshal %T: %v", v, err)) // only plain structs reach here
	}
	return b
}

// Plan lists what an import adds, changes and removes, per kind.
type Plan struct {
	Changes []PlanChange `json:"changes"`
}

// PlanChange is one document an import adds, changes or removes.
type PlanChange struct {
	Kind   Kind   `json:"kind"`
	ID     string `json:"id"`
	Action string `json:"action"` // create, update, delete
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Count returns how many changes of a kind and action the plan holds.
func (p Plan) Count(kind Kind, action string) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == kind && c.Action == action {
			n++
		}
	}
	return n
}

// Import makes the store hold exactly ws: it validates ws, works out the
// plan against what is stored and applies it in one transaction, with an
// audit record per change and a new model version for every offering
// whose statements change. With dryRun it only returns the plan. Importing
// what is already stored changes nothing. Tracking of our obligations and
// model-version history are kept.
func Import(ctx context.Context, s Store, ws *Workspace, actor string, now time.Time, dryRun bool) (Plan, error) {
	if ps := Validate(ws); len(ps) > 0 {
		return Plan{}, &ValidationError{Problems: ps}
	}
	want := Documents(ws)
	var plan Plan
	run := s.Write
	if dryRun {
		run = s.Read
	}
	err := run(ctx, func(tx Tx) error {
		plan = Plan{}
		for _, kind := range WorkspaceKinds {
			have, err := tx.Documents(ctx, kind, "")
			if err != nil {
				return err
			}
			byID := make(map[string]Document, len(have))
			for _, d := range have {
				byID[d.ID] = d
			}
			for _, id := range sortedKeys(want[kind]) {
				body := want[kind][id]
				old, ok := byID[id]
				switch {
				case !ok:
					plan.Changes = append(plan.Changes, PlanChange{kind, id, "create"})
					if !dryRun {
						if _, err := tx.CreateDocument(ctx, kind, id, body, now); err != nil {
							return err
						}
						if err := appendAudit(ctx, tx, actor, "create", kind, id, nil, body, now); err != nil {
							return err
						}
					}
				case !bytes.Equal(old.Body, body):
					plan.Changes = append(plan.Changes, PlanChange{kind, id, "update"})
					if !dryRun {
						if _, err := tx.UpdateDocument(ctx, kind, id, body, old.Version, now); err != nil {
							return err
						}
						if err := appendAudit(ctx, tx, actor, "update", kind, id, old.Body, body, now); err != nil {
							return err
						}
					}
				default:
					continue
				}
				if kind == KindOffering && !dryRun {
					if err := recordModelVersion(ctx, tx, id, old.Body, body, actor, now); err != nil {
						return err
					}
				}
			}
			for _, d := range have {
				if _, keep := want[kind][d.ID]; keep {
					continue
				}
				plan.Changes = append(plan.Changes, PlanChange{kind, d.ID, "delete"})
				if dryRun {
					continue
				}
				if err := tx.DeleteDocument(ctx, kind, d.ID, d.Version); err != nil {
					return err
				}
				if err := appendAudit(ctx, tx, actor, "delete", kind, d.ID, d.Body, nil, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return Plan{}, fmt.Errorf("import: %w", err)
	}
	return plan, nil
}

// RecordChange is the audit record and, for an offering whose statements
// changed, the new model version that every change to a stored document
// needs. Use-cases outside this package call it inside their transaction.
func RecordChange(ctx context.Context, tx Tx, actor string, kind Kind, id string, before, after []byte, now time.Time) error {
	action := "update"
	switch {
	case before == nil:
		action = "create"
	case after == nil:
		action = "delete"
	}
	if err := appendAudit(ctx, tx, actor, action, kind, id, before, after, now); err != nil {
		return err
	}
	if kind == KindOffering && after != nil {
		return recordModelVersion(ctx, tx, id, before, after, actor, now)
	}
	return nil
}

// OfferingVersion is one published version of an offering's model.
type OfferingVersion struct {
	Offering   string      `json:"offering"`
	Version    int         `json:"version"`
	At         time.Time   `json:"at"`
	Actor      string      `json:"actor"`
	Statements []Statement `json:"statements"`
}

// recordModelVersion appends a new model version of an offering when its
// statements differ from before (or it is new).
func recordModelVersion(ctx context.Context, tx Tx, ref string, before, after []byte, actor string, now time.Time) error {
	var a, b Offering
	if len(before) > 0 {
		if err := json.Unmarshal(before, &b); err != nil {
			return fmt.Errorf("read offering %s: %w", ref, err)
		}
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return fmt.Errorf("read offering %s: %w", ref, err)
	}
	if len(before) > 0 && bytes.Equal(mustJSON(a.Statements), mustJSON(b.Statements)) {
		return nil
	}
	versions, err := OfferingVersions(ctx, tx, ref)
	if err != nil {
		return err
	}
	v := OfferingVersion{Offering: ref, Version: len(versions) + 1, At: now.UTC(), Actor: actor, Statements: a.Statements}
	if v.Statements == nil {
		v.Statements = []Statement{}
	}
	_, err = tx.CreateDocument(ctx, KindOfferingVersion, versionID(ref, v.Version), mustJSON(v), now)
	return err
}

// versionID is the document id of one model version: the offering
// reference, "@" and the version zero-padded so ids sort in order.
func versionID(ref string, v int) string { return fmt.Sprintf("%s@%06d", ref, v) }

// OfferingVersions returns every model version of an offering, oldest first.
func OfferingVersions(ctx context.Context, tx Tx, ref string) ([]OfferingVersion, error) {
	docs, err := tx.Documents(ctx, KindOfferingVersion, ref+"@")
	if err != nil {
		return nil, err
	}
	var out []OfferingVersion
	for _, d := range docs {
		var v OfferingVersion
		if err := json.Unmarshal(d.Body, &v); err != nil {
			return nil, fmt.Errorf("read model version %s: %w", d.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Export reads the stored workspace back, in the order a load of its
// exported files would give.
func Export(ctx context.Context, s Store) (*Workspace, error) {
	var ws *Workspace
	err := s.Read(ctx, func(tx Tx) error {
		var err error
		ws, err = ExportTx(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return ws, nil
}

// ExportTx is Export within a transaction the caller holds.
func ExportTx(ctx context.Context, tx Tx) (*Workspace, error) {
	var ws Workspace
	err := func() error {
		head, err := tx.FindDocument(ctx, KindWorkspace, workspaceID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("the store holds no workspace yet (import one first): %w", ErrNotFound)
		}
		if err != nil {
			return err
		}
		var h workspaceHeader
		if err := json.Unmarshal(head.Body, &h); err != nil {
			return fmt.Errorf("read workspace: %w", err)
		}
		ws.Name, ws.Organisation, ws.CatalogueIDs, ws.ProviderIDs = h.Name, h.Organisation, h.CatalogueIDs, h.ProviderIDs
		cats, err := tx.Documents(ctx, KindCatalogue, "")
		if err != nil {
			return err
		}
		for _, d := range cats {
			var c Catalogue
			if err := json.Unmarshal(d.Body, &c); err != nil {
				return fmt.Errorf("read catalogue %s: %w", d.ID, err)
			}
			ws.Catalogues = append(ws.Catalogues, c)
		}
		offerings, err := tx.Documents(ctx, KindOffering, "")
		if err != nil {
			return err
		}
		byRef := make(map[string][]byte, len(offerings))
		for _, d := range offerings {
			byRef[d.ID] = d.Body
		}
		provs, err := tx.Documents(ctx, KindProvider, "")
		if err != nil {
			return err
		}
		for _, d := range provs {
			var h providerHeader
			if err := json.Unmarshal(d.Body, &h); err != nil {
				return fmt.Errorf("read provider %s: %w", d.ID, err)
			}
			p := Provider{ID: h.ID, Name: h.Name, BuiltIn: h.BuiltIn}
			for _, id := range h.Offerings {
				var o Offering
				if err := json.Unmarshal(byRef[OfferingRef{Provider: h.ID, Offering: id}.String()], &o); err != nil {
					return fmt.Errorf("read offering %s/%s: %w", h.ID, id, err)
				}
				p.Offerings = append(p.Offerings, o)
			}
			ws.Providers = append(ws.Providers, p)
		}
		systems, err := tx.Documents(ctx, KindSystem, "")
		if err != nil {
			return err
		}
		for _, d := range systems {
			var s System
			if err := json.Unmarshal(d.Body, &s); err != nil {
				return fmt.Errorf("read system %s: %w", d.ID, err)
			}
			ws.Systems = append(ws.Systems, s)
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	// Built-in content first, in the order remit.yaml names it; then the
	// workspace's own, in the order of their file names.
	sortByFile(ws.Catalogues, func(c Catalogue) (bool, string) { return c.BuiltIn, c.ID }, ws.CatalogueIDs)
	sortByFile(ws.Providers, func(p Provider) (bool, string) { return p.BuiltIn, p.ID }, ws.ProviderIDs)
	sortByFile(ws.Systems, func(s System) (bool, string) { return false, s.ID }, nil)
	return &ws, nil
}

func loadOrder(builtIn bool, id string, named []string) int {
	if builtIn {
		return slices.Index(named, id)
	}
	return len(named)
}

// sortByFile orders built-in items as named, then the rest by file name.
func sortByFile[T any](items []T, key func(T) (bool, string), named []string) {
	slices.SortStableFunc(items, func(a, b T) int {
		ab, aid := key(a)
		bb, bid := key(b)
		if d := loadOrder(ab, aid, named) - loadOrder(bb, bid, named); d != 0 {
			return d
		}
		if ab {
			return 0
		}
		return strings.Compare(aid+".yaml", bid+".yaml")
	})
}

// appendAudit adds one record to the trail, chained to the last.
func appendAudit(ctx context.Context, tx Tx, actor, action string, kind Kind, id string, before, after []byte, now time.Time) error {
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return err
	}
	r := AuditRecord{Seq: seq + 1, At: now.UTC().Truncate(time.Microsecond), Actor: actor, Action: action, Kind: kind, ID: id, Before: before, After: after, PrevHash: prev}
	r.Hash = AuditHash(r)
	return tx.AppendAudit(ctx, r)
}

// AuditHash is the hash of a record: SHA-256 over its previous hash and
// every field, each length-prefixed so no two records share an encoding.
func AuditHash(r AuditRecord) string {
	h := sha256.New()
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.Actor, r.Action, string(r.Kind), r.ID, string(r.Before), string(r.After)} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditBrokenError names the first record where the audit chain breaks.
type AuditBrokenError struct {
	Seq    int64
	Reason string
}

func (e *AuditBrokenError) Error() string {
	return fmt.Sprintf("audit trail broken at record %d: %s", e.Seq, e.Reason)
}

// VerifyAudit walks the whole trail and checks every link: sequence
// numbers without gaps, each record's previous hash equal to the hash
// before it, and each hash matching the record's content. It returns how
// many records it checked, and an *AuditBrokenError at the first break.
func VerifyAudit(ctx context.Context, s Store) (int, error) {
	var records []AuditRecord
	var headSeq int64
	var headHash string
	// A write transaction, to read the head of the trail with the lock
	// every appender takes: the records and the head are one snapshot.
	if err := s.Write(ctx, func(tx Tx) error {
		var err error
		if headSeq, headHash, err = tx.AuditHead(ctx); err != nil {
			return err
		}
		records, err = tx.AuditRecords(ctx, AuditFilter{})
		return err
	}); err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	prev := ""
	for i, r := range records {
		switch {
		case r.Seq != int64(i+1):
			return i, &AuditBrokenError{Seq: int64(i + 1), Reason: fmt.Sprintf("record %d is missing (the next is %d)", i+1, r.Seq)}
		case r.PrevHash != prev:
			return i, &AuditBrokenError{Seq: r.Seq, Reason: "it does not follow the record before it"}
		case AuditHash(r) != r.Hash:
			return i, &AuditBrokenError{Seq: r.Seq, Reason: "its content does not match its hash"}
		}
		prev = r.Hash
	}
	if int64(len(records)) != headSeq || prev != headHash {
		return len(records), &AuditBrokenError{Seq: int64(len(records)) + 1, Reason: fmt.Sprintf("the trail ends at record %d but %d were written", len(records), headSeq)}
	}
	return len(records), nil
}
