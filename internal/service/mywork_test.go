package service_test

import (
	"context"
	"slices"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
)

// TestMyWork: what falls to one person. An editor's list holds every
// obligation of their team's system that names no one or their team, the
// ones named as theirs elsewhere, and none named for someone else; open
// ones overdue first; evidence they added that is coming to its end;
// their open findings. A risk owner's holds the risks waiting for their
// decision; an assessor's the assessments in progress.
func TestMyWork(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		f.addUsers(t, editor, outsider, owner, assessor)
		sn := f.svc.Snapshot()
		visits := sn.Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
		pipelines := sn.Obligations(func(s *remit.System) bool { return s.ID == "delivery-pipelines" }, report.PartyOurs, nil)
		if len(visits) < 3 || len(pipelines) < 3 {
			t.Fatalf("the example has %d and %d obligations", len(visits), len(pipelines))
		}
		track := func(id string, tr remit.Tracking) {
			t.Helper()
			if _, err := f.svc.Track(ctx, admin, id, tr, 0); err != nil {
				t.Fatal(err)
			}
		}
		// In the editor's team's system: one overdue, one due later, one
		// named for someone else (not theirs), one implemented.
		track(visits[0].ID, remit.Tracking{Status: remit.StatusInProgress, Due: "2026-11-01"})
		track(visits[1].ID, remit.Tracking{Status: remit.StatusNotStarted, Due: "2027-02-01"})
		track(visits[2].ID, remit.Tracking{Status: remit.StatusNotStarted, Owner: outsider.Email})
		track(visits[3].ID, remit.Tracking{Status: remit.StatusImplemented})
		// In another team's system: one named as the editor's, one for the
		// editor's team, one for nobody (the other team's).
		track(pipelines[0].ID, remit.Tracking{Status: remit.StatusInProgress, Owner: "EDDIE@example.gov.uk", Due: "2026-12-15"})
		track(pipelines[1].ID, remit.Tracking{Status: remit.StatusNotStarted, Owner: "visits-team"})

		w, err := f.svc.MyWork(ctx, f.svc.Snapshot(), editor, f.clock.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if w.Mine.Total != 1 || w.Mine.Open != 1 || w.Mine.Overdue != 0 {
			t.Errorf("mine %+v, want 1 open", w.Mine)
		}
		// The team's: every obligation of prison-visits but the one named for
		// the outsider, and the one named for the team elsewhere.
		if want := len(visits) - 1 + 1; w.Teams.Total != want || w.Teams.ByStatus[2] != 1 || w.Teams.Open != want-1 || w.Teams.Overdue != 1 {
			t.Errorf("the team's %+v, want %d with 1 implemented, 1 overdue", w.Teams, want)
		}
		ids := make([]string, len(w.Obligations))
		for i, o := range w.Obligations {
			ids[i] = o.ID
		}
		if len(ids) < 4 || ids[0] != visits[0].ID || !w.Obligations[0].Overdue || ids[1] != pipelines[0].ID || !w.Obligations[1].Mine || ids[2] != visits[1].ID {
			t.Errorf("order: %v; want the overdue one, then by due day", ids[:min(4, len(ids))])
		}
		for _, not := range []string{visits[2].ID, visits[3].ID, pipelines[2].ID} {
			if slices.Contains(ids, not) {
				t.Errorf("%s is listed", not)
			}
		}
		if len(w.Systems) != 2 || w.Systems[0].ID != "prison-visits" || w.Systems[0].Overdue != 1 || w.Systems[1].Open != 2 {
			t.Errorf("by system %+v", w.Systems)
		}
		if len(w.SignOff) != 0 || len(w.Decisions) != 0 {
			t.Errorf("an editor is asked to sign off or decide: %+v %+v", w.SignOff, w.Decisions)
		}

		// Evidence, findings, risks, assessments.
		ev := func(title, expires string) remit.Evidence {
			return remit.Evidence{Kind: remit.EvidencePolicy, Title: title, URL: "https://example.gov.uk/p", Expires: expires, Supports: []remit.Support{{On: remit.SupportSystem, Ref: "prison-visits"}}}
		}
		for _, e := range []remit.Evidence{ev("Soon", "2026-12-10"), ev("Later", "2027-06-01"), ev("Just lapsed", "2026-11-20"), ev("Long lapsed", "2026-01-01")} {
			if _, err := f.svc.AddEvidence(ctx, editor, e, "", nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, fi := range []remit.Finding{{Title: "Mine", Severity: "high", Status: "open", Owner: editor.Email, Due: "2026-11-02"},
			{Title: "Team's", Severity: "low", Status: "in-progress", Owner: "visits-team"},
			{Title: "Closed", Severity: "low", Status: "closed", Owner: editor.Email},
			{Title: "Someone else's", Severity: "low", Status: "open", Owner: outsider.Email}} {
			if _, err := f.svc.AddFinding(ctx, assessor, fi); err != nil {
				t.Fatal(err)
			}
		}
		decide, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "To accept", Category: "supplier", Inherent: remit.Score{Likelihood: 3, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "accept", Owner: owner.Email})
		if err != nil {
			t.Fatal(err)
		}
		review, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "To review", Category: "supplier", Inherent: remit.Score{Likelihood: 3, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "reduce", Owner: owner.Email, Review: "2026-12-20"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "Far off", Category: "supplier", Inherent: remit.Score{Likelihood: 3, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "reduce", Owner: owner.Email, Review: "2027-12-20"}); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.StartAssessment(ctx, assessor, "casetrack/casetrack-cloud", "")
		if err != nil {
			t.Fatal(err)
		}

		w, err = f.svc.MyWork(ctx, f.svc.Snapshot(), editor, f.clock.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, e := range w.Evidence {
			titles = append(titles, e.Title)
		}
		if !slices.Equal(titles, []string{"Just lapsed", "Soon"}) {
			t.Errorf("evidence %v, want the two within 30 days of today", titles)
		}
		titles = nil
		for _, fi := range w.Findings {
			titles = append(titles, fi.Title)
		}
		if !slices.Equal(titles, []string{"Mine", "Team's"}) {
			t.Errorf("findings %v", titles)
		}
		if o, _ := f.svc.MyWork(ctx, f.svc.Snapshot(), outsider, f.clock.Now(), 0); len(o.Evidence) != 0 || len(o.Findings) != 1 || o.Mine.Total != 1 {
			t.Errorf("the outsider sees evidence %d, findings %d, mine %+v", len(o.Evidence), len(o.Findings), o.Mine)
		}

		r, err := f.svc.MyWork(ctx, f.svc.Snapshot(), owner, f.clock.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Decisions) != 1 || r.Decisions[0].ID != decide.ID || len(r.Reviews) != 1 || r.Reviews[0].ID != review.ID {
			t.Errorf("the risk owner's decisions %v and reviews %v", r.Decisions, r.Reviews)
		}
		as, err := f.svc.MyWork(ctx, f.svc.Snapshot(), assessor, f.clock.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(as.SignOff) != 1 || as.SignOff[0].ID != a.ID || !as.SignOff[0].Mine || as.SignOff[0].Kind != "supplier assessment" {
			t.Errorf("the assessor's sign-offs %+v", as.SignOff)
		}
		if as.Total != len(as.SignOff)+len(as.Findings)+len(as.Obligations)+len(as.Evidence)+len(as.Suppliers) {
			t.Errorf("total %d", as.Total)
		}
		// Every supplier some system relies on is due: none has been
		// assessed. Providers no system relies on are not listed.
		rel, _ := f.svc.Concentration(ctx, f.svc.Snapshot())
		relied := 0
		for _, r := range rel {
			if r.Total > 0 {
				relied++
			}
		}
		if len(as.Suppliers) != relied || relied == 0 || !as.Suppliers[0].Overdue || as.Suppliers[0].LastAssessed != "" {
			t.Errorf("the assessor's suppliers due: %d of %d relied on: %+v", len(as.Suppliers), relied, as.Suppliers)
		}
		if len(w.Suppliers) != 0 {
			t.Errorf("an editor sees suppliers due: %v", w.Suppliers)
		}
	})
}
