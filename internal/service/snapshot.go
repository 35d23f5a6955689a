package service

import (
	"iter"
	"slices"
	"strings"
	"sync"

	"remit/internal/engine"
	"remit/internal/persist"
	"remit/internal/remit"
)

// Snapshot is one state of everything the service knows: the estate with
// every system's matrix, the tracking of our obligations, the evidence
// and its index, the assessments, SATs and the risk register. It never
// changes once published: a reader may keep it as long as it likes, and a
// writer builds the next one, sharing all it did not change.
type Snapshot struct {
	// epoch changes whenever the estate is rebuilt from the store (indexes
	// may change then); with a system's stamp it says whether what was
	// derived from a matrix is still current.
	epoch uint64
	// seq is the last audit record this snapshot is known to reflect:
	// Refresh reads the trail from there.
	seq   int64
	cache *engine.Cache
	// versions holds the stored version of each workspace document the
	// estate holds, by kind and id: Refresh applies only what is newer.
	versions persist.Map[int64]
	tracking persist.Map[remit.TrackedObligation]
	evidence persist.Map[remit.Evidence]
	index    *remit.EvidenceIndex
	// assessments and sats are shared and replaced, never changed.
	assessments []remit.SupplierAssessment
	sats        []remit.SAT
	// checkRuns are the runs handed in, in order, with their positions
	// by id; automated what they said, per system and control.
	checkRuns  persist.Vector[remit.CheckRun]
	checkRunAt persist.Map[int]
	automated  remit.Automated
	// checks are the check mappings in force: built-in and the
	// workspace's checks files.
	checks *checkRules
	// measured holds the providers' own findings, by offering and model.
	measured persist.Map[*remit.ProviderFindings]
	risks    persist.Map[*remit.Risk]
	riskList *lazyRiskList
	// byID orders the systems for SortedObligations, once.
	byID         *lazySystems
	riskSettings remit.RiskSettings
	// evidenceGen counts changes to the evidence (and assessments), and
	// trackingGen to the tracking of obligations: with the day, they say
	// whether assurance derived from them is still current.
	evidenceGen, trackingGen uint64
}

// lazySystems is a per-snapshot ordering of the systems, built on first
// use.
type lazySystems struct {
	once sync.Once
	list []int32
}

// lazyRiskList builds the register's sorted orders once per snapshot that
// changed a risk, on first use.
type lazyRiskList struct {
	once sync.Once
	list *remit.RiskList
}

func versionKey(kind remit.Kind, id string) string { return string(kind) + "\x00" + id }

// Epoch changes whenever the estate is rebuilt (system indexes may change
// then).
func (sn *Snapshot) Epoch() uint64 { return sn.epoch }

// Version is the stored version of a workspace document (KindSystem,
// KindOffering, …) as this snapshot holds it: an ETag that always matches
// what the snapshot shows.
func (sn *Snapshot) Version(kind remit.Kind, id string) (int64, bool) {
	return sn.versions.Get(versionKey(kind, id))
}

// Cache is the estate and every system's matrix.
func (sn *Snapshot) Cache() *engine.Cache { return sn.cache }

// Estate is the estate.
func (sn *Snapshot) Estate() *engine.Estate { return sn.cache.Estate }

// MatrixStamp returns the snapshot's epoch and the stamp of a system's
// matrix: while both stay the same, so does the matrix (and anything
// derived from it). ok is false when there is no such system.
func (sn *Snapshot) MatrixStamp(id string) (epoch, stamp uint64, ok bool) {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return sn.epoch, 0, false
	}
	return sn.epoch, sn.cache.Stamp(si), true
}

// Tracking returns the stored tracking of one of our obligations.
func (sn *Snapshot) Tracking(id string) (remit.TrackedObligation, bool) { return sn.tracking.Get(id) }

// Trackings yields every stored tracking, in no particular order.
func (sn *Snapshot) Trackings() iter.Seq2[string, remit.TrackedObligation] { return sn.tracking.All() }

// Evidence is the evidence index (read only).
func (sn *Snapshot) Evidence() *remit.EvidenceIndex { return sn.index }

