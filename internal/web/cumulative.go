package web

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// Cumulative sums accepted risks: what the organisation has chosen to
// live with, across the estate, per system and per provider, so that the
// cumulative effect of accepted risks is weighed, not each alone.
type Cumulative struct {
	Estate    cumulativeRow   `json:"estate"`
	Systems   []cumulativeRow `json:"systems"`
	Providers []cumulativeRow `json:"providers"`
	// Due lists risks whose review or acceptance falls due within 30
	// days or has passed.
	Due []RiskItem `json:"due"`
}

type cumulativeRow struct {
	ID, Name string
	// ByBand counts accepted risks by their residual band.
	ByBand  map[string]int `json:"by_band"`
	Count   int            `json:"count"`
	Total   int            `json:"total" doc:"The sum of their residual scores"`
	Highest int            `json:"highest" doc:"The highest residual score among them"`
	// Systems, for a provider: the systems relying on it (directly or
	// through a fourth party) that carry accepted risk resting on it.
	Systems int `json:"systems,omitempty"`
}

func (c *cumulativeRow) add(it RiskItem) {
	if c.ByBand == nil {
		c.ByBand = map[string]int{}
	}
	c.ByBand[it.Band]++
	c.Count++
	c.Total += it.ResidualScore
	c.Highest = max(c.Highest, it.ResidualScore)
}

// Band is the count of one band, for templates.
func (c cumulativeRow) Band(b string) int { return c.ByBand[b] }

func (s *server) cumulative() Cumulative {
	entries, settings := s.register(remit.RiskFilter{})
	now := s.Now()
	items := items(entries, settings, now)
	soon := now.AddDate(0, 0, 30).UTC().Format(time.DateOnly)
	var out Cumulative
	var accepted []RiskItem
	for _, it := range items {
		if it.Now == remit.RiskAccepted {
			accepted = append(accepted, it)
			out.Estate.add(it)
		}
		due := it.Review != "" && it.Review <= soon && it.Status != remit.RiskClosed
		if it.Acceptance != nil && it.Acceptance.Until <= soon {
			due = true
		}
		if due {
			out.Due = append(out.Due, it)
		}
	}
	out.Estate.ID, out.Estate.Name = "estate", "The whole estate"
	{
		sn := s.Service.Snapshot()
		// Which systems each accepted risk rests on, and which providers.
		bySystem := map[string][]RiskItem{}
		byProvider := map[string][]RiskItem{}
		for _, it := range accepted {
			for _, ref := range it.Concerns {
				switch ref.Kind {
				case "system":
					if _, _, ok := sn.System(ref.ID); ok {
						bySystem[ref.ID] = append(bySystem[ref.ID], it)
					}
				case "obligation":
					if o, err := remit.ParseObligationID(ref.ID); err == nil {
						if _, _, ok := sn.System(o.System); ok {
							bySystem[o.System] = append(bySystem[o.System], it)
						}
					}
				case "provider":
					byProvider[ref.ID] = append(byProvider[ref.ID], it)
				case "offering":
					if o, err := remit.ParseOfferingRef(ref.ID); err == nil {
						byProvider[o.Provider] = append(byProvider[o.Provider], it)
					}
				}
			}
		}
		for id, its := range bySystem {
			x, _, _ := sn.System(id)
			row := cumulativeRow{ID: x.ID, Name: x.Name}
			for _, it := range uniqueRisks(its) {
				row.add(it)
			}
			out.Systems = append(out.Systems, row)
		}
		// A provider's row: accepted risks resting on it, and the systems
		// relying on it that carry accepted risk (their own, or the
		// provider's, which every relying system carries).
		relying := map[string]map[string]bool{}
		for x := range sn.Systems() {
			for _, u := range x.Uses {
				o, ok := sn.Offering(u.Offering)
				if !ok {
					continue
				}
				for _, p := range append([]string{o.ProviderID}, viaProviders(o)...) {
					if relying[p] == nil {
						relying[p] = map[string]bool{}
					}
					relying[p][x.ID] = true
				}
			}
		}
		for _, pr := range sn.Providers() {
			row := cumulativeRow{ID: pr.ID, Name: pr.Name}
			for _, it := range uniqueRisks(byProvider[pr.ID]) {
				row.add(it)
			}
			for si := range relying[pr.ID] {
				if row.Count > 0 || len(bySystem[si]) > 0 {
					row.Systems++
				}
			}
			if row.Count > 0 || row.Systems > 0 {
				out.Providers = append(out.Providers, row)
			}
		}
	}
	order := func(a, b cumulativeRow) int {
		if a.Total != b.Total {
			return b.Total - a.Total
		}
		return strings.Compare(a.Name, b.Name)
	}
	slices.SortFunc(out.Systems, order)
	slices.SortFunc(out.Providers, order)
	return out
}

