package remit

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EvidenceKind is what a piece of evidence is.
type EvidenceKind string

// The kinds of evidence Remit knows.
const (
	EvidenceISO27001              EvidenceKind = "iso-27001"
	EvidenceSOC2Type2             EvidenceKind = "soc2-type-2"
	EvidenceCyberEssentialsPlus   EvidenceKind = "cyber-essentials-plus"
	EvidencePCIDSS                EvidenceKind = "pci-dss"
	EvidenceCSASTAR               EvidenceKind = "csa-star"
	EvidencePenTest               EvidenceKind = "penetration-test"
	EvidenceSecurityAspectsLetter EvidenceKind = "security-aspects-letter"
	EvidencePolicy                EvidenceKind = "policy"
	EvidenceAttestation           EvidenceKind = "attestation"
)

// EvidenceKinds lists every kind, with the words the UI shows.
var EvidenceKinds = []struct {
	Kind EvidenceKind
	Name string
}{
	{EvidenceISO27001, "ISO/IEC 27001 certificate"},
	{EvidenceSOC2Type2, "SOC 2 Type II report"},
	{EvidenceCyberEssentialsPlus, "Cyber Essentials Plus certificate"},
	{EvidencePCIDSS, "PCI DSS attestation of compliance"},
	{EvidenceCSASTAR, "CSA STAR entry or certificate"},
	{EvidencePenTest, "Penetration test or IT Health Check report"},
	{EvidenceSecurityAspectsLetter, "Security aspects letter or contract clause"},
	{EvidencePolicy, "Policy document"},
	{EvidenceAttestation, "Attestation"},
}

// Valid reports whether k is a known kind.
func (k EvidenceKind) Valid() bool {
	return slices.ContainsFunc(EvidenceKinds, func(x struct {
		Kind EvidenceKind
		Name string
	}) bool {
		return x.Kind == k
	})
}

// MaxEvidenceFile is the largest file a piece of evidence may hold.
const MaxEvidenceFile = 20 << 20

// Evidence is one document, certificate, report or link, with what it
// supports. Dates are YYYY-MM-DD. A file's content is stored apart, by
// the evidence's id, and checked against SHA256 whenever it is read.
type Evidence struct {
	ID     string       `json:"id" required:"false" doc:"Given by Remit when evidence is added"`
	Kind   EvidenceKind `json:"kind" enum:"iso-27001,soc2-type-2,cyber-essentials-plus,pci-dss,csa-star,penetration-test,security-aspects-letter,policy,attestation"`
	Title  string       `json:"title" maxLength:"300"`
	Issuer string       `json:"issuer,omitempty" maxLength:"300" doc:"Who issued it: a certification body, an auditor, the supplier"`
	Scope  string       `json:"scope,omitempty" maxLength:"4000" doc:"What it covers, in the issuer's terms"`
	Issued string       `json:"issued,omitempty" doc:"YYYY-MM-DD"`
	// Expires is the first day the evidence no longer counts; empty when
	// it does not expire (a policy, say).
	Expires string `json:"expires,omitempty" doc:"YYYY-MM-DD: the first day it no longer counts"`
	// URL is set for evidence held elsewhere; File for an uploaded file.
	URL  string        `json:"url,omitempty" maxLength:"2000"`
	File *EvidenceFile `json:"file,omitempty" readOnly:"true"`
	// SOC2 carries what a SOC 2 Type II report adds.
	SOC2 *SOC2 `json:"soc2,omitempty"`
	// Supports lists what the evidence shows is done.
	Supports []Support `json:"supports,omitempty"`
	// Coverage holds assessors' decisions on whether the evidence covers
	// a fourth party it neither includes nor carves out: made with
	// DecideCoverage, kept when the evidence is edited.
	Coverage []CoverageDecision `json:"coverage,omitempty" readOnly:"true" doc:"Assessors' decisions on whether it covers a fourth party it neither includes nor carves out"`
	// ExpiryReason says why it expires later than its kind usually does
	// (UsualLife): required then.
	ExpiryReason string `json:"expiry_reason,omitempty" maxLength:"2000" doc:"Why it expires later than evidence of its kind usually does: required then"`
	// Pending is evidence a supplier uploaded through the portal, which
	// counts only once an assessor accepts their submission.
	Pending bool      `json:"pending,omitempty" readOnly:"true" doc:"Uploaded by a supplier and not yet accepted by an assessor: it does not count until then"`
	Added   time.Time `json:"added" readOnly:"true"`
	AddedBy string    `json:"added_by" readOnly:"true"`
}

