package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// --- findings ---------------------------------------------------------------

// Finding reads one finding and its version.
func (s *Service) Finding(ctx context.Context, id string) (remit.Finding, int64, error) {
	return findingDocs.get(ctx, s.store, id)
}

// Findings reads every finding, most severe and soonest due first.
func (s *Service) Findings(ctx context.Context) ([]remit.Finding, error) {
	var out []remit.Finding
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = findingDocs.list(ctx, tx, "")
		return err
	})
	slices.SortStableFunc(out, func(a, b remit.Finding) int {
		if c := slices.Index(remit.Severities, b.Severity) - slices.Index(remit.Severities, a.Severity); c != 0 {
			return c
		}
		return remit.CompareDates(a.Due, b.Due)
	})
	return out, err
}

// AddFinding raises a finding.
func (s *Service) AddFinding(ctx context.Context, p remit.Principal, f remit.Finding) (remit.Finding, error) {
	if err := mayAssess(p, "findings"); err != nil {
		return remit.Finding{}, err
	}
	if f.Status == "" {
		f.Status = "open"
	}
	if ps := f.Validate(); len(ps) > 0 {
		return remit.Finding{}, &remit.ValidationError{Problems: ps}
	}
	now := s.now()
	f.ID, f.Created, f.CreatedBy = newID("fi-"), now.UTC(), p.Email
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		if err := findingClausesExist(ctx, tx, f.Clauses); err != nil {
			return nil, err
		}
		_, err := findingDocs.create(ctx, tx, change{p.Email, now}, f.ID, f)
		return nil, err
	})
	if err != nil {
		return remit.Finding{}, fmt.Errorf("add finding: %w", err)
	}
	return f, nil
}

// UpdateFinding changes a finding (all but who raised it and when), if
// version is still the stored one.
func (s *Service) UpdateFinding(ctx context.Context, p remit.Principal, f remit.Finding, version int64) (int64, error) {
	if err := mayAssess(p, "findings"); err != nil {
		return 0, err
	}
	if ps := f.Validate(); len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		was, _, err := findingDocs.find(ctx, tx, f.ID)
		if err != nil {
			return nil, err
		}
		if err := findingClausesExist(ctx, tx, f.Clauses); err != nil {
			return nil, err
		}
		f.Created, f.CreatedBy = was.Created, was.CreatedBy
		_, d, err := findingDocs.update(ctx, tx, change{p.Email, s.now()}, f.ID, f, version)
		out = d.Version
		return nil, err
	})
	if err != nil {
		return 0, fmt.Errorf("update finding: %w", err)
	}
	return out, nil
}

// --- the risk register ---------------------------------------------------

// currentRiskSettings reads the register's settings (the default when
// none are stored).
func currentRiskSettings(ctx context.Context, tx remit.Tx) (remit.RiskSettings, error) {
	rs, _, err := riskSettings.find(ctx, tx, "settings")
	if errors.Is(err, remit.ErrNotFound) {
		return remit.DefaultRiskSettings(), nil
	}
	return rs, err
}

// SetRiskSettings sets the register's scale and appetite (an admin).
func (s *Service) SetRiskSettings(ctx context.Context, p remit.Principal, rs remit.RiskSettings, version int64) (int64, error) {
	if !p.May(remit.ActSetRiskSettings, "") {
		return 0, fmt.Errorf("the risk scale and appetite are set by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if ps := rs.Validate(); len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := riskSettings.put(ctx, tx, change{p.Email, s.now()}, "settings", rs, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return func(sn *Snapshot) error {
			sn.riskSettings = rs
			sn.versions = sn.versions.Put(versionKey(KindRiskSettings, "settings"), d.Version)
			return nil
		}, nil
	})
	return out, err
}

// RiskSettingsVersion is the stored version of the risk settings: 0 while
// the defaults apply (quote it to set them the first time).
func (s *Service) RiskSettingsVersion(ctx context.Context) (int64, error) {
	_, v, err := riskSettings.get(ctx, s.store, "settings")
	if errors.Is(err, remit.ErrNotFound) {
		return 0, nil
	}
	return v, err
}

