package service

import (
	"fmt"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/report"
)

// SystemPlan is one system's matrix with each party's part, our tracking
// and every obligation's assurance on day now: what the Customer
// Responsibility Matrix and the OSCAL system security plan are written
// from.
func (sn *Snapshot) SystemPlan(id string, now time.Time) (*report.SystemPlan, error) {
	x := sn.index
	var plan *report.SystemPlan
	func() {
		c := sn.cache
		e := c.Estate
		si, ok := e.SystemIndex(id)
		if !ok {
			return
		}
		s := e.System(si)
		plan = &report.SystemPlan{System: *s.System}
		seen := map[int32]bool{}
		add := func(oi int32, direct bool) {
			if seen[oi] {
				return
			}
			seen[oi] = true
			o := e.Offering(oi)
			plan.Offerings = append(plan.Offerings, report.PlanOffering{Ref: o.Ref, Name: o.Offering.Name, Provider: o.Provider.ID, ProviderName: o.Provider.Name,
				ServiceModel: o.Offering.ServiceModel, Direct: direct})
		}
		for _, oi := range s.Uses {
			add(oi, true)
		}
		for _, oi := range s.Uses {
			for _, v := range e.Offering(oi).Via {
				add(v, false)
			}
		}
		// The chain of reliance, link by link: each offering the system
		// relies on (used, or a fourth party), each it rests on in turn.
		at := map[string]int{}
		for i, o := range plan.Offerings {
			at[o.Ref] = i
		}
		for _, po := range plan.Offerings {
			oi, _ := e.OfferingIndex(po.Ref)
			for _, v := range e.Offering(oi).Via {
				l, ok := sn.chainLink(e, oi, v, now)
				if !ok {
					continue
				}
				up, down := &plan.Offerings[at[l.Upper.Ref]], &plan.Offerings[at[l.Lower.Ref]]
				up.RestsOn = append(up.RestsOn, report.PlanLink{Offering: l.Lower.Ref, Controls: len(l.Controls), Coverage: l.Coverage.Says, Short: l.Short})
				down.Through = append(down.Through, report.PlanLink{Offering: l.Upper.Ref, Controls: len(l.Controls), Coverage: l.Coverage.Says, Short: l.Short})
			}
		}
		mx := c.Matrix(si)
		for i := range mx.Cells {
			cell := &mx.Cells[i]
			ctl := &e.Controls[cell.Control]
			row := report.PlanRow{Control: ctl.Ref, Title: ctl.Control.Title, Area: ctl.Control.Area, Class: cell.Class()}
			if reason, ok := e.NotApplicable(si, cell.Control); ok {
				row.Reason = reason
			}
			var as []remit.Assurance
			if row.Class != remit.NotApplicable {
				for _, k := range e.Contributions(mx, cell) {
					o := e.Offering(k.Offering)
					provider, customer := e.Parts(cell.Control, k)
					part := report.PlanPart{Offering: o.Ref, Class: k.Class(), Text: provider, Customer: customer, Assumed: k.Assumed(), Mapped: e.MappedFrom(k.Offering, cell.Control), Source: e.Source(k)}
					if k.Class().ProviderPart() {
						part.Obligation = e.Key(engine.Obligation{System: si, Control: cell.Control, Offering: k.Offering})
						part.Assurance = x.Assure(remit.ObligationRef{ID: part.Obligation, System: s.System.ID, Control: ctl.Ref, Offering: o.Ref, Mapped: part.Mapped}, now)
						as = append(as, part.Assurance)
					}
					row.Provided = append(row.Provided, part)
				}
			}
			for _, ob := range e.Ours(mx, cell) {
				d := report.PlanDuty{Obligation: e.Key(ob), Text: ob.Text, Assumed: ob.Assumed, Tracking: remit.DefaultTracking}
				if !ob.Whole() {
					d.Offering = e.Offering(ob.Offering).Ref
					d.Mapped = e.MappedFrom(ob.Offering, cell.Control)
				}
				if tr, ok := sn.tracking.Get(d.Obligation); ok {
					d.Tracking = tr.Tracking
				}
				d.Assurance = x.Assure(remit.ObligationRef{ID: d.Obligation, System: s.System.ID, Control: ctl.Ref, Offering: d.Offering, Ours: true, Tracking: &d.Tracking}, now)
				as = append(as, d.Assurance)
				row.Ours = append(row.Ours, d)
			}
			row.Assurance = remit.Combine(as)
			plan.Rows = append(plan.Rows, row)
		}
	}()
	if plan == nil {
		return nil, fmt.Errorf("system %q: %w", id, remit.ErrNotFound)
	}
	return plan, nil
}

// ProvidersAssessed gives, per provider, the day its latest supplier
// assessment (of any of its offerings) was signed off.
func (sn *Snapshot) ProvidersAssessed() map[string]string {
	out := map[string]string{}
	for _, a := range sn.assessments {
		if a.Status != remit.AssessmentCompleted || a.SignedOff == nil {
			continue
		}
		ref, err := remit.ParseOfferingRef(a.Offering)
		if err != nil {
			continue
		}
		if d := a.SignedOff.UTC().Format(time.DateOnly); d > out[ref.Provider] {
			out[ref.Provider] = d
		}
	}
	return out
}

// CatalogueTitle is the title of a catalogue of the model ("" if none).
func (sn *Snapshot) CatalogueTitle(id string) string {
	if c, ok := sn.cache.Estate.Catalogue(id); ok {
		return c.Title
	}
	return ""
}
