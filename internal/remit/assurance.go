package remit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// AssuranceStatus says whether an obligation is shown to be met. It is
// derived, never typed in, and never a silent pass: an obligation with
// nothing behind it is unassured, whoever owns it and whatever its
// tracking says.
type AssuranceStatus string

// The assurance statuses, best first.
const (
	Assured              AssuranceStatus = "assured"
	AssuranceStale       AssuranceStatus = "stale"
	Unassured            AssuranceStatus = "unassured"
	AssuranceFailed      AssuranceStatus = "failed"
	AssuranceUnnecessary AssuranceStatus = "not-applicable"
)

// AssuranceStatuses lists the statuses from best to worst (not-applicable
// first: it asks nothing).
var AssuranceStatuses = []AssuranceStatus{AssuranceUnnecessary, Assured, AssuranceStale, Unassured, AssuranceFailed}

// worse reports whether a is worse than b.
func (a AssuranceStatus) worse(b AssuranceStatus) bool {
	return slices.Index(AssuranceStatuses, a) > slices.Index(AssuranceStatuses, b)
}

// Assurance is an obligation's derived status, why, and the evidence it
// rests on.
type Assurance struct {
	Status AssuranceStatus `json:"status"`
	Reason string          `json:"reason"`
	// Evidence lists the ids of the evidence that counted (assured) or
	// that no longer counts (stale).
	Evidence []string `json:"evidence,omitempty"`
	// Assessment is the supplier assessment or SAT it rests on, if any.
	Assessment string `json:"assessment,omitempty"`
	// Automated is set when automated check results decided it.
	Automated bool `json:"automated,omitempty"`
	// Through names the fourth party (provider/offering) whose own
	// assurance leaves a provider's obligation short although its own
	// evidence would assure it — the deepest, when the chain runs further
	// down (doc/assurance.md#the-chain-of-reliance).
	Through string `json:"through,omitempty"`
}

// The sources an assurance rests on (Assurance.Source).
const (
	SourceAutomated = "automated"
	SourceDocuments = "documents"
	SourcePeople    = "people"
)

// AssuranceSources lists them, in the order pages show them.
var AssuranceSources = []string{SourceAutomated, SourceDocuments, SourcePeople}

// Source says what the assurance rests on: automated check results, a
// person's judgement (a supplier assessment or SAT), documents (evidence),
// or nothing ("": unassured, or not applicable).
func (a Assurance) Source() string {
	switch {
	case a.Automated:
		return SourceAutomated
	case a.Assessment != "":
		return SourcePeople
	case len(a.Evidence) > 0:
		return SourceDocuments
	}
	return ""
}

// ObligationRef is what assurance needs to know of an obligation.
type ObligationRef struct {
	ID      string
	System  string
	Control string // catalogue:control
	// Offering is provider/offering; "" when the whole control is ours.
	Offering string
	Ours     bool
	// Tracking is ours only: a not-applicable obligation needs no assurance.
	Tracking *Tracking
	// Mapped lists, for a provider's obligation that the offering answers
	// for through mappings (no statement of its own for Control), the
	// source controls and how each relates to Control.
	Mapped []MappedControl
}

// MappedControl is a source control a mapped obligation rests on.
type MappedControl struct {
	Control      string       `json:"control"` // catalogue:control
	Relationship Relationship `json:"relationship"`
}

// EvidenceIndex finds the evidence that supports an obligation. Build it
// once for a set of evidence; it is read-only after.
type EvidenceIndex struct {
	by    map[skey][]*Evidence
	byID  map[string]*Evidence
	count int
	// verdicts holds the latest completed supplier assessment's verdict
	// per offering and control; sats the latest completed SAT per system.
	verdicts map[[2]string]Verdict
	sats     map[string]*SAT
	// automated holds, per system and control, the latest automated
	// result of each tool.
	automated Automated
	// measured holds the providers' own open findings, by offering and
	// control (measured.go).
	measured map[measuredKey][]*ProviderFinding
	// chain lists the fourth parties an offering's obligation for a
	// control rests on, nearest first; names the names a report's scope
	// may give one (chain.go).
	chain func(offering, control string) []string
	names func(offering string) []string
}

// skey is what evidence supports: on, ref and control.
type skey struct{ on, ref, control string }

func (k skey) String() string { return k.on + "|" + k.ref + "|" + k.control }

// Judgements are the completed assessments assurance also rests on.
type Judgements struct {
	Suppliers []SupplierAssessment
	SATs      []SAT
	// Automated are automated check results (of each tool, the latest per
	// system and control counts).
	Automated Automated
}

