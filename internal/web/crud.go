package web

import (
	"context"
	"fmt"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/engine"
	"remit/internal/remit"
)

// change runs one edit of the workspace through the live model, with the
// version the client quotes, and answers the primary document's new ETag.
func (s *server) change(ctx context.Context, kind remit.Kind, id, ifMatchHeader string,
	edit func(ws *remit.Workspace) error, allow func(p remit.Principal, before, after *remit.Workspace) error) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	// Refuse at once whoever may change nothing of the kind, before
	// looking anything up, so a refusal never tells what exists.
	if p.Role != remit.RoleAdmin && p.Role != remit.RoleEditor {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may not change the workspace", p.Role))
	}
	version, err := ifMatch(ifMatchHeader)
	if err != nil {
		return nil, err
	}
	v, err := s.changeAs(ctx, p, kind, id, version, edit, allow)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &versionOutput{ETag: etag(v)}, nil
}

// changeAs is change for the UI: the domain's errors come back as they are.
func (s *server) changeAs(ctx context.Context, p remit.Principal, kind remit.Kind, id string, version int64,
	edit func(ws *remit.Workspace) error, allow func(p remit.Principal, before, after *remit.Workspace) error) (int64, error) {
	if p.Role != remit.RoleAdmin && p.Role != remit.RoleEditor {
		return 0, fmt.Errorf("a %s may not change the workspace: %w", p.Role, remit.ErrForbidden)
	}
	return s.Model.Change(ctx, p, kind, id, version, s.Now(), edit, func(before, after *remit.Workspace) error { return allow(p, before, after) })
}

// modelEditor allows editors and admins to change catalogues and providers.
func modelEditor(p remit.Principal, _, _ *remit.Workspace) error {
	if !p.May(remit.ActEditModel, "") {
		return fmt.Errorf("changing catalogues and provider models: %w", remit.ErrForbidden)
	}
	return nil
}

// systemEditor allows a change to a system when p may edit systems of its
// team before and after the change (so nobody moves a system out of, or
// into, a team they are not in).
func systemEditor(id string) func(p remit.Principal, before, after *remit.Workspace) error {
	return func(p remit.Principal, before, after *remit.Workspace) error {
		for _, ws := range []*remit.Workspace{before, after} {
			if i := slices.IndexFunc(ws.Systems, func(s remit.System) bool { return s.ID == id }); i >= 0 {
				if team := ws.Systems[i].Team; !p.May(remit.ActEditSystem, team) {
					return fmt.Errorf("system %q belongs to team %q: %w", id, team, remit.ErrForbidden)
				}
			}
		}
		return nil
	}
}

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, remit.ErrNotFound) }

// upsert replaces the item same picks, or appends v.
func upsert[T any](items []T, v T, same func(T) bool) []T {
	if i := slices.IndexFunc(items, same); i >= 0 {
		items[i] = v
		return items
	}
	return append(items, v)
}

// remove deletes the items same picks; ok is false when there were none.
func remove[T any](items []T, same func(T) bool) (out []T, ok bool) {
	n := len(items)
	items = slices.DeleteFunc(items, same)
	return items, len(items) < n
}

// fork makes a built-in catalogue or provider the workspace's own once
// someone edits it, so the edit is kept (and exported as a file).
func forkCatalogue(ws *remit.Workspace, i int) {
	if ws.Catalogues[i].BuiltIn {
		ws.Catalogues[i].BuiltIn = false
		ws.CatalogueIDs = slices.DeleteFunc(ws.CatalogueIDs, func(id string) bool { return id == ws.Catalogues[i].ID })
	}
}

func forkProvider(ws *remit.Workspace, i int) {
	if ws.Providers[i].BuiltIn {
		ws.Providers[i].BuiltIn = false
		ws.ProviderIDs = slices.DeleteFunc(ws.ProviderIDs, func(id string) bool { return id == ws.Providers[i].ID })
	}
}

// --- systems --------------------------------------------------------------

type systemPutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The system's ETag, or \"0\" to create it"`
	Body    remit.System
}

func (s *server) handleSystemPut(ctx context.Context, in *systemPutInput) (*versionOutput, error) {
	if in.Body.ID != "" && in.Body.ID != in.ID {
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("body id %q differs from the path's %q: ids do not change; create a new system instead", in.Body.ID, in.ID))
	}
	in.Body.ID = in.ID
	return s.change(ctx, remit.KindSystem, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		ws.Systems = upsert(ws.Systems, in.Body, func(x remit.System) bool { return x.ID == in.ID })
		return nil
	}, systemEditor(in.ID))
}

type deleteInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
}

func (s *server) handleSystemDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	_, err := s.change(ctx, remit.KindSystem, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		var ok bool
		if ws.Systems, ok = remove(ws.Systems, func(x remit.System) bool { return x.ID == in.ID }); !ok {
			return notFound("system", in.ID)
		}
		return nil
	}, systemEditor(in.ID))
	return nil, err
}

type usePutInput struct {
	ID       string `path:"id"`
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match" doc:"The system's ETag"`
	Body     struct {
		Purpose string `json:"purpose,omitempty" maxLength:"500"`
	}
}

// handleUsePut attaches an offering to a system (or changes its purpose).
func (s *server) handleUsePut(ctx context.Context, in *usePutInput) (*versionOutput, error) {
	ref := remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
	return s.change(ctx, remit.KindSystem, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Systems, func(x remit.System) bool { return x.ID == in.ID })
		if i < 0 {
			return notFound("system", in.ID)
		}
		sys := &ws.Systems[i]
		if j := slices.IndexFunc(sys.Uses, func(u remit.Use) bool { return u.Offering == ref }); j >= 0 {
			sys.Uses[j].Purpose = in.Body.Purpose
		} else {
			sys.Uses = append(sys.Uses, remit.Use{Offering: ref, Purpose: in.Body.Purpose})
		}
		return nil
	}, systemEditor(in.ID))
}

type useDeleteInput struct {
	ID       string `path:"id"`
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match"`
}

// handleUseDelete detaches an offering from a system.
func (s *server) handleUseDelete(ctx context.Context, in *useDeleteInput) (*versionOutput, error) {
	ref := remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
	return s.change(ctx, remit.KindSystem, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Systems, func(x remit.System) bool { return x.ID == in.ID })
		if i < 0 {
			return notFound("system", in.ID)
		}
		var ok bool
		if ws.Systems[i].Uses, ok = remove(ws.Systems[i].Uses, func(u remit.Use) bool { return u.Offering == ref }); !ok {
			return notFound("use of offering", ref)
		}
		return nil
	}, systemEditor(in.ID))
}

// --- catalogues and controls ----------------------------------------------

type cataloguePutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The catalogue's ETag, or \"0\" to create it"`
	Body    remit.Catalogue
}

func (s *server) handleCataloguePut(ctx context.Context, in *cataloguePutInput) (*versionOutput, error) {
	if in.Body.ID != "" && in.Body.ID != in.ID {
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("body id %q differs from the path's %q", in.Body.ID, in.ID))
	}
	in.Body.ID, in.Body.BuiltIn = in.ID, false
	return s.change(ctx, remit.KindCatalogue, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		if i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == in.ID }); i >= 0 {
			forkCatalogue(ws, i)
			ws.Catalogues[i] = in.Body
		} else {
			ws.Catalogues = append(ws.Catalogues, in.Body)
		}
		return nil
	}, modelEditor)
}

func (s *server) handleCatalogueDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	_, err := s.change(ctx, remit.KindCatalogue, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == in.ID })
		if i < 0 {
			return notFound("catalogue", in.ID)
		}
		forkCatalogue(ws, i)
		ws.Catalogues = slices.Delete(ws.Catalogues, i, i+1)
		return nil
	}, modelEditor)
	return nil, err
}

type controlPutInput struct {
	Catalogue string `path:"catalogue"`
	Control   string `path:"control"`
	IfMatch   string `header:"If-Match" doc:"The catalogue's ETag"`
	Body      remit.Control
}

func (s *server) handleControlPut(ctx context.Context, in *controlPutInput) (*versionOutput, error) {
	in.Body.ID = in.Control
	return s.change(ctx, remit.KindCatalogue, in.Catalogue, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == in.Catalogue })
		if i < 0 {
			return notFound("catalogue", in.Catalogue)
		}
		forkCatalogue(ws, i)
		c := &ws.Catalogues[i]
		c.Controls = upsert(c.Controls, in.Body, func(x remit.Control) bool { return x.ID == in.Control })
		return nil
	}, modelEditor)
}

type controlDeleteInput struct {
	Catalogue string `path:"catalogue"`
	Control   string `path:"control"`
	IfMatch   string `header:"If-Match"`
}

