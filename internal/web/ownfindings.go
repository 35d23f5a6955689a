package web

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
)

// ownFindingsView is what the provider's own POA&M and assessment results
// say of an offering, for the offering and scorecard pages.
type ownFindingsView struct {
	Ref  string
	Docs []*remit.ProviderFindings
	Rows []ownFindingRow
	Open int
}

type ownFindingRow struct {
	remit.ProviderFinding
	// Source says where it came from; Does what it does today, in words.
	Source, Does string
}

// ownFindings builds the view: open items first, worst first.
func ownFindings(sn *service.Snapshot, ref string, now time.Time) *ownFindingsView {
	v := &ownFindingsView{Ref: ref, Docs: sn.ProviderFindings(ref)}
	day := now.UTC().Format(time.DateOnly)
	for _, pf := range v.Docs {
		for _, f := range pf.Items {
			row := ownFindingRow{ProviderFinding: f, Source: fmt.Sprintf("%s item, first seen %s", pf.Model.Title(), f.First)}
			st, sev, overdue := f.Effect(day)
			late := ""
			if overdue {
				late = fmt.Sprintf(" (open past its deadline, so counted as %s)", sev)
			}
			switch {
			case f.Status == remit.ProviderFindingClosed:
				row.Does = "Nothing: closed " + f.Closed
				if f.StatusFrom != "" {
					row.Does += " (" + f.StatusFrom + ")"
				}
			case f.Status == remit.ProviderFindingDeviation:
				row.Does = "Nothing: the provider's authorising official approved a deviation"
			case len(f.Controls) == 0:
				row.Does = "Nothing: it names no control"
			case st == remit.AssuranceFailed:
				row.Does = "Fails the provider's obligations for these controls" + late
			case st == remit.AssuranceStale:
				row.Does = "Holds the provider's obligations for these controls at stale at best" + late
			default:
				row.Does = "Shown only: a low item changes no obligation"
			}
			if f.Status == remit.ProviderFindingOpen {
				v.Open++
			}
			v.Rows = append(v.Rows, row)
		}
	}
	open := func(r ownFindingRow) int {
		if r.Status == remit.ProviderFindingOpen {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(v.Rows, func(a, b ownFindingRow) int {
		return cmp.Or(open(a)-open(b), slices.Index(remit.Severities, b.Severity)-slices.Index(remit.Severities, a.Severity), cmp.Compare(a.Title, b.Title))
	})
	return v
}