// ownerProblems checks that a risk's owner, if named, is an account with
// the risk-owner role: the person who may accept it.
func ownerProblems(ctx context.Context, tx remit.Tx, owner string) ([]remit.Problem, error) {
	if owner == "" {
		return nil, nil
	}
	u, _, err := users.find(ctx, tx, strings.ToLower(owner))
	switch {
	case errors.Is(err, remit.ErrNotFound):
		return []remit.Problem{{Pointer: "/owner", Message: fmt.Sprintf("owner %q is not an account: name a risk owner's email", owner)}}, nil
	case err != nil:
		return nil, err
	case !u.Principal().May(remit.ActAcceptRisk, ""):
		return []remit.Problem{{Pointer: "/owner", Message: fmt.Sprintf("owner %s is %s, not a risk owner: name an account with the risk-owner role", owner, u.Role.Article())}}, nil
	}
	return nil, nil
}

// mayEditRisks checks p may record and change risks.
func mayEditRisks(p remit.Principal, what string) error {
	if !p.May(remit.ActEditRisk, "") {
		return fmt.Errorf("%s may read risks but not %s them: %w", p.Role.Article(), what, remit.ErrForbidden)
	}
	return nil
}

// Risk reads one risk and its version.
func (s *Service) Risk(ctx context.Context, id string) (remit.Risk, int64, error) {
	return riskDocs.get(ctx, s.store, id)
}

func holdRisk(r remit.Risk, version int64) func(*Snapshot) error {
	return func(sn *Snapshot) error {
		sn.putRisks(r)
		sn.versions = sn.versions.Put(versionKey(KindRisk, r.ID), version)
		return nil
	}
}

// AddRisk records a new risk (or adopts a proposed one, named by
// r.Proposal). It cannot be added accepted: acceptance is a decision of
// its own (AcceptRisk).
func (s *Service) AddRisk(ctx context.Context, p remit.Principal, r remit.Risk) (remit.Risk, error) {
	if err := mayEditRisks(p, "record"); err != nil {
		return remit.Risk{}, err
	}
	if r.Status == "" {
		r.Status = remit.RiskOpen
	}
	now := s.now()
	if r.Proposal != "" {
		// Adopting a proposal: it must still be open.
		if _, err := s.FindProposal(ctx, r.Proposal, now); err != nil {
			return remit.Risk{}, err
		}
	}
	r.ID, r.Created, r.CreatedBy, r.Acceptance = newID("ri-"), now.UTC(), p.Email, nil
	r.History = []remit.ScoreChange{{At: now.UTC(), By: p.Email, Inherent: r.InherentAsScored(), Residual: r.Residual}}
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		ops, err := ownerProblems(ctx, tx, r.Owner)
		if err != nil {
			return nil, err
		}
		ps := append(r.Validate(sn.riskSettings), ops...)
		if r.Status == remit.RiskAccepted {
			ps = append(ps, remit.Problem{Pointer: "/status", Message: "a risk is accepted by its risk owner's decision, not by its status: record it, then accept it"})
		}
		if len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		d, err := riskDocs.create(ctx, tx, change{p.Email, now}, r.ID, r)
		if err != nil {
			return nil, err
		}
		return holdRisk(r, d.Version), nil
	})
	if err != nil {
		return remit.Risk{}, fmt.Errorf("add risk: %w", err)
	}
	return r, nil
}

