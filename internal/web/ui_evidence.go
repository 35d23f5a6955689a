package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// EvidenceListPage is the evidence register, filtered.
type EvidenceListPage struct {
	basePage
	Items                   []EvidenceItem
	Total                   int
	Pager                   pageLinks
	Kinds                   []option
	Kind, Expiring, Expired string
	CanAdd                  bool
	// Runs are the newest automated check runs; RunsTotal counts them all.
	Runs      []CheckRunItem
	RunsTotal int
}

func (s *server) handleEvidenceListPage(w http.ResponseWriter, r *http.Request) error {
	q := filterValues(r.URL.Query(), "kind", "expiring", "expired", "page")
	p := &EvidenceListPage{basePage: basePage{Title: "Evidence", Nav: "evidence"}, Kind: q.Get("kind"), Expiring: q.Get("expiring"), Expired: q.Get("expired"), CanAdd: user(r).May(remit.ActManageEvidence, "")}
	for _, k := range remit.EvidenceKinds {
		p.Kinds = append(p.Kinds, option{string(k.Kind), k.Name})
	}
	days, _ := strconv.Atoi(p.Expiring)
	if !slices.Contains([]int{30, 60, 90}, days) {
		days, p.Expiring = 0, ""
	}
	if !remit.EvidenceKind(p.Kind).Valid() {
		p.Kind = ""
	}
	items, err := filterEvidence(s.Service.Snapshot().AllEvidence(), s.Now(), p.Kind, days, p.Expired == "yes", "")
	if err != nil {
		return err
	}
	p.Total = len(items)
	var from, to int
	p.Pager, from, to = newPager(q, len(items))
	p.Items = items[from:to]
	p.Runs, p.RunsTotal = recentRuns(s.Service.Snapshot(), 20)
	return s.render(w, r, http.StatusOK, "evidence-list", p)
}

// EvidenceFormPage adds evidence: a file or a link, what it is, and what
// it supports.
type EvidenceFormPage struct {
	basePage
	Form      remit.Evidence
	Kinds     []option
	Targets   []option
	SupportOn string
	Ref       string
	Control   string
	CUECs     string // "ID | text" lines
	CarveOuts string
	Inclusive string
	// Choices are what evidence may support, and Controls the controls
	// it may be narrowed to, for the pickers.
	Choices, Controls []option
}

var supportTargets = []option{
	{remit.SupportOffering, "An offering: what the provider does"},
	{remit.SupportSystem, "A system: what we do for it"},
	{remit.SupportObligation, "One of our obligations"},
	{remit.SupportControl, "A control, wherever it is ours"},
	{remit.SupportClause, "A supplier's clause: what its contract or security aspects letter obliges it to do"},
}

func (s *server) evidenceForm(r *http.Request) (*EvidenceFormPage, error) {
	if !user(r).May(remit.ActManageEvidence, "") {
		return nil, fmt.Errorf("evidence is added by editors, assessors and admins: %w", remit.ErrForbidden)
	}
	p := &EvidenceFormPage{basePage: basePage{Title: "Add evidence", Nav: "evidence"}, Targets: supportTargets, SupportOn: remit.SupportOffering}
	for _, k := range remit.EvidenceKinds {
		p.Kinds = append(p.Kinds, option{string(k.Kind), k.Name})
	}
	// A link from elsewhere may say what the evidence is for.
	if on, ref, ok := strings.Cut(r.URL.Query().Get("supports"), ":"); ok && slices.ContainsFunc(supportTargets, func(o option) bool { return o.Value == on }) {
		p.SupportOn, p.Ref = on, ref
	}
	p.Choices, p.Controls = refChoices(s.Service.Snapshot(), user(r), false), controlChoices(s.Service.Snapshot())
	cs, err := s.clauseChoices(r)
	for _, c := range cs {
		p.Choices = append(p.Choices, option{c.Value, "Clause: " + c.Text})
	}
	return p, err
}

