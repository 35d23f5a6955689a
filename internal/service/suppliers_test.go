package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// TestSupplierClauses: the standard security aspects letter's clauses,
// kept on a supplier, are each assured by evidence of their kind or
// naming them, failed by an open finding, unassured otherwise — on the
// supplier and its scorecard; evidence and findings name only clauses a
// record holds.
func TestSupplierClauses(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	rec := remit.SupplierRecord{Clauses: content.SecurityAspectsLetter().Clauses}
	if _, err := f.svc.SetSupplier(ctx, assessor, "casetrack", rec, 0); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Supplier(ctx, "casetrack")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Clauses) != 8 || v.ClauseCounts[remit.Unassured] != 8 {
		t.Fatalf("before anything: %d clauses, %v", len(v.Clauses), v.ClauseCounts)
	}
	day := f.clock.Now().UTC().Format(time.DateOnly)
	later := f.clock.Now().AddDate(1, 0, 0).UTC().Format(time.DateOnly)
	if _, err := f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "CaseTrack ISO 27001", Issued: day, Expires: later, URL: "https://casetrack.example/iso",
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "casetrack/casetrack-cloud"}}}, "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidencePolicy, Title: "CaseTrack incident procedure", Issued: day, URL: "https://casetrack.example/ir",
		Supports: []remit.Support{{On: remit.SupportClause, Ref: "casetrack/breach-notification"}}}, "", nil); err != nil {
		t.Fatal(err)
	}
	fi, err := f.svc.AddFinding(ctx, assessor, remit.Finding{Title: "Support staff not BPSS cleared", Severity: "high", Clauses: []string{"casetrack/vetting"}})
	if err != nil {
		t.Fatal(err)
	}
	var ve *remit.ValidationError
	_, err = f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidencePolicy, Title: "x", URL: "https://x.example", Supports: []remit.Support{{On: remit.SupportClause, Ref: "casetrack/veting"}}}, "", nil)
	if !errors.As(err, &ve) || ve.Problems[0].Pointer != "/supports/0/ref" || !strings.Contains(ve.Problems[0].Message, `casetrack has no clause "veting" (did you mean "vetting"?)`) {
		t.Errorf("evidence for a clause that is not there: %v", err)
	}
	if _, err := f.svc.AddFinding(ctx, assessor, remit.Finding{Title: "x", Severity: "low", Clauses: []string{"aws/vetting"}}); !errors.As(err, &ve) || !strings.Contains(ve.Error(), `aws has no clause "vetting"`) {
		t.Errorf("a finding on a clause that is not there: %v", err)
	}
	v, err = f.svc.Supplier(ctx, "casetrack")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]remit.AssuranceStatus{}
	for _, c := range v.Clauses {
		got[c.ID] = c.Assurance.Status
		if c.ID == "vetting" && (len(c.Findings) != 1 || c.Findings[0] != fi.ID || !strings.Contains(c.Assurance.Reason, "Support staff not BPSS cleared")) {
			t.Errorf("vetting: %+v", c)
		}
		if c.ID == "isms" && !strings.Contains(c.Assurance.Reason, "CaseTrack ISO 27001") {
			t.Errorf("isms: %s", c.Assurance.Reason)
		}
	}
	want := map[string]remit.AssuranceStatus{"isms": remit.Assured, "breach-notification": remit.Assured, "vetting": remit.AssuranceFailed, "flow-down": remit.Unassured}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
	cards, err := f.svc.Scorecards(ctx, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.Provider == "casetrack" && (c.Clauses[remit.Assured] != 2 || c.Clauses[remit.AssuranceFailed] != 1 || c.Clauses[remit.Unassured] != 5) {
			t.Errorf("casetrack's scorecard clauses: %v", c.Clauses)
		}
	}
}

