package service

import (
	"context"
	"errors"
	"fmt"

	"remit/internal/remit"
)

// SATTemplate returns one version of the Standards Assurance Table's
// objectives, or the current one when version is 0.
func (s *Service) SATTemplate(ctx context.Context, version int) (*remit.SATTemplate, error) {
	var t *remit.SATTemplate
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		t, err = s.satTemplate(ctx, tx, version)
		return err
	})
	return t, err
}

// satTemplate reads a version of the template within tx (0: the current
// one); the built-in template is version 1 until another is published.
func (s *Service) satTemplate(ctx context.Context, tx remit.Tx, version int) (*remit.SATTemplate, error) {
	if version == 0 {
		docs, err := tx.Documents(ctx, KindSATTemplate, "")
		if err != nil || len(docs) == 0 {
			return s.satTemplate0(), err
		}
		t, err := satTemplates.decode(docs[len(docs)-1])
		return &t, err
	}
	t, _, err := satTemplates.find(ctx, tx, fmt.Sprintf("%06d", version))
	if errors.Is(err, remit.ErrNotFound) && version == s.satTemplate0().Version {
		return s.satTemplate0(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("SAT template version %d: %w", version, err)
	}
	return &t, nil
}

func (s *Service) satTemplate0() *remit.SATTemplate { return s.satTemplateBuiltIn }

// PublishSATTemplate stores next as the template's new version, if it
// only adds to the current one (objectives may be added, never deleted
// or changed).
func (s *Service) PublishSATTemplate(ctx context.Context, p remit.Principal, next *remit.SATTemplate) error {
	if !p.May(remit.ActSignOff, "") {
		return fmt.Errorf("the SAT's objectives are published by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		cur, err := s.satTemplate(ctx, tx, 0)
		if err != nil {
			return nil, err
		}
		if ps := remit.CheckSATEvolution(cur, next); len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		_, err = satTemplates.create(ctx, tx, change{p.Email, s.now()}, fmt.Sprintf("%06d", next.Version), *next)
		return nil, err
	})
}

// SAT reads one Standards Assurance Table and its version.
func (s *Service) SAT(ctx context.Context, id string) (remit.SAT, int64, error) {
	return satDocs.get(ctx, s.store, id)
}

// StartSAT begins a system's assessment against the current objectives.
func (s *Service) StartSAT(ctx context.Context, p remit.Principal, system string) (remit.SAT, error) {
	if err := mayAssess(p, "Standards Assurance Tables"); err != nil {
		return remit.SAT{}, err
	}
	if _, ok := s.Snapshot().cache.Estate.SystemIndex(system); !ok {
		return remit.SAT{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/system", Message: fmt.Sprintf("there is no system %q", system)}}}
	}
	now := s.now()
	var a remit.SAT
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		if err := mayForSystem(p, remit.ActAssess, sn, system); err != nil {
			return nil, err
		}
		t, err := s.satTemplate(ctx, tx, 0)
		if err != nil {
			return nil, err
		}
		a = remit.SAT{ID: newID("sat-"), System: system, TemplateVersion: t.Version, Status: remit.AssessmentInProgress, Created: now.UTC(), CreatedBy: p.Email}
		for _, o := range t.Objectives {
			a.Entries = append(a.Entries, remit.SATEntry{Objective: o.ID})
		}
		d, err := satDocs.create(ctx, tx, change{p.Email, now}, a.ID, a)
		if err != nil {
			return nil, err
		}
		return holdSAT(a, d.Version), nil
	})
	if err != nil {
		return remit.SAT{}, fmt.Errorf("start SAT: %w", err)
	}
	return a, nil
}

func holdSAT(a remit.SAT, version int64) func(*Snapshot) error {
	return func(sn *Snapshot) error {
		sn.putSATs(a)
		sn.versions = sn.versions.Put(versionKey(KindSAT, a.ID), version)
		return nil
	}
}

// SaveSATEntries records objectives' entries of a SAT in progress, all or
// none, if version is still the stored one.
func (s *Service) SaveSATEntries(ctx context.Context, p remit.Principal, id string, entries []remit.SATEntry, version int64) (int64, error) {
	if err := mayAssess(p, "Standards Assurance Tables"); err != nil {
		return 0, err
	}
	return s.changeSAT(ctx, p, remit.ActAssess, id, version, func(a *remit.SAT, t *remit.SATTemplate) error {
		var ps []remit.Problem
		for i, e := range entries {
			for _, pr := range t.ValidateEntry(e) {
				pr.Pointer = fmt.Sprintf("/entries/%d%s", i, pr.Pointer)
				ps = append(ps, pr)
			}
		}
		if len(ps) > 0 {
			return &remit.ValidationError{Problems: ps}
		}
		for _, e := range entries {
			cur, ok := a.Entry(e.Objective)
			if !ok {
				return fmt.Errorf("objective %s is not in SAT %s (template version %d): %w", e.Objective, id, a.TemplateVersion, remit.ErrNotFound)
			}
			*cur = e
		}
		return nil
	})
}

// CompleteSAT signs a SAT off (an assessor), once every objective has its
// evidence level; it counts for a year.
func (s *Service) CompleteSAT(ctx context.Context, p remit.Principal, id string, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("a SAT is signed off by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	now := s.now()
	return s.changeSAT(ctx, p, remit.ActSignOff, id, version, func(a *remit.SAT, t *remit.SATTemplate) error {
		return a.SignOff(t, p.Email, now)
	})
}

// changeSAT applies change to a SAT in progress, given the version of the
// template it follows, if p may do act for the SAT's system's team.
func (s *Service) changeSAT(ctx context.Context, p remit.Principal, act remit.Action, id string, version int64, change func(a *remit.SAT, t *remit.SATTemplate) error) (int64, error) {
	var out int64
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		a, _, err := satDocs.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := mayForSystem(p, act, sn, a.System); err != nil {
			return nil, err
		}
		if a.Status == remit.AssessmentCompleted {
			return nil, fmt.Errorf("SAT %s is completed and does not change: start a new one: %w", id, remit.ErrConflict)
		}
		t, err := s.satTemplate(ctx, tx, a.TemplateVersion)
		if err != nil {
			return nil, err
		}
		if err := change(&a, t); err != nil {
			return nil, err
		}
		_, d, err := satDocs.update(ctx, tx, changeBy(p.Email, s.now()), id, a, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return holdSAT(a, out), nil
	})
	if err != nil {
		return 0, fmt.Errorf("SAT %s: %w", id, err)
	}
	return out, nil
}
