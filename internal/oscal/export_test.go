package oscal

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/workspace"
)

var exportNow = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// exampleWorkspace loads the example estate.
func exampleWorkspace(t *testing.T) *remit.Workspace {
	t.Helper()
	ws, err := workspace.Load(filepath.Join("..", "..", "examples", "justice"))
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestComponentDefinitionRoundTrip writes every example offering as a
// component definition, validates it, and reads its statements back
// exactly.
func TestComponentDefinitionRoundTrip(t *testing.T) {
	ws := exampleWorkspace(t)
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
	ws := exampleWorkspace(t)
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
