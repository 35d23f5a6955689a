package live

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
func (m *Model) Scorecards(ctx context.Context, now time.Time) ([]remit.Scorecard, error) {
	var findings []remit.Finding
	var cadence map[string]int
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		if findings, err = remit.Findings(ctx, tx); err != nil {
			return err
		}
		cadence, err = remit.ReviewCadences(ctx, tx)
		return err
	}); err != nil {
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
			if parts := strings.Split(o, "/"); len(parts) >= 5 {
				if ref := parts[2] + "/" + parts[3]; !seen[ref] {
					seen[ref] = true
					open[ref]++
				}
			}
		}
	}
	x := m.Evidence()
	expiring := map[string]int{}
	soon := now.AddDate(0, 0, 30).UTC().Format(time.DateOnly)
	for _, ev := range m.AllEvidence() {
		if ev.Counts(now) && ev.Expires != "" && ev.Expires <= soon {
			for _, sup := range ev.Supports {
				if sup.On == remit.SupportOffering {
					expiring[sup.Ref]++
				}
			}
		}
	}
	assessed := map[string]time.Time{}
	for _, a := range m.Assessments() {
		if a.Status == remit.AssessmentCompleted && a.SignedOff != nil && a.SignedOff.After(assessed[a.Offering]) {
			assessed[a.Offering] = *a.SignedOff
		}
	}
	var out []remit.Scorecard
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		out = scorecardsOf(c.Estate, x, now, expiring, open, assessed)
	})
	today := now.UTC().Format(time.DateOnly)
	for i := range out {
		months, ok := cadence[out[i].Provider]
		if !ok {
			months = remit.DefaultReviewMonths
		}
		out[i].ReviewDue = remit.ReviewDue(out[i].LastAssessed, months, now)
		out[i].Overdue = out[i].ReviewDue <= today
	}
	slices.SortStableFunc(out, func(a, b remit.Scorecard) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// scorecardsOf derives every offering's and provider's counts.
func scorecardsOf(e *engine.Estate, x *remit.EvidenceIndex, now time.Time, expiring, open map[string]int, assessed map[string]time.Time) []remit.Scorecard {
	day := now.UTC().Format(time.DateOnly)
	var out []remit.Scorecard
	{
		byProvider := map[string]*remit.Scorecard{}
		var order []string
		for oi := range int32(e.NumOfferings()) {
			o := e.Offering(oi)
			sc := remit.Scorecard{Provider: o.Provider.ID, Offering: o.Ref, Name: o.Offering.Name, Counts: map[remit.AssuranceStatus]int{},
				Systems: len(e.Users(int32(oi))), ExpiringSoon: expiring[o.Ref], OpenFindings: open[o.Ref]}
			if t, ok := assessed[o.Ref]; ok {
				sc.LastAssessed = t.UTC().Format(time.DateOnly)
			}
			cis := e.ProviderControls(int32(oi))
			refs := make([]string, len(cis))
			for i, ci := range cis {
				refs[i] = e.Controls[ci].Ref
			}
			for _, st := range x.OfferingStatuses(o.Ref, refs, day) {
				sc.Counts[st]++
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
			out = append(out, *byProvider[id])
		}
	}
	return out
}

// Snapshot keeps today's points of the trends: the scorecards' counts
// per offering and the risk register's counts.
func (m *Model) Snapshot(ctx context.Context, now time.Time) error {
	if err := m.SnapshotScorecards(ctx, now); err != nil {
		return err
	}
	risks, settings := m.Risks()
	return remit.SaveRiskSnapshot(ctx, m.store, remit.TakeRiskSnapshot(risks, settings, now), now)
}

// SnapshotScorecards keeps today's counts per offering, a point of each
// scorecard's trend.
func (m *Model) SnapshotScorecards(ctx context.Context, now time.Time) error {
	cards, err := m.Scorecards(ctx, now)
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
	return remit.SaveScorecardSnapshot(ctx, m.store, sn, "remit", now)
}
