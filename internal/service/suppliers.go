package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// KindSupplier is a provider's supplier record (listed in Kinds and
// doc/storage.md).
const KindSupplier remit.Kind = "supplier" // provider id

var suppliers = collection[remit.SupplierRecord]{kind: KindSupplier, what: "supplier record"}

// SupplierView is a provider as a supplier: its record, and its tier —
// the one set by hand when there is one, else the one worked out from the
// systems relying on it — with why.
type SupplierView struct {
	Record  remit.SupplierRecord `json:"record"`
	Version int64                `json:"version" doc:"The record's version, for If-Match (0: none kept yet)"`
	Tier    int                  `json:"tier" doc:"1 (most critical) to 3"`
	// Derived is the tier worked out, and Why says how; Set says the
	// record's tier overrides it.
	Derived int    `json:"derived_tier"`
	Why     string `json:"why"`
	Set     bool   `json:"set_by_hand"`
	// Systems counts the systems relying on it, directly or through a
	// fourth party.
	Systems int `json:"systems"`
	// NoticeBy is the last day to give notice on its contract.
	NoticeBy string `json:"notice_by,omitempty"`
	// Schedule is when it is next assessed, against what, and whether it
	// holds the evidence its tier asks for.
	Schedule SupplierSchedule `json:"schedule"`
	// Clauses are its supplier obligations with their assurance today.
	Clauses []ClauseView `json:"clauses"`
	// ClauseCounts counts them by assurance status.
	ClauseCounts map[remit.AssuranceStatus]int `json:"clause_counts"`
	// SubProcessors are the sub-processors it declares, named.
	SubProcessors []SubProcessorView `json:"sub_processors"`
}

// SupplierSchedule is a supplier's reassessment: its tier's policy, how
// often (the cadence set for the provider, else the tier's), the last
// assessment signed off, when the next is due, and the evidence its tier
// requires.
type SupplierSchedule struct {
	Policy        remit.TierPolicy `json:"policy"`
	Questionnaire string           `json:"questionnaire_title"`
	Months        int              `json:"months" doc:"How often it is reassessed: the cadence set for it, else its tier's"`
	CadenceSet    bool             `json:"cadence_set"`
	LastAssessed  string           `json:"last_assessed,omitempty"`
	Due           string           `json:"due" doc:"YYYY-MM-DD: when the next assessment is due (today when never assessed)"`
	Overdue       bool             `json:"overdue"`
	DueSoon       bool             `json:"due_soon" doc:"Due within 30 days"`
	// EvidenceHeld lists current evidence of a kind the tier requires;
	// EvidenceMissing says the tier requires some and none is current.
	EvidenceHeld    []EvidenceBrief `json:"evidence_held,omitempty"`
	EvidenceMissing bool            `json:"evidence_missing"`
}

// EvidenceBrief names a piece of evidence.
type EvidenceBrief struct {
	ID      string             `json:"id"`
	Title   string             `json:"title"`
	Kind    remit.EvidenceKind `json:"kind"`
	Expires string             `json:"expires,omitempty"`
}

// ClauseView is a supplier obligation with its assurance and the open
// findings that name it.
type ClauseView struct {
	remit.Clause
	Ref       string          `json:"ref" doc:"provider/clause: what evidence and findings name"`
	Assurance remit.Assurance `json:"assurance"`
	Findings  []string        `json:"findings,omitempty" doc:"Ids of open findings naming it"`
}

// SubProcessorView is a declared sub-processor, with the known provider's
// name when it is linked to one.
type SubProcessorView struct {
	remit.SubProcessor
	ProviderName string `json:"provider_name,omitempty"`
}

