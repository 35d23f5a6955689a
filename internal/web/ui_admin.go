package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// --- catalogues -----------------------------------------------------------

// CataloguesPage lists catalogues.
type CataloguesPage struct {
	basePage
	Catalogues []CatalogueSummary
}

func (s *server) handleCataloguesPage(w http.ResponseWriter, r *http.Request) error {
	out, err := s.handleCatalogueList(r.Context(), &catalogueListInput{Limit: 1 << 30, Sort: "id"})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "catalogues", &CataloguesPage{basePage: basePage{Title: "Catalogues", Nav: "catalogues"}, Catalogues: out.Body.Items})
}

// CataloguePage is one catalogue and its controls.
type CataloguePage struct {
	basePage
	Catalogue remit.Catalogue
}

func (s *server) handleCataloguePage(w http.ResponseWriter, r *http.Request) error {
	out, err := s.handleCatalogueGet(r.Context(), &systemInput{ID: r.PathValue("id")})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "catalogue", &CataloguePage{basePage: basePage{Title: out.Body.Title, Nav: "catalogues"}, Catalogue: out.Body})
}

// --- supplier graph -------------------------------------------------------

// GraphPage is the supplier graph: systems, the offerings they use and the
// offerings those run on, with concentration.
type GraphPage struct {
	basePage
	SVG       template.HTML
	Drawn     bool
	Systems   int
	Reliance  []service.Reliance
	Offerings []graphOffering
}

type graphOffering struct {
	Ref, Name, Provider string
	DependsOn           []string
	Direct              int
}

// graphLimit is the most systems drawn: past it the picture says nothing
// a table does not say better.
const graphLimit = 60

func (s *server) handleGraphPage(w http.ResponseWriter, r *http.Request) error {
	p := &GraphPage{basePage: basePage{Title: "Supplier graph", Nav: "graph"}}
	sn := s.Service.Snapshot()
	p.Systems = sn.NumSystems()
	rels, err := s.Service.Concentration(r.Context(), sn)
	if err != nil {
		return err
	}
	p.Reliance = rels
	used := map[string]bool{}
	var systems []graphNode
	var edges []graphEdge
	for x := range sn.Systems() {
		systems = append(systems, graphNode{ID: "s:" + x.ID, Label: x.Name, Class: "remit-graph__system"})
		for _, u := range x.Uses {
			used[u.Offering] = true
			edges = append(edges, graphEdge{From: "s:" + x.ID, To: "o:" + u.Offering})
			if o, ok := sn.Offering(u.Offering); ok {
				for _, v := range o.Via {
					used[v] = true
				}
			}
		}
	}
	slices.SortFunc(systems, func(a, b graphNode) int { return strings.Compare(a.ID, b.ID) })
	var offerings []graphNode
	for o := range sn.Offerings() {
		if !used[o.Ref] {
			continue
		}
		offerings = append(offerings, graphNode{ID: "o:" + o.Ref, Label: o.Offering.Name, Class: "remit-graph__offering", Group: o.ProviderName})
		p.Offerings = append(p.Offerings, graphOffering{Ref: o.Ref, Name: o.Offering.Name, Provider: o.ProviderName, DependsOn: o.Offering.DependsOn, Direct: o.Users})
		for _, d := range o.Offering.DependsOn {
			edges = append(edges, graphEdge{From: "o:" + o.Ref, To: "o:" + d})
		}
	}
	slices.SortStableFunc(offerings, func(a, b graphNode) int { return strings.Compare(a.Group, b.Group) })
	if len(systems) <= graphLimit {
		p.Drawn = true
		p.SVG = supplierGraph(systems, offerings, edges)
	}
	return s.render(w, r, http.StatusOK, "graph", p)
}

// --- audit trail ----------------------------------------------------------

// AuditPage is the audit trail, newest first, filtered.
type AuditPage struct {
	basePage
	Kinds           []remit.Kind
	Kind, ID, Actor string
	Records         []auditRow
	Older, Newest   string
	Filtered        bool
}