// UsualLife is how long evidence of a kind usually counts from the day it
// is issued: a certificate's cycle (ISO/IEC 27001 and CSA STAR
// certification run three years with yearly surveillance), a year for
// reports and attestations that are renewed yearly (SOC 2 Type II, PCI
// DSS, Cyber Essentials Plus, penetration tests), three years for
// policies and contract letters, which are reviewed and reissued.
func (k EvidenceKind) UsualLife() (years int) {
	switch k {
	case EvidenceISO27001, EvidenceCSASTAR, EvidenceSecurityAspectsLetter, EvidencePolicy:
		return 3
	}
	return 1
}

// lifeGrace is how far past its usual life evidence may expire without a
// reason: a renewal audit often runs a few months late.
const lifeGraceMonths = 3

// ExpiryProblems reports an expiry later than the kind's usual life (from
// the day it was issued, or from today when that is not given) with no
// reason given for it.
func (ev *Evidence) ExpiryProblems(today time.Time) []Problem {
	if ev.Expires == "" || strings.TrimSpace(ev.ExpiryReason) != "" {
		return nil
	}
	expires, err := time.Parse(time.DateOnly, ev.Expires)
	if err != nil {
		return nil // Validate names it
	}
	from, what := today.UTC().Truncate(24*time.Hour), "from today"
	if issued, err := time.Parse(time.DateOnly, ev.Issued); err == nil {
		from, what = issued, "after it was issued"
	}
	years := ev.Kind.UsualLife()
	if !expires.After(from.AddDate(years, lifeGraceMonths, 0)) {
		return nil
	}
	return []Problem{{Pointer: "/expiry_reason", Message: fmt.Sprintf("it expires %s, more than %d year(s) %s, longer than evidence of its kind usually counts: check the date, or say why in expiry_reason", ev.Expires, years, what)}}
}

// EvidenceFile describes a stored file: its name as uploaded, its size,
// its type as sniffed from the content (never as claimed) and its hash.
type EvidenceFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
	SHA256 string `json:"sha256"`
}

// SOC2 is what a SOC 2 Type II report adds to its evidence: the period it
// covers, the complementary user entity controls (what the auditor
// assumed the customer does), carve-outs (subservice organisations the
// report does not cover) and a bridge letter extending it.
type SOC2 struct {
	PeriodStart string `json:"period_start" doc:"YYYY-MM-DD"`
	PeriodEnd   string `json:"period_end" doc:"YYYY-MM-DD"`
	CUECs       []CUEC `json:"cuecs,omitempty"`
	// CarveOuts names the subservice organisations carved out, each as
	// the offering it is (provider/offering); Inclusive those the report
	// includes (the inclusive method).
	CarveOuts []string `json:"carve_outs,omitempty" doc:"Subservice organisations the report carves out, each as the offering it is (provider/offering)"`
	Inclusive []string `json:"inclusive,omitempty" doc:"Subservice organisations the report includes (the inclusive method), each as the offering it is"`
	// BridgeUntil is the day a bridge letter covers the gap to.
	BridgeUntil string `json:"bridge_until,omitempty" doc:"YYYY-MM-DD"`
}

// CoverageDecision is an assessor's reading of whether a piece of evidence
// covers a fourth party — an offering the evidenced offering runs on —
// where the evidence itself does not say (a SOC 2 report neither
// including nor carving it out, a certificate whose scope does not name
// it). Covered, the evidence answers for the fourth party's part too;
// not covered, it counts as a carve-out: the fourth party must have
// current assurance of its own (doc/assurance.md#the-chain-of-reliance).
type CoverageDecision struct {
	Offering  string    `json:"offering" doc:"The fourth party, as provider/offering"`
	Covered   bool      `json:"covered" doc:"Whether the evidence covers the fourth party's part"`
	Rationale string    `json:"rationale" maxLength:"2000" doc:"Why: what in the evidence, contract or assessment shows it"`
	DecidedBy string    `json:"decided_by,omitempty" readOnly:"true"`
	Decided   time.Time `json:"decided,omitzero" readOnly:"true"`
}

