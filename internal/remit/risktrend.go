package remit

import (
	"time"
)

// RiskSnapshot is one day's register in numbers: a point of its trend.
type RiskSnapshot struct {
	Day string `json:"day"`
	// Bands counts the risks not closed by the band of their residual score.
	Bands         map[string]int `json:"bands"`
	Open          int            `json:"open" doc:"Risks not closed"`
	Accepted      int            `json:"accepted"`
	AboveAppetite int            `json:"above_appetite" doc:"Risks not closed whose residual score is above their category's appetite"`
	ReviewDue     int            `json:"review_due" doc:"Accepted risks whose acceptance has expired"`
	ReviewOverdue int            `json:"review_overdue" doc:"Risks not closed past their review date"`
}

// TakeRiskSnapshot counts the register as it stands on day now.
func TakeRiskSnapshot(risks []*Risk, s RiskSettings, now time.Time) RiskSnapshot {
	day := now.UTC().Format(time.DateOnly)
	sn := RiskSnapshot{Day: day, Bands: map[string]int{}}
	for _, r := range risks {
		st := r.StatusOn(day)
		if st == RiskClosed {
			continue
		}
		sn.Open++
		sn.Bands[s.Band(r.Residual.Value())]++
		switch st {
		case RiskAccepted:
			sn.Accepted++
		case RiskReviewDue:
			sn.ReviewDue++
		}
		if r.AboveAppetite(s) {
			sn.AboveAppetite++
		}
		if r.ReviewOverdue(now) {
			sn.ReviewOverdue++
		}
	}
	return sn
}
