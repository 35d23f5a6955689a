package service

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// Proposals derives the risks Remit suggests, on day now, from what it
// can see: our obligations without an owner or not implemented (per
// system); provider obligations unassured or stale (per offering);
// supplier principles assessed as not met; SAT objectives with a wide
// delta; and concentration on one provider. They are suggestions: nothing
// is recorded until someone adopts one.
func (sn *Snapshot) Proposals(now time.Time) []remit.Proposal {
	out := proposalsOf(sn.cache, sn.tracking.All(), sn.index, sn.Assessments(), sn.SATs(), now)
	out = append(out, checkProposals(sn)...)
	slices.SortStableFunc(out, func(a, b remit.Proposal) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// checkProposals proposes a finding for each resource an automated check
// fails in a system: one per system, rule and resource, however many
// controls or runs the rule speaks for, and gone once the tool's latest
// result for it passes. Its cause is the rule and resource, so a
// dismissal holds while the same resource keeps failing the same rule.
func checkProposals(sn *Snapshot) []remit.Proposal {
	type key struct{ system, rule, resource string }
	seen := map[key]*remit.Proposal{}
	var out []*remit.Proposal
	for _, rs := range sn.automated.All() {
		for _, r := range rs {
			for _, f := range r.Failing {
				rule, resource, _ := strings.Cut(f, ": ")
				k := key{r.System, rule, resource}
				if p := seen[k]; p != nil {
					if !slices.ContainsFunc(p.Concerns, func(c remit.Ref) bool { return c.ID == r.Control }) {
						p.Concerns = append(p.Concerns, remit.Ref{Kind: "control", ID: r.Control})
					}
					continue
				}
				name := r.System
				if sys, _, ok := sn.System(r.System); ok {
					name = sys.Name
				}
				at := resource
				if at == "" {
					at = "a resource it does not name"
				}
				fp := remit.Fingerprint("checks", r.System, rule, resource)
				p := &remit.Proposal{ID: "checks:" + r.System + ":" + fp, Source: "checks", Category: "information-security",
					Title:       fmt.Sprintf("%s: %s fails %s on %s", name, r.Tool, rule, at),
					Description: fmt.Sprintf("%s's check %s failed on %s (run %s, %s), which fails our part of %s in %s until a later run passes.", r.Tool, rule, at, r.Run, r.Observed.UTC().Format("2 Jan 2006 15:04"), r.Control, name),
					Concerns:    []remit.Ref{{Kind: "system", ID: r.System}, {Kind: "control", ID: r.Control}}, Suggested: remit.Score{Likelihood: 3, Impact: 3}, Cause: fp}
				seen[k] = p
				out = append(out, p)
			}
		}
	}
	props := make([]remit.Proposal, len(out))
	for i, p := range out {
		props[i] = *p
	}
	return props
}

// OpenProposals is Proposals less those adopted (a risk names them) or
// dismissed for their present cause.
func (s *Service) OpenProposals(ctx context.Context, now time.Time) ([]remit.Proposal, error) {
	sn := s.Snapshot()
	all := sn.Proposals(now)
	registered, _ := sn.Risks()
	var risks []remit.Risk
	for _, r := range registered {
		if r.Proposal != "" {
			risks = append(risks, *r)
		}
	}
	var dismissed map[string]remit.Dismissal
	raised := map[string]bool{}
	err := s.read(ctx, func(tx remit.Tx) error {
		ds, err := dismissals.list(ctx, tx, "")
		dismissed = make(map[string]remit.Dismissal, len(ds))
		for _, d := range ds {
			dismissed[d.Proposal] = d
		}
		if err != nil {
			return err
		}
		// A failing check raised as a finding (its source names the
		// proposal) is taken while the finding is open.
		fs, err := findingDocs.list(ctx, tx, "")
		for _, f := range fs {
			if f.Status != remit.FindingClosed && strings.HasPrefix(f.Source, "checks:") {
				raised[f.Source] = true
			}
		}
		return err
	})
	open := remit.Open(all, risks, dismissed)
	open = slices.DeleteFunc(open, func(p remit.Proposal) bool { return raised[p.ID] })
	return open, err
}

// FindProposal finds an open proposal by id.
func (s *Service) FindProposal(ctx context.Context, id string, now time.Time) (remit.Proposal, error) {
	open, err := s.OpenProposals(ctx, now)
	if err != nil {
		return remit.Proposal{}, err
	}
	for _, p := range open {
		if p.ID == id {
			return p, nil
		}
	}
	return remit.Proposal{}, fmt.Errorf("no open proposal %q (adopted, dismissed, or its cause has gone): %w", id, remit.ErrNotFound)
}

// proposalsOf is Proposals over a model view.
func proposalsOf(c *engine.Cache, tracking iter.Seq2[string, remit.TrackedObligation], x *remit.EvidenceIndex, assessments []remit.SupplierAssessment, sats []remit.SAT, now time.Time) []remit.Proposal {
	e := c.Estate
	day := now.UTC().Format(time.DateOnly)
	var out []remit.Proposal

	// Our obligations with no owner or not implemented, per system.
	handled := map[string]int{}
	for id, tr := range tracking {
		t := tr.Tracking
		if t.Owner == "" || (t.Status != remit.StatusImplemented && t.Status != remit.StatusNotApplicable) {
			continue
		}
		if oid, err := remit.ParseObligationID(id); err == nil && oid.Ours {
			handled[oid.System]++
		}
	}
	for si := range int32(e.NumSystems()) {
		sys := e.System(si).System
		total := e.CountOurs(c.Matrix(int32(si)))
		gaps := total - handled[sys.ID]
		if gaps <= 0 {
			continue
		}
		out = append(out, remit.Proposal{ID: "ours:" + sys.ID, Source: "ours", Category: "information-security",
			Title:       fmt.Sprintf("%s: %d of our obligations have no owner or are not implemented", sys.Name, gaps),
			Description: fmt.Sprintf("Of the %d obligations that are ours in %s, %d have nobody owning them or are not yet implemented: controls the system relies on may not be operating.", total, sys.Name, gaps),
			Concerns:    []remit.Ref{{Kind: "system", ID: sys.ID}}, Suggested: remit.Score{Likelihood: 3, Impact: 3}, Cause: remit.Fingerprint("ours", sys.ID, strconv.Itoa(gaps))})
	}

	// Provider obligations unassured or stale, per offering relied on.
	for oi := range int32(e.NumOfferings()) {
		o := e.Offering(oi)
		users := len(e.Users(int32(oi)))
		if users == 0 {
			continue
		}
		cis, refs, mapped := providerControls(e, oi)
		weak := 0
		for _, st := range x.OfferingStatuses(o.Ref, refs, mapped, day) {
			if st == remit.Unassured || st == remit.AssuranceStale {
				weak++
			}
		}
		if weak == 0 {
			continue
		}
		out = append(out, remit.Proposal{ID: "assurance:" + o.Ref, Source: "assurance", Category: "supplier",
			Title:       fmt.Sprintf("%s: %d of %d provider obligations unassured or stale", o.Offering.Name, weak, len(cis)),
			Description: fmt.Sprintf("%d systems rely on %s, and %d of the %d controls its provider owes a part of have no current evidence or assessment behind them: inherited controls rest on trust alone.", users, o.Ref, weak, len(cis)),
			Concerns:    []remit.Ref{{Kind: "offering", ID: o.Ref}}, Suggested: remit.Score{Likelihood: 2, Impact: 4}, Cause: remit.Fingerprint("assurance", o.Ref, strconv.Itoa(weak), strconv.Itoa(len(cis)))})
	}

	// Fourth parties whose evidence has lapsed — some expired, none still
	// counting — for each offering that runs on one and has systems
	// relying on it: they rely on the fourth party through it.
	for oi := range int32(e.NumOfferings()) {
		o := e.Offering(oi)
		users := len(e.Users(oi))
		if users == 0 || len(o.Via) == 0 {
			continue
		}
		for _, vi := range o.Via {
			f := e.Offering(vi)
			var counting, expired int
			for _, ev := range x.For(remit.ObligationRef{Offering: f.Ref}) {
				switch {
				case ev.Counts(now):
					counting++
				case ev.Expires != "" && day >= ev.Expires:
					expired++
				}
			}
			if counting > 0 || expired == 0 {
				continue
			}
			systems := "1 system relies"
			if users != 1 {
				systems = fmt.Sprintf("%d systems rely", users)
			}
			out = append(out, remit.Proposal{ID: "fourth-party:" + f.Ref + ":" + o.Ref, Source: "fourth-party", Category: "supplier",
				Title:       fmt.Sprintf("%s's evidence lapsed: %s on it through %s", f.Ref, systems, o.Ref),
				Description: fmt.Sprintf("%s runs on %s (%s), whose evidence has all expired: the obligations of %s resting on it are assured only where %s's own evidence covers it.", o.Offering.Name, f.Offering.Name, f.Ref, o.Ref, o.Provider.Name),
				Concerns:    []remit.Ref{{Kind: "offering", ID: f.Ref}, {Kind: "offering", ID: o.Ref}}, Suggested: remit.Score{Likelihood: 3, Impact: 4}, Cause: remit.Fingerprint("fourth-party", f.Ref, o.Ref, strconv.Itoa(users))})
		}
	}

	// Supplier principles assessed as not (fully) met, in each offering's
	// latest signed-off assessment.
	latest := map[string]remit.SupplierAssessment{}
	for _, a := range assessments {
		if a.Status == remit.AssessmentCompleted && a.SignedOff != nil && (latest[a.Offering].SignedOff == nil || a.SignedOff.After(*latest[a.Offering].SignedOff)) {
			latest[a.Offering] = a
		}
	}
	for _, a := range latest {
		for _, pa := range a.Principles {
			if pa.Result != remit.NotMet && pa.Result != remit.PartlyMet {
				continue
			}
			title := pa.Control
			if ci, ok := controlIndex(e, pa.Control); ok {
				title = e.Controls[ci].Control.Title
			}
			impact := 4
			if pa.Result == remit.PartlyMet {
				impact = 3
			}
			out = append(out, remit.Proposal{ID: "principle:" + a.Offering + ":" + pa.Control, Source: "principle", Category: "supplier",
				Title:       fmt.Sprintf("%s: %q %s", a.Offering, title, strings.ReplaceAll(string(pa.Result), "-", " ")),
				Description: fmt.Sprintf("Assessment %s found the principle %s %s: %s", a.ID, pa.Control, pa.Result, pa.Rationale),
				Concerns:    []remit.Ref{{Kind: "offering", ID: a.Offering}, {Kind: "control", ID: pa.Control}}, Suggested: remit.Score{Likelihood: 3, Impact: impact},
				Cause: remit.Fingerprint("principle", a.ID, string(pa.Result))})
		}
	}

	// SAT objectives far from met (delta of 10 or more), in each system's
	// latest signed-off table.
	latestSAT := map[string]remit.SAT{}
	for _, s := range sats {
		if s.Status == remit.AssessmentCompleted && s.Completed != nil && (latestSAT[s.System].Completed == nil || s.Completed.After(*latestSAT[s.System].Completed)) {
			latestSAT[s.System] = s
		}
	}
	for _, s := range latestSAT {
		for _, en := range s.Entries {
			d := en.Delta()
			if d == nil || *d < 10 {
				continue
			}
			out = append(out, remit.Proposal{ID: "sat:" + s.System + ":" + en.Objective, Source: "sat", Category: "information-security",
				Title:       fmt.Sprintf("%s: objective %s is far from met (delta %d)", s.System, en.Objective, *d),
				Description: fmt.Sprintf("Standards Assurance Table %s scored objective %s at confidence %d of 14. %s", s.ID, en.Objective, *en.Confidence, en.FurtherEvidence),
				Concerns:    []remit.Ref{{Kind: "system", ID: s.System}}, Suggested: remit.Score{Likelihood: 3, Impact: 3}, Cause: remit.Fingerprint("sat", s.ID, strconv.Itoa(*d))})
		}
	}

	// Concentration: a provider a quarter or more of the estate (and at
	// least three systems) would feel fail.
	for _, r := range e.Concentration() {
		if r.Total < 3 || r.Total*4 < r.Systems {
			continue
		}
		out = append(out, remit.Proposal{ID: "concentration:" + r.Provider, Source: "concentration", Category: "supplier",
			Title:       fmt.Sprintf("%d of %d systems rely on %s", r.Total, r.Systems, r.Name),
			Description: fmt.Sprintf("%d systems use %s directly and %d through another provider's offering: its failure would be felt across the estate at once.", r.Direct, r.Name, r.Indirect),
			Concerns:    []remit.Ref{{Kind: "provider", ID: r.Provider}}, Suggested: remit.Score{Likelihood: 2, Impact: 5}, Cause: remit.Fingerprint("concentration", r.Provider, strconv.Itoa(r.Total))})
	}
	slices.SortStableFunc(out, func(a, b remit.Proposal) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func controlIndex(e *engine.Estate, ref string) (int32, bool) {
	for i := range e.Controls {
		if e.Controls[i].Ref == ref {
			return int32(i), true
		}
	}
	return 0, false
}
