package remit

import (
	"slices"
	"strings"
)

// Role is what a user may do.
type Role string

// The roles. Viewers read; editors change models, and the systems and
// obligations of their own teams; assessors assess and sign off; risk
// owners accept risk; admins manage users, teams and settings. Policy (May)
// says exactly who may do what.
const (
	RoleViewer    Role = "viewer"
	RoleEditor    Role = "editor"
	RoleAssessor  Role = "assessor"
	RoleRiskOwner Role = "risk-owner"
	RoleAdmin     Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleViewer, RoleEditor, RoleAssessor, RoleRiskOwner, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Article is the role with its indefinite article, for messages: "an
// editor", "a viewer".
func (r Role) Article() string {
	if r != "" && strings.ContainsRune("aeiou", rune(r[0])) {
		return "an " + string(r)
	}
	return "a " + string(r)
}

// Principal is who is acting: a signed-in user or an API token.
type Principal struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Role  Role     `json:"role"`
	Teams []string `json:"teams"`
	// Token is set when the principal acts through an API token.
	Token bool `json:"token,omitempty"`
	// Scope narrows a token: ScopeChecks may only hand in automated check
	// results ("" is the role's whole reach).
	Scope string `json:"scope,omitempty"`
}

// ScopeChecks is the scope of a token made for a pipeline: it may hand in
// automated check results and do nothing else, not even read.
const ScopeChecks = "checks"

// Action is something a principal may be allowed to do. Every use-case
// asks May for exactly one.
type Action string

// The actions, in the order the policy table lists them.
const (
	ActRead            Action = "read"
	ActEditModel       Action = "edit-model"
	ActEditSystem      Action = "edit-system"
	ActTrackObligation Action = "track-obligation"
	ActManageEvidence  Action = "manage-evidence"
	ActAssess          Action = "assess"
	ActSignOff         Action = "sign-off"
	ActEditRisk        Action = "edit-risk"
	ActAcceptRisk      Action = "accept-risk"
	ActSetRiskSettings Action = "set-risk-settings"
	ActSubmitChecks    Action = "submit-checks"
	ActAdmin           Action = "admin"
)

// Actions lists every action, each with what it covers.
var Actions = []struct {
	Action Action
	Covers string
}{
	{ActRead, "read the estate, matrices, obligations, evidence, assessments, risks and the audit trail; make API tokens for oneself"},
	{ActEditModel, "change catalogues, providers, offerings and statements; import catalogues and providers' matrices"},
	{ActEditSystem, "add, change and delete a system of one's own teams; attach and detach its offerings"},
	{ActTrackObligation, "set the owner, status, due date and notes of our obligations in one's own teams' systems"},
	{ActManageEvidence, "add evidence and change what it says and supports (for an editor: only what supports their own teams' systems and obligations, or offerings, which no team owns)"},
	{ActAssess, "start and work on supplier assessments and Standards Assurance Tables; raise and change findings (for an editor: only their own teams' systems' tables, and supplier assessments)"},
	{ActSignOff, "sign assessments and SATs off; make supplier portal links and review what suppliers send; set review cadences and keep suppliers' records; decide whether evidence covers a fourth party; publish SAT objectives"},
	{ActEditRisk, "record and change risks; adopt or dismiss proposed risks"},
	{ActAcceptRisk, "accept a risk (never a legal or regulatory breach)"},
	{ActSetRiskSettings, "set the risk scale and appetite"},
	{ActSubmitChecks, "hand in automated check results for a system (for an editor: their own teams' systems); the only thing a checks-scoped token may do"},
	{ActAdmin, "manage users and teams, and anyone's API tokens; set up reminders' webhooks and read the outbox"},
}

// May reports whether p may do a; team is the team that owns what is
// acted on ("" when nothing belongs to a team). It is the whole
// authorisation policy: every use-case asks it, and doc/api.md's roles
// table is generated from it.
func (p Principal) May(a Action, team string) bool {
	r := p.Role
	if !r.Valid() {
		return false
	}
	if p.Scope != "" && (p.Scope != ScopeChecks || a != ActSubmitChecks) {
		return false // a scoped token does what its scope says, nothing else
	}
	switch a {
	case ActRead:
		return true
	case ActAcceptRisk:
		// A business decision the risk owner makes: not even an admin.
		return r == RoleRiskOwner
	}
	if r == RoleAdmin {
		return true
	}
	switch a {
	case ActEditModel:
		return r == RoleEditor
	case ActEditSystem, ActTrackObligation:
		return r == RoleEditor && team != "" && slices.Contains(p.Teams, team)
	case ActManageEvidence, ActAssess, ActSubmitChecks:
		// Editors work on their own teams' systems, and on suppliers,
		// which belong to no team; assessors on anything.
		return r == RoleAssessor || r == RoleEditor && (team == "" || slices.Contains(p.Teams, team))
	case ActSignOff:
		return r == RoleAssessor
	case ActEditRisk:
		return r == RoleEditor || r == RoleAssessor || r == RoleRiskOwner
	}
	return false
}

// MayAny reports whether p may do a for some team: whether the action is
// open to p at all (a page offers "Add a system" on this).
func (p Principal) MayAny(a Action) bool {
	if p.May(a, "") {
		return true
	}
	for _, t := range p.Teams {
		if p.May(a, t) {
			return true
		}
	}
	return false
}
