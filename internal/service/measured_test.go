package service_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// providerStatus is the assurance today of a system's provider obligation
// for a control from an offering.
func providerStatus(t *testing.T, f *fixture, system, offering, control string) remit.Assurance {
	t.Helper()
	sn := f.svc.Snapshot()
	obs := sn.Obligations(func(s *remit.System) bool { return s.ID == system }, report.PartyProviders,
		func(o service.Obligation) bool { return o.Offering == offering && o.Control == control })
	if len(obs) != 1 {
		t.Fatalf("%s has %d provider obligations for %s from %s", system, len(obs), control, offering)
	}
	sn.Assure(obs, f.clock.Now())
	return *obs[0].Assurance
}

// TestProviderFindingsMeasureTheProvider: a provider's POA&M imported
// against Amazon EC2 fails the provider obligations its high item names
// in every system using EC2 (prison visits), holds a medium one at stale; shows its
// plan first and writes nothing on a dry run; next month's POA&M updates
// the items rather than adding them again, and closes the one it no
// longer holds, which clears the obligation.
func TestProviderFindingsMeasureTheProvider(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		ev := remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO 27001", Issuer: "EY CertifyPoint", Issued: "2026-01-10", Expires: "2027-01-10",
			URL: "https://example.com/iso.pdf", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}
		if _, err := f.svc.AddEvidence(ctx, assessor, ev, "", nil); err != nil {
			t.Fatal(err)
		}
		for _, sys := range []string{"prison-visits"} {
			if a := providerStatus(t, f, sys, "aws/ec2", "srm:SRM-01"); a.Status != remit.Assured {
				t.Fatalf("%s before: %+v", sys, a)
			}
		}
		data, err := os.ReadFile("../oscal/testdata/measured/poam-srm.yaml")
		if err != nil {
			t.Fatal(err)
		}
		m, err := oscal.ReadMeasured("poam-srm.yaml", data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ImportProviderFindings(ctx, viewer, "aws/ec2", "", m, 0, true); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("a viewer measures a provider: %v", err)
		}
		if _, err := f.svc.ImportProviderFindings(ctx, assessor, "aws/ec3", "", m, 0, true); !errors.Is(err, remit.ErrNotFound) {
			t.Fatalf("an unknown offering: %v", err)
		}
		var ve *remit.ValidationError
		if _, err := f.svc.ImportProviderFindings(ctx, assessor, "aws/ec2", "nist", m, 0, true); !errors.As(err, &ve) || !strings.Contains(ve.Problems[0].Message, `catalogue "nist" is not in the estate`) {
			t.Fatalf("an unknown catalogue: %v", err)
		}
		plan, err := f.svc.ImportProviderFindings(ctx, assessor, "aws/ec2", "", m, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		if plan.New != 2 || plan.Systems != 1 || plan.Indirect != 1 || plan.Version != 0 || len(plan.Items) != 2 {
			t.Fatalf("plan %+v", plan)
		}
		// Every system relying on EC2 moves SRM-01 to failed and SRM-02 to stale.
		if plan.Moves["assured → failed"] != plan.Systems || plan.Moves["assured → stale"] != plan.Systems {
			t.Fatalf("moves %v over %d systems", plan.Moves, plan.Systems)
		}
		if a := providerStatus(t, f, "prison-visits", "aws/ec2", "srm:SRM-01"); a.Status != remit.Assured {
			t.Fatalf("a dry run changed assurance: %+v", a)
		}
		if len(f.svc.Snapshot().ProviderFindings("aws/ec2")) != 0 {
			t.Fatal("a dry run kept findings")
		}
		if plan, err = f.svc.ImportProviderFindings(ctx, assessor, "aws/ec2", "", m, 0, false); err != nil || plan.Version == 0 {
			t.Fatalf("import: %v %+v", err, plan)
		}
		for _, sys := range []string{"prison-visits"} {
			a := providerStatus(t, f, sys, "aws/ec2", "srm:SRM-01")
			if a.Status != remit.AssuranceFailed || a.Reason != `failed by the provider's own open high finding "Fix entry controls at the secondary site" (srm:SRM-01)` {
				t.Errorf("%s SRM-01: %+v", sys, a)
			}
			if a := providerStatus(t, f, sys, "aws/ec2", "srm:SRM-02"); a.Status != remit.AssuranceStale || !strings.HasPrefix(a.Reason, `held at stale by the provider's own open medium finding "Patch hosts within the promised time" (srm:SRM-02); otherwise assured by "AWS ISO 27001"`) {
				t.Errorf("%s SRM-02: %+v", sys, a)
			}
			if a := providerStatus(t, f, sys, "aws/ec2", "srm:SRM-05"); a.Status != remit.Assured {
				t.Errorf("%s SRM-05, which no item names: %+v", sys, a)
			}
		}
		// The fast path (scorecards) agrees with the reasons.
		sn := f.svc.Snapshot()
		for _, o := range sn.Obligations(nil, report.PartyProviders, func(o service.Obligation) bool { return o.Offering == "aws/ec2" }) {
			if a, st := sn.Evidence().Assure(o.Ref(), f.clock.Now()), sn.Evidence().Status(o.Ref(), f.clock.Now(), f.clock.Now().Format("2006-01-02")); a.Status != st {
				t.Fatalf("%s: Assure %s, Status %s", o.ID, a.Status, st)
			}
		}
		// A second import quoting the version before the first is a conflict.
		if _, err := f.svc.ImportProviderFindings(ctx, assessor, "aws/ec2", "", m, 0, false); !errors.Is(err, remit.ErrConflict) {
			t.Fatalf("an import over one it did not read: %v", err)
		}

		// Next month: the entry item is gone (put right), the patch item is
		// still open with a later deadline.
		f.clock.Set(start.AddDate(0, 1, 0))
		next := strings.Replace(string(data), "2027-02-28T00:00:00Z", "2027-03-31T00:00:00Z", 1)
		next = next[:strings.Index(next, "    - uuid: 5e000000-0000-4000-8000-0000000000b1")] + next[strings.Index(next, "    - uuid: 5e000000-0000-4000-8000-0000000000b2"):]
		m2, err := oscal.ReadMeasured("poam-srm.yaml", []byte(next), nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err = f.svc.ImportProviderFindings(ctx, assessor, "aws/ec2", "", m2, plan.Version, false)
		if err != nil {
			t.Fatal(err)
		}
		if plan.New != 0 || plan.Updated != 1 || plan.Closed != 1 || len(plan.Items) != 2 || plan.Moves["failed → assured"] != plan.Systems {
			t.Fatalf("next month's plan: %+v", plan)
		}
		pfs := f.svc.Snapshot().ProviderFindings("aws/ec2")
		if len(pfs) != 1 || len(pfs[0].Items) != 2 {
			t.Fatalf("held %+v", pfs)
		}
		for _, it := range pfs[0].Items {
			switch {
			case strings.HasSuffix(it.UUID, "b1") && (it.Status != remit.ProviderFindingClosed || it.Closed != "2026-12-29" || it.First != "2026-11-29" || it.StatusFrom != "no longer in the provider's POA&M of 2026-11-28"):
				t.Errorf("the item put right: %+v", it)
			case strings.HasSuffix(it.UUID, "b2") && (it.Status != remit.ProviderFindingOpen || it.Deadline != "2027-03-31" || it.First != "2026-11-29"):
				t.Errorf("the item still open: %+v", it)
			}
		}
		if a := providerStatus(t, f, "prison-visits", "aws/ec2", "srm:SRM-01"); a.Status != remit.Assured {
			t.Errorf("SRM-01 once the item is closed: %+v", a)
		}
		// A second service over the same store sees the same.
		g := open(t, st, nil, nil)
		g.clock.Set(f.clock.Now())
		if n := g.svc.Snapshot().OpenProviderFindings("aws/ec2"); n[remit.SeverityMedium] != 1 || n[remit.SeverityHigh] != 0 {
			t.Errorf("reloaded: %v", n)
		}
		if a := providerStatus(t, g, "prison-visits", "aws/ec2", "srm:SRM-02"); a.Status != remit.AssuranceStale {
			t.Errorf("reloaded SRM-02: %+v", a)
		}
	})
}
