package remit

import (
	"fmt"
	"strings"
	"time"
)

// ObligationStatus is how far the organisation has got with one of its
// obligations.
type ObligationStatus string

// The obligation statuses.
const (
	StatusNotStarted    ObligationStatus = "not-started"
	StatusInProgress    ObligationStatus = "in-progress"
	StatusImplemented   ObligationStatus = "implemented"
	StatusNotApplicable ObligationStatus = "not-applicable"
)

// ObligationStatuses lists every status in lifecycle order.
var ObligationStatuses = []ObligationStatus{StatusNotStarted, StatusInProgress, StatusImplemented, StatusNotApplicable}

// Tracking is what the service records about one of our obligations: who
// owns it, how far it has got and by when.
type Tracking struct {
	// Owner is a team or a person.
	Owner  string           `json:"owner,omitempty"`
	Status ObligationStatus `json:"status"`
	// Reason says why the obligation is not applicable (required then).
	Reason string `json:"reason,omitempty"`
	// Due is a date, YYYY-MM-DD.
	Due   string `json:"due,omitempty"`
	Notes string `json:"notes,omitempty"`
}

// Open reports whether the obligation is not yet implemented: not
// started or in progress.
func (t Tracking) Open() bool { return t.Status == StatusNotStarted || t.Status == StatusInProgress }

// Overdue reports whether the obligation is open past its due day (day
// is YYYY-MM-DD).
func (t Tracking) Overdue(day string) bool { return t.Open() && t.Due != "" && t.Due < day }

// DefaultTracking is the tracking of an obligation nobody has touched.
var DefaultTracking = Tracking{Status: StatusNotStarted}

// Validate reports every problem with t, addressed by JSON pointer.
func (t Tracking) Validate() []Problem {
	var ps []Problem
	valid := false
	for _, s := range ObligationStatuses {
		valid = valid || t.Status == s
	}
	if !valid {
		ps = append(ps, Problem{Pointer: "/status", Message: fmt.Sprintf("status %q is not known: use one of %s%s", t.Status, joinQuoted(stringsOf(ObligationStatuses)), suggest(string(t.Status), stringsOf(ObligationStatuses)))})
	}
	if t.Status == StatusNotApplicable && strings.TrimSpace(t.Reason) == "" {
		ps = append(ps, Problem{Pointer: "/reason", Message: "reason is required when the status is not-applicable: say why the obligation does not apply"})
	}
	if t.Due != "" {
		if _, err := time.Parse(time.DateOnly, t.Due); err != nil {
			ps = append(ps, Problem{Pointer: "/due", Message: fmt.Sprintf("due %q is not a date: write it as YYYY-MM-DD", t.Due)})
		}
	}
	if len(t.Owner) > 200 || len(t.Notes) > 10000 || len(t.Reason) > 2000 {
		ps = append(ps, Problem{Pointer: "", Message: "owner (200), reason (2,000) or notes (10,000 characters) is too long"})
	}
	return ps
}

// TrackedObligation is a stored tracking and its version (0 when the
// obligation has never been tracked and carries DefaultTracking).
type TrackedObligation struct {
	ID        string    `json:"id"`
	Tracking  Tracking  `json:"tracking"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}
