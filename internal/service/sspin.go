package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"remit/internal/oscal"
	"remit/internal/remit"
)

// SSPImport is what the caller adds to a system's own SSP: the system's
// id and team when the SSP does not give them (or to change them), the
// catalogue its controls are in, and which offering each leveraged
// component is, by its title.
type SSPImport struct {
	ID, Team, Catalogue string
	Offerings           map[string]string
}

// SSPPlan is what importing a system's own SSP does.
type SSPPlan struct {
	System remit.System `json:"system"`
	// Action is create or update.
	Action string `json:"action"`
	// Offerings says, per leveraged component, which offering it is and
	// how that was decided (named by the SSP, given, matched by name, or
	// relied on only through another offering: left to the engine).
	Offerings []SSPOffering `json:"offerings"`
	// Tracked counts the obligations of ours whose tracking the SSP sets,
	// by status; Untracked those it says nothing of.
	Tracked   map[remit.ObligationStatus]int `json:"tracked"`
	Untracked int                            `json:"untracked"`
	Notes     []string                       `json:"notes,omitempty"`
	Version   int64                          `json:"version"`
}

// SSPOffering is one leveraged component of the SSP.
type SSPOffering struct {
	Component string `json:"component"`
	Offering  string `json:"offering"`
	How       string `json:"how"`
}

