package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
)

// TestSearch: one box finds systems, providers and offerings (built-in
// ones too) and controls by name or id, and what is stored by the words
// in its text: a risk's description, an obligation's notes, a finding,
// evidence's scope, a provider's statement; kind by kind, each once, with
// a little of the text it was found in. On memory and SQLite (the
// Postgres store passes the same store contract).
func TestSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		f.addUsers(t, editor, owner, assessor)
		ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
		if _, err := f.svc.Track(ctx, editor, ours[0].ID, remit.Tracking{Status: remit.StatusInProgress, Notes: "Waiting on the hypervisor upgrade window."}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "Bookings lost in an outage", Category: "operational", Description: "If the single region fails, the hypervisor hosts take the booking queue with them.",
			Inherent: remit.Score{Likelihood: 2, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Owner: owner.Email}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddFinding(ctx, assessor, remit.Finding{Title: "Hypervisor patch level unknown", Severity: "medium", Status: "open"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddEvidence(ctx, editor, remit.Evidence{Kind: remit.EvidencePolicy, Title: "Visits patching policy", URL: "https://example.gov.uk/p", Scope: "Hypervisor and guest patching for the visits estate",
			Supports: []remit.Support{{On: remit.SupportSystem, Ref: "prison-visits"}}}, "", nil); err != nil {
			t.Fatal(err)
		}
		search := func(q string) []string {
			t.Helper()
			rs, err := f.svc.Search(ctx, viewer, q, 0)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, r.Kind+" "+r.ID+" | "+r.Title+" | "+r.Detail)
			}
			return out
		}
		got := search("HYPERVISOR")
		// Two built-in offerings say they patch the hypervisor (the SQL
		// stores rank them; memory keeps id order).
		if len(got) > 2 && got[0] > got[1] {
			got[0], got[1] = got[1], got[0]
		}
		want := []string{
			"offering aws/ec2 | Amazon EC2 | AWS keeps host operating systems, the hypervisor and server firmware patched.",
			"offering microsoft/azure-virtual-machines | Azure Virtual Machines | …patches the physical hosts, host operating system and hypervisor.",
			"obligation " + ours[0].ID + " | " + ours[0].Title + " | in Prison visits booking: Waiting on the hypervisor upgrade window.",
			"evidence",
			"risk",
			"finding",
		}
		if len(got) != len(want) {
			t.Fatalf("hypervisor: %d results, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
		}
		for i, w := range want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("hypervisor result %d: %q, want it to begin %q", i, got[i], w)
			}
		}
		if !strings.HasSuffix(got[4], "…the hypervisor hosts take the booking queue with them.") && !strings.HasSuffix(got[4], "If the single region fails, the hypervisor hosts take the booking queue with them.") {
			t.Errorf("the risk's excerpt: %q", got[4])
		}
		for q, one := range map[string]string{
			"prison visits":  "system prison-visits | Prison visits booking | ",
			"casetrack":      "provider casetrack | CaseTrack Ltd (fictional) | ",
			"ec2":            "offering aws/ec2 | Amazon EC2 | from Amazon Web Services",
			"patching guest": "control srm:SRM-03 | Patching of guest operating systems | srm:SRM-03",
		} {
			if got := search(q); !slices.Contains(got, one) {
				t.Errorf("search %q: %q, want %q among them", q, got, one)
			}
		}
		for _, q := range []string{"", "  -- ", "hypervisor zzzz"} {
			if got := search(q); got != nil {
				t.Errorf("search %q: %q", q, got)
			}
		}
		if _, err := f.svc.Search(ctx, remit.Principal{Email: "pipeline", Role: remit.RoleEditor, Token: true, Scope: remit.ScopeChecks}, "visits", 0); !errors.Is(err, remit.ErrForbidden) {
			t.Errorf("a checks token searches: %v", err)
		}
	})
}
