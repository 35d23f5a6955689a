package oscal_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/memstore"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/workspace"
)

var exportNow = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// exampleSnapshot loads the example estate into a service over a store in
// memory: the plans an SSP is written from are the service's.
func exampleSnapshot(t *testing.T) (*service.Snapshot, *remit.Workspace) {
	return snapshotOf(t, "../../examples/justice")
}

// snapshotOf loads a workspace folder into a service over a store in
// memory.
func snapshotOf(t *testing.T, dir string) (*service.Snapshot, *remit.Workspace) {
	t.Helper()
	ws, err := workspace.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc, err := service.Open(ctx, service.Config{Store: memstore.New(), Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), Now: func() time.Time { return exportNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, remit.Principal{Email: "test", Role: remit.RoleAdmin}, ws, false); err != nil {
		t.Fatal(err)
	}
	return svc.Snapshot(), ws
}

// TestSSPForEverySystem writes the SSP of every example system and
// validates it against the OSCAL schema; for one, it checks the parts.
func TestSSPForEverySystem(t *testing.T) {
	sn, ws := exampleSnapshot(t)
	for _, sys := range ws.Systems {
		plan, err := sn.SystemPlan(sys.ID, exportNow)
		if err != nil {
			t.Fatal(err)
		}
		ssp := oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: sn.CatalogueTitle(sys.Baseline.Catalogue), Assessed: sn.ProvidersAssessed(), Now: exportNow})
		doc, err := oscal.Marshal(oscal.KindSSP, ssp)
		if err != nil {
			t.Fatal(err)
		}
		oscal.Validate(t, "the SSP of "+sys.ID, doc)
		if sys.ID != "prison-visits" {
			continue
		}
		// Every offering is a component with a leveraged authorization.
		comps := map[string]oscal.Component{}
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
			if got := oscal.PropValue(ir.Props, "responsibility"); got != "inherited" {
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
		again, _ := oscal.Marshal(oscal.KindSSP, oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: sn.CatalogueTitle(sys.Baseline.Catalogue), Assessed: sn.ProvidersAssessed(), Now: exportNow}))
		if string(again) != string(doc) {
			t.Error("two exports of the same plan differ")
		}
	}
}

// TestSSPMappedParts: a part an offering gives through a mapping names the
// controls it is mapped from, with the relationship, and the SSP is still
// schema-valid.
func TestSSPMappedParts(t *testing.T) {
	sn, _ := snapshotOf(t, "../../examples/mapped")
	plan, err := sn.SystemPlan("grants", exportNow)
	if err != nil {
		t.Fatal(err)
	}
	ssp := oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: sn.CatalogueTitle("ncsc-csp"), Assessed: sn.ProvidersAssessed(), Now: exportNow})
	doc, err := oscal.Marshal(oscal.KindSSP, ssp)
	if err != nil {
		t.Fatal(err)
	}
	oscal.Validate(t, "the SSP of grants", doc)
	// Per control, per part (the offering's, or ours), where it is mapped
	// from: CSP-09 is organisation-specific through SRM-11, so only our
	// part names it.
	got := map[string][]string{}
	for _, ir := range ssp.ControlImplementation.ImplementedRequirements {
		for _, bc := range ir.ByComponents {
			for _, p := range bc.Props {
				if p.Name == "mapped-from" && p.NS == oscal.NS {
					whose := "ours"
					if len(bc.Inherited) > 0 {
						whose = "provider"
					}
					got[ir.ControlID] = append(got[ir.ControlID], whose+" "+p.Value+" "+p.Class)
				}
			}
		}
	}
	want := map[string][]string{
		"CSP-01": {"provider srm:SRM-15 equivalent-to", "ours srm:SRM-15 equivalent-to"},
		"CSP-02": {"provider srm:SRM-01 subset-of", "ours srm:SRM-01 subset-of"},
		"CSP-09": {"ours srm:SRM-11 equivalent-to"},
		"CSP-13": {"provider srm:SRM-19 intersects-with", "ours srm:SRM-19 intersects-with"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mapped parts %v, want %v", got, want)
	}
}

// TestSSPCarriesChain: the leveraged authorizations say how the system
// relies on each provider — directly, or only through another offering —
// and, like the components, carry each link of the chain of reliance
// with what the upper offering's evidence says of the fourth party.
func TestSSPCarriesChain(t *testing.T) {
	sn, _ := exampleSnapshot(t)
	plan, err := sn.SystemPlan("court-case-tracking", exportNow)
	if err != nil {
		t.Fatal(err)
	}
	ssp := oscal.WriteSSP(oscal.SSPInput{Plan: plan, Catalogue: sn.CatalogueTitle(plan.System.Baseline.Catalogue), Assessed: sn.ProvidersAssessed(), Now: exportNow})
	doc, err := oscal.Marshal(oscal.KindSSP, ssp)
	if err != nil {
		t.Fatal(err)
	}
	oscal.Validate(t, "the SSP of court-case-tracking", doc)
	las := map[string]oscal.LeveragedAuthorization{}
	for _, la := range ssp.SystemImplementation.LeveragedAuthorizations {
		las[la.Title] = la
	}
	want := map[string][]oscal.Prop{
		"Amazon Web Services": {{Name: "relied-on-through", NS: oscal.NS, Value: "casetrack/casetrack-cloud", Class: "no-evidence",
			Remarks: "casetrack/casetrack-cloud rests on aws/ec2 for 17 controls; casetrack/casetrack-cloud's evidence is missing: it has no current evidence."}},
		"CaseTrack Ltd (fictional)": {{Name: "rests-on", NS: oscal.NS, Value: "aws/ec2", Class: "no-evidence",
			Remarks: "casetrack/casetrack-cloud rests on aws/ec2 for 17 controls; casetrack/casetrack-cloud's evidence is missing: it has no current evidence."}},
	}
	reliance := map[string]string{"Amazon Web Services": "fourth-party", "CaseTrack Ltd (fictional)": "direct"}
	for title, props := range want {
		la, ok := las[title]
		if !ok {
			t.Fatalf("no leveraged authorization for %s: %v", title, las)
		}
		if got := oscal.PropValue(la.Props, "reliance"); got != reliance[title] {
			t.Errorf("%s: reliance %q", title, got)
		}
		var chain []oscal.Prop
		for _, p := range la.Props {
			if p.Name == "rests-on" || p.Name == "relied-on-through" {
				chain = append(chain, p)
			}
		}
		if !reflect.DeepEqual(chain, props) {
			t.Errorf("%s: chain %+v, want %+v", title, chain, props)
		}
	}
	// The fourth party's component names the offering it is relied on
	// through.
	for _, c := range ssp.SystemImplementation.Components {
		if oscal.PropValue(c.Props, "offering") == "aws/ec2" && oscal.PropValue(c.Props, "relied-on-through") != "casetrack/casetrack-cloud" {
			t.Errorf("aws/ec2's component: %+v", c.Props)
		}
	}
}
