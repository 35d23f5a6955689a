package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
)

// EvidenceItem is evidence with what Remit derives about it today.
type EvidenceItem struct {
	remit.Evidence
	// Counts is true while the evidence counts (issued, not expired).
	Counts bool `json:"counts"`
	// DaysLeft is the days until it expires (negative once expired);
	// absent when it does not expire.
	DaysLeft *int `json:"days_left,omitempty"`
}

func evidenceItem(ev remit.Evidence, now time.Time) EvidenceItem {
	it := EvidenceItem{Evidence: ev, Counts: ev.Counts(now)}
	if ev.Expires != "" {
		if exp, err := time.Parse(time.DateOnly, ev.Expires); err == nil {
			today, _ := time.Parse(time.DateOnly, now.UTC().Format(time.DateOnly))
			d := int(exp.Sub(today).Hours() / 24)
			it.DaysLeft = &d
		}
	}
	return it
}

type evidenceListInput struct {
	Cursor   string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit    int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	Kind     string `query:"kind" enum:"iso-27001,soc2-type-2,cyber-essentials-plus,pci-dss,csa-star,penetration-test,security-aspects-letter,policy,attestation"`
	Expiring int    `query:"expiring" minimum:"0" maximum:"3660" doc:"Only evidence still counting that expires within this many days (30, 60, 90…)"`
	Expired  bool   `query:"expired" doc:"Only evidence that has expired"`
	Supports string `query:"supports" doc:"Only evidence supporting this target, as on:ref (offering:aws/ec2, system:prison-visits, obligation:…, control:srm:SRM-01)"`
}

// filterEvidence lists evidence matching a filter, soonest to expire first
// (evidence that never expires last).
func filterEvidence(all []remit.Evidence, now time.Time, kind string, expiring int, expired bool, supports string) ([]EvidenceItem, error) {
	var on, ref string
	if supports != "" {
		var ok bool
		if on, ref, ok = strings.Cut(supports, ":"); !ok {
			return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("supports %q is not on:ref, such as offering:aws/ec2", supports))
		}
	}
	var out []EvidenceItem
	for _, ev := range all {
		it := evidenceItem(ev, now)
		switch {
		case kind != "" && string(ev.Kind) != kind:
			continue
		case expiring > 0 && (!it.Counts || it.DaysLeft == nil || *it.DaysLeft > expiring):
			continue
		case expired && (it.DaysLeft == nil || *it.DaysLeft > 0):
			continue
		case on != "" && !slices.ContainsFunc(ev.Supports, func(s remit.Support) bool { return s.On == on && s.Ref == ref }):
			continue
		}
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b EvidenceItem) int {
		switch {
		case a.Expires == b.Expires:
			return strings.Compare(a.Title, b.Title)
		case a.Expires == "":
			return 1
		case b.Expires == "":
			return -1
		}
		return strings.Compare(a.Expires, b.Expires)
	})
	return out, nil
}

func (s *server) handleEvidenceList(ctx context.Context, in *evidenceListInput) (*listOutput[EvidenceItem], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	items, err := filterEvidence(s.Service.Snapshot().AllEvidence(), s.Now(), in.Kind, in.Expiring, in.Expired, in.Supports)
	if err != nil {
		return nil, err
	}
	return page(items, in.Cursor, in.Limit)
}

type evidenceCreateInput struct {
	Body struct {
		remit.Evidence
		FileName string `json:"file_name,omitempty" maxLength:"300" doc:"The file's name, when content is given"`
		Content  []byte `json:"content,omitempty" doc:"The file, base64-encoded; up to 20 MiB. Give a file or a url."`
	}
}

type evidenceOutput struct {
	ETag string `header:"ETag"`
	Body EvidenceItem
}

func (s *server) handleEvidenceCreate(ctx context.Context, in *evidenceCreateInput) (*evidenceOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActManageEvidence, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may read evidence but not add it", p.Role))
	}
	ev, err := s.Service.AddEvidence(ctx, p, in.Body.Evidence, in.Body.FileName, in.Body.Content)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &evidenceOutput{ETag: etag(1), Body: evidenceItem(ev, s.Now())}, nil
}

type evidenceInput struct {
	ID string `path:"id"`
}

func (s *server) handleEvidenceGet(ctx context.Context, in *evidenceInput) (*evidenceOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	ev, version, err := s.Service.EvidenceItem(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &evidenceOutput{ETag: etag(version), Body: evidenceItem(ev, s.Now())}, nil
}

type evidencePutInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The evidence's ETag"`
	Body    remit.Evidence
}

// handleEvidencePut changes what evidence says and supports (its file
// never changes: add new evidence for a new file).
func (s *server) handleEvidencePut(ctx context.Context, in *evidencePutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActManageEvidence, "") {
		return nil, huma.Error403Forbidden(fmt.Sprintf("a %s may read evidence but not change it", p.Role))
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	in.Body.ID = in.ID
	v, err := s.Service.UpdateEvidence(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

// handleEvidenceFile serves an evidence file, after checking it against
// its recorded hash. It is always a download, never rendered: the type is
// octet-stream, the disposition attachment, and a sandboxing CSP stops
// anything in it running even if a browser were to open it.
func (s *server) handleEvidenceFile(w http.ResponseWriter, r *http.Request) {
	if _, ok := principal(r.Context()); !ok {
		writeProblem(w, http.StatusUnauthorized, "sign in first: send Authorization: Bearer <token>, or sign in at POST /api/v1/session")
		return
	}
	ev, content, err := s.Service.EvidenceContent(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, remit.ErrNotFound):
		writeProblem(w, http.StatusNotFound, err.Error())
		return
	case errors.Is(err, remit.ErrIntegrity):
		s.Log.Error("evidence file integrity", "request_id", requestID(r.Context()), "err", err)
		writeProblem(w, http.StatusConflict, err.Error()+": it is not served; restore it from a copy you trust or add the evidence again")
		return
	case err != nil:
		s.Log.Error("evidence file", "request_id", requestID(r.Context()), "err", err)
		writeProblem(w, http.StatusInternalServerError, "something went wrong on our side; the request id is "+requestID(r.Context()))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.File.Name}))
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Digest", "sha-256="+ev.File.SHA256)
	_, _ = w.Write(content)
}
