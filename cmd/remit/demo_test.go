package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
)

// TestDemo: the demo estate gives every role something on every page
// that lists work: the editor's obligations (one overdue), evidence and
// findings; the assessor's assessments to sign off and a supplier's
// answers; the risk owner's decisions and reviews.
func TestDemo(t *testing.T) {
	ctx := context.Background()
	// The server's own configuration: the demo's checks need the mappings.
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := service.Open(ctx, service.Config{Store: st, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), CheckMappings: content.CheckMappings(), StandardClauses: content.SecurityAspectsLetter().Clauses})
	if err != nil {
		t.Fatal(err)
	}
	people, err := seedDemo(ctx, svc, testAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 5 {
		t.Errorf("%d demo accounts, want one per role", len(people))
	}
	work := func(p remit.Principal) service.MyWork {
		t.Helper()
		w, err := svc.MyWork(ctx, svc.Snapshot(), p, svc.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	ed := work(demoEditor)
	if ed.Mine.Open != 3 || ed.Mine.Overdue != 1 || ed.Teams.Open == 0 || len(ed.Evidence) == 0 || len(ed.Findings) != 2 {
		t.Errorf("the editor's work: mine %+v, team's %+v, %d evidence, %d findings", ed.Mine, ed.Teams, len(ed.Evidence), len(ed.Findings))
	}
	as := work(demoAssessor)
	if len(as.SignOff) != 2 || len(as.Submissions) != 1 {
		t.Errorf("the assessor's work: %d to sign off, %d submissions", len(as.SignOff), len(as.Submissions))
	}
	ro := work(demoRisk)
	if len(ro.Decisions) != 1 || len(ro.Reviews) != 2 {
		t.Errorf("the risk owner's work: %d decisions, %d reviews", len(ro.Decisions), len(ro.Reviews))
	}
	if v, err := svc.Supplier(ctx, "casetrack"); err != nil || v.Record.Contract == nil || v.NoticeBy == "" || len(v.Clauses) != 8 || v.ClauseCounts[remit.AssuranceFailed] != 1 || len(v.SubProcessors) != 2 {
		t.Errorf("the demo's supplier record: %+v (%v)", v, err)
	}
	if qs, err := svc.Questionnaires(ctx); err != nil || len(qs) != 2 {
		t.Errorf("the demo's questionnaires: %+v (%v)", qs, err)
	}
	if st, _, err := svc.SupplierSettings(ctx); err != nil || st.Policy(3).Questionnaire != "tier-3-quick" {
		t.Errorf("the demo's rules for suppliers: %+v (%v)", st, err)
	}
	// The first sweep's reminders: CaseTrack's certificate, ending within
	// the month, is for the assessors.
	if _, err := svc.Remind(ctx, svc.Now()); err != nil {
		t.Fatal(err)
	}
	box, err := svc.Outbox(ctx, remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin})
	if err != nil || !slices.ContainsFunc(box, func(d remit.Delivery) bool {
		return d.To == demoAssessor.Email && d.Reminder.Title == "CaseTrack Cyber Essentials Plus certificate"
	}) {
		t.Errorf("the demo's outbox (%v): %+v", err, box)
	}
	risks, _ := svc.Snapshot().Risks()
	if fs, _ := svc.Findings(ctx); len(risks) != 3 || len(fs) < 2 || len(svc.Snapshot().SATs()) != 1 || len(svc.Snapshot().Assessments()) != 1 {
		t.Errorf("the demo has %d risks, %d findings, %d SATs, %d assessments", len(risks), len(fs), len(svc.Snapshot().SATs()), len(svc.Snapshot().Assessments()))
	}
}
