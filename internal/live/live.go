// Package live keeps the service's model warm: the estate built from the
// store, every system's matrix, and the tracking of our obligations. It
// applies the service's own changes incrementally and picks up other
// instances' changes by following the audit trail.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// Model is the warm model. Its methods are safe for concurrent use.
type Model struct {
	store    remit.Store
	defaults *remit.Defaults

	// changing serialises this instance's changes to the workspace, so
	// each starts from the model the last one left.
	changing sync.Mutex

	mu       sync.RWMutex
	cache    *engine.Cache
	tracking map[string]remit.TrackedObligation
	// evidence is every piece of evidence, by id, and its index; the
	// index is rebuilt (never changed in place) when evidence changes.
	evidence map[string]remit.Evidence
	index    *remit.EvidenceIndex
	// assessments are the supplier assessments and sats the Standards
	// Assurance Tables; their verdicts are in index.
	assessments []remit.SupplierAssessment
	sats        []remit.SAT
	// risks is the register, by id; riskSettings its scale and appetite.
	risks        map[string]*remit.Risk // never changed in place: replaced
	riskList     *remit.RiskList        // built on demand; nil when stale
	riskSettings remit.RiskSettings
	// evidenceGen counts changes to the evidence, trackingGen to the
	// tracking of obligations.
	evidenceGen, trackingGen uint64
	seq                      int64 // the last audit record applied
	loaded                   time.Time
	// epoch counts rebuilds of the whole model; with a system's stamp it
	// says whether what was derived from its matrix is still current.
	epoch uint64
}

// MatrixStamp returns the model's epoch and the stamp of a system's
// matrix: while both stay the same, so does the matrix (and anything
// derived from it). ok is false when there is no such system.
func (m *Model) MatrixStamp(id string) (epoch, stamp uint64, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	si, ok := m.cache.Estate.SystemIndex(id)
	if !ok {
		return m.epoch, 0, false
	}
	return m.epoch, m.cache.Stamp(si), true
}

// Open builds the model from what the store holds.
func Open(ctx context.Context, s remit.Store, defaults *remit.Defaults) (*Model, error) {
	m := &Model{store: s, defaults: defaults}
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// reload rebuilds everything from the store.
func (m *Model) reload(ctx context.Context) error {
	m.changing.Lock()
	defer m.changing.Unlock()
	// One snapshot: the place in the trail, the workspace and the tracking.
	var head int64
	var ws *remit.Workspace
	var tracking map[string]remit.TrackedObligation
	var evs []remit.Evidence
	var assessments []remit.SupplierAssessment
	var sats []remit.SAT
	var risks []remit.Risk
	var riskSettings remit.RiskSettings
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		if head, err = tx.AuditSeq(ctx); err != nil {
			return err
		}
		if sats, err = remit.SATs(ctx, tx); err != nil {
			return err
		}
		if risks, err = remit.Risks(ctx, tx); err != nil {
			return err
		}
		if riskSettings, err = remit.FindRiskSettings(ctx, tx); err != nil {
			return err
		}
		if evs, err = remit.AllEvidence(ctx, tx); err != nil {
			return err
		}
		if assessments, err = remit.SupplierAssessments(ctx, tx); err != nil {
			return err
		}
		ws, err = remit.ExportTx(ctx, tx)
		if errors.Is(err, remit.ErrNotFound) {
			ws, err = &remit.Workspace{Name: "Empty"}, nil
		}
		if err != nil {
			return err
		}
		tracking, err = remit.Trackings(ctx, tx)
		return err
	}); err != nil {
		return fmt.Errorf("load model: %w", err)
	}
	est, err := engine.New(ws, m.defaults)
	if err != nil {
		return fmt.Errorf("load model: %w", err)
	}
	cache := engine.NewCache(est)
	m.mu.Lock()
	m.cache, m.tracking, m.seq, m.loaded = cache, tracking, head, time.Now()
	m.trackingGen++
	m.evidence = make(map[string]remit.Evidence, len(evs))
	for _, ev := range evs {
		m.evidence[ev.ID] = ev
	}
	m.assessments = assessments
	m.sats = sats
	m.risks, m.riskList = make(map[string]*remit.Risk, len(risks)), nil
	for i := range risks {
		m.risks[risks[i].ID] = &risks[i]
	}
	m.riskSettings = riskSettings
	m.index = remit.NewEvidenceIndex(evs, remit.Judgements{Suppliers: assessments, SATs: sats})
	m.evidenceGen++
	m.epoch++
	m.mu.Unlock()
	return nil
}

