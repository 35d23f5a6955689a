package oscal

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// Measured is what a provider's own assessment results or POA&M say about
// the provider: each open or closed item, the controls it concerns, its
// severity and status (doc/oscal.md#a-providers-assessment-results-and-poam).
type Measured struct {
	Model remit.MeasuredModel
	UUID  string
	Title string
	// Dated is the document's date: its published date, else its last
	// modification (YYYY-MM-DD).
	Dated string
	Items []remit.ProviderFinding
	// Notes say what was read with a guess or left out, one sentence each.
	Notes []string
}

// The parts of assessment results and POA&Ms read as measurements: what
// other tools write, not only Remit (results.go writes ours).
type (
	measuredAR struct {
		UUID     string         `json:"uuid"`
		Metadata Metadata       `json:"metadata"`
		Results  []measuredPart `json:"results"`
	}
	measuredPOAM struct {
		UUID         string         `json:"uuid"`
		Metadata     Metadata       `json:"metadata"`
		Observations []mObservation `json:"observations"`
		Risks        []mRisk        `json:"risks"`
		Findings     []mFinding     `json:"findings"`
		Items        []mItem        `json:"poam-items"`
	}
	measuredPart struct {
		UUID         string         `json:"uuid"`
		Title        string         `json:"title"`
		Start        string         `json:"start"`
		End          string         `json:"end"`
		Observations []mObservation `json:"observations"`
		Risks        []mRisk        `json:"risks"`
		Findings     []mFinding     `json:"findings"`
	}
	mObservation struct {
		UUID      string `json:"uuid"`
		Collected string `json:"collected"`
	}
	mRisk struct {
		UUID              string             `json:"uuid"`
		Title             string             `json:"title"`
		Description       string             `json:"description"`
		Props             []Prop             `json:"props"`
		Status            string             `json:"status"`
		Deadline          string             `json:"deadline"`
		Characterizations []characterization `json:"characterizations"`
	}
	characterization struct {
		Facets []facet `json:"facets"`
	}
	facet struct {
		Name   string `json:"name"`
		System string `json:"system"`
		Value  string `json:"value"`
	}
	mFinding struct {
		UUID         string        `json:"uuid"`
		Title        string        `json:"title"`
		Description  string        `json:"description"`
		Props        []Prop        `json:"props"`
		Target       FindingTarget `json:"target"`
		RelatedRisks []RelatedRisk `json:"related-risks"`
	}
	mItem struct {
		UUID                string               `json:"uuid"`
		Title               string               `json:"title"`
		Description         string               `json:"description"`
		Props               []Prop               `json:"props"`
		RelatedFindings     []relatedFinding     `json:"related-findings"`
		RelatedObservations []RelatedObservation `json:"related-observations"`
		RelatedRisks        []RelatedRisk        `json:"related-risks"`
	}
	relatedFinding struct {
		FindingUUID string `json:"finding-uuid"`
	}
)