// Supplier reads a provider's supplier record and works out its tier.
func (s *Service) Supplier(ctx context.Context, provider string) (SupplierView, error) {
	sn := s.Snapshot()
	if _, ok := sn.Provider(provider); !ok {
		return SupplierView{}, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	rec, v, err := suppliers.get(ctx, s.store, provider)
	if err != nil && !errors.Is(err, remit.ErrNotFound) {
		return SupplierView{}, err
	}
	subs, err := s.subProcessorLinks(ctx)
	if err != nil {
		return SupplierView{}, err
	}
	settings, _, err := s.SupplierSettings(ctx)
	if err != nil {
		return SupplierView{}, err
	}
	cadences, err := s.ReviewCadences(ctx)
	if err != nil {
		return SupplierView{}, err
	}
	findings, err := s.Findings(ctx)
	if err != nil {
		return SupplierView{}, err
	}
	now := s.now()
	out := sn.supplierView(provider, rec, v, subs)
	pol := settings.Policy(out.Tier)
	pol.Questionnaire = cmp.Or(pol.Questionnaire, s.questionnaire.Template)
	out.Schedule = sn.schedule(provider, pol, cadences, now)
	if q, err := s.QuestionnaireVersion(ctx, pol.Questionnaire, 0); err == nil {
		out.Schedule.Questionnaire = q.Title
	}
	out.Clauses, out.ClauseCounts = sn.clauses(provider, rec, findings, now)
	for _, sp := range rec.SubProcessors {
		v := SubProcessorView{SubProcessor: sp}
		if p, ok := sn.Provider(sp.Provider); ok {
			v.ProviderName = p.Name
		}
		out.SubProcessors = append(out.SubProcessors, v)
	}
	return out, nil
}

func (sn *Snapshot) supplierView(provider string, rec remit.SupplierRecord, version int64, subs map[string][]string) SupplierView {
	classes := classesOf(sn.cache.Estate, subs)[provider]
	out := SupplierView{Record: rec, Version: version, Systems: len(classes)}
	out.Derived, out.Why = remit.DeriveTier(classes)
	out.Tier, out.Set = out.Derived, rec.Tier > 0
	if out.Set {
		out.Tier = rec.Tier
	}
	if rec.Contract != nil {
		out.NoticeBy = rec.Contract.NoticeBy()
	}
	return out
}

// classesOf lists, by provider, the classification of each system that
// relies on it: through its own offerings, the fourth parties they run
// on, or the known sub-processors any of those declares (subs). One pass
// over the systems.
func classesOf(e *engine.Estate, subs map[string][]string) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, sys := range e.Systems() {
		clear(seen)
		for _, oi := range sys.Uses {
			o := e.Offering(oi)
			seen[o.Provider.ID] = true
			for _, vi := range o.Via {
				seen[e.Offering(vi).Provider.ID] = true
			}
		}
		for p := range maps.Clone(seen) {
			for _, q := range subs[p] {
				seen[q] = true
			}
		}
		for id := range seen {
			out[id] = append(out[id], sys.System.Classification)
		}
	}
	return out
}

// schedule works out a supplier's next assessment on day now.
func (sn *Snapshot) schedule(provider string, pol remit.TierPolicy, cadences map[string]Cadence, now time.Time) SupplierSchedule {
	return scheduleOf(sn.offeringsOf(provider), sn.lastAssessed(), sn.index, pol, cadences[provider], now)
}

// lastAssessed is when each offering's latest completed assessment was
// signed off.
func (sn *Snapshot) lastAssessed() map[string]time.Time {
	out := map[string]time.Time{}
	for _, a := range sn.assessments {
		if a.Status == remit.AssessmentCompleted && a.SignedOff != nil && a.SignedOff.After(out[a.Offering]) {
			out[a.Offering] = *a.SignedOff
		}
	}
	return out
}

// scheduleOf works out the next assessment of a supplier with offerings,
// under its tier's policy and the cadence set for it (zero: none), from
// when each offering was last assessed and the evidence index.
func scheduleOf(offerings []string, assessed map[string]time.Time, x *remit.EvidenceIndex, pol remit.TierPolicy, cadence Cadence, now time.Time) SupplierSchedule {
	out := SupplierSchedule{Policy: pol, Months: pol.Months}
	if cadence.Months > 0 {
		out.Months, out.CadenceSet = cadence.Months, true
	}
	var last time.Time
	for _, off := range offerings {
		if t := assessed[off]; t.After(last) {
			last = t
		}
	}
	if !last.IsZero() {
		out.LastAssessed = last.UTC().Format(time.DateOnly)
	}
	today := now.UTC().Format(time.DateOnly)
	out.Due = remit.ReviewDue(out.LastAssessed, out.Months, now)
	out.Overdue = out.Due <= today
	out.DueSoon = !out.Overdue && out.Due <= now.AddDate(0, 0, 30).UTC().Format(time.DateOnly)
	if pol.SelfAttested() {
		return out
	}
	seen := map[string]bool{}
	for _, off := range offerings {
		for _, ev := range x.For(remit.ObligationRef{Offering: off}) {
			if !seen[ev.ID] && slices.Contains(pol.Evidence, ev.Kind) && ev.Counts(now) {
				seen[ev.ID] = true
				out.EvidenceHeld = append(out.EvidenceHeld, EvidenceBrief{ID: ev.ID, Title: ev.Title, Kind: ev.Kind, Expires: ev.Expires})
			}
		}
	}
	out.EvidenceMissing = len(out.EvidenceHeld) == 0
	return out
}

