package remit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WithChains returns a copy of x that follows the chain of reliance:
// chain lists the fourth parties (provider/offering) an offering's
// obligation for a control rests on, nearest first; names gives the
// names a report's scope may call one by (its offering's and provider's).
func (x *EvidenceIndex) WithChains(chain func(offering, control string) []string, names func(offering string) []string) *EvidenceIndex {
	cp := *x
	cp.chain, cp.names = chain, names
	return &cp
}

// followChain holds a provider's obligation that documents assure to the
// fourth parties it rests on (doc/assurance.md#the-chain-of-reliance). For
// each, nearest first:
//
//   - evidence that covers it — a SOC 2 report that includes it (the
//     inclusive method), an assessor's decision that it is covered, or
//     evidence whose scope names it — covers that part too;
//   - otherwise the fourth party's own assurance for the control must be
//     current (followed down its own chain): if it is not, the obligation
//     is unassured — stale or failed when the fourth party's is — and the
//     reason says whether the report carves it out, an assessor decided
//     it is not covered, or nothing says whether it is covered.
//
// An obligation an assessment assures is left as it is: a supplier
// assessment judges the offering whole, subcontractors included.
func (x *EvidenceIndex) followChain(offering, control string, a Assurance, now time.Time, depth int) Assurance {
	if x.chain == nil || a.Status != Assured || a.Assessment != "" || len(a.Evidence) == 0 || depth > maxChainDepth {
		return a
	}
	for _, f := range x.chain(offering, control) {
		c := x.coverage(a.Evidence, f)
		if c.covered {
			if c.decision != nil {
				a.Reason += fmt.Sprintf("; the part resting on %s: covered by %s, as %s", f, describeEvidence(c.by), describeDecision(c.decision))
			}
			continue
		}
		fa := x.followChain(f, control, x.assureOffering(ObligationRef{Offering: f, Control: control}, now), now, depth+1)
		if fa.Status == Assured || fa.Status == AssuranceUnnecessary {
			a.Reason += fmt.Sprintf("; the part resting on %s: %s", f, fa.Reason)
			continue
		}
		out := Assurance{Status: Unassured, Evidence: a.Evidence, Through: cmp.Or(fa.Through, f)}
		if fa.Status == AssuranceStale || fa.Status == AssuranceFailed {
			out.Status = fa.Status
		}
		switch {
		case c.decision != nil:
			out.Reason = fmt.Sprintf("%s is not covered by %s, as %s, and has no current evidence of its own: %s", f, describeEvidence(c.by), describeDecision(c.decision), fa.Reason)
		case c.by != nil:
			out.Reason = fmt.Sprintf("%s is carved out of %s and has no current evidence of its own: %s", f, describeEvidence(c.by), fa.Reason)
		default:
			out.Reason = fmt.Sprintf("coverage of %s unknown: %s neither includes nor carves it out, nor names it in its scope, and %s has no current evidence of its own: %s",
				f, describeEvidence(x.byID[a.Evidence[0]]), f, fa.Reason)
		}
		return out
	}
	return a
}

// describeDecision says who decided what, when and why.
func describeDecision(d *CoverageDecision) string {
	return fmt.Sprintf("%s decided on %s: %s", cmp.Or(d.DecidedBy, "an assessor"), d.Decided.UTC().Format(time.DateOnly), d.Rationale)
}

// chainStatus is followChain's status alone, for the counting paths
// (scorecards): it weighs the same things without building reasons, and
// costs nothing for an obligation resting on no one.
func (x *EvidenceIndex) chainStatus(o ObligationRef, st AssuranceStatus, now time.Time) AssuranceStatus {
	st, _ = x.chainLink(o, st, now, false, 0)
	return st
}

// chainLink is chainStatus with, when wantLink, the failing link: the
// fourth party (provider/offering) whose own assurance leaves the
// obligation short — the deepest one, when the fourth party's own chain
// is what fails it — as followChain's Through names it; "" when none
// does.
func (x *EvidenceIndex) chainLink(o ObligationRef, st AssuranceStatus, now time.Time, wantLink bool, depth int) (AssuranceStatus, string) {
	if st != Assured || x.chain == nil || depth > maxChainDepth {
		return st, ""
	}
	chain := x.chain(o.Offering, o.Control)
	if len(chain) == 0 {
		return st, ""
	}
	if len(o.Mapped) > 0 {
		a := x.Assure(o, now) // answered through mappings: follow the whole rule
		return a.Status, a.Through
	}
	day := now.UTC().Format(time.DateOnly)
	if v, ok := x.verdicts[[2]string{o.Offering, o.Control}]; ok && day < v.ValidUntil && v.Result == Met {
		return st, "" // an assessment judges the offering whole
	}
	keys := [2]skey{{SupportOffering, o.Offering, ""}, {SupportOffering, o.Offering, o.Control}}
	for _, f := range chain {
		covered := false
		for _, k := range keys {
			for _, ev := range x.by[k] {
				if !covered && ev.countsOn(day) && (ev.SOC2 != nil || ev.Scope != "" || len(ev.Coverage) > 0) {
					covered = x.covers([]*Evidence{ev}, f).covered
				}
			}
		}
		if covered {
			continue
		}
		fo := ObligationRef{Offering: f, Control: o.Control}
		fs := x.Status(fo, now, day)
		switch fs {
		case Assured, AssuranceUnnecessary:
			continue
		case AssuranceStale, AssuranceFailed:
		default:
			fs = Unassured
		}
		if !wantLink {
			return fs, ""
		}
		link := f
		if deeper := x.link(fo, now, depth+1); deeper != "" {
			link = deeper
		}
		return fs, link
	}
	return st, ""
}

