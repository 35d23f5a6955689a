package remit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The severities, by name.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// MeasuredModel is the kind of document a provider is measured by.
type MeasuredModel string

// The documents a provider is measured by: its plan of action and
// milestones, or the results of an assessment of it (OSCAL's models).
const (
	MeasuredPOAM    MeasuredModel = "poam"
	MeasuredResults MeasuredModel = "assessment-results"
)

// MeasuredModels lists them.
var MeasuredModels = []MeasuredModel{MeasuredPOAM, MeasuredResults}

// Title names the model in a sentence.
func (m MeasuredModel) Title() string {
	if m == MeasuredResults {
		return "assessment results"
	}
	return "POA&M"
}

// ProviderFindingStatus is where a provider's own finding stands.
type ProviderFindingStatus string

// The statuses of a provider's finding.
const (
	ProviderFindingOpen   ProviderFindingStatus = "open"
	ProviderFindingClosed ProviderFindingStatus = "closed"
	// ProviderFindingDeviation is a finding whose risk the provider's
	// authorising official accepted (OSCAL's deviation-approved).
	ProviderFindingDeviation ProviderFindingStatus = "deviation-approved"
)

// ProviderFindings is what one document of a provider's — its POA&M, or
// the results of an assessment of it — says about one offering: the
// latest import of each model per offering, items matched by uuid from
// one import to the next.
type ProviderFindings struct {
	Offering string        `json:"offering"`
	Model    MeasuredModel `json:"model"`
	// Title, UUID and Dated are the document's.
	Title string `json:"title"`
	UUID  string `json:"uuid"`
	Dated string `json:"dated,omitempty"`
	// Catalogue is the catalogue the items' controls are in.
	Catalogue  string            `json:"catalogue"`
	Items      []ProviderFinding `json:"items"`
	Imported   time.Time         `json:"imported"`
	ImportedBy string            `json:"imported_by"`
}

// ID is the stored id of an offering's findings from one model.
func (pf *ProviderFindings) ID() string { return ProviderFindingsID(pf.Offering, pf.Model) }

// ProviderFindingsID is the stored id of an offering's findings from model.
func ProviderFindingsID(offering string, model MeasuredModel) string {
	return offering + "/" + string(model)
}

