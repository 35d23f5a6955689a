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
	ID      string `path:"id" doc:"The catalogue's id"`
	IfMatch string `header:"If-Match" doc:"The catalogue's ETag, or \"0\" to create it"`
	// RawBody, not Body: the document is checked for size before anything
	// decodes it.
	RawBody []byte `contentType:"application/json" doc:"An OSCAL JSON catalog document"`
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
	c, err := oscal.ReadCatalog("body", in.RawBody)
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
	// RawBody, not Body: the documents are checked for size before
	// anything decodes them.
	RawBody []byte `contentType:"application/json" doc:"A JSON object: profile, an OSCAL JSON profile document, and catalog, the OSCAL JSON catalog document every import reads"`
}

type profileResolveOutput struct {
	Status int
	Body   json.RawMessage
}

func (s *server) handleProfileResolve(ctx context.Context, in *profileResolveInput) (*profileResolveOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	if err := oscal.CheckSize("body", in.RawBody); err != nil {
		return nil, oscalProblem(err)
	}
	var body struct {
		Profile json.RawMessage `json:"profile"`
		Catalog json.RawMessage `json:"catalog"`
	}
	if err := json.Unmarshal(in.RawBody, &body); err != nil || body.Profile == nil || body.Catalog == nil {
		return nil, huma.Error422UnprocessableEntity(`the body must be a JSON object {"profile": an OSCAL profile, "catalog": an OSCAL catalog}`)
	}
	p, err := oscal.ReadProfile("profile", body.Profile)
	if err != nil {
		return nil, oscalProblem(err)
	}
	c, err := oscal.ReadCatalog("catalog", body.Catalog)
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