// AllEvidence returns every piece of evidence, by id.
func (sn *Snapshot) AllEvidence() []remit.Evidence {
	out := make([]remit.Evidence, 0, sn.evidence.Len())
	for _, ev := range sn.evidence.All() {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b remit.Evidence) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Generations change whenever any evidence, or any obligation's
// tracking, does.
func (sn *Snapshot) Generations() (evidence, tracking uint64) { return sn.evidenceGen, sn.trackingGen }

// Assessments returns every supplier assessment, newest first.
func (sn *Snapshot) Assessments() []remit.SupplierAssessment {
	out := slices.Clone(sn.assessments)
	slices.SortFunc(out, func(a, b remit.SupplierAssessment) int { return b.Created.Compare(a.Created) })
	return out
}

// SATs returns every Standards Assurance Table, newest first.
func (sn *Snapshot) SATs() []remit.SAT {
	out := slices.Clone(sn.sats)
	slices.SortFunc(out, func(a, b remit.SAT) int { return b.Created.Compare(a.Created) })
	return out
}

// RiskList returns the register ready to list, and its settings (read
// only).
func (sn *Snapshot) RiskList() (*remit.RiskList, remit.RiskSettings) {
	sn.riskList.once.Do(func() {
		all := make([]*remit.Risk, 0, sn.risks.Len())
		for _, r := range sn.risks.All() {
			all = append(all, r)
		}
		sn.riskList.list = remit.NewRiskList(all)
	})
	return sn.riskList.list, sn.riskSettings
}

// Risks returns the register, ordered by id, and its settings (read only).
func (sn *Snapshot) Risks() ([]*remit.Risk, remit.RiskSettings) {
	l, settings := sn.RiskList()
	return l.ByID, settings
}

// next starts the snapshot after sn: a copy for a writer to change.
func (sn *Snapshot) next() *Snapshot {
	cp := *sn
	return &cp
}

// withCache sets the estate after a change to an aggregate of kind and
// id, now at version (0 when deleted).
func (sn *Snapshot) withCache(c *engine.Cache, kind remit.Kind, id string, version int64) {
	sn.cache = c
	sn.chained()
	sn.byID = &lazySystems{}
	if version == 0 {
		sn.versions = sn.versions.Delete(versionKey(kind, id))
	} else {
		sn.versions = sn.versions.Put(versionKey(kind, id), version)
	}
}

// putTracking holds new tracking, unless it already holds a later version.
func (sn *Snapshot) putTracking(t remit.TrackedObligation) {
	if cur, ok := sn.tracking.Get(t.ID); ok && cur.Version >= t.Version {
		return
	}
	sn.tracking = sn.tracking.Put(t.ID, t)
	sn.trackingGen++
}

// putEvidence holds evidence added or changed, and rebuilds the index.
func (sn *Snapshot) putEvidence(evs ...remit.Evidence) {
	for _, ev := range evs {
		sn.evidence = sn.evidence.Put(ev.ID, ev)
	}
	sn.reindex()
}

// reindex builds the evidence index from the evidence and judgements held.
func (sn *Snapshot) reindex() {
	sn.index = remit.NewEvidenceIndex(sn.AllEvidence(), remit.Judgements{Suppliers: sn.assessments, SATs: sn.sats, Automated: sn.automated})
	if sn.measured.Len() > 0 {
		sn.index = sn.index.WithProviderFindings(sn.allMeasured(), sn.cache.Estate.Related)
	}
	sn.chained()
	sn.evidenceGen++
}

// chained points the evidence index at the estate's chain of reliance:
// the fourth parties each offering's obligation rests on, and the names a
// report's scope may give them.
func (sn *Snapshot) chained() {
	if sn.index == nil {
		return
	}
	e := sn.cache.Estate
	sn.index = sn.index.WithChains(e.ChainMemo(), func(ref string) []string {
		oi, ok := e.OfferingIndex(ref)
		if !ok {
			return nil
		}
		o := e.Offering(oi)
		return []string{o.Offering.Name, o.Provider.Name}
	})
}

// putCheckRuns holds check runs handed in. It costs the runs' verdicts,
// not the estate: the runs are appended to a persistent vector and their
// verdicts put in the persistent automated holding, which the evidence
// index is re-pointed at (the evidence itself is not indexed again).
func (sn *Snapshot) putCheckRuns(rs ...remit.CheckRun) {
	for _, r := range rs {
		if i, ok := sn.checkRunAt.Get(r.ID); ok {
			sn.checkRuns = sn.checkRuns.Set(i, r)
		} else {
			sn.checkRunAt = sn.checkRunAt.Put(r.ID, sn.checkRuns.Len())
			sn.checkRuns = sn.checkRuns.Append(r)
		}
		sn.automated = sn.automated.With(r.Verdicts...)
	}
	if sn.index != nil {
		sn.index = sn.index.WithAutomated(sn.automated)
	}
	sn.evidenceGen++
}

// CheckRuns are the automated check runs handed in, oldest first.
func (sn *Snapshot) CheckRuns() iter.Seq2[int, *remit.CheckRun] { return sn.checkRuns.All() }

// NumCheckRuns is how many check runs were handed in.
func (sn *Snapshot) NumCheckRuns() int { return sn.checkRuns.Len() }

// CheckRunAt is the i-th run handed in (from 0, oldest first).
func (sn *Snapshot) CheckRunAt(i int) (*remit.CheckRun, bool) {
	if i < 0 || i >= sn.checkRuns.Len() {
		return nil, false
	}
	return sn.checkRuns.At(i), true
}

// CheckRun is the run with id.
func (sn *Snapshot) CheckRun(id string) (*remit.CheckRun, bool) {
	i, ok := sn.checkRunAt.Get(id)
	if !ok {
		return nil, false
	}
	return sn.checkRuns.At(i), true
}

// Automated is each tool's latest result per system and control.
func (sn *Snapshot) Automated() remit.Automated { return sn.automated }

// putAssessments holds supplier assessments started or changed.
func (sn *Snapshot) putAssessments(as ...remit.SupplierAssessment) {
	sn.assessments = upsertAll(sn.assessments, as, func(a remit.SupplierAssessment) string { return a.ID })
	sn.reindex()
}

// putSATs holds SATs started or changed.
func (sn *Snapshot) putSATs(as ...remit.SAT) {
	sn.sats = upsertAll(sn.sats, as, func(a remit.SAT) string { return a.ID })
	sn.reindex()
}

// putRisks holds risks recorded or changed.
func (sn *Snapshot) putRisks(rs ...remit.Risk) {
	for i := range rs {
		r := rs[i]
		sn.risks = sn.risks.Put(r.ID, &r)
	}
	sn.riskList = &lazyRiskList{}
}

// upsertAll returns items with each of changed in place of the item with
// its id, or added; items itself is not changed.
func upsertAll[T any](items, changed []T, id func(T) string) []T {
	out := slices.Clone(items)
	for _, c := range changed {
		if i := slices.IndexFunc(out, func(x T) bool { return id(x) == id(c) }); i >= 0 {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}
