package service

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
)

// WorkSoon is how far ahead "my work" looks: evidence expiring, reviews
// and acceptances coming due within this many days are listed.
const WorkSoon = 30

// MyWork is what falls to one person today: the landing page for everyone
// who does more than read.
type MyWork struct {
	// Mine counts the obligations named as the person's own; Teams those
	// named for one of their teams, or naming no one in a system one of
	// their teams owns (the team answers for them). Both by status.
	Mine  WorkCounts `json:"mine"`
	Teams WorkCounts `json:"teams"`
	// Obligations lists the open ones of both, overdue first, then by due
	// day (none last), then by id: the first of them when a limit is
	// asked for; Open counts them all.
	Obligations []WorkObligation `json:"obligations"`
	Open        int              `json:"open"`
	// Systems counts the open ones by system, most overdue first.
	Systems []WorkSystem `json:"systems"`
	// Evidence lists evidence the person added, or that supports a system
	// of their teams, that expires within WorkSoon days or expired within
	// the last WorkSoon.
	Evidence []remit.Evidence `json:"evidence"`
	// Findings lists open findings owned by the person or one of their
	// teams, overdue first.
	Findings []remit.Finding `json:"findings"`
	// Decisions lists risks the person owns that wait for them: to be
	// accepted (treatment accept, not yet accepted), or whose acceptance
	// has lapsed. Reviews lists risks they own whose review, or whose
	// acceptance, falls due within WorkSoon days or is past.
	Decisions []*remit.Risk `json:"decisions"`
	Reviews   []*remit.Risk `json:"reviews"`
	// SignOff lists assessments in progress (supplier assessments and
	// SATs) for assessors: the person's own first.
	SignOff []WorkAssessment `json:"sign_off"`
	// Submissions lists suppliers' answers waiting for an assessor.
	Submissions []WorkSubmission `json:"submissions"`
	// Suppliers lists, for assessors, the suppliers some system relies on
	// whose next assessment is due within WorkSoon days or past.
	Suppliers []SupplierDue `json:"suppliers"`
	// Total is how many items the page holds, for "nothing to do".
	Total int `json:"total"`
}

// WorkCounts counts obligations by status, with how many are open past
// their due day.
type WorkCounts struct {
	ByStatus [4]int `json:"by_status" doc:"not started, in progress, implemented, not applicable"`
	Open     int    `json:"open"`
	Overdue  int    `json:"overdue"`
	Total    int    `json:"total"`
}

// WorkObligation is one open obligation on someone's list.
type WorkObligation struct {
	ID         string `json:"id"`
	System     string `json:"system"`
	SystemName string `json:"system_name"`
	Control    string `json:"control"`
	Title      string `json:"title"`
	Offering   string `json:"offering,omitempty"`
	// OfferingName is the offering's name, with its provider's.
	OfferingName string         `json:"offering_name,omitempty"`
	Tracking     remit.Tracking `json:"tracking"`
	Version      int64          `json:"version"`
	// Mine says it is named as the person's own (else their team's).
	Mine    bool `json:"mine"`
	Overdue bool `json:"overdue"`
}

// WorkSystem counts the open obligations of one system on someone's list.
type WorkSystem struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Open    int    `json:"open"`
	Overdue int    `json:"overdue"`
}

// WorkSubmission is a supplier's answers waiting for an assessor, with
// the offering's name.
type WorkSubmission struct {
	remit.PortalLink
	OfferingName string `json:"offering_name"`
}

// WorkAssessment is an assessment in progress.
type WorkAssessment struct {
	ID      string `json:"id"`
	Kind    string `json:"kind" doc:"supplier assessment or SAT"`
	Subject string `json:"subject"`
	Started string `json:"started"`
	By      string `json:"by"`
	// Mine says the person started it.
	Mine bool `json:"mine"`
}