// TestSupplierScheduleAndSubProcessors: the tier's policy sets the
// questionnaire, the cadence and the evidence asked for; the next
// assessment is due at once when never assessed, a cadence set wins;
// a sub-processor linked to a known provider counts in its concentration
// and tier, an unknown one is refused with a suggestion.
func TestSupplierScheduleAndSubProcessors(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	v, err := f.svc.Supplier(ctx, "casetrack")
	if err != nil {
		t.Fatal(err)
	}
	today := f.clock.Now().UTC().Format(time.DateOnly)
	sch := v.Schedule
	if sch.Due != today || !sch.Overdue || sch.Policy.Tier != v.Tier || sch.Policy.Questionnaire != "ncsc-supplier" || sch.Questionnaire == "" {
		t.Errorf("never assessed: %+v", sch)
	}
	if v.Tier < 3 && !sch.EvidenceMissing {
		t.Errorf("tier %d asks for evidence, none held: %+v", v.Tier, sch)
	}
	// An admin makes every tier self-attested every 6 months.
	if _, err := f.svc.SetSupplierSettings(ctx, assessor, remit.SupplierSettings{}, 0); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("an assessor sets the rules: %v", err)
	}
	var ve *remit.ValidationError
	if _, err := f.svc.SetSupplierSettings(ctx, admin, remit.SupplierSettings{Tiers: []remit.TierPolicy{{Tier: 1, Questionnaire: "nope", Months: 6}}}, 0); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/tiers/0/questionnaire" {
		t.Errorf("an unknown questionnaire: %v", err)
	}
	six := remit.SupplierSettings{Tiers: []remit.TierPolicy{{Tier: 1, Months: 6}, {Tier: 2, Months: 6}, {Tier: 3, Months: 6}}}
	if _, err := f.svc.SetSupplierSettings(ctx, admin, six, 0); err != nil {
		t.Fatal(err)
	}
	if v, _ = f.svc.Supplier(ctx, "casetrack"); v.Schedule.Months != 6 || v.Schedule.EvidenceMissing {
		t.Errorf("six months, self-attested: %+v", v.Schedule)
	}
	if _, err := f.svc.SetReviewCadence(ctx, assessor, "casetrack", 3, 0); err != nil {
		t.Fatal(err)
	}
	if v, _ = f.svc.Supplier(ctx, "casetrack"); v.Schedule.Months != 3 || !v.Schedule.CadenceSet {
		t.Errorf("a cadence set wins: %+v", v.Schedule)
	}

	// Sub-processors.
	_, err = f.svc.SetSupplier(ctx, assessor, "casetrack", remit.SupplierRecord{SubProcessors: []remit.SubProcessor{{Name: "Microsoft", Provider: "microsft"}}}, 0)
	if !errors.As(err, &ve) || ve.Problems[0].Pointer != "/sub_processors/0/provider" || !strings.Contains(ve.Problems[0].Message, `(did you mean "microsoft"?)`) {
		t.Fatalf("an unknown provider: %v", err)
	}
	before := reliance(t, f, "microsoft")
	if _, err := f.svc.SetSupplier(ctx, assessor, "casetrack", remit.SupplierRecord{SubProcessors: []remit.SubProcessor{
		{Name: "Microsoft Ireland", Provider: "microsoft", Purpose: "email"}, {Name: "A mailing house", Purpose: "letters"}}}, 0); err != nil {
		t.Fatal(err)
	}
	after := reliance(t, f, "microsoft")
	// In the example estate one system (court-case-tracking) relies on
	// CaseTrack, and not on Microsoft: it now reaches Microsoft indirectly.
	if before.Direct != 3 || before.Indirect != 1 || after.Direct != 3 || after.Indirect != 2 || after.Total != 5 {
		t.Errorf("microsoft before %+v, after %+v", before, after)
	}
	if v, _ = f.svc.Supplier(ctx, "casetrack"); len(v.SubProcessors) != 2 || v.SubProcessors[0].ProviderName == "" || v.SubProcessors[1].ProviderName != "" {
		t.Errorf("sub-processors named: %+v", v.SubProcessors)
	}
	ms, _ := f.svc.Supplier(ctx, "microsoft")
	if ms.Systems != after.Total {
		t.Errorf("microsoft's tier counts %d systems, its concentration %d", ms.Systems, after.Total)
	}
}

