package service

import (
	"context"
	"errors"
	"fmt"

	"remit/internal/engine"
	"remit/internal/remit"
)

// KindSupplier is a provider's supplier record (listed in Kinds and
// doc/storage.md).
const KindSupplier remit.Kind = "supplier" // provider id

var suppliers = collection[remit.SupplierRecord]{kind: KindSupplier, what: "supplier record"}

// SupplierView is a provider as a supplier: its record, and its tier —
// the one set by hand when there is one, else the one worked out from the
// systems relying on it — with why.
type SupplierView struct {
	Record  remit.SupplierRecord `json:"record"`
	Version int64                `json:"version" doc:"The record's version, for If-Match (0: none kept yet)"`
	Tier    int                  `json:"tier" doc:"1 (most critical) to 3"`
	// Derived is the tier worked out, and Why says how; Set says the
	// record's tier overrides it.
	Derived int    `json:"derived_tier"`
	Why     string `json:"why"`
	Set     bool   `json:"set_by_hand"`
	// Systems counts the systems relying on it, directly or through a
	// fourth party.
	Systems int `json:"systems"`
	// NoticeBy is the last day to give notice on its contract.
	NoticeBy string `json:"notice_by,omitempty"`
}

// Supplier reads a provider's supplier record and works out its tier.
func (s *Service) Supplier(ctx context.Context, provider string) (SupplierView, error) {
	sn := s.Snapshot()
	if _, ok := sn.Provider(provider); !ok {
		return SupplierView{}, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	rec, v, err := suppliers.get(ctx, s.store, provider)
	if err != nil && !errors.Is(err, remit.ErrNotFound) {
		return SupplierView{}, err
	}
	return sn.supplierView(provider, rec, v), nil
}

func (sn *Snapshot) supplierView(provider string, rec remit.SupplierRecord, version int64) SupplierView {
	relying := sn.Relying(func(o OfferingInfo) bool { return o.ProviderID == provider })
	classes := make([]string, len(relying))
	for i, r := range relying {
		classes[i] = r.Classification
	}
	out := SupplierView{Record: rec, Version: version, Systems: len(relying)}
	out.Derived, out.Why = remit.DeriveTier(classes)
	out.Tier, out.Set = out.Derived, rec.Tier > 0
	if out.Set {
		out.Tier = rec.Tier
	}
	if rec.Contract != nil {
		out.NoticeBy = rec.Contract.NoticeBy()
	}
	return out
}

// SetSupplier keeps a provider's supplier record, at the version read
// (0: none kept yet). Assessors and admins keep them, as they set review
// cadences.
func (s *Service) SetSupplier(ctx context.Context, p remit.Principal, provider string, rec remit.SupplierRecord, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("supplier records are kept by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if _, ok := s.Snapshot().Provider(provider); !ok {
		return 0, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	if ps := rec.Validate(); len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := suppliers.put(ctx, tx, change{p.Email, s.now()}, provider, rec, version)
		out = d.Version
		return nil, err
	})
	return out, err
}

// tiers works out every provider's tier in one pass over the systems:
// each system counts once for each provider it relies on, directly or
// through a fourth party. A tier set by hand in a supplier record wins.
func (sn *Snapshot) tiers(records map[string]remit.SupplierRecord) map[string]int {
	return tiersOf(sn.cache.Estate, records)
}

func tiersOf(e *engine.Estate, records map[string]remit.SupplierRecord) map[string]int {
	classes := map[string][]string{}
	for _, sys := range e.Systems() {
		seen := map[string]bool{}
		for _, oi := range sys.Uses {
			o := e.Offering(oi)
			for _, p := range append([]int32{oi}, o.Via...) {
				id := e.Offering(p).Provider.ID
				if !seen[id] {
					seen[id] = true
					classes[id] = append(classes[id], sys.System.Classification)
				}
			}
		}
	}
	out := map[string]int{}
	for _, p := range e.Providers() {
		out[p.ID], _ = remit.DeriveTier(classes[p.ID])
		if r, ok := records[p.ID]; ok && r.Tier > 0 {
			out[p.ID] = r.Tier
		}
	}
	return out
}

// supplierRecords reads every supplier record kept, by provider.
func (s *Service) supplierRecords(ctx context.Context) (map[string]remit.SupplierRecord, error) {
	out := map[string]remit.SupplierRecord{}
	err := s.read(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, KindSupplier, "")
		for _, d := range docs {
			r, err := suppliers.decode(d)
			if err != nil {
				return err
			}
			out[d.ID] = r
		}
		return err
	})
	return out, err
}