// UpdateRisk changes a risk, if version is still the stored one. Its
// acceptance and history are kept; a change of score adds to the history;
// status accepted can only be kept, not set (AcceptRisk).
func (s *Service) UpdateRisk(ctx context.Context, p remit.Principal, r remit.Risk, version int64) (int64, error) {
	if err := mayEditRisks(p, "change"); err != nil {
		return 0, err
	}
	now := s.now()
	var out int64
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		was, _, err := riskDocs.find(ctx, tx, r.ID)
		if err != nil {
			return nil, err
		}
		r.Acceptance, r.History, r.Created, r.CreatedBy, r.Proposal = was.Acceptance, was.History, was.Created, was.CreatedBy, was.Proposal
		ps := r.Validate(sn.riskSettings)
		if r.Owner != was.Owner {
			ops, err := ownerProblems(ctx, tx, r.Owner)
			if err != nil {
				return nil, err
			}
			ps = append(ps, ops...)
		}
		if r.Status == remit.RiskAccepted && was.Status != remit.RiskAccepted {
			ps = append(ps, remit.Problem{Pointer: "/status", Message: "a risk is accepted by its risk owner's decision (accept), not by setting its status"})
		} else if r.Status == remit.RiskAccepted && r.LegalBreach {
			ps = append(ps, remit.Problem{Pointer: "/legal_breach", Message: "a risk that would be a breach of law or regulation cannot stay accepted: set its status to open or treating as well"})
		}
		if len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		switch {
		case r.Status == remit.RiskAccepted && !r.StillAccepted(&was):
			// What the risk owner accepted has changed: it is back to
			// treating until they accept it again.
			r.Status, r.Acceptance = remit.RiskTreating, nil
			if r.Treatment == "accept" {
				r.Treatment = ""
			}
		case r.Status != remit.RiskAccepted:
			r.Acceptance = nil
		}
		if r.Inherent != was.Inherent || r.Residual != was.Residual {
			r.History = append(slices.Clone(r.History), remit.ScoreChange{At: now.UTC(), By: p.Email, Inherent: r.InherentAsScored(), Residual: r.Residual})
		}
		_, d, err := riskDocs.update(ctx, tx, change{p.Email, now}, r.ID, r, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return holdRisk(r, out), nil
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
//
// A risk whose residual score is above its category's appetite is accepted
// only when aboveAppetite says the risk owner knows it is; the acceptance
// records it and the audit trail names it (accept-above-appetite), so
// admins find every such decision (doc/risk.md).
func (s *Service) AcceptRisk(ctx context.Context, p remit.Principal, id, rationale, until string, aboveAppetite bool, version int64) (int64, error) {
	if !p.May(remit.ActAcceptRisk, "") {
		return 0, fmt.Errorf("only a risk owner accepts a risk, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	now := s.now()
	var ps []remit.Problem
	if strings.TrimSpace(rationale) == "" {
		ps = append(ps, remit.Problem{Pointer: "/rationale", Message: "the rationale is required: record why the organisation accepts this risk"})
	}
	if t, err := time.Parse(time.DateOnly, until); err != nil {
		ps = append(ps, remit.Problem{Pointer: "/until", Message: fmt.Sprintf("until %q is not a date: write it as YYYY-MM-DD", until)})
	} else if !t.After(now.UTC()) {
		ps = append(ps, remit.Problem{Pointer: "/until", Message: fmt.Sprintf("until %s is not in the future: an acceptance returns for review on a later day", until)})
	}
	if len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		r, _, err := riskDocs.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if r.LegalBreach {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/legal_breach", Message: "this risk would be a breach of law or regulation: it cannot be accepted; reduce, transfer or avoid it"}}}
		}
		if r.Status == remit.RiskClosed {
			return nil, fmt.Errorf("risk %s is closed: %w", id, remit.ErrConflict)
		}
		settings, err := currentRiskSettings(ctx, tx)
		if err != nil {
			return nil, err
		}
		above, limit := r.AboveAppetite(settings), settings.Appetite[r.Category]
		if above && !aboveAppetite {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/above_appetite", Message: fmt.Sprintf("the residual score %d is above the appetite for %s risks (%d): say that you accept a risk above appetite, or reduce it first", r.Residual.Value(), r.Category, limit)}}}
		}
		r.Status, r.Treatment = remit.RiskAccepted, "accept"
		terms := r.Terms()
		r.Acceptance = &remit.Acceptance{By: p.Email, At: now.UTC(), Rationale: strings.TrimSpace(rationale), Until: until, Terms: &terms}
		action := "accept"
		if above {
			r.Acceptance.AboveAppetite, r.Acceptance.Appetite, action = true, limit, "accept-above-appetite"
			if settings.SecondApproval {
				// It waits, treating, for a second risk owner.
				r.Status, r.Acceptance.AwaitingApproval, action = remit.RiskTreating, true, "accept-above-appetite-awaiting-approval"
			}
		}
		_, d, err := riskDocs.update(ctx, tx, change{p.Email, now}, id, r, version, action)
		if err != nil {
			return nil, err
		}
		if above {
			// Flagged to admins, and to the risk owners who may approve it.
			to := []string{"role:admin"}
			detail := fmt.Sprintf("%s accepted it with a residual score of %d against the appetite of %d for %s risks, until %s", p.Email, r.Residual.Value(), limit, r.Category, until)
			if r.Acceptance.AwaitingApproval {
				to = append(to, "role:risk-owner")
				detail += "; it waits for a second risk owner's approval"
			}
			if _, err := queueReminders(ctx, tx, now, []remit.Reminder{{Key: fmt.Sprintf("%s/%s/%d", remit.RemindAboveAppetite, id, now.Unix()), Kind: remit.RemindAboveAppetite,
				Title: r.Title, Detail: detail, Path: "/risks/" + id, To: to}}); err != nil {
				return nil, err
			}
		}
		out = d.Version
		return holdRisk(r, out), nil
	})
	if err != nil {
		return 0, fmt.Errorf("accept risk %s: %w", id, err)
	}
	return out, nil
}

// DecideAcceptance is a second risk owner's decision on an acceptance
// above appetite that waits for one: approved, the risk is accepted;
// declined, the acceptance is withdrawn and the risk stays treating. The
// risk owner who accepted it cannot approve it.
func (s *Service) DecideAcceptance(ctx context.Context, p remit.Principal, id string, approve bool, version int64) (int64, error) {
	if !p.May(remit.ActAcceptRisk, "") {
		return 0, fmt.Errorf("a second risk owner approves an acceptance, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	now := s.now()
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		r, _, err := riskDocs.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		a := r.Acceptance
		if a == nil || !a.AwaitingApproval {
			return nil, fmt.Errorf("risk %s has no acceptance waiting for approval: %w", id, remit.ErrConflict)
		}
		if strings.EqualFold(a.By, p.Email) {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/approve", Message: "you accepted this risk: a second risk owner approves it"}}}
		}
		action := "decline-acceptance"
		if approve {
			at := now.UTC()
			accepted := *a
			accepted.AwaitingApproval, accepted.ApprovedBy, accepted.ApprovedAt = false, p.Email, &at
			r.Status, r.Acceptance, action = remit.RiskAccepted, &accepted, "approve-acceptance"
		} else {
			r.Acceptance = nil
		}
		_, d, err := riskDocs.update(ctx, tx, change{p.Email, now}, id, r, version, action)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return holdRisk(r, out), nil
	})
	if err != nil {
		return 0, fmt.Errorf("risk %s: %w", id, err)
	}
	return out, nil
}

// RiskTrend reads the register's last n daily snapshots, oldest first.
func (s *Service) RiskTrend(ctx context.Context, n int) ([]remit.RiskSnapshot, error) {
	var out []remit.RiskSnapshot
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = lastDaily(ctx, tx, riskTrend, n)
		return err
	})
	return out, err
}