func reliance(t *testing.T, f *fixture, provider string) service.Reliance {
	t.Helper()
	rel, err := f.svc.Concentration(context.Background(), f.svc.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rel {
		if r.Provider == provider {
			return r
		}
	}
	return service.Reliance{}
}

// TestQuestionnaireVersions: a template of our own is published,
// assessed against, then only added to and reordered; the portal serves
// it; the built-in one stays version 1 until changed.
func TestQuestionnaireVersions(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	own := &remit.Questionnaire{Template: "patching", Version: 1, Title: "Patching questions", Principles: []remit.Principle{{Control: "ncsc-csp:CSP-05", Title: "Operational security", Controls: []string{"srm:SRM-22"}, Questions: []remit.Question{
		{ID: "p1", Text: "Are critical fixes applied within 14 days?", Type: "yes-no", Expect: "yes", Evidence: "Your patching policy"},
		{ID: "p2", Text: "Describe your scanning", Type: "text"},
	}}}}
	if err := f.svc.PublishQuestionnaire(ctx, editor, own); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("an editor publishes: %v", err)
	}
	var ve *remit.ValidationError
	if err := f.svc.PublishQuestionnaire(ctx, assessor, &remit.Questionnaire{Template: "patching", Version: 2, Title: "x", Principles: own.Principles}); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/version" {
		t.Errorf("a new template at version 2: %v", err)
	}
	if err := f.svc.PublishQuestionnaire(ctx, assessor, own); err != nil {
		t.Fatal(err)
	}
	qs, err := f.svc.Questionnaires(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Template != "ncsc-supplier" || !qs[0].BuiltIn || qs[1].Template != "patching" || qs[1].Questions != 2 || qs[1].Used != 0 {
		t.Fatalf("templates: %+v", qs)
	}
	// Unused, it may change freely.
	v2 := *own
	v2.Version, v2.Principles = 2, []remit.Principle{{Control: "ncsc-csp:CSP-05", Title: "Operational security", Controls: []string{"srm:SRM-22"}, Questions: []remit.Question{own.Principles[0].Questions[0]}}}
	if err := f.svc.PublishQuestionnaire(ctx, assessor, &v2); err != nil {
		t.Fatalf("an unused template loses a question: %v", err)
	}
	a, err := f.svc.StartAssessment(ctx, assessor, "casetrack/casetrack-cloud", "patching")
	if err != nil {
		t.Fatal(err)
	}
	if a.Template != "patching" || a.TemplateVersion != 2 || len(a.Principles) != 1 {
		t.Fatalf("assessment: %s v%d, %d principles", a.Template, a.TemplateVersion, len(a.Principles))
	}
	if _, err := f.svc.StartAssessment(ctx, assessor, "casetrack/casetrack-cloud", "nothing"); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/template" {
		t.Errorf("an unknown template: %v", err)
	}
	// The portal serves it: its questions are answered, others refused.
	_, secret, err := f.svc.CreatePortalLink(ctx, assessor, a.ID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-05": {"01-Q1": "yes"}}); !errors.As(err, &ve) {
		t.Errorf("a question of another template: %v", err)
	}
	if _, err := f.svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-05": {"p1": "no"}}); err != nil {
		t.Fatal(err)
	}
	got, _, _ := f.svc.Assessment(ctx, a.ID)
	if got.Principles[0].Answers["p1"] != "no" {
		t.Errorf("the supplier's answer: %v", got.Principles[0].Answers)
	}
	// Used now: deleting p1 is refused; adding and reordering is not.
	v3 := v2
	v3.Version, v3.Principles = 3, []remit.Principle{{Control: "ncsc-csp:CSP-05", Title: "Operational security", Controls: []string{"srm:SRM-22"}, Questions: []remit.Question{{ID: "p3", Text: "Emergency fixes within 48 hours?", Type: "yes-no"}}}}
	if err := f.svc.PublishQuestionnaire(ctx, assessor, &v3); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "question p1 of ncsc-csp:CSP-05 is deleted") {
		t.Errorf("deleting an answered question: %v", err)
	}
	v3.Principles[0].Questions = append(v3.Principles[0].Questions, v2.Principles[0].Questions[0])
	if err := f.svc.PublishQuestionnaire(ctx, assessor, &v3); err != nil {
		t.Fatalf("add and reorder: %v", err)
	}
	q, err := f.svc.AssessmentTemplate(ctx, &got)
	if err != nil || q.Version != 2 || q.Questions() != 1 {
		t.Errorf("the assessment keeps the version it began with: %+v %v", q, err)
	}
	cur, _ := f.svc.QuestionnaireVersion(ctx, "patching", 0)
	if cur.Version != 3 || cur.Principles[0].Questions[0].ID != "p3" {
		t.Errorf("current: %+v", cur)
	}
	// Tier 1 can ask for our own questionnaire.
	if _, err := f.svc.SetSupplierSettings(ctx, admin, remit.SupplierSettings{Tiers: []remit.TierPolicy{{Tier: 1, Questionnaire: "patching", Months: 12}, {Tier: 2, Questionnaire: "patching", Months: 12}, {Tier: 3, Questionnaire: "patching", Months: 12}}}, 0); err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.StartAssessment(ctx, assessor, "aws/ec2", "")
	if err != nil || b.Template != "patching" || b.TemplateVersion != 3 {
		t.Errorf("by the tier: %s v%d %v", b.Template, b.TemplateVersion, err)
	}
}