// Evidence returns the evidence index: read-only, and kept whole by the
// model (a change replaces it).
func (m *Model) Evidence() *remit.EvidenceIndex {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.index
}

// AllEvidence returns every piece of evidence, by id.
func (m *Model) AllEvidence() []remit.Evidence {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]remit.Evidence, 0, len(m.evidence))
	for _, ev := range m.evidence {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b remit.Evidence) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Generations change whenever any evidence, or any obligation's
// tracking, does: with the day, they say whether assurance derived from
// them is still current.
func (m *Model) Generations() (evidence, tracking uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.evidenceGen, m.trackingGen
}

// putAssessments records supplier assessments started or changed (here or,
// through the trail, by another server) and rebuilds the index. m.mu is held.
func (m *Model) putAssessments(as ...remit.SupplierAssessment) {
	for _, a := range as {
		if i := slices.IndexFunc(m.assessments, func(x remit.SupplierAssessment) bool { return x.ID == a.ID }); i >= 0 {
			m.assessments[i] = a
		} else {
			m.assessments = append(m.assessments, a)
		}
	}
	m.putEvidence()
}

// putSATs records SATs started or changed and rebuilds the index. m.mu is held.
func (m *Model) putSATs(as ...remit.SAT) {
	for _, a := range as {
		if i := slices.IndexFunc(m.sats, func(x remit.SAT) bool { return x.ID == a.ID }); i >= 0 {
			m.sats[i] = a
		} else {
			m.sats = append(m.sats, a)
		}
	}
	m.putEvidence()
}

// Risks returns the register, ordered by id, and its settings. The slice
// and the risks are shared and must not be changed: a change to a risk
// replaces it, and the next call returns a new slice.
func (m *Model) Risks() ([]*remit.Risk, remit.RiskSettings) {
	l, settings := m.RiskList()
	return l.ByID, settings
}

// RiskList returns the register ready to list, and its settings; it is
// shared, and built again only after a risk changes.
func (m *Model) RiskList() (*remit.RiskList, remit.RiskSettings) {
	m.mu.RLock()
	list, settings := m.riskList, m.riskSettings
	m.mu.RUnlock()
	if list != nil {
		return list, settings
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.riskList == nil {
		all := make([]*remit.Risk, 0, len(m.risks))
		for _, r := range m.risks {
			all = append(all, r)
		}
		m.riskList = remit.NewRiskList(all)
	}
	return m.riskList, m.riskSettings
}

// putRisk holds r in place of the risk with its id. The caller holds the
// write lock.
func (m *Model) putRisk(r *remit.Risk) {
	m.risks[r.ID] = r
	m.riskList = nil
}

// PutRisks puts risks into the model without the store: for benchmarks
// of the register over many risks.
func (m *Model) PutRisks(risks []remit.Risk) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range risks {
		m.putRisk(&risks[i])
	}
}

