package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// Scorecards computes every provider's scorecard with its offerings', on
// day now. Assurance of a provider obligation depends only on the
// offering and the control, so each is derived once for the whole estate.
func (s *Service) Scorecards(ctx context.Context, now time.Time) ([]remit.Scorecard, error) {
	sn := s.Snapshot()
	findings, err := s.Findings(ctx)
	if err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	cadence, err := s.ReviewCadences(ctx)
	if err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	// Open findings and soon-expiring evidence, by offering.
	open := map[string]int{}
	for _, f := range findings {
		if f.Status == remit.FindingClosed {
			continue
		}
		seen := map[string]bool{}
		for _, o := range f.Obligations {
			oid, err := remit.ParseObligationID(o)
			if err != nil || oid.Whole() {
				continue
			}
			if ref := oid.Offering.String(); !seen[ref] {
				seen[ref] = true
				open[ref]++
			}
		}
	}
	x := sn.index
	expiring := map[string]int{}
	soon := now.AddDate(0, 0, 30).UTC().Format(time.DateOnly)
	for _, ev := range sn.evidence.All() {
		if ev.Counts(now) && ev.Expires != "" && ev.Expires <= soon {
			for _, sup := range ev.Supports {
				if sup.On == remit.SupportOffering {
					expiring[sup.Ref]++
				}
			}
		}
	}
	assessed := map[string]time.Time{}
	for _, a := range sn.assessments {
		if a.Status == remit.AssessmentCompleted && a.SignedOff != nil && a.SignedOff.After(assessed[a.Offering]) {
			assessed[a.Offering] = *a.SignedOff
		}
	}
	out := scorecardsOf(sn.cache.Estate, x, now, expiring, open, assessed)
	for i := range out {
		for j := range out[i].Offerings {
			o := &out[i].Offerings[j]
			for _, n := range sn.OpenProviderFindings(o.Offering) {
				o.OwnFindings += n
			}
			out[i].OwnFindings += o.OwnFindings
		}
	}
	records, err := s.supplierRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	settings, _, err := s.SupplierSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	tiers := sn.tiers(records)
	indirect := map[string]int{}
	for _, r := range sn.cache.Estate.ConcentrationWith(subProcessorsOf(records)) {
		indirect[r.Provider] = r.Indirect
	}
	for i := range out {
		// The cadence set for the provider, else its tier's.
		sc := &out[i]
		sc.Tier, sc.Indirect = tiers[sc.Provider], indirect[sc.Provider]
		sch := scheduleOf(sn.offeringsOf(sc.Provider), assessed, x, settings.Policy(sc.Tier), cadence[sc.Provider], now)
		sc.ReviewDue, sc.Overdue, sc.EvidenceMissing = sch.Due, sch.Overdue, sch.EvidenceMissing
		if r, ok := records[sc.Provider]; ok && len(r.Clauses) > 0 {
			_, sc.Clauses = sn.clauses(sc.Provider, r, findings, now)
		}
	}
	slices.SortStableFunc(out, func(a, b remit.Scorecard) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// providerControls lists the controls an offering's provider owes a part
// of (engine.ProviderControls), their references, and for each the
// controls it is answered for through mappings.
func providerControls(e *engine.Estate, oi int32) (cis []int32, refs []string, mapped [][]remit.MappedControl) {
	cis = e.ProviderControls(oi)
	refs = make([]string, len(cis))
	answers := e.AnswersThroughMappings(oi)
	if answers {
		mapped = make([][]remit.MappedControl, len(cis))
	}
	for i, ci := range cis {
		refs[i] = e.Controls[ci].Ref
		if answers {
			mapped[i] = e.MappedFrom(oi, ci)
		}
	}
	return cis, refs, mapped
}

// scorecardsOf derives every offering's and provider's counts.
func scorecardsOf(e *engine.Estate, x *remit.EvidenceIndex, now time.Time, expiring, open map[string]int, assessed map[string]time.Time) []remit.Scorecard {
	day := now.UTC().Format(time.DateOnly)
	var out []remit.Scorecard
	{
		byProvider := map[string]*remit.Scorecard{}
		var order []string
		leaves := map[string]int{} // by the offering whose lapse leaves them short
		for oi := range int32(e.NumOfferings()) {
			o := e.Offering(oi)
			sc := remit.Scorecard{Provider: o.Provider.ID, Offering: o.Ref, Name: o.Offering.Name, Counts: map[remit.AssuranceStatus]int{},
				Systems: len(e.Users(int32(oi))), ExpiringSoon: expiring[o.Ref], OpenFindings: open[o.Ref]}
			if t, ok := assessed[o.Ref]; ok {
				sc.LastAssessed = t.UTC().Format(time.DateOnly)
			}
			cis, refs, mapped := providerControls(e, oi)
			sts, links := x.OfferingLinks(o.Ref, refs, mapped, day)
			for i, st := range sts {
				sc.Counts[st]++
				if links[i] != "" {
					leaves[links[i]]++
				}
			}
			sc.Obligations += len(cis)
			p := byProvider[o.Provider.ID]
			if p == nil {
				p = &remit.Scorecard{Provider: o.Provider.ID, Name: o.Provider.Name, Counts: map[remit.AssuranceStatus]int{}}
				byProvider[o.Provider.ID] = p
				order = append(order, o.Provider.ID)
			}
			for k, n := range sc.Counts {
				p.Counts[k] += n
			}
			p.Obligations += sc.Obligations
			p.Systems += sc.Systems
			p.ExpiringSoon += sc.ExpiringSoon
			p.OpenFindings += sc.OpenFindings
			if sc.LastAssessed > p.LastAssessed {
				p.LastAssessed = sc.LastAssessed
			}
			p.Offerings = append(p.Offerings, sc)
		}
		for _, id := range order {
			p := byProvider[id]
			for i := range p.Offerings {
				p.Offerings[i].LeavesNotAssured = leaves[p.Offerings[i].Offering]
				p.LeavesNotAssured += p.Offerings[i].LeavesNotAssured
			}
			out = append(out, *p)
		}
	}
	return out
}

// Snapshot keeps today's points of the trends: the scorecards' counts
// per offering and the risk register's counts.
func (s *Service) KeepTrends(ctx context.Context, now time.Time) error {
	if err := s.SnapshotScorecards(ctx, now); err != nil {
		return err
	}
	risks, settings := s.Snapshot().Risks()
	sn := remit.TakeRiskSnapshot(risks, settings, now)
	return s.store.Write(ctx, func(tx remit.Tx) error { return putDaily(ctx, tx, riskTrend, sn.Day, sn, now) })
}

// SnapshotScorecards keeps today's counts per offering, a point of each
// scorecard's trend.
func (s *Service) SnapshotScorecards(ctx context.Context, now time.Time) error {
	cards, err := s.Scorecards(ctx, now)
	if err != nil {
		return err
	}
	sn := remit.ScorecardSnapshot{Day: now.UTC().Format(time.DateOnly), Offerings: map[string]map[string]int{}}
	for _, c := range cards {
		for _, o := range c.Offerings {
			counts := map[string]int{}
			for k, v := range o.Counts {
				counts[string(k)] = v
			}
			sn.Offerings[o.Offering] = counts
		}
	}
	return s.store.Write(ctx, func(tx remit.Tx) error { return putDaily(ctx, tx, scoreTrend, sn.Day, sn, now) })
}

// ScorecardTrend reads the scorecards' last n daily snapshots, oldest
// first.
func (s *Service) ScorecardTrend(ctx context.Context, n int) ([]remit.ScorecardSnapshot, error) {
	var out []remit.ScorecardSnapshot
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = lastDaily(ctx, tx, scoreTrend, n)
		return err
	})
	return out, err
}