// Find returns the evidence with id, or nil.
func (x *EvidenceIndex) Find(id string) *Evidence { return x.byID[id] }

// supportKey is the index key of a target.
func supportKey(on, ref, control string) skey { return skey{on, ref, control} }

// NewEvidenceIndex indexes evidence by every target it supports, SOC 2
// reports by the obligations their complementary user entity controls are
// mapped to, and the verdicts of completed supplier assessments by
// offering and control (the latest assessment of an offering wins).
func NewEvidenceIndex(evs []Evidence, j Judgements) *EvidenceIndex {
	x := &EvidenceIndex{by: map[skey][]*Evidence{}, byID: make(map[string]*Evidence, len(evs)), count: len(evs), verdicts: map[[2]string]Verdict{}, sats: map[string]*SAT{},
		automated: j.Automated}
	for i := range j.SATs {
		a := &j.SATs[i]
		if a.Status != AssessmentCompleted || a.Completed == nil {
			continue
		}
		if l := x.sats[a.System]; l == nil || a.Completed.After(*l.Completed) {
			x.sats[a.System] = a
		}
	}
	latest := map[string]*SupplierAssessment{}
	for i := range j.Suppliers {
		a := &j.Suppliers[i]
		if a.Status != AssessmentCompleted || a.SignedOff == nil {
			continue
		}
		if l := latest[a.Offering]; l == nil || a.SignedOff.After(*l.SignedOff) {
			latest[a.Offering] = a
		}
	}
	for _, a := range latest {
		for _, v := range a.Verdicts {
			x.verdicts[[2]string{v.Offering, v.Control}] = v
		}
	}
	for i := range evs {
		ev := &evs[i]
		x.byID[ev.ID] = ev
		seen := map[skey]bool{}
		add := func(key skey) {
			if !seen[key] {
				seen[key] = true
				x.by[key] = append(x.by[key], ev)
			}
		}
		for _, s := range ev.Supports {
			add(supportKey(s.On, s.Ref, s.Control))
		}
		if ev.SOC2 != nil {
			for _, c := range ev.SOC2.CUECs {
				for _, o := range c.Obligations {
					add(supportKey(SupportObligation, o, ""))
				}
			}
		}
	}
	return x
}

// Len is how many pieces of evidence the index holds.
func (x *EvidenceIndex) Len() int { return x.count }

