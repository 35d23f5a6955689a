package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/report"
)

// MeasuredPlan is what importing a provider's POA&M or assessment results
// against an offering does: each item as it will stand, and how the
// assurance of the provider obligations of the systems relying on the
// offering moves.
type MeasuredPlan struct {
	Offering string              `json:"offering"`
	Model    remit.MeasuredModel `json:"model"`
	Title    string              `json:"title"`
	Dated    string              `json:"dated,omitempty"`
	Items    []MeasuredItem      `json:"items"`
	// New, Updated, Closed and Unchanged count the items by what the
	// import does to them (closed: found closed, or gone from the file).
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Closed    int `json:"closed"`
	Unchanged int `json:"unchanged"`
	// NoControl counts the open items naming no control (shown, but they
	// change no obligation); NotRelied those whose controls the offering is
	// not relied on for.
	NoControl int `json:"no_control"`
	NotRelied int `json:"not_relied"`
	// Systems counts the systems the offering owes obligations to;
	// Indirect those relying on it only through another offering (whose
	// provider owes them). Moves says how many of the provider obligations
	// move, from → to.
	Systems  int            `json:"systems"`
	Indirect int            `json:"indirect"`
	Moves    map[string]int `json:"moves"`
	Notes    []string       `json:"notes,omitempty"`
	// Version is the stored version after the import (0 on a dry run).
	Version int64 `json:"version"`
}

// MeasuredItem is one item of the plan.
type MeasuredItem struct {
	remit.ProviderFinding
	// Change is new, updated, closed or unchanged.
	Change string `json:"change"`
	// Effect is what it does to the obligations for its controls today:
	// failed, stale (held at stale at best) or "" (nothing).
	Effect remit.AssuranceStatus `json:"effect,omitempty"`
	// Relied says whether the offering is relied on for any of its controls
	// (or a control mapped to one); Overdue whether it is open past its
	// deadline, so counting a step worse.
	Relied  bool `json:"relied"`
	Overdue bool `json:"overdue,omitempty"`
}

// ProviderFindings lists what the providers' own POA&Ms and assessment
// results say of an offering, POA&M first (read only).
func (sn *Snapshot) ProviderFindings(offering string) []*remit.ProviderFindings {
	var out []*remit.ProviderFindings
	for _, m := range remit.MeasuredModels {
		if pf, ok := sn.measured.Get(remit.ProviderFindingsID(offering, m)); ok {
			out = append(out, pf)
		}
	}
	return out
}

// OpenProviderFindings counts an offering's provider's own open findings,
// by severity.
func (sn *Snapshot) OpenProviderFindings(offering string) map[remit.Severity]int {
	n := map[remit.Severity]int{}
	for _, pf := range sn.ProviderFindings(offering) {
		for _, f := range pf.Items {
			if f.Status == remit.ProviderFindingOpen {
				n[f.Severity]++
			}
		}
	}
	return n
}

func (sn *Snapshot) allMeasured() []*remit.ProviderFindings {
	out := make([]*remit.ProviderFindings, 0, sn.measured.Len())
	for _, pf := range sn.measured.All() {
		out = append(out, pf)
	}
	return out
}

// putMeasured holds an offering's findings from one model, and re-points
// the evidence index at them.
func (sn *Snapshot) putMeasured(pfs ...*remit.ProviderFindings) {
	for _, pf := range pfs {
		sn.measured = sn.measured.Put(pf.ID(), pf)
	}
	if sn.index != nil {
		sn.index = sn.index.WithProviderFindings(sn.allMeasured(), sn.cache.Estate.Related)
	}
	sn.evidenceGen++
}

