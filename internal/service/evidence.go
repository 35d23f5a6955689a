package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"remit/internal/engine"
	"remit/internal/remit"
)

// --- what is still ours -----------------------------------------------------

// ObligationTeam finds the team owning an obligation of ours in a
// snapshot; ok is false when it has no such obligation.
func (sn *Snapshot) ObligationTeam(id string) (team string, ok bool) {
	oid, err := remit.ParseObligationID(id)
	if err != nil || !oid.Ours {
		return "", false
	}
	mx, cell, found := sn.Cell(oid)
	if !found {
		return "", false
	}
	e := sn.cache.Estate
	for _, o := range e.Ours(mx, cell) {
		if e.Key(o) == id {
			return e.System(mx.System).System.Team, true
		}
	}
	return "", false
}

// Cell finds the matrix cell an obligation belongs to, without listing
// the system's other obligations.
func (sn *Snapshot) Cell(id remit.ObligationID) (*engine.Matrix, *engine.Cell, bool) {
	c := sn.cache
	si, ok := c.Estate.SystemIndex(id.System)
	if !ok {
		return nil, nil, false
	}
	ci, ok := c.Estate.ControlIndex(id.Control.String())
	if !ok {
		return nil, nil, false
	}
	m := c.Matrix(si)
	// Cells are in control order.
	lo, hi := 0, len(m.Cells)
	for lo < hi {
		mid := (lo + hi) / 2
		if m.Cells[mid].Control < ci {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(m.Cells) || m.Cells[lo].Control != ci {
		return nil, nil, false
	}
	return m, &m.Cells[lo], true
}

// Track records new tracking (owner, status, due date, notes) for one of
// our obligations, if p may track its system's team's obligations and
// version is still the stored one (0 for an obligation never tracked).
func (s *Service) Track(ctx context.Context, p remit.Principal, id string, t remit.Tracking, version int64) (remit.TrackedObligation, error) {
	team, ok := s.Snapshot().ObligationTeam(id)
	if !ok {
		return remit.TrackedObligation{}, fmt.Errorf("obligation %q: %w", id, remit.ErrNotFound)
	}
	if !p.May(remit.ActTrackObligation, team) {
		return remit.TrackedObligation{}, fmt.Errorf("obligation %q belongs to team %q: %w", id, team, remit.ErrForbidden)
	}
	if ps := t.Validate(); len(ps) > 0 {
		return remit.TrackedObligation{}, &remit.ValidationError{Problems: ps}
	}
	var out remit.TrackedObligation
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		if version == 0 {
			if _, err := tx.FindDocument(ctx, KindObligation, id); err == nil {
				return nil, fmt.Errorf("obligation %s has been tracked already, so version 0 is stale: read it again: %w", id, remit.ErrConflict)
			}
		} else if _, err := tx.FindDocument(ctx, KindObligation, id); errors.Is(err, remit.ErrNotFound) {
			return nil, fmt.Errorf("obligation %s has never been tracked, so its version is 0, not %d: %w", id, version, remit.ErrConflict)
		}
		d, err := trackings.put(ctx, tx, change{p.Email, s.now()}, id, t, version)
		if err != nil {
			return nil, err
		}
		out = remit.TrackedObligation{ID: id, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt}
		return func(sn *Snapshot) error { sn.putTracking(out); return nil }, nil
	})
	if err != nil {
		return remit.TrackedObligation{}, fmt.Errorf("track obligation: %w", err)
	}
	return out, nil
}

// --- evidence --------------------------------------------------------------