// Validate checks a decision on its own: the fourth party named as
// provider/offering and a rationale given.
func (d *CoverageDecision) Validate() []Problem {
	var ps []Problem
	if _, err := ParseOfferingRef(d.Offering); err != nil {
		ps = append(ps, Problem{Pointer: "/offering", Message: fmt.Sprintf("offering %q: name the fourth party as provider/offering", d.Offering)})
	}
	if strings.TrimSpace(d.Rationale) == "" {
		ps = append(ps, Problem{Pointer: "/rationale", Message: "give the rationale: what shows the fourth party is, or is not, covered"})
	}
	return append(ps, lengthProblems(field{"/rationale", "rationale", d.Rationale, MaxNote})...)
}

// Settles reports whether the evidence itself says whether it covers
// fourth party f: a SOC 2 report including or carving it out, which no
// assessor's decision overrides.
func (ev *Evidence) Settles(f string) bool {
	return ev.SOC2 != nil && (slices.Contains(ev.SOC2.CarveOuts, f) || slices.Contains(ev.SOC2.Inclusive, f))
}

// Decision is the assessors' decision on fourth party f, if any.
func (ev *Evidence) Decision(f string) *CoverageDecision {
	for i := range ev.Coverage {
		if ev.Coverage[i].Offering == f {
			return &ev.Coverage[i]
		}
	}
	return nil
}

// CUEC is one complementary user entity control, mapped to the
// obligations of ours that carry it out, so what the auditor assumed we
// do becomes something we visibly own.
type CUEC struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	Obligations []string `json:"obligations,omitempty" doc:"Ids of our obligations that carry it out"`
}

// Support is one thing evidence supports. On is one of:
//
//   - offering: the provider obligations of an offering (Ref provider/offering),
//     all of them or, with Control, those of one control;
//   - obligation: one of our obligations (Ref its id);
//   - system: every obligation of ours in a system (Ref the system id),
//     or with Control, those of one control;
//   - control: a control (Ref catalogue:control) wherever it is ours;
//   - clause: a clause of a supplier's contract or security aspects
//     letter (Ref provider/clause).
type Support struct {
	On      string `json:"on" enum:"offering,obligation,system,control,clause"`
	Ref     string `json:"ref"`
	Control string `json:"control,omitempty" doc:"catalogue:control, narrowing an offering or a system"`
}

// Supporting target names.
const (
	SupportOffering   = "offering"
	SupportObligation = "obligation"
	SupportSystem     = "system"
	SupportControl    = "control"
	SupportClause     = "clause"
)