// For lists the evidence that supports o, most recently issued first.
func (x *EvidenceIndex) For(o ObligationRef) []*Evidence {
	var out []*Evidence
	for _, k := range x.keys(o) {
		for _, ev := range x.by[k] {
			if !slices.Contains(out, ev) {
				out = append(out, ev)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *Evidence) int { return strings.Compare(b.Issued, a.Issued) })
	return out
}

// keys lists the targets whose evidence supports o.
func (x *EvidenceIndex) keys(o ObligationRef) []skey {
	if o.Ours {
		return []skey{
			supportKey(SupportObligation, o.ID, ""),
			supportKey(SupportSystem, o.System, ""),
			supportKey(SupportSystem, o.System, o.Control),
			supportKey(SupportControl, o.Control, ""),
		}
	}
	return []skey{
		supportKey(SupportOffering, o.Offering, ""),
		supportKey(SupportOffering, o.Offering, o.Control),
	}
}

// Assure derives an obligation's assurance on day now:
//
//   - not-applicable: ours, tracked as not applicable;
//   - assured: at least one piece of supporting evidence counts today;
//   - stale: supporting evidence exists but none counts any more (it
//     expired: on its expiry day it is already stale);
//   - unassured: nothing supports it.
//
// (Failed comes from assessments, which judge rather than evidence, and
// from automated checks, which judge our obligations only.)
func (x *EvidenceIndex) Assure(o ObligationRef, now time.Time) Assurance {
	if o.Ours && o.Tracking != nil && o.Tracking.Status == StatusNotApplicable {
		return Assurance{Status: AssuranceUnnecessary, Reason: "tracked as not applicable: " + o.Tracking.Reason}
	}
	if o.Ours {
		return x.assureAutomated(o, x.assureBySAT(o, x.assureByEvidence(o, now), now), now)
	}
	return x.followChain(o.Offering, o.Control, x.assureOffering(o, now), now, 0)
}

// assureOffering derives a provider's obligation from what names its
// offering, before the chain of reliance is followed.
func (x *EvidenceIndex) assureOffering(o ObligationRef, now time.Time) Assurance {
	direct := x.assureProvider(o, now)
	if len(o.Mapped) == 0 || direct.Status == AssuranceFailed || direct.Status == AssuranceUnnecessary {
		return direct
	}
	if direct.Status != Assured {
		direct = x.assureMapped(o, direct, now)
	}
	return x.measureMapped(o, direct, now)
}

// assureMapped derives a provider's obligation for a mapped control from
// what assures its source controls, as far as each relationship allows
// (doc/assurance.md#mapped-obligations): a source judged failed fails it;
// a source that covers the whole control (equivalent-to, superset-of)
// assures it, or leaves it stale; a source covering part of it
// (subset-of, intersects-with) never assures it — the reason says it is
// partly assured. What the control's own evidence says (direct) stands
// when no source says more.
func (x *EvidenceIndex) assureMapped(o ObligationRef, direct Assurance, now time.Time) Assurance {
	var whole, stale *Assurance
	var partly []string
	for _, m := range o.Mapped {
		a := x.assureProvider(ObligationRef{Offering: o.Offering, Control: m.Control}, now)
		via := fmt.Sprintf("%s (%s)", m.Control, m.Relationship)
		switch {
		case a.Status == AssuranceFailed:
			a.Reason = fmt.Sprintf("failed through %s: %s", via, a.Reason)
			return a
		case a.Status == Assured && m.Relationship.Covers():
			if whole == nil {
				a.Reason = fmt.Sprintf("through %s: %s", via, a.Reason)
				whole = &a
			}
		case a.Status == Assured:
			partly = append(partly, via)
		case a.Status == AssuranceStale && m.Relationship.Covers() && stale == nil:
			a.Reason = fmt.Sprintf("through %s: %s", via, a.Reason)
			stale = &a
		}
	}
	switch {
	case whole != nil:
		return *whole
	case direct.Status == AssuranceStale:
	case stale != nil:
		return *stale
	}
	if len(partly) > 0 {
		direct.Reason = fmt.Sprintf("partly assured: what assures %s covers only part of %s, and the rest needs evidence of its own; %s", strings.Join(partly, " and "), o.Control, direct.Reason)
	}
	return direct
}

// assureProvider derives a provider's obligation for one control from
// the supplier assessments and evidence that name it, held to the
// provider's own open findings on the control.
func (x *EvidenceIndex) assureProvider(o ObligationRef, now time.Time) Assurance {
	return x.measure(o, x.assureProviderJudged(o, now), now)
}

// assureProviderJudged is assureProvider before the provider's own
// findings are weighed.
func (x *EvidenceIndex) assureProviderJudged(o ObligationRef, now time.Time) Assurance {
	byEvidence := x.assureByEvidence(o, now)
	// Automated results never speak for a provider's obligations.
	v, assessed := x.verdicts[[2]string{o.Offering, o.Control}]
	if !assessed {
		return byEvidence
	}
	// A supplier assessment judges the provider's obligations: a result
	// short of met fails them, whatever evidence says; met assures them
	// until the assessment lapses, when it is stale unless evidence still
	// counts.
	day := now.UTC().Format(time.DateOnly)
	from := fmt.Sprintf("assessment %s (%s %s)", v.Assessment, v.Principle, v.Result)
	switch {
	case day >= v.ValidUntil:
		if byEvidence.Status == Assured {
			return byEvidence
		}
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("was assured by %s, which lapsed on %s", from, v.ValidUntil), Evidence: byEvidence.Evidence, Assessment: v.Assessment}
	case v.Result == NotMet || v.Result == PartlyMet:
		return Assurance{Status: AssuranceFailed, Reason: fmt.Sprintf("%s: %s", from, v.Rationale), Assessment: v.Assessment}
	case v.Result == ResultNotApplies:
		return Assurance{Status: AssuranceUnnecessary, Reason: fmt.Sprintf("%s: %s", from, v.Rationale), Assessment: v.Assessment}
	}
	a := Assurance{Status: Assured, Reason: fmt.Sprintf("assured by %s, until %s", from, v.ValidUntil), Assessment: v.Assessment}
	if byEvidence.Status == Assured {
		a.Evidence = byEvidence.Evidence
	}
	return a
}

