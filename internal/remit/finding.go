package remit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// KindFinding is a finding raised by an assessment.
const KindFinding Kind = "finding"

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
	Created     time.Time `json:"created" readOnly:"true"`
	CreatedBy   string    `json:"created_by" readOnly:"true"`
}

// Overdue reports whether the finding is still open past its due date.
func (f *Finding) Overdue(now time.Time) bool {
	return f.Status != FindingClosed && f.Due != "" && now.UTC().Format(time.DateOnly) > f.Due
}

// Validate reports every problem with f.
func (f *Finding) Validate() []Problem {
	var ps []Problem
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
	return ps
}

// AddFinding records a new finding.
func AddFinding(ctx context.Context, s Store, f Finding, actor string, now time.Time) (Finding, error) {
	if f.Status == "" {
		f.Status = "open"
	}
	if ps := f.Validate(); len(ps) > 0 {
		return Finding{}, &ValidationError{Problems: ps}
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return Finding{}, err
	}
	f.ID, f.Created, f.CreatedBy = "fi-"+hex.EncodeToString(id), now.UTC(), actor
	body := mustJSON(f)
	err := s.Write(ctx, func(tx Tx) error {
		if _, err := tx.CreateDocument(ctx, KindFinding, f.ID, body, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "create", KindFinding, f.ID, nil, body, now)
	})
	if err != nil {
		return Finding{}, fmt.Errorf("add finding: %w", err)
	}
	return f, nil
}

// UpdateFinding changes a finding (all but who raised it and when), if
// version is still the stored one.
func UpdateFinding(ctx context.Context, s Store, f Finding, version int64, actor string, now time.Time) (int64, error) {
	if ps := f.Validate(); len(ps) > 0 {
		return 0, &ValidationError{Problems: ps}
	}
	var out int64
	err := s.Write(ctx, func(tx Tx) error {
		old, err := tx.FindDocument(ctx, KindFinding, f.ID)
		if err != nil {
			return fmt.Errorf("finding %q: %w", f.ID, err)
		}
		var was Finding
		if err := json.Unmarshal(old.Body, &was); err != nil {
			return err
		}
		f.Created, f.CreatedBy = was.Created, was.CreatedBy
		body := mustJSON(f)
		d, err := tx.UpdateDocument(ctx, KindFinding, f.ID, body, version, now)
		if err != nil {
			return err
		}
		out = d.Version
		return appendAudit(ctx, tx, actor, "update", KindFinding, f.ID, old.Body, body, now)
	})
	if err != nil {
		return 0, fmt.Errorf("update finding: %w", err)
	}
	return out, nil
}

// FindFinding reads one finding and its version.
func FindFinding(ctx context.Context, tx Tx, id string) (Finding, int64, error) {
	f, d, err := decodeOne[Finding](ctx, tx, KindFinding, id)
	return f, d.Version, err
}

// Findings reads every finding, most severe and soonest due first.
func Findings(ctx context.Context, tx Tx) ([]Finding, error) {
	out, err := decodeAll[Finding](ctx, tx, KindFinding)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := slices.Index(Severities, b.Severity) - slices.Index(Severities, a.Severity); c != 0 {
			return c
		}
		return CompareDates(a.Due, b.Due)
	})
	return out, nil
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
