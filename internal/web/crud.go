package web

import (
	"context"
	"fmt"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
	"remit/internal/service"
)

// versioned is what a change through the API needs before calling the
// service: the principal, refused at once if it may do nothing of the
// kind (before looking anything up, so a refusal never tells what
// exists), and the version its If-Match quotes.
func versioned(ctx context.Context, ifMatchHeader string, may func(remit.Principal) bool) (remit.Principal, int64, error) {
	p, err := reader(ctx)
	if err != nil {
		return p, 0, err
	}
	if !may(p) {
		return p, 0, huma.Error403Forbidden(fmt.Sprintf("%s may not change this", p.Role.Article()))
	}
	version, err := ifMatch(ifMatchHeader)
	return p, version, err
}

// editsSystems and editsModels say who may change systems and models at all.
func editsSystems(p remit.Principal) bool { return p.MayAny(remit.ActEditSystem) }
func editsModels(p remit.Principal) bool  { return p.May(remit.ActEditModel, "") }

// etagOf answers a change with the new version, or its problem.
func (s *server) etagOf(ctx context.Context, v int64, err error) (*versionOutput, error) {
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &versionOutput{ETag: etag(v)}, nil
}

func notFound(what, id string) error { return fmt.Errorf("no %s %q: %w", what, id, remit.ErrNotFound) }

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
	p, version, err := versioned(ctx, in.IfMatch, editsSystems)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.PutSystem(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type deleteInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match"`
}

func (s *server) handleSystemDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsSystems)
	if err != nil {
		return nil, err
	}
	if err := s.Service.DeleteSystem(ctx, p, in.ID, version); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
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
	p, version, err := versioned(ctx, in.IfMatch, editsSystems)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.AttachOffering(ctx, p, in.ID, remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String(), in.Body.Purpose, version)
	return s.etagOf(ctx, v, err)
}

type useDeleteInput struct {
	ID       string `path:"id"`
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match"`
}

// handleUseDelete detaches an offering from a system.
func (s *server) handleUseDelete(ctx context.Context, in *useDeleteInput) (*versionOutput, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsSystems)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.DetachOffering(ctx, p, in.ID, remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String(), version)
	return s.etagOf(ctx, v, err)
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
	in.Body.ID = in.ID
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.PutCatalogue(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

func (s *server) handleCatalogueDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	if err := s.Service.DeleteCatalogue(ctx, p, in.ID, version); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

type controlPutInput struct {
	Catalogue string `path:"catalogue"`
	Control   string `path:"control"`
	IfMatch   string `header:"If-Match" doc:"The catalogue's ETag"`
	Body      remit.Control
}

func (s *server) handleControlPut(ctx context.Context, in *controlPutInput) (*versionOutput, error) {
	in.Body.ID = in.Control
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.PutControl(ctx, p, in.Catalogue, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type controlDeleteInput struct {
	Catalogue string `path:"catalogue"`
	Control   string `path:"control"`
	IfMatch   string `header:"If-Match"`
}

func (s *server) handleControlDelete(ctx context.Context, in *controlDeleteInput) (*versionOutput, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.DeleteControl(ctx, p, in.Catalogue, in.Control, version)
	return s.etagOf(ctx, v, err)
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
	sn := s.Service.Snapshot()
	v, held := sn.Version(service.KindProvider, in.ID)
	if !held {
		return nil, huma.Error404NotFound(fmt.Sprintf("no provider %q", in.ID))
	}
	out := &providerOutput{ETag: etag(v)}
	if p, ok := sn.Provider(in.ID); ok {
		out.Body = remit.Provider{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []remit.Offering{}}
		for _, o := range p.Offerings {
			out.Body.Offerings = append(out.Body.Offerings, *o.Offering)
		}
	}
	return out, nil
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
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.PutProvider(ctx, p, in.ID, in.Body.Name, version)
	return s.etagOf(ctx, v, err)
}

func (s *server) handleProviderDelete(ctx context.Context, in *deleteInput) (*struct{}, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	if err := s.Service.DeleteProvider(ctx, p, in.ID, version); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

type offeringPutInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match" doc:"The offering's ETag, or \"0\" to create it"`
	Body     remit.Offering
}

func (s *server) handleOfferingPut(ctx context.Context, in *offeringPutInput) (*versionOutput, error) {
	in.Body.ID = in.Offering
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.PutOffering(ctx, p, in.Provider, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type offeringDeleteInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	IfMatch  string `header:"If-Match"`
}

func (s *server) handleOfferingDelete(ctx context.Context, in *offeringDeleteInput) (*struct{}, error) {
	p, version, err := versioned(ctx, in.IfMatch, editsModels)
	if err != nil {
		return nil, err
	}
	if err := s.Service.DeleteOffering(ctx, p, remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String(), version); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}
