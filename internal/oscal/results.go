package oscal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"
)

// AssessmentResults is an OSCAL assessment-results document.
type AssessmentResults struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	ImportAP   ImportAP    `json:"import-ap"`
	Results    []Result    `json:"results"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// ImportAP names the assessment plan results answer.
type ImportAP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

// Result is one assessment's outcome.
type Result struct {
	UUID             string           `json:"uuid"`
	Title            string           `json:"title"`
	Description      string           `json:"description"`
	Start            string           `json:"start"`
	End              string           `json:"end,omitempty"`
	Props            []Prop           `json:"props,omitempty"`
	ReviewedControls ReviewedControls `json:"reviewed-controls"`
	Observations     []Observation    `json:"observations,omitempty"`
	Risks            []Risk           `json:"risks,omitempty"`
	Findings         []Finding        `json:"findings,omitempty"`
	Remarks          string           `json:"remarks,omitempty"`
}

// ReviewedControls lists the controls an assessment covered.
type ReviewedControls struct {
	ControlSelections []ControlSelection `json:"control-selections"`
}

// ControlSelection picks controls by id.
type ControlSelection struct {
	Description     string            `json:"description,omitempty"`
	IncludeControls []ControlSelector `json:"include-controls,omitempty"`
}

// ControlSelector is one control by id.
type ControlSelector struct {
	ControlID string `json:"control-id"`
}

// Observation is something the assessor saw.
type Observation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []Prop             `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	RelevantEvidence []RelevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
}

// RelevantEvidence points at evidence behind an observation.
type RelevantEvidence struct {
	Href        string `json:"href,omitempty"`
	Description string `json:"description"`
}

// Finding is an assessment's determination about one objective.
type Finding struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Prop               `json:"props,omitempty"`
	Target              FindingTarget        `json:"target"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	RelatedRisks        []RelatedRisk        `json:"related-risks,omitempty"`
}

// FindingTarget is what a finding is about, and whether it is satisfied.
type FindingTarget struct {
	Type     string          `json:"type"`
	TargetID string          `json:"target-id"`
	Title    string          `json:"title,omitempty"`
	Status   ObjectiveStatus `json:"status"`
}

// ObjectiveStatus is satisfied or not, and why.
type ObjectiveStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// RelatedObservation points at an observation.
type RelatedObservation struct {
	ObservationUUID string `json:"observation-uuid"`
}

// RelatedRisk points at a risk.
type RelatedRisk struct {
	RiskUUID string `json:"risk-uuid"`
}

// Risk is an identified risk, in results or a plan of action.
type Risk struct {
	UUID        string `json:"uuid"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Statement   string `json:"statement"`
	Props       []Prop `json:"props,omitempty"`
	Status      string `json:"status"`
	Deadline    string `json:"deadline,omitempty"`
}

// POAM is an OSCAL plan of action and milestones.
type POAM struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	SystemID   *SystemID   `json:"system-id,omitempty"`
	Risks      []Risk      `json:"risks,omitempty"`
	POAMItems  []POAMItem  `json:"poam-items"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// SystemID names the system a plan is for.
type SystemID struct {
	IdentifierType string `json:"identifier-type,omitempty"`
	ID             string `json:"id"`
}

// POAMItem is one thing to put right.
type POAMItem struct {
	UUID         string        `json:"uuid"`
	Title        string        `json:"title"`
	Description  string        `json:"description"`
	Props        []Prop        `json:"props,omitempty"`
	RelatedRisks []RelatedRisk `json:"related-risks,omitempty"`
	Remarks      string        `json:"remarks,omitempty"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dayStamp turns YYYY-MM-DD into the start of that day, UTC.
func dayStamp(day string) string {
	if t, err := time.Parse(time.DateOnly, day); err == nil {
		return stamp(t)
	}
	return ""
}

func resultsShell(title, planTitle, key string, now time.Time) AssessmentResults {
	res, _ := json.Marshal(map[string]any{"uuid": stableUUID(key, "plan"), "title": planTitle})
	return AssessmentResults{UUID: stableUUID(key), ImportAP: ImportAP{Href: "#" + stableUUID(key, "plan"), Remarks: "Remit keeps no separate assessment plan: the plan is the questionnaire or objectives named in the back matter."},
		Metadata:   Metadata{Title: title, LastModified: stamp(now), Version: now.UTC().Format(time.DateOnly), OSCALVersion: Version},
		BackMatter: &BackMatter{Resources: []Resource{{UUID: stableUUID(key, "plan"), Raw: res}}}}
}