// handleEvidencePost adds evidence from the form (multipart, with the
// file). Every problem is shown at once; nothing is stored until there
// are none.
func (s *server) handleEvidencePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.evidenceForm(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, remit.MaxEvidenceFile+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.Errors = append(p.Errors, fieldError{"file", "The file is larger than 20 MiB: choose a smaller file, or give a link to where the evidence is held"})
			return s.render(w, r, http.StatusRequestEntityTooLarge, "evidence-new", p)
		}
		return badForm("the form could not be read: " + err.Error())
	}
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	p.Form = remit.Evidence{Kind: remit.EvidenceKind(v("kind")), Title: v("title"), Issuer: v("issuer"), Scope: v("scope"), Issued: v("issued"), Expires: v("expires"), ExpiryReason: v("expiry_reason"), URL: v("url")}
	p.SupportOn, p.Ref, p.Control, p.CUECs, p.CarveOuts, p.Inclusive = v("support_on"), v("ref"), v("control"), r.FormValue("cuecs"), v("carve_outs"), v("inclusive")
	if p.Ref != "" {
		p.Form.Supports = []remit.Support{{On: p.SupportOn, Ref: p.Ref, Control: p.Control}}
	}
	if p.Form.Kind == remit.EvidenceSOC2Type2 && (v("period_start") != "" || v("period_end") != "" || p.CUECs != "") {
		soc := &remit.SOC2{PeriodStart: v("period_start"), PeriodEnd: v("period_end"), BridgeUntil: v("bridge_until")}
		for _, line := range strings.Split(p.CUECs, "\n") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			id, text, _ := strings.Cut(line, "|")
			soc.CUECs = append(soc.CUECs, remit.CUEC{ID: strings.TrimSpace(id), Text: strings.TrimSpace(text)})
		}
		for _, c := range strings.Split(p.CarveOuts, ",") {
			if c = strings.TrimSpace(c); c != "" {
				soc.CarveOuts = append(soc.CarveOuts, c)
			}
		}
		for _, c := range strings.Split(p.Inclusive, ",") {
			if c = strings.TrimSpace(c); c != "" {
				soc.Inclusive = append(soc.Inclusive, c)
			}
		}
		p.Form.SOC2 = soc
	}
	var name string
	var content []byte
	if f, h, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if content, err = io.ReadAll(f); err != nil {
			return badForm("the file could not be read: " + err.Error())
		}
		name = h.Filename
		if len(content) == 0 {
			content = nil // an empty file input
		}
	}
	ev, err := s.Service.AddEvidence(r.Context(), user(r), p.Form, name, content)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			p.Errors = append(p.Errors, fieldError{evidenceField(pr.Pointer), sentence(pr.Message)})
		}
		if content != nil {
			p.Errors = append(p.Errors, fieldError{"file", "Choose the file again: a browser does not keep it after a problem"})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "evidence-new", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/evidence/"+url.PathEscape(ev.ID), "Evidence "+ev.Title+" added")
}

// evidenceField maps a problem's pointer to the form field it concerns.
func evidenceField(pointer string) string {
	switch {
	case strings.HasPrefix(pointer, "/supports"):
		return "ref"
	case strings.HasPrefix(pointer, "/soc2/cuecs"):
		return "cuecs"
	case strings.HasPrefix(pointer, "/soc2/carve_outs"):
		return "carve_outs"
	case strings.HasPrefix(pointer, "/soc2/inclusive"):
		return "inclusive"
	case strings.HasPrefix(pointer, "/soc2/"):
		return strings.TrimPrefix(pointer, "/soc2/")
	case pointer == "/soc2":
		return "kind"
	case pointer == "":
		return "title"
	}
	return strings.TrimPrefix(pointer, "/")
}

// EvidencePage is one piece of evidence: what it is, its file or link,
// what it supports and, for a SOC 2 report, its CUECs and what carries
// each out.
type EvidencePage struct {
	basePage
	Item      EvidenceItem
	KindName  string
	Version   int64
	CanChange bool
	Targets   []option
	// Obligations names the obligations each CUEC maps to, by CUEC id.
	Systems []string
	// Choices are what evidence may support, and Ours the obligations a
	// CUEC may be carried out by (of the systems the evidence reaches),
	// for the pickers.
	Choices, Ours, Controls []option
	// CarveOuts and Inclusive name a SOC 2 report's carved-out and
	// included offerings, linked.
	CarveOuts, Inclusive []option
	// FourthParties are the offerings what it supports rests on, with
	// what it says of each; assessors may decide its coverage of them
	// (Drafts keeps a rationale sent back with a problem, by offering).
	FourthParties []fourthPartyRow
	CanDecide     bool
	Drafts        map[string]*coverageDraft
}

// fourthPartyRow is a fourth party on the evidence page.
type fourthPartyRow struct {
	service.FourthParty
	Field string
}

