// Package service is Remit's one home for use-cases: every change anyone
// makes — through the API, the web UI or the CLI — is one method here,
// which authorises it (remit.Principal.May), validates it against the
// current snapshot, writes it in one transaction with its audit record,
// and publishes the next immutable Snapshot. Readers take a Snapshot and
// may keep it as long as they like.
//
// A write costs what it changes: a system's edit validates that system,
// writes one document and recomputes one matrix; a statement's edit
// recomputes the systems using that offering. Only edits of catalogues
// (which every matrix is computed over) and deletions of providers and
// offerings rebuild the estate.
//
// Several servers may share one database: Refresh reads the audit trail
// from where the snapshot stands and applies what others changed.
package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"remit/internal/engine"
	"remit/internal/persist"
	"remit/internal/remit"
)

// Config is what a Service needs.
type Config struct {
	Store    remit.Store
	Defaults *remit.Defaults
	// Questionnaire is the supplier assessment template; SATTemplate the
	// built-in Standards Assurance Table template (the first version of
	// the organisation's).
	Questionnaire *remit.Questionnaire
	SATTemplate   *remit.SATTemplate
	// Now is the clock (time.Now unless set): tests inject one.
	Now func() time.Time
	// AuditKeys, when set, MAC every audit record the service appends
	// (anchor.go); the first key signs.
	AuditKeys *AuditKeys
	// CheckMappings map automated check rules to controls (the built-in
	// ones: content.CheckMappings()); a workspace's checks files add to
	// them.
	CheckMappings []remit.CheckMappings
	// StandardClauses are the clauses of the organisation's standard
	// security aspects letter, which an assessor may add to a supplier's
	// record at once (the built-in ones: content.SecurityAspectsLetter()).
	StandardClauses []remit.Clause
}

// Service runs Remit's use-cases over one store. Its methods are safe for
// concurrent use.
type Service struct {
	store              remit.Store
	auditKeys          *AuditKeys
	defaults           *remit.Defaults
	questionnaire      *remit.Questionnaire
	standardClauses    []remit.Clause
	satTemplateBuiltIn *remit.SATTemplate
	checkMappings      []remit.CheckMappings
	now                func() time.Time

	// writing serialises this instance's writes: each starts from the
	// snapshot the last one published.
	writing sync.Mutex
	snap    atomic.Pointer[Snapshot]
	// epochs counts rebuilds, so no two snapshots of this service built
	// from the store share an epoch.
	epochs atomic.Uint64
	// tallies keeps each system's count of our obligations across
	// snapshots (ObligationsByTeam).
	tallies tallies
	// assurance keeps each system's tally of our obligations by the
	// source of their assurance, for the dashboard.
	assurance assuranceTallies
}

// Open builds the first snapshot from what the store holds.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Defaults == nil || cfg.Questionnaire == nil || cfg.SATTemplate == nil {
		return nil, errors.New("service: the store, the defaults, the questionnaire and the SAT template are all needed")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{store: Signed(cfg.Store, cfg.AuditKeys), auditKeys: cfg.AuditKeys, defaults: cfg.Defaults, questionnaire: cfg.Questionnaire, standardClauses: cfg.StandardClauses, satTemplateBuiltIn: cfg.SATTemplate, checkMappings: cfg.CheckMappings, now: cfg.Now}
	sn, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.snap.Store(sn)
	return s, nil
}

// Snapshot is the current state: never changed, safe to keep.
func (s *Service) Snapshot() *Snapshot { return s.snap.Load() }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Questionnaire is the supplier assessment template.
func (s *Service) Questionnaire() *remit.Questionnaire { return s.questionnaire }

// Defaults is the table of service-model defaults.
func (s *Service) Defaults() *remit.Defaults { return s.defaults }

// DefaultClasses gives, for an offering (or, when it is new, the service
// model it will have), the class each control would have under the
// service-model default: what a provider's matrix that states no
// responsibility is read as. Nil when the service model is not known.
func (s *Service) DefaultClasses(offering string, model remit.ServiceModel) func(remit.Control) remit.Class {
	if o, ok := s.Snapshot().Offering(offering); ok {
		model = o.Offering.ServiceModel
	}
	if !model.Valid() {
		return nil
	}
	d := s.defaults
	return func(c remit.Control) remit.Class {
		if r, ok := d.Rule(c.Area); ok {
			if cl, ok := r.Classes[model]; ok {
				return cl
			}
		}
		return remit.OrganisationSpecific // a control without an area is assumed ours, as in the matrix
	}
}

// load builds a whole snapshot from the store, in one read transaction.
func (s *Service) load(ctx context.Context) (*Snapshot, error) {
	var sn *Snapshot
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		sn, err = s.loadFrom(ctx, tx)
		return err
	})
	return sn, err
}

