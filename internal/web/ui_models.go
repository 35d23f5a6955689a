package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// --- providers ------------------------------------------------------------

// ProvidersPage lists providers and their offerings.
type ProvidersPage struct {
	basePage
	Providers []ProviderSummary
	Reliance  map[string]service.Reliance
}

func (s *server) handleProvidersPage(w http.ResponseWriter, r *http.Request) error {
	out, err := s.handleProviderList(r.Context(), &providerListInput{Limit: 1 << 30, Sort: "name"})
	if err != nil {
		return err
	}
	p := &ProvidersPage{basePage: basePage{Title: "Providers", Nav: "providers"}, Providers: out.Body.Items, Reliance: map[string]service.Reliance{}}
	rels, err := s.Service.Concentration(r.Context(), s.Service.Snapshot())
	if err != nil {
		return err
	}
	for _, rel := range rels {
		p.Reliance[rel.Provider] = rel
	}
	return s.render(w, r, http.StatusOK, "providers", p)
}

// ProviderPage is one provider: its offerings and who relies on it.
type ProviderPage struct {
	basePage
	Provider  ProviderSummary
	Reliance  service.Reliance
	Systems   []service.RelyingSystem
	BuiltIn   bool
	Offerings []OfferingSummary
	// ReviewMonths is how often the provider is reviewed; ReviewVersion
	// the version its form quotes.
	ReviewMonths  int
	ReviewVersion int64
	// ReviewByTier says the cadence is its tier's, none being set.
	ReviewByTier bool
	CanSetReview bool
	// Coverage counts what its offerings' contributions rest on.
	Coverage report.CoverageDoc
	// Supplier is its supplier record and tier; CanKeepRecord says the
	// person may change the record.
	Supplier      service.SupplierView
	CanKeepRecord bool
	// CanAssess says the person may start an assessment, of FirstOffering
	// by default; ClauseStatuses are the statuses its clauses have, best
	// first; StandardMissing counts the standard security aspects
	// letter's clauses its record lacks.
	CanAssess       bool
	FirstOffering   string
	ClauseStatuses  []remit.AssuranceStatus
	StandardMissing int
}

func (s *server) handleProviderPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("provider")
	p := &ProviderPage{basePage: basePage{Nav: "providers"}}
	found := false
	sn := s.Service.Snapshot()
	if pr, ok := sn.Provider(id); ok {
		found = true
		p.Provider = ProviderSummary{ID: pr.ID, Name: pr.Name, BuiltIn: pr.BuiltIn}
		for _, o := range pr.Offerings {
			os := OfferingSummary{Ref: o.Ref, Name: o.Offering.Name, ServiceModel: o.Offering.ServiceModel, DependsOn: o.Offering.DependsOn, Statements: len(o.Offering.Statements), Systems: o.Users}
			for _, d := range o.Offering.DependsOn {
				os.RunsOn = append(os.RunsOn, offeringWords(sn, d))
			}
			p.Offerings = append(p.Offerings, os)
		}
	}
	rel, err := s.Service.Concentration(r.Context(), sn)
	if err != nil {
		return err
	}
	for _, rel := range rel {
		if rel.Provider == id {
			p.Reliance = rel
		}
	}
	p.Systems = sn.Relying(func(o service.OfferingInfo) bool { return o.ProviderID == id })
	p.Coverage, _ = sn.ProviderCoverage(id)
	if !found {
		return notFound("provider", id)
	}
	p.Title = p.Provider.Name
	p.ReviewMonths = remit.DefaultReviewMonths
	u := user(r)
	p.CanSetReview = u.May(remit.ActSignOff, "")
	set, err := s.Service.ReviewCadences(r.Context())
	if err != nil {
		return err
	}
	if c, ok := set[id]; ok {
		p.ReviewMonths = c.Months
	}
	p.ReviewVersion = set[id].Version
	if p.Supplier, err = s.Service.Supplier(r.Context(), id); err != nil {
		return err
	}
	if _, ok := set[id]; !ok {
		p.ReviewMonths, p.ReviewByTier = p.Supplier.Schedule.Months, true
	}
	p.CanKeepRecord = u.May(remit.ActSignOff, "")
	p.CanAssess = u.May(remit.ActAssess, "")
	if len(p.Offerings) > 0 {
		p.FirstOffering = p.Offerings[0].Ref
	}
	p.ClauseStatuses = statusesIn(p.Supplier.ClauseCounts)
	for _, c := range s.Service.StandardClauses() {
		if _, ok := p.Supplier.Record.Clause(c.ID); !ok {
			p.StandardMissing++
		}
	}
	p.FlashAnchors = []string{"supplier", "schedule", "clauses"}
	return s.render(w, r, http.StatusOK, "provider", p)
}

// --- offerings ------------------------------------------------------------