// findingRisks turns Remit's findings raised by an assessment into risks
// of its result, keyed by the finding's id.
func findingRisks(key string, findings []remit.Finding) ([]Risk, map[string]string) {
	var out []Risk
	ids := map[string]string{}
	for _, f := range findings {
		status := "open"
		switch f.Status {
		case "in-progress":
			status = "remediating"
		case remit.FindingClosed:
			status = "closed"
		}
		r := Risk{UUID: stableUUID(key, "finding", f.ID), Title: f.Title, Description: or(f.Description, f.Title), Statement: f.Title, Status: status,
			Props: []Prop{{Name: "severity", NS: NS, Value: string(f.Severity)}, {Name: "finding", NS: NS, Value: f.ID}}, Deadline: dayStamp(f.Due)}
		ids[f.ID] = r.UUID
		out = append(out, r)
	}
	return out, ids
}

// WriteSupplierResults writes a supplier assessment as assessment results:
// the principles it covered as reviewed controls, an observation of the
// answers and evidence per principle, a finding per principle with a
// result (met and not applicable satisfied; partly met and not met not
// satisfied), and the findings raised from it as risks.
func WriteSupplierResults(a remit.SupplierAssessment, titles map[string]string, raised []remit.Finding, now time.Time) AssessmentResults {
	key := "assessment-results\x00" + a.ID
	out := resultsShell("Supplier assessment of "+a.Offering, fmt.Sprintf("Questionnaire of the NCSC Cloud Security Principles, version %d", a.TemplateVersion), key, now)
	r := Result{UUID: stableUUID(key, "result"), Title: "Supplier assessment " + a.ID + " of " + a.Offering, Description: or(a.Conclusion, "No conclusion recorded yet."),
		Start: stamp(a.Created), Props: []Prop{{Name: "offering", NS: NS, Value: a.Offering}, {Name: "status", NS: NS, Value: string(a.Status)}}}
	if a.SignedOff != nil {
		r.End = stamp(*a.SignedOff)
		r.Props = append(r.Props, Prop{Name: "signed-off-by", NS: NS, Value: a.SignedOffBy})
	}
	if a.ValidUntil != "" {
		r.Props = append(r.Props, Prop{Name: "valid-until", NS: NS, Value: a.ValidUntil})
	}
	collected := r.Start
	if r.End != "" {
		collected = r.End
	}
	sel := ControlSelection{Description: "The principles of the questionnaire"}
	var ids map[string]string
	r.Risks, ids = findingRisks(key, raised)
	for _, p := range a.Principles {
		_, id := controlID(p.Control)
		sel.IncludeControls = append(sel.IncludeControls, ControlSelector{ControlID: id})
		obs := Observation{UUID: stableUUID(key, "observation", p.Control), Title: titles[p.Control],
			Description: fmt.Sprintf("%d questions answered; %d pieces of evidence.", len(p.Answers), len(p.Evidence)), Methods: []string{"INTERVIEW", "EXAMINE"}, Collected: collected}
		for _, ev := range p.Evidence {
			obs.RelevantEvidence = append(obs.RelevantEvidence, RelevantEvidence{Description: "Evidence " + ev + " in Remit's register"})
		}
		r.Observations = append(r.Observations, obs)
		if p.Result == "" {
			continue
		}
		st := ObjectiveStatus{State: "satisfied", Reason: "pass"}
		switch p.Result {
		case remit.NotMet:
			st = ObjectiveStatus{State: "not-satisfied", Reason: "fail"}
		case remit.PartlyMet:
			st = ObjectiveStatus{State: "not-satisfied", Reason: "fail", Remarks: "Partly met."}
		case remit.ResultNotApplies:
			st = ObjectiveStatus{State: "satisfied", Reason: "other", Remarks: "Not applicable."}
		}
		f := Finding{UUID: stableUUID(key, "finding", p.Control), Title: or(titles[p.Control], p.Control), Description: or(p.Rationale, "No rationale recorded."),
			Props:               []Prop{{Name: "result", NS: NS, Value: string(p.Result)}},
			Target:              FindingTarget{Type: "objective-id", TargetID: id, Status: st},
			RelatedObservations: []RelatedObservation{{ObservationUUID: obs.UUID}}}
		for _, raisedF := range raised {
			if slices.ContainsFunc(raisedF.Obligations, func(o string) bool { return strings.Contains(o, "/"+p.Control+"/") }) {
				f.RelatedRisks = append(f.RelatedRisks, RelatedRisk{RiskUUID: ids[raisedF.ID]})
			}
		}
		r.Findings = append(r.Findings, f)
	}
	if len(sel.IncludeControls) == 0 {
		sel.IncludeControls = nil
		sel.Description = "No principle has been worked on yet."
	}
	r.ReviewedControls = ReviewedControls{ControlSelections: []ControlSelection{sel}}
	out.Results = []Result{r}
	return out
}

