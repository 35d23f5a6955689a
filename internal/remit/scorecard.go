package remit

import (
	"time"
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
	Indirect     int                     `json:"indirect,omitempty" doc:"Systems relying on it only through another supplier's offering or a declared sub-processor (providers only)"`
	Tier         int                     `json:"tier,omitempty" doc:"The supplier's tier (providers only): set by hand, or worked out from the systems relying on it"`
	ExpiringSoon int                     `json:"expiring_soon" doc:"Evidence for it that expires within 30 days"`
	OpenFindings int                     `json:"open_findings"`
	OwnFindings  int                     `json:"own_findings" doc:"Open items of the provider's own POA&M or assessment results"`
	LastAssessed string                  `json:"last_assessed,omitempty" doc:"The day its last assessment was signed off"`
	ReviewDue    string                  `json:"review_due,omitempty" doc:"When its next review is due"`
	Overdue      bool                    `json:"overdue" doc:"Its review is past due"`
	// LeavesNotAssured counts the obligations of other offerings that rest
	// on it (the chain of reliance) and fall short because its own
	// assurance has lapsed or failed.
	LeavesNotAssured int `json:"leaves_not_assured,omitempty" doc:"Obligations of other offerings resting on it that its own lapse leaves not assured (unassured, stale or failed)"`
	// Clauses counts the supplier obligations of its contract and
	// security aspects letter by assurance status (providers only).
	Clauses         map[AssuranceStatus]int `json:"clauses,omitempty" doc:"Its contract's and security aspects letter's clauses by assurance status"`
	EvidenceMissing bool                    `json:"evidence_missing,omitempty" doc:"Its tier requires evidence of which none is current"`
	Offerings       []Scorecard             `json:"offerings,omitempty"`
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

// ScorecardSnapshot is one day's scorecard counts, per offering: the
// points of the trend.
type ScorecardSnapshot struct {
	Day       string                    `json:"day"`
	Offerings map[string]map[string]int `json:"offerings"`
}

// Count is the number of obligations with an assurance status.
func (c Scorecard) Count(status string) int { return c.Counts[AssuranceStatus(status)] }