// maxChainDepth bounds how far down a chain is followed: validation
// refuses cycles, so this only guards against an estate that slipped by.
const maxChainDepth = 16

// link is the fourth party that leaves o short when o's own evidence
// assures it but a link of its chain does not: "" when o falls short
// through its own evidence, or does not.
func (x *EvidenceIndex) link(o ObligationRef, now time.Time, depth int) string {
	day := now.UTC().Format(time.DateOnly)
	base := x.evidenceStatus(skey{SupportOffering, o.Offering, ""}, day, Unassured)
	st := x.mappedStatus(o.Offering, x.providerStatus(o.Offering, o.Control, base, day), o.Mapped, base, day)
	st = x.measureMappedStatus(o.Offering, o.Mapped, st, day) // as Status weighs it
	_, l := x.chainLink(o, st, now, true, depth)
	return l
}

// OfferingLinks is OfferingStatuses with, for each control, the failing
// link of the chain of reliance (chainLink): the fourth party whose lapse
// leaves the obligation short, or "".
func (x *EvidenceIndex) OfferingLinks(offering string, controls []string, mapped [][]MappedControl, day string) ([]AssuranceStatus, []string) {
	return x.offeringStatuses(offering, controls, mapped, day, true)
}

// cover is what the evidence says of a fourth party: covered or not; the
// evidence that says so (that covers it, or carves it out, or that an
// assessor decided on); and the assessor's decision when there is one.
type cover struct {
	covered  bool
	by       *Evidence
	decision *CoverageDecision
	says     CoverageSays
}

// coverage says whether any of the evidence (by id) covers fourth party
// f, and which, if none does, carves it out.
func (x *EvidenceIndex) coverage(ids []string, f string) cover {
	evs := make([]*Evidence, 0, len(ids))
	for _, id := range ids {
		if ev := x.byID[id]; ev != nil {
			evs = append(evs, ev)
		}
	}
	return x.covers(evs, f)
}

// covers is coverage over the evidence itself. What a SOC 2 report says
// (included, carved out) comes first; then an assessor's decision; then
// whether the scope names the fourth party. Any piece that covers it is
// enough; otherwise the first that excludes it is named.
func (x *EvidenceIndex) covers(evs []*Evidence, f string) cover {
	out := cover{says: CoverSilent}
	var names []string
	for _, ev := range evs {
		if ev.SOC2 != nil {
			if slices.Contains(ev.SOC2.Inclusive, f) {
				return cover{covered: true, by: ev, says: CoverIncluded}
			}
			if slices.Contains(ev.SOC2.CarveOuts, f) {
				if out.by == nil {
					out = cover{by: ev, says: CoverCarvedOut}
				}
				continue
			}
		}
		if d := ev.Decision(f); d != nil {
			if d.Covered {
				return cover{covered: true, by: ev, decision: d, says: CoverDecided}
			}
			if out.by == nil {
				out = cover{by: ev, decision: d, says: CoverDecidedNot}
			}
			continue
		}
		if ev.Scope == "" {
			continue
		}
		if names == nil {
			names = []string{f}
			if x.names != nil {
				names = append(names, x.names(f)...)
			}
		}
		scope := strings.ToLower(ev.Scope)
		for _, n := range names {
			if n != "" && strings.Contains(scope, strings.ToLower(n)) {
				return cover{covered: true, by: ev, says: CoverNamed}
			}
		}
	}
	return out
}

// CoverageSays is what evidence says of a fourth party.
type CoverageSays string

// What evidence may say of a fourth party, as the chain of reliance reads
// it (doc/assurance.md#the-chain-of-reliance).
const (
	CoverIncluded   CoverageSays = "included"            // a SOC 2 report using the inclusive method
	CoverNamed      CoverageSays = "named-in-scope"      // the scope names it
	CoverDecided    CoverageSays = "decided-covered"     // an assessor decided it is covered
	CoverCarvedOut  CoverageSays = "carved-out"          // a SOC 2 report carves it out
	CoverDecidedNot CoverageSays = "decided-not-covered" // an assessor decided it is not
	CoverSilent     CoverageSays = "silent"              // nothing says: coverage unknown
	CoverNoEvidence CoverageSays = "no-evidence"         // the offering above has no current evidence
)

// Covers reports whether what it says covers the fourth party's part.
func (c CoverageSays) Covers() bool {
	return c == CoverIncluded || c == CoverNamed || c == CoverDecided
}

// Says is what one piece of evidence says of fourth party f.
func (x *EvidenceIndex) Says(ev *Evidence, f string) CoverageSays {
	return x.covers([]*Evidence{ev}, f).says
}

// ChainCoverage is what an offering's current evidence says of a fourth
// party it rests on: covered when any piece covers it, else the first
// that excludes it, else silent (or no evidence at all).
type ChainCoverage struct {
	Says     CoverageSays
	Evidence *Evidence         // the evidence that says it: nil when silent or none
	Decision *CoverageDecision // the assessor's decision it rests on, if any
}

// CoverageOf is what offering's evidence current on day, for the whole
// offering or any of controls, says of fourth party f.
func (x *EvidenceIndex) CoverageOf(offering string, controls []string, f string, day string) ChainCoverage {
	var evs []*Evidence
	seen := map[string]bool{}
	for _, c := range append([]string{""}, controls...) {
		for _, ev := range x.by[skey{SupportOffering, offering, c}] {
			if !seen[ev.ID] && ev.countsOn(day) {
				seen[ev.ID] = true
				evs = append(evs, ev)
			}
		}
	}
	if len(evs) == 0 {
		return ChainCoverage{Says: CoverNoEvidence}
	}
	c := x.covers(evs, f)
	return ChainCoverage{Says: c.says, Evidence: c.by, Decision: c.decision}
}
