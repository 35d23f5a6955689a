// Package synth generates synthetic estates of a given shape, for
// benchmarks and load tests. The same shape and seed always give the same
// estate.
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"remit/internal/remit"
)

// Shape is the size of a synthetic estate.
type Shape struct {
	Name string
	// Systems, Offerings and Controls count the estate's systems, offerings
	// and catalogue controls.
	Systems, Offerings, Controls int
	// Baseline is the number of controls in each system's baseline; Uses
	// the number of offerings each system uses; Statements the number of
	// controls each offering makes a statement about (the rest fall back
	// to assumed defaults).
	Baseline, Uses, Statements int
	// PerProvider is the number of offerings each provider sells.
	PerProvider int
}

// The shapes the benchmarks use.
var (
	S = Shape{Name: "S", Systems: 300, Offerings: 150, Controls: 1200, Baseline: 300, Uses: 5, Statements: 300, PerProvider: 5}
	M = Shape{Name: "M", Systems: 5000, Offerings: 500, Controls: 1200, Baseline: 300, Uses: 5, Statements: 300, PerProvider: 5}
	L = Shape{Name: "L", Systems: 20000, Offerings: 2000, Controls: 1200, Baseline: 300, Uses: 5, Statements: 300, PerProvider: 5}
)

var (
	areas  = remit.Areas
	models = []remit.ServiceModel{remit.IaaS, remit.PaaS, remit.SaaS, remit.SaaS, remit.ManagedService}
	texts  = struct{ provider, customer []string }{
		provider: []string{
			"Runs and monitors this control for the whole service.",
			"Patches and hardens the platform beneath the tenancy.",
			"Operates the physical and virtual infrastructure to its certified standard.",
		},
		customer: []string{
			"Configure the tenancy's settings for this control and review them each quarter.",
			"Patch and harden what the organisation deploys on the service.",
			"Assign an owner, keep written evidence and review it yearly.",
		},
	}
)

// Estate generates a workspace of the given shape. Its one catalogue is
// "syn"; provider i is "p<i>"; systems are "s<i>". About one offering in ten
// runs on an earlier offering of another provider (a fourth party), and one
// system in ten marks three controls not applicable.
func Estate(shape Shape, seed uint64) *remit.Workspace {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	ws := &remit.Workspace{Name: "Synthetic estate " + shape.Name, Organisation: "Synthetic"}

	cat := remit.Catalogue{ID: "syn", Title: "Synthetic controls", Version: "1", Controls: make([]remit.Control, shape.Controls)}
	ids := make([]string, shape.Controls)
	refs := make([]string, shape.Controls)
	for i := range cat.Controls {
		ids[i] = fmt.Sprintf("C-%04d", i+1)
		refs[i] = remit.ControlRef{Catalogue: "syn", Control: ids[i]}.String()
		cat.Controls[i] = remit.Control{ID: ids[i], Title: "Control " + ids[i], Statement: "Achieve outcome " + ids[i] + ".",
			Area: areas[i%len(areas)], Group: fmt.Sprintf("Group %d", i/100+1)}
	}
	ws.Catalogues = []remit.Catalogue{cat}

	src := &remit.Source{Title: "Published shared responsibility model", URL: "https://provider.example/srm", Version: "2026.1", Date: "2026-01-15"}
	offeringRefs := make([]string, 0, shape.Offerings)
	for i := 0; i < shape.Offerings; i++ {
		pi := i / shape.PerProvider
		if i%shape.PerProvider == 0 {
			ws.Providers = append(ws.Providers, remit.Provider{ID: fmt.Sprintf("p%d", pi), Name: fmt.Sprintf("Provider %d", pi)})
		}
		p := &ws.Providers[len(ws.Providers)-1]
		o := remit.Offering{ID: fmt.Sprintf("o%d", i), Name: fmt.Sprintf("Offering %d", i), ServiceModel: models[rng.IntN(len(models))], Source: src}
		if first := pi * shape.PerProvider; first > 0 && rng.IntN(10) == 0 {
			o.DependsOn = []string{offeringRefs[rng.IntN(first)]}
		}
		stated := sample(rng, shape.Controls, shape.Statements)
		o.Statements = make([]remit.Statement, len(stated))
		for k, ci := range stated {
			o.Statements[k] = statement(rng, refs[ci])
		}
		p.Offerings = append(p.Offerings, o)
		offeringRefs = append(offeringRefs, remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String())
	}

	ws.Systems = make([]remit.System, shape.Systems)
	for i := range ws.Systems {
		s := remit.System{ID: fmt.Sprintf("s%d", i), Name: fmt.Sprintf("System %d", i), Owner: "Owner", Team: fmt.Sprintf("team-%d", i%40),
			Classification: "OFFICIAL", Baseline: remit.Baseline{Catalogue: "syn"}}
		base := sample(rng, shape.Controls, shape.Baseline)
		s.Baseline.Controls = make([]string, len(base))
		for k, ci := range base {
			s.Baseline.Controls[k] = ids[ci]
		}
		if i%10 == 0 {
			for _, ci := range base[:3] {
				s.Baseline.NotApplicable = append(s.Baseline.NotApplicable, remit.Exclusion{Control: ids[ci], Reason: "Out of scope for this system."})
			}
		}
		for _, oi := range sample(rng, shape.Offerings, shape.Uses) {
			s.Uses = append(s.Uses, remit.Use{Offering: offeringRefs[oi], Purpose: "Hosting"})
		}
		ws.Systems[i] = s
	}
	return ws
}

// statement makes a statement with a realistic mix of classes.
func statement(rng *rand.Rand, ref string) remit.Statement {
	p, c := texts.provider[rng.IntN(len(texts.provider))], texts.customer[rng.IntN(len(texts.customer))]
	switch n := rng.IntN(20); {
	case n < 7:
		return remit.Statement{Control: ref, Class: remit.Inherited, Provider: p}
	case n < 15:
		return remit.Statement{Control: ref, Class: remit.Shared, Provider: p, Customer: c}
	case n < 19:
		return remit.Statement{Control: ref, Class: remit.OrganisationSpecific, Customer: c}
	default:
		return remit.Statement{Control: ref, Class: remit.NotApplicable, Provider: "Not part of this service."}
	}
}

// sample returns k distinct indexes below n, sorted.
func sample(rng *rand.Rand, n, k int) []int {
	k = min(k, n)
	perm := rng.Perm(n)[:k]
	slices.Sort(perm)
	return perm
}
