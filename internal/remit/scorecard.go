package remit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds for supplier review cadences (id the provider) and daily
// scorecard snapshots (id the day).
const (
	KindReviewCadence     Kind = "review-cadence"
	KindScorecardSnapshot Kind = "scorecard-snapshot"
)

// DefaultReviewMonths is how often a supplier is reviewed unless set.
const DefaultReviewMonths = 12

// Scorecard is how a provider, or one offering, meets its obligations to
// the estate: each obligation (a control it owes a part of, once however
// many systems rely on it) by assurance status, the evidence expiring
// soon, open findings, the last completed assessment and the next review.
type Scorecard struct {
	Provider     string                  `json:"provider"`
	Offering     string                  `json:"offering,omitempty"`
	Name         string                  `json:"name"`
	Counts       map[AssuranceStatus]int `json:"counts"`
	Obligations  int                     `json:"obligations"`
	Systems      int                     `json:"systems" doc:"Systems relying on it directly"`
	ExpiringSoon int                     `json:"expiring_soon" doc:"Evidence for it that expires within 30 days"`
	OpenFindings int                     `json:"open_findings"`
	LastAssessed string                  `json:"last_assessed,omitempty" doc:"The day its last assessment was signed off"`
	ReviewDue    string                  `json:"review_due,omitempty" doc:"When its next review is due"`
	Overdue      bool                    `json:"overdue" doc:"Its review is past due"`
	Offerings    []Scorecard             `json:"offerings,omitempty"`
}

// AssuredShare is the share of obligations assured (or not needing it),
// in whole percent.
func (c Scorecard) AssuredShare() int {
	if c.Obligations == 0 {
		return 0
	}
	n := c.Counts[Assured] + c.Counts[AssuranceUnnecessary]
	return (n*100 + c.Obligations/2) / c.Obligations
}

// ReviewDue is the day a supplier's next review is due: months after the
// last assessment, or today when it has never been assessed.
func ReviewDue(last string, months int, now time.Time) string {
	if last == "" {
		return now.UTC().Format(time.DateOnly)
	}
	t, err := time.Parse(time.DateOnly, last)
	if err != nil {
		return ""
	}
	return t.AddDate(0, months, 0).Format(time.DateOnly)
}

// ReviewCadences reads the review cadences set, in months, by provider.
func ReviewCadences(ctx context.Context, tx Tx) (map[string]int, error) {
	docs, err := tx.Documents(ctx, KindReviewCadence, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(docs))
	for _, d := range docs {
		var c struct {
			Months int `json:"months"`
		}
		if err := json.Unmarshal(d.Body, &c); err != nil {
			return nil, err
		}
		out[d.ID] = c.Months
	}
	return out, nil
}

// SetReviewCadence sets how often a provider is reviewed (1 to 36 months).
func SetReviewCadence(ctx context.Context, s Store, provider string, months int, p Principal, now time.Time) error {
	if !p.May(ActSignOff, "") {
		return fmt.Errorf("review cadences are set by assessors, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	if months < 1 || months > 36 {
		return &ValidationError{Problems: []Problem{{Pointer: "/months", Message: fmt.Sprintf("review every %d months is outside 1 to 36", months)}}}
	}
	body := mustJSON(map[string]int{"months": months})
	return s.Write(ctx, func(tx Tx) error {
		old, err := tx.FindDocument(ctx, KindReviewCadence, provider)
		switch {
		case err == nil:
			if _, err := tx.UpdateDocument(ctx, KindReviewCadence, provider, body, old.Version, now); err != nil {
				return err
			}
			return appendAudit(ctx, tx, p.Email, "update", KindReviewCadence, provider, old.Body, body, now)
		case isNotFound(err):
			if _, err := tx.CreateDocument(ctx, KindReviewCadence, provider, body, now); err != nil {
				return err
			}
			return appendAudit(ctx, tx, p.Email, "create", KindReviewCadence, provider, nil, body, now)
		}
		return err
	})
}

// ScorecardSnapshot is one day's scorecard counts, per offering: the
// points of the trend.
type ScorecardSnapshot struct {
	Day       string                    `json:"day"`
	Offerings map[string]map[string]int `json:"offerings"`
}

// SaveScorecardSnapshot keeps a day's snapshot (replacing one taken
// earlier the same day).
func SaveScorecardSnapshot(ctx context.Context, s Store, sn ScorecardSnapshot, actor string, now time.Time) error {
	return putDaily(ctx, s, KindScorecardSnapshot, sn.Day, mustJSON(sn), now)
}

// ScorecardSnapshots reads the last n snapshots, oldest first.
func ScorecardSnapshots(ctx context.Context, tx Tx, n int) ([]ScorecardSnapshot, error) {
	return lastDaily[ScorecardSnapshot](ctx, tx, KindScorecardSnapshot, n)
}

// putDaily keeps one document of kind for a day (YYYY-MM-DD), replacing
// one kept earlier that day: the points of a trend.
func putDaily(ctx context.Context, s Store, kind Kind, day string, body []byte, now time.Time) error {
	return s.Write(ctx, func(tx Tx) error {
		old, err := tx.FindDocument(ctx, kind, day)
		switch {
		case err == nil:
			_, err = tx.UpdateDocument(ctx, kind, day, body, old.Version, now)
			return err
		case isNotFound(err):
			_, err = tx.CreateDocument(ctx, kind, day, body, now)
			return err
		}
		return err
	})
}

// lastDaily reads the last n daily documents of kind, oldest first.
func lastDaily[T any](ctx context.Context, tx Tx, kind Kind, n int) ([]T, error) {
	docs, err := tx.Documents(ctx, kind, "")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b Document) int { return strings.Compare(a.ID, b.ID) })
	docs = docs[max(0, len(docs)-n):]
	out := make([]T, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d.Body, &out[i]); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, d.ID, err)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Count is the number of obligations with an assurance status.
func (c Scorecard) Count(status string) int { return c.Counts[AssuranceStatus(status)] }