// ReadMeasured reads a provider's OSCAL assessment results or POA&M (JSON
// or YAML) as measurements of the provider. controls gives, by an item's
// uuid, the controls it concerns when the file names none (the CLI's
// --control).
func ReadMeasured(file string, data []byte, controls map[string][]string) (*Measured, error) {
	kind, err := Sniff(file, data)
	if err != nil {
		return nil, err
	}
	var m *Measured
	switch kind {
	case KindPOAM:
		var p measuredPOAM
		if err := decode(file, data, KindPOAM, &p); err != nil {
			return nil, err
		}
		m = readPOAM(&p)
	case KindAssessmentResults:
		var a measuredAR
		if err := decode(file, data, KindAssessmentResults, &a); err != nil {
			return nil, err
		}
		if len(a.Results) == 0 {
			return nil, at(&Error{File: file, Path: "assessment-results.results", Message: "the assessment results hold no result: there is nothing to measure the provider by"}, data, "uuid", a.UUID, 1)
		}
		m = readAR(&a)
	default:
		return nil, &Error{File: file, Message: fmt.Sprintf("this is an OSCAL %s: a provider is measured by its assessment results or its plan of action and milestones (POA&M)", kind)}
	}
	var problems []string
	for i := range m.Items {
		it := &m.Items[i]
		if cs, ok := controls[it.UUID]; ok {
			it.Controls = cs
		}
		if it.UUID == "" {
			problems = append(problems, fmt.Sprintf("item %d (%q) has no uuid: it could not be matched with next month's", i+1, it.Title))
		}
		if strings.TrimSpace(it.Title) == "" {
			it.Title = "Untitled item " + it.UUID
		}
	}
	for uuid := range controls {
		if !slices.ContainsFunc(m.Items, func(it remit.ProviderFinding) bool { return it.UUID == uuid }) {
			problems = append(problems, fmt.Sprintf("--control names item %s, which is not in the file", uuid))
		}
	}
	if len(problems) > 0 {
		return nil, &Error{File: file, Message: strings.Join(problems, "; ")}
	}
	return m, nil
}

func docDate(md Metadata) string {
	for _, s := range []string{md.Published, md.LastModified} {
		if d := day(s); d != "" {
			return d
		}
	}
	return ""
}

// day is the date of an OSCAL date-time, YYYY-MM-DD ("" when it has none).
func day(s string) string {
	if len(s) >= 10 {
		if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return s[:10]
		}
	}
	return ""
}

func readPOAM(p *measuredPOAM) *Measured {
	m := &Measured{Model: remit.MeasuredPOAM, UUID: p.UUID, Title: p.Metadata.Title, Dated: docDate(p.Metadata)}
	risks := map[string]*mRisk{}
	for i := range p.Risks {
		risks[p.Risks[i].UUID] = &p.Risks[i]
	}
	findings := map[string]*mFinding{}
	for i := range p.Findings {
		findings[p.Findings[i].UUID] = &p.Findings[i]
	}
	observed := map[string]string{}
	for _, o := range p.Observations {
		observed[o.UUID] = day(o.Collected)
	}
	for _, it := range p.Items {
		f := remit.ProviderFinding{UUID: it.UUID, Title: it.Title, Description: it.Description}
		var rs []*mRisk
		var fs []*mFinding
		for _, rf := range it.RelatedFindings {
			if x := findings[rf.FindingUUID]; x != nil {
				fs = append(fs, x)
				for _, rr := range x.RelatedRisks {
					if r := risks[rr.RiskUUID]; r != nil && !slices.Contains(rs, r) {
						rs = append(rs, r)
					}
				}
			} else {
				m.Notes = append(m.Notes, fmt.Sprintf("%s names finding %s, which the file does not hold.", it.Title, rf.FindingUUID))
			}
		}
		for _, rr := range it.RelatedRisks {
			if r := risks[rr.RiskUUID]; r != nil {
				if !slices.Contains(rs, r) {
					rs = append(rs, r)
				}
			} else {
				m.Notes = append(m.Notes, fmt.Sprintf("%s names risk %s, which the file does not hold.", it.Title, rr.RiskUUID))
			}
		}
		for _, ro := range it.RelatedObservations {
			if d := observed[ro.ObservationUUID]; d > f.Observed {
				f.Observed = d
			}
		}
		f.Controls = controlsOf(it.Props, fs, rs)
		judge(&f, it.Props, fs, rs)
		m.Items = append(m.Items, f)
	}
	return m
}