// viaProviders lists the providers of the offerings o relies on.
func viaProviders(o service.OfferingInfo) []string {
	var out []string
	for _, v := range o.Via {
		if ref, err := remit.ParseOfferingRef(v); err == nil {
			out = append(out, ref.Provider)
		}
	}
	return out
}

func uniqueRisks(its []RiskItem) []RiskItem {
	seen := map[string]bool{}
	var out []RiskItem
	for _, it := range its {
		if !seen[it.ID] {
			seen[it.ID] = true
			out = append(out, it)
		}
	}
	return out
}

type cumulativeOutput struct{ Body Cumulative }

func (s *server) handleCumulativeGet(ctx context.Context, _ *struct{}) (*cumulativeOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	return &cumulativeOutput{Body: s.cumulative()}, nil
}

// riskTrendDays is how many daily snapshots the trend shows.
const riskTrendDays = 12

type riskTrendInput struct {
	Days int `query:"days" minimum:"1" maximum:"366" default:"12" doc:"How many of the latest daily snapshots"`
}

type riskTrendOutput struct {
	Body struct {
		Items []remit.RiskSnapshot `json:"items" doc:"Oldest first; one a day, taken by the background sweep"`
	}
}

func (s *server) handleRiskTrend(ctx context.Context, in *riskTrendInput) (*riskTrendOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	out := &riskTrendOutput{}
	var err error
	out.Body.Items, err = s.Service.RiskTrend(ctx, in.Days)
	if out.Body.Items == nil {
		out.Body.Items = []remit.RiskSnapshot{}
	}
	return out, err
}

// bandSegments colour the bands of residual score in the trend chart.
var bandSegments = []segment{
	{"very high", "remit-band--very-high"},
	{"high", "remit-band--high"},
	{"medium", "remit-band--medium"},
	{"low", "remit-band--low"},
	{"not scored", "remit-band--none"},
}

// cumulativeTable is one table of the cumulative view.
type cumulativeTable struct {
	Test, Caption, First string
	Rows                 []cumulativeRow
	Providers            bool
}

// CumulativePage shows the cumulative view.
type CumulativePage struct {
	basePage
	C          Cumulative
	Bands      []string
	Trend      []remit.RiskSnapshot
	TrendChart template.HTML
}

func (s *server) cumulativePage(r *http.Request) (*CumulativePage, error) {
	p := &CumulativePage{basePage: basePage{Title: "Accepted risk, together", Nav: "risks"}, C: s.cumulative(), Bands: []string{"low", "medium", "high", "very high"}}
	var err error
	if p.Trend, err = s.Service.RiskTrend(r.Context(), riskTrendDays); err != nil {
		return nil, err
	}
	bars := make([]bar, len(p.Trend))
	for i, sn := range p.Trend {
		b := sn.Bands
		bars[i] = bar{Label: sn.Day, Values: []int{b["very high"], b["high"], b["medium"], b["low"], b["none"]}}
	}
	if len(bars) > 0 {
		p.TrendChart = stackedBars("Risks not closed by residual band, per day", bandSegments, bars)
	}
	return p, nil
}

// handleRiskExport answers the register as XLSX, CSV or Markdown.
func (s *server) handleRiskExport(w http.ResponseWriter, r *http.Request) error {
	entries, settings := s.register(remit.RiskFilter{Sort: "residual"})
	risks := make([]*remit.Risk, len(entries))
	for i, e := range entries {
		risks[i] = e.Risk
	}
	header, rows := report.RiskRegister(risks, settings, s.Now())
	return s.sendTable(w, r, "risk-register", "Risk register", header, rows)
}
