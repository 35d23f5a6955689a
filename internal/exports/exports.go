// Package exports writes the documents Remit hands to assessors, auditors
// and other tools — a system's OSCAL SSP and Customer Responsibility
// Matrix, an offering's component definition, assessment results and a
// plan of action — from the live model, for the CLI and the API alike.
package exports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/live"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/report"
)

// SSP writes a system's OSCAL system security plan.
func SSP(m *live.Model, system string, now time.Time) ([]byte, error) {
	plan, err := m.SystemPlan(system, now)
	if err != nil {
		return nil, err
	}
	return oscal.Marshal(oscal.KindSSP, oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: m.CatalogueTitle(plan.System.Baseline.Catalogue), Assessed: m.ProvidersAssessed(), Now: now}))
}

// CRM writes a system's Customer Responsibility Matrix as XLSX or CSV,
// with its media type and file extension.
func CRM(m *live.Model, system, format string, now time.Time) (data []byte, mediaType, ext string, err error) {
	if format != "xlsx" && format != "csv" {
		return nil, "", "", fmt.Errorf("format %q is not known: use xlsx or csv", format)
	}
	plan, err := m.SystemPlan(system, now)
	if err != nil {
		return nil, "", "", err
	}
	header, rows := report.CRM(plan)
	return report.Table(format, "Responsibility matrix", header, rows)
}

// ComponentDefinition writes an offering's model as an OSCAL component
// definition.
func ComponentDefinition(m *live.Model, offering string, now time.Time) ([]byte, error) {
	var ws *remit.Workspace
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) { ws = c.Estate.Workspace() })
	cd, err := oscal.WriteComponentDefinition(ws, offering, now)
	if err != nil {
		return nil, err
	}
	return oscal.Marshal(oscal.KindComponentDefinition, cd)
}

// controlTitles maps catalogue:control to its title.
func controlTitles(m *live.Model) map[string]string {
	titles := map[string]string{}
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		for _, ctl := range c.Estate.Controls {
			titles[ctl.Ref] = ctl.Control.Title
		}
	})
	return titles
}

func findings(ctx context.Context, s remit.Store) ([]remit.Finding, error) {
	var fs []remit.Finding
	err := s.Read(ctx, func(tx remit.Tx) error { var err error; fs, err = remit.Findings(ctx, tx); return err })
	return fs, err
}

// AssessmentResults writes a supplier assessment or a Standards Assurance
// Table, by id, as OSCAL assessment results, with the findings raised
// from it.
func AssessmentResults(ctx context.Context, m *live.Model, s remit.Store, id string, now time.Time) ([]byte, error) {
	all, err := findings(ctx, s)
	if err != nil {
		return nil, err
	}
	raised := slices.DeleteFunc(all, func(f remit.Finding) bool { return f.Source != id })
	for _, a := range m.Assessments() {
		if a.ID == id {
			return oscal.Marshal(oscal.KindAssessmentResults, oscal.WriteSupplierResults(a, controlTitles(m), raised, now))
		}
	}
	for _, sat := range m.SATs() {
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
func POAM(ctx context.Context, m *live.Model, s remit.Store, system string, now time.Time) ([]byte, error) {
	fs, err := findings(ctx, s)
	if err != nil {
		return nil, err
	}
	risks, settings := m.Risks()
	if system != "" {
		found := false
		m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) { _, found = c.Estate.SystemIndex(system) })
		if !found {
			return nil, fmt.Errorf("system %q: %w", system, remit.ErrNotFound)
		}
		fs = slices.DeleteFunc(fs, func(f remit.Finding) bool {
			return !slices.ContainsFunc(f.Obligations, func(o string) bool { return strings.HasPrefix(o, system+"/") })
		})
		var mine []*remit.Risk
		for _, r := range risks {
			if slices.ContainsFunc(r.Concerns, func(ref remit.Ref) bool {
				return ref.Kind == "system" && ref.ID == system || ref.Kind == "obligation" && strings.HasPrefix(ref.ID, system+"/")
			}) {
				mine = append(mine, r)
			}
		}
		risks = mine
	}
	return oscal.Marshal(oscal.KindPOAM, oscal.WritePOAM(system, fs, risks, settings, now))
}
