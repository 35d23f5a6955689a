package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
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

// RiskItem is a risk with what Remit derives about it today.
type RiskItem struct {
	remit.Risk
	InherentScore int              `json:"inherent_score"`
	ResidualScore int              `json:"residual_score"`
	Band          string           `json:"band" doc:"The residual score's band"`
	AboveAppetite bool             `json:"above_appetite"`
	Now           remit.RiskStatus `json:"effective_status" doc:"The status today: an expired acceptance is review-due"`
	ReviewOverdue bool             `json:"review_overdue"`
}

func riskItem(r remit.Risk, s remit.RiskSettings, now time.Time) RiskItem {
	return RiskItem{Risk: r, InherentScore: r.InherentScore(), ResidualScore: r.Residual.Value(), Band: s.Band(r.Residual.Value()),
		AboveAppetite: r.AboveAppetite(s), Now: r.EffectiveStatus(now), ReviewOverdue: r.ReviewOverdue(now)}
}

// items makes the items of some register entries.
func items(es []remit.RegisterEntry, s remit.RiskSettings, now time.Time) []RiskItem {
	out := make([]RiskItem, len(es))
	for i, e := range es {
		out[i] = riskItem(*e.Risk, s, now)
	}
	return out
}

// register lists the risks a filter keeps, in its order, with the
// register's settings.
func (s *server) register(f remit.RiskFilter) ([]remit.RegisterEntry, remit.RiskSettings) {
	list, settings := s.Service.Snapshot().RiskList()
	return remit.Register(list, settings, s.Now(), f), settings
}

// --- API ------------------------------------------------------------------

type riskListInput struct {
	Cursor   string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit    int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Status   string `query:"status" enum:"open,treating,accepted,closed,review-due"`
	Category string `query:"category"`
	Owner    string `query:"owner"`
	Above    bool   `query:"above_appetite" doc:"Only risks whose residual score is above their category's appetite"`
	Sort     string `query:"sort" enum:"residual,inherent,title,review" default:"residual"`
}

func (s *server) handleRiskList(ctx context.Context, in *riskListInput) (*listOutput[RiskItem], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	entries, settings := s.register(remit.RiskFilter{Status: in.Status, Category: in.Category, Owner: in.Owner, Above: in.Above, Sort: in.Sort})
	window, next, err := paginate(entries, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listOutput[RiskItem]{}
	out.Body.Items, out.Body.NextCursor = items(window, settings, s.Now()), next
	return out, nil
}

type riskCreateInput struct{ Body remit.Risk }

type riskOutput struct {
	ETag string `header:"ETag"`
	Body RiskItem
}

func (s *server) riskOut(ctx context.Context, id string) (*riskOutput, error) {
	r, v, err := s.Service.Risk(ctx, id)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	_, settings := s.Service.Snapshot().Risks()
	return &riskOutput{ETag: etag(v), Body: riskItem(r, settings, s.Now())}, nil
}

func (s *server) handleRiskCreate(ctx context.Context, in *riskCreateInput) (*riskOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Service.AddRisk(ctx, p, in.Body)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return s.riskOut(ctx, r.ID)
}

type riskInput struct {
	ID string `path:"id"`
}

func (s *server) handleRiskGet(ctx context.Context, in *riskInput) (*riskOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	return s.riskOut(ctx, in.ID)
}

type riskPutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
	Body    remit.Risk
}

func (s *server) handleRiskPut(ctx context.Context, in *riskPutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	in.Body.ID = in.ID
	v, err := s.Service.UpdateRisk(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type riskAcceptInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Rationale string `json:"rationale" maxLength:"10000"`
		Until     string `json:"until" doc:"YYYY-MM-DD: the acceptance returns for review that day"`
		// AboveAppetite must be true to accept a risk above its
		// category's appetite.
		AboveAppetite bool `json:"above_appetite,omitempty" required:"false" doc:"Set to accept a risk whose residual score is above its category's appetite, knowing it is"`
	}
}

func (s *server) handleRiskAccept(ctx context.Context, in *riskAcceptInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.AcceptRisk(ctx, p, in.ID, in.Body.Rationale, in.Body.Until, in.Body.AboveAppetite, version)
	return s.etagOf(ctx, v, err)
}

