package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"remit/internal/remit"
)

// docRef names one document of the workspace.
type docRef struct {
	kind remit.Kind
	id   string
}

// restructure makes a change that may touch anything in the estate: to a
// catalogue, which every system's baseline and every statement refers to,
// or the removal of a provider or offering. edit changes a copy of the
// workspace (its lists are fresh; clone any aggregate before changing
// it) and returns the documents it touched, the primary one (kind, id,
// quoted at version; 0 to create) first. The whole workspace is
// validated, each touched document is written only if it is still stored
// as the snapshot holds it, and the estate is rebuilt. With dryRun
// nothing is written. It returns the plan and the primary document's new
// version (0 when deleted).
func (s *Service) restructure(ctx context.Context, p remit.Principal, version int64, dryRun bool, edit func(ws *remit.Workspace) ([]docRef, error)) (Plan, int64, error) {
	var plan Plan
	var out int64
	ch := change{actor: p.Email, now: s.now()}
	run := func(tx remit.Tx, sn *Snapshot) error {
		ws := sn.cache.Estate.Workspace()
		ws.Catalogues = slices.Clone(ws.Catalogues)
		touched, err := edit(ws)
		if err != nil {
			return err
		}
		// The first change to an empty store (a catalogue imported before
		// any workspace) also writes the workspace's header, or nothing
		// would find what it wrote.
		if _, err := tx.FindDocument(ctx, KindWorkspace, workspaceID); errors.Is(err, remit.ErrNotFound) {
			touched = append(touched, docRef{KindWorkspace, workspaceID})
		} else if err != nil {
			return err
		}
		if ps := remit.Validate(ws); len(ps) > 0 {
			return &remit.ValidationError{Problems: remit.Owners(ws, ps)}
		}
		plan = Plan{}
		for i, ref := range touched {
			stored, err := tx.FindDocument(ctx, ref.kind, ref.id)
			exists := err == nil
			if err != nil && !errors.Is(err, remit.ErrNotFound) {
				return err
			}
			if i == 0 {
				switch {
				case version == 0 && exists:
					return fmt.Errorf("%s %q already exists, so version 0 (create) is stale: read it and quote its version: %w", ref.kind, ref.id, remit.ErrConflict)
				case version != 0 && !exists:
					return fmt.Errorf("%s %q: %w", ref.kind, ref.id, remit.ErrNotFound)
				case exists && stored.Version != version:
					return stale(string(ref.kind), ref.id, stored.Version, version)
				}
			} else if held, holds := sn.versions.Get(versionKey(ref.kind, ref.id)); holds != exists || (exists && held != stored.Version) {
				return fmt.Errorf("%s %q was changed by someone else a moment ago: read it again: %w", ref.kind, ref.id, remit.ErrConflict)
			}
			body, keep, err := documentOf(ws, ref.kind, ref.id)
			if err != nil {
				return err
			}
			switch {
			case keep && exists && bytes.Equal(body, stored.Body):
				if i == 0 {
					out = stored.Version
				}
				continue
			case keep:
				action := "create"
				if exists {
					action = "update"
				}
				plan.Changes = append(plan.Changes, PlanChange{ref.kind, ref.id, action})
				if dryRun {
					continue
				}
				if err := writeRaw(ctx, tx, ch, ref.kind, ref.id, stored, exists, body); err != nil {
					return err
				}
				if i == 0 {
					out = stored.Version + 1
					if !exists {
						out = 1
					}
				}
			case exists:
				plan.Changes = append(plan.Changes, PlanChange{ref.kind, ref.id, "delete"})
				if dryRun {
					continue
				}
				if err := tx.DeleteDocument(ctx, ref.kind, ref.id, stored.Version); err != nil {
					return err
				}
				if err := appendAudit(ctx, tx, ch, "delete", ref.kind, ref.id, stored.Body, nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var err error
	if dryRun {
		err = s.read(ctx, func(tx remit.Tx) error { return run(tx, s.Snapshot()) })
	} else {
		err = s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
			if err := run(tx, sn); err != nil || plan.Empty() {
				return nil, err
			}
			return rebuild, nil
		})
	}
	if err != nil {
		return Plan{}, 0, err
	}
	return plan, out, nil
}

// documentOf returns the stored form of one object of a workspace, and
// false when the workspace has no such object.
func documentOf(ws *remit.Workspace, kind remit.Kind, id string) ([]byte, bool, error) {
	var v any
	switch kind {
	case KindWorkspace:
		if id == workspaceID {
			v = headerOf(ws)
		}
	case KindCatalogue:
		if i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == id }); i >= 0 {
			v = ws.Catalogues[i]
		}
	case KindProvider:
		if i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == id }); i >= 0 {
			v = providerOf(&ws.Providers[i])
		}
	case KindOffering:
		ref, err := remit.ParseOfferingRef(id)
		if err != nil {
			return nil, false, err
		}
		if i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == ref.Provider }); i >= 0 {
			offs := ws.Providers[i].Offerings
			if j := slices.IndexFunc(offs, func(o remit.Offering) bool { return o.ID == ref.Offering }); j >= 0 {
				v = offs[j]
			}
		}
	case KindSystem:
		if i := slices.IndexFunc(ws.Systems, func(s remit.System) bool { return s.ID == id }); i >= 0 {
			v = ws.Systems[i]
		}
	}
	if v == nil {
		return nil, false, nil
	}
	b, err := encode(v)
	return b, true, err
}