// mayManageEvidence checks p may add and change evidence at all.
func mayManageEvidence(p remit.Principal) error {
	if !p.May(remit.ActManageEvidence, "") {
		return fmt.Errorf("%s may read evidence but not add or change it: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return nil
}

// unknownTeam stands for the team of a system that is not there: nobody
// scoped to teams may act for it.
const unknownTeam = "\x00unknown"

// mayForSystem checks p may do act for a system, by its team.
func mayForSystem(p remit.Principal, act remit.Action, sn *Snapshot, system string) error {
	team := unknownTeam
	if x, _, ok := sn.System(system); ok {
		team = x.Team
	}
	if p.May(act, team) {
		return nil
	}
	if team == unknownTeam {
		return fmt.Errorf("there is no system %q: %w", system, remit.ErrNotFound)
	}
	return fmt.Errorf("system %q belongs to team %q, not one of yours: %w", system, team, remit.ErrForbidden)
}

// everyTeam stands for what touches every team's systems.
const everyTeam = "\x00every team"

// maySupport checks p may make evidence support what supports name: an
// editor only their own teams' systems and obligations, and offerings
// (what providers do belongs to no team) — not a control, which would
// assure our obligations for it in every team's systems.
func maySupport(p remit.Principal, sn *Snapshot, supports []remit.Support) error {
	for _, sup := range supports {
		system := ""
		switch sup.On {
		case remit.SupportControl:
			if !p.May(remit.ActManageEvidence, everyTeam) {
				return fmt.Errorf("evidence for control %s would assure our obligations for it in every team's systems: an assessor or an admin adds it: %w", sup.Ref, remit.ErrForbidden)
			}
			continue
		case remit.SupportSystem:
			system = sup.Ref
		case remit.SupportObligation:
			oid, err := remit.ParseObligationID(sup.Ref)
			if err != nil {
				continue // Validate names it
			}
			system = oid.System
		default:
			continue
		}
		if err := mayForSystem(p, remit.ActManageEvidence, sn, system); err != nil {
			return fmt.Errorf("evidence for %s %s: %w", sup.On, sup.Ref, err)
		}
	}
	return nil
}

// AddEvidence stores new evidence and, when content is given, its file:
// the type is sniffed from the content, the hash computed here, both kept
// with the evidence. Everything is validated first and written in one
// transaction with its audit record; the file itself is not put in the
// trail, its hash is. It counts at once.
func (s *Service) AddEvidence(ctx context.Context, p remit.Principal, ev remit.Evidence, fileName string, content []byte) (remit.Evidence, error) {
	if err := mayManageEvidence(p); err != nil {
		return remit.Evidence{}, err
	}
	ev.Pending = false // only the portal's uploads await review
	var out remit.Evidence
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		if err := maySupport(p, sn, ev.Supports); err != nil {
			return nil, err
		}
		if err := evidenceRefsExist(ctx, tx, sn, ev); err != nil {
			return nil, err
		}
		var err error
		out, err = addEvidence(ctx, tx, change{p.Email, s.now()}, ev, fileName, content)
		if err != nil {
			return nil, err
		}
		return func(sn *Snapshot) error { sn.putEvidence(out); return nil }, nil
	})
	if err != nil {
		return remit.Evidence{}, fmt.Errorf("add evidence: %w", err)
	}
	return out, nil
}

// evidenceRefsExist checks what evidence names exists: the clauses it
// supports are held by their suppliers' records, and the subservice
// organisations a SOC 2 report carves out are offerings of the estate
// (provider/offering, with the nearest one suggested).
func evidenceRefsExist(ctx context.Context, tx remit.Tx, sn *Snapshot, ev remit.Evidence) error {
	var refs []string
	var at []int
	for i, sup := range ev.Supports {
		if sup.On == remit.SupportClause {
			refs, at = append(refs, sup.Ref), append(at, i)
		}
	}
	ps, err := clauseProblems(ctx, tx, refs, func(i int) string { return fmt.Sprintf("/supports/%d/ref", at[i]) })
	if err != nil {
		return err
	}
	if ev.SOC2 != nil && len(ev.SOC2.CarveOuts)+len(ev.SOC2.Inclusive) > 0 {
		var known []string
		for o := range sn.Offerings() {
			known = append(known, o.Ref)
		}
		for _, list := range []struct {
			field, what string
			refs        []string
		}{{"carve_outs", "carve-out", ev.SOC2.CarveOuts}, {"inclusive", "included organisation", ev.SOC2.Inclusive}} {
			for i, c := range list.refs {
				switch {
				case !sn.cache.Estate.HasOffering(c):
					ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/soc2/%s/%d", list.field, i), Message: fmt.Sprintf("%s %q is not an offering of the estate: name the subservice organisation's offering as provider/offering%s", list.what, c, didYouMean(c, known))})
				case list.field == "inclusive" && slices.Contains(ev.SOC2.CarveOuts, c):
					ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/soc2/inclusive/%d", i), Message: fmt.Sprintf("%s is both carved out and included: a report does one or the other", c)})
				}
			}
		}
	}
	if len(ps) > 0 {
		return &remit.ValidationError{Problems: ps}
	}
	return nil
}