func (sn *Snapshot) offeringsOf(provider string) []string {
	e := sn.cache.Estate
	p, ok := e.Provider(provider)
	if !ok {
		return nil
	}
	var out []string
	for _, o := range e.OfferingsOf(p) {
		out = append(out, o.Ref)
	}
	return out
}

// clauses derives the assurance of a supplier's clauses on day now.
func (sn *Snapshot) clauses(provider string, rec remit.SupplierRecord, findings []remit.Finding, now time.Time) ([]ClauseView, map[remit.AssuranceStatus]int) {
	offerings := sn.offeringsOf(provider)
	counts := map[remit.AssuranceStatus]int{}
	out := make([]ClauseView, 0, len(rec.Clauses))
	for _, c := range rec.Clauses {
		ref := remit.ClauseRef(provider, c.ID)
		v := ClauseView{Clause: c, Ref: ref}
		var failing []string
		for _, f := range findings {
			if f.Status != remit.FindingClosed && slices.Contains(f.Clauses, ref) {
				v.Findings = append(v.Findings, f.ID)
				failing = append(failing, fmt.Sprintf("%q", f.Title))
			}
		}
		v.Assurance = sn.index.AssureClause(provider, offerings, c, failing, now)
		counts[v.Assurance.Status]++
		out = append(out, v)
	}
	return out, counts
}

// SetSupplier keeps a provider's supplier record, at the version read
// (0: none kept yet). Assessors and admins keep them, as they set review
// cadences.
func (s *Service) SetSupplier(ctx context.Context, p remit.Principal, provider string, rec remit.SupplierRecord, version int64) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("supplier records are kept by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if _, ok := s.Snapshot().Provider(provider); !ok {
		return 0, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	ps := rec.Validate()
	sn := s.Snapshot()
	var known []string
	for _, p := range sn.Providers() {
		known = append(known, p.ID)
	}
	for i, sp := range rec.SubProcessors {
		if sp.Provider == "" {
			continue
		}
		if sp.Provider == provider {
			ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/sub_processors/%d/provider", i), Message: "a supplier is not its own sub-processor"})
		} else if _, ok := sn.Provider(sp.Provider); !ok {
			ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/sub_processors/%d/provider", i), Message: fmt.Sprintf("there is no provider %q%s: leave it empty for a sub-processor Remit does not know", sp.Provider, didYouMean(sp.Provider, known))})
		}
	}
	if len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := suppliers.put(ctx, tx, change{p.Email, s.now()}, provider, rec, version)
		out = d.Version
		return nil, err
	})
	return out, err
}

// tiers works out every provider's tier in one pass over the systems:
// each system counts once for each provider it relies on, directly or
// through a fourth party. A tier set by hand in a supplier record wins.
func (sn *Snapshot) tiers(records map[string]remit.SupplierRecord) map[string]int {
	e := sn.cache.Estate
	return tiersOf(e, classesOf(e, subProcessorsOf(records)), records)
}

func tiersOf(e *engine.Estate, classes map[string][]string, records map[string]remit.SupplierRecord) map[string]int {
	out := map[string]int{}
	for _, p := range e.Providers() {
		out[p.ID], _ = remit.DeriveTier(classes[p.ID])
		if r, ok := records[p.ID]; ok && r.Tier > 0 {
			out[p.ID] = r.Tier
		}
	}
	return out
}

// supplierRecords reads every supplier record kept, by provider.
func (s *Service) supplierRecords(ctx context.Context) (map[string]remit.SupplierRecord, error) {
	out := map[string]remit.SupplierRecord{}
	err := s.read(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, KindSupplier, "")
		for _, d := range docs {
			r, err := suppliers.decode(d)
			if err != nil {
				return err
			}
			out[d.ID] = r
		}
		return err
	})
	return out, err
}

// subProcessorsOf lists, by provider, the known providers it declares as
// sub-processors.
func subProcessorsOf(records map[string]remit.SupplierRecord) map[string][]string {
	out := map[string][]string{}
	for id, r := range records {
		for _, sp := range r.SubProcessors {
			if sp.Provider != "" {
				out[id] = append(out[id], sp.Provider)
			}
		}
	}
	return out
}

func (s *Service) subProcessorLinks(ctx context.Context) (map[string][]string, error) {
	records, err := s.supplierRecords(ctx)
	return subProcessorsOf(records), err
}

