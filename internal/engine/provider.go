package engine

import (
	"math/bits"
	"sync"
)

// ProviderControls lists the controls for which offering oi owes a
// provider part to at least one system relying on it directly, each once
// however many systems rely on it, in control order. A provider's
// obligation for a control is the same in every system (its class follows
// from the offering's statement or service-model default and the
// control's area), so this is what the offering's provider owes the
// estate.
func (e *Estate) ProviderControls(oi int32) []int32 {
	words := (len(e.Controls) + 63) / 64
	set := make([]uint64, words)
	o := e.Offering(oi)
	for _, si := range e.Users(oi) {
		s := e.System(si)
		for _, ci := range s.Controls {
			if _, na := s.notApplicable[ci]; !na {
				set[ci/64] |= 1 << (ci % 64)
			}
		}
	}
	var out []int32
	for w, word := range set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			ci := int32(w*64 + b)
			if contribution(oi, o, ci, e.Controls[ci].area).Class().ProviderPart() {
				out = append(out, ci)
			}
		}
	}
	return out
}

// CountOurs counts the organisation's obligations in a matrix, as Ours
// would list them, without building them.
func (e *Estate) CountOurs(m *Matrix) int {
	uses := e.System(m.System).Uses
	n := 0
	for i := range m.Cells {
		c := &m.Cells[i]
		switch {
		case c.class == clsNotApplicable:
		case !c.Covered():
			n++
		default:
			area := e.Controls[c.Control].area
			for _, oi := range uses {
				if contribution(oi, e.Offering(oi), c.Control, area).Class().CustomerPart() {
					n++
				}
			}
		}
	}
	return n
}

// ReliesOn lists the offerings that offering oi rests on for control ci:
// those it runs on directly (depends_on) whose own model gives their
// provider a part of the control (inherited or shared). What the lower
// offering leaves to its customer — the offering above — that offering
// does alone. An offering further down is the lower offering's own
// concern: it rests on it in turn, and the chain is followed link by link.
func (e *Estate) ReliesOn(oi, ci int32) []int32 {
	var out []int32
	for _, dep := range e.Offering(oi).Offering.DependsOn {
		vi, ok := e.offeringIndex.Get(dep)
		if ok && contribution(vi, e.Offering(vi), ci, e.Controls[ci].area).Class().ProviderPart() {
			out = append(out, vi)
		}
	}
	return out
}

// Chains lists, for every control an offering's obligation rests on a
// fourth party for, those fourth parties (Chain for each control at once);
// nil when it runs on nothing.
func (e *Estate) Chains(offering string) map[string][]string {
	oi, ok := e.OfferingIndex(offering)
	if !ok || len(e.Offering(oi).Via) == 0 {
		return nil
	}
	out := map[string][]string{}
	for ci := range e.Controls {
		for _, vi := range e.ReliesOn(oi, int32(ci)) {
			out[e.Controls[ci].Ref] = append(out[e.Controls[ci].Ref], e.Offering(vi).Ref)
		}
	}
	return out
}

// ChainMemo returns Chain as a function that works each offering's chains
// out once, when first asked for, safe for concurrent use: what an
// evidence index follows (one memo per estate, so a change to the estate
// never meets an old answer).
func (e *Estate) ChainMemo() func(offering, control string) []string {
	type chains struct {
		once      sync.Once
		byControl map[string][]string
	}
	var memo sync.Map
	return func(offering, control string) []string {
		v, ok := memo.Load(offering)
		if !ok {
			v, _ = memo.LoadOrStore(offering, &chains{})
		}
		c := v.(*chains)
		c.once.Do(func() { c.byControl = e.Chains(offering) })
		return c.byControl[control]
	}
}

// Chain is ReliesOn by reference: the fourth parties (provider/offering)
// an offering's obligation for a control (catalogue:control) rests on.
func (e *Estate) Chain(offering, control string) []string {
	oi, ok := e.OfferingIndex(offering)
	if !ok || len(e.Offering(oi).Via) == 0 {
		return nil
	}
	ci, ok := e.ControlIndex(control)
	if !ok {
		return nil
	}
	var out []string
	for _, vi := range e.ReliesOn(oi, ci) {
		out = append(out, e.Offering(vi).Ref)
	}
	return out
}
