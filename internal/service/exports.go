package service

// The documents Remit hands to assessors, auditors and other tools — a
// system's OSCAL SSP and Customer Responsibility Matrix, an offering's
// component definition, assessment results and a plan of action — from
// the current snapshot, for the CLI and the API alike.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"remit/internal/content"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/report"
)

// SSP writes a system's OSCAL system security plan.
func (sn *Snapshot) SSP(system string, now time.Time) ([]byte, error) {
	plan, err := sn.SystemPlan(system, now)
	if err != nil {
		return nil, err
	}
	return oscal.Marshal(oscal.KindSSP, oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: sn.CatalogueTitle(plan.System.Baseline.Catalogue), Assessed: sn.ProvidersAssessed(), Now: now}))
}

// CRM writes a system's Customer Responsibility Matrix as XLSX or CSV,
// with its media type and file extension.
func (sn *Snapshot) CRM(system, format string, now time.Time) (data []byte, mediaType, ext string, err error) {
	if format != "xlsx" && format != "csv" {
		return nil, "", "", fmt.Errorf("format %q is not known: use xlsx or csv", format)
	}
	plan, err := sn.SystemPlan(system, now)
	if err != nil {
		return nil, "", "", err
	}
	header, rows := report.CRM(plan)
	return report.Table(format, "Responsibility matrix", header, rows)
}

// ComponentDefinition writes an offering's model as an OSCAL component
// definition.
func (sn *Snapshot) ComponentDefinition(offering string, now time.Time) ([]byte, error) {
	// The catalogues and the one provider, with the offering: all the
	// document needs, without assembling the estate.
	ws := &remit.Workspace{Catalogues: sn.Catalogues()}
	if o, ok := sn.Offering(offering); ok {
		ws.Providers = []remit.Provider{{ID: o.ProviderID, Name: o.ProviderName, Offerings: []remit.Offering{*o.Offering}}}
	}
	cd, err := oscal.WriteComponentDefinition(ws, offering, now)
	if err != nil {
		return nil, err
	}
	return oscal.Marshal(oscal.KindComponentDefinition, cd)
}

// controlTitles maps catalogue:control to its title.
func (sn *Snapshot) controlTitles() map[string]string {
	titles := map[string]string{}
	for _, ctl := range sn.cache.Estate.Controls {
		titles[ctl.Ref] = ctl.Control.Title
	}
	return titles
}

// AssessmentResults writes a supplier assessment or a Standards Assurance
// Table, by id, as OSCAL assessment results, with the findings raised
// from it.
func (s *Service) AssessmentResults(ctx context.Context, id string, now time.Time) ([]byte, error) {
	sn := s.Snapshot()
	all, err := s.Findings(ctx)
	if err != nil {
		return nil, err
	}
	raised := slices.DeleteFunc(all, func(f remit.Finding) bool { return f.Source != id })
	for _, a := range sn.assessments {
		if a.ID == id {
			return oscal.Marshal(oscal.KindAssessmentResults, oscal.WriteSupplierResults(a, sn.controlTitles(), raised, now))
		}
	}
	for _, sat := range sn.sats {
		if sat.ID == id {
			titles := map[string]string{}
			for _, o := range content.SATObjectives().Objectives {
				titles[o.ID] = o.Title
			}
			return oscal.Marshal(oscal.KindAssessmentResults, oscal.WriteSATResults(sat, titles, raised, now))
		}
	}
	return nil, fmt.Errorf("no supplier assessment or Standards Assurance Table %q: %w", id, remit.ErrNotFound)
}

// POAM writes the plan of action and milestones of the estate, or of one
// system: open findings (for a system, those concerning its obligations)
// and the register's risks not closed (for a system, those naming it).
func (s *Service) POAM(ctx context.Context, system string, now time.Time) ([]byte, error) {
	sn := s.Snapshot()
	fs, err := s.Findings(ctx)
	if err != nil {
		return nil, err
	}
	risks, settings := sn.Risks()
	if system != "" {
		if _, _, found := sn.System(system); !found {
			return nil, fmt.Errorf("system %q: %w", system, remit.ErrNotFound)
		}
		ofSystem := func(id string) bool {
			o, err := remit.ParseObligationID(id)
			return err == nil && o.System == system
		}
		fs = slices.DeleteFunc(fs, func(f remit.Finding) bool { return !slices.ContainsFunc(f.Obligations, ofSystem) })
		var mine []*remit.Risk
		for _, r := range risks {
			if slices.ContainsFunc(r.Concerns, func(ref remit.Ref) bool {
				return ref.Kind == "system" && ref.ID == system || ref.Kind == "obligation" && ofSystem(ref.ID)
			}) {
				mine = append(mine, r)
			}
		}
		risks = mine
	}
	return oscal.Marshal(oscal.KindPOAM, oscal.WritePOAM(system, fs, risks, settings, now))
}