// Concentration is the snapshot's concentration of reliance with the
// sub-processors suppliers declare counted as fourth parties.
func (s *Service) Concentration(ctx context.Context, sn *Snapshot) ([]Reliance, error) {
	subs, err := s.subProcessorLinks(ctx)
	if err != nil {
		return nil, err
	}
	return sn.cache.Estate.ConcentrationWith(subs), nil
}

// KindSupplierSettings holds the organisation's rules for suppliers
// (listed in Kinds and doc/storage.md).
const KindSupplierSettings remit.Kind = "supplier-settings" // id "settings"

var supplierSettings = collection[remit.SupplierSettings]{kind: KindSupplierSettings, what: "supplier settings"}

// SupplierSettings reads the rules for suppliers' tiers and their
// version (0: the defaults, never changed).
func (s *Service) SupplierSettings(ctx context.Context) (remit.SupplierSettings, int64, error) {
	st, v, err := supplierSettings.get(ctx, s.store, "settings")
	if errors.Is(err, remit.ErrNotFound) {
		st, err = remit.DefaultSupplierSettings(), nil
	}
	for i := range st.Tiers {
		st.Tiers[i].Questionnaire = cmp.Or(st.Tiers[i].Questionnaire, s.questionnaire.Template)
	}
	return st, v, err
}

// SetSupplierSettings changes the rules for suppliers' tiers, at the
// version read. Admins set them, as they set the risk settings.
func (s *Service) SetSupplierSettings(ctx context.Context, p remit.Principal, st remit.SupplierSettings, version int64) (int64, error) {
	if !p.May(remit.ActSetRiskSettings, "") {
		return 0, fmt.Errorf("the rules for suppliers are set by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		var known []string
		docs, err := tx.Documents(ctx, KindQuestionnaire, "")
		if err != nil {
			return nil, err
		}
		known = append(known, s.questionnaire.Template)
		for _, d := range docs {
			t, _, _ := strings.Cut(d.ID, "/")
			known = append(known, t)
		}
		if ps := st.Validate(func(q string) bool { return slices.Contains(known, q) }); len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		d, err := supplierSettings.put(ctx, tx, change{p.Email, s.now()}, "settings", st, version)
		out = d.Version
		return nil, err
	})
	return out, err
}