// ImportProviderFindings measures an offering's provider by its own POA&M
// or assessment results (read by oscal.ReadMeasured): the items' controls
// are taken to be in catalogue (default: the one the offering's
// statements are in), open items fail or degrade the provider obligations
// for their controls in every relying system (doc/assurance.md), and the
// next import of the same model updates the items by uuid, closing those
// it no longer holds. version is the stored version read (0: none yet).
func (s *Service) ImportProviderFindings(ctx context.Context, p remit.Principal, offering, catalogue string, m *oscal.Measured, version int64, dryRun bool) (MeasuredPlan, error) {
	if err := mayAssess(p, "a provider's findings"); err != nil {
		return MeasuredPlan{}, err
	}
	sn := s.Snapshot()
	if _, ok := sn.Offering(offering); !ok {
		return MeasuredPlan{}, fmt.Errorf("offering %q is not in the estate: %w", offering, remit.ErrNotFound)
	}
	if catalogue == "" {
		catalogue = sn.measuredCatalogue(m)
	}
	if catalogue == "" {
		var named []string
		for _, it := range m.Items {
			for _, c := range it.Controls {
				if !slices.Contains(named, c) && len(named) < 5 {
					named = append(named, c)
				}
			}
		}
		return MeasuredPlan{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/catalogue", Message: fmt.Sprintf("no one catalogue of the estate holds most of the file's controls (%s): name the one they are in, %s, or import it first (remit catalogue import)", cmp.Or(strings.Join(named, ", "), "it names none"), strings.Join(sn.Estate().CatalogueIDs(), ", "))}}}
	}
	if !sn.Estate().HasCatalogue(catalogue) {
		ids := sn.Estate().CatalogueIDs()
		return MeasuredPlan{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/catalogue", Message: fmt.Sprintf("catalogue %q is not in the estate: use one of %s%s", catalogue, strings.Join(ids, ", "), remit.Suggest(catalogue, ids))}}}
	}
	now := s.now().UTC()
	today := now.Format(time.DateOnly)
	pf := &remit.ProviderFindings{Offering: offering, Model: m.Model, Title: m.Title, UUID: m.UUID, Dated: m.Dated, Catalogue: catalogue,
		Items: slices.Clone(m.Items), Imported: now, ImportedBy: p.Email}
	plan := MeasuredPlan{Offering: offering, Model: m.Model, Title: m.Title, Dated: m.Dated, Moves: map[string]int{}, Notes: slices.Clone(m.Notes)}
	// Controls are matched to the catalogue's ids ignoring case (NIST's
	// targets are lower case, other catalogues' ids need not be).
	ids := map[string]string{}
	for _, id := range sn.Estate().ControlIDs(catalogue) {
		ids[strings.ToLower(id)] = id
	}
	var unknown []string
	for i := range pf.Items {
		f := &pf.Items[i]
		f.Controls = slices.Clone(f.Controls)
		for j, c := range f.Controls {
			id, ok := ids[strings.ToLower(c)]
			if !ok {
				unknown = append(unknown, fmt.Sprintf("%s (item %q)", c, f.Title))
				id = c
			}
			f.Controls[j] = catalogue + ":" + id
		}
	}
	if len(unknown) > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("Controls not in catalogue %s, so matching no obligation: %s.", catalogue, strings.Join(unknown, ", ")))
	}
	if ps := pf.Validate(); len(ps) > 0 {
		return MeasuredPlan{}, &remit.ValidationError{Problems: ps}
	}
	was, _ := sn.measured.Get(pf.ID())
	pf.Merge(was, today)
	relied := map[string]bool{}
	for _, c := range sn.ProviderControls(offering) {
		relied[c.Ref] = true
		for _, mc := range c.Mapped {
			relied[mc.Control] = true
		}
	}
	prev := map[string]remit.ProviderFinding{}
	if was != nil {
		for _, f := range was.Items {
			prev[f.UUID] = f
		}
	}
	for _, f := range pf.Items {
		it := MeasuredItem{ProviderFinding: f, Relied: slices.ContainsFunc(f.Controls, func(c string) bool {
			return relied[c] || slices.ContainsFunc(sn.Estate().Related(c), func(r string) bool { return relied[r] })
		})}
		it.Effect, _, it.Overdue = f.Effect(today)
		w, seen := prev[f.UUID]
		switch {
		case !seen:
			it.Change = "new"
			plan.New++
		case f.Status == remit.ProviderFindingClosed && w.Status != remit.ProviderFindingClosed:
			it.Change = "closed"
			plan.Closed++
		case w.Status == f.Status && w.Severity == f.Severity && w.Deadline == f.Deadline && w.Title == f.Title && slices.Equal(w.Controls, f.Controls):
			it.Change = "unchanged"
			plan.Unchanged++
		default:
			it.Change = "updated"
			plan.Updated++
		}
		if f.Status == remit.ProviderFindingOpen {
			switch {
			case len(f.Controls) == 0:
				plan.NoControl++
			case !it.Relied:
				plan.NotRelied++
			}
		}
		plan.Items = append(plan.Items, it)
	}
	if plan.NoControl > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%d open items name no control: they are shown on the offering but move no obligation; name their controls with --control UUID=CONTROL (the API's control query parameter).", plan.NoControl))
	}
	// How the relying systems' provider obligations move.
	after := sn.index.WithProviderFindings(append(withoutID(sn.allMeasured(), pf.ID()), pf), sn.Estate().Related)
	relying := map[string]bool{}
	for _, r := range sn.Relying(func(o OfferingInfo) bool { return o.Ref == offering }) {
		relying[r.ID] = true
	}
	owed := map[string]bool{}
	for _, o := range sn.Obligations(func(s *remit.System) bool { return relying[s.ID] }, report.PartyProviders, func(o Obligation) bool { return o.Offering == offering }) {
		owed[o.System] = true
		ref := o.Ref()
		if from, to := sn.index.Status(ref, now, today), after.Status(ref, now, today); from != to {
			plan.Moves[string(from)+" → "+string(to)]++
		}
	}
	plan.Systems, plan.Indirect = len(owed), len(relying)-len(owed)
	if plan.Indirect > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s on %s only through another offering: their provider obligations are owed by the offering they use directly, so these findings do not move them.", countOf(plan.Indirect, "system relies", "systems rely"), offering))
	}
	if dryRun {
		return plan, nil
	}
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := measuredDocs.put(ctx, tx, change{p.Email, now}, pf.ID(), *pf, version)
		if err != nil {
			return nil, err
		}
		plan.Version = d.Version
		return func(next *Snapshot) error {
			next.versions = next.versions.Put(versionKey(KindProviderFindings, pf.ID()), d.Version)
			next.putMeasured(pf)
			return nil
		}, nil
	})
	if err != nil {
		return MeasuredPlan{}, fmt.Errorf("import the provider's %s: %w", m.Model.Title(), err)
	}
	return plan, nil
}

func withoutID(pfs []*remit.ProviderFindings, id string) []*remit.ProviderFindings {
	return slices.DeleteFunc(pfs, func(pf *remit.ProviderFindings) bool { return pf.ID() == id })
}

// measuredCatalogue is the catalogue of the estate that holds the most of
// the controls a file names (ignoring case); "" when none holds any, or
// two hold as many.
func (sn *Snapshot) measuredCatalogue(m *oscal.Measured) string {
	best, bestN, tie := "", 0, false
	for _, cat := range sn.Estate().CatalogueIDs() {
		ids := map[string]bool{}
		for _, id := range sn.Estate().ControlIDs(cat) {
			ids[strings.ToLower(id)] = true
		}
		n := 0
		for _, it := range m.Items {
			for _, c := range it.Controls {
				if ids[strings.ToLower(c)] {
					n++
				}
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = cat, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// countOf is "1 system relies" or "3 systems rely".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
