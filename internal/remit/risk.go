package remit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of the risk register: risks, and its settings (one document,
// id "settings": the scale and the appetite).
const (
	KindRisk         Kind = "risk"
	KindRiskSettings Kind = "risk-settings"
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
func (r *Risk) InherentScore() int {
	impact := max(r.Confidentiality, r.Integrity, r.Availability)
	if impact == 0 {
		impact = r.Inherent.Impact
	}
	return r.Inherent.Likelihood * impact
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
	var ps []Problem
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

// riskSettings reads the register's settings (the default when none are
// stored).
func riskSettings(ctx context.Context, tx Tx) (RiskSettings, error) {
	s, _, err := decodeOne[RiskSettings](ctx, tx, KindRiskSettings, "settings")
	if isNotFound(err) {
		return DefaultRiskSettings(), nil
	}
	return s, err
}

// FindRiskSettings reads the register's settings.
func FindRiskSettings(ctx context.Context, tx Tx) (RiskSettings, error) { return riskSettings(ctx, tx) }

// SaveRiskSettings sets the register's scale and appetite (an admin).
func SaveRiskSettings(ctx context.Context, s Store, rs RiskSettings, p Principal, now time.Time) error {
	if !p.May(ActSetRiskSettings, "") {
		return fmt.Errorf("the risk scale and appetite are set by an admin, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	var ps []Problem
	if n, m := len(rs.Scale.Likelihood), len(rs.Scale.Impact); n < 2 || n > 10 || m < 2 || m > 10 {
		ps = append(ps, Problem{Pointer: "/scale", Message: "each scale has 2 to 10 named levels"})
	}
	if len(rs.Appetite) == 0 {
		ps = append(ps, Problem{Pointer: "/appetite", Message: "name at least one category with its appetite"})
	}
	for c, v := range rs.Appetite {
		if v < 0 || v > rs.Max() {
			ps = append(ps, Problem{Pointer: "/appetite/" + c, Message: fmt.Sprintf("appetite %d for %s is outside 0 to %d", v, c, rs.Max())})
		}
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	body := mustJSON(rs)
	return s.Write(ctx, func(tx Tx) error {
		old, err := tx.FindDocument(ctx, KindRiskSettings, "settings")
		switch {
		case err == nil:
			if _, err := tx.UpdateDocument(ctx, KindRiskSettings, "settings", body, old.Version, now); err != nil {
				return err
			}
			return appendAudit(ctx, tx, p.Email, "update", KindRiskSettings, "settings", old.Body, body, now)
		case isNotFound(err):
			if _, err := tx.CreateDocument(ctx, KindRiskSettings, "settings", body, now); err != nil {
				return err
			}
			return appendAudit(ctx, tx, p.Email, "create", KindRiskSettings, "settings", nil, body, now)
		}
		return err
	})
}

// ownerProblems checks that a risk's owner, if named, is an account with
// the risk-owner role: the person who may accept it.
func ownerProblems(ctx context.Context, tx Tx, owner string) ([]Problem, error) {
	if owner == "" {
		return nil, nil
	}
	u, err := FindUser(ctx, tx, owner)
	switch {
	case isNotFound(err):
		return []Problem{{Pointer: "/owner", Message: fmt.Sprintf("owner %q is not an account: name a risk owner's email", owner)}}, nil
	case err != nil:
		return nil, err
	case u.Role != RoleRiskOwner:
		return []Problem{{Pointer: "/owner", Message: fmt.Sprintf("owner %s is %s, not a risk owner: name an account with the risk-owner role", owner, u.Role.Article())}}, nil
	}
	return nil, nil
}

// AddRisk records a new risk. It cannot be added accepted: acceptance is
// a decision of its own (AcceptRisk).
func AddRisk(ctx context.Context, s Store, r Risk, p Principal, now time.Time) (Risk, error) {
	if !p.May(ActEditRisk, "") {
		return Risk{}, fmt.Errorf("%s may read risks but not record them: %w", p.Role.Article(), ErrForbidden)
	}
	if r.Status == "" {
		r.Status = RiskOpen
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return Risk{}, err
	}
	r.ID, r.Created, r.CreatedBy, r.Acceptance = "ri-"+hex.EncodeToString(id), now.UTC(), p.Email, nil
	r.History = []ScoreChange{{At: now.UTC(), By: p.Email, Inherent: r.Inherent, Residual: r.Residual}}
	err := s.Write(ctx, func(tx Tx) error {
		rs, err := riskSettings(ctx, tx)
		if err != nil {
			return err
		}
		ops, err := ownerProblems(ctx, tx, r.Owner)
		if err != nil {
			return err
		}
		ps := append(r.Validate(rs), ops...)
		if r.Status == RiskAccepted {
			ps = append(ps, Problem{Pointer: "/status", Message: "a risk is accepted by its risk owner's decision, not by its status: record it, then accept it"})
		}
		if len(ps) > 0 {
			return &ValidationError{Problems: ps}
		}
		body := mustJSON(r)
		if _, err := tx.CreateDocument(ctx, KindRisk, r.ID, body, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, p.Email, "create", KindRisk, r.ID, nil, body, now)
	})
	if err != nil {
		return Risk{}, fmt.Errorf("add risk: %w", err)
	}
	return r, nil
}

// UpdateRisk changes a risk, if version is still the stored one. Its
// acceptance and history are kept; a change of score adds to the history;
// status accepted can only be kept, not set (AcceptRisk).
func UpdateRisk(ctx context.Context, s Store, r Risk, version int64, p Principal, now time.Time) (int64, error) {
	if !p.May(ActEditRisk, "") {
		return 0, fmt.Errorf("%s may read risks but not change them: %w", p.Role.Article(), ErrForbidden)
	}
	var out int64
	err := s.Write(ctx, func(tx Tx) error {
		was, d, err := decodeOne[Risk](ctx, tx, KindRisk, r.ID)
		if err != nil {
			return err
		}
		rs, err := riskSettings(ctx, tx)
		if err != nil {
			return err
		}
		r.Acceptance, r.History, r.Created, r.CreatedBy, r.Proposal = was.Acceptance, was.History, was.Created, was.CreatedBy, was.Proposal
		ps := r.Validate(rs)
		if r.Owner != was.Owner {
			ops, err := ownerProblems(ctx, tx, r.Owner)
			if err != nil {
				return err
			}
			ps = append(ps, ops...)
		}
		if r.Status == RiskAccepted && was.Status != RiskAccepted {
			ps = append(ps, Problem{Pointer: "/status", Message: "a risk is accepted by its risk owner's decision (accept), not by setting its status"})
		} else if r.Status == RiskAccepted && r.LegalBreach {
			ps = append(ps, Problem{Pointer: "/legal_breach", Message: "a risk that would be a breach of law or regulation cannot stay accepted: set its status to open or treating as well"})
		}
		if len(ps) > 0 {
			return &ValidationError{Problems: ps}
		}
		if r.Status != RiskAccepted {
			r.Acceptance = nil
		}
		if r.Inherent != was.Inherent || r.Residual != was.Residual {
			r.History = append(slices.Clone(r.History), ScoreChange{At: now.UTC(), By: p.Email, Inherent: r.Inherent, Residual: r.Residual})
		}
		body := mustJSON(r)
		nd, err := tx.UpdateDocument(ctx, KindRisk, r.ID, body, version, now)
		if err != nil {
			return err
		}
		out = nd.Version
		return appendAudit(ctx, tx, p.Email, "update", KindRisk, r.ID, d.Body, body, now)
	})
	if err != nil {
		return 0, fmt.Errorf("risk %s: %w", r.ID, err)
	}
	return out, nil
}

// AcceptRisk records a risk owner's decision to accept a risk: only a
// risk owner may, with a rationale and the day the acceptance returns for
// review; a risk flagged as a legal or regulatory breach can never be
// accepted (accepting a risk is a business decision, never a breach of
// law).
func AcceptRisk(ctx context.Context, s Store, id, rationale, until string, version int64, p Principal, now time.Time) (int64, error) {
	if !p.May(ActAcceptRisk, "") {
		return 0, fmt.Errorf("only a risk owner accepts a risk, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	var ps []Problem
	if strings.TrimSpace(rationale) == "" {
		ps = append(ps, Problem{Pointer: "/rationale", Message: "the rationale is required: record why the organisation accepts this risk"})
	}
	if t, err := time.Parse(time.DateOnly, until); err != nil {
		ps = append(ps, Problem{Pointer: "/until", Message: fmt.Sprintf("until %q is not a date: write it as YYYY-MM-DD", until)})
	} else if !t.After(now.UTC()) {
		ps = append(ps, Problem{Pointer: "/until", Message: fmt.Sprintf("until %s is not in the future: an acceptance returns for review on a later day", until)})
	}
	if len(ps) > 0 {
		return 0, &ValidationError{Problems: ps}
	}
	var out int64
	err := s.Write(ctx, func(tx Tx) error {
		r, d, err := decodeOne[Risk](ctx, tx, KindRisk, id)
		if err != nil {
			return err
		}
		if r.LegalBreach {
			return &ValidationError{Problems: []Problem{{Pointer: "/legal_breach", Message: "this risk would be a breach of law or regulation: it cannot be accepted; reduce, transfer or avoid it"}}}
		}
		if r.Status == RiskClosed {
			return fmt.Errorf("risk %s is closed: %w", id, ErrConflict)
		}
		r.Status, r.Treatment = RiskAccepted, "accept"
		r.Acceptance = &Acceptance{By: p.Email, At: now.UTC(), Rationale: strings.TrimSpace(rationale), Until: until}
		body := mustJSON(r)
		nd, err := tx.UpdateDocument(ctx, KindRisk, id, body, version, now)
		if err != nil {
			return err
		}
		out = nd.Version
		return appendAudit(ctx, tx, p.Email, "accept", KindRisk, id, d.Body, body, now)
	})
	if err != nil {
		return 0, fmt.Errorf("accept risk %s: %w", id, err)
	}
	return out, nil
}

// FindRisk reads one risk and its version.
func FindRisk(ctx context.Context, tx Tx, id string) (Risk, int64, error) {
	r, d, err := decodeOne[Risk](ctx, tx, KindRisk, id)
	return r, d.Version, err
}

// Risks reads the whole register.
func Risks(ctx context.Context, tx Tx) ([]Risk, error) { return decodeAll[Risk](ctx, tx, KindRisk) }
