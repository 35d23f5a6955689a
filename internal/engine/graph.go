package engine

import (
	"slices"
	"strings"
)

// Reliance is how much of the estate rests on one provider.
type Reliance struct {
	Provider string `json:"provider"`
	Name     string `json:"name"`
	// Offerings lists the provider's offerings that systems use directly.
	Offerings []string `json:"offerings"`
	// Direct counts systems using one of the provider's offerings; Indirect
	// counts systems that reach the provider only through another
	// provider's offering (the provider is their fourth party). Total is
	// their sum: the systems that would feel the provider's failure.
	Direct   int `json:"direct"`
	Indirect int `json:"indirect"`
	Total    int `json:"total"`
	// Systems counts the estate, so Total/Systems is the share at risk.
	Systems int `json:"systems"`
}

// Concentration computes, for every provider, how many systems rely on it
// directly and through fourth parties, most relied on first.
func (e *Estate) Concentration() []Reliance { return e.ConcentrationWith(nil) }

// ConcentrationWith is Concentration counting sub-processors too: sub
// lists, by provider, the known providers it declares as sub-processors;
// a system relying on the provider (directly or not) relies on them
// indirectly.
func (e *Estate) ConcentrationWith(sub map[string][]string) []Reliance {
	byProvider := make(map[string]*Reliance)
	subs := make(map[string]bool)
	for _, qs := range sub {
		for _, q := range qs {
			subs[q] = true
		}
	}
	var order []string
	for _, p := range e.providers {
		if (len(p.Offerings) > 0 || subs[p.ID]) && byProvider[p.ID] == nil {
			byProvider[p.ID] = &Reliance{Provider: p.ID, Name: p.Name, Systems: e.NumSystems()}
			order = append(order, p.ID)
		}
	}
	direct := make(map[string]bool)
	indirect := make(map[string]bool)
	for _, s := range e.Systems() {
		clear(direct)
		clear(indirect)
		for _, oi := range s.Uses {
			o := e.Offering(oi)
			direct[o.Provider.ID] = true
			r := byProvider[o.Provider.ID]
			if !slices.Contains(r.Offerings, o.Ref) {
				r.Offerings = append(r.Offerings, o.Ref)
			}
			for _, vi := range o.Via {
				if p := e.Offering(vi).Provider.ID; p != o.Provider.ID {
					indirect[p] = true
				}
			}
		}
		if len(sub) > 0 {
			var via []string
			for p := range direct {
				via = append(via, sub[p]...)
			}
			for p := range indirect {
				via = append(via, sub[p]...)
			}
			for _, q := range via {
				if byProvider[q] != nil {
					indirect[q] = true
				}
			}
		}
		for p := range direct {
			byProvider[p].Direct++
		}
		for p := range indirect {
			if !direct[p] {
				byProvider[p].Indirect++
			}
		}
	}
	out := make([]Reliance, 0, len(order))
	for _, id := range order {
		r := byProvider[id]
		r.Total = r.Direct + r.Indirect
		slices.Sort(r.Offerings)
		out = append(out, *r)
	}
	slices.SortStableFunc(out, func(a, b Reliance) int {
		if a.Total != b.Total {
			return b.Total - a.Total
		}
		return strings.Compare(a.Provider, b.Provider)
	})
	return out
}