// RiskChanged reads a risk (or, with id "", the settings) this server has
// just changed and makes the model hold it.
func (m *Model) RiskChanged(ctx context.Context, id string) error {
	var r remit.Risk
	var rs remit.RiskSettings
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		if id == "" {
			rs, err = remit.FindRiskSettings(ctx, tx)
			return err
		}
		r, _, err = remit.FindRisk(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == "" {
		m.riskSettings = rs
	} else {
		m.putRisk(&r)
	}
	return nil
}

// SATs returns every Standards Assurance Table, newest first.
func (m *Model) SATs() []remit.SAT {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := slices.Clone(m.sats)
	slices.SortFunc(out, func(a, b remit.SAT) int { return b.Created.Compare(a.Created) })
	return out
}

// SATChanged reads a SAT this server has just changed and makes the model
// hold it.
func (m *Model) SATChanged(ctx context.Context, id string) error {
	var a remit.SAT
	if err := m.store.Read(ctx, func(tx remit.Tx) error { var err error; a, _, err = remit.FindSAT(ctx, tx, id); return err }); err != nil {
		return err
	}
	m.mu.Lock()
	m.putSATs(a)
	m.mu.Unlock()
	return nil
}

// Assessments returns every supplier assessment, newest first.
func (m *Model) Assessments() []remit.SupplierAssessment {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := slices.Clone(m.assessments)
	slices.SortFunc(out, func(a, b remit.SupplierAssessment) int { return b.Created.Compare(a.Created) })
	return out
}

// AssessmentChanged reads an assessment this server has just changed and
// makes the model hold it.
func (m *Model) AssessmentChanged(ctx context.Context, id string) error {
	var a remit.SupplierAssessment
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		a, _, err = remit.FindSupplierAssessment(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	m.mu.Lock()
	m.putAssessments(a)
	m.mu.Unlock()
	return nil
}

// putEvidence records evidence added or changed (here or, through the
// trail, by another server) and rebuilds the index. m.mu is held.
func (m *Model) putEvidence(evs ...remit.Evidence) {
	for _, ev := range evs {
		m.evidence[ev.ID] = ev
	}
	all := make([]remit.Evidence, 0, len(m.evidence))
	for _, ev := range m.evidence {
		all = append(all, ev)
	}
	slices.SortFunc(all, func(a, b remit.Evidence) int { return strings.Compare(a.ID, b.ID) })
	m.index = remit.NewEvidenceIndex(all, remit.Judgements{Suppliers: m.assessments, SATs: m.sats})
	m.evidenceGen++
}

// EvidenceAdded makes evidence stored by another use-case (a supplier's
// upload through the portal) count at once.
func (m *Model) EvidenceAdded(ev remit.Evidence) {
	m.mu.Lock()
	m.putEvidence(ev)
	m.mu.Unlock()
}

// AddEvidence adds evidence (remit.AddEvidence) and makes it count at once.
func (m *Model) AddEvidence(ctx context.Context, ev remit.Evidence, fileName string, content []byte, actor string, now time.Time) (remit.Evidence, error) {
	out, err := remit.AddEvidence(ctx, m.store, ev, fileName, content, actor, now)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	m.putEvidence(out)
	m.mu.Unlock()
	return out, nil
}

// UpdateEvidence changes evidence (remit.UpdateEvidence) and its index.
func (m *Model) UpdateEvidence(ctx context.Context, ev remit.Evidence, version int64, actor string, now time.Time) (int64, error) {
	v, err := remit.UpdateEvidence(ctx, m.store, ev, version, actor, now)
	if err != nil {
		return v, err
	}
	var stored remit.Evidence
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		stored, _, err = remit.FindEvidence(ctx, tx, ev.ID)
		return err
	}); err != nil {
		return v, err
	}
	m.mu.Lock()
	m.putEvidence(stored)
	m.mu.Unlock()
	return v, nil
}

// View runs fn with the current model under a read lock. fn must not keep
// what it is given after it returns.
func (m *Model) View(fn func(c *engine.Cache, tracking map[string]remit.TrackedObligation)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fn(m.cache, m.tracking)
}

// ViewAt is View with the model's epoch, which changes whenever the
// model is rebuilt (and system indexes may change with it).
func (m *Model) ViewAt(fn func(epoch uint64, c *engine.Cache, tracking map[string]remit.TrackedObligation)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fn(m.epoch, m.cache, m.tracking)
}