// TestChainOfReliance is issue 20's scenario on the example estate:
// CaseTrack Cloud runs on Amazon EC2; a SOC 2 Type II for CaseTrack, valid
// to 2027, carves AWS out; AWS's ISO 27001 expires today. Every provider
// obligation of court-case-tracking that rests on aws/ec2 is then not
// assured, the carve-out named; those resting on CaseTrack alone stay
// assured. New AWS evidence assures them, and so does the SOC 2 recorded
// as inclusive instead.
func TestChainOfReliance(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	today := f.clock.Now().UTC().Format(time.DateOnly)
	soc2, err := chainScenario(t, f, &remit.SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31", CarveOuts: []string{"aws/ec2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string, resting remit.AssuranceStatus, reason string) {
		t.Helper()
		sn := f.svc.Snapshot()
		obs := sn.Obligations(func(s *remit.System) bool { return s.ID == "court-case-tracking" }, report.PartyProviders, func(o service.Obligation) bool { return o.Offering == "casetrack/casetrack-cloud" })
		sn.Assure(obs, f.clock.Now())
		var onAWS, alone int
		for _, o := range obs {
			if len(sn.Estate().Chain(o.Offering, o.Control)) > 0 {
				onAWS++
				if o.Assurance.Status != resting || !strings.Contains(o.Assurance.Reason, reason) {
					t.Errorf("%s: %s rests on aws/ec2: %s %q, want %s with %q", when, o.Control, o.Assurance.Status, o.Assurance.Reason, resting, reason)
				}
			} else {
				alone++
				if o.Assurance.Status != remit.Assured {
					t.Errorf("%s: %s rests on CaseTrack alone: %s %q", when, o.Control, o.Assurance.Status, o.Assurance.Reason)
				}
			}
		}
		if onAWS != 17 || alone != 5 {
			t.Fatalf("%s: %d obligations rest on aws/ec2, %d on CaseTrack alone", when, onAWS, alone)
		}
	}
	check("carved out, AWS lapsed today", remit.AssuranceStale, `aws/ec2 is carved out of "CaseTrack SOC 2 Type II"`)
	// The offering pages show the link from both ends, and the report's
	// page the fourth party it carves out.
	sn := f.svc.Snapshot()
	up, down := sn.OfferingChain("casetrack/casetrack-cloud", f.clock.Now()), sn.OfferingChain("aws/ec2", f.clock.Now())
	if len(up.RestsOn) != 1 || len(up.ReliedOnBy) != 0 || len(down.ReliedOnBy) != 1 || len(down.RestsOn) != 0 {
		t.Fatalf("links: casetrack %+v, aws %+v", up, down)
	}
	for _, l := range []service.ChainLink{up.RestsOn[0], down.ReliedOnBy[0]} {
		if l.Upper.Name != "CaseTrack Cloud" || l.Lower.Ref != "aws/ec2" || len(l.Controls) != 17 || l.Coverage.Says != remit.CoverCarvedOut || l.Coverage.Evidence.ID != soc2.ID ||
			l.Own[remit.AssuranceStale] != 17 || l.Short != 17 || l.Systems != 1 {
			t.Errorf("link: %+v", l)
		}
	}
	// AWS's lapse is a reminder of its own, for the assessors and the
	// team of the system relying on it through CaseTrack.
	due, err := f.svc.DueReminders(ctx, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var lapses []remit.Reminder
	for _, r := range due {
		if r.Kind == remit.RemindFourthParty {
			lapses = append(lapses, r)
		}
	}
	if len(lapses) != 1 || lapses[0].Key != "fourth-party-lapse/aws/ec2/"+today || lapses[0].Title != "Amazon EC2 (Amazon Web Services)" ||
		lapses[0].Detail != "17 of CaseTrack Cloud's obligations rest on it and are not assured through it (its own assurance of those controls: 17 stale)" ||
		lapses[0].Path != "/providers/aws/offerings/ec2#relied-on" || !slices.Equal(lapses[0].To, []string{"role:assessor", "courts-digital"}) {
		t.Errorf("fourth-party reminders: %+v", lapses)
	}
	fps := sn.FourthParties(&soc2)
	if len(fps) != 1 || fps[0].Ref != "aws/ec2" || fps[0].Through.Ref != "casetrack/casetrack-cloud" || fps[0].Controls != 17 || fps[0].Says != remit.CoverCarvedOut {
		t.Errorf("fourth parties of the report: %+v", fps)
	}
	// AWS's lapse is a proposed risk, naming the offering it is relied
	// on through.
	var fourth []string
	for _, p := range f.svc.Snapshot().Proposals(f.clock.Now()) {
		if p.Source == "fourth-party" {
			fourth = append(fourth, p.ID+" "+p.Title)
		}
	}
	if len(fourth) != 1 || fourth[0] != "fourth-party:aws/ec2:casetrack/casetrack-cloud aws/ec2's evidence lapsed: 1 system relies on it through casetrack/casetrack-cloud" {
		t.Errorf("fourth-party proposals: %q", fourth)
	}
	// AWS's scorecard counts court-case-tracking among the systems
	// relying on it only through another supplier.
	cards, err := f.svc.Scorecards(ctx, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := f.svc.Concentration(ctx, f.svc.Snapshot())
	for _, c := range cards {
		for _, r := range rel {
			if c.Provider == "aws" && r.Provider == "aws" && (c.Indirect != r.Indirect || c.Indirect == 0) {
				t.Errorf("aws's scorecard: %d systems indirectly, concentration %d", c.Indirect, r.Indirect)
			}
		}
		// Its lapse leaves the 17 obligations resting on it short; no
		// other provider's leaves any.
		want := map[string]int{"aws": 17}
		if c.LeavesNotAssured != want[c.Provider] {
			t.Errorf("%s's scorecard: its lapse leaves %d obligations unassured, want %d", c.Provider, c.LeavesNotAssured, want[c.Provider])
		}
		for _, o := range c.Offerings {
			if w := map[string]int{"aws/ec2": 17}[o.Offering]; o.LeavesNotAssured != w {
				t.Errorf("%s: leaves %d unassured, want %d", o.Offering, o.LeavesNotAssured, w)
			}
		}
	}

	// Recorded as inclusive instead: the report covers AWS's part.
	ev, v, err := f.svc.EvidenceItem(ctx, soc2.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev.SOC2.CarveOuts, ev.SOC2.Inclusive = nil, []string{"aws/ec2"}
	if _, err := f.svc.UpdateEvidence(ctx, assessor, ev, v); err != nil {
		t.Fatal(err)
	}
	check("inclusive", remit.Assured, `assured by "CaseTrack SOC 2 Type II"`)

	// Carved out again, with current AWS evidence: assured through it.
	ev, v, _ = f.svc.EvidenceItem(ctx, soc2.ID)
	ev.SOC2.CarveOuts, ev.SOC2.Inclusive = []string{"aws/ec2"}, nil
	if _, err := f.svc.UpdateEvidence(ctx, assessor, ev, v); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO 27001 (renewed)", URL: "https://aws.example/iso2", Issued: today, Expires: "2028-12-01",
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "", nil); err != nil {
		t.Fatal(err)
	}
	check("AWS renewed", remit.Assured, `the part resting on aws/ec2: assured by "AWS ISO 27001 (renewed)"`)
	if l := f.svc.Snapshot().OfferingChain("casetrack/casetrack-cloud", f.clock.Now()).RestsOn[0]; l.Own[remit.Assured] != 17 || l.Short != 0 || l.Coverage.Says != remit.CoverCarvedOut {
		t.Errorf("AWS renewed: %+v", l)
	}
	for _, p := range f.svc.Snapshot().Proposals(f.clock.Now()) {
		if p.Source == "fourth-party" {
			t.Errorf("AWS renewed, yet proposed: %s", p.Title)
		}
	}
	if cards, err = f.svc.Scorecards(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.LeavesNotAssured != 0 {
			t.Errorf("AWS renewed, yet %s's lapse leaves %d obligations unassured", c.Provider, c.LeavesNotAssured)
		}
	}
	if due, err = f.svc.DueReminders(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, r := range due {
		if r.Kind == remit.RemindFourthParty {
			t.Errorf("AWS renewed, yet reminded: %+v", r)
		}
	}

	// Both carved out and included: refused.
	ev, v, _ = f.svc.EvidenceItem(ctx, soc2.ID)
	ev.SOC2.Inclusive = []string{"aws/ec2"}
	var ve *remit.ValidationError
	if _, err := f.svc.UpdateEvidence(ctx, assessor, ev, v); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "both carved out and included") {
		t.Errorf("both: %v", err)
	}
}

// chainScenario is the scenario on the example estate: AWS's ISO
// 27001 for aws/ec2 expires today, and CaseTrack's SOC 2 Type II, valid
// to 2027, says soc2 of its subservice organisations (coverage is what
// the request carries in, which adding evidence must not keep).
func chainScenario(t *testing.T, f *fixture, soc2 *remit.SOC2, coverage []remit.CoverageDecision) (remit.Evidence, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO 27001", URL: "https://aws.example/iso", Issued: "2024-01-01", Expires: f.clock.Now().UTC().Format(time.DateOnly),
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "", nil); err != nil {
		return remit.Evidence{}, err
	}
	return f.svc.AddEvidence(ctx, assessor, remit.Evidence{Kind: remit.EvidenceSOC2Type2, Title: "CaseTrack SOC 2 Type II", URL: "https://casetrack.example/soc2", Issued: "2026-07-01", Expires: "2027-06-30",
		SOC2: soc2, Supports: []remit.Support{{On: remit.SupportOffering, Ref: "casetrack/casetrack-cloud"}}, Coverage: coverage}, "", nil)
}

// TestCoverageDecision: a report silent on the fourth party leaves its
// coverage unknown until an assessor decides, with a rationale; the
// decision is checked, kept across edits, settled by the report when it
// later says, and can be withdrawn.
func TestCoverageDecision(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	today := f.clock.Now().UTC().Format(time.DateOnly)
	soc2, err := chainScenario(t, f, &remit.SOC2{PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}, []remit.CoverageDecision{{Offering: "aws/ec2", Covered: true, Rationale: "smuggled in"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(soc2.Coverage) != 0 {
		t.Fatalf("adding evidence kept a coverage decision: %+v", soc2.Coverage)
	}
	// counts the 17 obligations resting on aws/ec2 by status, and checks
	// each reason.
	resting := func(when string, want remit.AssuranceStatus, reason string) {
		t.Helper()
		sn := f.svc.Snapshot()
		obs := sn.Obligations(func(s *remit.System) bool { return s.ID == "court-case-tracking" }, report.PartyProviders, func(o service.Obligation) bool {
			return o.Offering == "casetrack/casetrack-cloud" && len(sn.Estate().Chain(o.Offering, o.Control)) > 0
		})
		sn.Assure(obs, f.clock.Now())
		if len(obs) != 17 {
			t.Fatalf("%s: %d obligations rest on aws/ec2", when, len(obs))
		}
		for _, o := range obs {
			if o.Assurance.Status != want || !strings.Contains(o.Assurance.Reason, reason) {
				t.Errorf("%s: %s %s %q, want %s with %q", when, o.Control, o.Assurance.Status, o.Assurance.Reason, want, reason)
			}
		}
	}
	resting("silent", remit.AssuranceStale, "coverage of aws/ec2 unknown: ")

	version := func() int64 { _, v, _ := f.svc.EvidenceItem(ctx, soc2.ID); return v }
	decide := func(p remit.Principal, d remit.CoverageDecision, v int64) error {
		_, err := f.svc.DecideCoverage(ctx, p, soc2.ID, d, v)
		return err
	}
	var ve *remit.ValidationError
	for _, c := range []struct {
		name string
		p    remit.Principal
		d    remit.CoverageDecision
		v    int64
		want string
	}{
		{"a risk owner", owner, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version(), "decided by an assessor"},
		{"no rationale", assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "  "}, version(), "give the rationale"},
		{"not an offering", assessor, remit.CoverageDecision{Offering: "aws/ec3", Covered: true, Rationale: "x"}, version(), `did you mean "aws/ec2"?`},
		{"not a ref", assessor, remit.CoverageDecision{Offering: "aws", Covered: true, Rationale: "x"}, version(), "name the fourth party as provider/offering"},
		{"the offering itself", assessor, remit.CoverageDecision{Offering: "casetrack/casetrack-cloud", Covered: true, Rationale: "x"}, version(), "not a fourth party to it"},
		{"an offering it does not rest on", assessor, remit.CoverageDecision{Offering: "aws/s3", Covered: true, Rationale: "x"}, version(), `aws/s3 is not a fourth party to what "CaseTrack SOC 2 Type II" supports: decide on aws/ec2`},
		{"a stale version", assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version() - 1, "conflict"},
	} {
		err := decide(c.p, c.d, c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if c.p.Role == remit.RoleAssessor && c.name != "a stale version" && !errors.As(err, &ve) {
			t.Errorf("%s: %T, want a validation error", c.name, err)
		}
	}
	// Every problem at once, each against its field.
	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec3", Rationale: ""}, version()); !errors.As(err, &ve) || len(ve.Problems) != 2 ||
		ve.Problems[0].Pointer != "/offering" || ve.Problems[1].Pointer != "/rationale" {
		t.Errorf("two problems: %v", err)
	}
	if !errors.Is(decide(owner, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version()), remit.ErrForbidden) {
		t.Error("a risk owner's decision is not forbidden")
	}
	if !errors.Is(decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version()-1), remit.ErrConflict) {
		t.Error("a stale decision is not a conflict")
	}
	resting("after refused decisions", remit.AssuranceStale, "coverage of aws/ec2 unknown: ")

	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "section 3 describes AWS's controls as tested"}, version()); err != nil {
		t.Fatal(err)
	}
	resting("decided covered", remit.Assured, `covered by "CaseTrack SOC 2 Type II" (soc2-type-2, until 2027-06-30), as ash@example.gov.uk decided on `+today+`: section 3 describes AWS's controls as tested`)

	// A second decision on the same fourth party replaces the first.
	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: false, Rationale: "section 3 was the 2024 report's"}, version()); err != nil {
		t.Fatal(err)
	}
	resting("decided not covered", remit.AssuranceStale, `aws/ec2 is not covered by "CaseTrack SOC 2 Type II" (soc2-type-2, until 2027-06-30), as ash@example.gov.uk decided on `+today+`: section 3 was the 2024 report's, and has no current evidence of its own`)

	// An edit keeps the decision, even one sending it back.
	ev, v, _ := f.svc.EvidenceItem(ctx, soc2.ID)
	if len(ev.Coverage) != 1 || ev.Coverage[0].DecidedBy != assessor.Email || ev.Coverage[0].Covered {
		t.Fatalf("stored decisions: %+v", ev.Coverage)
	}
	ev.Title, ev.Coverage = "CaseTrack SOC 2 Type II 2025", nil
	if _, err := f.svc.UpdateEvidence(ctx, assessor, ev, v); err != nil {
		t.Fatal(err)
	}
	resting("edited", remit.AssuranceStale, `is not covered by "CaseTrack SOC 2 Type II 2025"`)

	// An editor, who may change evidence but not decide coverage, keeps
	// the decision while renaming it, and loses it by changing what the
	// evidence is (its expiry here): a decision is a reading of it.
	ed := remit.Principal{Email: "ed@example.gov.uk", Role: remit.RoleEditor}
	ev, v, _ = f.svc.EvidenceItem(ctx, soc2.ID)
	ev.Title = "CaseTrack SOC 2 Type II (2025)"
	if _, err := f.svc.UpdateEvidence(ctx, ed, ev, v); err != nil {
		t.Fatal(err)
	}
	if ev, _, _ = f.svc.EvidenceItem(ctx, soc2.ID); len(ev.Coverage) != 1 {
		t.Fatalf("renamed by an editor: %+v", ev.Coverage)
	}
	ev, v, _ = f.svc.EvidenceItem(ctx, soc2.ID)
	ev.Expires = "2027-05-31"
	if _, err := f.svc.UpdateEvidence(ctx, ed, ev, v); err != nil {
		t.Fatal(err)
	}
	if ev, _, _ = f.svc.EvidenceItem(ctx, soc2.ID); len(ev.Coverage) != 0 {
		t.Fatalf("re-dated by an editor, the decision stayed: %+v", ev.Coverage)
	}
	resting("re-dated by an editor", remit.AssuranceStale, "coverage of aws/ec2 unknown: ")
	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: false, Rationale: "section 3 was the 2024 report's"}, version()); err != nil {
		t.Fatal(err)
	}

	// Withdrawn, the report is silent again; withdrawing twice is not
	// found.
	if _, err := f.svc.WithdrawCoverage(ctx, assessor, soc2.ID, "aws/ec2", version()); err != nil {
		t.Fatal(err)
	}
	resting("withdrawn", remit.AssuranceStale, "coverage of aws/ec2 unknown: ")
	if _, err := f.svc.WithdrawCoverage(ctx, assessor, soc2.ID, "aws/ec2", version()); !errors.Is(err, remit.ErrNotFound) {
		t.Errorf("withdrawn twice: %v", err)
	}

	// Once the report carves AWS out, it has settled the question: a
	// decision is refused, and one held before is dropped.
	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version()); err != nil {
		t.Fatal(err)
	}
	ev, v, _ = f.svc.EvidenceItem(ctx, soc2.ID)
	ev.SOC2.CarveOuts = []string{"aws/ec2"}
	if _, err := f.svc.UpdateEvidence(ctx, assessor, ev, v); err != nil {
		t.Fatal(err)
	}
	if ev, _, _ = f.svc.EvidenceItem(ctx, soc2.ID); len(ev.Coverage) != 0 {
		t.Errorf("a carve-out left the decision: %+v", ev.Coverage)
	}
	resting("carved out", remit.AssuranceStale, `aws/ec2 is carved out of`)
	if err := decide(assessor, remit.CoverageDecision{Offering: "aws/ec2", Covered: true, Rationale: "x"}, version()); err == nil || !strings.Contains(err.Error(), "the report settles it") {
		t.Errorf("a decision on a carve-out: %v", err)
	}
}
