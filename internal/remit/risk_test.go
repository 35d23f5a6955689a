package remit

import (
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