// WriteSATResults writes a Standards Assurance Table as assessment
// results: the controls its objectives bear on as reviewed controls, and
// per scored objective an observation (evidence level, confidence, delta)
// and a finding (held satisfied; partial and not held not satisfied; N/A
// satisfied as not applicable).
func WriteSATResults(s remit.SAT, titles map[string]string, raised []remit.Finding, now time.Time) AssessmentResults {
	key := "assessment-results\x00" + s.ID
	out := resultsShell("Standards Assurance Table of "+s.System, fmt.Sprintf("Standards Assurance Table objectives, version %d", s.TemplateVersion), key, now)
	r := Result{UUID: stableUUID(key, "result"), Title: "Standards Assurance Table " + s.ID + " of " + s.System,
		Description: fmt.Sprintf("%d objectives scored.", countScored(s)), Start: stamp(s.Created),
		Props: []Prop{{Name: "system", NS: NS, Value: s.System}, {Name: "status", NS: NS, Value: string(s.Status)}}}
	if s.Completed != nil {
		r.End = stamp(*s.Completed)
	}
	collected := r.Start
	if r.End != "" {
		collected = r.End
	}
	var controls []string
	for c := range s.Verdicts {
		controls = append(controls, c)
	}
	slices.Sort(controls)
	sel := ControlSelection{Description: "The controls the objectives bear on"}
	for _, c := range controls {
		_, id := controlID(c)
		sel.IncludeControls = append(sel.IncludeControls, ControlSelector{ControlID: id})
	}
	if len(sel.IncludeControls) == 0 {
		sel.Description = "No objective has been completed yet."
	}
	r.ReviewedControls = ReviewedControls{ControlSelections: []ControlSelection{sel}}
	r.Risks, _ = findingRisks(key, raised)
	for _, en := range s.Entries {
		if en.Evidence == "" {
			continue
		}
		props := []Prop{{Name: "evidence", NS: NS, Value: string(en.Evidence)}}
		if en.Confidence != nil {
			props = append(props, Prop{Name: "confidence", NS: NS, Value: strconv.Itoa(*en.Confidence)}, Prop{Name: "delta", NS: NS, Value: strconv.Itoa(*en.Delta())})
		}
		desc := fmt.Sprintf("Evidence %s.", en.Evidence)
		if en.Commentary != "" {
			desc += " " + en.Commentary
		}
		obs := Observation{UUID: stableUUID(key, "observation", en.Objective), Title: titles[en.Objective], Description: desc, Props: props, Methods: []string{"EXAMINE"}, Collected: collected}
		for _, ev := range en.EvidenceLinks {
			obs.RelevantEvidence = append(obs.RelevantEvidence, RelevantEvidence{Description: "Evidence " + ev + " in Remit's register"})
		}
		r.Observations = append(r.Observations, obs)
		st := ObjectiveStatus{State: "satisfied", Reason: "pass"}
		switch en.Evidence {
		case "not-held":
			st = ObjectiveStatus{State: "not-satisfied", Reason: "fail"}
		case "partial":
			st = ObjectiveStatus{State: "not-satisfied", Reason: "other", Remarks: "Evidence partly held."}
		case "n/a":
			st = ObjectiveStatus{State: "satisfied", Reason: "other", Remarks: "Not applicable."}
		}
		r.Findings = append(r.Findings, Finding{UUID: stableUUID(key, "finding", en.Objective), Title: or(titles[en.Objective], en.Objective),
			Description: or(en.FurtherEvidence, "No further evidence required."), Props: props,
			Target:              FindingTarget{Type: "objective-id", TargetID: en.Objective, Status: st},
			RelatedObservations: []RelatedObservation{{ObservationUUID: obs.UUID}}})
	}
	out.Results = []Result{r}
	return out
}