func (s *server) evidencePage(r *http.Request) (*EvidencePage, error) {
	ev, version, err := s.Service.EvidenceItem(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &EvidencePage{basePage: basePage{Title: ev.Title, Nav: "evidence"}, Item: evidenceItem(ev, s.Now()), Version: version, CanChange: user(r).May(remit.ActManageEvidence, ""), Targets: supportTargets}
	if ev.SOC2 != nil {
		for _, c := range ev.SOC2.CarveOuts {
			p.CarveOuts = append(p.CarveOuts, option{c, s.offeringName(c)})
		}
		for _, c := range ev.SOC2.Inclusive {
			p.Inclusive = append(p.Inclusive, option{c, s.offeringName(c)})
		}
	}
	for _, k := range remit.EvidenceKinds {
		if k.Kind == ev.Kind {
			p.KindName = k.Name
		}
	}
	// The systems whose obligations it reaches, for the reader's sake.
	sn := s.Service.Snapshot()
	seen := map[string]bool{}
	var reached []*remit.System
	for _, sup := range ev.Supports {
		switch sup.On {
		case remit.SupportOffering:
			for _, x := range sn.UsersOf(sup.Ref) {
				seen[x.Name] = true
				reached = append(reached, x)
			}
		case remit.SupportSystem:
			if x, _, ok := sn.System(sup.Ref); ok {
				seen[x.Name] = true
				reached = append(reached, x)
			}
		}
	}
	p.Systems = sortedKeys(seen)
	p.CanDecide = user(r).May(remit.ActSignOff, "")
	for _, f := range sn.FourthParties(&ev) {
		p.FourthParties = append(p.FourthParties, fourthPartyRow{FourthParty: f, Field: coverageField(f.Ref, "")})
	}
	if p.CanChange {
		p.Choices, p.Controls = refChoices(sn, user(r), false), controlChoices(sn)
		cs, err := s.clauseChoices(r)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			p.Choices = append(p.Choices, option{c.Value, "Clause: " + c.Text})
		}
		// A CUEC is carried out by one of our obligations in a system the
		// report reaches.
		if ev.SOC2 != nil {
			for _, x := range reached {
				for _, o := range sn.Obligations(func(sys *remit.System) bool { return sys.ID == x.ID }, report.PartyOurs, nil) {
					if len(p.Ours) < maxChoices {
						p.Ours = append(p.Ours, option{o.ID, o.Title + " in " + x.Name})
					}
				}
			}
		}
	}
	return p, nil
}

// handleEvidenceSupportPost adds a target the evidence supports, or maps
// a SOC 2 CUEC to one of our obligations.
func (s *server) handleEvidenceSupportPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.evidencePage(r)
	if err != nil {
		return err
	}
	if !p.CanChange {
		return fmt.Errorf("evidence is changed by editors, assessors and admins: %w", remit.ErrForbidden)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	ev := p.Item.Evidence
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	msg := ""
	if cuec := v("cuec"); cuec != "" {
		i := -1
		if ev.SOC2 != nil {
			i = slices.IndexFunc(ev.SOC2.CUECs, func(c remit.CUEC) bool { return c.ID == cuec })
		}
		if i < 0 {
			return badForm(fmt.Sprintf("%q is not a CUEC of this report", cuec))
		}
		ob := v("obligation")
		if _, ok := s.findObligation(ob); !ok || !strings.HasSuffix(ob, "/ours") {
			p.Errors = append(p.Errors, fieldError{"obligation-" + cuec, fmt.Sprintf("There is no obligation of ours %q: copy its id from the obligation's page", ob)})
			return s.render(w, r, http.StatusUnprocessableEntity, "evidence", p)
		}
		ev.SOC2.CUECs[i].Obligations = append(ev.SOC2.CUECs[i].Obligations, ob)
		msg = "CUEC " + cuec + " is now carried out by " + shortObligation(ob)
	} else {
		ev.Supports = append(ev.Supports, remit.Support{On: v("support_on"), Ref: v("ref"), Control: v("control")})
		msg = "Evidence now supports " + v("support_on") + " " + v("ref")
	}
	_, err = s.Service.UpdateEvidence(r.Context(), user(r), ev, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			p.Errors = append(p.Errors, fieldError{evidenceField(pr.Pointer), sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "evidence", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/evidence/"+url.PathEscape(ev.ID), msg)
}

// controlChoices lists every control for a picker: its reference, named
// by its title.
func controlChoices(sn *service.Snapshot) []option {
	var out []option
	for c := range sn.Controls() {
		if len(out) == maxChoices {
			break
		}
		out = append(out, option{c.Ref, c.Control.Title})
	}
	return out
}
