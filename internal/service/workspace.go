package service

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// Plan lists what a change adds, changes and removes, per kind.
type Plan struct {
	Changes []PlanChange `json:"changes"`
}

// PlanChange is one document a change adds, changes or removes.
type PlanChange struct {
	Kind   remit.Kind `json:"kind"`
	ID     string     `json:"id"`
	Action string     `json:"action"` // create, update, delete
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Count returns how many changes of a kind and action the plan holds.
func (p Plan) Count(kind remit.Kind, action string) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == kind && c.Action == action {
			n++
		}
	}
	return n
}

// Documents splits a workspace into the documents the store holds, keyed
// by kind and id, each body canonical JSON (the same workspace always
// gives the same bytes).
func Documents(ws *remit.Workspace) (map[remit.Kind]map[string][]byte, error) {
	docs := make(map[remit.Kind]map[string][]byte, len(WorkspaceKinds))
	for _, k := range WorkspaceKinds {
		docs[k] = map[string][]byte{}
	}
	var errs []error
	put := func(kind remit.Kind, id string, v any) {
		b, err := encode(v)
		errs = append(errs, err)
		docs[kind][id] = b
	}
	put(KindWorkspace, workspaceID, headerOf(ws))
	for _, c := range ws.Catalogues {
		put(KindCatalogue, c.ID, c)
	}
	for _, p := range ws.Providers {
		for _, o := range p.Offerings {
			put(KindOffering, remit.OfferingRef{Provider: p.ID, Offering: o.ID}.String(), o)
		}
		put(KindProvider, p.ID, providerOf(&p))
	}
	for _, s := range ws.Systems {
		put(KindSystem, s.ID, s)
	}
	for _, c := range ws.Checks {
		put(KindChecks, c.ID, c)
	}
	for _, m := range ws.Mappings {
		put(KindMappings, m.ID, m)
	}
	return docs, errors.Join(errs...)
}

func headerOf(ws *remit.Workspace) headerDoc {
	return headerDoc{ws.Name, ws.Organisation, ws.CatalogueIDs, ws.ProviderIDs, ws.MappingIDs}
}

func providerOf(p *remit.Provider) providerDoc {
	d := providerDoc{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []string{}}
	for _, o := range p.Offerings {
		d.Offerings = append(d.Offerings, o.ID)
	}
	return d
}