// --- catalogues ----------------------------------------------------------

// Catalogue reads a catalogue's stored version.
func (s *Service) CatalogueVersion(ctx context.Context, id string) (int64, error) {
	_, v, err := catalogues.get(ctx, s.store, id)
	return v, err
}

// forkCatalogue makes the built-in catalogue at i the workspace's own
// once someone edits it, so the edit is kept (and exported as a file).
func forkCatalogue(ws *remit.Workspace, i int) []docRef {
	if !ws.Catalogues[i].BuiltIn {
		return nil
	}
	ws.Catalogues[i].BuiltIn = false
	ws.CatalogueIDs = slices.DeleteFunc(slices.Clone(ws.CatalogueIDs), func(id string) bool { return id == ws.Catalogues[i].ID })
	return []docRef{{KindWorkspace, workspaceID}}
}

func catalogueIndex(ws *remit.Workspace, id string) int {
	return slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == id })
}

// PutCatalogue creates a catalogue (version 0) or replaces it (at
// version): the whole workspace is checked against it, and the estate
// rebuilt. Replacing a built-in catalogue makes it the workspace's own.
func (s *Service) PutCatalogue(ctx context.Context, p remit.Principal, cat remit.Catalogue, version int64) (int64, error) {
	if err := mayEditModel(p, "catalogues"); err != nil {
		return 0, err
	}
	cat.BuiltIn = false
	_, v, err := s.restructure(ctx, p, version, false, func(ws *remit.Workspace) ([]docRef, error) {
		touched := []docRef{{KindCatalogue, cat.ID}}
		if i := catalogueIndex(ws, cat.ID); i >= 0 {
			touched = append(touched, forkCatalogue(ws, i)...)
			ws.Catalogues[i] = cat
		} else {
			ws.Catalogues = append(ws.Catalogues, cat)
		}
		return touched, nil
	})
	return v, err
}

// DeleteCatalogue deletes a catalogue no baseline or statement names.
func (s *Service) DeleteCatalogue(ctx context.Context, p remit.Principal, id string, version int64) error {
	if err := mayEditModel(p, "catalogues"); err != nil {
		return err
	}
	_, _, err := s.restructure(ctx, p, version, false, func(ws *remit.Workspace) ([]docRef, error) {
		i := catalogueIndex(ws, id)
		if i < 0 {
			return nil, fmt.Errorf("no catalogue %q: %w", id, remit.ErrNotFound)
		}
		touched := append([]docRef{{KindCatalogue, id}}, forkCatalogue(ws, i)...)
		ws.Catalogues = slices.Delete(ws.Catalogues, i, i+1)
		return touched, nil
	})
	return err
}

// PutControl adds a control to a catalogue or replaces the one with its
// id, at the catalogue's version.
func (s *Service) PutControl(ctx context.Context, p remit.Principal, catalogue string, ctl remit.Control, version int64) (int64, error) {
	return s.changeControls(ctx, p, catalogue, version, func(cs []remit.Control) ([]remit.Control, error) {
		if i := slices.IndexFunc(cs, func(x remit.Control) bool { return x.ID == ctl.ID }); i >= 0 {
			cs[i] = ctl
			return cs, nil
		}
		return append(cs, ctl), nil
	})
}

// DeleteControl removes a control no baseline or statement names.
func (s *Service) DeleteControl(ctx context.Context, p remit.Principal, catalogue, control string, version int64) (int64, error) {
	return s.changeControls(ctx, p, catalogue, version, func(cs []remit.Control) ([]remit.Control, error) {
		n := len(cs)
		if cs = slices.DeleteFunc(cs, func(x remit.Control) bool { return x.ID == control }); len(cs) == n {
			return nil, fmt.Errorf("no control %q: %w", remit.ControlRef{Catalogue: catalogue, Control: control}, remit.ErrNotFound)
		}
		return cs, nil
	})
}