// Validate reports every problem with ev, addressed by JSON pointer.
func (ev *Evidence) Validate() []Problem {
	ps := lengthProblems(field{"/title", "title", ev.Title, MaxName}, field{"/issuer", "issuer", ev.Issuer, MaxName},
		field{"/scope", "scope", ev.Scope, MaxDetail}, field{"/url", "url", ev.URL, MaxURL}, field{"/expiry_reason", "expiry_reason", ev.ExpiryReason, MaxNote})
	add := func(ptr, format string, a ...any) {
		ps = append(ps, Problem{Pointer: ptr, Message: fmt.Sprintf(format, a...)})
	}
	if !ev.Kind.Valid() {
		var names []string
		for _, k := range EvidenceKinds {
			names = append(names, string(k.Kind))
		}
		add("/kind", "kind %q is not known: use one of %s%s", ev.Kind, joinQuoted(names), suggest(string(ev.Kind), names))
	}
	if strings.TrimSpace(ev.Title) == "" {
		add("/title", "title is required: say what the evidence is, such as \"ISO 27001 certificate for AWS, 2026\"")
	}
	date := func(ptr, name, v string) (time.Time, bool) {
		if v == "" {
			return time.Time{}, false
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			add(ptr, "%s %q is not a date: write it as YYYY-MM-DD", name, v)
			return time.Time{}, false
		}
		return t, true
	}
	issued, okI := date("/issued", "issued", ev.Issued)
	expires, okE := date("/expires", "expires", ev.Expires)
	if okI && okE && !expires.After(issued) {
		add("/expires", "expires %s is not after issued %s", ev.Expires, ev.Issued)
	}
	if ev.URL != "" {
		u, err := url.Parse(ev.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("/url", "url %q is not a web address: give an https:// link", ev.URL)
		}
	}
	if ev.SOC2 != nil {
		if ev.Kind != EvidenceSOC2Type2 {
			add("/soc2", "soc2 details belong to a %s, not a %s", EvidenceSOC2Type2, ev.Kind)
		}
		start, okS := date("/soc2/period_start", "period_start", ev.SOC2.PeriodStart)
		end, okEnd := date("/soc2/period_end", "period_end", ev.SOC2.PeriodEnd)
		if !okS && ev.SOC2.PeriodStart == "" {
			add("/soc2/period_start", "period_start is required: the first day the report covers")
		}
		if !okEnd && ev.SOC2.PeriodEnd == "" {
			add("/soc2/period_end", "period_end is required: the last day the report covers")
		}
		if okS && okEnd && !end.After(start) {
			add("/soc2/period_end", "period_end %s is not after period_start %s", ev.SOC2.PeriodEnd, ev.SOC2.PeriodStart)
		}
		date("/soc2/bridge_until", "bridge_until", ev.SOC2.BridgeUntil)
		seen := map[string]bool{}
		for i, c := range ev.SOC2.CUECs {
			if c.ID == "" || strings.TrimSpace(c.Text) == "" {
				add(fmt.Sprintf("/soc2/cuecs/%d", i), "a complementary user entity control needs an id and its text")
			}
			if seen[c.ID] {
				add(fmt.Sprintf("/soc2/cuecs/%d/id", i), "complementary user entity control %q is listed twice", c.ID)
			}
			seen[c.ID] = true
			for j, o := range c.Obligations {
				if !strings.HasSuffix(o, "/ours") {
					add(fmt.Sprintf("/soc2/cuecs/%d/obligations/%d", i, j), "%q is not one of our obligations (system/catalogue:control/provider/offering/ours)", o)
				}
			}
		}
	}
	for i, s := range ev.Supports {
		ptr := fmt.Sprintf("/supports/%d", i)
		switch s.On {
		case SupportOffering:
			if _, err := ParseOfferingRef(s.Ref); err != nil {
				add(ptr+"/ref", "%s", err)
			}
		case SupportObligation:
			if _, err := ParseObligationID(s.Ref); err != nil {
				add(ptr+"/ref", "%s", err)
			}
		case SupportSystem:
			if s.Ref == "" {
				add(ptr+"/ref", "a system's id is required")
			}
		case SupportControl:
			if !strings.Contains(s.Ref, ":") {
				add(ptr+"/ref", "control %q is not catalogue:control", s.Ref)
			}
		case SupportClause:
			if pr, c, ok := strings.Cut(s.Ref, "/"); !ok || !ValidID(pr) || !ValidID(c) {
				add(ptr+"/ref", "clause %q is not provider/clause, such as casetrack/breach-notification", s.Ref)
			}
		default:
			add(ptr+"/on", "on %q is not known: use one of \"offering\", \"obligation\", \"system\", \"control\", \"clause\"", s.On)
		}
		if s.Control != "" && (s.On == SupportObligation || s.On == SupportControl || s.On == SupportClause) {
			add(ptr+"/control", "control narrows an offering or a system only")
		}
		if s.Control != "" && !strings.Contains(s.Control, ":") {
			add(ptr+"/control", "control %q is not catalogue:control", s.Control)
		}
	}
	return ps
}

// Counts reports whether the evidence counts on day now: not while it
// awaits an assessor's review, not before it was issued, and not from the
// day it expires.
func (ev *Evidence) Counts(now time.Time) bool { return ev.countsOn(now.UTC().Format(time.DateOnly)) }

// countsOn is Counts for a day written YYYY-MM-DD.
func (ev *Evidence) countsOn(day string) bool {
	return !ev.Pending && (ev.Issued == "" || day >= ev.Issued) && (ev.Expires == "" || day < ev.Expires)
}

// ErrIntegrity means a stored file no longer matches its hash.
var ErrIntegrity = errors.New("stored file does not match its hash")
