package main

import (
	"context"
	"fmt"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// The demo's people, by role (seedDemo makes their accounts).
var (
	demoEditor   = remit.Principal{Email: "editor@example.gov.uk", Name: "Eddie Editor", Role: remit.RoleEditor, Teams: []string{"visits-team", "courts-digital"}}
	demoAssessor = remit.Principal{Email: "assessor@example.gov.uk", Name: "Asha Assessor", Role: remit.RoleAssessor}
	demoRisk     = remit.Principal{Email: "risk@example.gov.uk", Name: "Rory Risk-Owner", Role: remit.RoleRiskOwner}
)

// seedWork gives every demo role something to do, dated from now: the
// editor's obligations (one overdue, one due soon, one named as theirs in
// another team's system), a supplier assessment and a SAT in progress,
// a supplier's submitted answers, findings (one overdue), and risks — one
// whose treatment is to accept it, awaiting the risk owner, one accepted
// whose acceptance ends within the month, and one to review.
func seedWork(ctx context.Context, svc *service.Service, admin remit.Principal, now time.Time) error {
	day := func(days int) string { return now.UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	sn := svc.Snapshot()
	ours := func(system string) []service.Obligation {
		return sn.Obligations(func(s *remit.System) bool { return s.ID == system }, report.PartyOurs, nil)
	}
	visits, intranet := ours("prison-visits"), ours("staff-intranet")
	if len(visits) < 4 || len(intranet) < 1 {
		return fmt.Errorf("demo work: the example estate has %d and %d obligations of ours", len(visits), len(intranet))
	}
	for _, t := range []struct {
		id string
		tr remit.Tracking
	}{
		{visits[0].ID, remit.Tracking{Status: remit.StatusInProgress, Owner: demoEditor.Email, Due: day(-10), Notes: "Waiting on the platform team's change window."}},
		{visits[1].ID, remit.Tracking{Status: remit.StatusNotStarted, Owner: demoEditor.Email, Due: day(14)}},
		{visits[2].ID, remit.Tracking{Status: remit.StatusInProgress, Owner: "visits-team", Due: day(45)}},
		{visits[3].ID, remit.Tracking{Status: remit.StatusImplemented, Owner: "visits-team"}},
		{intranet[0].ID, remit.Tracking{Status: remit.StatusNotStarted, Owner: demoEditor.Email, Due: day(30), Notes: "Lent to corporate IT for the intranet's move."}},
	} {
		if _, err := svc.Track(ctx, admin, t.id, t.tr, 0); err != nil {
			return fmt.Errorf("demo work: track %s: %w", t.id, err)
		}
	}

	a, err := svc.StartAssessment(ctx, demoAssessor, "casetrack/casetrack-cloud", "")
	if err != nil {
		return fmt.Errorf("demo work: %w", err)
	}
	_, secret, err := svc.CreatePortalLink(ctx, demoAssessor, a.ID, 14*24*time.Hour)
	if err != nil {
		return fmt.Errorf("demo work: %w", err)
	}
	if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "yes", "01-Q2": "TLS 1.2"}}); err != nil {
		return fmt.Errorf("demo work: the supplier's answers: %w", err)
	}
	if _, err := svc.SubmitPortal(ctx, secret); err != nil {
		return fmt.Errorf("demo work: %w", err)
	}
	if _, err := svc.StartSAT(ctx, demoAssessor, "prison-visits"); err != nil {
		return fmt.Errorf("demo work: %w", err)
	}

	// CaseTrack as a supplier: its contract, where it holds our data, whom
	// to call, its sub-processors, and the standard security aspects
	// letter's clauses (a finding below fails one).
	if _, err := svc.SetSupplier(ctx, demoAssessor, "casetrack", remit.SupplierRecord{DataLocations: []string{"United Kingdom (AWS London)"},
		Contacts:      []remit.SupplierContact{{Name: "Sam Patel", Email: "security@casetrack.example", Role: "security contact"}, {Name: "Jo Reed", Email: "accounts@casetrack.example", Role: "account manager"}},
		Contract:      &remit.Contract{Reference: "MOJ-CT-2025-014", Start: day(-400), End: day(330), NoticeDays: 90, Renewal: "by-agreement"},
		SubProcessors: []remit.SubProcessor{{Name: "Amazon Web Services", Provider: "aws", Purpose: "hosting", Location: "London"}, {Name: "HelpDeskly (fictional)", Purpose: "support tickets", Location: "Ireland"}},
		Clauses:       svc.StandardClauses()}, 0); err != nil {
		return fmt.Errorf("demo work: supplier record: %w", err)
	}

	// A short questionnaire of our own, which tier 3 suppliers answer.
	quick := &remit.Questionnaire{Template: "tier-3-quick", Version: 1, Title: "Quick questions for tier 3 suppliers", Principles: []remit.Principle{
		{Control: "ncsc-csp:CSP-01", Title: "Data in transit", Summary: "Our data cannot be read or changed on its way.", Questions: []remit.Question{
			{ID: "q1", Text: "Is every connection to the service encrypted with TLS 1.2 or later?", Type: "yes-no", Expect: "yes"}}},
		{Control: "ncsc-csp:CSP-05", Title: "Operational security", Summary: "The service is patched and incidents are reported to us.", Questions: []remit.Question{
			{ID: "q2", Text: "Are critical security fixes applied within 14 days of release?", Type: "yes-no", Expect: "yes", Evidence: "Your patching policy"},
			{ID: "q3", Text: "Will you tell us of an incident affecting our data within 24 hours?", Type: "yes-no", Expect: "yes"},
			{ID: "q4", Text: "Who do we call about a security incident?", Type: "text", Help: "A role and a number or address that is answered out of hours."}}},
	}}
	if err := svc.PublishQuestionnaire(ctx, demoAssessor, quick); err != nil {
		return fmt.Errorf("demo work: questionnaire: %w", err)
	}
	rules := remit.DefaultSupplierSettings()
	rules.Tiers[2].Questionnaire = quick.Template
	if _, err := svc.SetSupplierSettings(ctx, admin, rules, 0); err != nil {
		return fmt.Errorf("demo work: rules for suppliers: %w", err)
	}

	for _, f := range []remit.Finding{
		{Title: "Visits booking admin accounts are not reviewed quarterly", Severity: "high", Status: "open", Owner: demoEditor.Email, Due: day(-5),
			Source: "IT Health Check", Obligations: []string{visits[0].ID}},
		{Title: "CaseTrack has not shown its latest penetration test", Severity: "medium", Status: "in-progress", Owner: "courts-digital", Due: day(21),
			Source: "Supplier assessment of CaseTrack Cloud", Clauses: []string{"casetrack/control-review"}},
	} {
		if _, err := svc.AddFinding(ctx, demoAssessor, f); err != nil {
			return fmt.Errorf("demo work: finding %q: %w", f.Title, err)
		}
	}

	type accept struct {
		why, until string
		above      bool
	}
	for _, r := range []struct {
		risk   remit.Risk
		accept *accept
	}{
		{risk: remit.Risk{Title: "CaseTrack's hosting has no recent independent audit", Category: "supplier", Confidentiality: 4, Integrity: 3,
			Inherent: remit.Score{Likelihood: 3, Impact: 4}, Residual: remit.Score{Likelihood: 3, Impact: 4}, Treatment: "accept", Owner: demoRisk.Email, Review: day(60),
			Description: "Court case tracking relies on CaseTrack Cloud, whose last independent audit is over a year old; its Cyber Essentials Plus certificate expires this month.",
			Concerns:    []remit.Ref{{Kind: "offering", ID: "casetrack/casetrack-cloud"}, {Kind: "system", ID: "court-case-tracking"}}}},
		{risk: remit.Risk{Title: "Visitor documents held in one AWS region", Category: "operational", Availability: 3,
			Inherent: remit.Score{Likelihood: 2, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "accept", Owner: demoRisk.Email, Review: day(200),
			Concerns: []remit.Ref{{Kind: "system", ID: "prison-visits"}}},
			accept: &accept{why: "A regional outage would delay bookings, not lose them; a second region costs more than the harm.", until: day(20)}},
		{risk: remit.Risk{Title: "Staff intranet access reviews depend on Microsoft 365 reports", Category: "information-security", Confidentiality: 3,
			Inherent: remit.Score{Likelihood: 3, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "reduce", Owner: demoRisk.Email, Review: day(9),
			Concerns: []remit.Ref{{Kind: "system", ID: "staff-intranet"}}}},
	} {
		got, err := svc.AddRisk(ctx, demoEditor, r.risk)
		if err != nil {
			return fmt.Errorf("demo work: risk %q: %w", r.risk.Title, err)
		}
		if r.accept != nil {
			_, v, err := svc.Risk(ctx, got.ID)
			if err == nil {
				_, err = svc.AcceptRisk(ctx, demoRisk, got.ID, r.accept.why, r.accept.until, r.accept.above, v)
			}
			if err != nil {
				return fmt.Errorf("demo work: accept %q: %w", r.risk.Title, err)
			}
		}
	}
	return nil
}