func (s *Service) changeControls(ctx context.Context, p remit.Principal, catalogue string, version int64, edit func([]remit.Control) ([]remit.Control, error)) (int64, error) {
	if err := mayEditModel(p, "catalogues"); err != nil {
		return 0, err
	}
	if version == 0 {
		return 0, fmt.Errorf("changing catalogue %q needs the version you read: %w", catalogue, remit.ErrConflict)
	}
	_, v, err := s.restructure(ctx, p, version, false, func(ws *remit.Workspace) ([]docRef, error) {
		i := catalogueIndex(ws, catalogue)
		if i < 0 {
			return nil, fmt.Errorf("no catalogue %q: %w", catalogue, remit.ErrNotFound)
		}
		touched := append([]docRef{{KindCatalogue, catalogue}}, forkCatalogue(ws, i)...)
		cs, err := edit(slices.Clone(ws.Catalogues[i].Controls))
		if err != nil {
			return nil, err
		}
		ws.Catalogues[i].Controls = cs
		return touched, nil
	})
	return v, err
}

// ImportCatalogue makes cat (read from an OSCAL catalog or a resolved
// profile) a catalogue of the estate: new (version 0) or replacing the
// one with its id (at version), keeping the areas set by hand for
// controls the import could not place. A built-in catalogue is never
// replaced by an import: import under another id. With dryRun nothing is
// written. It returns the plan, the new version and how many areas it
// kept.
func (s *Service) ImportCatalogue(ctx context.Context, p remit.Principal, cat remit.Catalogue, version int64, dryRun bool) (Plan, int64, int, error) {
	if err := mayEditModel(p, "catalogues"); err != nil {
		return Plan{}, 0, 0, err
	}
	kept := 0
	plan, v, err := s.restructure(ctx, p, version, dryRun, func(ws *remit.Workspace) ([]docRef, error) {
		if i := catalogueIndex(ws, cat.ID); i >= 0 {
			if ws.Catalogues[i].BuiltIn {
				return nil, fmt.Errorf("%s is a built-in catalogue: import under another id: %w", cat.ID, remit.ErrConflict)
			}
			kept = cat.KeepAreas(ws.Catalogues[i])
			ws.Catalogues[i] = cat
		} else {
			ws.Catalogues = append(ws.Catalogues, cat)
		}
		return []docRef{{KindCatalogue, cat.ID}}, nil
	})
	return plan, v, kept, err
}

// DeleteOffering deletes an offering no system uses and no offering
// depends on.
func (s *Service) DeleteOffering(ctx context.Context, p remit.Principal, ref string, version int64) error {
	if err := mayEditModel(p, "providers' models"); err != nil {
		return err
	}
	or, err := remit.ParseOfferingRef(ref)
	if err != nil {
		return fmt.Errorf("%v: %w", err, remit.ErrNotFound)
	}
	_, _, err = s.restructure(ctx, p, version, false, func(ws *remit.Workspace) ([]docRef, error) {
		i := slices.IndexFunc(ws.Providers, func(x remit.Provider) bool { return x.ID == or.Provider })
		if i < 0 {
			return nil, fmt.Errorf("no provider %q: %w", or.Provider, remit.ErrNotFound)
		}
		pr := &ws.Providers[i]
		n := len(pr.Offerings)
		if pr.Offerings = slices.DeleteFunc(pr.Offerings, func(o remit.Offering) bool { return o.ID == or.Offering }); len(pr.Offerings) == n {
			return nil, fmt.Errorf("no offering %q: %w", ref, remit.ErrNotFound)
		}
		touched := []docRef{{KindOffering, ref}, {KindProvider, or.Provider}}
		if pr.BuiltIn {
			pr.BuiltIn = false
			ws.ProviderIDs = slices.DeleteFunc(slices.Clone(ws.ProviderIDs), func(id string) bool { return id == or.Provider })
			touched = append(touched, docRef{KindWorkspace, workspaceID})
		}
		return touched, nil
	})
	return err
}

// DeleteProvider deletes a provider and its offerings, if no system uses
// them and no other offering depends on them.
func (s *Service) DeleteProvider(ctx context.Context, p remit.Principal, id string, version int64) error {
	if err := mayEditModel(p, "providers"); err != nil {
		return err
	}
	_, _, err := s.restructure(ctx, p, version, false, func(ws *remit.Workspace) ([]docRef, error) {
		i := slices.IndexFunc(ws.Providers, func(x remit.Provider) bool { return x.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("no provider %q: %w", id, remit.ErrNotFound)
		}
		touched := []docRef{{KindProvider, id}}
		for _, o := range ws.Providers[i].Offerings {
			touched = append(touched, docRef{KindOffering, remit.OfferingRef{Provider: id, Offering: o.ID}.String()})
		}
		if ws.Providers[i].BuiltIn {
			ws.ProviderIDs = slices.DeleteFunc(slices.Clone(ws.ProviderIDs), func(x string) bool { return x == id })
			touched = append(touched, docRef{KindWorkspace, workspaceID})
		}
		ws.Providers = slices.Delete(ws.Providers, i, i+1)
		return touched, nil
	})
	return err
}
