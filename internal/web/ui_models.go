package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"remit/internal/engine"
	"remit/internal/remit"
)

// --- providers ------------------------------------------------------------

// ProvidersPage lists providers and their offerings.
type ProvidersPage struct {
	basePage
	Providers []ProviderSummary
	Reliance  map[string]engine.Reliance
}

func (s *server) handleProvidersPage(w http.ResponseWriter, r *http.Request) error {
	out, err := s.handleProviderList(r.Context(), &providerListInput{Limit: 1 << 30, Sort: "name"})
	if err != nil {
		return err
	}
	p := &ProvidersPage{basePage: basePage{Title: "Providers", Nav: "providers"}, Providers: out.Body.Items, Reliance: map[string]engine.Reliance{}}
	s.Model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		for _, rel := range c.Estate.Concentration() {
			p.Reliance[rel.Provider] = rel
		}
	})
	return s.render(w, r, http.StatusOK, "providers", p)
}

// ProviderPage is one provider: its offerings and who relies on it.
type ProviderPage struct {
	basePage
	Provider  ProviderSummary
	Reliance  engine.Reliance
	Systems   []relyingSystem
	BuiltIn   bool
	Offerings []OfferingSummary
	// ReviewMonths is how often the provider is reviewed.
	ReviewMonths int
	CanSetReview bool
}

// relyingSystem is a system that relies on a provider or offering, and how.
type relyingSystem struct {
	ID, Name, Team string
	// Via names the offering through which it relies, when not directly.
	Via     string
	Through []string
}

func (s *server) handleProviderPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("provider")
	p := &ProviderPage{basePage: basePage{Nav: "providers"}}
	found := false
	s.Model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		e := c.Estate
		if pr, ok := e.Provider(id); ok {
			found = true
			p.Provider = ProviderSummary{ID: pr.ID, Name: pr.Name, BuiltIn: pr.BuiltIn}
			for _, eo := range e.OfferingsOf(pr) {
				o := eo.Offering
				ref := remit.OfferingRef{Provider: pr.ID, Offering: o.ID}.String()
				oi, _ := e.OfferingIndex(ref)
				p.Offerings = append(p.Offerings, OfferingSummary{Ref: ref, Name: o.Name, ServiceModel: o.ServiceModel, DependsOn: o.DependsOn, Statements: len(o.Statements), Systems: len(e.Users(oi))})
			}
		}
		for _, rel := range e.Concentration() {
			if rel.Provider == id {
				p.Reliance = rel
			}
		}
		p.Systems = relying(e, func(o *engine.Offering) bool { return o.Provider.ID == id })
	})
	if !found {
		return notFound("provider", id)
	}
	p.Title = p.Provider.Name
	p.ReviewMonths = remit.DefaultReviewMonths
	u := user(r)
	p.CanSetReview = u.May(remit.ActSignOff, "")
	if err := s.Store.Read(r.Context(), func(tx remit.Tx) error {
		set, err := remit.ReviewCadences(r.Context(), tx)
		if m, ok := set[id]; ok {
			p.ReviewMonths = m
		}
		return err
	}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "provider", p)
}

// relying lists the systems using an offering that match picks, directly
// or through the offerings it runs on (fourth parties).
func relying(e *engine.Estate, match func(o *engine.Offering) bool) []relyingSystem {
	var out []relyingSystem
	for _, sys := range e.Systems() {
		var direct, via []string
		for _, oi := range sys.Uses {
			o := e.Offering(oi)
			if match(o) {
				direct = append(direct, o.Ref)
				continue
			}
			for _, v := range o.Via {
				if match(e.Offering(v)) {
					via = append(via, o.Ref)
					break
				}
			}
		}
		switch {
		case len(direct) > 0:
			out = append(out, relyingSystem{ID: sys.System.ID, Name: sys.System.Name, Team: sys.System.Team, Through: direct})
		case len(via) > 0:
			out = append(out, relyingSystem{ID: sys.System.ID, Name: sys.System.Name, Team: sys.System.Team, Via: strings.Join(via, ", ")})
		}
	}
	slices.SortFunc(out, func(a, b relyingSystem) int { return strings.Compare(a.Name, b.Name) })
	return out
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
	Diff                     []engine.SystemDiff
	DiffAsked                bool
	Systems                  []relyingSystem
	CanEdit                  bool
}

