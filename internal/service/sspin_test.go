package service_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// TestSSPRoundTrip: every example system, with tracking of every kind
// (owner, due date, notes, in progress, not applicable with its reason),
// exported as its OSCAL SSP and imported into an estate that does not
// hold it, comes back as the same system with the same tracking, and
// exports to the same bytes.
func TestSSPRoundTrip(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	sn := f.svc.Snapshot()
	ours := sn.Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	for i, t2 := range []remit.Tracking{
		{Owner: "Visits team", Status: remit.StatusInProgress, Due: "2027-01-31", Notes: "Patching moves to weekly.\n\nSee the runbook."},
		{Owner: "Jo Bloggs", Status: remit.StatusImplemented},
		{Status: remit.StatusNotApplicable, Reason: "No instances run a guest OS we manage."},
	} {
		if _, err := f.svc.Track(ctx, admin, ours[i].ID, t2, 0); err != nil {
			t.Fatal(err)
		}
	}
	now := f.clock.Now()
	var ids []string
	for s := range f.svc.Snapshot().Systems() {
		ids = append(ids, s.ID)
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			sn := f.svc.Snapshot()
			want, _, _ := sn.System(id)
			first, err := sn.SSP(id, now)
			if err != nil {
				t.Fatal(err)
			}
			wantTracking := map[string]remit.Tracking{}
			for _, o := range sn.Obligations(func(s *remit.System) bool { return s.ID == id }, report.PartyOurs, nil) {
				wantTracking[o.ID] = *o.Tracking
			}
			// A fresh estate without the system.
			g := withExample(t, memstoreOf(t), nil, nil)
			v, _ := g.svc.Snapshot().Version(service.KindSystem, id)
			if err := g.svc.DeleteSystem(ctx, admin, id, v); err != nil {
				t.Fatal(err)
			}
			l, err := oscal.ReadLeveraging(id+".json", first)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := g.svc.ImportSystemSSP(ctx, admin, l, service.SSPImport{}, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Action != "create" || plan.Untracked != 0 {
				t.Errorf("plan %+v", plan)
			}
			got, _, _ := g.svc.Snapshot().System(id)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the system differs (-want +got):\n%s", diff)
			}
			gsn := g.svc.Snapshot()
			for _, o := range gsn.Obligations(func(s *remit.System) bool { return s.ID == id }, report.PartyOurs, nil) {
				if *o.Tracking != wantTracking[o.ID] {
					t.Errorf("%s: tracking %+v, want %+v", o.ID, *o.Tracking, wantTracking[o.ID])
				}
				delete(wantTracking, o.ID)
			}
			if len(wantTracking) != 0 {
				t.Errorf("obligations lost: %v", wantTracking)
			}
			again, err := gsn.SSP(id, now)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(first) {
				t.Errorf("the SSP exported again differs from the first (%d and %d bytes)", len(first), len(again))
			}
		})
	}
}

