package oscal

import (
	"testing"
	"time"

	"remit/internal/remit"
)

func TestSupplierResults(t *testing.T) {
	signed := exportNow.Add(-time.Hour)
	a := remit.SupplierAssessment{ID: "sa-1", Offering: "casetrack/casetrack-cloud", TemplateVersion: 1, Status: remit.AssessmentCompleted, Conclusion: "Acceptable.",
		ValidUntil: "2027-11-29", SignedOffBy: "assessor@example.gov.uk", SignedOff: &signed, Created: exportNow.Add(-48 * time.Hour),
		Principles: []remit.PrincipleAssessment{
			{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"q1": "yes"}, Evidence: []string{"ev-1"}, Result: remit.NotMet, Rationale: "No encryption between sites."},
			{Control: "ncsc-csp:CSP-02", Result: remit.Met},
			{Control: "ncsc-csp:CSP-03"},
		}}
	raised := []remit.Finding{{ID: "fi-1", Title: "Encrypt between sites", Severity: "high", Status: "open", Due: "2027-01-31", Source: "sa-1",
		Obligations: []string{"court-case-tracking/ncsc-csp:CSP-01/casetrack/casetrack-cloud/provider"}}}
	ar := WriteSupplierResults(a, map[string]string{"ncsc-csp:CSP-01": "Data in transit protection"}, raised, exportNow)
	doc, err := Marshal(KindAssessmentResults, ar)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "supplier assessment results", doc)
	r := ar.Results[0]
	if len(r.ReviewedControls.ControlSelections[0].IncludeControls) != 3 || len(r.Observations) != 3 || len(r.Findings) != 2 || len(r.Risks) != 1 {
		t.Fatalf("result %+v", r)
	}
	f := r.Findings[0]
	if f.Target.TargetID != "CSP-01" || f.Target.Status.State != "not-satisfied" || f.Description != "No encryption between sites." || len(f.RelatedRisks) != 1 || f.RelatedRisks[0].RiskUUID != r.Risks[0].UUID {
		t.Errorf("finding %+v", f)
	}
	if r.Findings[1].Target.Status.State != "satisfied" || r.End == "" {
		t.Errorf("met principle %+v, end %q", r.Findings[1], r.End)
	}
}

func TestSATResults(t *testing.T) {
	c := func(n int) *int { return &n }
	s := remit.SAT{ID: "sat-1", System: "prison-visits", TemplateVersion: 1, Status: remit.AssessmentCompleted, Created: exportNow,
		Verdicts: map[string]remit.SATEvidence{"srm:SRM-03": "held", "srm:SRM-10": "not-held"},
		Entries: []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: c(13)}, {Objective: "SAT-02", Evidence: "not-held", Confidence: c(2), FurtherEvidence: "A data flow diagram."},
			{Objective: "SAT-03", Evidence: "n/a"}, {Objective: "SAT-04"}}}
	ar := WriteSATResults(s, map[string]string{"SAT-01": "Asset register"}, nil, exportNow)
	doc, err := Marshal(KindAssessmentResults, ar)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "SAT results", doc)
	r := ar.Results[0]
	if len(r.Findings) != 3 || r.Findings[1].Target.Status.State != "not-satisfied" || propValue(r.Findings[1].Props, "delta") != "12" || len(r.ReviewedControls.ControlSelections[0].IncludeControls) != 2 {
		t.Errorf("result %+v", r)
	}
}

func TestPOAM(t *testing.T) {
	risks := []*remit.Risk{
		{ID: "ri-1", Title: "Outage", Category: "supplier", Status: remit.RiskTreating, Threat: "Region failure.", Residual: remit.Score{Likelihood: 2, Impact: 5}, Review: "2027-03-01", Owner: "risk@example.gov.uk", Treatment: "reduce"},
		{ID: "ri-2", Title: "Accepted", Category: "supplier", Status: remit.RiskAccepted, Acceptance: &remit.Acceptance{Until: "2027-06-01"}},
		{ID: "ri-3", Title: "Closed", Category: "supplier", Status: remit.RiskClosed},
	}
	findings := []remit.Finding{{ID: "fi-1", Title: "Encrypt", Severity: "high", Status: "open", Due: "2027-01-31", Owner: "Platform team"}, {ID: "fi-2", Title: "Done", Status: remit.FindingClosed}}
	p := WritePOAM("prison-visits", findings, risks, remit.DefaultRiskSettings(), exportNow)
	doc, err := Marshal(KindPOAM, p)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "POA&M", doc)
	if len(p.Risks) != 2 || p.Risks[0].Status != "remediating" || p.Risks[1].Status != "deviation-approved" || len(p.POAMItems) != 2 || p.POAMItems[1].Title != "Encrypt" {
		t.Errorf("poam %+v", p)
	}
	empty, _ := Marshal(KindPOAM, WritePOAM("", nil, nil, remit.DefaultRiskSettings(), exportNow))
	validate(t, "an empty POA&M", empty)
}