func countScored(s remit.SAT) int {
	n := 0
	for _, e := range s.Entries {
		if e.Evidence != "" {
			n++
		}
	}
	return n
}

// WritePOAM writes a plan of action and milestones: the register's risks
// not closed as risks (accepted ones as approved deviations), a plan item
// for each open finding and for each risk being treated or open.
func WritePOAM(system string, findings []remit.Finding, risks []*remit.Risk, settings remit.RiskSettings, now time.Time) POAM {
	key := "poam\x00" + system
	title := "Plan of action and milestones"
	if system != "" {
		title += ": " + system
	}
	out := POAM{UUID: stableUUID(key), Metadata: Metadata{Title: title, LastModified: stamp(now), Version: now.UTC().Format(time.DateOnly), OSCALVersion: Version}}
	if system != "" {
		out.SystemID = &SystemID{IdentifierType: NS + "/system-id", ID: system}
	}
	day := now.UTC().Format(time.DateOnly)
	for _, r := range risks {
		st := r.StatusOn(day)
		if st == remit.RiskClosed {
			continue
		}
		status := map[remit.RiskStatus]string{remit.RiskOpen: "open", remit.RiskTreating: "remediating", remit.RiskAccepted: "deviation-approved", remit.RiskReviewDue: "open"}[st]
		statement := strings.TrimSpace(strings.Join([]string{r.Threat, r.Vulnerability}, " "))
		risk := Risk{UUID: stableUUID(key, "risk", r.ID), Title: r.Title, Description: or(r.Description, r.Title), Statement: or(statement, r.Title), Status: status,
			Props: []Prop{{Name: "risk", NS: NS, Value: r.ID}, {Name: "category", NS: NS, Value: r.Category}, {Name: "residual-score", NS: NS, Value: strconv.Itoa(r.Residual.Value())},
				{Name: "band", NS: NS, Value: settings.Band(r.Residual.Value())}, {Name: "above-appetite", NS: NS, Value: strconv.FormatBool(r.AboveAppetite(settings))}},
			Deadline: dayStamp(r.Review)}
		out.Risks = append(out.Risks, risk)
		if st == remit.RiskAccepted {
			continue
		}
		item := POAMItem{UUID: stableUUID(key, "item", r.ID), Title: "Treat: " + r.Title, Description: fmt.Sprintf("Treatment %s; residual score %d (%s).", or(r.Treatment, "not decided"), r.Residual.Value(), settings.Band(r.Residual.Value())),
			RelatedRisks: []RelatedRisk{{RiskUUID: risk.UUID}}}
		if r.Owner != "" {
			item.Props = append(item.Props, Prop{Name: "owner", NS: NS, Value: r.Owner})
		}
		out.POAMItems = append(out.POAMItems, item)
	}
	for _, f := range findings {
		if f.Status == remit.FindingClosed {
			continue
		}
		item := POAMItem{UUID: stableUUID(key, "finding", f.ID), Title: f.Title, Description: or(f.Description, f.Title),
			Props: []Prop{{Name: "finding", NS: NS, Value: f.ID}, {Name: "severity", NS: NS, Value: string(f.Severity)}, {Name: "status", NS: NS, Value: string(f.Status)}}}
		if f.Due != "" {
			item.Props = append(item.Props, Prop{Name: "due", NS: NS, Value: f.Due})
		}
		if f.Owner != "" {
			item.Props = append(item.Props, Prop{Name: "owner", NS: NS, Value: orNone(f.Owner)})
		}
		out.POAMItems = append(out.POAMItems, item)
	}
	if len(out.POAMItems) == 0 {
		// OSCAL wants at least one item: say there is nothing to do.
		out.POAMItems = []POAMItem{{UUID: stableUUID(key, "nothing"), Title: "Nothing to put right",
			Description: fmt.Sprintf("On %s Remit held no open finding and no risk to treat.", day)}}
	}
	return out
}