// TestSSPFromAnotherTool: a system's SSP written by another tool —
// components typed service with leveraged authorizations, statuses per
// statement, no Remit properties — becomes a system using the offering
// its component is named after, with the least advanced status its own
// components state and their narrative as notes; every problem (an
// unknown control, a component that is no offering, a missing catalogue)
// is named, and nothing is written.
func TestSSPFromAnotherTool(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	data, err := os.ReadFile("../oscal/testdata/leveraging-ssp.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := oscal.ReadLeveraging("leveraging-ssp.json", data)
	if err != nil {
		t.Fatal(err)
	}
	// Without a catalogue, and with a component the estate does not have.
	_, err = f.svc.ImportSystemSSP(ctx, admin, l, service.SSPImport{Team: "courts-digital"}, 0, true)
	var ve *remit.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 ||
		!strings.Contains(ve.Problems[0].Message, "the SSP does not say which catalogue its controls are in") ||
		!strings.Contains(ve.Problems[1].Message, `component "Hosted Mail" (service) is not an offering of the estate: say which it is (--offering "Hosted Mail=PROVIDER/OFFERING"`) {
		t.Fatalf("problems: %v", err)
	}
	bad := *l
	bad.Controls = append([]string{"SRM-99"}, l.Controls...)
	_, err = f.svc.ImportSystemSSP(ctx, admin, &bad, service.SSPImport{Team: "courts-digital", Catalogue: "srm", Offerings: map[string]string{"Hosted Mail": "microsoft/microsoft-365"}}, 0, true)
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Message, `control "SRM-99" is not in catalogue srm (did you mean "SRM-09"?)`) {
		t.Fatalf("an unknown control: %v", err)
	}
	if _, err := f.svc.ImportSystemSSP(ctx, editor, l, service.SSPImport{Team: "courts-digital", Catalogue: "srm", Offerings: map[string]string{"Hosted Mail": "microsoft/microsoft-365"}}, 0, true); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("an editor of another team: %v", err)
	}
	in := service.SSPImport{Team: "courts-digital", Catalogue: "srm", Offerings: map[string]string{"Hosted Mail": "microsoft/microsoft-365"}}
	plan, err := f.svc.ImportSystemSSP(ctx, admin, l, in, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := f.svc.Snapshot().System("case-records"); ok {
		t.Fatal("a dry run wrote the system")
	}
	if plan.Action != "create" || len(plan.Offerings) != 2 || plan.Offerings[0].How != "matched by name" || plan.Offerings[0].Offering != "aws/ec2" || plan.Offerings[1].How != "given" {
		t.Fatalf("plan %+v", plan)
	}
	if plan, err = f.svc.ImportSystemSSP(ctx, admin, l, in, 0, false); err != nil {
		t.Fatal(err)
	}
	sys, _, ok := f.svc.Snapshot().System("case-records")
	if !ok || sys.Name != "Case Records" || sys.Classification != "official" || len(sys.Uses) != 2 || sys.Uses[0].Purpose != "Runs the case records application." || strings.Join(sys.Baseline.Controls, ",") != "SRM-03,SRM-11,SRM-14" {
		t.Fatalf("the system %+v", sys)
	}
	track := func(id string) remit.Tracking {
		o, ok := f.svc.Snapshot().Obligation(id)
		if !ok {
			t.Fatalf("no obligation %s", id)
		}
		return *o.Tracking
	}
	// SRM-03: one statement implemented, one partial: in progress, both narratives as notes.
	if tr := track("case-records/srm:SRM-03/aws/ec2/ours"); tr.Status != remit.StatusInProgress || tr.Owner != "" || !strings.Contains(tr.Notes, "Instances are rebuilt weekly") || !strings.Contains(tr.Notes, "Legacy hosts are patched by hand") {
		t.Errorf("SRM-03: %+v", tr)
	}
	if tr := track("case-records/srm:SRM-11/aws/ec2/ours"); tr.Status != remit.StatusImplemented {
		t.Errorf("SRM-11: %+v", tr)
	}
	// A second import of the same SSP quoting version 0 conflicts.
	if _, err := f.svc.ImportSystemSSP(ctx, admin, l, in, 0, false); !errors.Is(err, remit.ErrConflict) {
		t.Errorf("a second create: %v", err)
	}
}

// TestSSPFromNIST: NIST's own example SSPs import as systems on NIST's
// MODERATE baseline (skipped without ../shared).
func TestSSPFromNIST(t *testing.T) {
	moderate, err := os.ReadFile("../../../shared/data/oscal/nist-rev5/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	if err != nil {
		t.Skipf("the public OSCAL content is not beside the project: %v", err)
	}
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	c, err := oscal.ReadCatalog("moderate.json", moderate)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := oscal.ToCatalogue(c, "nist-800-53")
	if _, _, _, err := f.svc.ImportCatalogue(ctx, admin, cat, 0, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, id, control string
		status            remit.ObligationStatus
		notes             string
	}{
		{"ssp-example.json", "enterprise-logging-and-auditing-system", "au-1", remit.StatusNotStarted, "The legal department develops, documents and disseminates this policy"},
		{"oscal_leveraged-example_ssp.json", "leveraged-iaas-system", "ac-2", remit.StatusNotStarted, "Describes how the application satisfies AC-2, Part a."},
	} {
		data, err := os.ReadFile("../../../shared/data/oscal/examples/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		l, err := oscal.ReadLeveraging(c.file, data)
		if err != nil {
			t.Fatal(err)
		}
		if l.ID != c.id {
			t.Errorf("%s: id %q", c.file, l.ID)
		}
		if _, err := f.svc.ImportSystemSSP(ctx, admin, l, service.SSPImport{Catalogue: "nist-800-53", Team: "platform-team"}, 0, false); err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		o, ok := f.svc.Snapshot().Obligation(c.id + "/nist-800-53:" + c.control + "/*/ours")
		if !ok || o.Tracking.Status != c.status || !strings.Contains(o.Tracking.Notes, c.notes) {
			t.Errorf("%s: %+v", c.file, o.Tracking)
		}
	}
}