// Refresh applies changes made by anyone else since the last one seen:
// tracking changes one by one; anything else rebuilds the model. It
// returns how many audit records it read.
func (m *Model) Refresh(ctx context.Context) (int, error) {
	m.mu.RLock()
	seq := m.seq
	m.mu.RUnlock()
	var recs []remit.AuditRecord
	// The tracking as stored now, for every obligation the new records
	// touch: its version is the stored one, whoever wrote it.
	stored := map[string]remit.TrackedObligation{}
	var evidence []remit.Evidence
	var assessments []remit.SupplierAssessment
	var satsChanged []remit.SAT
	var risksChanged []remit.Risk
	var settingsChanged *remit.RiskSettings
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		if recs, err = tx.AuditRecords(ctx, remit.AuditFilter{AfterSeq: seq}); err != nil {
			return err
		}
		for _, r := range recs {
			if r.Kind == remit.KindEvidence {
				ev, _, err := remit.FindEvidence(ctx, tx, r.ID)
				if err != nil {
					return err
				}
				evidence = append(evidence, ev)
				continue
			}
			if r.Kind == remit.KindRisk {
				risk, _, err := remit.FindRisk(ctx, tx, r.ID)
				if err != nil {
					return err
				}
				risksChanged = append(risksChanged, risk)
				continue
			}
			if r.Kind == remit.KindRiskSettings {
				rs, err := remit.FindRiskSettings(ctx, tx)
				if err != nil {
					return err
				}
				settingsChanged = &rs
				continue
			}
			if r.Kind == remit.KindSAT {
				a, _, err := remit.FindSAT(ctx, tx, r.ID)
				if err != nil {
					return err
				}
				satsChanged = append(satsChanged, a)
				continue
			}
			if r.Kind == remit.KindSupplierAssessment {
				a, _, err := remit.FindSupplierAssessment(ctx, tx, r.ID)
				if err != nil {
					return err
				}
				assessments = append(assessments, a)
				continue
			}
			if r.Kind != remit.KindObligation {
				continue
			}
			d, err := tx.FindDocument(ctx, remit.KindObligation, r.ID)
			if err != nil {
				return err
			}
			var t remit.Tracking
			if err := json.Unmarshal(d.Body, &t); err != nil {
				return fmt.Errorf("read obligation %s: %w", r.ID, err)
			}
			stored[r.ID] = remit.TrackedObligation{ID: r.ID, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt}
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("refresh: %w", err)
	}
	if len(recs) == 0 {
		return 0, nil
	}
	rebuild := false
	m.mu.Lock()
	if len(evidence) > 0 {
		m.putEvidence(evidence...)
	}
	if len(assessments) > 0 {
		m.putAssessments(assessments...)
	}
	if len(satsChanged) > 0 {
		m.putSATs(satsChanged...)
	}
	for i := range risksChanged {
		m.putRisk(&risksChanged[i])
	}
	if settingsChanged != nil {
		m.riskSettings = *settingsChanged
	}
	for _, r := range recs {
		switch r.Kind {
		case remit.KindObligation:
			if t := stored[r.ID]; m.tracking[r.ID].Version < t.Version {
				m.tracking[r.ID] = t
				m.trackingGen++
			}
		case remit.KindWorkspace, remit.KindCatalogue, remit.KindProvider, remit.KindOffering, remit.KindSystem:
			// Our own changes are applied already: only a document that
			// differs from the model means someone else changed it.
			have, ok := remit.DocumentOf(m.cache.Estate.Workspace(), r.Kind, r.ID)
			if ok != (r.After != nil) || !bytes.Equal(have, r.After) {
				rebuild = true
			}
		}
	}
	// A rebuild reads its own place in the trail; until it succeeds, the
	// records stay unapplied and the next refresh tries again.
	if !rebuild {
		m.seq = recs[len(recs)-1].Seq
	}
	m.mu.Unlock()
	if rebuild {
		if err := m.reload(ctx); err != nil {
			return len(recs), err
		}
	}
	return len(recs), nil
}

// Follow refreshes every interval until ctx ends, logging failures.
func (m *Model) Follow(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Error("refresh the model", "err", err)
			}
		}
	}
}