func (s *server) handleControlDelete(ctx context.Context, in *controlDeleteInput) (*versionOutput, error) {
	return s.change(ctx, remit.KindCatalogue, in.Catalogue, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Catalogues, func(c remit.Catalogue) bool { return c.ID == in.Catalogue })
		if i < 0 {
			return notFound("catalogue", in.Catalogue)
		}
		forkCatalogue(ws, i)
		c := &ws.Catalogues[i]
		var ok bool
		if c.Controls, ok = remove(c.Controls, func(x remit.Control) bool { return x.ID == in.Control }); !ok {
			return notFound("control", remit.ControlRef{Catalogue: in.Catalogue, Control: in.Control}.String())
		}
		return nil
	}, modelEditor)
}

// --- providers and offerings ----------------------------------------------

type providerOutput struct {
	ETag string `header:"ETag"`
	Body remit.Provider
}

func (s *server) handleProviderGet(ctx context.Context, in *systemInput) (*providerOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	d, err := s.document(ctx, remit.KindProvider, in.ID)
	if err != nil {
		return nil, err
	}
	out := &providerOutput{ETag: etag(d.Version)}
	s.Model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		if p, ok := c.Estate.Provider(in.ID); ok {
			out.Body = remit.Provider{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []remit.Offering{}}
			for _, o := range c.Estate.OfferingsOf(p) {
				out.Body.Offerings = append(out.Body.Offerings, *o.Offering)
			}
		}
	})
	return out, nil
}

// document reads one stored document, for its version.
func (s *server) document(ctx context.Context, kind remit.Kind, id string) (remit.Document, error) {
	var d remit.Document
	err := s.Store.Read(ctx, func(tx remit.Tx) error {
		var err error
		d, err = tx.FindDocument(ctx, kind, id)
		return err
	})
	if err != nil {
		return d, s.problem(ctx, err)
	}
	return d, nil
}

type providerPutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The provider's ETag, or \"0\" to create it"`
	Body    struct {
		Name string `json:"name" maxLength:"200"`
	}
}

// handleProviderPut creates a provider or renames it; its offerings are
// changed one by one.
func (s *server) handleProviderPut(ctx context.Context, in *providerPutInput) (*versionOutput, error) {
	return s.change(ctx, remit.KindProvider, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		if i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == in.ID }); i >= 0 {
			forkProvider(ws, i)
			ws.Providers[i].Name = in.Body.Name
		} else {
			ws.Providers = append(ws.Providers, remit.Provider{ID: in.ID, Name: in.Body.Name})
		}
		return nil
	}, modelEditor)
}

func (s *server) handleProviderDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	_, err := s.change(ctx, remit.KindProvider, in.ID, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == in.ID })
		if i < 0 {
			return notFound("provider", in.ID)
		}
		forkProvider(ws, i)
		ws.Providers = slices.Delete(ws.Providers, i, i+1)
		return nil
	}, modelEditor)
	return nil, err
}

type offeringPutInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match" doc:"The offering's ETag, or \"0\" to create it"`
	Body     remit.Offering
}

func (s *server) handleOfferingPut(ctx context.Context, in *offeringPutInput) (*versionOutput, error) {
	in.Body.ID = in.Offering
	ref := remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
	return s.change(ctx, remit.KindOffering, ref, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == in.Provider })
		if i < 0 {
			return notFound("provider", in.Provider)
		}
		forkProvider(ws, i)
		p := &ws.Providers[i]
		p.Offerings = upsert(p.Offerings, in.Body, func(o remit.Offering) bool { return o.ID == in.Offering })
		return nil
	}, modelEditor)
}

type offeringDeleteInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match"`
}

func (s *server) handleOfferingDelete(ctx context.Context, in *offeringDeleteInput) (*struct{}, error) {
	ref := remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
	_, err := s.change(ctx, remit.KindOffering, ref, in.IfMatch, func(ws *remit.Workspace) error {
		i := slices.IndexFunc(ws.Providers, func(p remit.Provider) bool { return p.ID == in.Provider })
		if i < 0 {
			return notFound("provider", in.Provider)
		}
		forkProvider(ws, i)
		var ok bool
		if ws.Providers[i].Offerings, ok = remove(ws.Providers[i].Offerings, func(o remit.Offering) bool { return o.ID == in.Offering }); !ok {
			return notFound("offering", ref)
		}
		return nil
	}, modelEditor)
	return nil, err
}
