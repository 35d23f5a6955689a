package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"remit/internal/remit"
)

// Refresh applies what anyone else (another server sharing the database,
// or the CLI) changed since the snapshot's place in the audit trail: each
// document a new record names is read as it is stored now and put in the
// next snapshot if it is newer than what the snapshot holds. Changes this
// service made itself are held already and cost nothing. A change to a
// catalogue or the workspace's header, or a provider or offering removed,
// rebuilds the estate. It returns how many audit records it read.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.refreshLocked(ctx)
}

// refreshLocked is Refresh for a caller holding s.writing.
func (s *Service) refreshLocked(ctx context.Context) (int, error) {
	sn := s.snap.Load()
	var next *Snapshot
	var n int
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		next, n, err = s.catchUp(ctx, tx, sn)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("refresh: %w", err)
	}
	if n > 0 {
		s.snap.Store(next)
	}
	return n, nil
}

// catchUp reads through tx what others changed since sn's place in the
// audit trail and returns the snapshot that holds it too (sn itself when
// nothing changed), and how many audit records it read.
func (s *Service) catchUp(ctx context.Context, tx remit.Tx, sn *Snapshot) (*Snapshot, int, error) {
	type key struct {
		kind remit.Kind
		id   string
	}
	recs, err := tx.AuditRecords(ctx, remit.AuditFilter{AfterSeq: sn.seq})
	if err != nil {
		return nil, 0, err
	}
	if len(recs) == 0 {
		return sn, 0, nil
	}
	stored := map[key]*remit.Document{} // nil: not stored (deleted)
	for _, r := range recs {
		k := key{r.Kind, r.ID}
		if _, done := stored[k]; done || !followed(r.Kind) {
			continue
		}
		id := r.ID
		if r.Kind == KindRiskSettings {
			id = "settings"
		}
		d, err := tx.FindDocument(ctx, r.Kind, id)
		switch {
		case errors.Is(err, remit.ErrNotFound):
			stored[k] = nil
		case err != nil:
			return nil, 0, err
		default:
			stored[k] = &d
		}
	}
	next := sn.next()
	next.seq = recs[len(recs)-1].Seq
	// Containers before what they contain: a new provider before its new
	// offering, an offering before the system that uses it.
	keys := slices.Collect(maps.Keys(stored))
	slices.SortFunc(keys, func(a, b key) int {
		if d := kindOrder(a.kind) - kindOrder(b.kind); d != 0 {
			return d
		}
		return strings.Compare(a.id, b.id)
	})
	for _, k := range keys {
		applied, err := refreshOne(next, k.kind, k.id, stored[k])
		if err != nil {
			return nil, 0, fmt.Errorf("%s %q: %w", k.kind, k.id, err)
		}
		if !applied {
			fresh, err := s.loadFrom(ctx, tx)
			return fresh, len(recs), err
		}
	}
	return next, len(recs), nil
}

// kindOrder places the workspace's kinds first, in the order they nest.
func kindOrder(k remit.Kind) int {
	if i := slices.Index(WorkspaceKinds, k); i >= 0 {
		return i
	}
	return len(WorkspaceKinds)
}

// followed reports whether the snapshot holds documents of a kind.
func followed(kind remit.Kind) bool {
	switch kind {
	case KindWorkspace, KindCatalogue, KindProvider, KindOffering, KindSystem, KindObligation,
		KindEvidence, KindSupplierAssessment, KindSAT, KindRisk, KindRiskSettings, KindCheckRun, KindChecks, KindMappings, KindProviderFindings:
		return true
	}
	return false
}

// refreshOne puts one stored document (nil: deleted) in sn if it is newer
// than what sn holds. It returns false when the estate must be rebuilt
// instead.
func refreshOne(sn *Snapshot, kind remit.Kind, id string, d *remit.Document) (bool, error) {
	held, holds := sn.versions.Get(versionKey(kind, id))
	if d != nil && holds && d.Version <= held {
		return true, nil // held already (this service wrote it, most likely)
	}
	if d != nil && kind != KindObligation {
		sn.versions = sn.versions.Put(versionKey(kind, id), d.Version)
	}
	switch kind {
	case KindObligation:
		if d == nil {
			return true, nil
		}
		t, err := trackings.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putTracking(remit.TrackedObligation{ID: id, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt})
		return true, nil
	case KindEvidence:
		if d == nil {
			return true, nil
		}
		ev, err := evidenceDocs.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putEvidence(ev)
		return true, nil
	case KindSupplierAssessment:
		if d == nil {
			return true, nil
		}
		a, err := assessments.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putAssessments(a)
		return true, nil
	case KindSAT:
		if d == nil {
			return true, nil
		}
		a, err := satDocs.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putSATs(a)
		return true, nil
	case KindChecks, KindMappings:
		return false, nil // rare: the mappings are compiled afresh with the estate
	case KindProviderFindings:
		if d == nil {
			return true, nil
		}
		pf, err := measuredDocs.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putMeasured(&pf)
		return true, nil
	case KindCheckRun:
		if d == nil {
			return true, nil
		}
		r, err := checkRuns.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putCheckRuns(r)
		return true, nil
	case KindRisk:
		if d == nil {
			return true, nil
		}
		r, err := riskDocs.decode(*d)
		if err != nil {
			return false, err
		}
		sn.putRisks(r)
		return true, nil
	case KindRiskSettings:
		rs := remit.DefaultRiskSettings()
		if d != nil {
			var err error
			if rs, err = riskSettings.decode(*d); err != nil {
				return false, err
			}
		}
		sn.riskSettings = rs
		return true, nil
	}
	// The workspace's own documents.
	if d == nil && !holds {
		return true, nil
	}
	switch kind {
	case KindSystem:
		if d == nil {
			c, err := sn.cache.DeleteSystem(id)
			if err != nil {
				return false, err
			}
			sn.withCache(c, kind, id, 0)
			return true, nil
		}
		sys, err := systems.decode(*d)
		if err != nil {
			return false, err
		}
		c, err := sn.cache.PutSystem(&sys)
		if err != nil {
			return false, nil // it refers to what this snapshot lacks: rebuild
		}
		sn.withCache(c, kind, id, d.Version)
		return true, nil
	case KindOffering:
		if d == nil {
			return false, nil
		}
		o, err := offerings.decode(*d)
		if err != nil {
			return false, err
		}
		ref, err := remit.ParseOfferingRef(id)
		if err != nil {
			return false, err
		}
		c, err := sn.cache.PutOffering(ref.Provider, &o)
		if err != nil {
			return false, nil
		}
		sn.withCache(c, kind, id, d.Version)
		return true, nil
	case KindProvider:
		if d == nil {
			return false, nil
		}
		p, err := providers.decode(*d)
		if err != nil {
			return false, err
		}
		if cur, ok := sn.cache.Estate.Provider(id); ok && len(cur.Offerings) > len(p.Offerings) {
			return false, nil // an offering went: rebuild
		}
		sn.withCache(sn.cache.PutProvider(p.ID, p.Name, p.BuiltIn), kind, id, d.Version)
		return true, nil
	}
	return false, nil // catalogues and the header: rebuild
}