// addEvidence validates and stores evidence within tx.
func addEvidence(ctx context.Context, tx remit.Tx, ch change, ev remit.Evidence, fileName string, content []byte) (remit.Evidence, error) {
	var ps []remit.Problem
	if len(content) > remit.MaxEvidenceFile {
		ps = append(ps, remit.Problem{Pointer: "/file", Message: fmt.Sprintf("the file is %d bytes, over the limit of %d (20 MiB)", len(content), remit.MaxEvidenceFile)})
	}
	if content != nil && ev.URL != "" {
		ps = append(ps, remit.Problem{Pointer: "/url", Message: "give a file or a link, not both"})
	}
	if content == nil && ev.URL == "" {
		ps = append(ps, remit.Problem{Pointer: "/file", Message: "give a file or a link to where the evidence is held"})
	}
	ev.File, ev.Coverage = nil, nil // coverage is decided by an assessor afterwards (DecideCoverage)
	ps = append(ps, ev.Validate()...)
	if ps = append(ps, ev.ExpiryProblems(ch.now)...); len(ps) > 0 {
		return remit.Evidence{}, &remit.ValidationError{Problems: ps}
	}
	ev.ID, ev.Added, ev.AddedBy = newID("ev-"), ch.now.UTC(), ch.actor
	if content != nil {
		sum := sha256.Sum256(content)
		ev.File = &remit.EvidenceFile{Name: cleanFileName(fileName), Size: int64(len(content)), Type: http.DetectContentType(content), SHA256: hex.EncodeToString(sum[:])}
	}
	if _, err := evidenceDocs.create(ctx, tx, ch, ev.ID, ev); err != nil {
		return remit.Evidence{}, err
	}
	if content != nil {
		if _, err := tx.CreateDocument(ctx, KindEvidenceFile, ev.ID, content, ch.now); err != nil {
			return remit.Evidence{}, err
		}
	}
	return ev, nil
}

// newID makes a random id with a prefix (ev-, sa-, sat-, fi-, ri-).
func newID(prefix string) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("service: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return prefix + hex.EncodeToString(b)
}

// cleanFileName keeps the last path element of an uploaded name, without
// control characters, so it is safe to offer back as a download name.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return "evidence"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// UpdateEvidence replaces what may change about evidence (everything but
// its id, file and who added it), if version is still the stored one.
func (s *Service) UpdateEvidence(ctx context.Context, p remit.Principal, ev remit.Evidence, version int64) (int64, error) {
	if err := mayManageEvidence(p); err != nil {
		return 0, err
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		was, _, err := evidenceDocs.find(ctx, tx, ev.ID)
		if err != nil {
			return nil, err
		}
		// Both what it supported and what it is to support: nobody
		// re-points another team's evidence, nor points theirs at it.
		if err := maySupport(p, sn, append(slices.Clone(was.Supports), ev.Supports...)); err != nil {
			return nil, err
		}
		if err := evidenceRefsExist(ctx, tx, sn, ev); err != nil {
			return nil, err
		}
		ev.File, ev.Added, ev.AddedBy, ev.Pending = was.File, was.Added, was.AddedBy, was.Pending
		// Coverage decisions are kept, less those the report now settles
		// itself (including or carving out the fourth party), those on an
		// offering that is no longer a fourth party of what it supports,
		// and all of them when someone who may not decide coverage changes
		// what the evidence is (ADR 0024: a decision is a reading of it).
		fourth := map[string]bool{}
		for _, f := range sn.FourthParties(&ev) {
			fourth[f.Ref] = true
		}
		reread := !p.May(remit.ActSignOff, "") && readingChanged(was, ev)
		ev.Coverage = slices.DeleteFunc(slices.Clone(was.Coverage), func(d remit.CoverageDecision) bool {
			return reread || !fourth[d.Offering] || ev.Settles(d.Offering)
		})
		if was.File != nil {
			ev.URL = ""
		}
		if ps := append(ev.Validate(), ev.ExpiryProblems(s.now())...); len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		_, d, err := evidenceDocs.update(ctx, tx, change{p.Email, s.now()}, ev.ID, ev, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return func(sn *Snapshot) error { sn.putEvidence(ev); return nil }, nil
	})
	if err != nil {
		return 0, fmt.Errorf("update evidence: %w", err)
	}
	return out, nil
}