// exportTx reads the stored workspace, in the order a load of its
// exported files would give, with each document's version (by
// versionKey).
func exportTx(ctx context.Context, tx remit.Tx) (*remit.Workspace, map[string]int64, error) {
	versions := map[string]int64{}
	h, hd, err := headers.find(ctx, tx, workspaceID)
	if errors.Is(err, remit.ErrNotFound) {
		return nil, nil, fmt.Errorf("the store holds no workspace yet (import one first): %w", remit.ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	versions[versionKey(KindWorkspace, workspaceID)] = hd.Version
	ws := h.workspace()
	docs, err := tx.Documents(ctx, KindCatalogue, "")
	if err != nil {
		return nil, nil, err
	}
	for _, d := range docs {
		c, err := catalogues.decode(d)
		if err != nil {
			return nil, nil, err
		}
		versions[versionKey(KindCatalogue, d.ID)] = d.Version
		ws.Catalogues = append(ws.Catalogues, c)
	}
	offeringDocs, err := tx.Documents(ctx, KindOffering, "")
	if err != nil {
		return nil, nil, err
	}
	byRef := make(map[string]remit.Document, len(offeringDocs))
	for _, d := range offeringDocs {
		byRef[d.ID] = d
	}
	if docs, err = tx.Documents(ctx, KindProvider, ""); err != nil {
		return nil, nil, err
	}
	for _, d := range docs {
		ph, err := providers.decode(d)
		if err != nil {
			return nil, nil, err
		}
		versions[versionKey(KindProvider, d.ID)] = d.Version
		p := remit.Provider{ID: ph.ID, Name: ph.Name, BuiltIn: ph.BuiltIn}
		for _, id := range ph.Offerings {
			ref := remit.OfferingRef{Provider: ph.ID, Offering: id}.String()
			od, ok := byRef[ref]
			if !ok {
				return nil, nil, fmt.Errorf("provider %s lists offering %s, which is not stored", ph.ID, id)
			}
			o, err := offerings.decode(od)
			if err != nil {
				return nil, nil, err
			}
			versions[versionKey(KindOffering, ref)] = od.Version
			p.Offerings = append(p.Offerings, o)
		}
		ws.Providers = append(ws.Providers, p)
	}
	if ws.Systems, err = versioned(ctx, tx, systems, versions); err != nil {
		return nil, nil, err
	}
	if ws.Checks, err = versioned(ctx, tx, checkFiles, versions); err != nil {
		return nil, nil, err
	}
	if ws.Mappings, err = versioned(ctx, tx, mappingFiles, versions); err != nil {
		return nil, nil, err
	}
	// Built-in content first, in the order remit.yaml names it; then the
	// workspace's own, in the order of their file names.
	sortByFile(ws.Catalogues, func(c remit.Catalogue) (bool, string) { return c.BuiltIn, c.ID }, ws.CatalogueIDs)
	sortByFile(ws.Providers, func(p remit.Provider) (bool, string) { return p.BuiltIn, p.ID }, ws.ProviderIDs)
	sortByFile(ws.Systems, func(s remit.System) (bool, string) { return false, s.ID }, nil)
	sortByFile(ws.Checks, func(c remit.CheckMappings) (bool, string) { return false, c.ID }, nil)
	sortByFile(ws.Mappings, func(m remit.ControlMappings) (bool, string) { return m.BuiltIn, m.ID }, ws.MappingIDs)
	return ws, versions, nil
}

// versioned reads every document of a collection, noting each one's
// version.
func versioned[T any](ctx context.Context, tx remit.Tx, c collection[T], versions map[string]int64) ([]T, error) {
	docs, err := tx.Documents(ctx, c.kind, "")
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		v, err := c.decode(d)
		if err != nil {
			return nil, err
		}
		versions[versionKey(c.kind, d.ID)] = d.Version
		out = append(out, v)
	}
	return out, nil
}

// sortByFile orders built-in items as named, then the rest by file name.
func sortByFile[T any](items []T, key func(T) (bool, string), named []string) {
	order := func(builtIn bool, id string) int {
		if builtIn {
			return slices.Index(named, id)
		}
		return len(named)
	}
	slices.SortStableFunc(items, func(a, b T) int {
		ab, aid := key(a)
		bb, bid := key(b)
		if d := order(ab, aid) - order(bb, bid); d != 0 {
			return d
		}
		if ab {
			return 0
		}
		return strings.Compare(aid+".yaml", bid+".yaml")
	})
}

// Export reads the stored workspace back (from the store, not the
// snapshot: what an export writes is what is stored).
func (s *Service) Export(ctx context.Context) (*remit.Workspace, error) { return Export(ctx, s.store) }

// Export reads the workspace a store holds, for the CLI, which needs no
// snapshot to write it out.
func Export(ctx context.Context, st remit.Store) (*remit.Workspace, error) {
	var ws *remit.Workspace
	err := st.Read(ctx, func(tx remit.Tx) error {
		var err error
		ws, _, err = exportTx(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return ws, nil
}

// Import makes the store hold exactly ws (ImportWorkspace) and builds the
// next snapshot from it.
func (s *Service) Import(ctx context.Context, p remit.Principal, ws *remit.Workspace, dryRun bool) (Plan, error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	plan, err := ImportWorkspace(ctx, s.store, p, ws, s.now(), dryRun)
	if err != nil || dryRun || plan.Empty() {
		return plan, err
	}
	sn, err := s.load(ctx)
	if err != nil {
		return plan, err
	}
	s.snap.Store(sn)
	return plan, nil
}

// ImportWorkspace makes a store hold exactly ws (an admin's change: it
// replaces every model and system): it validates ws, works out the plan
// against what is stored and applies it in one transaction, with an audit
// record per change and a new model version for every offering whose
// statements change. With dryRun it only returns the plan. Importing what
// is already stored changes nothing. Tracking of our obligations and
// model-version history are kept. The CLI calls it without a snapshot; a
// running service's snapshot follows through Refresh.
func ImportWorkspace(ctx context.Context, st remit.Store, p remit.Principal, ws *remit.Workspace, now time.Time, dryRun bool) (Plan, error) {
	if !p.May(remit.ActAdmin, "") {
		return Plan{}, fmt.Errorf("a workspace is imported by an admin, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	if ps := remit.Validate(ws); len(ps) > 0 {
		return Plan{}, &remit.ValidationError{Problems: ps}
	}
	want, err := Documents(ws)
	if err != nil {
		return Plan{}, err
	}
	var plan Plan
	ch := change{actor: p.Email, now: now}
	run := func(tx remit.Tx) error {
		plan = Plan{}
		for _, kind := range WorkspaceKinds {
			have, err := tx.Documents(ctx, kind, "")
			if err != nil {
				return err
			}
			byID := make(map[string]remit.Document, len(have))
			for _, d := range have {
				byID[d.ID] = d
			}
			ids := make([]string, 0, len(want[kind]))
			for id := range want[kind] {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			for _, id := range ids {
				body := want[kind][id]
				old, ok := byID[id]
				action := "create"
				switch {
				case !ok:
				case !bytes.Equal(old.Body, body):
					action = "update"
				default:
					continue
				}
				plan.Changes = append(plan.Changes, PlanChange{kind, id, action})
				if dryRun {
					continue
				}
				if err := writeRaw(ctx, tx, ch, kind, id, old, ok, body); err != nil {
					return err
				}
			}
			for _, d := range have {
				if _, keep := want[kind][d.ID]; keep {
					continue
				}
				plan.Changes = append(plan.Changes, PlanChange{kind, d.ID, "delete"})
				if dryRun {
					continue
				}
				if err := tx.DeleteDocument(ctx, kind, d.ID, d.Version); err != nil {
					return err
				}
				if err := appendAudit(ctx, tx, ch, "delete", kind, d.ID, d.Body, nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if dryRun {
		err = st.Read(ctx, run)
	} else {
		err = st.Write(ctx, run)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("import: %w", err)
	}
	return plan, nil
}

// errRebuilt is what rebuild returns: the store holds the change and the
// next snapshot is built from it afresh (Service.write does so).
var errRebuilt = errors.New("rebuilt")

// rebuild asks for the snapshot to be built afresh from the store.
func rebuild(*Snapshot) error { return errRebuilt }

// writeRaw stores one workspace document's canonical body, creating or
// updating it, with its audit record and, for an offering, a model
// version when its statements change.
func writeRaw(ctx context.Context, tx remit.Tx, ch change, kind remit.Kind, id string, old remit.Document, exists bool, body []byte) error {
	action, before := "create", []byte(nil)
	if exists {
		if _, err := tx.UpdateDocument(ctx, kind, id, body, old.Version, ch.now); err != nil {
			return err
		}
		action, before = "update", old.Body
	} else if _, err := tx.CreateDocument(ctx, kind, id, body, ch.now); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, ch, action, kind, id, before, body); err != nil {
		return err
	}
	if kind != KindOffering {
		return nil
	}
	var was *remit.Offering
	if exists {
		o, err := offerings.decode(old)
		if err != nil {
			return err
		}
		was = &o
	}
	now, err := offerings.decode(remit.Document{ID: id, Body: body})
	if err != nil {
		return err
	}
	return recordModelVersion(ctx, tx, ch, id, was, &now)
}

// owned names, in each problem, the aggregate it is in ("system
// prison-visits: …"), as a client that changed one aggregate expects.
func owned(what, id string, ps []remit.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	for i := range ps {
		ps[i].Message = what + " " + id + ": " + ps[i].Message
	}
	return &remit.ValidationError{Problems: ps}
}

// --- systems ---------------------------------------------------------------

// System reads a system as stored, with its version.
func (s *Service) System(ctx context.Context, id string) (remit.System, int64, error) {
	return systems.get(ctx, s.store, id)
}

// mayEditSystems refuses, before anything is looked up, whoever may edit
// no system at all, so a refusal never tells what exists.
func mayEditSystems(p remit.Principal) error {
	if !p.MayAny(remit.ActEditSystem) {
		return fmt.Errorf("%s may not change systems: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return nil
}

// mayEditTeam checks p may edit a system of team.
func mayEditTeam(p remit.Principal, id, team string) error {
	if !p.May(remit.ActEditSystem, team) {
		return fmt.Errorf("system %q belongs to team %q: %w", id, team, remit.ErrForbidden)
	}
	return nil
}

// PutSystem creates a system (version 0) or replaces it (at version),
// if p may edit systems of its team before and after (so nobody moves a
// system out of, or into, a team they are not in). It validates the
// system against the estate, writes it with its audit record and
// recomputes its matrix alone. It returns the new version.
func (s *Service) PutSystem(ctx context.Context, p remit.Principal, sys remit.System, version int64) (int64, error) {
	if err := mayEditSystems(p); err != nil {
		return 0, err
	}
	return s.changeSystem(ctx, p, sys.ID, version, true, func(old *remit.System) (*remit.System, error) { return &sys, nil })
}

// changeSystem reads a stored system (nil when there is none), lets edit
// make its next state (nil: delete it), and stores that, checking the
// version quoted, the teams before and after, and the system's validity.
// Only a creation (create set, version 0) may find no system stored.
func (s *Service) changeSystem(ctx context.Context, p remit.Principal, id string, version int64, create bool, edit func(old *remit.System) (*remit.System, error)) (int64, error) {
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		old, d, err := systems.find(ctx, tx, id)
		exists := err == nil
		if err != nil && !errors.Is(err, remit.ErrNotFound) {
			return nil, err
		}
		var was *remit.System
		if exists {
			if err := mayEditTeam(p, id, old.Team); err != nil {
				return nil, err
			}
			was = &old
		}
		switch {
		case !exists && (version != 0 || !create):
			return nil, fmt.Errorf("no system %q: %w", id, remit.ErrNotFound)
		case exists && version == 0:
			return nil, fmt.Errorf("system %q already exists, so version 0 (create) is stale: read it and quote its version: %w", id, remit.ErrConflict)
		case exists && d.Version != version:
			return nil, stale("system", id, d.Version, version)
		}
		next, err := edit(was)
		if err != nil {
			return nil, err
		}
		if next == nil {
			if err := systems.delete(ctx, tx, ch, id, version); err != nil {
				return nil, err
			}
			return func(sn *Snapshot) error {
				c, err := sn.cache.DeleteSystem(id)
				if err != nil {
					return err
				}
				sn.withCache(c, KindSystem, id, 0)
				return nil
			}, nil
		}
		next.ID = id
		if err := mayEditTeam(p, id, next.Team); err != nil {
			return nil, err
		}
		if err := owned("system", id, remit.ValidateSystem(next, sn.cache.Estate)); err != nil {
			return nil, err
		}
		nd, err := systems.put(ctx, tx, ch, id, *next, version)
		if err != nil {
			return nil, err
		}
		out = nd.Version
		return func(sn *Snapshot) error {
			c, err := sn.cache.PutSystem(next)
			if err != nil {
				return err
			}
			sn.withCache(c, KindSystem, id, out)
			return nil
		}, nil
	})
	return out, err
}

// DeleteSystem deletes a system at version; its obligations' tracking
// stays in the audit trail.
func (s *Service) DeleteSystem(ctx context.Context, p remit.Principal, id string, version int64) error {
	if err := mayEditSystems(p); err != nil {
		return err
	}
	_, err := s.changeSystem(ctx, p, id, version, false, func(*remit.System) (*remit.System, error) { return nil, nil })
	return err
}

// AttachOffering makes a system use an offering (or changes why it does).
func (s *Service) AttachOffering(ctx context.Context, p remit.Principal, system, offering, purpose string, version int64) (int64, error) {
	if err := mayEditSystems(p); err != nil {
		return 0, err
	}
	if _, err := remit.ParseOfferingRef(offering); err != nil {
		return 0, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/offering", Message: err.Error()}}}
	}
	return s.changeSystem(ctx, p, system, version, false, func(old *remit.System) (*remit.System, error) {
		next := *old
		next.Uses = slices.Clone(old.Uses)
		if j := slices.IndexFunc(next.Uses, func(u remit.Use) bool { return u.Offering == offering }); j >= 0 {
			next.Uses[j].Purpose = purpose
		} else {
			next.Uses = append(next.Uses, remit.Use{Offering: offering, Purpose: purpose})
		}
		return &next, nil
	})
}

// DetachOffering makes a system stop using an offering: our obligations
// under it go with it.
func (s *Service) DetachOffering(ctx context.Context, p remit.Principal, system, offering string, version int64) (int64, error) {
	if err := mayEditSystems(p); err != nil {
		return 0, err
	}
	return s.changeSystem(ctx, p, system, version, false, func(old *remit.System) (*remit.System, error) {
		next := *old
		n := len(old.Uses)
		next.Uses = slices.DeleteFunc(slices.Clone(old.Uses), func(u remit.Use) bool { return u.Offering == offering })
		if len(next.Uses) == n {
			return nil, fmt.Errorf("system %q does not use offering %q: %w", system, offering, remit.ErrNotFound)
		}
		return &next, nil
	})
}

// --- providers' models -------------------------------------------------------

// mayEditModel checks p may change catalogues and providers' models.
func mayEditModel(p remit.Principal, what string) error {
	if !p.May(remit.ActEditModel, "") {
		return fmt.Errorf("%s may not change %s: %w", p.Role.Article(), what, remit.ErrForbidden)
	}
	return nil
}

// Offering reads an offering as stored, with its version.
func (s *Service) Offering(ctx context.Context, ref string) (remit.Offering, int64, error) {
	return offerings.get(ctx, s.store, ref)
}

// Provider reads a provider's stored version.
func (s *Service) ProviderVersion(ctx context.Context, id string) (int64, error) {
	_, v, err := providers.get(ctx, s.store, id)
	return v, err
}

// fork makes a built-in provider the workspace's own once someone edits
// it, so the edit is kept and exported as a file: the provider is no
// longer built in and remit.yaml no longer names it. It writes the
// provider's and the header's documents if they change, and returns how
// the snapshot changes with them. This is the one place the rule lives.
func fork(ctx context.Context, tx remit.Tx, ch change, sn *Snapshot, provider string) (func(*Snapshot), error) {
	pr, ok := sn.cache.Estate.Provider(provider)
	if !ok || !pr.BuiltIn {
		return func(*Snapshot) {}, nil
	}
	doc, pd, err := providers.find(ctx, tx, provider)
	if err != nil {
		return nil, err
	}
	doc.BuiltIn = false
	npd, err := providers.put(ctx, tx, ch, provider, doc, pd.Version)
	if err != nil {
		return nil, err
	}
	header, err := unname(ctx, tx, ch, KindProvider, provider)
	if err != nil {
		return nil, err
	}
	return func(sn *Snapshot) {
		sn.withCache(sn.cache.PutProvider(doc.ID, doc.Name, false), KindProvider, provider, npd.Version)
		header(sn)
	}, nil
}

// unname takes a built-in catalogue or provider out of the list of
// built-in content the workspace's header names, once it is the
// workspace's own.
func unname(ctx context.Context, tx remit.Tx, ch change, kind remit.Kind, id string) (func(*Snapshot), error) {
	h, hd, err := headers.find(ctx, tx, workspaceID)
	if err != nil {
		return nil, err
	}
	not := func(x string) bool { return x == id }
	if kind == KindProvider {
		h.ProviderIDs = slices.DeleteFunc(slices.Clone(h.ProviderIDs), not)
	} else {
		h.CatalogueIDs = slices.DeleteFunc(slices.Clone(h.CatalogueIDs), not)
	}
	nhd, err := headers.put(ctx, tx, ch, workspaceID, h, hd.Version)
	if err != nil {
		return nil, err
	}
	return func(sn *Snapshot) {
		sn.withCache(sn.cache.SetHeader(*h.workspace()), KindWorkspace, workspaceID, nhd.Version)
	}, nil
}

// SetStatement adds, replaces or (when st.Class is empty) removes the
// statement an offering makes for st.Control, if the offering is still
// at version. Editing a built-in model makes it the workspace's own. The
// change is one transaction with its audit record and a new model
// version, and recomputes only the systems that use the offering.
func (s *Service) SetStatement(ctx context.Context, p remit.Principal, ref string, st remit.Statement, version int64) (int64, error) {
	if err := mayEditModel(p, "providers' models"); err != nil {
		return 0, err
	}
	or, err := remit.ParseOfferingRef(ref)
	if err != nil {
		return 0, fmt.Errorf("%v: %w", err, remit.ErrNotFound)
	}
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	err = s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		if st.Class != "" {
			if ps := remit.ValidateStatement(&st, sn.cache.Estate); len(ps) > 0 {
				return nil, &remit.ValidationError{Problems: ps}
			}
		}
		o, d, err := offerings.find(ctx, tx, ref)
		if err != nil {
			return nil, err
		}
		if d.Version != version {
			return nil, stale("offering", ref, d.Version, version)
		}
		was := o
		o.Statements = slices.Clone(o.Statements)
		if err := o.SetStatement(st); err != nil {
			return nil, err
		}
		forked, err := fork(ctx, tx, ch, sn, or.Provider)
		if err != nil {
			return nil, err
		}
		_, nd, err := offerings.update(ctx, tx, ch, ref, o, version)
		if err != nil {
			return nil, err
		}
		if err := recordModelVersion(ctx, tx, ch, ref, &was, &o); err != nil {
			return nil, err
		}
		out = nd.Version
		if r, ok := modelChange(sn, ref, &was, &o, st.Control, out); ok {
			if _, err := queueReminders(ctx, tx, ch.now, []remit.Reminder{r}); err != nil {
				return nil, err
			}
		}
		return func(sn *Snapshot) error {
			forked(sn)
			c, err := sn.cache.PutOffering(or.Provider, &o)
			if err != nil {
				return err
			}
			sn.withCache(c, KindOffering, ref, out)
			return nil
		}, nil
	})
	return out, err
}

// PutOffering creates an offering of an existing provider (version 0) or
// replaces it and its statements (at version). Editing a built-in model
// makes it the workspace's own.
func (s *Service) PutOffering(ctx context.Context, p remit.Principal, provider string, o remit.Offering, version int64) (int64, error) {
	if err := mayEditModel(p, "providers' models"); err != nil {
		return 0, err
	}
	ref := remit.OfferingRef{Provider: provider, Offering: o.ID}.String()
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		pdoc, pd, err := providers.find(ctx, tx, provider)
		if err != nil {
			return nil, err
		}
		if err := owned("offering", ref, remit.ValidateOffering(provider, &o, sn.cache.Estate)); err != nil {
			return nil, err
		}
		var was *remit.Offering
		if version != 0 {
			old, _, err := offerings.find(ctx, tx, ref)
			if err != nil {
				return nil, err
			}
			was = &old
		}
		forked, err := fork(ctx, tx, ch, sn, provider)
		if err != nil {
			return nil, err
		}
		nd, err := offerings.put(ctx, tx, ch, ref, o, version)
		if err != nil {
			return nil, err
		}
		if err := recordModelVersion(ctx, tx, ch, ref, was, &o); err != nil {
			return nil, err
		}
		out = nd.Version
		newProvider := int64(0)
		if was == nil { // a new offering: its provider lists it
			if pdoc, pd, err = providers.find(ctx, tx, provider); err != nil { // as fork may have left it
				return nil, err
			}
			pdoc.Offerings = append(slices.Clip(pdoc.Offerings), o.ID)
			npd, err := providers.put(ctx, tx, ch, provider, pdoc, pd.Version)
			if err != nil {
				return nil, err
			}
			newProvider = npd.Version
		}
		return func(sn *Snapshot) error {
			forked(sn)
			c, err := sn.cache.PutOffering(provider, &o)
			if err != nil {
				return err
			}
			sn.withCache(c, KindOffering, ref, out)
			if newProvider != 0 {
				sn.versions = sn.versions.Put(versionKey(KindProvider, provider), newProvider)
			}
			return nil
		}, nil
	})
	return out, err
}

// PutProvider creates a provider with no offerings (version 0) or
// renames it (at version); renaming a built-in provider makes it the
// workspace's own.
func (s *Service) PutProvider(ctx context.Context, p remit.Principal, id, name string, version int64) (int64, error) {
	if err := mayEditModel(p, "providers"); err != nil {
		return 0, err
	}
	var ps []remit.Problem
	if !remit.ValidID(id) {
		ps = append(ps, remit.Problem{Pointer: "/id", Message: fmt.Sprintf("provider id %q is not valid: %s", id, remit.IDRule)})
	}
	if strings.TrimSpace(name) == "" {
		ps = append(ps, remit.Problem{Pointer: "/name", Message: "provider name is required"})
	}
	if err := owned("provider", id, ps); err != nil {
		return 0, err
	}
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		doc := providerDoc{ID: id, Name: name, Offerings: []string{}}
		header := func(*Snapshot) {}
		if version != 0 {
			old, _, err := providers.find(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			doc.Offerings = old.Offerings
			if old.BuiltIn {
				if header, err = unname(ctx, tx, ch, KindProvider, id); err != nil {
					return nil, err
				}
			}
		}
		nd, err := providers.put(ctx, tx, ch, id, doc, version)
		if err != nil {
			return nil, err
		}
		out = nd.Version
		return func(sn *Snapshot) error {
			header(sn)
			sn.withCache(sn.cache.PutProvider(id, name, false), KindProvider, id, out)
			return nil
		}, nil
	})
	return out, err
}

// ImportOffering makes sts the statements of offering ref (what a
// provider's matrix says), creating the provider and the offering from n
// when they are new; a built-in model becomes the workspace's own.
// version is the offering's (0 when it is new). With dryRun nothing is
// written. It returns the plan and the offering's new version.
func (s *Service) ImportOffering(ctx context.Context, p remit.Principal, ref string, sts []remit.Statement, n remit.NewOffering, version int64, dryRun bool) (Plan, int64, error) {
	if err := mayEditModel(p, "providers' models"); err != nil {
		return Plan{}, 0, err
	}
	or, err := remit.ParseOfferingRef(ref)
	if err != nil {
		return Plan{}, 0, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/offering", Message: err.Error()}}}
	}
	var plan Plan
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	run := func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		plan = Plan{}
		pdoc, pd, err := providers.find(ctx, tx, or.Provider)
		newProvider := errors.Is(err, remit.ErrNotFound)
		if err != nil && !newProvider {
			return nil, err
		}
		old, od, err := offerings.find(ctx, tx, ref)
		newOffering := errors.Is(err, remit.ErrNotFound)
		if err != nil && !newOffering {
			return nil, err
		}
		if !newOffering && od.Version != version || newOffering && version != 0 {
			return nil, stale("offering", ref, od.Version, version)
		}
		var ps []remit.Problem
		if newProvider && strings.TrimSpace(n.ProviderName) == "" {
			ps = append(ps, remit.Problem{Pointer: "/provider_name", Message: fmt.Sprintf("provider %q is new: give its name", or.Provider)})
		}
		if newProvider && !remit.ValidID(or.Provider) {
			ps = append(ps, remit.Problem{Pointer: "/provider", Message: fmt.Sprintf("provider id %q is not valid: %s", or.Provider, remit.IDRule)})
		}
		o := old
		if newOffering {
			if n.ServiceModel == "" {
				ps = append(ps, remit.Problem{Pointer: "/service_model", Message: fmt.Sprintf("offering %q is new: give its service model (%s)", ref, remit.ServiceModelList())})
			}
			o = remit.Offering{ID: or.Offering, Name: cmp.Or(n.Name, or.Offering), ServiceModel: n.ServiceModel}
		}
		if len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		o.Statements = sts
		if err := owned("offering", ref, remit.ValidateOffering(or.Provider, &o, sn.cache.Estate)); err != nil {
			return nil, err
		}
		if newProvider {
			plan.Changes = append(plan.Changes, PlanChange{KindProvider, or.Provider, "create"})
		} else if newOffering || pdoc.BuiltIn {
			plan.Changes = append(plan.Changes, PlanChange{KindProvider, or.Provider, "update"})
		}
		if !newProvider && pdoc.BuiltIn {
			plan.Changes = append(plan.Changes, PlanChange{KindWorkspace, workspaceID, "update"})
		}
		switch {
		case newOffering:
			plan.Changes = append(plan.Changes, PlanChange{KindOffering, ref, "create"})
		case !slices.EqualFunc(old.Statements, sts, sameStatement):
			plan.Changes = append(plan.Changes, PlanChange{KindOffering, ref, "update"})
		}
		if dryRun || plan.Empty() {
			out = od.Version
			return nil, nil
		}
		forked := func(*Snapshot) {}
		if newProvider {
			pdoc = providerDoc{ID: or.Provider, Name: strings.TrimSpace(n.ProviderName), Offerings: []string{}}
			if pd, err = providers.create(ctx, tx, ch, or.Provider, pdoc); err != nil {
				return nil, err
			}
		} else if forked, err = fork(ctx, tx, ch, sn, or.Provider); err != nil {
			return nil, err
		}
		var was *remit.Offering
		if !newOffering {
			was = &old
		}
		nd, err := offerings.put(ctx, tx, ch, ref, o, version)
		if err != nil {
			return nil, err
		}
		if err := recordModelVersion(ctx, tx, ch, ref, was, &o); err != nil {
			return nil, err
		}
		out = nd.Version
		var pv int64
		if newOffering {
			if pdoc, pd, err = providers.find(ctx, tx, or.Provider); err != nil {
				return nil, err
			}
			pdoc.Offerings = append(slices.Clip(pdoc.Offerings), or.Offering)
			npd, err := providers.put(ctx, tx, ch, or.Provider, pdoc, pd.Version)
			if err != nil {
				return nil, err
			}
			pv = npd.Version
		}
		return func(sn *Snapshot) error {
			forked(sn)
			if newProvider {
				sn.cache = sn.cache.PutProvider(pdoc.ID, pdoc.Name, false)
				sn.chained()
			}
			c, err := sn.cache.PutOffering(or.Provider, &o)
			if err != nil {
				return err
			}
			sn.withCache(c, KindOffering, ref, out)
			if pv != 0 {
				sn.versions = sn.versions.Put(versionKey(KindProvider, or.Provider), pv)
			}
			return nil
		}, nil
	}
	if dryRun {
		err = s.read(ctx, func(tx remit.Tx) error { _, err := run(tx, s.Snapshot()); return err })
	} else {
		err = s.write(ctx, run)
	}
	if err != nil {
		return Plan{}, 0, err
	}
	return plan, out, nil
}

// sameStatement reports whether two statements say the same.
func sameStatement(a, b remit.Statement) bool {
	x, err1 := encode(a)
	y, err2 := encode(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// PutSystemDetails creates a system (version 0) or changes what the
// system form holds — name, owner, team, classification and baseline — at
// version, keeping the offerings it uses and the controls it marks not
// applicable that stay in its baseline.
func (s *Service) PutSystemDetails(ctx context.Context, p remit.Principal, sys remit.System, version int64) (int64, error) {
	if err := mayEditSystems(p); err != nil {
		return 0, err
	}
	return s.changeSystem(ctx, p, sys.ID, version, true, func(old *remit.System) (*remit.System, error) {
		if old == nil {
			return &sys, nil
		}
		next := sys
		next.Uses = old.Uses
		next.Baseline.NotApplicable = nil
		for _, x := range old.Baseline.NotApplicable {
			if next.Baseline.All || slices.Contains(next.Baseline.Controls, x.Control) {
				next.Baseline.NotApplicable = append(next.Baseline.NotApplicable, x)
			}
		}
		return &next, nil
	})
}
