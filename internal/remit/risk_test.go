package remit

import (
	"maps"
	"strings"
	"testing"
	"time"
)

// TestRiskScoring scores, bands and flags risks on the default 5 × 5.
func TestRiskScoring(t *testing.T) {
	s := DefaultRiskSettings()
	for _, c := range []struct {
		score int
		band  string
	}{{0, "none"}, {1, "low"}, {4, "low"}, {5, "medium"}, {9, "medium"}, {10, "high"}, {16, "high"}, {20, "very high"}, {25, "very high"}} {
		if got := s.Band(c.score); got != c.band {
			t.Errorf("band of %d: %q, want %q", c.score, got, c.band)
		}
	}
	r := Risk{Category: "supplier", Confidentiality: 4, Integrity: 2, Availability: 3, Inherent: Score{Likelihood: 3, Impact: 1}, Residual: Score{Likelihood: 2, Impact: 5}}
	if got := r.InherentScore(); got != 12 {
		t.Errorf("inherent: %d, want 3 × max(C4, I2, A3) = 12", got)
	}
	if !r.AboveAppetite(s) {
		t.Error("residual 10 is above the supplier appetite of 9")
	}
	r.Residual.Likelihood = 1
	if r.AboveAppetite(s) {
		t.Error("residual 5 is within the supplier appetite of 9")
	}
	r.Category = "legal-regulatory"
	if !r.AboveAppetite(s) {
		t.Error("residual 5 is above the legal appetite of 4")
	}
	r.Status, r.Acceptance = RiskAccepted, &Acceptance{Until: "2027-03-01"}
	for day, want := range map[string]RiskStatus{"2027-02-28": RiskAccepted, "2027-03-01": RiskReviewDue, "2027-04-01": RiskReviewDue} {
		if got := r.EffectiveStatus(day0(day)); got != want {
			t.Errorf("status on %s: %s, want %s", day, got, want)
		}
	}
	r.Review = "2026-12-01"
	if r.ReviewOverdue(day0("2026-12-01")) || !r.ReviewOverdue(day0("2026-12-02")) {
		t.Error("a review is overdue the day after its date")
	}
}

func day0(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t.Add(9 * time.Hour) }

// TestRiskValidate names every problem.
func TestRiskValidate(t *testing.T) {
	r := Risk{Title: " ", Category: "cyber", Confidentiality: 6, Inherent: Score{Likelihood: -1}, Target: 30, Treatment: "ignore", Status: "pending", Review: "soon",
		Concerns: []Ref{{Kind: "system", ID: "prison-visits"}, {Kind: "team", ID: "x"}}, Countermeasures: []Ref{{Kind: "control"}}}
	var got []string
	for _, p := range r.Validate(DefaultRiskSettings()) {
		got = append(got, p.Pointer+": "+p.Message)
	}
	want := []string{
		"/title: title is required",
		`/category: category "cyber" is not known: use one of "information-security", "legal-regulatory", "operational", "supplier"`,
		"/confidentiality: confidentiality 6 is outside the scale",
		"/inherent/likelihood: likelihood -1 is outside the scale",
		"/target: target 30 is outside 0 to 25",
		`/treatment: treatment "ignore" is not known`,
		`/status: status "pending" is not known`,
		`/review: review "soon" is not a date`,
		`/concerns/1: team "x" is not something a risk can name`,
		`/countermeasures/0: control "" is not something a risk can name`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want it to start %q", i, got[i], want[i])
		}
	}
}

// TestTakeRiskSnapshot counts the register on a day: closed risks left
// out, bands of the residual score, an acceptance expiring on the exact
// day, appetite and overdue reviews.
func TestTakeRiskSnapshot(t *testing.T) {
	s := DefaultRiskSettings()
	day := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	accepted := func(until string) *Acceptance { return &Acceptance{By: "r", Until: until, Rationale: "x"} }
	risks := []*Risk{
		{ID: "a", Category: "supplier", Status: RiskAccepted, Residual: Score{Likelihood: 2, Impact: 5}, Acceptance: accepted("2027-06-02")}, // high, above 9
		{ID: "b", Category: "supplier", Status: RiskAccepted, Residual: Score{Likelihood: 1, Impact: 4}, Acceptance: accepted("2027-06-01")}, // low; expires today
		{ID: "c", Category: "legal-regulatory", Status: RiskOpen, Residual: Score{Likelihood: 1, Impact: 5}, Review: "2027-05-31"},           // medium, above 4; overdue
		{ID: "d", Category: "operational", Status: RiskTreating, Review: "2027-06-01"},                                                       // not scored; due today, not overdue
		{ID: "e", Category: "operational", Status: RiskClosed, Residual: Score{Likelihood: 5, Impact: 5}, Review: "2020-01-01"},              // closed: not counted
	}
	got := TakeRiskSnapshot(risks, s, day.Add(13*time.Hour))
	want := RiskSnapshot{Day: "2027-06-01", Bands: map[string]int{"high": 1, "low": 1, "medium": 1, "none": 1}, Open: 4, Accepted: 1, AboveAppetite: 2, ReviewDue: 1, ReviewOverdue: 1}
	if got.Day != want.Day || got.Open != want.Open || got.Accepted != want.Accepted || got.AboveAppetite != want.AboveAppetite || got.ReviewDue != want.ReviewDue || got.ReviewOverdue != want.ReviewOverdue || !maps.Equal(got.Bands, want.Bands) {
		t.Errorf("snapshot\n got %+v\nwant %+v", got, want)
	}
}