// MyWork gathers what falls to p on day now, describing the first limit
// open obligations (all when limit is 0). Obligations are read from the
// systems of p's teams and from the trackings naming p, so it costs what
// is p's, not the size of the estate.
func (s *Service) MyWork(ctx context.Context, sn *Snapshot, p remit.Principal, now time.Time, limit int) (MyWork, error) {
	var w MyWork
	day := now.UTC().Format(time.DateOnly)
	soon := now.UTC().AddDate(0, 0, WorkSoon).Format(time.DateOnly)
	since := now.UTC().AddDate(0, 0, -WorkSoon).Format(time.DateOnly)
	me := strings.ToLower(p.Email)
	teams := map[string]bool{}
	for _, t := range p.Teams {
		teams[t] = true
	}
	ownedBy := func(owner string) (mine, team bool) {
		o := strings.TrimSpace(owner)
		return strings.EqualFold(o, me), teams[o]
	}

	// Obligations: those in the systems of p's teams, then those named as
	// p's anywhere else. Each is held as where it is and its tracking
	// until the list is sorted; only the first limit are described.
	e := sn.cache.Estate
	type found struct {
		m       *engine.Matrix
		cell    *engine.Cell
		o       engine.Obligation
		id      string
		t       remit.Tracking
		mine    bool
		overdue bool
	}
	// Only the first limit open ones (in list order) are kept as they are
	// found, so memory stays at the limit however many there are; the
	// counts, by person and by system, cover them all.
	before := func(a, b found) int {
		return cmp.Or(trueFirst(a.overdue, b.overdue), emptyLast(a.t.Due, b.t.Due), cmp.Compare(a.id, b.id))
	}
	var open []found
	at := map[int32]int{}
	add := func(f found) {
		c := &w.Teams
		if f.mine {
			c = &w.Mine
		}
		c.Total++
		if i := slices.Index(remit.ObligationStatuses, f.t.Status); i >= 0 {
			c.ByStatus[i]++
		}
		if !f.t.Open() {
			return
		}
		c.Open++
		if f.overdue = f.t.Overdue(day); f.overdue {
			c.Overdue++
		}
		w.Open++
		j, ok := at[f.m.System]
		if !ok {
			sys := e.System(f.m.System).System
			j = len(w.Systems)
			at[f.m.System] = j
			w.Systems = append(w.Systems, WorkSystem{ID: sys.ID, Name: cmp.Or(sys.Name, sys.ID)})
		}
		w.Systems[j].Open++
		if f.overdue {
			w.Systems[j].Overdue++
		}
		if limit <= 0 {
			open = append(open, f) // sorted once, below
			return
		}
		i, _ := slices.BinarySearchFunc(open, f, before)
		if i >= limit {
			return
		}
		open = slices.Insert(open, i, f)
		if len(open) > limit {
			open = open[:limit]
		}
	}
	seen := map[string]bool{}
	if len(teams) > 0 {
		for si, sys := range e.Systems() {
			if !teams[sys.System.Team] {
				continue
			}
			m := sn.cache.Matrix(si)
			for i := range m.Cells {
				for _, o := range e.Ours(m, &m.Cells[i]) {
					id := e.Key(o)
					t := remit.DefaultTracking
					if tr, ok := sn.tracking.Get(id); ok {
						t = tr.Tracking
					}
					mine, team := ownedBy(t.Owner)
					if mine || team || strings.TrimSpace(t.Owner) == "" {
						seen[id] = true
						add(found{m: m, cell: &m.Cells[i], o: o, id: id, t: t, mine: mine})
					}
				}
			}
		}
	}
	for id, tr := range sn.tracking.All() {
		mine, team := ownedBy(tr.Tracking.Owner)
		if seen[id] || !mine && !team {
			continue
		}
		oid, err := remit.ParseObligationID(id)
		if err != nil {
			continue
		}
		m, cell, ok := sn.Cell(oid)
		if !ok { // a tracking left by an obligation that is gone
			continue
		}
		for _, o := range e.Ours(m, cell) {
			if e.Key(o) == id {
				add(found{m: m, cell: cell, o: o, id: id, t: tr.Tracking, mine: mine})
			}
		}
	}
	if limit <= 0 {
		slices.SortFunc(open, before)
	}
	for _, f := range open {
		sys := e.System(f.m.System).System
		o := sn.obligationOf(f.m, f.cell, f.o)
		w.Obligations = append(w.Obligations, WorkObligation{ID: f.id, System: sys.ID, SystemName: cmp.Or(sys.Name, sys.ID), Control: o.Control, Title: o.Title,
			Offering: o.Offering, OfferingName: sn.offeringName(o.Offering), Tracking: f.t, Version: o.Version, Mine: f.mine, Overdue: f.overdue})
	}
	slices.SortStableFunc(w.Systems, func(a, b WorkSystem) int {
		return cmp.Or(b.Overdue-a.Overdue, b.Open-a.Open, cmp.Compare(a.Name, b.Name))
	})

	// Evidence p added, or for a system of p's teams, coming to or just
	// past its end.
	teamSystem := func(id string) bool {
		sys, _, ok := sn.System(id)
		return ok && teams[sys.Team]
	}
	for _, ev := range sn.AllEvidence() {
		if ev.Expires == "" || ev.Expires > soon || ev.Expires < since {
			continue
		}
		ours := strings.EqualFold(ev.AddedBy, me)
		for _, sp := range ev.Supports {
			switch sp.On {
			case remit.SupportSystem:
				ours = ours || teamSystem(sp.Ref)
			case remit.SupportObligation:
				if oid, err := remit.ParseObligationID(sp.Ref); err == nil {
					ours = ours || teamSystem(oid.System)
				}
			}
		}
		if ours {
			w.Evidence = append(w.Evidence, ev)
		}
	}
	slices.SortFunc(w.Evidence, func(a, b remit.Evidence) int {
		return cmp.Or(cmp.Compare(a.Expires, b.Expires), cmp.Compare(a.ID, b.ID))
	})

	// Findings.
	findings, err := s.Findings(ctx)
	if err != nil {
		return MyWork{}, err
	}
	for _, f := range findings {
		if mine, team := ownedBy(f.Owner); (mine || team) && f.Status != remit.FindingClosed {
			w.Findings = append(w.Findings, f)
		}
	}
	slices.SortStableFunc(w.Findings, func(a, b remit.Finding) int {
		return cmp.Or(trueFirst(a.Overdue(now), b.Overdue(now)), emptyLast(a.Due, b.Due), cmp.Compare(a.ID, b.ID))
	})

	// Risks p owns: decisions and reviews.
	risks, _ := sn.Risks()
	for _, r := range risks {
		// An acceptance above appetite waiting for a second risk owner
		// waits for every risk owner but the one who accepted it.
		if a := r.Acceptance; a != nil && a.AwaitingApproval {
			if !strings.EqualFold(a.By, me) && p.May(remit.ActAcceptRisk, "") {
				w.Decisions = append(w.Decisions, r)
			}
			continue
		}
		if !strings.EqualFold(r.Owner, me) || r.Status == remit.RiskClosed {
			continue
		}
		st := r.StatusOn(day)
		switch {
		case st == remit.RiskReviewDue, r.Treatment == "accept" && r.Status != remit.RiskAccepted:
			w.Decisions = append(w.Decisions, r)
		case r.Review != "" && r.Review <= soon, r.Status == remit.RiskAccepted && r.Acceptance != nil && r.Acceptance.Until <= soon:
			w.Reviews = append(w.Reviews, r)
		}
	}
	due := func(r *remit.Risk) string {
		d := r.Review
		if r.Acceptance != nil && r.Status == remit.RiskAccepted && (d == "" || r.Acceptance.Until < d) {
			d = r.Acceptance.Until
		}
		return d
	}
	byDue := func(a, b *remit.Risk) int { return cmp.Or(cmp.Compare(due(a), due(b)), cmp.Compare(a.ID, b.ID)) }
	slices.SortFunc(w.Decisions, byDue)
	slices.SortFunc(w.Reviews, byDue)

	// Assessors: assessments to finish and sign off, suppliers' answers to
	// review.
	if p.Role == remit.RoleAssessor || p.Role == remit.RoleAdmin {
		for _, a := range sn.Assessments() {
			if a.Status == remit.AssessmentInProgress {
				w.SignOff = append(w.SignOff, WorkAssessment{ID: a.ID, Kind: "supplier assessment", Subject: sn.offeringName(a.Offering), Started: a.Created.UTC().Format(time.DateOnly),
					By: a.CreatedBy, Mine: strings.EqualFold(a.CreatedBy, me)})
			}
		}
		for _, a := range sn.SATs() {
			if a.Status == remit.AssessmentInProgress {
				name := a.System
				if sys, _, ok := sn.System(a.System); ok && sys.Name != "" {
					name = sys.Name
				}
				w.SignOff = append(w.SignOff, WorkAssessment{ID: a.ID, Kind: "SAT", Subject: name, Started: a.Created.UTC().Format(time.DateOnly),
					By: a.CreatedBy, Mine: strings.EqualFold(a.CreatedBy, me) || strings.EqualFold(a.Assessor, me)})
			}
		}
		slices.SortStableFunc(w.SignOff, func(a, b WorkAssessment) int {
			return cmp.Or(trueFirst(a.Mine, b.Mine), cmp.Compare(a.Started, b.Started), cmp.Compare(a.ID, b.ID))
		})
		err := s.read(ctx, func(tx remit.Tx) error {
			links, err := portalLinks.list(ctx, tx, "")
			for _, l := range links {
				if l.Status == remit.PortalSubmitted {
					l.Hash = ""
					w.Submissions = append(w.Submissions, WorkSubmission{l, sn.offeringName(l.Offering)})
				}
			}
			return err
		})
		if err != nil {
			return MyWork{}, err
		}
		slices.SortFunc(w.Submissions, func(a, b WorkSubmission) int {
			return cmp.Or(cmpTime(a.Submitted, b.Submitted), cmp.Compare(a.ID, b.ID))
		})
		if w.Suppliers, err = s.SuppliersDue(ctx, sn, now, WorkSoon); err != nil {
			return MyWork{}, err
		}
	}
	w.Total = w.Open + len(w.Evidence) + len(w.Findings) + len(w.Decisions) + len(w.Reviews) + len(w.SignOff) + len(w.Submissions) + len(w.Suppliers)
	return w, nil
}

// cmpTime orders times, nil last.
func cmpTime(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// offeringName names an offering in words: "Amazon EC2 (Amazon Web
// Services)"; the reference itself when it is not in the estate, "" for
// none.
func (sn *Snapshot) offeringName(ref string) string {
	o, ok := sn.Offering(ref)
	if ref == "" || !ok || o.Offering == nil || o.Offering.Name == "" {
		return ref
	}
	if o.ProviderName == "" {
		return o.Offering.Name
	}
	return o.Offering.Name + " (" + o.ProviderName + ")"
}
