package service

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/synth"
)

// BenchmarkScorecardsL derives every provider's and offering's scorecard
// over the L estate (20,000 systems, 2,000 offerings) with 100,000 pieces
// of evidence, most supporting offerings, some expired.
func BenchmarkScorecardsL(b *testing.B) { scorecardsL(b, false, false) }

// BenchmarkScorecardsLLapsed is BenchmarkScorecardsL at the chain of
// reliance's worst: every offering another runs on has let all its
// evidence lapse, so each obligation resting on one is followed to the
// failing link and counted against it.
func BenchmarkScorecardsLLapsed(b *testing.B) { scorecardsL(b, false, true) }

// BenchmarkScorecardsLMeasured is BenchmarkScorecardsL with every
// provider measured by its own POA&M (ten open items per offering).
func BenchmarkScorecardsLMeasured(b *testing.B) { scorecardsL(b, true, false) }

func scorecardsL(b *testing.B, measured, lapsed bool) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	var lapse func(int32) bool
	if lapsed {
		lower := map[int32]bool{}
		for _, o := range e.Offerings() {
			for _, v := range o.Via {
				lower[v] = true
			}
		}
		lapse = func(oi int32) bool { return lower[oi] }
	}
	x := evidenceL(e, rng, now, lapse)
	if measured {
		// Each offering's provider has a POA&M of ten open items, each on
		// a control of the catalogue, of every severity.
		var pfs []*remit.ProviderFindings
		for oi := range int32(e.NumOfferings()) {
			pf := &remit.ProviderFindings{Offering: e.Offering(oi).Ref, Model: remit.MeasuredPOAM}
			for i := range 10 {
				pf.Items = append(pf.Items, remit.ProviderFinding{UUID: fmt.Sprint(i), Title: "item", Status: remit.ProviderFindingOpen,
					Severity: remit.Severities[i%len(remit.Severities)], Controls: []string{e.Controls[rng.IntN(len(e.Controls))].Ref}})
			}
			pfs = append(pfs, pf)
		}
		x = x.WithProviderFindings(pfs, e.Related)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var cards []remit.Scorecard
	for range b.N {
		cards = scorecardsOf(e, x, now, map[string]int{}, map[string]int{}, map[string]time.Time{})
	}
	b.StopTimer()
	n, short := 0, 0
	for _, c := range cards {
		n += c.Obligations
		short += c.LeavesNotAssured
	}
	b.ReportMetric(float64(n), "obligations")
	if lapsed {
		b.ReportMetric(float64(short), "left-not-assured")
	}
}

// evidenceL is 100,000 pieces of evidence over the estate's offerings,
// a third for one control only, some expired (all of an offering lapsed
// says), indexed as the service does (following the chain of reliance).
func evidenceL(e *engine.Estate, rng *rand.Rand, now time.Time, lapsed func(int32) bool) *remit.EvidenceIndex {
	evs := make([]remit.Evidence, 100_000)
	for i := range evs {
		oi := int32(rng.IntN(e.NumOfferings()))
		o := e.Offering(oi)
		sup := remit.Support{On: remit.SupportOffering, Ref: o.Ref}
		if i%3 == 0 { // a third for one control only
			sup.Control = e.Controls[rng.IntN(len(e.Controls))].Ref
		}
		expires := now.AddDate(0, 0, rng.IntN(730)-200)
		if lapsed != nil && lapsed(oi) {
			expires = now.AddDate(0, 0, -1-rng.IntN(200))
		}
		evs[i] = remit.Evidence{ID: fmt.Sprintf("ev-%016x", i), Kind: remit.EvidenceISO27001, Title: "certificate",
			Issued: "2025-01-01", Expires: expires.Format(time.DateOnly), Supports: []remit.Support{sup}}
	}
	return remit.NewEvidenceIndex(evs, remit.Judgements{}).WithChains(e.ChainMemo(), nil)
}

// BenchmarkOfferingChainL works out the chain of reliance of the
// offering most others rest on, over the L estate with 100,000 pieces of
// evidence: what its page shows (each offering resting on it, what their
// evidence says of it, the obligations left unassured).
func BenchmarkOfferingChainL(b *testing.B) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	sn := &Snapshot{cache: engine.NewCache(e), index: evidenceL(e, rand.New(rand.NewPCG(1, 2)), now, nil)}
	resting := map[int32]int{} // offerings running on each, directly
	for _, o := range e.Offerings() {
		for _, dep := range o.Offering.DependsOn {
			if v, ok := e.OfferingIndex(dep); ok {
				resting[v]++
			}
		}
	}
	var most int32
	for oi, n := range resting {
		if n > resting[most] || (n == resting[most] && oi < most) {
			most = oi
		}
	}
	ref := e.Offering(most).Ref
	b.ReportAllocs()
	b.ResetTimer()
	var c OfferingChain
	for range b.N {
		c = sn.OfferingChain(ref, now)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(c.ReliedOnBy)), "resting")
}