// DecideCoverage records an assessor's decision on whether evidence
// covers a fourth party it neither includes nor carves out (replacing an
// earlier decision on the same one), if version is still the evidence's
// stored one. The fourth party must be one of the offerings what the
// evidence supports rests on (FourthParties); a SOC 2 report that already
// includes or carves it out has settled it (Evidence.Settles).
func (s *Service) DecideCoverage(ctx context.Context, p remit.Principal, id string, d remit.CoverageDecision, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("coverage is decided by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return s.changeCoverage(ctx, p, id, version, func(sn *Snapshot, ev *remit.Evidence) error {
		ps := d.Validate()
		if _, err := remit.ParseOfferingRef(d.Offering); err == nil {
			ps = append(coverageProblems(sn, ev, d.Offering), ps...)
		}
		if len(ps) > 0 {
			return &remit.ValidationError{Problems: ps}
		}
		d.DecidedBy, d.Decided, d.Rationale = p.Email, s.now().UTC(), strings.TrimSpace(d.Rationale)
		ev.Coverage = append(slices.DeleteFunc(slices.Clone(ev.Coverage), func(x remit.CoverageDecision) bool { return x.Offering == d.Offering }), d)
		slices.SortFunc(ev.Coverage, func(a, b remit.CoverageDecision) int { return strings.Compare(a.Offering, b.Offering) })
		return nil
	})
}

// WithdrawCoverage removes the decision on fourth party offering, if
// version is still the evidence's stored one: the evidence is silent on
// it again.
func (s *Service) WithdrawCoverage(ctx context.Context, p remit.Principal, id, offering string, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("coverage is decided by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return s.changeCoverage(ctx, p, id, version, func(_ *Snapshot, ev *remit.Evidence) error {
		if ev.Decision(offering) == nil {
			return fmt.Errorf("no decision on %q to withdraw: %w", offering, remit.ErrNotFound)
		}
		ev.Coverage = slices.DeleteFunc(slices.Clone(ev.Coverage), func(x remit.CoverageDecision) bool { return x.Offering == offering })
		return nil
	})
}

// changeCoverage reads evidence, changes its coverage decisions with fn
// and stores it, in one transaction.
func (s *Service) changeCoverage(ctx context.Context, p remit.Principal, id string, version int64, fn func(*Snapshot, *remit.Evidence) error) (int64, error) {
	var out int64
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		ev, _, err := evidenceDocs.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(sn, &ev); err != nil {
			return nil, err
		}
		_, d, err := evidenceDocs.update(ctx, tx, change{p.Email, s.now()}, id, ev, version)
		if err != nil {
			return nil, err
		}
		out = d.Version
		return func(sn *Snapshot) error { sn.putEvidence(ev); return nil }, nil
	})
	if err != nil {
		return 0, fmt.Errorf("coverage of evidence %q: %w", id, err)
	}
	return out, nil
}

// coverageProblems checks the fourth party a decision names against the
// evidence and the estate: it must be one of the offerings what the
// evidence supports rests on, and one the report does not settle itself.
func coverageProblems(sn *Snapshot, ev *remit.Evidence, f string) []remit.Problem {
	problem := func(format string, a ...any) []remit.Problem {
		return []remit.Problem{{Pointer: "/offering", Message: fmt.Sprintf(format, a...)}}
	}
	var fourth []string
	for _, fp := range sn.FourthParties(ev) {
		if !slices.Contains(fourth, fp.Ref) {
			fourth = append(fourth, fp.Ref)
		}
	}
	switch {
	case !sn.cache.Estate.HasOffering(f):
		var known []string
		for o := range sn.Offerings() {
			known = append(known, o.Ref)
		}
		if len(fourth) > 0 {
			known = fourth
		}
		return problem("%q is not an offering of the estate: name the fourth party as provider/offering%s", f, didYouMean(f, known))
	case slices.ContainsFunc(ev.Supports, func(sup remit.Support) bool { return sup.On == remit.SupportOffering && sup.Ref == f }):
		return problem("%s is what %q is evidence of, not a fourth party to it", f, ev.Title)
	case len(fourth) == 0:
		return problem("what %q supports rests on no fourth party: there is no coverage to decide", ev.Title)
	case !slices.Contains(fourth, f):
		return problem("%s is not a fourth party to what %q supports: decide on %s", f, ev.Title, strings.Join(fourth, " or "))
	case ev.Settles(f):
		what := "includes"
		if slices.Contains(ev.SOC2.CarveOuts, f) {
			what = "carves out"
		}
		return problem("%q %s %s: the report settles it, so there is nothing to decide", ev.Title, what, f)
	}
	return nil
}

