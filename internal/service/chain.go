package service

import (
	"maps"
	"slices"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// ChainLink is one link of the chain of reliance between two offerings:
// Upper rests on Lower for the Controls listed: Upper's provider owes a
// part of each, Upper runs on Lower, and Lower's own model gives its
// provider a part of each too.
type ChainLink struct {
	Upper, Lower Named
	Controls     []string
	// Coverage is what Upper's current evidence says of Lower.
	Coverage remit.ChainCoverage
	// Own counts Lower's own assurance of those controls, by status.
	Own map[remit.AssuranceStatus]int
	// Short counts Upper's obligations for those controls that Lower's
	// own lapse leaves not assured (one further down Lower's own chain
	// counts against that offering, as the scorecards count).
	Short int
	// Systems counts the systems relying on Upper directly.
	Systems int
}

// Named is an offering by reference and in words.
type Named struct {
	Ref, Name, ProviderName string
}

// OfferingChain is what an offering's page shows of the chain of
// reliance: the offerings it rests on, and those resting on it.
type OfferingChain struct {
	RestsOn, ReliedOnBy []ChainLink
}

// OfferingChain works out an offering's links on day now: every offering
// it runs on that it rests on for some control, and every offering that
// rests on it.
func (sn *Snapshot) OfferingChain(ref string, now time.Time) OfferingChain {
	e := sn.cache.Estate
	oi, ok := e.OfferingIndex(ref)
	if !ok {
		return OfferingChain{}
	}
	var out OfferingChain
	for _, vi := range e.Offering(oi).Via {
		if l, ok := sn.chainLink(e, oi, vi, now); ok {
			out.RestsOn = append(out.RestsOn, l)
		}
	}
	for ui, u := range e.Offerings() {
		if slices.Contains(u.Via, oi) {
			if l, ok := sn.chainLink(e, ui, oi, now); ok {
				out.ReliedOnBy = append(out.ReliedOnBy, l)
			}
		}
	}
	return out
}

// chainLink is the link from upper to lower, if upper rests on lower for
// any control.
func (sn *Snapshot) chainLink(e *engine.Estate, upper, lower int32, now time.Time) (ChainLink, bool) {
	u, l := e.Offering(upper), e.Offering(lower)
	link := ChainLink{Upper: Named{u.Ref, u.Offering.Name, u.Provider.Name}, Lower: Named{l.Ref, l.Offering.Name, l.Provider.Name},
		Own: map[remit.AssuranceStatus]int{}, Systems: len(e.Users(upper))}
	var mapped [][]remit.MappedControl
	evidenced := map[string]bool{} // the controls whose evidence may speak for the link
	for _, ci := range e.ProviderControls(upper) {
		if slices.Contains(e.ReliesOn(upper, ci), lower) {
			link.Controls = append(link.Controls, e.Controls[ci].Ref)
			m := e.MappedFrom(upper, ci)
			mapped = append(mapped, m)
			evidenced[e.Controls[ci].Ref] = true
			for _, mc := range m {
				evidenced[mc.Control] = true
			}
		}
	}
	if len(link.Controls) == 0 {
		return link, false
	}
	day := now.UTC().Format(time.DateOnly)
	x := sn.index
	link.Coverage = x.CoverageOf(u.Ref, slices.Sorted(maps.Keys(evidenced)), l.Ref, day)
	for _, c := range link.Controls {
		// The lower offering's own assurance, as the chain weighs it.
		link.Own[x.Status(remit.ObligationRef{Offering: l.Ref, Control: c}, now, day)]++
	}
	_, failing := x.OfferingLinks(u.Ref, link.Controls, mapped, day)
	for _, f := range failing {
		if f == l.Ref { // a failing link further down is that offering's own
			link.Short++
		}
	}
	return link, true
}

// FourthParty is an offering that an offering a piece of evidence
// supports rests on, and what the evidence says of it.
type FourthParty struct {
	Named
	Through  Named // the offering the evidence supports
	Controls int   // how many controls rest on it
	Says     remit.CoverageSays
	Decision *remit.CoverageDecision
}

// FourthParties lists, for each offering the evidence supports, the
// offerings it rests on and what the evidence says of each: the fourth
// parties an assessor may decide the evidence's coverage of.
func (sn *Snapshot) FourthParties(ev *remit.Evidence) []FourthParty {
	e := sn.cache.Estate
	var out []FourthParty
	seen := map[[2]string]bool{}
	for _, sup := range ev.Supports {
		oi, ok := e.OfferingIndex(sup.Ref)
		if sup.On != remit.SupportOffering || !ok {
			continue
		}
		u := e.Offering(oi)
		for _, vi := range u.Via {
			l := e.Offering(vi)
			if seen[[2]string{u.Ref, l.Ref}] {
				continue
			}
			seen[[2]string{u.Ref, l.Ref}] = true
			n := 0
			for _, ci := range e.ProviderControls(oi) {
				if (sup.Control == "" || sup.Control == e.Controls[ci].Ref) && slices.Contains(e.ReliesOn(oi, ci), vi) {
					n++
				}
			}
			if n > 0 {
				out = append(out, FourthParty{Named: Named{l.Ref, l.Offering.Name, l.Provider.Name}, Through: Named{u.Ref, u.Offering.Name, u.Provider.Name},
					Controls: n, Says: sn.index.Says(ev, l.Ref), Decision: ev.Decision(l.Ref)})
			}
		}
	}
	return out
}
