package remit

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// SupplierRecord is what the organisation keeps about a provider as a
// supplier, beside its responsibility model: a tier set by hand (the tier
// is otherwise worked out: DeriveTier), where it holds our data, whom to
// contact, and the contract.
type SupplierRecord struct {
	// Tier, from 1 (most critical) to 3, overrides the derived tier; 0
	// keeps the derived one. TierReason says why (required then).
	Tier          int               `json:"tier,omitempty" minimum:"0" maximum:"3" doc:"A tier set by hand, 1 (most critical) to 3, overriding the one worked out; 0 keeps the derived tier"`
	TierReason    string            `json:"tier_reason,omitempty" maxLength:"2000" doc:"Why the tier is set by hand: required then"`
	DataLocations []string          `json:"data_locations,omitempty" doc:"Where it holds or processes our data, as the supplier states it (countries or regions)"`
	Contacts      []SupplierContact `json:"contacts,omitempty"`
	Contract      *Contract         `json:"contract,omitempty"`
	// SubProcessors are the supplier's own suppliers as it declares them;
	// one linked to a known provider counts in that provider's
	// concentration and tier.
	SubProcessors []SubProcessor `json:"sub_processors,omitempty"`
	// Clauses are what its contract and security aspects letter oblige it
	// to do: each a supplier obligation, assured like any other.
	Clauses []Clause `json:"clauses,omitempty"`
}

// SubProcessor is a sub-processor a supplier declares.
type SubProcessor struct {
	Name     string `json:"name" maxLength:"300"`
	Provider string `json:"provider,omitempty" doc:"The known provider it is, if any: then systems relying on the supplier count as relying on it"`
	Purpose  string `json:"purpose,omitempty" maxLength:"300" doc:"What it does with our data"`
	Location string `json:"location,omitempty" maxLength:"300" doc:"Where it holds or processes our data"`
}

// ClauseKind is what a clause of a contract or security aspects letter
// asks of a supplier.
type ClauseKind string

// The kinds of clause.
const (
	ClauseISMS               ClauseKind = "isms"
	ClauseVetting            ClauseKind = "vetting"
	ClauseReview             ClauseKind = "control-review"
	ClauseEncryption         ClauseKind = "encryption-in-transit"
	ClauseFlowDown           ClauseKind = "flow-down"
	ClauseBreachNotification ClauseKind = "breach-notification"
	ClauseAudit              ClauseKind = "right-to-audit"
	ClauseRiskInformation    ClauseKind = "risk-information"
	ClauseOther              ClauseKind = "other"
)

// ClauseKinds lists every kind of clause, with the words pages show.
var ClauseKinds = []struct {
	Kind ClauseKind
	Name string
}{
	{ClauseISMS, "Runs an information security management system"},
	{ClauseVetting, "Staff vetting"},
	{ClauseReview, "Controls reviewed regularly"},
	{ClauseEncryption, "Encryption in transit"},
	{ClauseFlowDown, "Obligations flowed down to subcontractors"},
	{ClauseBreachNotification, "Breach notification"},
	{ClauseAudit, "Right to audit"},
	{ClauseRiskInformation, "Risk information on request"},
	{ClauseOther, "Other"},
}

// ClauseSources are the documents a clause comes from.
var ClauseSources = []string{"contract", "security-aspects-letter"}

// Clause is one clause of a supplier's contract or security aspects
// letter: a supplier obligation. It is assured by current evidence naming
// it, or of one of its evidence kinds for any of the supplier's
// offerings; by a completed assessment's verdict on one of its controls;
// and an open finding naming it fails it.
type Clause struct {
	ID     string     `json:"id" yaml:"id" doc:"Unique within the supplier"`
	Kind   ClauseKind `json:"kind" yaml:"kind" enum:"isms,vetting,control-review,encryption-in-transit,flow-down,breach-notification,right-to-audit,risk-information,other"`
	Title  string     `json:"title" yaml:"title" maxLength:"300"`
	Text   string     `json:"text,omitempty" yaml:"text,omitempty" maxLength:"4000" doc:"What the clause requires, in the document's terms or ours"`
	Source string     `json:"source" yaml:"source" enum:"contract,security-aspects-letter"`
	// Reference is where the clause is in its document (a paragraph).
	Reference string `json:"reference,omitempty" yaml:"reference,omitempty" maxLength:"300"`
	// Hours bounds a breach notification: within this many hours.
	Hours int `json:"hours,omitempty" yaml:"hours,omitempty" minimum:"0" maximum:"8760" doc:"For breach notification: within this many hours"`
	// Controls are the controls the clause supports (catalogue:control).
	Controls []string `json:"controls,omitempty" yaml:"controls,omitempty"`
	// EvidenceKinds are kinds of evidence that show the clause is kept,
	// when current for any of the supplier's offerings (an ISO 27001
	// certificate for an ISMS clause).
	EvidenceKinds []EvidenceKind `json:"evidence_kinds,omitempty" yaml:"evidence_kinds,omitempty"`
}

