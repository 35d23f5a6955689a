package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// The lists people keep outside Remit — findings, evidence, the audit
// trail, what is still ours in a system — download as CSV, XLSX or
// Markdown (?format=, CSV by default), like the risk register. Each is
// what the list page shows, every row.

// sendTable writes a table in the format asked for, as a download named
// name-YYYY-MM-DD.
func (s *server) sendTable(w http.ResponseWriter, r *http.Request, name, title string, header []string, rows [][]string) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if !slices.Contains(report.TableFormats, format) {
		return badForm(fmt.Sprintf("format %q is not known: use xlsx, csv or markdown", format))
	}
	data, typ, ext, err := report.Table(format, title, header, rows)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, name, s.Now().UTC().Format(time.DateOnly), ext))
	h.Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

// handleFindingsExport downloads every finding, most severe first.
func (s *server) handleFindingsExport(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Service.Findings(r.Context())
	if err != nil {
		return err
	}
	now := s.Now()
	header := []string{"id", "title", "severity", "status", "owner", "due", "overdue", "source", "obligations", "raised", "raised by"}
	rows := make([][]string, 0, len(fs))
	for _, f := range fs {
		rows = append(rows, []string{f.ID, f.Title, string(f.Severity), words(f.Status), f.Owner, f.Due, strconv.FormatBool(f.Overdue(now)), f.Source,
			strings.Join(f.Obligations, " "), f.Created.UTC().Format(time.DateOnly), f.CreatedBy})
	}
	return s.sendTable(w, r, "findings", "Findings", header, rows)
}

// handleEvidenceExport downloads the evidence register.
func (s *server) handleEvidenceExport(w http.ResponseWriter, r *http.Request) error {
	now := s.Now()
	header := []string{"id", "kind", "title", "issuer", "issued", "expires", "counts today", "supports", "url", "file", "added", "added by"}
	var rows [][]string
	for _, ev := range s.Service.Snapshot().AllEvidence() {
		var sup []string
		for _, x := range ev.Supports {
			t := x.On + " " + x.Ref
			if x.Control != "" {
				t += " " + x.Control
			}
			sup = append(sup, t)
		}
		file := ""
		if ev.File != nil {
			file = ev.File.Name
		}
		rows = append(rows, []string{ev.ID, words(ev.Kind), ev.Title, ev.Issuer, ev.Issued, ev.Expires, strconv.FormatBool(ev.Counts(now)), strings.Join(sup, "; "),
			ev.URL, file, ev.Added.UTC().Format(time.DateOnly), ev.AddedBy})
	}
	return s.sendTable(w, r, "evidence", "Evidence register", header, rows)
}

// handleAuditExport downloads the audit trail, newest first, filtered as
// the page is (kind, id, actor; at most 10,000 records).
func (s *server) handleAuditExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := remit.AuditFilter{Kind: remit.Kind(q.Get("kind")), ID: q.Get("id"), Actor: q.Get("actor"), Newest: true, Limit: 10_000}
	recs, err := s.Service.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	header := []string{"seq", "at", "actor", "action", "kind", "id", "what changed"}
	rows := make([][]string, 0, len(recs))
	for _, a := range recs {
		rows = append(rows, []string{strconv.FormatInt(a.Seq, 10), a.At.UTC().Format(time.RFC3339), a.Actor, a.Action, string(a.Kind), a.ID, strings.Join(changes(a.Before, a.After), "; ")})
	}
	return s.sendTable(w, r, "audit", "Audit trail", header, rows)
}

// handleOursExport downloads what is still ours in a system — every
// obligation, or those of ?status= and ?owner= (none: no owner named) —
// with the owner it falls to, its status, due day and assurance today.
func (s *server) handleOursExport(w http.ResponseWriter, r *http.Request) error {
	id, q := r.PathValue("id"), r.URL.Query()
	f := service.OursFilter{Status: q.Get("status"), Owner: q.Get("owner"), Sort: q.Get("sort")}
	if !slices.Contains(service.OursSorts, f.Sort) {
		return badForm(fmt.Sprintf("sort %q is not known: use owner, due or status (or none, for control order)", f.Sort))
	}
	if f.Status != "" && !slices.Contains(remit.ObligationStatuses, remit.ObligationStatus(f.Status)) {
		return badForm(fmt.Sprintf("status %q is not known: use one of %s", f.Status, joinStatuses()))
	}
	if f.Owner == "none" {
		f.Owner = service.OwnerNone
	}
	sn := s.Service.Snapshot()
	now := s.Now()
	page, ok := sn.OursOf(id, f, now, func(n int) (int, int) { return 0, n })
	if !ok {
		return notFound("system", id)
	}
	sys, _, _ := sn.System(id)
	sn.Assure(page.Page, now)
	day := now.UTC().Format(time.DateOnly)
	header := []string{"obligation", "control", "title", "offering", "what we must do", "owner", "status", "due", "overdue", "assurance", "notes"}
	rows := make([][]string, 0, len(page.Page))
	for _, o := range page.Page {
		t := remit.DefaultTracking
		if o.Tracking != nil {
			t = *o.Tracking
		}
		owner := ownerOf(t, sys.Team)
		assurance := ""
		if o.Assurance != nil {
			assurance = words(o.Assurance.Status)
		}
		rows = append(rows, []string{o.ID, o.Control, o.Title, o.Offering, o.Text, owner, words(t.Status), t.Due,
			strconv.FormatBool(t.Overdue(day)), assurance, t.Notes})
	}
	return s.sendTable(w, r, "still-ours-"+id, "What is still ours: "+sys.Name, header, rows)
}

func joinStatuses() string {
	names := make([]string, len(remit.ObligationStatuses))
	for i, st := range remit.ObligationStatuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}