// BenchmarkFourthPartyLapsesL finds every fourth party's lapse over the L
// estate with 100,000 pieces of evidence, given the scorecards: what the
// hourly reminders add for the chain of reliance. At its worst: every
// offering another runs on has let all its evidence lapse.
func BenchmarkFourthPartyLapsesL(b *testing.B) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	lower := map[int32]bool{}
	for _, o := range e.Offerings() {
		for _, v := range o.Via {
			lower[v] = true
		}
	}
	sn := &Snapshot{cache: engine.NewCache(e), index: evidenceL(e, rand.New(rand.NewPCG(1, 2)), now, func(oi int32) bool { return lower[oi] })}
	cards := scorecardsOf(e, sn.index, now, map[string]int{}, map[string]int{}, map[string]time.Time{})
	b.ReportAllocs()
	b.ResetTimer()
	var rs []remit.Reminder
	for range b.N {
		rs = fourthPartyLapses(sn, cards, now)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(rs)), "reminders")
}

// BenchmarkTiersL works out every provider's tier over the L estate
// (20,000 systems): what the scorecards add to find each review's
// interval.
func BenchmarkTiersL(b *testing.B) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var tiers map[string]int
	for range b.N {
		tiers = tiersOf(e, classesOf(e, nil), nil)
	}
	b.ReportMetric(float64(len(tiers)), "providers")
}

// BenchmarkProposalsL derives every proposal over the L estate.
func BenchmarkProposalsL(b *testing.B) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	c := engine.NewCache(e)
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	x := remit.NewEvidenceIndex(nil, remit.Judgements{})
	var none iter.Seq2[string, remit.TrackedObligation] = func(func(string, remit.TrackedObligation) bool) {}
	b.ReportAllocs()
	b.ResetTimer()
	var ps []remit.Proposal
	for range b.N {
		ps = proposalsOf(c, none, x, nil, nil, now)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(ps)), "proposals")
}

// BenchmarkSupplierSchedulesL is what the scorecards add per provider
// over the L estate with 100,000 pieces of evidence: each provider's
// schedule (its last assessment, and whether it holds the evidence tier 1
// asks for) and the assurance of the eight standard clauses of every
// provider's record.
func BenchmarkSupplierSchedulesL(b *testing.B) {
	ws := synth.Estate(synth.L, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	kinds := []remit.EvidenceKind{remit.EvidenceISO27001, remit.EvidenceSOC2Type2, remit.EvidencePenTest, remit.EvidencePolicy}
	evs := make([]remit.Evidence, 100_000)
	for i := range evs {
		o := e.Offering(int32(rng.IntN(e.NumOfferings())))
		evs[i] = remit.Evidence{ID: fmt.Sprintf("ev-%016x", i), Kind: kinds[i%len(kinds)], Title: "certificate",
			Issued: "2026-01-01", Expires: now.AddDate(0, 0, rng.IntN(730)-200).Format(time.DateOnly), Supports: []remit.Support{{On: remit.SupportOffering, Ref: o.Ref}}}
	}
	x := remit.NewEvidenceIndex(evs, remit.Judgements{})
	assessed := map[string]time.Time{}
	for oi := range int32(e.NumOfferings()) {
		if oi%2 == 0 {
			assessed[e.Offering(oi).Ref] = now.AddDate(0, -rng.IntN(30), 0)
		}
	}
	clauses := content.SecurityAspectsLetter().Clauses
	pol := remit.DefaultSupplierSettings().Policy(1)
	var offerings [][]string
	var ids []string
	for _, p := range e.Providers() {
		var refs []string
		for _, o := range e.OfferingsOf(p) {
			refs = append(refs, o.Ref)
		}
		offerings, ids = append(offerings, refs), append(ids, p.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	due := 0
	for range b.N {
		due = 0
		for i, refs := range offerings {
			if scheduleOf(refs, assessed, x, pol, Cadence{}, now).Overdue {
				due++
			}
			for _, c := range clauses {
				x.AssureClause(ids[i], refs, c, nil, now)
			}
		}
	}
	b.ReportMetric(float64(len(offerings)), "providers")
	b.ReportMetric(float64(due), "overdue")
}