// ClauseRef names a clause of a supplier: provider/clause.
func ClauseRef(provider, clause string) string { return provider + "/" + clause }

// KindName is the words for a kind of clause.
func (k ClauseKind) KindName() string {
	for _, x := range ClauseKinds {
		if x.Kind == k {
			return x.Name
		}
	}
	return string(k)
}

// validateClause reports every problem with one clause at ptr.
func validateClause(ptr string, c Clause) []Problem {
	var ps []Problem
	add := func(p, format string, a ...any) {
		ps = append(ps, Problem{Pointer: ptr + p, Message: fmt.Sprintf(format, a...)})
	}
	if !ValidID(c.ID) {
		add("/id", "clause id %q is not an id: %s", c.ID, IDRule)
	}
	var kinds []string
	for _, k := range ClauseKinds {
		kinds = append(kinds, string(k.Kind))
	}
	if !slices.Contains(kinds, string(c.Kind)) {
		add("/kind", "kind %q is not known: use one of %s%s", c.Kind, joinQuoted(kinds), suggest(string(c.Kind), kinds))
	}
	if strings.TrimSpace(c.Title) == "" {
		add("/title", "a clause needs a title: say in a line what it obliges the supplier to do")
	}
	if !slices.Contains(ClauseSources, c.Source) {
		add("/source", "source %q is not known: use \"contract\" or \"security-aspects-letter\"", c.Source)
	}
	if c.Hours < 0 || c.Hours > 8760 {
		add("/hours", "hours is 0 to 8,760 (a year)")
	}
	if c.Kind == ClauseBreachNotification && c.Hours == 0 {
		add("/hours", "a breach notification clause says within how many hours, such as 24")
	}
	for i, ctl := range c.Controls {
		if !strings.Contains(ctl, ":") {
			add(fmt.Sprintf("/controls/%d", i), "control %q is not catalogue:control", ctl)
		}
	}
	for i, k := range c.EvidenceKinds {
		if !k.Valid() {
			add(fmt.Sprintf("/evidence_kinds/%d", i), "evidence kind %q is not known", k)
		}
	}
	ps = append(ps, lengthProblems(field{ptr + "/title", "title", c.Title, MaxName}, field{ptr + "/text", "text", c.Text, MaxDetail}, field{ptr + "/reference", "reference", c.Reference, MaxName})...)
	return ps
}

// SupplierContact is someone to contact at a supplier.
type SupplierContact struct {
	Name  string `json:"name" required:"false" maxLength:"300"`
	Email string `json:"email,omitempty" maxLength:"300"`
	Role  string `json:"role,omitempty" maxLength:"300" doc:"What they do for us: account manager, security contact, data protection officer…"`
}

// Contract is the agreement the supplier works under.
type Contract struct {
	Reference  string `json:"reference" required:"false" maxLength:"300"`
	Start      string `json:"start,omitempty" doc:"YYYY-MM-DD"`
	End        string `json:"end,omitempty" doc:"YYYY-MM-DD: the day it ends unless renewed"`
	NoticeDays int    `json:"notice_days,omitempty" minimum:"0" doc:"Days of notice to end or not renew it"`
	Renewal    string `json:"renewal,omitempty" enum:"automatic,by-agreement,none" doc:"How it renews"`
}

// Renewals lists the ways a contract renews.
var Renewals = []string{"automatic", "by-agreement", "none"}

// NoticeBy is the last day to give notice before the contract ends
// (End less the notice), "" when either is not known.
func (c *Contract) NoticeBy() string {
	end, err := time.Parse(time.DateOnly, c.End)
	if err != nil || c.NoticeDays <= 0 {
		return ""
	}
	return end.AddDate(0, 0, -c.NoticeDays).Format(time.DateOnly)
}