// assureBySAT holds our obligations in a system to its latest completed
// Standards Assurance Table: written evidence held assures them, not held
// fails them, partial leaves them as evidence alone has them; a lapsed
// SAT is stale unless evidence still counts.
func (x *EvidenceIndex) assureBySAT(o ObligationRef, byEvidence Assurance, now time.Time) Assurance {
	sat := x.sats[o.System]
	if sat == nil {
		return byEvidence
	}
	level, ok := sat.Verdicts[o.Control]
	if !ok || level == "n/a" {
		return byEvidence
	}
	from := fmt.Sprintf("SAT %s (%s: %s)", sat.ID, o.Control, level)
	switch {
	case now.UTC().Format(time.DateOnly) >= sat.ValidUntil:
		if byEvidence.Status == Assured {
			return byEvidence
		}
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("was assured by %s, which lapsed on %s", from, sat.ValidUntil), Evidence: byEvidence.Evidence, Assessment: sat.ID}
	case level == "not-held":
		return Assurance{Status: AssuranceFailed, Reason: from + ": no written evidence that we do this", Assessment: sat.ID}
	case level == "held":
		a := Assurance{Status: Assured, Reason: fmt.Sprintf("assured by %s, until %s", from, sat.ValidUntil), Assessment: sat.ID}
		if byEvidence.Status == Assured {
			a.Evidence = byEvidence.Evidence
		}
		return a
	}
	if byEvidence.Status == Assured {
		return byEvidence
	}
	return Assurance{Status: Unassured, Reason: from + ": the written evidence is partial", Assessment: sat.ID}
}

// assureByEvidence derives assurance from evidence alone.
func (x *EvidenceIndex) assureByEvidence(o ObligationRef, now time.Time) Assurance {
	evs := x.For(o)
	var counting, lapsed []*Evidence
	for _, ev := range evs {
		switch {
		case ev.Counts(now):
			counting = append(counting, ev)
		case ev.Expires != "" && now.UTC().Format(time.DateOnly) >= ev.Expires:
			lapsed = append(lapsed, ev)
		}
	}
	switch {
	case len(counting) > 0:
		a := Assurance{Status: Assured, Reason: fmt.Sprintf("assured by %s", describeEvidence(counting[0]))}
		for _, ev := range counting {
			a.Evidence = append(a.Evidence, ev.ID)
		}
		return a
	case len(lapsed) > 0:
		a := Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("was assured by %s, which expired on %s", describeEvidence(lapsed[0]), lapsed[0].Expires)}
		for _, ev := range lapsed {
			a.Evidence = append(a.Evidence, ev.ID)
		}
		return a
	}
	if o.Ours {
		return Assurance{Status: Unassured, Reason: "no evidence yet that we do this"}
	}
	return Assurance{Status: Unassured, Reason: fmt.Sprintf("no evidence or assessment yet that %s does this", o.Offering)}
}

func describeEvidence(ev *Evidence) string {
	s := fmt.Sprintf("%q (%s", ev.Title, ev.Kind)
	if ev.Expires != "" {
		s += ", until " + ev.Expires
	}
	return s + ")"
}

// Combine is the assurance of a control resting on several obligations:
// the worst of them. An inherited control is assured only when every
// provider obligation it rests on is; a shared one only when ours are too.
// A control resting on nothing needs no assurance.
func Combine(as []Assurance) Assurance {
	if len(as) == 0 {
		return Assurance{Status: AssuranceUnnecessary, Reason: "no obligation rests on this control"}
	}
	worst := as[0]
	assured := 0
	for _, a := range as[1:] {
		if a.Status.worse(worst.Status) {
			worst = a
		}
	}
	for _, a := range as {
		if a.Status == Assured || a.Status == AssuranceUnnecessary {
			assured++
		}
	}
	if worst.Status == Assured || worst.Status == AssuranceUnnecessary {
		return Assurance{Status: worst.Status, Reason: fmt.Sprintf("all %d obligations it rests on are assured or not applicable", len(as))}
	}
	return Assurance{Status: worst.Status, Reason: fmt.Sprintf("%d of %d obligations it rests on are assured; the weakest: %s", assured, len(as), worst.Reason), Evidence: worst.Evidence}
}

// Status is Assure's status alone, derived without building reasons, for
// counting many obligations at once (scorecards). day is now's date,
// YYYY-MM-DD. It follows the same rules; a test holds the two equal.
func (x *EvidenceIndex) Status(o ObligationRef, now time.Time, day string) AssuranceStatus {
	if o.Ours && o.Tracking != nil && o.Tracking.Status == StatusNotApplicable {
		return AssuranceUnnecessary
	}
	if !o.Ours {
		base := x.evidenceStatus(skey{SupportOffering, o.Offering, ""}, day, Unassured)
		st := x.mappedStatus(o.Offering, x.providerStatus(o.Offering, o.Control, base, day), o.Mapped, base, day)
		return x.chainStatus(o, x.measureMappedStatus(o.Offering, o.Mapped, st, day), now)
	}
	byEvidence := Unassured
	for _, k := range x.keys(o) {
		byEvidence = x.evidenceStatus(k, day, byEvidence)
	}
	sat := x.sats[o.System]
	if sat == nil {
		return byEvidence
	}
	switch level, ok := sat.Verdicts[o.Control]; {
	case !ok || level == "n/a":
		return byEvidence
	case day >= sat.ValidUntil:
		if byEvidence == Assured {
			return Assured
		}
		return AssuranceStale
	case level == "not-held":
		return AssuranceFailed
	case level == "held":
		return Assured
	case byEvidence == Assured:
		return Assured
	}
	return Unassured
}

