package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// --- systems list ---------------------------------------------------------

// SystemsPage lists systems with filters.
type SystemsPage struct {
	basePage
	Query          url.Values
	Teams          []string
	Classes        []string
	Providers      []option
	Systems        []SystemSummary
	Total          int
	Chart          template.HTML
	Pager          pageLinks
	CanAddSystem   bool
	Team, Class    string
	ProviderFilter string
}

// option is one choice of a select.
type option struct{ Value, Text string }

// pageLinks links the pages of a long list.
type pageLinks struct {
	Page, Pages int
	Prev, Next  string
}

const uiPageSize = 50

// attachListMax is the most offerings offered in a list to attach.
const attachListMax = 200

func newPager(q url.Values, n int) (pageLinks, int, int) { return newPagerFor(q, "page", "", n) }

// newPagerFor pages a list by the query parameter key; fragment follows
// each link (the list's heading).
func newPagerFor(q url.Values, key, fragment string, n int) (pageLinks, int, int) {
	pages := max(1, (n+uiPageSize-1)/uiPageSize)
	pg, _ := strconv.Atoi(q.Get(key))
	pg = min(max(pg, 1), pages)
	p := pageLinks{Page: pg, Pages: pages}
	if pg > 1 {
		p.Prev = queryWith(q, key, strconv.Itoa(pg-1)) + fragment
	}
	if pg < pages {
		p.Next = queryWith(q, key, strconv.Itoa(pg+1)) + fragment
	}
	from := (pg - 1) * uiPageSize
	return p, from, min(from+uiPageSize, n)
}

