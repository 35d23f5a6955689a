package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// --- supplier assessments ---------------------------------------------------

// mayAssess checks p may start and work on assessments.
func mayAssess(p remit.Principal, what string) error {
	if !p.May(remit.ActAssess, "") {
		return fmt.Errorf("%s may read %s but not work on them: %w", p.Role.Article(), what, remit.ErrForbidden)
	}
	return nil
}

// Assessment reads one supplier assessment and its version.
func (s *Service) Assessment(ctx context.Context, id string) (remit.SupplierAssessment, int64, error) {
	return assessments.get(ctx, s.store, id)
}

// StartAssessment begins assessing an offering of the estate against the
// current version of a questionnaire template: "" for the one its
// supplier's tier asks for.
func (s *Service) StartAssessment(ctx context.Context, p remit.Principal, offering, template string) (remit.SupplierAssessment, error) {
	if err := mayAssess(p, "assessments"); err != nil {
		return remit.SupplierAssessment{}, err
	}
	if _, err := remit.ParseOfferingRef(offering); err != nil {
		return remit.SupplierAssessment{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/offering", Message: err.Error()}}}
	}
	if !s.Snapshot().cache.Estate.HasOffering(offering) {
		return remit.SupplierAssessment{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/offering", Message: fmt.Sprintf("there is no offering %q: give one as provider/offering, for example aws/ec2", offering)}}}
	}
	if template == "" {
		ref, _ := remit.ParseOfferingRef(offering)
		sv, err := s.Supplier(ctx, ref.Provider)
		if err != nil {
			return remit.SupplierAssessment{}, err
		}
		template = sv.Schedule.Policy.Questionnaire
	}
	now := s.now()
	a := remit.SupplierAssessment{ID: newID("sa-"), Offering: offering, Status: remit.AssessmentInProgress, Created: now.UTC(), CreatedBy: p.Email}
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		q, err := s.questionnaireIn(ctx, tx, template, 0)
		if errors.Is(err, remit.ErrNotFound) {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/template", Message: fmt.Sprintf("there is no questionnaire %q", template)}}}
		}
		if err != nil {
			return nil, err
		}
		a.Template, a.TemplateVersion = q.Template, q.Version
		for _, pr := range q.Principles {
			a.Principles = append(a.Principles, remit.PrincipleAssessment{Control: pr.Control})
		}
		d, err := assessments.create(ctx, tx, change{p.Email, now}, a.ID, a)
		if err != nil {
			return nil, err
		}
		return holdAssessment(a, d.Version), nil
	})
	if err != nil {
		return remit.SupplierAssessment{}, fmt.Errorf("start assessment: %w", err)
	}
	return a, nil
}

func holdAssessment(a remit.SupplierAssessment, version int64) func(*Snapshot) error {
	return func(sn *Snapshot) error {
		sn.putAssessments(a)
		sn.versions = sn.versions.Put(versionKey(KindSupplierAssessment, a.ID), version)
		return nil
	}
}

// SavePrinciple records the work on one principle of an assessment in
// progress, if version is still the stored one.
func (s *Service) SavePrinciple(ctx context.Context, p remit.Principal, id string, pa remit.PrincipleAssessment, version int64) (int64, error) {
	if err := mayAssess(p, "assessments"); err != nil {
		return 0, err
	}
	return s.changeAssessment(ctx, p.Email, id, version, func(a *remit.SupplierAssessment, q *remit.Questionnaire) error {
		if ps := q.ValidatePrinciple(pa); len(ps) > 0 {
			return &remit.ValidationError{Problems: ps}
		}
		pr, ok := a.Principle(pa.Control)
		if !ok {
			return fmt.Errorf("principle %s of assessment %s: %w", pa.Control, id, remit.ErrNotFound)
		}
		*pr = pa
		return nil
	})
}

