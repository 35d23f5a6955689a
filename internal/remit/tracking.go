package remit

import (
	"context"
	"encoding/json"
	"errors"
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

// TrackObligation records new tracking for obligation id, if version is
// still the stored one (0 for an obligation never tracked). It validates t
// first and writes nothing on a problem. The caller has checked that the
// obligation exists in the current model.
func TrackObligation(ctx context.Context, s Store, id string, t Tracking, version int64, actor string, now time.Time) (TrackedObligation, error) {
	if ps := t.Validate(); len(ps) > 0 {
		return TrackedObligation{}, &ValidationError{Problems: ps}
	}
	body := mustJSON(t)
	var out TrackedObligation
	err := s.Write(ctx, func(tx Tx) error {
		old, err := tx.FindDocument(ctx, KindObligation, id)
		switch {
		case errors.Is(err, ErrNotFound) && version == 0:
			d, err := tx.CreateDocument(ctx, KindObligation, id, body, now)
			if err != nil {
				return err
			}
			out = TrackedObligation{ID: id, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt}
			return appendAudit(ctx, tx, actor, "create", KindObligation, id, nil, body, now)
		case errors.Is(err, ErrNotFound):
			return fmt.Errorf("obligation %s has never been tracked, so its version is 0, not %d: %w", id, version, ErrConflict)
		case err != nil:
			return err
		}
		d, err := tx.UpdateDocument(ctx, KindObligation, id, body, version, now)
		if err != nil {
			return err
		}
		out = TrackedObligation{ID: id, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt}
		return appendAudit(ctx, tx, actor, "update", KindObligation, id, old.Body, body, now)
	})
	if err != nil {
		return TrackedObligation{}, fmt.Errorf("track obligation: %w", err)
	}
	return out, nil
}

// Trackings reads every stored tracking, keyed by obligation id.
func Trackings(ctx context.Context, tx Tx) (map[string]TrackedObligation, error) {
	docs, err := tx.Documents(ctx, KindObligation, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]TrackedObligation, len(docs))
	for _, d := range docs {
		var t Tracking
		if err := json.Unmarshal(d.Body, &t); err != nil {
			return nil, fmt.Errorf("read obligation %s: %w", d.ID, err)
		}
		out[d.ID] = TrackedObligation{ID: d.ID, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt}
	}
	return out, nil
}