// readAR reads the latest result (by start) of assessment results: each
// finding is an item, open when its target is not satisfied.
func readAR(a *measuredAR) *Measured {
	r := a.Results[0]
	for _, x := range a.Results[1:] {
		if x.Start > r.Start {
			r = x
		}
	}
	m := &Measured{Model: remit.MeasuredResults, UUID: a.UUID, Title: a.Metadata.Title, Dated: or(day(r.End), docDate(a.Metadata))}
	if len(a.Results) > 1 {
		m.Notes = append(m.Notes, fmt.Sprintf("The file holds %d results: the latest, %q of %s, is read.", len(a.Results), r.Title, day(r.Start)))
	}
	risks := map[string]*mRisk{}
	for i := range r.Risks {
		risks[r.Risks[i].UUID] = &r.Risks[i]
	}
	for i := range r.Findings {
		x := &r.Findings[i]
		f := remit.ProviderFinding{UUID: x.UUID, Title: x.Title, Description: x.Description, Observed: or(day(r.End), day(r.Start))}
		var rs []*mRisk
		for _, rr := range x.RelatedRisks {
			if rk := risks[rr.RiskUUID]; rk != nil {
				rs = append(rs, rk)
			}
		}
		f.Controls = controlsOf(x.Props, []*mFinding{x}, rs)
		judge(&f, x.Props, []*mFinding{x}, rs)
		if x.Target.Status.State == "satisfied" && f.Status == remit.ProviderFindingOpen && len(rs) == 0 {
			f.Status, f.StatusFrom = remit.ProviderFindingClosed, "its target is satisfied"
		}
		m.Items = append(m.Items, f)
	}
	return m
}

// targetControl finds the control in a finding's target id: "ac-2_obj.a",
// "ac-2.1_smt", "AC-2(1)" → ac-2, ac-2.1.
var targetControl = regexp.MustCompile(`^([A-Za-z]{1,4}-\d+(?:[.(]\d+\)?)?)`)

// controlsOf lists the controls an item concerns: its findings' targets,
// and any property named control-id (in any namespace) on it, its
// findings or its risks.
func controlsOf(props []Prop, fs []*mFinding, rs []*mRisk) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if m := targetControl.FindStringSubmatch(s); m != nil {
			s = strings.NewReplacer("(", ".", ")", "").Replace(m[1])
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	fromProps := func(ps []Prop) {
		for _, p := range ps {
			if p.Name == "control-id" || p.Name == "control" {
				add(p.Value)
			}
		}
	}
	fromProps(props)
	for _, f := range fs {
		if f.Target.TargetID != "" {
			add(f.Target.TargetID)
		}
		fromProps(f.Props)
	}
	for _, r := range rs {
		fromProps(r.Props)
	}
	return out
}

// judge sets an item's severity and status from its risks (or, without
// any, its own properties): the worst open risk decides.
func judge(f *remit.ProviderFinding, props []Prop, fs []*mFinding, rs []*mRisk) {
	f.Status, f.StatusFrom = remit.ProviderFindingOpen, "no risk of it is closed"
	var open []*mRisk
	for _, r := range rs {
		switch r.Status {
		case "closed":
		case "deviation-approved":
			if f.Status != remit.ProviderFindingOpen || len(open) == 0 {
				f.Status, f.StatusFrom = remit.ProviderFindingDeviation, fmt.Sprintf("risk %q: deviation approved", r.Title)
			}
		default:
			open = append(open, r)
		}
		if d := day(r.Deadline); d != "" && (f.Deadline == "" || d < f.Deadline) {
			f.Deadline = d
		}
	}
	switch {
	case len(open) > 0:
		f.Status, f.StatusFrom = remit.ProviderFindingOpen, fmt.Sprintf("risk %q is %s", open[0].Title, or(open[0].Status, "open"))
	case len(rs) > 0 && f.Status != remit.ProviderFindingDeviation:
		f.Status, f.StatusFrom = remit.ProviderFindingClosed, "every risk of it is closed"
	}
	if len(rs) == 0 {
		for _, p := range props {
			if p.Name == "status" && (p.Value == "closed" || p.Value == "open" || p.Value == "in-progress") {
				f.Status, f.StatusFrom = remit.ProviderFindingOpen, "its status property is "+p.Value
				if p.Value == "closed" {
					f.Status = remit.ProviderFindingClosed
				}
			}
			if p.Name == "due" && f.Deadline == "" {
				f.Deadline = day(p.Value)
			}
		}
	}
	// Severity: the worst stated by a risk that is still open (or by any
	// risk, when none is), else by a property of the item or its findings.
	from := open
	if len(from) == 0 {
		from = rs
	}
	for _, r := range from {
		if s, why := riskSeverity(r); s != "" && (f.Severity == "" || slices.Index(remit.Severities, s) > slices.Index(remit.Severities, f.Severity)) {
			f.Severity, f.SeverityFrom = s, why
		}
	}
	if f.Severity == "" {
		ps := slices.Clone(props)
		for _, x := range fs {
			ps = append(ps, x.Props...)
		}
		for _, p := range ps {
			if p.Name == "severity" || p.Name == "risk-level" || p.Name == "impact" {
				if s := severityWord(p.Value); s != "" {
					f.Severity, f.SeverityFrom = s, fmt.Sprintf("its %s property (%s)", p.Name, p.Value)
					break
				}
			}
		}
	}
	if f.Severity == "" {
		f.Severity, f.SeverityFrom = remit.SeverityMedium, "no severity stated: taken as medium"
	}
}