// ImportSystemSSP makes a system of the estate from its own OSCAL SSP
// (oscal.ReadLeveraging): its baseline from the implemented requirements,
// its offerings from the leveraged components, and the tracking of its
// obligations from what its own components say of each control
// (doc/oscal.md#a-systems-own-ssp-in). version is the system's stored
// version (0 to create it). Every problem is named; nothing is written
// unless all is well, and then in one transaction.
func (s *Service) ImportSystemSSP(ctx context.Context, p remit.Principal, l *oscal.Leveraging, in SSPImport, version int64, dryRun bool) (SSPPlan, error) {
	if err := mayEditSystems(p); err != nil {
		return SSPPlan{}, err
	}
	sn := s.Snapshot()
	e := sn.Estate()
	sys := remit.System{ID: cmp.Or(in.ID, l.ID), Name: l.Name, Owner: l.Owner, Team: cmp.Or(in.Team, l.Team), Classification: l.Classification}
	plan := SSPPlan{Action: "create", Tracked: map[remit.ObligationStatus]int{}}
	if _, _, ok := sn.System(sys.ID); ok {
		plan.Action = "update"
		if cur, ok := sn.Version(KindSystem, sys.ID); ok && version != 0 && cur != version {
			return SSPPlan{}, stale("system", sys.ID, cur, version)
		}
	}
	if err := mayEditTeam(p, sys.ID, sys.Team); err != nil {
		return SSPPlan{}, err
	}
	var ps []remit.Problem
	cat := cmp.Or(in.Catalogue, l.Catalogue)
	ids := map[string]string{}
	switch {
	case cat == "":
		ps = append(ps, remit.Problem{Pointer: "/catalogue", Message: fmt.Sprintf("the SSP does not say which catalogue its controls are in: name it, one of %s", strings.Join(e.CatalogueIDs(), ", "))})
	case !e.HasCatalogue(cat):
		ps = append(ps, remit.Problem{Pointer: "/catalogue", Message: fmt.Sprintf("catalogue %q is not in the estate: use one of %s%s", cat, strings.Join(e.CatalogueIDs(), ", "), remit.Suggest(cat, e.CatalogueIDs()))})
	default:
		for _, id := range e.ControlIDs(cat) {
			ids[strings.ToLower(id)] = id
		}
	}
	known := func(what, id string, i int) (string, bool) {
		if got, ok := ids[strings.ToLower(id)]; ok {
			return got, true
		}
		if len(ids) > 0 {
			ps = append(ps, remit.Problem{Pointer: fmt.Sprintf("/%s/%d", what, i), Message: fmt.Sprintf("control %q is not in catalogue %s%s", id, cat, remit.Suggest(id, e.ControlIDs(cat)))})
		}
		return id, false
	}
	sys.Baseline = remit.Baseline{Catalogue: cat, All: l.All}
	for i, c := range l.Controls {
		if id, ok := known("implemented-requirements", c, i); ok && !l.All {
			sys.Baseline.Controls = append(sys.Baseline.Controls, id)
		}
	}
	for i, x := range l.NotApplicable {
		if id, ok := known("not-applicable", x.Control, i); ok {
			sys.Baseline.NotApplicable = append(sys.Baseline.NotApplicable, remit.Exclusion{Control: id, Reason: x.Reason})
		}
	}
	// Offerings: named by the SSP, given by title, or the estate's offering
	// of that name.
	byName := map[string][]string{}
	var names []string
	for _, ref := range e.OfferingRefs() {
		if info, ok := sn.Offering(ref); ok {
			n := strings.ToLower(info.Offering.Name)
			byName[n] = append(byName[n], ref)
			names = append(names, info.Offering.Name)
		}
	}
	for _, c := range l.Leveraged {
		o := SSPOffering{Component: c.Title}
		switch ref, given := in.Offerings[c.Title]; {
		case given:
			o.Offering, o.How = ref, "given"
		case c.Offering != "":
			o.Offering, o.How = c.Offering, "named by the SSP"
		case len(byName[strings.ToLower(c.Title)]) == 1:
			o.Offering, o.How = byName[strings.ToLower(c.Title)][0], "matched by name"
		default:
			ps = append(ps, remit.Problem{Pointer: "/offerings/" + c.Title, Message: fmt.Sprintf("%s: component %q (%s) is not an offering of the estate: say which it is (--offering \"%s=PROVIDER/OFFERING\", the API's offering parameter)%s", c.Path, c.Title, c.Type, c.Title, remit.Suggest(c.Title, names))})
			continue
		}
		if !e.HasOffering(o.Offering) {
			ps = append(ps, remit.Problem{Pointer: "/offerings/" + c.Title, Message: fmt.Sprintf("%s: component %q is offering %q, which is not in the estate%s", c.Path, c.Title, o.Offering, remit.Suggest(o.Offering, e.OfferingRefs()))})
			continue
		}
		if !c.Direct && !given(in.Offerings, c.Title) {
			o.How = "relied on through another offering: the engine follows it"
		} else {
			sys.Uses = append(sys.Uses, remit.Use{Offering: o.Offering, Purpose: c.Purpose})
		}
		plan.Offerings = append(plan.Offerings, o)
	}
	for title := range in.Offerings {
		if !slices.ContainsFunc(l.Leveraged, func(c oscal.LeveragedComponent) bool { return c.Title == title }) {
			ps = append(ps, remit.Problem{Pointer: "/offerings/" + title, Message: fmt.Sprintf("the SSP has no leveraged component %q", title)})
		}
	}
	if len(ps) == 0 {
		ps = remit.ValidateSystem(&sys, e)
	}
	if len(ps) > 0 {
		return SSPPlan{}, owned("system", sys.ID, ps)
	}
	plan.System = sys
	// The tracking: what the system's own components say of each control,
	// on the obligations of ours the engine finds.
	c, err := sn.cache.PutSystem(&sys)
	if err != nil {
		return SSPPlan{}, err
	}
	ce := c.Estate
	si, _ := ce.SystemIndex(sys.ID)
	m := c.Matrix(si)
	parts := map[string][]oscal.OwnPart{}
	for id, pp := range l.Parts {
		if got, ok := ids[strings.ToLower(id)]; ok {
			parts[cat+":"+got] = pp
		}
	}
	type tracked struct {
		id string
		t  remit.Tracking
		v  int64
	}
	var writes []tracked
	for i := range m.Cells {
		cell := &m.Cells[i]
		for _, o := range ce.Ours(m, cell) {
			key := ce.Key(o)
			t, ok := trackingFrom(key, ce.Controls[o.Control].Ref, parts)
			if !ok {
				plan.Untracked++
				continue
			}
			plan.Tracked[t.Status]++
			cur, held := sn.tracking.Get(key)
			if held && cur.Tracking == t {
				continue
			}
			if !held && t == remit.DefaultTracking {
				continue
			}
			if ps := t.Validate(); len(ps) > 0 {
				return SSPPlan{}, owned("obligation", key, ps)
			}
			writes = append(writes, tracked{key, t, cur.Version})
		}
	}
	if dryRun {
		return plan, nil
	}
	ch := change{actor: p.Email, now: s.now()}
	err = s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		_, d, err := systems.find(ctx, tx, sys.ID)
		switch {
		case err == nil && version == 0:
			return nil, fmt.Errorf("system %q already exists, so version 0 (create) is stale: read it and quote its version: %w", sys.ID, remit.ErrConflict)
		case err == nil && d.Version != version:
			return nil, stale("system", sys.ID, d.Version, version)
		case err != nil && !errors.Is(err, remit.ErrNotFound):
			return nil, err
		}
		nd, err := systems.put(ctx, tx, ch, sys.ID, sys, version)
		if err != nil {
			return nil, err
		}
		plan.Version = nd.Version
		var done []remit.TrackedObligation
		for _, w := range writes {
			td, err := trackings.put(ctx, tx, ch, w.id, w.t, w.v)
			if err != nil {
				return nil, err
			}
			done = append(done, remit.TrackedObligation{ID: w.id, Tracking: w.t, Version: td.Version, UpdatedAt: td.UpdatedAt})
		}
		return func(next *Snapshot) error {
			c, err := next.cache.PutSystem(&sys)
			if err != nil {
				return err
			}
			next.withCache(c, KindSystem, sys.ID, nd.Version)
			for _, t := range done {
				next.putTracking(t)
			}
			return nil
		}, nil
	})
	if err != nil {
		return SSPPlan{}, fmt.Errorf("import the system's SSP: %w", err)
	}
	return plan, nil
}