type riskSettingsOutput struct {
	ETag string `header:"ETag"`
	Body remit.RiskSettings
}

func (s *server) handleRiskSettingsGet(ctx context.Context, _ *struct{}) (*riskSettingsOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	_, settings := s.Service.Snapshot().Risks()
	v, err := s.Service.RiskSettingsVersion(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &riskSettingsOutput{ETag: etag(v), Body: settings}, nil
}

type riskSettingsPutInput struct {
	IfMatch string `header:"If-Match" doc:"The ETag the settings were read with (\"0\" while the defaults apply)"`
	Body    remit.RiskSettings
}

func (s *server) handleRiskSettingsPut(ctx context.Context, in *riskSettingsPutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.SetRiskSettings(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

// --- pages ----------------------------------------------------------------

// RisksPage is the register with its heatmaps.
type RisksPage struct {
	basePage
	Items                    []RiskItem
	Total                    int
	Pager                    pageLinks
	Settings                 remit.RiskSettings
	Status, Category, Sort   string
	Above                    bool
	Statuses                 []string
	Categories               []string
	Heatmap, InherentHeatmap template.HTML
	Cells                    []heatCell
	CanRecord                bool
	Query                    url.Values
	// AcceptedAbove lists the risks accepted above their appetite (the
	// decisions admins are to see).
	AcceptedAbove []*remit.Risk
}

// heatCell is one square of the heatmap, for its table.
type heatCell struct {
	Likelihood, Impact string
	Score              int
	Residual, Inherent int
}

func (s *server) risksPage(r *http.Request) (*RisksPage, error) {
	q := filterValues(r.URL.Query(), "status", "category", "above", "sort", "page")
	p := &RisksPage{basePage: basePage{Title: "Risks", Nav: "risks"}, Status: q.Get("status"), Category: q.Get("category"), Sort: q.Get("sort"), Above: q.Get("above") == "yes",
		Statuses: []string{"open", "treating", "accepted", "review-due", "closed"}, CanRecord: user(r).May(remit.ActEditRisk, ""), Query: q}
	entries, settings := s.register(remit.RiskFilter{Status: p.Status, Category: p.Category, Above: p.Above, Sort: p.Sort})
	p.Settings, p.Categories = settings, settings.Categories()
	all, _ := s.Service.Snapshot().Risks()
	for _, x := range all {
		if x.Status == remit.RiskAccepted && x.Acceptance != nil && x.Acceptance.AboveAppetite {
			p.AcceptedAbove = append(p.AcceptedAbove, x)
		}
	}
	p.Total = len(entries)
	var from, to int
	p.Pager, from, to = newPager(q, len(entries))
	p.Items = items(entries[from:to], settings, s.Now())
	// Heatmaps over every risk the filter keeps.
	nl, ni := len(settings.Scale.Likelihood), len(settings.Scale.Impact)
	residual, inherent := make([][]int, nl+1), make([][]int, nl+1)
	for i := range residual {
		residual[i], inherent[i] = make([]int, ni+1), make([]int, ni+1)
	}
	for _, e := range entries {
		it := e.Risk
		if l, i := it.Residual.Likelihood, it.Residual.Impact; l > 0 && i > 0 && l <= nl && i <= ni {
			residual[l][i]++
		}
		ii := max(it.Confidentiality, it.Integrity, it.Availability, it.Inherent.Impact)
		if l := it.Inherent.Likelihood; l > 0 && ii > 0 && l <= nl && ii <= ni {
			inherent[l][ii]++
		}
	}
	for l := nl; l >= 1; l-- {
		for i := 1; i <= ni; i++ {
			if residual[l][i]+inherent[l][i] > 0 {
				p.Cells = append(p.Cells, heatCell{Likelihood: settings.Scale.Likelihood[l-1], Impact: settings.Scale.Impact[i-1], Score: l * i, Residual: residual[l][i], Inherent: inherent[l][i]})
			}
		}
	}
	p.Heatmap = heatmap("Residual risk", settings, residual)
	p.InherentHeatmap = heatmap("Inherent risk", settings, inherent)
	return p, nil
}

// heatmap draws a likelihood × impact grid, each square coloured by its
// band and labelled with how many risks sit there. Its text is escaped
// here.
func heatmap(title string, s remit.RiskSettings, counts [][]int) template.HTML {
	const cell, left, top = 56, 130, 30
	nl, ni := len(s.Scale.Likelihood), len(s.Scale.Impact)
	w, h := left+ni*cell+10, top+nl*cell+70
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="remit-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true" focusable="false"><title>%s</title>`, w, h, w, h, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="18" font-weight="bold">%s</text>`, html.EscapeString(title))
	colour := map[string]string{"low": "#cce2d8", "medium": "#fff7bf", "high": "#fcd6c3", "very high": "#f4cdc6"}
	for l := nl; l >= 1; l-- {
		y := top + (nl-l)*cell
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+cell/2+5, html.EscapeString(s.Scale.Likelihood[l-1]))
		for i := 1; i <= ni; i++ {
			x := left + (i-1)*cell
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff"></rect>`, x, y, cell, cell, colour[s.Band(l*i)])
			if n := counts[l][i]; n > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%d</text>`, x+cell/2, y+cell/2+5, n)
			}
		}
	}
	for i := 1; i <= ni; i++ {
		x := left + (i-1)*cell + cell/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" transform="rotate(-35 %d %d)">%s</text>`, x, top+nl*cell+16, x, top+nl*cell+16, html.EscapeString(s.Scale.Impact[i-1]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// RiskFormPage records or changes a risk.
type RiskFormPage struct {
	basePage
	New        bool
	Item       RiskItem
	Form       remit.Risk
	Version    int64
	Settings   remit.RiskSettings
	Categories []string
	Treatments []string
	Statuses   []remit.RiskStatus
	Concerns   string // kind:id per line
	Counters   string
	CanAccept  bool
	CanEdit    bool
	// CanApprove says the person may approve or decline an acceptance
	// waiting for a second risk owner.
	CanApprove bool
	// ConcernRefs and CounterRefs are what it concerns and what reduces
	// it, in words with links; Timeline its history, newest first.
	ConcernRefs, CounterRefs []namedRef
	Timeline                 []timelineEntry
	// Choices are what a risk may concern, as kind:id with its name, and
	// CounterChoices the obligations that may reduce it, for the pickers.
	Choices, CounterChoices []option
	Accept                  struct {
		Rationale, Until string
		AboveAppetite    bool
	}
}

func (s *server) riskForm(r *http.Request, isNew bool) (*RiskFormPage, error) {
	_, settings := s.Service.Snapshot().Risks()
	u := user(r)
	p := &RiskFormPage{basePage: basePage{Title: "Record a risk", Nav: "risks"}, New: isNew, Settings: settings, Categories: settings.Categories(), Treatments: remit.Treatments,
		Statuses: remit.RiskStatuses, CanEdit: u.May(remit.ActEditRisk, "")}
	if p.CanEdit {
		sn := s.Service.Snapshot()
		p.Choices = refChoices(sn, u, true)
		p.CounterChoices = obligationChoices(sn, u, "obligation:")
	}
	if isNew {
		if !p.CanEdit {
			return nil, fmt.Errorf("a viewer may read risks but not record them: %w", remit.ErrForbidden)
		}
		p.Form = remit.Risk{Status: remit.RiskOpen, Category: "information-security", Treatment: "reduce"}
		return p, s.prefill(r, p)
	}
	risk, version, err := s.Service.Risk(r.Context(), r.PathValue("id"))
	p.Version = version
	if err != nil {
		return nil, err
	}
	p.Item, p.Form, p.Title = riskItem(risk, settings, s.Now()), risk, risk.Title
	p.Concerns, p.Counters = refsText(risk.Concerns), refsText(risk.Countermeasures)
	sn := s.Service.Snapshot()
	for _, ref := range risk.Concerns {
		p.ConcernRefs = append(p.ConcernRefs, nameRef(sn, ref))
	}
	for _, ref := range risk.Countermeasures {
		p.CounterRefs = append(p.CounterRefs, nameRef(sn, ref))
	}
	recs, err := s.Service.Audit(r.Context(), remit.AuditFilter{Kind: service.KindRisk, ID: risk.ID, Newest: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		p.Timeline = append(p.Timeline, timelineOf(rec))
	}
	p.CanAccept = u.May(remit.ActAcceptRisk, "") && !risk.LegalBreach && risk.Status != remit.RiskClosed
	if a := risk.Acceptance; a != nil && a.AwaitingApproval {
		p.CanAccept = false
		p.CanApprove = u.May(remit.ActAcceptRisk, "") && !strings.EqualFold(a.By, u.Email)
	}
	p.Accept.Until = s.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
	return p, nil
}

func refsText(refs []remit.Ref) string {
	var b strings.Builder
	for _, r := range refs {
		b.WriteString(r.Kind + ":" + r.ID + "\n")
	}
	return b.String()
}

func parseRefs(text string) []remit.Ref {
	var out []remit.Ref
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		kind, id, _ := strings.Cut(line, ":")
		out = append(out, remit.Ref{Kind: strings.TrimSpace(kind), ID: strings.TrimSpace(id)})
	}
	return out
}

// riskFromForm reads the risk form; numbers that do not parse are -1, for
// validation to name.
func riskFromForm(r *http.Request) (remit.Risk, string, string) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	n := func(k string) int {
		if v(k) == "" {
			return 0
		}
		i, err := strconv.Atoi(v(k))
		if err != nil {
			return -1
		}
		return i
	}
	risk := remit.Risk{Title: v("title"), Description: v("description"), Threat: v("threat"), Vulnerability: v("vulnerability"), Category: v("category"),
		Confidentiality: n("confidentiality"), Integrity: n("integrity"), Availability: n("availability"),
		Inherent: remit.Score{Likelihood: n("inherent_likelihood"), Impact: n("inherent_impact")}, Residual: remit.Score{Likelihood: n("residual_likelihood"), Impact: n("residual_impact")},
		Target: n("target"), Treatment: v("treatment"), Owner: v("owner"), Review: v("review"), Status: remit.RiskStatus(v("status")), LegalBreach: v("legal_breach") == "yes", Proposal: v("proposal")}
	concerns, counters := r.PostFormValue("concerns"), r.PostFormValue("countermeasures")
	// What was picked from the lists joins what was typed.
	concerns, counters = withPick(concerns, v("concern_pick")), withPick(counters, v("counter_pick"))
	risk.Concerns, risk.Countermeasures = parseRefs(concerns), parseRefs(counters)
	return risk, concerns, counters
}

func riskErrors(err error, into *[]fieldError) bool {
	var ve *remit.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, pr := range ve.Problems {
		field := strings.TrimPrefix(pr.Pointer, "/")
		switch {
		case strings.HasPrefix(field, "concerns"):
			field = "concerns"
		case strings.HasPrefix(field, "countermeasures"):
			field = "countermeasures"
		default:
			field = strings.ReplaceAll(field, "/", "_")
		}
		*into = append(*into, fieldError{field, sentence(pr.Message)})
	}
	return true
}

func (s *server) handleRiskPost(w http.ResponseWriter, r *http.Request) error {
	isNew := r.PathValue("id") == ""
	p, err := s.riskForm(r, isNew)
	if err != nil {
		return err
	}
	risk, concerns, counters := riskFromForm(r)
	p.Form, p.Concerns, p.Counters = risk, concerns, counters
	if isNew {
		added, err := s.Service.AddRisk(r.Context(), user(r), risk)
		if riskErrors(err, &p.Errors) {
			return s.render(w, r, http.StatusUnprocessableEntity, "risk", p)
		}
		if err != nil {
			return err
		}
		return s.redirect(w, r, "/risks/"+url.PathEscape(added.ID), "Risk recorded: "+added.Title)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	risk.ID = p.Item.ID
	_, err = s.Service.UpdateRisk(r.Context(), user(r), risk, version)
	if riskErrors(err, &p.Errors) {
		return s.render(w, r, http.StatusUnprocessableEntity, "risk", p)
	}
	if err != nil {
		return err
	}
	if saved, _, err := s.Service.Risk(r.Context(), risk.ID); err == nil && p.Item.Status == remit.RiskAccepted && saved.Status == remit.RiskTreating {
		return s.redirect(w, r, "/risks/"+url.PathEscape(risk.ID), "Risk saved. What its risk owner accepted has changed, so it is back to treating until they accept it again")
	}
	return s.redirect(w, r, "/risks/"+url.PathEscape(risk.ID), "Risk saved")
}

func (s *server) handleRiskAcceptPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.riskForm(r, false)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	p.Accept.Rationale, p.Accept.Until = strings.TrimSpace(r.PostFormValue("rationale")), strings.TrimSpace(r.PostFormValue("until"))
	p.Accept.AboveAppetite = r.PostFormValue("above_appetite") == "yes"
	_, err = s.Service.AcceptRisk(r.Context(), user(r), p.Item.ID, p.Accept.Rationale, p.Accept.Until, p.Accept.AboveAppetite, version)
	if riskErrors(err, &p.Errors) {
		return s.render(w, r, http.StatusUnprocessableEntity, "risk", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/risks/"+url.PathEscape(p.Item.ID), "Risk accepted until "+p.Accept.Until)
}

// namedRef is something a risk refers to, in words, with its page.
type namedRef struct {
	Kind, Label, Href string
}

// nameRef names what a risk refers to from the snapshot: a system, an
// offering or a provider by name, a control by its title, an obligation by
// its control's title and its system; the reference itself when it is
// not (or no longer) there.
func nameRef(sn *service.Snapshot, ref remit.Ref) namedRef {
	n := namedRef{Kind: ref.Kind, Label: ref.ID}
	switch ref.Kind {
	case "system":
		n.Href = "/systems/" + url.PathEscape(ref.ID)
		if sys, _, ok := sn.System(ref.ID); ok {
			n.Label = sys.Name
		}
	case "provider":
		n.Href = "/providers/" + url.PathEscape(ref.ID)
		if pr, ok := sn.Provider(ref.ID); ok {
			n.Label = pr.Name
		}
	case "offering":
		n.Href = searchURL(service.SearchResult{Kind: "offering", ID: ref.ID})
		if o, ok := sn.Offering(ref.ID); ok && o.Offering != nil {
			n.Label = o.Offering.Name + " (" + o.ProviderName + ")"
		}
	case "control":
		n.Href = searchURL(service.SearchResult{Kind: "control", ID: ref.ID})
		if c, ok := sn.Control(ref.ID); ok {
			n.Label = c.Control.Title + " (" + ref.ID + ")"
		}
	case "obligation":
		n.Href = obligationURL(ref.ID)
		if o, ok := sn.Obligation(ref.ID); ok {
			n.Label = o.Title
			if sys, _, ok := sn.System(o.System); ok {
				n.Label += " in " + sys.Name
			}
		}
	case "finding":
		n.Href = "/findings/" + url.PathEscape(ref.ID)
	}
	return n
}

// timelineEntry is one change to a risk, as the MOJ timeline shows it.
type timelineEntry struct {
	Title, By string
	At        time.Time
	Lines     []string
}

// timelineOf says what one audit record did to a risk.
func timelineOf(rec remit.AuditRecord) timelineEntry {
	e := timelineEntry{By: rec.Actor, At: rec.At}
	switch {
	case rec.Action == "create":
		e.Title = "Recorded"
	case rec.Action == "delete":
		e.Title = "Removed"
	default:
		e.Title = "Changed"
		var before, after remit.Risk
		_ = json.Unmarshal(rec.Before, &before)
		_ = json.Unmarshal(rec.After, &after)
		switch {
		case before.Acceptance != nil && before.Acceptance.AwaitingApproval && after.Acceptance != nil && after.Acceptance.ApprovedBy != "":
			e.Title = "Acceptance approved by a second risk owner"
		case before.Acceptance != nil && before.Acceptance.AwaitingApproval && after.Acceptance == nil:
			e.Title = "Acceptance declined by a second risk owner"
		case after.Acceptance != nil && after.Acceptance.AwaitingApproval:
			e.Title = "Accepted above appetite, waiting for a second risk owner"
			e.Lines = append(e.Lines, "until "+after.Acceptance.Until+": "+after.Acceptance.Rationale)
		case after.Acceptance != nil && (before.Acceptance == nil || !before.Acceptance.At.Equal(after.Acceptance.At)):
			e.Title = "Accepted"
			e.Lines = append(e.Lines, "until "+after.Acceptance.Until+": "+after.Acceptance.Rationale)
		case before.Acceptance != nil && after.Acceptance == nil:
			e.Title = "Returned to treating: what was accepted changed"
		}
		for _, l := range changes(rec.Before, rec.After) {
			// The acceptance is said above; the score history is the table.
			if !strings.HasPrefix(l, "acceptance:") && !strings.HasPrefix(l, "history:") {
				e.Lines = append(e.Lines, l)
			}
		}
	}
	return e
}

// maxChoices bounds a picker's list: past it, people type (the hint says
// how).
const maxChoices = 3000

// refChoices lists what evidence may support or a risk concern, for a
// picker (an <input list>, which filters as one types and needs no
// script): every offering, the systems of p's teams (every system for
// someone in no team, when there are not too many), and every control.
// prefixed gives values as kind:id (a risk's form), else the bare id (the
// evidence form, whose kind is chosen beside it).
func refChoices(sn *service.Snapshot, p remit.Principal, prefixed bool) []option {
	val := func(kind, id string) string {
		if prefixed {
			return kind + ":" + id
		}
		return id
	}
	var out []option
	for o := range sn.Offerings() {
		if o.Offering != nil {
			out = append(out, option{val("offering", o.Ref), "Offering: " + o.Offering.Name + " (" + o.ProviderName + ")"})
		}
	}
	if len(p.Teams) > 0 || sn.NumSystems() <= maxChoices/3 {
		for sys := range sn.Systems() {
			if len(p.Teams) == 0 || slices.Contains(p.Teams, sys.Team) {
				out = append(out, option{val("system", sys.ID), "System: " + sys.Name})
			}
		}
	}
	for c := range sn.Controls() {
		if len(out) >= maxChoices {
			break
		}
		out = append(out, option{val("control", c.Ref), "Control: " + c.Control.Title})
	}
	return out[:min(len(out), maxChoices)]
}

// handleRiskApproval is a second risk owner approving or declining an
// acceptance above appetite.
func (s *server) handleRiskApproval(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	approve := r.PostFormValue("decision") == "approve"
	if !approve && r.PostFormValue("decision") != "decline" {
		return badForm("choose whether to approve or decline the acceptance")
	}
	if _, err := s.Service.DecideAcceptance(r.Context(), user(r), id, approve, version); err != nil {
		var ve *remit.ValidationError
		if errors.As(err, &ve) {
			return badForm(sentence(ve.Problems[0].Message))
		}
		return err
	}
	msg := "Acceptance approved: the risk is accepted"
	if !approve {
		msg = "Acceptance declined: the risk stays treating"
	}
	return s.redirect(w, r, "/risks/"+url.PathEscape(id), msg)
}

// withPick adds a line picked from a list to lines typed, unless it is
// there already.
func withPick(lines, pick string) string {
	if pick == "" || slices.Contains(strings.Fields(lines), pick) {
		return lines
	}
	lines = strings.TrimRight(lines, "\r\n")
	if lines != "" {
		lines += "\n"
	}
	return lines + pick + "\n"
}

// obligationChoices lists our obligations for a picker, each as prefix
// and its id, named by its control's title and its system: those of p's
// teams' systems, or of every system for someone in no team, up to
// maxChoices.
func obligationChoices(sn *service.Snapshot, p remit.Principal, prefix string) []option {
	var out []option
	pick := func(x *remit.System) bool { return len(p.Teams) == 0 || slices.Contains(p.Teams, x.Team) }
	// A stream, system by system: it stops at the cap however large the
	// estate.
	for o := range sn.SortedObligations(pick, report.PartyOurs, nil, service.SortByID) {
		if len(out) >= maxChoices {
			break
		}
		name := o.System
		if sys, _, ok := sn.System(o.System); ok {
			name = sys.Name
		}
		label := o.Control + " " + o.Title + " in " + name
		if o.Offering != "" {
			label += ", with " + offeringWords(sn, o.Offering)
		}
		out = append(out, option{prefix + o.ID, label})
	}
	return out
}