type statementRow struct {
	remit.Statement
	Title string
}

func (s *server) handleOfferingPage(w http.ResponseWriter, r *http.Request) error {
	provider, offering := r.PathValue("provider"), r.PathValue("offering")
	ref := remit.OfferingRef{Provider: provider, Offering: offering}.String()
	p := &OfferingPage{basePage: basePage{Nav: "providers"}, ProviderID: provider, Ref: ref, CanEdit: user(r).May(remit.ActEditModel, "")}
	found := false
	s.Model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		e := c.Estate
		oi, ok := e.OfferingIndex(ref)
		if !ok {
			return
		}
		found = true
		o := e.Offering(oi)
		p.Offering, p.ProviderName, p.BuiltIn = *o.Offering, o.Provider.Name, o.Provider.BuiltIn
		titles := map[string]string{}
		for _, ctl := range e.Controls {
			titles[ctl.Ref] = ctl.Control.Title
		}
		for _, st := range o.Offering.Statements {
			p.Statements = append(p.Statements, statementRow{Statement: st, Title: titles[st.Control]})
		}
		p.Systems = relying(e, func(x *engine.Offering) bool { return x.Ref == ref })
	})
	if !found {
		return notFound("offering", ref)
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
			diff, err := s.Model.DiffVersions(r.Context(), ref, from, to)
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
	found := false
	s.Model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		e := c.Estate
		oi, ok := e.OfferingIndex(ref)
		if !ok {
			return
		}
		o := e.Offering(oi)
		p.OfferingName, p.BuiltIn = o.Offering.Name, o.Provider.BuiltIn
		found = true
		for _, ctl := range e.Controls {
			has := slices.ContainsFunc(o.Offering.Statements, func(st remit.Statement) bool { return st.Control == ctl.Ref })
			if p.New && !has {
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
	})
	if !found {
		return nil, notFound("statement of "+ref+" for control", control)
	}
	if !user(r).May(remit.ActEditModel, "") {
		return nil, fmt.Errorf("changing provider models: %w", remit.ErrForbidden)
	}
	d, err := s.document(r.Context(), remit.KindOffering, ref)
	if err != nil {
		return nil, err
	}
	// The statement shown is the stored document's, the same one whose
	// version the form quotes (the model may lag another server's change).
	var stored remit.Offering
	if err := json.Unmarshal(d.Body, &stored); err != nil {
		return nil, fmt.Errorf("offering %q: %w", ref, err)
	}
	if i := slices.IndexFunc(stored.Statements, func(st remit.Statement) bool { return st.Control == control }); i >= 0 {
		p.Form = stored.Statements[i]
	}
	p.Version = d.Version
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
	u := user(r)
	if p.BuiltIn {
		_, err = s.changeAs(r.Context(), u, remit.KindOffering, p.Ref, version, func(ws *remit.Workspace) error {
			i := slices.IndexFunc(ws.Providers, func(x remit.Provider) bool { return x.ID == p.ProviderID })
			if i < 0 {
				return notFound("provider", p.ProviderID)
			}
			forkProvider(ws, i)
			pr := &ws.Providers[i]
			j := slices.IndexFunc(pr.Offerings, func(o remit.Offering) bool { return o.ID == p.OfferingID })
			if j < 0 {
				return notFound("offering", p.Ref)
			}
			return pr.Offerings[j].SetStatement(st)
		}, modelEditor)
	} else {
		_, err = s.Model.SetStatement(r.Context(), u, p.Ref, st, version, s.Now())
	}
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
	msg := fmt.Sprintf("Statement for %s saved: the systems that use %s are recomputed", st.Control, p.OfferingName)
	if remove {
		msg = fmt.Sprintf("Statement for %s removed: the service-model default applies again", st.Control)
	}
	return s.redirect(w, r, "/providers/"+url.PathEscape(p.ProviderID)+"/offerings/"+url.PathEscape(p.OfferingID), msg)
}
