package service

import (
	"context"
	"fmt"
	"strings"

	"remit/internal/engine"
	"remit/internal/remit"
)

// OfferingVersions returns every model version of an offering, oldest
// first.
func (s *Service) OfferingVersions(ctx context.Context, ref string) ([]remit.OfferingVersion, error) {
	var out []remit.OfferingVersion
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = modelVersion.list(ctx, tx, ref+"@")
		return err
	})
	return out, err
}

// DiffVersions says which systems' obligations change, and how, between
// two versions of an offering's model: the current estate is resolved with
// each version's statements and the results compared.
func (s *Service) DiffVersions(ctx context.Context, ref string, from, to int) ([]engine.SystemDiff, error) {
	vs, err := s.OfferingVersions(ctx, ref)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("offering %q has no model versions: %w", ref, remit.ErrNotFound)
	}
	if from < 1 || to < 1 || from > len(vs) || to > len(vs) {
		return nil, fmt.Errorf("%s has versions 1 to %d, not %d and %d: %w", ref, len(vs), from, to, remit.ErrNotFound)
	}
	or, err := remit.ParseOfferingRef(ref)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, remit.ErrNotFound)
	}
	c := s.Snapshot().cache
	var caches [2]*engine.Cache
	for i, v := range []int{from, to} {
		o := *c.Estate.Offering(mustIndex(c.Estate, ref)).Offering
		o.Statements = vs[v-1].Statements
		// Only the offering's users are recomputed; a version whose
		// statements name controls since removed is refused.
		if caches[i], err = c.PutOffering(or.Provider, &o); err != nil {
			return nil, fmt.Errorf("version %d of %s: %w", v, ref, err)
		}
	}
	diffs := engine.DiffCaches(caches[0], caches[1])
	if diffs == nil {
		diffs = []engine.SystemDiff{}
	}
	return diffs, nil
}

func mustIndex(e *engine.Estate, ref string) int32 {
	oi, _ := e.OfferingIndex(ref)
	return oi
}

// Audit lists the audit trail, filtered.
func (s *Service) Audit(ctx context.Context, f remit.AuditFilter) ([]remit.AuditRecord, error) {
	var out []remit.AuditRecord
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = tx.AuditRecords(ctx, f)
		return err
	})
	return out, err
}

// DismissProposal records why a proposal is not a risk worth recording;
// it stays dismissed until its cause changes.
func (s *Service) DismissProposal(ctx context.Context, p remit.Principal, id, reason string) error {
	if err := mayEditRisks(p, "dismiss proposals of"); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/reason", Message: "say why this is not a risk worth recording"}}}
	}
	now := s.now()
	pr, err := s.FindProposal(ctx, id, now)
	if err != nil {
		return err
	}
	d := remit.Dismissal{Proposal: pr.ID, Cause: pr.Cause, Reason: strings.TrimSpace(reason), By: p.Email, At: now.UTC()}
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		_, err := dismissals.upsert(ctx, tx, change{p.Email, now}, pr.ID, d)
		return nil, err
	})
}

// VerifyAudit checks the trail and replays it over the documents
// (VerifyAudit, the function, says how).
func (s *Service) VerifyAudit(ctx context.Context, check AuditCheck) (AuditReport, error) {
	return VerifyAudit(ctx, s.store, check)
}