// readingChanged reports whether an edit changes what the evidence is —
// its kind, scope, dates, what it supports or a report's period — as
// against its title, issuer, link or notes.
func readingChanged(was, now remit.Evidence) bool {
	if was.Kind != now.Kind || was.Scope != now.Scope || was.Issued != now.Issued || was.Expires != now.Expires || !slices.Equal(was.Supports, now.Supports) {
		return true
	}
	if (was.SOC2 == nil) != (now.SOC2 == nil) {
		return true
	}
	return was.SOC2 != nil && (was.SOC2.PeriodStart != now.SOC2.PeriodStart || was.SOC2.PeriodEnd != now.SOC2.PeriodEnd || was.SOC2.BridgeUntil != now.SOC2.BridgeUntil)
}

// EvidenceItem reads one piece of evidence and its version.
func (s *Service) EvidenceItem(ctx context.Context, id string) (remit.Evidence, int64, error) {
	return evidenceDocs.get(ctx, s.store, id)
}

// EvidenceContent reads an evidence file and checks it against the hash
// recorded when it was added: a file changed since is remit.ErrIntegrity,
// never served.
func (s *Service) EvidenceContent(ctx context.Context, id string) (remit.Evidence, []byte, error) {
	var ev remit.Evidence
	var content []byte
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		if ev, _, err = evidenceDocs.find(ctx, tx, id); err != nil {
			return err
		}
		if ev.File == nil {
			return fmt.Errorf("evidence %q is a link, not a file: %w", id, remit.ErrNotFound)
		}
		d, err := tx.FindDocument(ctx, KindEvidenceFile, id)
		if err != nil {
			return fmt.Errorf("file of evidence %q: %w", id, err)
		}
		content = d.Body
		return nil
	})
	if err != nil {
		return remit.Evidence{}, nil, err
	}
	sum := sha256.Sum256(content)
	if got := hex.EncodeToString(sum[:]); got != ev.File.SHA256 {
		return remit.Evidence{}, nil, fmt.Errorf("evidence %q: sha256 is %s, recorded %s: %w", id, got, ev.File.SHA256, remit.ErrIntegrity)
	}
	return ev, content, nil
}

// SweepExpiry records, once, each piece of evidence that has expired
// since the last sweep, with what it leaves unassured: an audit record
// per lapse, and the day swept to. It returns the lapses recorded.
func (s *Service) SweepExpiry(ctx context.Context) ([]remit.Lapse, error) {
	now := s.now()
	today := now.UTC().Format("2006-01-02")
	var out []remit.Lapse
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		mark, d, err := sweeps.find(ctx, tx, "expiry")
		if err != nil && !errors.Is(err, remit.ErrNotFound) {
			return nil, err
		}
		if mark.Day >= today {
			return nil, nil
		}
		out = sn.index.Lapses(mark.Day, today)
		ch := change{"remit", now}
		for _, l := range out {
			body, err := encode(l)
			if err != nil {
				return nil, err
			}
			if err := appendAudit(ctx, tx, ch, "lapse", KindEvidence, l.Evidence, nil, body); err != nil {
				return nil, err
			}
		}
		// The mark is bookkeeping, not a change anyone made: no record.
		body, err := encode(sweepDoc{Day: today})
		if err != nil {
			return nil, err
		}
		if d.Version == 0 {
			_, err = tx.CreateDocument(ctx, KindSweep, "expiry", body, now)
		} else {
			_, err = tx.UpdateDocument(ctx, KindSweep, "expiry", body, d.Version, now)
		}
		return nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("sweep expiry: %w", err)
	}
	return out, nil
}