// loadFrom builds a whole snapshot from what tx reads.
func (s *Service) loadFrom(ctx context.Context, tx remit.Tx) (*Snapshot, error) {
	sn := &Snapshot{riskList: &lazyRiskList{}, byID: &lazySystems{}}
	var ws *remit.Workspace
	var versions map[string]int64
	var evs []remit.Evidence
	var risks []remit.Risk
	err := func() error {
		var err error
		if sn.seq, err = tx.AuditSeq(ctx); err != nil {
			return err
		}
		if ws, versions, err = exportTx(ctx, tx); errors.Is(err, remit.ErrNotFound) {
			ws, versions, err = &remit.Workspace{Name: "Remit workspace"}, map[string]int64{}, nil
		}
		if err != nil {
			return err
		}
		docs, err := tx.Documents(ctx, KindObligation, "")
		if err != nil {
			return err
		}
		for _, d := range docs {
			t, err := trackings.decode(d)
			if err != nil {
				return err
			}
			sn.tracking = sn.tracking.Put(d.ID, remit.TrackedObligation{ID: d.ID, Tracking: t, Version: d.Version, UpdatedAt: d.UpdatedAt})
		}
		if evs, err = evidenceDocs.list(ctx, tx, ""); err != nil {
			return err
		}
		if sn.assessments, err = assessments.list(ctx, tx, ""); err != nil {
			return err
		}
		if sn.sats, err = satDocs.list(ctx, tx, ""); err != nil {
			return err
		}
		runs, err := checkRuns.list(ctx, tx, "")
		if err != nil {
			return err
		}
		slices.SortFunc(runs, func(a, b remit.CheckRun) int {
			return cmp.Or(a.Received.Compare(b.Received), strings.Compare(a.ID, b.ID))
		})
		sn.putCheckRuns(runs...)
		pfs, err := tx.Documents(ctx, KindProviderFindings, "")
		if err != nil {
			return err
		}
		for _, d := range pfs {
			pf, err := measuredDocs.decode(d)
			if err != nil {
				return err
			}
			sn.measured = sn.measured.Put(d.ID, &pf)
			versions[versionKey(KindProviderFindings, d.ID)] = d.Version
		}
		if risks, err = riskDocs.list(ctx, tx, ""); err != nil {
			return err
		}
		sn.riskSettings, err = currentRiskSettings(ctx, tx)
		return err
	}()
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	est, err := engine.New(ws, s.defaults)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if sn.checks, err = newCheckRules(s.checkMappings, ws.Checks); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	sn.cache = engine.NewCache(est)
	sn.versions = persist.MapOf(versions)
	for _, ev := range evs {
		sn.evidence = sn.evidence.Put(ev.ID, ev)
	}
	sn.reindex()
	sn.putRisks(risks...)
	sn.epoch = s.epochs.Add(1)
	return sn, nil
}

// write runs fn, which changes the store through tx and returns how the
// snapshot changes with it (nil when it does not), as this instance's one
// writer: fn starts from the newest snapshot, and the next snapshot is
// published only once the transaction has committed.
//
// fn validates against that snapshot, so it must be the store's newest
// state: the transaction first locks the audit trail's head (which every
// writer, on any instance, takes before it changes anything), and if
// another instance — a second server, or the CLI — has written since the
// snapshot's place in the trail, it catches up through the same
// transaction before fn runs. No one else can write meanwhile, so fn sees
// exactly what it changes.
func (s *Service) write(ctx context.Context, fn func(tx remit.Tx, sn *Snapshot) (apply func(next *Snapshot) error, err error)) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	sn := s.snap.Load()
	caughtUp := false
	var apply func(*Snapshot) error
	var head int64
	err := s.store.Write(ctx, func(tx remit.Tx) error {
		seq, _, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if seq != sn.seq {
			caught, _, err := s.catchUp(ctx, tx, sn)
			if err != nil {
				return fmt.Errorf("catch up with the store: %w", err)
			}
			sn, caughtUp = caught, true
		}
		if apply, err = fn(tx, sn); err != nil {
			return err
		}
		head, _, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		if caughtUp {
			// What others wrote is committed even though this change is
			// not: keep the snapshot that shows it.
			s.snap.Store(sn)
		}
		return err
	}
	if apply == nil && head == sn.seq {
		if caughtUp {
			s.snap.Store(sn)
		}
		return nil
	}
	next := sn.next()
	next.seq = head
	if apply == nil {
		s.snap.Store(next)
		return nil
	}
	if err := apply(next); err != nil {
		// The store holds the change but the snapshot cannot show it:
		// build the snapshot afresh from the store.
		fresh, lerr := s.load(ctx)
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		s.snap.Store(fresh)
		return nil
	}
	s.snap.Store(next)
	return nil
}

// read runs fn in a read transaction.
func (s *Service) read(ctx context.Context, fn func(tx remit.Tx) error) error {
	return s.store.Read(ctx, fn)
}

// Follow refreshes every interval until ctx ends, logging failures.
func (s *Service) Follow(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Error("refresh the snapshot", "err", err)
			}
		}
	}
}

// Ready reports whether the store answers.
func (s *Service) Ready(ctx context.Context) error {
	return s.read(ctx, func(tx remit.Tx) error {
		_, err := tx.Count(ctx, KindWorkspace, "")
		return err
	})
}