// lastDaily reads the last n daily documents of a collection, oldest
// first.
func lastDaily[T any](ctx context.Context, tx remit.Tx, c collection[T], n int) ([]T, error) {
	all, err := c.list(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	return all[max(0, len(all)-n):], nil
}

// putDaily keeps a day's document (replacing one kept earlier that day):
// the points of a trend, bookkeeping with no audit record.
func putDaily[T any](ctx context.Context, tx remit.Tx, c collection[T], day string, v T, now time.Time) error {
	body, err := encode(v)
	if err != nil {
		return err
	}
	old, err := tx.FindDocument(ctx, c.kind, day)
	switch {
	case err == nil:
		_, err = tx.UpdateDocument(ctx, c.kind, day, body, old.Version, now)
	case errors.Is(err, remit.ErrNotFound):
		_, err = tx.CreateDocument(ctx, c.kind, day, body, now)
	}
	return err
}

// findingClausesExist checks the clauses a finding names are held by
// their suppliers' records.
func findingClausesExist(ctx context.Context, tx remit.Tx, clauses []string) error {
	ps, err := clauseProblems(ctx, tx, clauses, func(i int) string { return fmt.Sprintf("/clauses/%d", i) })
	if err == nil && len(ps) > 0 {
		err = &remit.ValidationError{Problems: ps}
	}
	return err
}
