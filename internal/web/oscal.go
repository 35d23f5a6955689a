package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/oscal"
	"remit/internal/remit"
)

type catalogueImportInput struct {
	ID      string          `path:"id" doc:"The catalogue's id"`
	IfMatch string          `header:"If-Match" doc:"The catalogue's ETag, or \"0\" to create it"`
	Body    json.RawMessage `doc:"An OSCAL JSON catalog document"`
}

type catalogueImportOutput struct {
	Status int
	ETag   string `header:"ETag"`
	Body   oscal.CatalogueReport
}

// oscalProblem turns a document's problem into a 422 naming where it is.
func oscalProblem(err error) error {
	var oe *oscal.Error
	var re *oscal.ResolveError
	switch {
	case errors.As(err, &oe):
		loc := "body"
		if oe.Path != "" {
			loc = "body." + oe.Path
		}
		msg := oe.Message
		if oe.Line > 0 {
			msg = fmt.Sprintf("line %d, column %d: %s", oe.Line, oe.Column, msg)
		}
		return huma.Error422UnprocessableEntity("the OSCAL document has a problem", &huma.ErrorDetail{Location: loc, Message: msg})
	case errors.As(err, &re):
		details := make([]error, len(re.Problems))
		for i, p := range re.Problems {
			details[i] = &huma.ErrorDetail{Location: "body.profile", Message: p}
		}
		return huma.Error422UnprocessableEntity("the profile does not resolve against the catalog", details...)
	}
	return err
}

func (s *server) handleCatalogueImport(ctx context.Context, in *catalogueImportInput) (*catalogueImportOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActEditModel, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("%s may not change catalogues", p.Role.Article()))
	}
	c, err := oscal.ReadCatalog("body", in.Body)
	if err != nil {
		return nil, oscalProblem(err)
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	cat, rep := oscal.ToCatalogue(c, in.ID)
	_, v, _, err := s.Service.ImportCatalogue(ctx, p, cat, version, false)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	// The areas set by hand are kept: what is still without one is what
	// the catalogue now holds.
	rep.NoArea = rep.NoArea[:0]
	if stored, ok := s.Service.Snapshot().Catalogue(in.ID); ok {
		for _, ctl := range stored.Controls {
			if ctl.Area == "" {
				rep.NoArea = append(rep.NoArea, ctl.ID)
			}
		}
	}
	status := http.StatusOK
	if version == 0 {
		status = http.StatusCreated
	}
	return &catalogueImportOutput{Status: status, ETag: etag(v), Body: rep}, nil
}

type profileResolveInput struct {
	Body struct {
		Profile json.RawMessage `json:"profile" doc:"An OSCAL JSON profile document"`
		Catalog json.RawMessage `json:"catalog" doc:"The OSCAL JSON catalog document every import reads"`
	}
}

type profileResolveOutput struct {
	Status int
	Body   json.RawMessage
}

func (s *server) handleProfileResolve(ctx context.Context, in *profileResolveInput) (*profileResolveOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	p, err := oscal.ReadProfile("profile", in.Body.Profile)
	if err != nil {
		return nil, oscalProblem(err)
	}
	c, err := oscal.ReadCatalog("catalog", in.Body.Catalog)
	if err != nil {
		return nil, oscalProblem(err)
	}
	resolved, err := oscal.Resolve(p, func(string) (*oscal.Catalog, error) { return c, nil }, s.Now())
	if err != nil {
		return nil, oscalProblem(err)
	}
	doc, err := oscal.Marshal(oscal.KindCatalog, resolved)
	return &profileResolveOutput{Status: http.StatusOK, Body: doc}, err
}
