package remit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Severity is how much a finding matters.
type Severity string

// The severities, least first.
var Severities = []Severity{"low", "medium", "high", "critical"}

// FindingStatus is where a finding is.
type FindingStatus string

// The statuses of a finding.
var FindingStatuses = []FindingStatus{"open", "in-progress", "closed"}

// FindingClosed is the status of a finding dealt with.
const FindingClosed FindingStatus = "closed"

// Finding is something an assessment found wanting: its severity, owner,
// due date and status, where it came from and the obligations it
// concerns.
type Finding struct {
	ID          string        `json:"id" required:"false" doc:"Given by Remit"`
	Title       string        `json:"title" maxLength:"300"`
	Description string        `json:"description,omitempty" maxLength:"10000"`
	Severity    Severity      `json:"severity" enum:"low,medium,high,critical"`
	Owner       string        `json:"owner,omitempty" maxLength:"200"`
	Due         string        `json:"due,omitempty" doc:"YYYY-MM-DD"`
	Status      FindingStatus `json:"status" enum:"open,in-progress,closed"`
	// Source is where it was found: an assessment's id, or a note.
	Source      string    `json:"source,omitempty" maxLength:"300"`
	Obligations []string  `json:"obligations,omitempty" doc:"Ids of the obligations it concerns"`
	Clauses     []string  `json:"clauses,omitempty" doc:"Supplier obligations it says are not kept: provider/clause"`
	Created     time.Time `json:"created" readOnly:"true"`
	CreatedBy   string    `json:"created_by" readOnly:"true"`
}

// Overdue reports whether the finding is still open past its due date.
func (f *Finding) Overdue(now time.Time) bool {
	return f.Status != FindingClosed && f.Due != "" && now.UTC().Format(time.DateOnly) > f.Due
}

// Validate reports every problem with f.
func (f *Finding) Validate() []Problem {
	ps := lengthProblems(field{"/title", "title", f.Title, MaxName}, field{"/description", "description", f.Description, MaxText},
		field{"/owner", "owner", f.Owner, 200}, field{"/source", "source", f.Source, MaxName})
	if strings.TrimSpace(f.Title) == "" {
		ps = append(ps, Problem{Pointer: "/title", Message: "title is required: say in a line what was found"})
	}
	if !slices.Contains(Severities, f.Severity) {
		ps = append(ps, Problem{Pointer: "/severity", Message: fmt.Sprintf("severity %q is not known: use one of %s", f.Severity, joinQuoted(stringsOf(Severities)))})
	}
	if !slices.Contains(FindingStatuses, f.Status) {
		ps = append(ps, Problem{Pointer: "/status", Message: fmt.Sprintf("status %q is not known: use one of %s", f.Status, joinQuoted(stringsOf(FindingStatuses)))})
	}
	if f.Due != "" {
		if _, err := time.Parse(time.DateOnly, f.Due); err != nil {
			ps = append(ps, Problem{Pointer: "/due", Message: fmt.Sprintf("due %q is not a date: write it as YYYY-MM-DD", f.Due)})
		}
	}
	for i, o := range f.Obligations {
		if strings.Count(o, "/") < 4 {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/obligations/%d", i), Message: fmt.Sprintf("%q is not an obligation id (system/catalogue:control/provider/offering/party)", o)})
		}
	}
	for i, c := range f.Clauses {
		if pr, cl, ok := strings.Cut(c, "/"); !ok || !ValidID(pr) || !ValidID(cl) {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/clauses/%d", i), Message: fmt.Sprintf("%q is not a supplier's clause (provider/clause, such as casetrack/breach-notification)", c)})
		}
	}
	return ps
}

// CompareDates orders dates written YYYY-MM-DD, undated last.
func CompareDates(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}