// Cadence is how often a provider is reviewed, and the version to quote
// to change it (0 while the default applies).
type Cadence struct {
	Months  int   `json:"months"`
	Version int64 `json:"version"`
}

// ReviewCadences reads the review cadences set, by provider.
func (s *Service) ReviewCadences(ctx context.Context) (map[string]Cadence, error) {
	out := map[string]Cadence{}
	err := s.read(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, KindReviewCadence, "")
		if err != nil {
			return err
		}
		for _, d := range docs {
			c, err := cadences.decode(d)
			if err != nil {
				return err
			}
			out[d.ID] = Cadence{Months: c.Months, Version: d.Version}
		}
		return nil
	})
	return out, err
}

// SetReviewCadence sets how often a provider of the estate is reviewed
// (1 to 36 months), if its cadence is still at version (0: the default
// still applies).
func (s *Service) SetReviewCadence(ctx context.Context, p remit.Principal, provider string, months int, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("review cadences are set by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if _, ok := s.Snapshot().cache.Estate.Provider(provider); !ok {
		return 0, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	if months < 1 || months > 36 {
		return 0, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/months", Message: fmt.Sprintf("review every %d months is outside 1 to 36", months)}}}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := cadences.put(ctx, tx, change{p.Email, s.now()}, provider, cadenceDoc{Months: months}, version)
		out = d.Version
		return nil, err
	})
	return out, err
}