// ExportQuery is the page's filter as a query for the audit export.
func (p *AuditPage) ExportQuery() template.URL {
	q := url.Values{}
	for k, v := range map[string]string{"kind": p.Kind, "id": p.ID, "actor": p.Actor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return template.URL(q.Encode())
}

type auditRow struct {
	remit.AuditRecord
	Href    string
	Changes []string
}

const auditPageSize = 50

func (s *server) handleAuditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &AuditPage{basePage: basePage{Title: "Audit trail", Nav: "audit"}, Kind: q.Get("kind"), ID: strings.TrimSpace(q.Get("id")), Actor: strings.TrimSpace(q.Get("actor")),
		Kinds: []remit.Kind{service.KindWorkspace, service.KindCatalogue, service.KindProvider, service.KindOffering, service.KindSystem, service.KindObligation, service.KindUser, service.KindToken}}
	p.Filtered = p.Kind != "" || p.ID != "" || p.Actor != ""
	if p.Kind != "" && !slices.Contains(p.Kinds, remit.Kind(p.Kind)) {
		p.Errors = append(p.Errors, fieldError{"kind", "Choose a kind from the list"})
		p.Kind = ""
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	recs, err := s.Service.Audit(r.Context(), remit.AuditFilter{Kind: remit.Kind(p.Kind), ID: p.ID, Actor: p.Actor, BeforeSeq: max(before, 0), Newest: true, Limit: auditPageSize + 1})
	if err != nil {
		return err
	}
	// One more than a page says whether there is an older page.
	more := len(recs) > auditPageSize
	recs = recs[:min(len(recs), auditPageSize)]
	for _, rec := range recs {
		row := auditRow{AuditRecord: rec, Href: auditHref(rec)}
		if rec.Before != nil && rec.After != nil { // a creation or deletion is the whole record
			row.Changes = changes(rec.Before, rec.After)
		}
		p.Records = append(p.Records, row)
	}
	base := filterValues(q, "kind", "id", "actor")
	if more {
		p.Older = queryWith(base, "before", strconv.FormatInt(recs[len(recs)-1].Seq, 10))
	}
	if before > 0 {
		p.Newest = queryWith(base, "before", "")
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "audit", p)
}

// auditHref links a record to the page of what it changed, if it has one.
func auditHref(rec remit.AuditRecord) string {
	switch rec.Kind {
	case service.KindSystem:
		return "/systems/" + url.PathEscape(rec.ID)
	case service.KindObligation:
		return obligationURL(rec.ID)
	case service.KindCatalogue:
		return "/catalogues/" + url.PathEscape(rec.ID)
	case service.KindProvider:
		return "/providers/" + url.PathEscape(rec.ID)
	case service.KindOffering:
		if o, err := remit.ParseOfferingRef(rec.ID); err == nil {
			return "/providers/" + url.PathEscape(o.Provider) + "/offerings/" + url.PathEscape(o.Offering)
		}
	}
	return ""
}

// changes lists, in short sentences, the top-level fields a change set or
// altered: "status: not-started → implemented". Secrets never reach the
// trail, so every field may be shown; long values are cut short.
func changes(before, after []byte) []string {
	var b, a map[string]json.RawMessage
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []string
	for _, k := range sortedKeys(keys) {
		if k == "password_hash" || k == "hash" {
			continue
		}
		old, cur := short(b[k]), short(a[k])
		if old == cur {
			continue
		}
		switch {
		case old == "":
			out = append(out, fmt.Sprintf("%s: %s", k, cur))
		case cur == "":
			out = append(out, fmt.Sprintf("%s: %s removed", k, old))
		default:
			out = append(out, fmt.Sprintf("%s: %s → %s", k, old, cur))
		}
	}
	return out
}

func short(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return truncate(s, 60)
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return fmt.Sprintf("%d items", len(list))
	}
	return truncate(string(raw), 60)
}

// --- users and tokens -----------------------------------------------------

// UsersPage lists accounts and adds one (admins only).
type UsersPage struct {
	basePage
	Users []accounts.User
	Roles []remit.Role
	Form  accounts.User
	Teams string
	// TeamList is every team: its members and its systems.
	TeamList []teamRow
}

type teamRow struct {
	Team    string
	Members []string
	Systems int
}

func (s *server) usersPage(r *http.Request) (*UsersPage, error) {
	if !user(r).May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("users are managed by admins: %w", remit.ErrForbidden)
	}
	users, err := s.Service.Users(r.Context(), user(r))
	if err != nil {
		return nil, err
	}
	p := &UsersPage{basePage: basePage{Title: "Users and teams", Nav: "users"}, Users: users, Roles: remit.Roles, Form: accounts.User{Role: remit.RoleViewer}}
	teams := map[string]*teamRow{}
	team := func(name string) *teamRow {
		if teams[name] == nil {
			teams[name] = &teamRow{Team: name}
		}
		return teams[name]
	}
	for _, u := range users {
		for _, t := range u.Teams {
			team(t).Members = append(team(t).Members, u.Email)
		}
	}
	for x := range s.Service.Snapshot().Systems() {
		if x.Team != "" {
			team(x.Team).Systems++
		}
	}
	for _, t := range teams {
		p.TeamList = append(p.TeamList, *t)
	}
	slices.SortFunc(p.TeamList, func(a, b teamRow) int { return strings.Compare(a.Team, b.Team) })
	return p, nil
}