// riskSeverity reads a risk's severity from its characterizations: a
// facet named risk, severity or level; else likelihood with impact
// combined as NIST SP 800-30's table does at three levels; else impact
// alone; else a severity property.
func riskSeverity(r *mRisk) (remit.Severity, string) {
	got := map[string]string{}
	for _, c := range r.Characterizations {
		for _, f := range c.Facets {
			if _, ok := got[f.Name]; !ok {
				got[f.Name] = f.Value
			}
		}
	}
	for _, n := range []string{"risk", "severity", "level"} {
		if s := severityWord(got[n]); s != "" {
			return s, fmt.Sprintf("risk %q: %s %s", r.Title, n, got[n])
		}
	}
	l, i := severityWord(got["likelihood"]), severityWord(got["impact"])
	switch {
	case l != "" && i != "":
		return combine(l, i), fmt.Sprintf("risk %q: likelihood %s, impact %s", r.Title, got["likelihood"], got["impact"])
	case i != "":
		return i, fmt.Sprintf("risk %q: impact %s", r.Title, got["impact"])
	}
	for _, p := range r.Props {
		if p.Name == "severity" {
			if s := severityWord(p.Value); s != "" {
				return s, fmt.Sprintf("risk %q: severity property %s", r.Title, p.Value)
			}
		}
	}
	return "", ""
}

// combine is the risk level of a likelihood and an impact, as SP 800-30
// (Table I-2) has it at three levels: the lower of the two, except that
// both high is high and both low is low — so a high impact that is
// unlikely is low, a likely moderate one moderate.
func combine(likelihood, impact remit.Severity) remit.Severity {
	rank := func(s remit.Severity) int {
		switch s {
		case remit.SeverityCritical, remit.SeverityHigh:
			return 2
		case remit.SeverityMedium:
			return 1
		}
		return 0
	}
	if impact == remit.SeverityCritical && rank(likelihood) == 2 {
		return remit.SeverityCritical
	}
	return []remit.Severity{remit.SeverityLow, remit.SeverityMedium, remit.SeverityHigh}[min(rank(likelihood), rank(impact))]
}

// severityWord reads a severity in the words tools use: FedRAMP's
// low/moderate/high, CVSS's critical, NIST's very high/very low.
func severityWord(s string) remit.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "very-high", "very high", "severe":
		return remit.SeverityCritical
	case "high":
		return remit.SeverityHigh
	case "moderate", "medium":
		return remit.SeverityMedium
	case "low", "very-low", "very low", "informational", "info":
		return remit.SeverityLow
	}
	return ""
}