// OfferingPage is an offering's model: statements, sources, versions, a
// diff between two versions, and the systems relying on it.
type OfferingPage struct {
	basePage
	ProviderID, ProviderName string
	Offering                 remit.Offering
	Ref                      string
	BuiltIn                  bool
	Statements               []statementRow
	Versions                 []remit.OfferingVersion
	From, To                 int
	Diff                     []service.SystemDiff
	DiffAsked                bool
	Systems                  []service.RelyingSystem
	CanEdit                  bool
	Own                      *ownFindingsView
	// Chain is what it rests on and what rests on it; LeavesShort counts
	// the obligations resting on it that its lapse leaves not assured.
	Chain       service.OfferingChain
	LeavesShort int
}

type statementRow struct {
	remit.Statement
	Title string
}

func (s *server) handleOfferingPage(w http.ResponseWriter, r *http.Request) error {
	provider, offering := r.PathValue("provider"), r.PathValue("offering")
	ref := remit.OfferingRef{Provider: provider, Offering: offering}.String()
	p := &OfferingPage{basePage: basePage{Nav: "providers"}, ProviderID: provider, Ref: ref, CanEdit: user(r).May(remit.ActEditModel, "")}
	sn := s.Service.Snapshot()
	o, found := sn.Offering(ref)
	if !found {
		return notFound("offering", ref)
	}
	p.Offering, p.ProviderName, p.BuiltIn = *o.Offering, o.ProviderName, o.ProviderBuiltIn
	for _, st := range o.Offering.Statements {
		ctl, _ := sn.Control(st.Control)
		row := statementRow{Statement: st}
		if ctl.Control != nil {
			row.Title = ctl.Control.Title
		}
		p.Statements = append(p.Statements, row)
	}
	p.Systems = sn.Relying(func(x service.OfferingInfo) bool { return x.Ref == ref })
	p.Own = ownFindings(sn, ref, s.Now())
	p.Chain = sn.OfferingChain(ref, s.Now())
	for _, l := range p.Chain.ReliedOnBy {
		p.LeavesShort += l.Short
	}
	slices.SortFunc(p.Statements, func(a, b statementRow) int { return compareControls(a.Control, b.Control) })
	p.Title = p.Offering.Name
	vs, err := s.versions(r.Context(), ref)
	if err != nil {
		return err
	}
	p.Versions = vs
	slices.Reverse(p.Versions)
	q := r.URL.Query()
	p.From, p.To = len(vs)-1, len(vs)
	if q.Has("from") || q.Has("to") {
		p.DiffAsked = true
		from, err1 := strconv.Atoi(q.Get("from"))
		to, err2 := strconv.Atoi(q.Get("to"))
		if err1 != nil || err2 != nil {
			p.Errors = append(p.Errors, fieldError{"from", "Choose two versions to compare"})
		} else {
			p.From, p.To = from, to
			diff, err := s.Service.DiffVersions(r.Context(), ref, from, to)
			switch {
			case errors.Is(err, remit.ErrNotFound):
				p.Errors = append(p.Errors, fieldError{"from", fmt.Sprintf("Choose versions between 1 and %d", len(vs))})
			case err != nil:
				return err
			}
			p.Diff = diff
		}
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "offering", p)
}

// StatementFormPage adds or changes one statement of an offering.
type StatementFormPage struct {
	basePage
	Ref, ProviderID, OfferingID, OfferingName string
	New                                       bool
	Controls                                  []option // for a new statement
	Form                                      remit.Statement
	Title                                     string
	Version                                   int64
	Classes                                   []remit.Class
	BuiltIn                                   bool
}