// Cell finds the matrix cell an obligation id
// (system/catalogue:control/provider/offering/party) belongs to, without
// listing the system's other obligations.
func Cell(c *engine.Cache, id string) (*engine.Matrix, *engine.Cell, bool) {
	sysID, rest, _ := strings.Cut(id, "/")
	ctlRef, _, _ := strings.Cut(rest, "/")
	si, ok := c.Estate.SystemIndex(sysID)
	if !ok {
		return nil, nil, false
	}
	ci, ok := c.Estate.ControlIndex(ctlRef)
	if !ok {
		return nil, nil, false
	}
	m := c.Matrix(si)
	// Cells are in control order.
	i, found := slices.BinarySearchFunc(m.Cells, ci, func(cell engine.Cell, ci int32) int { return int(cell.Control - ci) })
	if !found {
		return nil, nil, false
	}
	return m, &m.Cells[i], true
}

// ObligationTeam finds the team owning an obligation of ours, by id; ok is
// false when the current model has no such obligation.
func (m *Model) ObligationTeam(id string) (team string, ok bool) {
	if !strings.HasSuffix(id, "/ours") {
		return "", false
	}
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		mx, cell, found := Cell(c, id)
		if !found {
			return
		}
		for _, o := range c.Estate.Ours(mx, cell) {
			if c.Estate.Key(o) == id {
				team, ok = c.Estate.System(mx.System).System.Team, true
				return
			}
		}
	})
	return team, ok
}

// Track records new tracking for one of our obligations, if p may.
func (m *Model) Track(ctx context.Context, p remit.Principal, id string, t remit.Tracking, version int64, now time.Time) (remit.TrackedObligation, error) {
	team, ok := m.ObligationTeam(id)
	if !ok {
		return remit.TrackedObligation{}, fmt.Errorf("obligation %q: %w", id, remit.ErrNotFound)
	}
	if !p.May(remit.ActTrackObligation, team) {
		return remit.TrackedObligation{}, fmt.Errorf("obligation %q belongs to team %q: %w", id, team, remit.ErrForbidden)
	}
	out, err := remit.TrackObligation(ctx, m.store, id, t, version, p.Email, now)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	// A concurrent Track or Refresh may have stored a later version.
	if m.tracking[id].Version < out.Version {
		m.tracking[id] = out
		m.trackingGen++
	}
	m.mu.Unlock()
	return out, nil
}

// SetStatement adds, replaces or (when st.Class is empty) removes the
// statement an offering makes for st.Control, if the offering is still at
// version, and recomputes only the systems using the offering.
func (m *Model) SetStatement(ctx context.Context, p remit.Principal, ref string, st remit.Statement, version int64, now time.Time) (int64, error) {
	if !p.May(remit.ActEditModel, "") {
		return 0, fmt.Errorf("editing provider models: %w", remit.ErrForbidden)
	}
	if err := m.validateStatement(ref, st); err != nil {
		return 0, err
	}
	m.changing.Lock()
	defer m.changing.Unlock()
	var newVersion int64
	err := m.store.Write(ctx, func(tx remit.Tx) error {
		d, err := tx.FindDocument(ctx, remit.KindOffering, ref)
		if err != nil {
			return err
		}
		var o remit.Offering
		if err := json.Unmarshal(d.Body, &o); err != nil {
			return err
		}
		if err := o.SetStatement(st); err != nil {
			return err
		}
		body := mustJSON(o)
		nd, err := tx.UpdateDocument(ctx, remit.KindOffering, ref, body, version, now)
		if err != nil {
			return err
		}
		newVersion = nd.Version
		return remit.RecordChange(ctx, tx, p.Email, remit.KindOffering, ref, d.Body, body, now)
	})
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next, _, err := m.cache.SetStatement(ref, st)
	if err != nil {
		return 0, err
	}
	m.cache = next
	return newVersion, nil
}