// Validate reports every problem with r, addressed by JSON pointer.
func (r *SupplierRecord) Validate() []Problem {
	var ps []Problem
	if r.Tier < 0 || r.Tier > 3 {
		ps = append(ps, Problem{Pointer: "/tier", Message: fmt.Sprintf("tier %d is not 1, 2 or 3 (or 0, to keep the tier worked out)", r.Tier)})
	}
	if r.Tier > 0 && strings.TrimSpace(r.TierReason) == "" {
		ps = append(ps, Problem{Pointer: "/tier_reason", Message: "say why the tier is set by hand rather than worked out from the systems relying on the supplier"})
	}
	ps = append(ps, lengthProblems(field{"/tier_reason", "tier_reason", r.TierReason, MaxDetail})...)
	if len(r.DataLocations) > 50 || len(r.Contacts) > 50 {
		ps = append(ps, Problem{Pointer: "", Message: "at most 50 data locations and 50 contacts"})
	}
	for i, l := range r.DataLocations {
		if strings.TrimSpace(l) == "" || len(l) > MaxName {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/data_locations/%d", i), Message: "a data location is a place named in at most 300 characters"})
		}
	}
	for i, c := range r.Contacts {
		at := fmt.Sprintf("/contacts/%d", i)
		if strings.TrimSpace(c.Name) == "" {
			ps = append(ps, Problem{Pointer: at + "/name", Message: "a contact needs a name"})
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				ps = append(ps, Problem{Pointer: at + "/email", Message: fmt.Sprintf("email %q is not an email address", c.Email)})
			}
		}
		ps = append(ps, lengthProblems(field{at + "/name", "name", c.Name, MaxName}, field{at + "/email", "email", c.Email, MaxName}, field{at + "/role", "role", c.Role, MaxName})...)
	}
	if len(r.SubProcessors) > 200 || len(r.Clauses) > 200 {
		ps = append(ps, Problem{Pointer: "", Message: "at most 200 sub-processors and 200 clauses"})
	}
	for i, sp := range r.SubProcessors {
		at := fmt.Sprintf("/sub_processors/%d", i)
		if strings.TrimSpace(sp.Name) == "" {
			ps = append(ps, Problem{Pointer: at + "/name", Message: "a sub-processor needs a name"})
		}
		ps = append(ps, lengthProblems(field{at + "/name", "name", sp.Name, MaxName}, field{at + "/purpose", "purpose", sp.Purpose, MaxName}, field{at + "/location", "location", sp.Location, MaxName})...)
	}
	seen := map[string]bool{}
	for i, c := range r.Clauses {
		at := fmt.Sprintf("/clauses/%d", i)
		if seen[c.ID] {
			ps = append(ps, Problem{Pointer: at + "/id", Message: fmt.Sprintf("clause %s is listed twice", c.ID)})
		}
		seen[c.ID] = true
		ps = append(ps, validateClause(at, c)...)
	}
	if c := r.Contract; c != nil {
		if strings.TrimSpace(c.Reference) == "" {
			ps = append(ps, Problem{Pointer: "/contract/reference", Message: "a contract needs its reference"})
		}
		for _, d := range []struct{ name, v string }{{"start", c.Start}, {"end", c.End}} {
			if d.v == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				ps = append(ps, Problem{Pointer: "/contract/" + d.name, Message: fmt.Sprintf("%s %q is not a date: write it as YYYY-MM-DD", d.name, d.v)})
			}
		}
		if c.Start != "" && c.End != "" && c.End < c.Start {
			ps = append(ps, Problem{Pointer: "/contract/end", Message: fmt.Sprintf("the contract ends (%s) before it starts (%s)", c.End, c.Start)})
		}
		if c.NoticeDays < 0 || c.NoticeDays > 3660 {
			ps = append(ps, Problem{Pointer: "/contract/notice_days", Message: "notice is 0 to 3,660 days"})
		}
		if c.Renewal != "" && c.Renewal != "automatic" && c.Renewal != "by-agreement" && c.Renewal != "none" {
			ps = append(ps, Problem{Pointer: "/contract/renewal", Message: fmt.Sprintf("renewal %q is not known: use automatic, by-agreement or none", c.Renewal)})
		}
		ps = append(ps, lengthProblems(field{"/contract/reference", "reference", c.Reference, MaxName})...)
	}
	return ps
}