func (s *server) handleUserPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.usersPage(r)
	if err != nil {
		return err
	}
	p.Teams = r.PostFormValue("teams")
	p.Form = accounts.User{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Role: remit.Role(r.PostFormValue("role"))}
	for _, t := range strings.Split(p.Teams, ",") {
		if t = strings.TrimSpace(t); t != "" {
			p.Form.Teams = append(p.Form.Teams, t)
		}
	}
	password := r.PostFormValue("password")
	if !strings.Contains(p.Form.Email, "@") {
		p.Errors = append(p.Errors, fieldError{"email", "Enter an email address, like name@example.gov.uk"})
	}
	if !p.Form.Role.Valid() {
		p.Errors = append(p.Errors, fieldError{"role", "Choose a role"})
	}
	if len(password) < 12 {
		p.Errors = append(p.Errors, fieldError{"password", "Enter a password of at least 12 characters"})
	}
	if len(p.Errors) == 0 {
		_, err = s.Service.AddUser(r.Context(), user(r), p.Form, password)
		var ve *remit.ValidationError
		switch {
		case errors.As(err, &ve):
			for _, pr := range ve.Problems {
				p.Errors = append(p.Errors, fieldError{strings.TrimPrefix(pr.Pointer, "/"), sentence(pr.Message)})
			}
		case errors.Is(err, remit.ErrConflict):
			p.Errors = append(p.Errors, fieldError{"email", "There is already an account for " + p.Form.Email})
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "users", p)
	}
	return s.redirect(w, r, "/users", "Account for "+p.Form.Email+" added")
}

// TokensPage lists the user's API tokens and creates one, showing its
// secret once.
type TokensPage struct {
	basePage
	Tokens []accounts.Token
	Secret string
	Name   string
	Days   string
	// Scope is the scope chosen: "" or remit.ScopeChecks.
	Scope string
}

func (s *server) tokensPage(r *http.Request) (*TokensPage, error) {
	out, err := s.handleTokenList(r.Context(), &pageInput{Limit: 500})
	if err != nil {
		return nil, err
	}
	return &TokensPage{basePage: basePage{Title: "API tokens", Nav: "tokens"}, Tokens: out.Body.Items, Days: "90"}, nil
}

// handleTokenPost creates a token. Its secret is shown on the page the
// post answers, once, never stored and never redirected through a URL.
func (s *server) handleTokenPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.tokensPage(r)
	if err != nil {
		return err
	}
	p.Name, p.Days, p.Scope = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("days")), r.PostFormValue("scope")
	if p.Scope != "" && p.Scope != remit.ScopeChecks {
		return badForm("the token's scope is not one the form offers")
	}
	days, err := strconv.Atoi(p.Days)
	if p.Name == "" {
		p.Errors = append(p.Errors, fieldError{"name", "Enter a name that says what the token is for"})
	}
	if err != nil || days < 1 || days > 366 {
		p.Errors = append(p.Errors, fieldError{"days", "Enter how many days the token lasts, from 1 to 366"})
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "tokens", p)
	}
	u := user(r)
	_, secret, err := s.Service.CreateScopedToken(r.Context(), u, p.Name, u.Role, time.Duration(days)*24*time.Hour, p.Scope)
	if err != nil {
		return err
	}
	if p, err = s.tokensPage(r); err != nil {
		return err
	}
	p.Secret = secret
	return s.render(w, r, http.StatusCreated, "tokens", p)
}

func (s *server) handleTokenRevokePost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	name := id
	if toks, err := s.Service.Tokens(r.Context(), user(r), user(r).Email); err == nil {
		for _, t := range toks {
			if t.ID == id {
				name = t.Name
			}
		}
	}
	if ok, err := s.confirmed(w, r, &ConfirmPage{basePage: basePage{Title: "Revoke the token " + name + "?", Nav: "tokens"}, Caption: "API tokens",
		Warning: "Anything that uses this token — a pipeline, a script — is refused from now on. A revoked token cannot be used again: make a new one if it is still needed.",
		Action:  "/tokens/" + url.PathEscape(id) + "/revoke", Button: "Revoke token", Cancel: "/tokens"}); !ok {
		return err
	}
	if _, err := s.handleTokenRevoke(r.Context(), &tokenInput{ID: r.PathValue("id")}); err != nil {
		return err
	}
	return s.redirect(w, r, "/tokens", "Token revoked")
}
