package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
)

// TestProposals holds proposals to their causes: each appears while its
// cause is there and goes when it goes; a dismissed one stays dismissed
// until its cause changes; an adopted one is not proposed again.
func TestProposals(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		open := func() []string {
			t.Helper()
			ps, err := f.svc.OpenProposals(ctx, f.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			return ids
		}
		has := func(ids []string, id string) bool { return slices.Contains(ids, id) }
		ids := open()
		for _, want := range []string{"ours:prison-visits", "assurance:aws/ec2", "concentration:microsoft", "concentration:aws"} {
			if !has(ids, want) {
				t.Errorf("no proposal %s at the start; have %v", want, ids)
			}
		}
		if has(ids, "concentration:google") {
			t.Error("Google (one system) is proposed as a concentration")
		}

		// Own and implement every obligation of ours in prison-visits: its
		// proposal goes, and only after the last.
		ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
		if len(ours) < 2 {
			t.Fatalf("prison-visits has %d obligations of ours", len(ours))
		}
		for i, o := range ours {
			if _, err := f.svc.Track(ctx, admin, o.ID, remit.Tracking{Owner: "Visits team", Status: remit.StatusImplemented}, 0); err != nil {
				t.Fatal(err)
			}
			if i == 0 && !has(open(), "ours:prison-visits") {
				t.Error("the proposal went before every obligation was handled")
			}
		}
		if has(open(), "ours:prison-visits") {
			t.Error("ours:prison-visits is still proposed with every obligation owned and implemented")
		}

		// Evidence for EC2: its assurance proposal goes.
		ev := remit.Evidence{Kind: remit.EvidenceISO27001, Title: "EC2 ISO", URL: "https://aws.amazon.com/compliance/", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}
		if _, err := f.svc.AddEvidence(ctx, admin, ev, "", nil); err != nil {
			t.Fatal(err)
		}
		if has(open(), "assurance:aws/ec2") {
			t.Error("assurance:aws/ec2 is still proposed with every obligation assured")
		}

		// Dismiss the AWS concentration: gone, until its cause changes.
		if err := f.svc.DismissProposal(ctx, admin, "concentration:aws", " "); err == nil {
			t.Error("dismissed without a reason")
		}
		if err := f.svc.DismissProposal(ctx, viewer, "concentration:aws", "Spread over three regions."); err == nil {
			t.Error("a viewer dismissed a proposal")
		}
		if err := f.svc.DismissProposal(ctx, admin, "concentration:aws", "Spread over three regions."); err != nil {
			t.Fatal(err)
		}
		if has(open(), "concentration:aws") {
			t.Error("a dismissed proposal is still open")
		}
		parole := remit.System{ID: "parole", Name: "Parole", Team: "visits-team", Baseline: remit.Baseline{Catalogue: "srm", All: true}, Uses: []remit.Use{{Offering: "aws/s3"}}}
		if _, err := f.svc.PutSystem(ctx, admin, parole, 0); err != nil {
			t.Fatal(err)
		}
		if !has(open(), "concentration:aws") {
			t.Error("the dismissed proposal did not return when its cause changed (a fourth system relies on AWS)")
		}

		// Adopt the Microsoft concentration: not proposed again.
		ms, err := f.svc.FindProposal(ctx, "concentration:microsoft", f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ms.Title, "4 of 9 systems rely on Microsoft") {
			t.Errorf("title: %q", ms.Title)
		}
		if _, err := f.svc.AddRisk(ctx, admin, remit.Risk{Title: ms.Title, Category: ms.Category, Proposal: ms.ID, Concerns: ms.Concerns}); err != nil {
			t.Fatal(err)
		}
		if has(open(), "concentration:microsoft") {
			t.Error("an adopted proposal is still open")
		}
	})
}