// ProviderFinding is one item of a provider's POA&M or assessment results.
type ProviderFinding struct {
	UUID        string `json:"uuid"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Controls are those it concerns, catalogue:control once imported (bare
	// ids as read).
	Controls     []string              `json:"controls,omitempty"`
	Severity     Severity              `json:"severity"`
	SeverityFrom string                `json:"severity_from,omitempty"`
	Status       ProviderFindingStatus `json:"status"`
	StatusFrom   string                `json:"status_from,omitempty"`
	Deadline     string                `json:"deadline,omitempty"`
	Observed     string                `json:"observed,omitempty"`
	// First is the day it was first imported; Closed the day it was found
	// closed, or gone from the provider's next document.
	First  string `json:"first,omitempty"`
	Closed string `json:"closed,omitempty"`
}

// Effect is what an open finding does to the provider's obligations for
// its controls on day: its severity, one step worse once past its
// deadline; high or critical fails them, medium holds them at stale at
// best, low leaves them as they are (doc/assurance.md#the-providers-own-findings).
// Closed findings and accepted deviations do nothing.
func (f *ProviderFinding) Effect(day string) (AssuranceStatus, Severity, bool) {
	if f.Status != ProviderFindingOpen {
		return "", "", false
	}
	sev, overdue := f.Severity, f.Deadline != "" && day > f.Deadline
	if overdue {
		if i := slices.Index(Severities, sev); i >= 0 && i+1 < len(Severities) {
			sev = Severities[i+1]
		}
	}
	switch sev {
	case SeverityHigh, SeverityCritical:
		return AssuranceFailed, sev, overdue
	case SeverityMedium:
		return AssuranceStale, sev, overdue
	}
	return "", sev, overdue
}

// Validate reports every problem with pf.
func (pf *ProviderFindings) Validate() []Problem {
	var ps []Problem
	if !slices.Contains(MeasuredModels, pf.Model) {
		ps = append(ps, Problem{Pointer: "/model", Message: fmt.Sprintf("model %q is not known: use one of %s", pf.Model, joinQuoted(stringsOf(MeasuredModels)))})
	}
	seen := map[string]bool{}
	for i, f := range pf.Items {
		at := fmt.Sprintf("/items/%d", i)
		if seen[f.UUID] {
			ps = append(ps, Problem{Pointer: at + "/uuid", Message: fmt.Sprintf("item %q appears twice: each item needs its own uuid", f.UUID)})
		}
		seen[f.UUID] = true
		if !slices.Contains(Severities, f.Severity) {
			ps = append(ps, Problem{Pointer: at + "/severity", Message: fmt.Sprintf("severity %q is not known: use one of %s", f.Severity, joinQuoted(stringsOf(Severities)))})
		}
		ps = append(ps, lengthProblems(field{at + "/title", "title", f.Title, MaxName}, field{at + "/description", "description", f.Description, MaxText})...)
	}
	return ps
}

// Merge makes the next import of an offering's findings from the same
// model: items matched by uuid keep the day they were first seen; items
// the new document no longer holds are kept as closed on day (a provider
// drops what it has put right from its next POA&M).
func (pf *ProviderFindings) Merge(was *ProviderFindings, day string) {
	now := map[string]*ProviderFinding{}
	for i := range pf.Items {
		f := &pf.Items[i]
		now[f.UUID] = f
		f.First = day
		if f.Status == ProviderFindingClosed && f.Closed == "" {
			f.Closed = day
		}
	}
	if was == nil {
		return
	}
	var gone []ProviderFinding
	for _, w := range was.Items {
		f, ok := now[w.UUID]
		if !ok {
			if w.Status != ProviderFindingClosed {
				w.Status, w.StatusFrom, w.Closed = ProviderFindingClosed, fmt.Sprintf("no longer in the provider's %s of %s", pf.Model.Title(), or(pf.Dated, day)), day
			}
			gone = append(gone, w)
			continue
		}
		f.First = w.First
		if f.Status == ProviderFindingClosed && w.Status == ProviderFindingClosed && w.Closed != "" {
			f.Closed = w.Closed
		}
	}
	pf.Items = append(pf.Items, gone...)
}

func or(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a
}

// measuredKey indexes a provider's findings by offering and control.
type measuredKey struct{ offering, control string }

// WithProviderFindings returns an index like x but also holding the
// providers' own findings; x is not changed. related lists the controls
// the workspace's mappings relate to a control: a finding on a control
// counts on those too (a provider's POA&M in NIST SP 800-53 terms reaches
// obligations of a baseline mapped to it).
func (x *EvidenceIndex) WithProviderFindings(all []*ProviderFindings, related func(string) []string) *EvidenceIndex {
	cp := *x
	cp.measured = map[measuredKey][]*ProviderFinding{}
	for _, pf := range all {
		for i := range pf.Items {
			f := &pf.Items[i]
			if f.Status != ProviderFindingOpen {
				continue
			}
			for _, c := range f.Controls {
				cs := []string{c}
				if related != nil {
					cs = append(cs, related(c)...)
				}
				for _, c := range cs {
					k := measuredKey{pf.Offering, c}
					if !slices.Contains(cp.measured[k], f) {
						cp.measured[k] = append(cp.measured[k], f)
					}
				}
			}
		}
	}
	return &cp
}

// worstMeasured is the open finding of offering's provider on control
// that does most to its obligation on day, and what it does.
func (x *EvidenceIndex) worstMeasured(offering, control, day string) (*ProviderFinding, AssuranceStatus, Severity, bool) {
	var worst *ProviderFinding
	var st AssuranceStatus
	var sev Severity
	var overdue bool
	for _, f := range x.measured[measuredKey{offering, control}] {
		s, v, o := f.Effect(day)
		if worst == nil || slices.Index(Severities, v) > slices.Index(Severities, sev) {
			worst, st, sev, overdue = f, s, v, o
		}
	}
	return worst, st, sev, overdue
}

// measure holds a provider's obligation to the provider's own open
// findings on its control: a high one fails it, a medium one holds it at
// stale at best; the reason names the finding.
func (x *EvidenceIndex) measure(o ObligationRef, a Assurance, now time.Time) Assurance {
	f, st, sev, overdue := x.worstMeasured(o.Offering, o.Control, now.UTC().Format(time.DateOnly))
	if f == nil || st == "" {
		return a
	}
	what := fmt.Sprintf("the provider's own open %s finding %q (%s)", sev, f.Title, strings.Join(f.Controls, ", "))
	if overdue {
		what = fmt.Sprintf("the provider's own %s finding %q (%s), open past its deadline of %s", f.Severity, f.Title, strings.Join(f.Controls, ", "), f.Deadline)
	}
	switch {
	case st == AssuranceFailed:
		return Assurance{Status: AssuranceFailed, Reason: "failed by " + what, Evidence: a.Evidence, Assessment: a.Assessment}
	case a.Status == Assured:
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("held at stale by %s; otherwise %s", what, a.Reason), Evidence: a.Evidence, Assessment: a.Assessment}
	}
	return a
}

// measureMapped holds a provider's obligation answered through mappings
// to the provider's own open findings on the source controls too: a
// failure of a part is a failure of the whole.
func (x *EvidenceIndex) measureMapped(o ObligationRef, a Assurance, now time.Time) Assurance {
	if len(x.measured) == 0 || a.Status == AssuranceFailed {
		return a
	}
	for _, m := range o.Mapped {
		b := x.measure(ObligationRef{Offering: o.Offering, Control: m.Control}, a, now)
		if b.Status != a.Status {
			b.Reason = fmt.Sprintf("through %s (%s): %s", m.Control, m.Relationship, b.Reason)
			if b.Status == AssuranceFailed {
				return b
			}
			a = b
		}
	}
	return a
}

// measureMappedStatus is measureMapped's status alone.
func (x *EvidenceIndex) measureMappedStatus(offering string, mapped []MappedControl, st AssuranceStatus, day string) AssuranceStatus {
	if len(x.measured) == 0 || st == AssuranceFailed {
		return st
	}
	for _, m := range mapped {
		if s := x.measureStatus(offering, m.Control, st, day); s.worse(st) {
			st = s
		}
	}
	return st
}

// measureStatus is measure's status alone.
func (x *EvidenceIndex) measureStatus(offering, control string, st AssuranceStatus, day string) AssuranceStatus {
	if len(x.measured) == 0 {
		return st
	}
	f, eff, _, _ := x.worstMeasured(offering, control, day)
	switch {
	case f == nil || eff == "":
	case eff == AssuranceFailed:
		return AssuranceFailed
	case st == Assured:
		return AssuranceStale
	}
	return st
}
