package remit

import (
	"fmt"
	"net/mail"
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