func given(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// trackingFrom is an obligation's tracking from what the system's own
// components say of its control: the part naming the obligation (Remit's
// SSPs), else all the parts together — the least advanced status any
// states, the first owner and due date, and what they say as notes.
func trackingFrom(obligation, control string, parts map[string][]oscal.OwnPart) (remit.Tracking, bool) {
	pp := parts[control]
	for _, p := range pp {
		if p.Obligation == obligation {
			return remit.Tracking{Status: p.Status, Owner: p.Owner, Due: p.Due, Notes: p.Notes, Reason: p.Reason}, true
		}
	}
	var own []oscal.OwnPart
	for _, p := range pp {
		if p.Obligation == "" {
			own = append(own, p)
		}
	}
	if len(own) == 0 {
		return remit.Tracking{}, false
	}
	t := remit.Tracking{Status: remit.StatusImplemented}
	stated, allNA := false, true
	var notes []string
	for _, p := range own {
		if p.Stated {
			stated = true
			if p.Status != remit.StatusNotApplicable {
				allNA = false
				if slices.Index(remit.ObligationStatuses, p.Status) < slices.Index(remit.ObligationStatuses, t.Status) {
					t.Status = p.Status
				}
			} else if t.Reason == "" {
				t.Reason = p.Reason
			}
		} else {
			allNA = false
		}
		t.Owner, t.Due = cmp.Or(t.Owner, p.Owner), cmp.Or(t.Due, p.Due)
		for _, n := range []string{p.About, p.Notes} {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	switch {
	case !stated:
		t.Status = remit.StatusNotStarted
	case allNA:
		t.Status = remit.StatusNotApplicable
		t.Reason = cmp.Or(t.Reason, "not applicable, as the SSP says")
	default:
		t.Reason = ""
	}
	t.Notes = strings.Join(notes, "\n\n")
	t.Notes, t.Owner, t.Reason = clip(t.Notes, 10000), clip(t.Owner, 200), clip(t.Reason, 2000)
	return t, true
}

// clip shortens s to at most n bytes, at a character's edge, ending with
// "…" when it had to (tracking's limits are in bytes).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