// CompleteAssessment signs an assessment off: only an assessor (or an
// admin) may, once every principle has a result, with a conclusion and
// the day it stops counting. Its verdicts are fixed then; from then on it
// assures (or fails) the offering's provider obligations.
func (s *Service) CompleteAssessment(ctx context.Context, p remit.Principal, id, conclusion, validUntil string, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("assessments are signed off by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	now := s.now()
	var ps []remit.Problem
	if strings.TrimSpace(conclusion) == "" {
		ps = append(ps, remit.Problem{Pointer: "/conclusion", Message: "the overall conclusion is required"})
	}
	until, err := time.Parse(time.DateOnly, validUntil)
	switch {
	case err != nil:
		ps = append(ps, remit.Problem{Pointer: "/valid_until", Message: fmt.Sprintf("valid until %q is not a date: write it as YYYY-MM-DD", validUntil)})
	case !until.After(now.UTC()):
		ps = append(ps, remit.Problem{Pointer: "/valid_until", Message: fmt.Sprintf("valid until %s is not in the future", validUntil)})
	}
	if len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	return s.changeAssessment(ctx, p.Email, id, version, func(a *remit.SupplierAssessment, q *remit.Questionnaire) error {
		return a.SignOff(q, p.Email, strings.TrimSpace(conclusion), validUntil, now)
	})
}

// changeAssessment applies change to an assessment in progress.
func (s *Service) changeAssessment(ctx context.Context, actor, id string, version int64, change func(a *remit.SupplierAssessment, q *remit.Questionnaire) error) (int64, error) {
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		a, _, err := assessments.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if a.Status == remit.AssessmentCompleted {
			return nil, fmt.Errorf("assessment %s was completed on %s and does not change: start a new one: %w", id, a.SignedOff.Format(time.DateOnly), remit.ErrConflict)
		}
		q, err := s.assessmentTemplate(ctx, tx, &a)
		if err != nil {
			return nil, err
		}
		if err := change(&a, q); err != nil {
			return nil, err
		}
		_, d, err := assessments.update(ctx, tx, changeBy(actor, s.now()), id, a, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return holdAssessment(a, out), nil
	})
	if err != nil {
		return 0, fmt.Errorf("assessment %s: %w", id, err)
	}
	return out, nil
}

func changeBy(actor string, now time.Time) change { return change{actor: actor, now: now} }

// --- the supplier portal -------------------------------------------------

// CreatePortalLink makes a link for an assessment in progress, lasting
// ttl, and returns it with its secret (rp_<id>_<secret>), shown once.
func (s *Service) CreatePortalLink(ctx context.Context, p remit.Principal, assessment string, ttl time.Duration) (remit.PortalLink, string, error) {
	if !p.May(remit.ActSignOff, "") {
		return remit.PortalLink{}, "", fmt.Errorf("supplier links are made by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if ttl <= 0 || ttl > 90*24*time.Hour {
		return remit.PortalLink{}, "", &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/days", Message: "a link lasts from 1 to 90 days"}}}
	}
	idb, secb := make([]byte, 6), make([]byte, 24)
	if _, err := rand.Read(idb); err != nil {
		return remit.PortalLink{}, "", err
	}
	if _, err := rand.Read(secb); err != nil {
		return remit.PortalLink{}, "", err
	}
	id := hex.EncodeToString(idb)
	secret := "rp_" + id + "_" + base64.RawURLEncoding.EncodeToString(secb)
	now := s.now()
	var link remit.PortalLink
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		a, _, err := assessments.find(ctx, tx, assessment)
		if err != nil {
			return nil, err
		}
		if a.Status != remit.AssessmentInProgress {
			return nil, fmt.Errorf("assessment %s is completed: a supplier can no longer answer it: %w", assessment, remit.ErrConflict)
		}
		link = remit.PortalLink{ID: id, Assessment: a.ID, Offering: a.Offering, Hash: accounts.HashSecret(secret), Expires: now.Add(ttl).UTC(), Status: remit.PortalOpen, Created: now.UTC(), CreatedBy: p.Email}
		_, err = portalLinks.create(ctx, tx, change{p.Email, now}, id, link)
		return nil, err
	})
	if err != nil {
		return remit.PortalLink{}, "", fmt.Errorf("create portal link: %w", err)
	}
	return link, secret, nil
}

// openLink finds the link a secret belongs to. A secret that does not
// match is accounts.ErrBadCredentials, whatever was wrong with it, so a
// guess learns nothing.
func openLink(ctx context.Context, tx remit.Tx, secret string) (remit.PortalLink, remit.Document, error) {
	rest, ok := strings.CutPrefix(secret, "rp_")
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 {
		return remit.PortalLink{}, remit.Document{}, accounts.ErrBadCredentials
	}
	l, d, err := portalLinks.find(ctx, tx, id)
	if errors.Is(err, remit.ErrNotFound) {
		return remit.PortalLink{}, d, accounts.ErrBadCredentials
	}
	if err != nil {
		return remit.PortalLink{}, d, err
	}
	if !accounts.SameHash(l.Hash, accounts.HashSecret(secret)) {
		return remit.PortalLink{}, d, accounts.ErrBadCredentials
	}
	return l, d, nil
}

