package report

import (
	"cmp"
	"slices"

	"remit/internal/engine"
)

// CoverageDoc says how much of the baseline the providers' statements
// settle, for a system, a provider's offerings or the whole estate: per
// offering, what its contributions rest on, and (for systems) per cell.
// remit coverage and GET /api/v1/coverage answer with it.
type CoverageDoc struct {
	System    string             `json:"system,omitempty" doc:"The system counted, when one was asked for"`
	Provider  string             `json:"provider,omitempty" doc:"The provider whose offerings are counted, when one was asked for"`
	Systems   int                `json:"systems" doc:"How many systems were counted"`
	Offerings []OfferingCoverage `json:"offerings"`
	Cells     CellCoverage       `json:"cells" doc:"The counted systems' cells (all of their offerings), by what they rest on"`
}

// OfferingCoverage is what one offering's contributions to the baselines
// counted rest on (engine.Coverage), named.
type OfferingCoverage struct {
	Ref       string `json:"offering"`
	Name      string `json:"name"`
	Provider  string `json:"provider"`
	Confirmed int    `json:"confirmed" doc:"Contributions resting on a statement for the control itself"`
	Mapped    int    `json:"mapped" doc:"Contributions resting on statements for controls mapped to it"`
	Assumed   int    `json:"assumed" doc:"Contributions resting on the assumed service-model default"`
}

// Settled is the contributions resting on a statement, for the control or
// mapped to it.
func (c OfferingCoverage) Settled() int { return c.Confirmed + c.Mapped }

// Total is every contribution counted.
func (c OfferingCoverage) Total() int { return c.Confirmed + c.Mapped + c.Assumed }

// CellCoverage counts cells: confirmed (every contribution stated for the
// control), mapped (some through a mapping, none assumed), assumed (at
// least one on an assumed default). Not-applicable cells are not counted.
type CellCoverage struct {
	Confirmed int `json:"confirmed"`
	Mapped    int `json:"mapped"`
	Assumed   int `json:"assumed"`
}

// Coverage counts the matrices of systems, keeping the offerings keep
// accepts (every one, when keep is nil).
func Coverage(e *engine.Estate, matrix func(si int32) *engine.Matrix, systems []int32, keep func(oi int32) bool) CoverageDoc {
	doc := CoverageDoc{Offerings: []OfferingCoverage{}}
	var cov []engine.Coverage
	for _, si := range systems {
		m := matrix(si)
		cov = e.AddCoverage(cov, m)
		doc.Systems++
		s := m.Summary
		doc.Cells.Assumed += s.Assumed
		doc.Cells.Mapped += s.Mapped
		doc.Cells.Confirmed += s.Total() - s.NotApplicable - s.Assumed - s.Mapped
	}
	if len(systems) > 1 { // one system's in the order it uses them; else the workspace's
		slices.SortFunc(cov, func(a, b engine.Coverage) int { return cmp.Compare(a.Offering, b.Offering) })
	}
	for _, c := range cov {
		if keep != nil && !keep(c.Offering) {
			continue
		}
		o := e.Offering(c.Offering)
		doc.Offerings = append(doc.Offerings, OfferingCoverage{Ref: o.Ref, Name: o.Offering.Name, Provider: o.Provider.Name, Confirmed: c.Confirmed, Mapped: c.Mapped, Assumed: c.Assumed})
	}
	return doc
}
