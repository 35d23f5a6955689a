package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/checks"
	"remit/internal/remit"
)

// maxChecksBody bounds a results file sent to the API (gzipped or not).
const maxChecksBody = 64 << 20

type checksInput struct {
	ID              string `path:"id" doc:"The system the results are about"`
	Format          string `query:"format" enum:"sarif,ocsf,asff,junit" required:"true" doc:"The results file's format"`
	ContentEncoding string `header:"Content-Encoding" doc:"gzip, or nothing"`
	// RawBody: the file as the tool wrote it (SARIF, OCSF or ASFF JSON, or
	// JUnit XML), gzipped or not.
	RawBody []byte `contentType:"application/octet-stream" doc:"The results file"`
}

type checksOutput struct {
	Status int
	Body   remit.CheckRun
}

func (s *server) handleChecksIngest(ctx context.Context, in *checksInput) (*checksOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var body io.Reader = bytes.NewReader(in.RawBody)
	switch strings.ToLower(strings.TrimSpace(in.ContentEncoding)) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, huma.Error400BadRequest("the body is not gzip: " + err.Error())
		}
		body = io.LimitReader(zr, checks.MaxBytes+1)
	default:
		return nil, huma.Error415UnsupportedMediaType(fmt.Sprintf("Content-Encoding %q is not taken: send the file as it is, or gzipped", in.ContentEncoding))
	}
	run, err := checks.Read(checks.Format(in.Format), body)
	var ce *checks.Error
	if errors.As(err, &ce) {
		loc := "body"
		if ce.Where != "" {
			loc = "body." + ce.Where
		}
		return nil, huma.Error422UnprocessableEntity("the results file has a problem", &huma.ErrorDetail{Location: loc, Message: ce.Msg})
	}
	if err != nil {
		return nil, huma.Error400BadRequest("the body could not be read: " + err.Error())
	}
	cr, err := s.Service.IngestChecks(ctx, p, in.ID, run)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &checksOutput{Status: 201, Body: cr}, nil
}
