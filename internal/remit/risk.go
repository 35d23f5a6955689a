package remit

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// RiskScale names the levels of likelihood and impact, lowest first; a
// score is likelihood × impact.
type RiskScale struct {
	Likelihood []string `json:"likelihood"`
	Impact     []string `json:"impact"`
}

// RiskSettings are the register's scale and, per category, the highest
// residual score the organisation accepts (its appetite).
type RiskSettings struct {
	Scale    RiskScale      `json:"scale"`
	Appetite map[string]int `json:"appetite" doc:"Per category, the highest residual score within appetite"`
	// SecondApproval makes accepting a risk above appetite wait for a
	// second risk owner's approval.
	SecondApproval bool `json:"second_approval,omitempty" doc:"Accepting a risk above appetite waits for a second risk owner's approval"`
}

// DefaultRiskSettings is a 5 × 5 scale with named levels, and an appetite
// of 9 (medium) in every category but legal and regulatory (4).
func DefaultRiskSettings() RiskSettings {
	return RiskSettings{
		Scale: RiskScale{
			Likelihood: []string{"rare", "unlikely", "possible", "likely", "almost certain"},
			Impact:     []string{"negligible", "minor", "moderate", "major", "severe"},
		},
		Appetite: map[string]int{"information-security": 9, "supplier": 9, "operational": 9, "legal-regulatory": 4},
	}
}

// Max is the highest score on the scale.
func (s RiskSettings) Max() int { return len(s.Scale.Likelihood) * len(s.Scale.Impact) }

// Band names a score: low, medium, high or very high, by its share of the
// highest score (on 5 × 5: up to 4, 9, 16, then 25).
func (s RiskSettings) Band(score int) string {
	f := float64(score) / float64(max(1, s.Max()))
	switch {
	case score == 0:
		return "none"
	case f <= 0.16:
		return "low"
	case f <= 0.36:
		return "medium"
	case f <= 0.64:
		return "high"
	}
	return "very high"
}

