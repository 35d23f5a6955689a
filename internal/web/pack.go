package web

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"remit/internal/docx"
	"remit/internal/remit"
	"remit/internal/service"
)

// docxType is a Word document's media type.
const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// ownerOf says whom an obligation falls to: its named owner, else the
// system's team, else no one.
func ownerOf(t remit.Tracking, team string) string {
	switch owner := strings.TrimSpace(t.Owner); {
	case owner != "":
		return owner
	case team != "":
		return team + " (the system's team)"
	}
	return "Not assigned"
}

// handleSystemPack answers GET /api/v1/systems/{id}/pack: the system as
// a Word document for a risk board — who runs its controls, what is
// still ours and who owns it, what we rely on providers for and how we
// know, its risks, open findings and evidence — from one snapshot.
func (s *server) handleSystemPack(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	sn, now := s.Service.Snapshot(), s.Now()
	sys, sum, ok := sn.System(id)
	if !ok {
		return notFound("system", id)
	}
	ours, _ := sn.OursOf(id, service.OursFilter{}, now, func(n int) (int, int) { return 0, n })
	sn.Assure(ours.Page, now)
	day := now.UTC().Format(time.DateOnly)
	org := sn.Header().Organisation

	d := docx.New(sys.Name + ": system pack")
	made := "Made by Remit on " + now.UTC().Format("2 January 2006")
	if org != "" {
		made += " for " + org
	}
	d.Paragraph(made + " from what it held then. Every figure below is counted from the lists in this pack.")
	d.Table([]string{"System", "Owner", "Team", "Classification", "Baseline"}, [][]string{{sys.Name + " (" + sys.ID + ")", cmpOr(sys.Owner, "Not recorded"), cmpOr(sys.Team, "No team"),
		cmpOr(sys.Classification, "Not recorded"), baselineText(sys.Baseline)}})

	d.Heading(1, "Who runs its controls")
	total := sum.Inherited + sum.Shared + sum.OrganisationSpecific + sum.NotApplicable
	d.Paragraph(fmt.Sprintf("Of its %d controls, the providers run %d (inherited), %d are shared and %d are ours alone (organisation-specific); %d do not apply. %d rest on a provider's assumed default rather than a statement.",
		total, sum.Inherited, sum.Shared, sum.OrganisationSpecific, sum.NotApplicable, sum.Assumed))

	d.Heading(1, "What is still ours")
	var statuses []string
	for _, st := range remit.ObligationStatuses {
		if n := ours.ByStatus[st]; n > 0 {
			statuses = append(statuses, fmt.Sprintf("%d %s", n, words(st)))
		}
	}
	d.Paragraph(docx.Bold(fmt.Sprintf("%d obligations are ours", ours.Total)), fmt.Sprintf(": %s. %d are not yet implemented, %d of them past their due date. %d have a named owner; the rest fall to %s.",
		strings.Join(statuses, ", "), ours.Open, ours.Overdue, ours.Named, cmpOr(sys.Team, "no one (the system has no team)"))+
		" Every control that is organisation-specific or shared gives us one obligation for each offering that leaves us a part, and one when no offering covers it.")
	var open, late, done [][]string
	for _, o := range ours.Page {
		t := remit.DefaultTracking
		if o.Tracking != nil {
			t = *o.Tracking
		}
		assurance := ""
		if o.Assurance != nil {
			assurance = words(o.Assurance.Status)
		}
		due := t.Due
		if t.Overdue(day) {
			due += " (overdue)"
		}
		row := []string{o.Control + " " + o.Title, cmpOr(offeringWords(sn, o.Offering), "no offering covers it"), ownerOf(t, sys.Team), words(t.Status), due, assurance}
		switch {
		case t.Overdue(day):
			late = append(late, row)
		case t.Open():
			open = append(open, row)
		default:
			done = append(done, row)
		}
	}
	open = append(late, open...) // overdue first, then by control
	head := []string{"Control", "With", "Owner", "Status", "Due", "Assurance"}
	d.Heading(2, fmt.Sprintf("Not yet implemented (%d)", len(open)))
	if len(open) > 0 {
		d.Table(head, open)
	} else {
		d.Paragraph("None.")
	}
	d.Heading(2, fmt.Sprintf("Implemented or not applicable (%d)", len(done)))
	if len(done) > 0 {
		d.Table(head, done)
	}

	d.Heading(1, "What we rely on providers for")
	var rel [][]string
	for _, x := range sn.Reliance(id, now) {
		var counts []string
		for _, k := range slices.Sorted(maps.Keys(x.Counts)) {
			counts = append(counts, strconv.Itoa(x.Counts[k])+" "+words(k))
		}
		rel = append(rel, []string{x.Name, strconv.Itoa(x.Obligations), strings.Join(counts, ", "), cmpOr(strings.Join(x.Evidence, "; "), "none")})
	}
	if len(rel) > 0 {
		d.Table([]string{"Offering", "Providers' obligations", "Assurance today", "Evidence"}, rel)
	} else {
		d.Paragraph("It relies on no offering.")
	}

	d.Heading(1, "Risks")
	var risks [][]string
	for _, x := range systemRisks(sn, id, now) {
		rr := x.Risk
		above := ""
		if x.Above {
			above = "above appetite"
		}
		acc := ""
		if rr.Acceptance != nil {
			acc = "accepted by " + rr.Acceptance.By + " until " + rr.Acceptance.Until
		}
		risks = append(risks, []string{rr.Title, words(x.Status), strconv.Itoa(rr.Residual.Value()) + " " + above, cmpOr(rr.Owner, "Not assigned"), cmpOr(rr.Review, "not set"), acc})
	}
	if len(risks) > 0 {
		d.Table([]string{"Risk", "Status", "Residual score", "Owner", "Next review", "Acceptance"}, risks)
	} else {
		d.Paragraph("No risk in the register concerns this system or the offerings it relies on.")
	}

	d.Heading(1, "Open findings")
	findings, err := s.findings(r.Context())
	if err != nil {
		return err
	}
	var fs [][]string
	for _, f := range findings {
		if f.Status == remit.FindingClosed || !slices.ContainsFunc(f.Obligations, func(o string) bool { return strings.HasPrefix(o, id+"/") }) {
			continue
		}
		due := f.Due
		if f.Overdue {
			due += " (overdue)"
		}
		fs = append(fs, []string{f.Title, string(f.Severity), cmpOr(f.Owner, "Not assigned"), due, words(f.Status)})
	}
	if len(fs) > 0 {
		d.Table([]string{"Finding", "Severity", "Owner", "Due", "Status"}, fs)
	} else {
		d.Paragraph("None concerns its obligations.")
	}

	d.Heading(1, "Evidence for it")
	var evs [][]string
	for _, ev := range sn.AllEvidence() {
		if !slices.ContainsFunc(ev.Supports, func(sp remit.Support) bool {
			return sp.On == remit.SupportSystem && sp.Ref == id || sp.On == remit.SupportObligation && strings.HasPrefix(sp.Ref, id+"/")
		}) {
			continue
		}
		state := "counts"
		if !ev.Counts(now) {
			state = "does not count"
		}
		evs = append(evs, []string{ev.Title, words(ev.Kind), cmpOr(ev.Expires, "does not expire"), state})
	}
	if len(evs) > 0 {
		d.Table([]string{"Evidence", "Kind", "Expires", "Today"}, evs)
	} else {
		d.Paragraph("No evidence names the system or its obligations; evidence for its providers is under what we rely on providers for.")
	}

	var buf bytes.Buffer
	if err := d.Write(&buf, "Remit", now); err != nil {
		return err
	}
	return s.sendDocument(w, buf.Bytes(), docxType, fmt.Sprintf("system-pack-%s-%s.docx", id, s.day()))
}

func cmpOr(s, otherwise string) string {
	if strings.TrimSpace(s) == "" {
		return otherwise
	}
	return s
}

// baselineText says what a baseline is in words.
func baselineText(b remit.Baseline) string {
	if b.All {
		return "every control of " + b.Catalogue
	}
	return fmt.Sprintf("%d controls of %s", len(b.Controls), b.Catalogue)
}

// offeringWords names an offering: "Amazon EC2 (Amazon Web Services)".
func offeringWords(sn *service.Snapshot, ref string) string {
	if o, ok := sn.Offering(ref); ok && o.Offering != nil {
		return o.Offering.Name + " (" + o.ProviderName + ")"
	}
	return ref
}