// PortalView is what a supplier holding a link sees: the link and the
// assessment it serves.
func (s *Service) PortalView(ctx context.Context, secret string) (remit.PortalLink, remit.SupplierAssessment, error) {
	var l remit.PortalLink
	var a remit.SupplierAssessment
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		if l, _, err = openLink(ctx, tx, secret); err != nil {
			return err
		}
		a, _, err = assessments.find(ctx, tx, l.Assessment)
		return err
	})
	return l, a, err
}

// changeLink applies change to a link (by secret) and the assessment it
// serves, in one transaction, if the link is still writable.
// change may also return how the snapshot changes besides (nil for no
// more than the assessment).
func (s *Service) changeLink(ctx context.Context, secret string, change func(tx remit.Tx, ch change, l *remit.PortalLink, a *remit.SupplierAssessment) (assessmentChanged bool, also func(*Snapshot), err error)) (remit.PortalLink, error) {
	var out remit.PortalLink
	now := s.now()
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		l, ld, err := openLink(ctx, tx, secret)
		if err != nil {
			return nil, err
		}
		if !l.Writable(now) {
			return nil, fmt.Errorf("link %s (%s, until %s): %w", l.ID, l.Status, l.Expires.Format(time.DateOnly), remit.ErrLinkClosed)
		}
		a, ad, err := assessments.find(ctx, tx, l.Assessment)
		if err != nil {
			return nil, err
		}
		if a.Status != remit.AssessmentInProgress {
			return nil, fmt.Errorf("assessment %s is completed: %w", a.ID, remit.ErrLinkClosed)
		}
		was, err := encode(l)
		if err != nil {
			return nil, err
		}
		ch := changeBy(l.Actor(), now)
		changed, also, err := change(tx, ch, &l, &a)
		if err != nil {
			return nil, err
		}
		var apply []func(*Snapshot) error
		if also != nil {
			apply = append(apply, func(sn *Snapshot) error { also(sn); return nil })
		}
		if changed {
			_, nd, err := assessments.update(ctx, tx, ch, a.ID, a, ad.Version)
			if err != nil {
				return nil, err
			}
			apply = append(apply, holdAssessment(a, nd.Version))
		}
		is, err := encode(l)
		if err != nil {
			return nil, err
		}
		if string(is) != string(was) {
			if _, _, err := portalLinks.update(ctx, tx, ch, l.ID, l, ld.Version); err != nil {
				return nil, err
			}
		}
		out = l
		return func(sn *Snapshot) error {
			for _, f := range apply {
				if err := f(sn); err != nil {
					return err
				}
			}
			return nil
		}, nil
	})
	return out, err
}

