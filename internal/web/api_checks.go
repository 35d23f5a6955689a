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
	"remit/internal/service"
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

type routedChecksInput struct {
	System          string `query:"system" doc:"The system the results are about; leave out to go by the accounts, repositories and tags the workspace's checks files name"`
	Format          string `query:"format" enum:"sarif,ocsf,asff,junit" required:"true" doc:"The results file's format"`
	ContentEncoding string `header:"Content-Encoding" doc:"gzip, or nothing"`
	RawBody         []byte `contentType:"application/octet-stream" doc:"The results file"`
}

type routedChecksOutput struct {
	Status int
	Body   service.Ingest
}

func (s *server) handleChecksIngest(ctx context.Context, in *checksInput) (*checksOutput, error) {
	got, err := s.ingestChecks(ctx, in.ID, in.Format, in.ContentEncoding, in.RawBody)
	if err != nil {
		return nil, err
	}
	return &checksOutput{Status: 201, Body: got.Runs[0]}, nil
}

func (s *server) handleRoutedChecksIngest(ctx context.Context, in *routedChecksInput) (*routedChecksOutput, error) {
	got, err := s.ingestChecks(ctx, in.System, in.Format, in.ContentEncoding, in.RawBody)
	if err != nil {
		return nil, err
	}
	return &routedChecksOutput{Status: 201, Body: got}, nil
}

// ingestChecks reads a results file as sent (gzipped or not) and hands
// it in, for system or (when "") the systems the checks files say.
func (s *server) ingestChecks(ctx context.Context, system, format, encoding string, raw []byte) (service.Ingest, error) {
	p, err := reader(ctx)
	if err != nil {
		return service.Ingest{}, err
	}
	var body io.Reader = bytes.NewReader(raw)
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return service.Ingest{}, huma.Error400BadRequest("the body is not gzip: " + err.Error())
		}
		body = io.LimitReader(zr, checks.MaxBytes+1)
	default:
		return service.Ingest{}, huma.Error415UnsupportedMediaType(fmt.Sprintf("Content-Encoding %q is not taken: send the file as it is, or gzipped", encoding))
	}
	run, err := checks.Read(checks.Format(format), body)
	var ce *checks.Error
	if errors.As(err, &ce) {
		loc := "body"
		if ce.Where != "" {
			loc = "body." + ce.Where
		}
		return service.Ingest{}, huma.Error422UnprocessableEntity("the results file has a problem", &huma.ErrorDetail{Location: loc, Message: ce.Msg})
	}
	if err != nil {
		return service.Ingest{}, huma.Error400BadRequest("the body could not be read: " + err.Error())
	}
	got, err := s.Service.IngestChecks(ctx, p, system, run)
	if err != nil {
		return service.Ingest{}, s.problem(ctx, err)
	}
	return got, nil
}
