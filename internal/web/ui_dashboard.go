package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
)

// --- sign in and out ------------------------------------------------------

// SignInPage offers single sign-on when it is set up, and asks for an
// email and a password unless passwords are switched off (then only the
// break-glass account may use one, behind a disclosure).
type SignInPage struct {
	basePage
	Email string
	Next  string
	// SSO names the identity provider ("" without single sign-on).
	SSO string
	// Passwords says whether anyone may sign in with a password; BreakGlass
	// whether only the emergency account may.
	Passwords, BreakGlass bool
}

// signInPage is the sign-in page for r.
func (s *server) signInPage(r *http.Request) *SignInPage {
	p := &SignInPage{basePage: basePage{Title: "Sign in"}, Next: safeNext(r.URL.Query().Get("next")),
		Passwords: !s.NoPasswordSignIn, BreakGlass: s.NoPasswordSignIn && s.BreakGlass != ""}
	if s.OIDC != nil {
		p.SSO = s.OIDC.Name()
	}
	return p
}

func (s *server) handleSignInPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := principal(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "sign-in", s.signInPage(r))
}

func (s *server) handleSignInPost(w http.ResponseWriter, r *http.Request) error {
	p := s.signInPage(r)
	p.Email, p.Next = strings.TrimSpace(r.PostFormValue("email")), safeNext(r.PostFormValue("next"))
	password := r.PostFormValue("password")
	if p.Email == "" {
		p.Errors = append(p.Errors, fieldError{"email", "Enter your email address"})
	}
	if password == "" {
		p.Errors = append(p.Errors, fieldError{"password", "Enter your password"})
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "sign-in", p)
	}
	secret, _, expires, err := s.signIn(r.Context(), p.Email, password)
	if err != nil {
		status, msg := statusOf(err)
		if status == http.StatusUnauthorized {
			msg = "Enter a correct email address and password"
		}
		if status >= 500 {
			return err
		}
		p.Errors = append(p.Errors, fieldError{"email", msg})
		return s.render(w, r, status, "sign-in", p)
	}
	c := s.sessionCookie(secret, expires)
	http.SetCookie(w, &c)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

// safeNext keeps a return address only when it is a path on this site:
// it parses, has no scheme or host, and holds no backslash or control
// character (browsers drop tabs and newlines, so "/\t/evil" would be
// "//evil").
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/sign-") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

func (s *server) handleSignOutPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.signOut(r.Context()); err != nil {
		return err
	}
	c := s.sessionCookie("", time.Time{})
	http.SetCookie(w, &c)
	return s.redirect(w, r, "/sign-in", "You have signed out")
}

// --- dashboard ------------------------------------------------------------

// DashboardPage is the estate at a glance.
type DashboardPage struct {
	basePage
	Systems, Providers, Offerings int
	// Estate sums every system's matrix.
	Estate    service.Summary
	ClassBars template.HTML
	// Teams counts our obligations by team and status.
	Teams      []service.TeamStatus
	TeamTotal  service.TeamStatus
	StatusBars template.HTML
	Statuses   []remit.ObligationStatus
	// Assumed lists the systems with the most cells resting on assumed defaults.
	Assumed []SystemSummary
	// Reliance lists the providers most relied on.
	Reliance []service.Reliance
	// Expiring counts evidence that still counts and expires within 30,
	// 60 and 90 days; Expired what no longer counts for having expired.
	Expiring [3]int
	Expired  int
	Evidence int
	// Overdue lists open findings past their due date.
	Overdue []FindingItem
	// Risks sums the register today.
	Risks remit.RiskSnapshot
	// Assurance counts our obligations by the source of their assurance;
	// Checks lists failing and stale automated results (ChecksFailed and
	// ChecksStale count them all).
	Assurance                 service.AssuranceTally
	Checks                    []CheckResult
	ChecksFailed, ChecksStale int
	ChecksMore, ChecksAny     bool
}

var classSegments = []segment{
	{"inherited", "remit-class--inherited"},
	{"shared", "remit-class--shared"},
	{"organisation-specific", "remit-class--organisation-specific"},
	{"not-applicable", "remit-class--not-applicable"},
}

var statusSegments = []segment{
	{"not-started", "remit-status--not-started"},
	{"in-progress", "remit-status--in-progress"},
	{"implemented", "remit-status--implemented"},
	{"not-applicable", "remit-status--not-applicable"},
}

func (s *server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	p := &DashboardPage{basePage: basePage{Title: "Dashboard", Nav: "dashboard"}, Statuses: remit.ObligationStatuses}
	sn := s.Service.Snapshot()
	p.Systems, p.Offerings, p.Providers = sn.NumSystems(), sn.NumOfferings(), len(sn.Providers())
	// The ten systems with the most assumed cells: the estate may hold
	// 20,000 systems.
	var top []*remit.System
	p.Estate, top = sn.TopAssumed(10)
	for _, x := range top {
		_, sum, _ := sn.System(x.ID)
		p.Assumed = append(p.Assumed, summarise(x, sum))
	}
	p.Teams = s.Service.ObligationsByTeam(sn)
	p.Assurance = s.Service.AssuranceBySource(sn, s.Now())
	p.Checks, p.ChecksFailed, p.ChecksStale = failingChecks(sn, s.Now(), 10)
	p.ChecksMore = p.ChecksFailed+p.ChecksStale > len(p.Checks)
	p.ChecksAny = sn.Automated().Len() > 0
	rel, err := s.Service.Concentration(r.Context(), sn)
	if err != nil {
		return err
	}
	p.Reliance = rel[:min(len(rel), 10)]
	findings, err := s.findings(r.Context())
	if err != nil {
		return err
	}
	p.Overdue = filterFindings(findings, "", true, "")
	risks, settings := s.Service.Snapshot().Risks()
	p.Risks = remit.TakeRiskSnapshot(risks, settings, s.Now())
	all := s.Service.Snapshot().AllEvidence()
	p.Evidence = len(all)
	for _, ev := range all {
		it := evidenceItem(ev, s.Now())
		switch {
		case it.DaysLeft == nil:
		case *it.DaysLeft <= 0:
			p.Expired++
		case it.Counts:
			for i, d := range []int{30, 60, 90} {
				if *it.DaysLeft <= d {
					p.Expiring[i]++
				}
			}
		}
	}
	p.TeamTotal.Team = "All teams"
	bars := make([]bar, 0, len(p.Teams))
	for _, t := range p.Teams {
		for i, n := range t.Counts {
			p.TeamTotal.Counts[i] += n
		}
		p.TeamTotal.Total += t.Total
		bars = append(bars, bar{Label: t.Team, Values: t.Counts[:]})
	}
	p.StatusBars = stackedBars("Our obligations by team and status", statusSegments, bars)
	p.ClassBars = stackedBars("Controls across the estate by class", classSegments, []bar{{Label: "All systems", Values: []int{p.Estate.Inherited, p.Estate.Shared, p.Estate.OrganisationSpecific, p.Estate.NotApplicable}}})
	return s.render(w, r, http.StatusOK, "dashboard", p)
}

// navLink is one item of the service navigation.
type navLink struct {
	Href, Text string
	Current    bool
}

func navItem(p pager, key, href, text string) navLink {
	return navLink{Href: href, Text: text, Current: p.base().Nav == key}
}

// filterValues keeps the non-empty values of a query, for filter forms.
func filterValues(q url.Values, keys ...string) url.Values {
	out := url.Values{}
	for _, k := range keys {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}