func (s *server) handleSystemsPage(w http.ResponseWriter, r *http.Request) error {
	q := filterValues(r.URL.Query(), "team", "classification", "provider", "page")
	p := &SystemsPage{basePage: basePage{Title: "Systems", Nav: "systems"}, Query: q, Team: q.Get("team"), Class: q.Get("classification"), ProviderFilter: q.Get("provider")}
	u := user(r)
	p.CanAddSystem = u.MayAny(remit.ActEditSystem)
	teams, classes := map[string]bool{}, map[string]bool{}
	sn := s.Service.Snapshot()
	// Filter and sort, and describe only the page shown.
	type match struct {
		x   *remit.System
		sum service.Summary
	}
	var matched []match
	for x, sum := range sn.Systems() {
		teams[x.Team], classes[x.Classification] = true, true
		if (p.Team != "" && x.Team != p.Team) || (p.Class != "" && x.Classification != p.Class) {
			continue
		}
		if p.ProviderFilter != "" && !usesProvider(x, p.ProviderFilter) {
			continue
		}
		matched = append(matched, match{x, sum})
	}
	slices.SortFunc(matched, func(a, b match) int {
		if c := strings.Compare(a.x.Name, b.x.Name); c != 0 {
			return c
		}
		return strings.Compare(a.x.ID, b.x.ID)
	})
	p.Total = len(matched)
	var from, to int
	p.Pager, from, to = newPager(q, len(matched))
	for _, m := range matched[from:to] {
		p.Systems = append(p.Systems, summarise(m.x, m.sum))
	}
	for _, pr := range sn.Providers() {
		p.Providers = append(p.Providers, option{pr.ID, pr.Name})
	}
	p.Teams, p.Classes = sortedKeys(teams), sortedKeys(classes)
	bars := make([]bar, len(p.Systems))
	for i, x := range p.Systems {
		bars[i] = bar{Label: x.Name, Values: []int{x.Summary.Inherited, x.Summary.Shared, x.Summary.OrganisationSpecific, x.Summary.NotApplicable}}
	}
	p.Chart = stackedBars("Controls of each system by class", classSegments, bars)
	return s.render(w, r, http.StatusOK, "systems", p)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// --- one system -----------------------------------------------------------

// SystemPage is one system: its offerings, its matrix and what is still ours.
type SystemPage struct {
	basePage
	// Risks lists the risks concerning the system, or an offering it
	// relies on, not closed.
	Risks         []systemRisk
	CanRecordRisk bool
	System        SystemSummary
	Version       int64
	Uses          []useRow
	Attach        []option // offerings not yet attached
	// AttachAny asks for the offering as text: too many to list.
	AttachAny bool
	// Reliance sums up, per offering, the provider obligations relied on.
	Reliance []service.OfferingReliance
	Chart    template.HTML
	// Ours is one page of our obligations, filtered by OursStatus; OursTotal
	// counts them all and OursOpen those not yet implemented.
	Ours       []Obligation
	OursTotal  int
	OursOpen   int
	OursShown  int
	OursStatus string
	OursPager  pageLinks
	// OursOwner is the owner filter asked for ("" anyone, "none" no owner
	// named); OwnerChoices who an obligation can be given to.
	OursOwner    string
	OwnerChoices []service.OwnerChoice
	// OursSort is the order asked for ("" by control, owner, due, status).
	OursSort string
	// OfferingNames names the offerings it uses, by reference.
	OfferingNames map[string]string
	// OursSum sums up all of them, for the answer at the top of the page.
	OursSum        service.OursPage
	AssuranceOrder []remit.AssuranceStatus
	// Matrix is the rendered matrix table (matrixSection).
	Matrix template.HTML
	// Matrix filters and sort, as asked for.
	Query                        url.Values
	Class, Status, Area, Assumed string
	Sort                         string
	Classes, Areas               []string
	Statuses                     []remit.ObligationStatus
	CanEdit, CanTrack            bool
	// Coverage says, per offering, how many of its contributions are
	// stated for the control, mapped or assumed.
	Coverage []report.OfferingCoverage
	// Checks are the latest automated result of each tool for each of
	// the system's controls, failed first.
	Checks []CheckResult
}

// MatrixSection is the matrix table of a system page, rendered on its own
// so it can be kept: it depends on the matrix, the filters and the sort,
// not on who asks nor on the tracking (except the status filter).
type MatrixSection struct {
	Rows    []matrixRow
	Headers []sortHeader
	Total   int
}

// matrixSection renders (or takes from the cache) the matrix table. With
// the status filter, rows depend on tracking, so it is rendered afresh.
func (s *server) matrixSection(r *http.Request, id string, q url.Values) (template.HTML, error) {
	// Only values the filters offer reach the cache key, so made-up
	// values cannot fill the cache with copies of the same matrix.
	f := filterValues(q, "class", "status", "area", "assumed", "sort")
	keepIf := func(key string, ok bool) {
		if !ok {
			f.Del(key)
		}
	}
	keepIf("class", slices.Contains([]remit.Class{remit.Inherited, remit.Shared, remit.OrganisationSpecific, remit.NotApplicable}, remit.Class(f.Get("class"))))
	keepIf("status", slices.Contains(remit.ObligationStatuses, remit.ObligationStatus(f.Get("status"))))
	keepIf("area", slices.Contains(remit.Areas, remit.Area(f.Get("area"))))
	keepIf("assumed", f.Get("assumed") == "yes")
	keepIf("sort", slices.Contains([]string{"area", "class"}, f.Get("sort")))
	class, status, area, assumed, sortBy := f.Get("class"), f.Get("status"), f.Get("area"), f.Get("assumed"), f.Get("sort")
	if sortBy == "" {
		sortBy = "control"
	}
	sn, now := s.Service.Snapshot(), s.Now()
	render := func() ([]byte, uint64, error) {
		var sec MatrixSection
		rows, total, stamp, ok := sn.MatrixRows(id, service.MatrixFilter{Class: class, Status: status, Area: area, Assumed: assumed == "yes"}, now)
		if !ok {
			return nil, 0, notFound("system", id)
		}
		sec.Total = total
		for _, row := range rows {
			sec.Rows = append(sec.Rows, matrixRow{MatrixRow: row, Anchor: anchor(row.Control)})
		}
		sortRows(sec.Rows, sortBy)
		for _, h := range []struct{ key, text string }{{"control", "Control"}, {"area", "Area"}, {"class", "Class"}} {
			sh := sortHeader{Key: h.key, Text: h.text, Href: "/systems/" + url.PathEscape(id) + queryWith(f, "sort", h.key) + "#matrix", AriaSort: "none"}
			if sortBy == h.key {
				sh.AriaSort = "ascending"
			}
			sec.Headers = append(sec.Headers, sh)
		}
		buf := getBuffer()
		defer putBuffer(buf)
		if err := s.ui.pages["system"].ExecuteTemplate(buf, "matrixTable", &sec); err != nil {
			return nil, 0, err
		}
		return bytes.Clone(buf.Bytes()), stamp, nil
	}
	if status != "" {
		body, _, err := render()
		return template.HTML(body), err
	}
	epoch, stamp, ok := sn.MatrixStamp(id)
	if !ok {
		return "", notFound("system", id)
	}
	// Assurance depends on the evidence, the tracking and the day too.
	evGen, trGen := sn.Generations()
	key := fmt.Sprintf("system-matrix|%s?%s|%d|%d|%s", id, f.Encode(), evGen, trGen, now.UTC().Format(time.DateOnly))
	body, err := s.pageParts.get(epoch, key, stamp, render)
	return template.HTML(body), err // rendered by html/template above
}

type useRow struct {
	Ref, Name, Provider, ProviderID, Offering string
	ServiceModel                              remit.ServiceModel
	Purpose                                   string
}

// matrixRow is one control of the matrix with its explanation, our
// obligations under it and its assurance, and its anchor on the page.
type matrixRow struct {
	service.MatrixRow
	Anchor string
}

// sortHeader is a sortable column heading (the MOJ sortable table look,
// sorted on the server so it works without JavaScript).
type sortHeader struct {
	Key, Text, Href, AriaSort string
}

func (s *server) handleSystemPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	q := filterValues(r.URL.Query(), "class", "status", "area", "assumed", "sort", "ours_status", "ours_owner", "ours_sort", "ours_page")
	p := &SystemPage{basePage: basePage{Nav: "systems"}, Query: q, Class: q.Get("class"), Status: q.Get("status"), Area: q.Get("area"), Assumed: q.Get("assumed"), Sort: q.Get("sort"),
		Statuses: remit.ObligationStatuses}
	if p.Sort == "" {
		p.Sort = "control"
	}
	p.OursStatus, p.OursOwner, p.OursSort = q.Get("ours_status"), q.Get("ours_owner"), q.Get("ours_sort")
	p.OfferingNames = map[string]string{}
	if !slices.Contains(service.OursSorts, p.OursSort) {
		p.OursSort = ""
	}
	p.FlashAnchors = []string{"ours", "offerings"}
	u := user(r)
	sn, now := s.Service.Snapshot(), s.Now()
	p.Risks = systemRisks(sn, id, now)
	p.CanRecordRisk = u.May(remit.ActEditRisk, "")
	x, sum, ok := sn.System(id)
	if !ok {
		return notFound("system", id)
	}
	team := x.Team
	p.System = summarise(x, sum)
	p.Reliance = sn.Reliance(id, now)
	for _, use := range x.Uses {
		if o, ok := sn.Offering(use.Offering); ok {
			p.Uses = append(p.Uses, useRow{Ref: o.Ref, Name: o.Offering.Name, Provider: o.ProviderName, ProviderID: o.ProviderID, Offering: o.Offering.ID, ServiceModel: o.Offering.ServiceModel, Purpose: use.Purpose})
			p.OfferingNames[o.Ref] = o.Offering.Name + " (" + o.ProviderName + ")"
		}
	}
	// A list to choose from while it is short enough to read; past that,
	// the offering is typed as provider/offering.
	if p.AttachAny = sn.NumOfferings() > attachListMax; !p.AttachAny {
		for o := range sn.Offerings() {
			if !slices.ContainsFunc(x.Uses, func(u remit.Use) bool { return u.Offering == o.Ref }) {
				p.Attach = append(p.Attach, option{o.Ref, o.ProviderName + ": " + o.Offering.Name})
			}
		}
	}
	// What is still ours can run to a thousand obligations: count them
	// all, describe only the page shown, each row with its form.
	ours, _ := sn.OursOf(id, service.OursFilter{Status: p.OursStatus, Owner: p.ownerFilter(), Sort: p.OursSort}, now, func(shown int) (int, int) {
		var from, to int
		p.OursPager, from, to = newPagerFor(q, "ours_page", "#ours", shown)
		return from, to
	})
	p.OursTotal, p.OursOpen, p.OursShown, p.Ours, p.Areas = ours.Total, ours.Open, ours.Shown, ours.Page, ours.Areas
	p.OursSum, p.AssuranceOrder = ours, []remit.AssuranceStatus{remit.AssuranceFailed, remit.Unassured, remit.AssuranceStale, remit.Assured, remit.AssuranceUnnecessary}
	s.assure(p.Ours)
	p.Checks = systemChecks(sn, id, sn.SystemControls(id), now)
	p.Coverage = sn.Coverage(id)
	p.Title = p.System.Name
	p.CanEdit, p.CanTrack = u.May(remit.ActEditSystem, team), u.May(remit.ActTrackObligation, team)
	if p.CanTrack {
		choices, err := s.Service.OwnerChoices(r.Context())
		if err != nil {
			return err
		}
		p.OwnerChoices = choices
	}
	p.Classes = []string{string(remit.Inherited), string(remit.Shared), string(remit.OrganisationSpecific), string(remit.NotApplicable)}
	var err error
	if p.Matrix, err = s.matrixSection(r, id, q); err != nil {
		return err
	}
	p.Version, _ = sn.Version(service.KindSystem, id) // as the page shows it
	p.Chart = stackedBars("Controls of "+p.System.Name+" by class", classSegments, []bar{{Label: p.System.Name, Values: []int{sum.Inherited, sum.Shared, sum.OrganisationSpecific, sum.NotApplicable}}})
	return s.render(w, r, http.StatusOK, "system", p)
}