func didYouMean(s string, candidates []string) string {
	if best := remit.Closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// clauseProblems checks that each of refs (provider/clause) names a clause
// a supplier record holds; at gives each one's pointer.
func clauseProblems(ctx context.Context, tx remit.Tx, refs []string, at func(int) string) ([]remit.Problem, error) {
	var ps []remit.Problem
	records := map[string]*remit.SupplierRecord{}
	for i, ref := range refs {
		provider, id, ok := strings.Cut(ref, "/")
		if !ok {
			continue // the value's own validation names it
		}
		rec, seen := records[provider]
		if !seen {
			r, _, err := suppliers.find(ctx, tx, provider)
			if err != nil && !errors.Is(err, remit.ErrNotFound) {
				return nil, err
			}
			rec = &r
			records[provider] = rec
		}
		if _, ok := rec.Clause(id); !ok {
			var ids []string
			for _, c := range rec.Clauses {
				ids = append(ids, c.ID)
			}
			ps = append(ps, remit.Problem{Pointer: at(i), Message: fmt.Sprintf("%s has no clause %q%s: add it to the supplier's record first", provider, id, didYouMean(id, ids))})
		}
	}
	return ps, nil
}

// StandardClauses are the clauses of the organisation's standard security
// aspects letter.
func (s *Service) StandardClauses() []remit.Clause { return s.standardClauses }

// AddClauses adds clauses to a supplier's record, at the version read;
// with standard, the standard security aspects letter's clauses the
// record lacks (cs is then ignored).
func (s *Service) AddClauses(ctx context.Context, p remit.Principal, provider string, cs []remit.Clause, standard bool, version int64) (int64, error) {
	return s.changeClauses(ctx, p, provider, version, func(rec *remit.SupplierRecord) error {
		if standard {
			cs = nil
			for _, c := range s.standardClauses {
				if _, ok := rec.Clause(c.ID); !ok {
					cs = append(cs, c)
				}
			}
			if len(cs) == 0 {
				return &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/clauses", Message: "the record holds every clause of the standard security aspects letter already"}}}
			}
		}
		rec.Clauses = append(rec.Clauses, cs...)
		return nil
	})
}

// RemoveClause removes a clause from a supplier's record, at the version
// read. Evidence and findings naming it stay; they no longer count.
func (s *Service) RemoveClause(ctx context.Context, p remit.Principal, provider, clause string, version int64) (int64, error) {
	return s.changeClauses(ctx, p, provider, version, func(rec *remit.SupplierRecord) error {
		n := len(rec.Clauses)
		rec.Clauses = slices.DeleteFunc(rec.Clauses, func(c remit.Clause) bool { return c.ID == clause })
		if len(rec.Clauses) == n {
			return fmt.Errorf("clause %s of %s: %w", clause, provider, remit.ErrNotFound)
		}
		return nil
	})
}

func (s *Service) changeClauses(ctx context.Context, p remit.Principal, provider string, version int64, edit func(*remit.SupplierRecord) error) (int64, error) {
	if !p.May(remit.ActSignOff, "") {
		return 0, fmt.Errorf("supplier records are kept by assessors, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if _, ok := s.Snapshot().Provider(provider); !ok {
		return 0, fmt.Errorf("no provider %q: %w", provider, remit.ErrNotFound)
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		rec, _, err := suppliers.find(ctx, tx, provider)
		if err != nil && !errors.Is(err, remit.ErrNotFound) {
			return nil, err
		}
		if err := edit(&rec); err != nil {
			return nil, err
		}
		if ps := rec.Validate(); len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		d, err := suppliers.put(ctx, tx, change{p.Email, s.now()}, provider, rec, version)
		out = d.Version
		return nil, err
	})
	return out, err
}

// ClauseChoice names one supplier's clause.
type ClauseChoice struct {
	Ref      string `json:"ref" doc:"provider/clause"`
	Supplier string `json:"supplier"`
	Title    string `json:"title"`
}

// Clauses lists every clause kept on a supplier record, by supplier's
// name then in the record's order.
func (s *Service) Clauses(ctx context.Context) ([]ClauseChoice, error) {
	records, err := s.supplierRecords(ctx)
	if err != nil {
		return nil, err
	}
	sn := s.Snapshot()
	var out []ClauseChoice
	for _, id := range slices.Sorted(maps.Keys(records)) {
		name := id
		if p, ok := sn.Provider(id); ok {
			name = p.Name
		}
		for _, c := range records[id].Clauses {
			out = append(out, ClauseChoice{Ref: remit.ClauseRef(id, c.ID), Supplier: name, Title: c.Title})
		}
	}
	slices.SortStableFunc(out, func(a, b ClauseChoice) int { return strings.Compare(a.Supplier, b.Supplier) })
	return out, nil
}

// SupplierDue is a supplier whose next assessment falls due.
type SupplierDue struct {
	Provider string `json:"provider"`
	Name     string `json:"name"`
	Tier     int    `json:"tier"`
	Due      string `json:"due"`
	Overdue  bool   `json:"overdue"`
	// LastAssessed is "" when it has never been assessed.
	LastAssessed    string `json:"last_assessed,omitempty"`
	EvidenceMissing bool   `json:"evidence_missing"`
}

// SuppliersDue lists the suppliers some system relies on whose next
// assessment is due within days of now, or past: overdue first, then by
// day.
func (s *Service) SuppliersDue(ctx context.Context, sn *Snapshot, now time.Time, days int) ([]SupplierDue, error) {
	records, err := s.supplierRecords(ctx)
	if err != nil {
		return nil, err
	}
	settings, _, err := s.SupplierSettings(ctx)
	if err != nil {
		return nil, err
	}
	cadences, err := s.ReviewCadences(ctx)
	if err != nil {
		return nil, err
	}
	e := sn.cache.Estate
	classes := classesOf(e, subProcessorsOf(records))
	tiers := tiersOf(e, classes, records)
	by := now.AddDate(0, 0, days).UTC().Format(time.DateOnly)
	assessed := sn.lastAssessed()
	var out []SupplierDue
	for _, p := range e.Providers() {
		if len(classes[p.ID]) == 0 {
			continue
		}
		tier := tiers[p.ID]
		sch := scheduleOf(sn.offeringsOf(p.ID), assessed, sn.index, settings.Policy(tier), cadences[p.ID], now)
		if sch.Due <= by {
			out = append(out, SupplierDue{Provider: p.ID, Name: p.Name, Tier: tier, Due: sch.Due, Overdue: sch.Overdue, LastAssessed: sch.LastAssessed, EvidenceMissing: sch.EvidenceMissing})
		}
	}
	slices.SortFunc(out, func(a, b SupplierDue) int {
		return cmp.Or(trueFirst(a.Overdue, b.Overdue), cmp.Compare(a.Due, b.Due), cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}
