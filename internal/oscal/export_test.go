package oscal

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/live"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

var exportNow = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// exampleModel loads the example estate into a fresh SQLite database.
func exampleModel(t *testing.T) (*live.Model, *remit.Workspace) {
	t.Helper()
	ws, err := workspace.Load(filepath.Join("..", "..", "examples", "justice"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "remit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := remit.Import(context.Background(), s, ws, "test", exportNow, false); err != nil {
		t.Fatal(err)
	}
	m, err := live.Open(context.Background(), s, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	full, err := remit.Export(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return m, full
}

// TestSSPForEverySystem writes the SSP of every example system and
// validates it against the OSCAL schema; for one, it checks the parts.
func TestSSPForEverySystem(t *testing.T) {
	m, ws := exampleModel(t)
	for _, sys := range ws.Systems {
		plan, err := m.SystemPlan(sys.ID, exportNow)
		if err != nil {
			t.Fatal(err)
		}
		ssp := WriteSSP(SSPInput{Plan: plan, Catalogue: m.CatalogueTitle(sys.Baseline.Catalogue), Assessed: m.ProvidersAssessed(), Now: exportNow})
		doc, err := Marshal(KindSSP, ssp)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "the SSP of "+sys.ID, doc)
		if sys.ID != "prison-visits" {
			continue
		}
		// Every offering is a component with a leveraged authorization.
		comps := map[string]Component{}
		for _, c := range ssp.SystemImplementation.Components {
			comps[c.UUID] = c
		}
		if len(ssp.SystemImplementation.Components) != 1+len(plan.Offerings) || len(ssp.SystemImplementation.LeveragedAuthorizations) == 0 {
			t.Errorf("components %d for %d offerings; %d leveraged authorizations", len(comps), len(plan.Offerings), len(ssp.SystemImplementation.LeveragedAuthorizations))
		}
		// SRM-01 is inherited: every part is inherited from an offering.
		for _, ir := range ssp.ControlImplementation.ImplementedRequirements {
			if ir.ControlID != "SRM-01" {
				continue
			}
			if got := propValue(ir.Props, "responsibility"); got != "inherited" {
				t.Errorf("SRM-01 responsibility %q", got)
			}
			for _, bc := range ir.ByComponents {
				if comps[bc.ComponentUUID].Type != "service" || len(bc.Inherited) != 1 || bc.Inherited[0].Description != bc.Description {
					t.Errorf("SRM-01 part %+v", bc)
				}
			}
		}
		// Our parts carry their implementation status.
		ours := 0
		for _, ir := range ssp.ControlImplementation.ImplementedRequirements {
			for _, bc := range ir.ByComponents {
				if comps[bc.ComponentUUID].Type == "this-system" {
					ours++
					if bc.ImplementationStatus == nil || bc.ImplementationStatus.State == "" {
						t.Errorf("%s: our part has no status", ir.ControlID)
					}
				}
			}
		}
		if ours == 0 {
			t.Error("no part of ours in the SSP")
		}
		// Exporting again gives the same document but for the date.
		again, _ := Marshal(KindSSP, WriteSSP(SSPInput{Plan: plan, Catalogue: m.CatalogueTitle(sys.Baseline.Catalogue), Assessed: m.ProvidersAssessed(), Now: exportNow}))
		if string(again) != string(doc) {
			t.Error("two exports of the same plan differ")
		}
	}
}

// TestComponentDefinitionRoundTrip writes every example offering as a
// component definition, validates it, and reads its statements back
// exactly.
func TestComponentDefinitionRoundTrip(t *testing.T) {
	_, ws := exampleModel(t)
	n := 0
	for _, p := range ws.Providers {
		for _, o := range p.Offerings {
			ref := p.ID + "/" + o.ID
			cd, err := WriteComponentDefinition(ws, ref, exportNow)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Marshal(KindComponentDefinition, cd)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, "the component definition of "+ref, doc)
			back, err := ReadComponentDefinition(ref+".json", doc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := back.Statements(ref + ".json")
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(o.Statements)
			for i := range want {
				want[i].Source = nil // the offering's source is the component's link
			}
			slices.SortFunc(want, func(a, b remit.Statement) int { return compareStrings(a.Control, b.Control) })
			slices.SortFunc(got, func(a, b remit.Statement) int { return compareStrings(a.Control, b.Control) })
			if !slices.Equal(got, want) {
				t.Errorf("%s: statements do not read back:\n got %+v\nwant %+v", ref, got, want)
			}
			n += len(got)
		}
	}
	if n == 0 {
		t.Fatal("no statements exported")
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestComponentDefinitionUnknownOffering(t *testing.T) {
	_, ws := exampleModel(t)
	if _, err := WriteComponentDefinition(ws, "aws/nothing", exportNow); err == nil {
		t.Error("an unknown offering was written")
	}
}

// TestInheritedPointsAtProvided: a part whose statement came from the
// provider's SSP inherits from that SSP's provided statement.
func TestInheritedPointsAtProvided(t *testing.T) {
	const provided = "11111111-1111-4111-8111-000000000004"
	plan := &report.SystemPlan{System: remit.System{ID: "s", Name: "S"},
		Offerings: []report.PlanOffering{{Ref: "acme/mail", Name: "Mail", Provider: "acme", ProviderName: "Acme", ServiceModel: "saas", Direct: true}},
		Rows: []report.PlanRow{{Control: "srm:SRM-01", Title: "Physical", Class: remit.Inherited, Provided: []report.PlanPart{
			{Offering: "acme/mail", Class: remit.Inherited, Text: "Our data centres.", Source: &remit.Source{Title: "Acme SSP, export " + provided + " 11111111-1111-4111-8111-000000000005"}}}}}}
	ssp := WriteSSP(SSPInput{Plan: plan, Catalogue: "SRM", Now: exportNow})
	got := ssp.ControlImplementation.ImplementedRequirements[0].ByComponents[0].Inherited[0].ProvidedUUID
	if got != provided {
		t.Errorf("provided-uuid %q, want %q", got, provided)
	}
	doc, _ := Marshal(KindSSP, ssp)
	validate(t, "an SSP inheriting from a provider's SSP", doc)
	if ProvidedUUID(&remit.Source{Title: "AWS model"}) != "" || ProvidedUUID(nil) != "" {
		t.Error("a source not from an SSP gave a uuid")
	}
}