// aboveOfficial are the classifications above OFFICIAL (UK Government
// Security Classifications), compared without case.
var aboveOfficial = []string{"OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "SECRET", "TOP SECRET", "TOP-SECRET"}

// DeriveTier works out a supplier's tier from the classifications of the
// systems that rely on it, directly or through a fourth party:
//
//   - tier 1 when any of them is classified above OFFICIAL, or five or
//     more rely on it;
//   - tier 2 when two or more rely on it, or one classified OFFICIAL;
//   - tier 3 otherwise (one unclassified system, or none).
//
// It returns the tier and why, in a sentence.
func DeriveTier(classifications []string) (int, string) {
	n := len(classifications)
	var above, official int
	for _, c := range classifications {
		u := strings.ToUpper(strings.TrimSpace(c))
		switch {
		case containsFold(aboveOfficial, u):
			above++
		case u == "OFFICIAL":
			official++
		}
	}
	systems := func(k int) string {
		if k == 1 {
			return "1 system"
		}
		return fmt.Sprintf("%d systems", k)
	}
	switch {
	case above == 1:
		return 1, "1 system classified above OFFICIAL relies on it"
	case above > 1:
		return 1, fmt.Sprintf("%s classified above OFFICIAL rely on it", systems(above))
	case n >= 5:
		return 1, fmt.Sprintf("%s rely on it (5 or more)", systems(n))
	case n >= 2:
		return 2, fmt.Sprintf("%s rely on it", systems(n))
	case official > 0:
		return 2, "1 system classified OFFICIAL relies on it"
	case n == 1:
		return 3, "1 system relies on it, not classified"
	}
	return 3, "no system relies on it"
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Clause finds a clause by id.
func (r *SupplierRecord) Clause(id string) (*Clause, bool) {
	i := slices.IndexFunc(r.Clauses, func(c Clause) bool { return c.ID == id })
	if i < 0 {
		return nil, false
	}
	return &r.Clauses[i], true
}

// TierPolicy is how a supplier of one tier is reassessed: against which
// questionnaire, how often, and what evidence it must hold.
type TierPolicy struct {
	Tier          int    `json:"tier" minimum:"1" maximum:"3"`
	Questionnaire string `json:"questionnaire" required:"false" doc:"The questionnaire template its assessments use (empty: the built-in one)"`
	Months        int    `json:"months" minimum:"1" maximum:"120" doc:"How often it is reassessed"`
	// Evidence lists kinds of evidence of which at least one must be
	// current for the supplier's offerings; empty when none is required.
	Evidence []EvidenceKind `json:"evidence,omitempty" doc:"Kinds of evidence of which one must be current (none: self-attested)"`
}

// SelfAttested reports whether the tier takes the supplier's own answers
// without evidence.
func (t TierPolicy) SelfAttested() bool { return len(t.Evidence) == 0 }

// SupplierSettings are the organisation's rules for suppliers.
type SupplierSettings struct {
	Tiers []TierPolicy `json:"tiers"`
}

// DefaultSupplierSettings are the rules until an admin changes them:
// tier 1 every 12 months with an ISO 27001 certificate or SOC 2 Type II
// report; tier 2 every 24 months with one of those or Cyber Essentials
// Plus; tier 3 every 36 months, self-attested. All use the built-in
// questionnaire (the NCSC one): Questionnaire "".
func DefaultSupplierSettings() SupplierSettings {
	return SupplierSettings{Tiers: []TierPolicy{
		{Tier: 1, Months: 12, Evidence: []EvidenceKind{EvidenceISO27001, EvidenceSOC2Type2}},
		{Tier: 2, Months: 24, Evidence: []EvidenceKind{EvidenceISO27001, EvidenceSOC2Type2, EvidenceCyberEssentialsPlus}},
		{Tier: 3, Months: 36},
	}}
}

// Policy returns the policy of a tier (the default's when the settings
// lack it).
func (s SupplierSettings) Policy(tier int) TierPolicy {
	for _, t := range s.Tiers {
		if t.Tier == tier {
			return t
		}
	}
	for _, t := range DefaultSupplierSettings().Tiers {
		if t.Tier == tier {
			return t
		}
	}
	return TierPolicy{Tier: tier, Months: 12}
}

// Validate reports every problem with the settings; known says whether a
// questionnaire template exists.
func (s SupplierSettings) Validate(known func(string) bool) []Problem {
	var ps []Problem
	seen := map[int]bool{}
	for i, t := range s.Tiers {
		at := fmt.Sprintf("/tiers/%d", i)
		if t.Tier < 1 || t.Tier > 3 {
			ps = append(ps, Problem{Pointer: at + "/tier", Message: fmt.Sprintf("tier %d is not 1, 2 or 3", t.Tier)})
		}
		if seen[t.Tier] {
			ps = append(ps, Problem{Pointer: at + "/tier", Message: fmt.Sprintf("tier %d is listed twice", t.Tier)})
		}
		seen[t.Tier] = true
		if t.Months < 1 || t.Months > 120 {
			ps = append(ps, Problem{Pointer: at + "/months", Message: fmt.Sprintf("every %d months is not 1 to 120", t.Months)})
		}
		if t.Questionnaire != "" && !known(t.Questionnaire) {
			ps = append(ps, Problem{Pointer: at + "/questionnaire", Message: fmt.Sprintf("there is no questionnaire %q", t.Questionnaire)})
		}
		for j, k := range t.Evidence {
			if !k.Valid() {
				ps = append(ps, Problem{Pointer: fmt.Sprintf("%s/evidence/%d", at, j), Message: fmt.Sprintf("evidence kind %q is not known", k)})
			}
		}
	}
	return ps
}

// AssureClause derives a supplier obligation's assurance on day now, from
// what the supplier's offerings are judged by and hold:
//
//   - failed: an open finding names the clause (findings lists their
//     titles), or the latest completed assessment of one of the
//     offerings judges one of its controls short of met;
//   - assured: current evidence names the clause, or current evidence
//     of one of its kinds supports one of the offerings, or a current
//     assessment judges one of its controls met;
//   - stale: what assured it has expired or lapsed;
//   - unassured: nothing yet.
func (x *EvidenceIndex) AssureClause(provider string, offerings []string, c Clause, findings []string, now time.Time) Assurance {
	if len(findings) > 0 {
		return Assurance{Status: AssuranceFailed, Reason: fmt.Sprintf("an open finding says it is not kept: %s", strings.Join(findings, "; "))}
	}
	day := now.UTC().Format(time.DateOnly)
	var met, lapsed *Verdict
	for _, off := range offerings {
		for _, ctl := range c.Controls {
			v, ok := x.verdicts[[2]string{off, ctl}]
			if !ok {
				continue
			}
			from := fmt.Sprintf("assessment %s (%s %s)", v.Assessment, v.Principle, v.Result)
			switch {
			case day >= v.ValidUntil:
				if lapsed == nil {
					lapsed = &v
				}
			case v.Result == NotMet || v.Result == PartlyMet:
				return Assurance{Status: AssuranceFailed, Reason: fmt.Sprintf("%s of %s: %s", from, off, v.Rationale), Assessment: v.Assessment}
			case v.Result == Met && met == nil:
				met = &v
			}
		}
	}
	var counting, expired []*Evidence
	consider := func(ev *Evidence) {
		if slices.Contains(counting, ev) || slices.Contains(expired, ev) {
			return
		}
		switch {
		case ev.countsOn(day):
			counting = append(counting, ev)
		case ev.Expires != "" && day >= ev.Expires:
			expired = append(expired, ev)
		}
	}
	for _, ev := range x.by[supportKey(SupportClause, ClauseRef(provider, c.ID), "")] {
		consider(ev)
	}
	if len(c.EvidenceKinds) > 0 {
		for _, off := range offerings {
			for _, ev := range x.by[supportKey(SupportOffering, off, "")] {
				if slices.Contains(c.EvidenceKinds, ev.Kind) {
					consider(ev)
				}
			}
		}
	}
	ids := func(evs []*Evidence) []string {
		out := make([]string, len(evs))
		for i, ev := range evs {
			out[i] = ev.ID
		}
		return out
	}
	switch {
	case len(counting) > 0:
		return Assurance{Status: Assured, Reason: "assured by " + describeEvidence(counting[0]), Evidence: ids(counting)}
	case met != nil:
		return Assurance{Status: Assured, Reason: fmt.Sprintf("assured by assessment %s (%s met), until %s", met.Assessment, met.Principle, met.ValidUntil), Assessment: met.Assessment}
	case len(expired) > 0:
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("was assured by %s, which expired on %s", describeEvidence(expired[0]), expired[0].Expires), Evidence: ids(expired)}
	case lapsed != nil:
		return Assurance{Status: AssuranceStale, Reason: fmt.Sprintf("was assured by assessment %s, which lapsed on %s", lapsed.Assessment, lapsed.ValidUntil), Assessment: lapsed.Assessment}
	}
	return Assurance{Status: Unassured, Reason: "no evidence, assessment or finding yet shows whether the supplier keeps it"}
}