func sortRows(rows []matrixRow, by string) {
	classOrder := []remit.Class{remit.OrganisationSpecific, remit.Shared, remit.Inherited, remit.NotApplicable}
	slices.SortStableFunc(rows, func(a, b matrixRow) int {
		switch by {
		case "area":
			if c := strings.Compare(string(a.Area), string(b.Area)); c != 0 {
				return c
			}
		case "class":
			if c := slices.Index(classOrder, a.Class) - slices.Index(classOrder, b.Class); c != 0 {
				return c
			}
		}
		return compareControls(a.Control, b.Control)
	})
}

// compareControls orders control references naturally: SRM-2 before SRM-10.
func compareControls(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.Atoi(a[:da])
			nb, _ := strconv.Atoi(b[:db])
			if na != nb {
				return na - nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitsPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// anchor is an HTML id for a control reference.
func anchor(ref string) string {
	return "control-" + strings.NewReplacer(":", "-", ".", "-", " ", "-", "/", "-").Replace(ref)
}

// --- obligations ----------------------------------------------------------

// ObligationPage is one obligation of ours (or a provider's) in full, with
// the form to track it.
type ObligationPage struct {
	basePage
	Obligation Obligation
	SystemName string
	Explain    []string
	Statuses   []remit.ObligationStatus
	CanTrack   bool
	Form       remit.Tracking
	Version    int64
	Return     string
	History    []remit.AuditRecord
	// Assurance is the obligation's assurance today; Chain names the
	// fourth parties a provider's obligation rests on, nearest first.
	Assurance remit.Assurance
	Chain     []chainStep
	// OfferingName names the offering it arises from.
	OfferingName string
}

// chainStep is a fourth party an obligation rests on, with what the
// offering's current evidence says of it.
type chainStep struct {
	Value, Text string
	Coverage    remit.ChainCoverage
}

func (s *server) handleObligationPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.obligationPage(r.Context(), r.PathValue("id"), user(r))
	if err != nil {
		return err
	}
	if p.Obligation.Tracking != nil {
		p.Form = *p.Obligation.Tracking
	}
	p.Version = p.Obligation.Version
	p.Return = safeNext(r.URL.Query().Get("return"))
	if p.Return == "/" {
		p.Return = "/systems/" + url.PathEscape(p.Obligation.System) + "#ours"
	}
	return s.render(w, r, http.StatusOK, "obligation", p)
}

func (s *server) obligationPage(ctx context.Context, id string, u remit.Principal) (*ObligationPage, error) {
	o, ok := s.findObligation(id)
	if !ok {
		return nil, fmt.Errorf("obligation %q: %w", id, remit.ErrNotFound)
	}
	p := &ObligationPage{basePage: basePage{Title: o.Control + " " + o.Title, Nav: "systems"}, Obligation: o, Statuses: remit.ObligationStatuses}
	sn := s.Service.Snapshot()
	p.Assurance = sn.Evidence().Assure(o.Ref(), s.Now())
	if o.Offering != "" {
		p.OfferingName = s.offeringName(o.Offering)
	}
	if o.Offering != "" && o.Party != "ours" {
		day := s.Now().UTC().Format(time.DateOnly)
		controls := []string{o.Control} // and those it is answered for through mappings
		for _, m := range o.Ref().Mapped {
			controls = append(controls, m.Control)
		}
		for _, f := range sn.Chain(o.Offering, o.Control) {
			p.Chain = append(p.Chain, chainStep{Value: f, Text: s.offeringName(f), Coverage: sn.Evidence().CoverageOf(o.Offering, controls, f, day)})
		}
	}
	if explain, x, ok := sn.Explained(id); ok {
		p.Explain, p.SystemName = explain, x.Name
		p.CanTrack = o.Tracking != nil && u.May(remit.ActTrackObligation, x.Team)
	}
	var err error
	p.History, err = s.Service.Audit(ctx, remit.AuditFilter{Kind: service.KindObligation, ID: id, Newest: true, Limit: 50})
	return p, err
}

// handleTrackingPost records an obligation's owner, status, due date
// and notes, from the inline form on the system page or the obligation
// page. Bad input shows the obligation page with the error summary.
func (s *server) handleTrackingPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	u := user(r)
	t := remit.Tracking{Owner: strings.TrimSpace(r.PostFormValue("owner")), Status: remit.ObligationStatus(r.PostFormValue("status")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Due: strings.TrimSpace(r.PostFormValue("due")), Notes: strings.TrimSpace(r.PostFormValue("notes"))}
	// The inline form has no reason or notes fields: keep what is there.
	if r.PostFormValue("inline") == "yes" {
		if o, ok := s.findObligation(id); ok && o.Tracking != nil {
			t.Reason, t.Notes = o.Tracking.Reason, o.Tracking.Notes
		}
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 0 {
		return badForm(fmt.Sprintf("the form's version %q is not one this page gave out: reload the page and try again", r.PostFormValue("version")))
	}
	back := safeNext(r.PostFormValue("return"))
	_, err = s.Service.Track(r.Context(), u, id, t, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p, perr := s.obligationPage(r.Context(), id, u)
		if perr != nil {
			return perr
		}
		p.Form, p.Version, p.Return = t, version, back
		for _, pr := range ve.Problems {
			field := strings.TrimPrefix(pr.Pointer, "/")
			if field == "" { // a length limit: notes is the long one
				field = "notes"
			}
			p.Errors = append(p.Errors, fieldError{Field: field, Message: sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "obligation", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, back, fmt.Sprintf("Obligation %s is now %s", shortObligation(id), t.Status))
}

// shortObligation names an obligation for a message: its control and
// offering.
func shortObligation(id string) string {
	o, err := remit.ParseObligationID(id)
	switch {
	case err != nil:
		return id
	case o.Whole():
		return o.Control.String()
	}
	return o.Control.String() + " (" + o.Offering.String() + ")"
}

// sentence capitalises a message for the error summary.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// ownerFilter is the service's form of the owner filter asked for.
func (p *SystemPage) ownerFilter() string {
	if p.OursOwner == "none" {
		return service.OwnerNone
	}
	return p.OursOwner
}

// handleAssignOwners gives the obligations a page showed (each id@version)
// one owner, all or none, and returns to the list.
func (s *server) handleAssignOwners(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return badForm("the form could not be read")
	}
	var as []service.Assignment
	for _, o := range r.PostForm["o"] {
		oid, v, ok := strings.Cut(o, "@")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || !strings.HasPrefix(oid, id+"/") {
			return badForm(fmt.Sprintf("obligation %q is not one of this system's as the page showed it: reload the page", o))
		}
		as = append(as, service.Assignment{ID: oid, Version: n})
	}
	owner := strings.TrimSpace(r.PostFormValue("owner"))
	back := "/systems/" + url.PathEscape(id) + "#ours"
	if ret := r.PostFormValue("return"); ret != "" {
		back = safeNext(ret)
	}
	n, err := s.Service.AssignOwner(r.Context(), user(r), owner, as)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		return badForm(sentence(ve.Problems[0].Message))
	}
	if err != nil {
		return err
	}
	who := owner
	if who == "" {
		who = "no one named (the system's team answers for them)"
	}
	msg := fmt.Sprintf("%d obligations now owned by %s", n, who)
	if n == 1 {
		msg = fmt.Sprintf("1 obligation now owned by %s", who)
	}
	return s.redirect(w, r, back, msg)
}

// systemRisk is a risk on a system's page: its status today, whether it is
// above appetite, and the offering it concerns when not the system itself.
type systemRisk struct {
	Risk   *remit.Risk
	Status remit.RiskStatus
	Above  bool
	Via    string
}

// systemRisks lists the risks, not closed, that concern a system or an
// offering it relies on, highest residual score first.
func systemRisks(sn *service.Snapshot, id string, now time.Time) []systemRisk {
	sys, _, ok := sn.System(id)
	if !ok {
		return nil
	}
	uses := map[string]bool{}
	for _, u := range sys.Uses {
		uses[u.Offering] = true
	}
	risks, settings := sn.Risks()
	var out []systemRisk
	for _, r := range risks {
		if r.Status == remit.RiskClosed {
			continue
		}
		via, found := "", false
		for _, c := range r.Concerns {
			switch {
			case c.Kind == "system" && c.ID == id:
				found, via = true, ""
			case c.Kind == "offering" && uses[c.ID] && !found:
				found, via = true, c.ID
			}
		}
		if found {
			out = append(out, systemRisk{Risk: r, Status: r.EffectiveStatus(now), Above: r.AboveAppetite(settings), Via: via})
		}
	}
	slices.SortStableFunc(out, func(a, b systemRisk) int { return b.Risk.Residual.Value() - a.Risk.Residual.Value() })
	return out
}