// providerStatus is a provider's obligation's status for one control
// from the evidence and assessments that name it; base is what the
// offering-wide evidence gives.
func (x *EvidenceIndex) providerStatus(offering, control string, base AssuranceStatus, day string) AssuranceStatus {
	st := base
	if st != Assured {
		st = x.evidenceStatus(skey{SupportOffering, offering, control}, day, st)
	}
	v, assessed := x.verdicts[[2]string{offering, control}]
	switch {
	case !assessed:
	case day >= v.ValidUntil:
		if st != Assured {
			st = AssuranceStale
		}
	case v.Result == NotMet || v.Result == PartlyMet:
		st = AssuranceFailed
	case v.Result == ResultNotApplies:
		st = AssuranceUnnecessary
	default:
		st = Assured
	}
	if len(x.measured) > 0 {
		st = x.measureStatus(offering, control, st, day)
	}
	return st
}

// mappedStatus is assureMapped's status alone.
func (x *EvidenceIndex) mappedStatus(offering string, direct AssuranceStatus, mapped []MappedControl, base AssuranceStatus, day string) AssuranceStatus {
	if len(mapped) == 0 || direct == Assured || direct == AssuranceFailed || direct == AssuranceUnnecessary {
		return direct
	}
	whole, stale := false, false
	for _, m := range mapped {
		switch st := x.providerStatus(offering, m.Control, base, day); {
		case st == AssuranceFailed:
			return AssuranceFailed
		case !m.Relationship.Covers():
		case st == Assured:
			whole = true
		case st == AssuranceStale:
			stale = true
		}
	}
	switch {
	case whole:
		return Assured
	case stale:
		return AssuranceStale
	}
	return direct
}

// evidenceStatus folds the evidence filed under k into status: assured
// when any counts on day, stale when none does but some has expired.
func (x *EvidenceIndex) evidenceStatus(k skey, day string, status AssuranceStatus) AssuranceStatus {
	for _, ev := range x.by[k] {
		switch {
		case ev.countsOn(day):
			return Assured
		case status == Unassured && ev.Expires != "" && day >= ev.Expires:
			status = AssuranceStale
		}
	}
	return status
}

// OfferingStatuses is Status for the provider obligations of one
// offering, one per control (mapped[i], when given, the controls the
// offering answers for controls[i] through): the offering-wide evidence is
// weighed once.
func (x *EvidenceIndex) OfferingStatuses(offering string, controls []string, mapped [][]MappedControl, day string) []AssuranceStatus {
	out, _ := x.offeringStatuses(offering, controls, mapped, day, false)
	return out
}

// offeringStatuses is OfferingStatuses, and OfferingLinks when links.
func (x *EvidenceIndex) offeringStatuses(offering string, controls []string, mapped [][]MappedControl, day string, links bool) ([]AssuranceStatus, []string) {
	base := x.evidenceStatus(skey{SupportOffering, offering, ""}, day, Unassured)
	out := make([]AssuranceStatus, len(controls))
	var failing []string
	if links {
		failing = make([]string, len(controls))
	}
	now, _ := time.Parse(time.DateOnly, day)
	for i, c := range controls {
		out[i] = x.providerStatus(offering, c, base, day)
		var m []MappedControl
		if i < len(mapped) {
			m = mapped[i]
			out[i] = x.mappedStatus(offering, out[i], m, base, day)
			if len(x.measured) > 0 {
				out[i] = x.measureMappedStatus(offering, m, out[i], day)
			}
		}
		if out[i] == Assured && x.chain != nil {
			if links {
				out[i], failing[i] = x.chainLink(ObligationRef{Offering: offering, Control: c, Mapped: m}, out[i], now, true, 0)
			} else {
				out[i] = x.chainStatus(ObligationRef{Offering: offering, Control: c, Mapped: m}, out[i], now)
			}
		}
	}
	return out, failing
}