func (s *server) statementForm(r *http.Request) (*StatementFormPage, error) {
	provider, offering, control := r.PathValue("provider"), r.PathValue("offering"), r.PathValue("control")
	ref := remit.OfferingRef{Provider: provider, Offering: offering}.String()
	p := &StatementFormPage{basePage: basePage{Nav: "providers"}, Ref: ref, ProviderID: provider, OfferingID: offering, New: control == "new",
		Classes: []remit.Class{remit.Inherited, remit.Shared, remit.OrganisationSpecific, remit.NotApplicable}}
	sn := s.Service.Snapshot()
	o, found := sn.Offering(ref)
	if found {
		p.OfferingName, p.BuiltIn = o.Offering.Name, o.ProviderBuiltIn
		stated := make(map[string]bool, len(o.Offering.Statements))
		for _, st := range o.Offering.Statements {
			stated[st.Control] = true
		}
		for ctl := range sn.Controls() {
			if p.New && !stated[ctl.Ref] {
				p.Controls = append(p.Controls, option{ctl.Ref, ctl.Ref + " " + ctl.Control.Title})
			}
			if ctl.Ref == control {
				p.Title = ctl.Control.Title
			}
		}
		if i := slices.IndexFunc(o.Offering.Statements, func(st remit.Statement) bool { return st.Control == control }); i >= 0 {
			p.Form = o.Offering.Statements[i]
		} else if !p.New {
			found = false
		}
	}
	if !found {
		return nil, notFound("statement of "+ref+" for control", control)
	}
	if !user(r).May(remit.ActEditModel, "") {
		return nil, fmt.Errorf("changing provider models: %w", remit.ErrForbidden)
	}
	// The statement shown is the stored document's, the same one whose
	// version the form quotes (the snapshot may lag another server's change).
	stored, version, err := s.Service.Offering(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(stored.Statements, func(st remit.Statement) bool { return st.Control == control }); i >= 0 {
		p.Form = stored.Statements[i]
	}
	p.Version = version
	p.basePage.Title = "Statement for " + control
	if p.New {
		p.basePage.Title = "Add a statement"
	}
	return p, nil
}

// handleStatementPost saves or removes a statement and recomputes the
// systems that use the offering.
func (s *server) handleStatementPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.statementForm(r)
	if err != nil {
		return err
	}
	remove := r.PostFormValue("action") == "remove"
	if remove {
		what := "The offering's statement for " + p.Form.Control + " goes"
		if ok, err := s.confirmed(w, r, &ConfirmPage{basePage: basePage{Title: "Remove the statement for " + p.Form.Control + "?", Nav: "providers"}, Caption: p.OfferingName,
			Warning: what + ": the control takes the service-model default again, marked as assumed, in every system that uses " + p.OfferingName + ". The version history keeps it, and the comparison shows which systems' obligations change.",
			Action:  r.URL.Path, Button: "Remove statement", Cancel: "/providers/" + url.PathEscape(p.ProviderID) + "/offerings/" + url.PathEscape(p.OfferingID),
			Fields: []option{{"action", "remove"}, {"version", r.PostFormValue("version")}}}); !ok {
			return err
		}
	}
	st := remit.Statement{Control: p.Form.Control, Class: remit.Class(r.PostFormValue("class")), Provider: strings.TrimSpace(r.PostFormValue("provider")), Customer: strings.TrimSpace(r.PostFormValue("customer")), Source: p.Form.Source}
	if p.New {
		st.Control = r.PostFormValue("control")
		if !slices.ContainsFunc(p.Controls, func(o option) bool { return o.Value == st.Control }) {
			p.Errors = append(p.Errors, fieldError{"control", "Choose a control that has no statement yet"})
		}
	}
	if remove {
		st = remit.Statement{Control: p.Form.Control}
	} else if !slices.Contains(p.Classes, st.Class) {
		p.Errors = append(p.Errors, fieldError{"class", "Choose who runs the control"})
	}
	p.Form = st
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "statement", p)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	_, err = s.Service.SetStatement(r.Context(), user(r), p.Ref, st, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := "class"
			fields := []string{"provider", "customer"}
			if p.New {
				fields = append(fields, "control")
			}
			for _, f := range fields {
				if strings.HasSuffix(pr.Pointer, "/"+f) {
					field = f
				}
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "statement", p)
	}
	if err != nil {
		return err
	}
	what := "saved"
	if remove {
		what = "removed (the service-model default applies again)"
	}
	to := "/providers/" + url.PathEscape(p.ProviderID) + "/offerings/" + url.PathEscape(p.OfferingID)
	// Name the systems whose obligations the change moves, and land on
	// the comparison of the model before and after it.
	vs, err := s.Service.OfferingVersions(r.Context(), p.Ref)
	if err != nil || len(vs) < 2 {
		return s.redirect(w, r, to, fmt.Sprintf("Statement for %s %s", st.Control, what))
	}
	n := len(vs)
	diff, err := s.Service.DiffVersions(r.Context(), p.Ref, n-1, n)
	if err != nil {
		return err
	}
	var names []string
	for _, d := range diff {
		names = append(names, d.Name)
	}
	msg := fmt.Sprintf("Statement for %s %s. No system's obligations change", st.Control, what)
	switch {
	case len(names) == 1:
		msg = fmt.Sprintf("Statement for %s %s. The obligations of 1 system change: %s", st.Control, what, names[0])
	case len(names) > 1:
		msg = fmt.Sprintf("Statement for %s %s. The obligations of %d systems change: %s", st.Control, what, len(names), strings.Join(names, ", "))
	}
	return s.redirect(w, r, fmt.Sprintf("%s?from=%d&to=%d#diff", to, n-1, n), msg)
}

// statusesIn lists the assurance statuses counted in counts, best first.
func statusesIn(counts map[remit.AssuranceStatus]int) []remit.AssuranceStatus {
	var out []remit.AssuranceStatus
	for _, st := range remit.AssuranceStatuses {
		if counts[st] > 0 {
			out = append(out, st)
		}
	}
	return out
}