// Categories lists the appetite's categories, sorted.
func (s RiskSettings) Categories() []string {
	out := make([]string, 0, len(s.Appetite))
	for c := range s.Appetite {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Treatments of a risk.
var Treatments = []string{"reduce", "accept", "transfer", "avoid"}

// RiskStatus is where a risk is in its life.
type RiskStatus string

// The statuses a risk is given; ReviewDue is derived (an acceptance that
// has expired).
const (
	RiskOpen      RiskStatus = "open"
	RiskTreating  RiskStatus = "treating"
	RiskAccepted  RiskStatus = "accepted"
	RiskClosed    RiskStatus = "closed"
	RiskReviewDue RiskStatus = "review-due"
)

// RiskStatuses are the statuses a risk may be set to (accepted only by
// accepting it).
var RiskStatuses = []RiskStatus{RiskOpen, RiskTreating, RiskAccepted, RiskClosed}

// Ref names something a risk concerns or a countermeasure: a system,
// provider, offering, control, obligation or finding, by id.
type Ref struct {
	Kind string `json:"kind" enum:"system,provider,offering,control,obligation,finding"`
	ID   string `json:"id"`
}

// Score is a likelihood and an impact, each a level of the scale
// (1 = lowest); 0 when not yet scored.
type Score struct {
	Likelihood int `json:"likelihood" minimum:"0" required:"false"`
	Impact     int `json:"impact" minimum:"0" required:"false"`
}

// Value is likelihood × impact.
func (s Score) Value() int { return s.Likelihood * s.Impact }

// Acceptance is a risk owner's recorded decision to accept a risk.
type Acceptance struct {
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Rationale string    `json:"rationale"`
	Until     string    `json:"until" doc:"YYYY-MM-DD: the acceptance returns for review that day"`
	// AboveAppetite records that the residual score was above the
	// category's appetite (Appetite) when the risk owner accepted it, and
	// that they said they knew.
	AboveAppetite bool `json:"above_appetite,omitempty"`
	Appetite      int  `json:"appetite,omitempty"`
	// AwaitingApproval marks an acceptance above appetite that waits for a
	// second risk owner (RiskSettings.SecondApproval): the risk stays
	// treating until they approve. ApprovedBy and ApprovedAt say who did.
	AwaitingApproval bool       `json:"awaiting_approval,omitempty"`
	ApprovedBy       string     `json:"approved_by,omitempty"`
	ApprovedAt       *time.Time `json:"approved_at,omitempty"`
	// Terms is what the risk owner accepted. Any change to them returns
	// the risk to treating, to be accepted again.
	Terms *RiskTerms `json:"terms,omitempty"`
}

// RiskTerms is what an acceptance covers: what the risk is, what it
// concerns, how it is scored and what is done about it.
type RiskTerms struct {
	Title           string `json:"title"`
	Description     string `json:"description,omitempty"`
	Threat          string `json:"threat,omitempty"`
	Vulnerability   string `json:"vulnerability,omitempty"`
	Category        string `json:"category"`
	Concerns        []Ref  `json:"concerns,omitempty"`
	Confidentiality int    `json:"confidentiality"`
	Integrity       int    `json:"integrity"`
	Availability    int    `json:"availability"`
	Inherent        Score  `json:"inherent"`
	Countermeasures []Ref  `json:"countermeasures,omitempty"`
	Residual        Score  `json:"residual"`
	Target          int    `json:"target,omitempty"`
}

// Terms is what accepting r now would accept.
func (r *Risk) Terms() RiskTerms {
	return RiskTerms{Title: r.Title, Description: r.Description, Threat: r.Threat, Vulnerability: r.Vulnerability,
		Category: r.Category, Concerns: slices.Clone(r.Concerns), Confidentiality: r.Confidentiality, Integrity: r.Integrity,
		Availability: r.Availability, Inherent: r.Inherent, Countermeasures: slices.Clone(r.Countermeasures), Residual: r.Residual, Target: r.Target}
}

// Same reports whether two terms are the same.
func (t RiskTerms) Same(u RiskTerms) bool {
	refs := func(a, b []Ref) bool { return slices.Equal(a, b) || len(a)+len(b) == 0 }
	cc, uc := t.Concerns, u.Concerns
	cm, um := t.Countermeasures, u.Countermeasures
	t.Concerns, u.Concerns, t.Countermeasures, u.Countermeasures = nil, nil, nil, nil
	return reflect.DeepEqual(t, u) && refs(cc, uc) && refs(cm, um)
}

// StillAccepted reports whether an update of an accepted risk, from was to
// r, keeps its acceptance: only if it stays accepted and changes nothing
// the acceptance covered (an acceptance recorded before terms were kept
// covers the risk as it was).
func (r *Risk) StillAccepted(was *Risk) bool {
	if was.Status != RiskAccepted || was.Acceptance == nil || r.Status != RiskAccepted || r.Treatment != "accept" {
		return false
	}
	accepted := was.Terms()
	if was.Acceptance.Terms != nil {
		accepted = *was.Acceptance.Terms
	}
	return r.Terms().Same(accepted)
}

// ScoreChange is one point of a risk's score history.
type ScoreChange struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Inherent Score     `json:"inherent"`
	Residual Score     `json:"residual"`
}

// Risk is one entry of the register.
type Risk struct {
	ID            string `json:"id" required:"false" doc:"Given by Remit"`
	Title         string `json:"title" maxLength:"300"`
	Description   string `json:"description,omitempty" maxLength:"10000"`
	Threat        string `json:"threat,omitempty" maxLength:"4000"`
	Vulnerability string `json:"vulnerability,omitempty" maxLength:"4000"`
	Category      string `json:"category"`
	Concerns      []Ref  `json:"concerns,omitempty"`
	// CIA is the impact on confidentiality, integrity and availability,
	// each a level of the impact scale (0 = none); the inherent impact is
	// the highest of the three.
	Confidentiality int        `json:"confidentiality" minimum:"0" required:"false"`
	Integrity       int        `json:"integrity" minimum:"0" required:"false"`
	Availability    int        `json:"availability" minimum:"0" required:"false"`
	Inherent        Score      `json:"inherent" required:"false" doc:"Before any controls"`
	Countermeasures []Ref      `json:"countermeasures,omitempty" doc:"Obligations and controls that reduce it"`
	Residual        Score      `json:"residual" required:"false" doc:"With the countermeasures in place"`
	Target          int        `json:"target,omitempty" doc:"The residual score aimed for"`
	Treatment       string     `json:"treatment,omitempty" enum:"reduce,accept,transfer,avoid"`
	Owner           string     `json:"owner,omitempty" doc:"The risk owner's email"`
	Review          string     `json:"review,omitempty" doc:"YYYY-MM-DD: the next review"`
	Status          RiskStatus `json:"status" required:"false" enum:"open,treating,accepted,closed" doc:"open when omitted"`
	// LegalBreach marks a risk that would be a breach of law or
	// regulation: it can never be accepted.
	LegalBreach bool          `json:"legal_breach,omitempty"`
	Acceptance  *Acceptance   `json:"acceptance,omitempty" readOnly:"true"`
	History     []ScoreChange `json:"history,omitempty" readOnly:"true"`
	Proposal    string        `json:"proposal,omitempty" doc:"The proposal it was adopted from"`
	Created     time.Time     `json:"created" readOnly:"true"`
	CreatedBy   string        `json:"created_by" readOnly:"true"`
}

// InherentScore is the inherent likelihood × the highest CIA impact, or
// the inherent impact given when no CIA impact is.
func (r *Risk) InherentScore() int { return r.InherentAsScored().Value() }

// InherentAsScored is the inherent score as it is worked out: the
// likelihood and the impact that counts (the highest CIA impact, or the
// inherent impact given when no CIA impact is). The score history keeps
// this, so that it reads as the score beside it does.
func (r *Risk) InherentAsScored() Score {
	impact := max(r.Confidentiality, r.Integrity, r.Availability)
	if impact == 0 {
		impact = r.Inherent.Impact
	}
	return Score{Likelihood: r.Inherent.Likelihood, Impact: impact}
}

// EffectiveStatus is the risk's status on day now: an accepted risk whose
// acceptance has expired is due for review.
func (r *Risk) EffectiveStatus(now time.Time) RiskStatus {
	return r.StatusOn(now.UTC().Format(time.DateOnly))
}

// StatusOn is EffectiveStatus for a day written YYYY-MM-DD.
func (r *Risk) StatusOn(day string) RiskStatus {
	if r.Status == RiskAccepted && r.Acceptance != nil && day >= r.Acceptance.Until {
		return RiskReviewDue
	}
	return r.Status
}

// AboveAppetite reports whether the residual score exceeds the appetite
// of the risk's category.
func (r *Risk) AboveAppetite(s RiskSettings) bool {
	limit, ok := s.Appetite[r.Category]
	return ok && r.Residual.Value() > limit
}

// ReviewOverdue reports whether the next review date has passed.
func (r *Risk) ReviewOverdue(now time.Time) bool {
	return r.Status != RiskClosed && r.Review != "" && now.UTC().Format(time.DateOnly) > r.Review
}

// Validate reports every problem with a risk against the settings.
func (r *Risk) Validate(s RiskSettings) []Problem {
	ps := lengthProblems(field{"/title", "title", r.Title, MaxName}, field{"/description", "description", r.Description, MaxText},
		field{"/threat", "threat", r.Threat, MaxDetail}, field{"/vulnerability", "vulnerability", r.Vulnerability, MaxDetail})
	add := func(ptr, format string, a ...any) {
		ps = append(ps, Problem{Pointer: ptr, Message: fmt.Sprintf(format, a...)})
	}
	if strings.TrimSpace(r.Title) == "" {
		add("/title", "title is required: say in a line what could go wrong")
	}
	if _, ok := s.Appetite[r.Category]; !ok {
		add("/category", "category %q is not known: use one of %s", r.Category, joinQuoted(s.Categories()))
	}
	nl, ni := len(s.Scale.Likelihood), len(s.Scale.Impact)
	level := func(ptr, name string, v, n int) {
		if v < 0 || v > n {
			add(ptr, "%s %d is outside the scale: 1 (%s) to %d, or 0 for not yet scored", name, v, "lowest", n)
		}
	}
	level("/confidentiality", "confidentiality", r.Confidentiality, ni)
	level("/integrity", "integrity", r.Integrity, ni)
	level("/availability", "availability", r.Availability, ni)
	level("/inherent/likelihood", "likelihood", r.Inherent.Likelihood, nl)
	level("/inherent/impact", "impact", r.Inherent.Impact, ni)
	level("/residual/likelihood", "likelihood", r.Residual.Likelihood, nl)
	level("/residual/impact", "impact", r.Residual.Impact, ni)
	if r.Target < 0 || r.Target > s.Max() {
		add("/target", "target %d is outside 0 to %d", r.Target, s.Max())
	}
	if r.Treatment != "" && !slices.Contains(Treatments, r.Treatment) {
		add("/treatment", "treatment %q is not known: use one of %s", r.Treatment, joinQuoted(Treatments))
	}
	if !slices.Contains(RiskStatuses, r.Status) {
		add("/status", "status %q is not known: use one of %s", r.Status, joinQuoted(stringsOf(RiskStatuses)))
	}
	if r.Review != "" {
		if _, err := time.Parse(time.DateOnly, r.Review); err != nil {
			add("/review", "review %q is not a date: write it as YYYY-MM-DD", r.Review)
		}
	}
	for i, c := range append(slices.Clone(r.Concerns), r.Countermeasures...) {
		ptr := fmt.Sprintf("/concerns/%d", i)
		if i >= len(r.Concerns) {
			ptr = fmt.Sprintf("/countermeasures/%d", i-len(r.Concerns))
		}
		if !slices.Contains([]string{"system", "provider", "offering", "control", "obligation", "finding"}, c.Kind) || c.ID == "" {
			add(ptr, "%s %q is not something a risk can name: give a system, provider, offering, control, obligation or finding with its id", c.Kind, c.ID)
		}
	}
	return ps
}

// Validate reports what is wrong with the settings: each scale has 2 to
// 10 levels, and every appetite is within the scale.
func (rs RiskSettings) Validate() []Problem {
	var ps []Problem
	if n, m := len(rs.Scale.Likelihood), len(rs.Scale.Impact); n < 2 || n > 10 || m < 2 || m > 10 {
		ps = append(ps, Problem{Pointer: "/scale", Message: "each scale has 2 to 10 named levels"})
	}
	if len(rs.Appetite) == 0 {
		ps = append(ps, Problem{Pointer: "/appetite", Message: "name at least one category with its appetite"})
	}
	for _, c := range sortedKeys(rs.Appetite) {
		if v := rs.Appetite[c]; v < 0 || v > rs.Max() {
			ps = append(ps, Problem{Pointer: "/appetite/" + c, Message: fmt.Sprintf("appetite %d for %s is outside 0 to %d", v, c, rs.Max())})
		}
	}
	return ps
}