// SavePortalAnswers records a supplier's answers, principle by principle
// (control → question id → answer). Suppliers answer; they never set a
// result or a rationale.
func (s *Service) SavePortalAnswers(ctx context.Context, secret string, answers map[string]map[string]string) (remit.PortalLink, error) {
	return s.changeLink(ctx, secret, func(tx remit.Tx, _ change, _ *remit.PortalLink, a *remit.SupplierAssessment) (bool, func(*Snapshot), error) {
		q, err := s.assessmentTemplate(ctx, tx, a)
		if err != nil {
			return false, nil, err
		}
		var ps []remit.Problem
		for control, as := range answers {
			for _, p := range q.ValidatePrinciple(remit.PrincipleAssessment{Control: control, Answers: as}) {
				p.Pointer = "/" + control + p.Pointer
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			return false, nil, &remit.ValidationError{Problems: ps}
		}
		for control, as := range answers {
			pa, ok := a.Principle(control)
			if !ok {
				return false, nil, fmt.Errorf("principle %s: %w", control, remit.ErrNotFound)
			}
			if pa.Answers == nil {
				pa.Answers = map[string]string{}
			}
			for k, v := range as {
				if v == "" {
					delete(pa.Answers, k)
				} else {
					pa.Answers[k] = v
				}
			}
		}
		return true, nil, nil
	})
}

// AddPortalEvidence stores a file the supplier uploads for one principle:
// evidence supporting the link's offering, listed against the principle.
// It is pending — it counts for nothing — until an assessor accepts the
// supplier's submission.
func (s *Service) AddPortalEvidence(ctx context.Context, secret, control string, ev remit.Evidence, fileName string, content []byte) (remit.Evidence, error) {
	var out remit.Evidence
	_, err := s.changeLink(ctx, secret, func(tx remit.Tx, ch change, l *remit.PortalLink, a *remit.SupplierAssessment) (bool, func(*Snapshot), error) {
		pa, ok := a.Principle(control)
		if !ok {
			return false, nil, fmt.Errorf("principle %s: %w", control, remit.ErrNotFound)
		}
		// The supplier says what it is; what it supports is fixed: their
		// offering, and nothing else.
		ev.Supports = []remit.Support{{On: remit.SupportOffering, Ref: l.Offering}}
		ev.URL, ev.SOC2, ev.Pending = "", nil, true
		var err error
		if out, err = addEvidence(ctx, tx, ch, ev, fileName, content); err != nil {
			return false, nil, err
		}
		pa.Evidence = append(pa.Evidence, out.ID)
		l.Evidence = append(l.Evidence, out.ID)
		return true, func(sn *Snapshot) { sn.putEvidence(out) }, nil
	})
	if err != nil {
		return remit.Evidence{}, err
	}
	return out, nil
}

// SubmitPortal ends the supplier's part: nothing changes through the link
// after, unless the assessor returns the answers.
func (s *Service) SubmitPortal(ctx context.Context, secret string) (remit.PortalLink, error) {
	now := s.now()
	return s.changeLink(ctx, secret, func(_ remit.Tx, _ change, l *remit.PortalLink, _ *remit.SupplierAssessment) (bool, func(*Snapshot), error) {
		t := now.UTC()
		l.Status, l.Submitted = remit.PortalSubmitted, &t
		return false, nil, nil
	})
}

// ReviewPortal is the assessor's answer to submitted answers: accept (the
// link is spent) or return with a note (the supplier may change and
// submit again until the link expires).
func (s *Service) ReviewPortal(ctx context.Context, p remit.Principal, id string, accept bool, note string) error {
	if !p.May(remit.ActSignOff, "") {
		return fmt.Errorf("supplier answers are reviewed by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if !accept && strings.TrimSpace(note) == "" {
		return &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/note", Message: "say what the supplier should change when returning their answers"}}}
	}
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		l, d, err := portalLinks.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if l.Status != remit.PortalSubmitted {
			return nil, fmt.Errorf("link %s is %s, not submitted: %w", id, l.Status, remit.ErrConflict)
		}
		ch := change{p.Email, s.now()}
		l.Status, l.Note = remit.PortalAccepted, ""
		if !accept {
			l.Status, l.Note = remit.PortalReturned, strings.TrimSpace(note)
		}
		if _, _, err = portalLinks.update(ctx, tx, ch, id, l, d.Version); err != nil || !accept {
			return nil, err
		}
		// Accepted: what the supplier uploaded counts from now on.
		var accepted []remit.Evidence
		for _, evID := range l.Evidence {
			ev, ed, err := evidenceDocs.find(ctx, tx, evID)
			if errors.Is(err, remit.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !ev.Pending {
				continue
			}
			ev.Pending = false
			if _, _, err := evidenceDocs.update(ctx, tx, ch, evID, ev, ed.Version, "accept"); err != nil {
				return nil, err
			}
			accepted = append(accepted, ev)
		}
		return func(sn *Snapshot) error { sn.putEvidence(accepted...); return nil }, nil
	})
}

// PortalLinks reads the links of an assessment, without their secrets'
// hashes.
func (s *Service) PortalLinks(ctx context.Context, assessment string) ([]remit.PortalLink, error) {
	var out []remit.PortalLink
	err := s.read(ctx, func(tx remit.Tx) error {
		all, err := portalLinks.list(ctx, tx, "")
		for _, l := range all {
			if l.Assessment == assessment {
				l.Hash = ""
				out = append(out, l)
			}
		}
		return err
	})
	return out, err
}