// Change edits the workspace through edit (given a deep copy of the
// current one) and stores the result, if p may (authorise sees the
// workspace before and after) and the primary document (kind, id) is at
// version (0 to create it). The model is rebuilt from the result.
func (m *Model) Change(ctx context.Context, p remit.Principal, kind remit.Kind, id string, version int64, now time.Time,
	edit func(ws *remit.Workspace) error, authorise func(before, after *remit.Workspace) error) (int64, error) {
	m.changing.Lock()
	defer m.changing.Unlock()
	m.mu.RLock()
	before := m.cache.Estate.Workspace()
	after := remit.Clone(before)
	m.mu.RUnlock()
	if err := edit(after); err != nil {
		return 0, err
	}
	if err := authorise(before, after); err != nil {
		return 0, err
	}
	v, err := remit.Apply(ctx, m.store, before, after, kind, id, version, p.Email, now)
	if err != nil {
		return 0, err
	}
	// A system's change touches its matrix alone: apply it in place.
	if kind == remit.KindSystem {
		i := slices.IndexFunc(after.Systems, func(s remit.System) bool { return s.ID == id })
		m.mu.Lock()
		var next *engine.Cache
		if i >= 0 {
			next, err = m.cache.PutSystem(&after.Systems[i])
		} else {
			next, err = m.cache.DeleteSystem(id)
		}
		if err == nil {
			m.cache = next
		}
		m.mu.Unlock()
		if err == nil {
			return v, nil
		}
	}
	est, err := engine.New(after, m.defaults)
	if err != nil {
		return 0, fmt.Errorf("rebuild the model: %w", err)
	}
	cache := engine.NewCache(est)
	m.mu.Lock()
	m.cache = cache
	m.epoch++
	m.mu.Unlock()
	return v, nil
}

// DiffVersions says which systems' obligations change, and how, between
// two versions of an offering's model: the current estate is resolved with
// each version's statements and the results compared.
func (m *Model) DiffVersions(ctx context.Context, ref string, from, to int) ([]engine.SystemDiff, error) {
	var vs []remit.OfferingVersion
	if err := m.store.Read(ctx, func(tx remit.Tx) error {
		var err error
		vs, err = remit.OfferingVersions(ctx, tx, ref)
		return err
	}); err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("offering %q has no model versions: %w", ref, remit.ErrNotFound)
	}
	if from < 1 || to < 1 || from > len(vs) || to > len(vs) {
		return nil, fmt.Errorf("%s has versions 1 to %d, not %d and %d: %w", ref, len(vs), from, to, remit.ErrNotFound)
	}
	or, _ := remit.ParseOfferingRef(ref)
	provider, offering := or.Provider, or.Offering
	var estates [2]*engine.Estate
	var err error
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		for i, v := range []int{from, to} {
			ws := withStatements(c.Estate.Workspace(), provider, offering, vs[v-1].Statements)
			if estates[i], err = engine.New(ws, m.defaults); err != nil {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	diffs := engine.Diff(estates[0], estates[1])
	if diffs == nil {
		diffs = []engine.SystemDiff{}
	}
	return diffs, nil
}

// withStatements copies ws with one offering's statements replaced,
// sharing everything else.
func withStatements(ws *remit.Workspace, provider, offering string, statements []remit.Statement) *remit.Workspace {
	cp := *ws
	cp.Providers = slices.Clone(ws.Providers)
	for i, p := range cp.Providers {
		if p.ID != provider {
			continue
		}
		p.Offerings = slices.Clone(p.Offerings)
		for j := range p.Offerings {
			if p.Offerings[j].ID == offering {
				p.Offerings[j].Statements = statements
			}
		}
		cp.Providers[i] = p
	}
	return &cp
}

// validateStatement checks one statement with the same rules as a whole
// workspace, against the current model's catalogues.
func (m *Model) validateStatement(ref string, st remit.Statement) error {
	if st.Class == "" {
		return nil
	}
	var ws remit.Workspace
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		est := c.Estate
		ws.Name = "check"
		ws.Catalogues = est.Catalogues()
		or, _ := remit.ParseOfferingRef(ref)
		prov, off := or.Provider, or.Offering
		ws.Providers = []remit.Provider{{ID: prov, Name: prov, Offerings: []remit.Offering{{ID: off, Name: off, ServiceModel: remit.SaaS, Statements: []remit.Statement{st}}}}}
	})
	const at = "/providers/0/offerings/0/statements/0"
	var ps []remit.Problem
	for _, p := range remit.Validate(&ws) {
		if strings.HasPrefix(p.Pointer, at) {
			p.Pointer = strings.TrimPrefix(p.Pointer, at)
			ps = append(ps, p)
		}
	}
	if len(ps) > 0 {
		return &remit.ValidationError{Problems: ps}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
