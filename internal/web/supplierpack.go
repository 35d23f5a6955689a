package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"remit/internal/docx"
	"remit/internal/remit"
)

// handleSupplierPack answers GET /api/v1/providers/{id}/pack: the
// supplier as a Word document for a supplier review meeting — its record
// and tier, when it is next assessed and the evidence its tier asks for,
// its obligations by assurance (from its responsibility model, and the
// clauses of its contract and security aspects letter), its last
// assessments, open findings and evidence coming to its end.
func (s *server) handleSupplierPack(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	ctx, now := r.Context(), s.Now()
	sn := s.Service.Snapshot()
	pr, ok := sn.Provider(id)
	if !ok {
		return notFound("provider", id)
	}
	v, err := s.Service.Supplier(ctx, id)
	if err != nil {
		return err
	}
	cards, err := s.Service.Scorecards(ctx, now)
	if err != nil {
		return err
	}
	var card remit.Scorecard
	for _, c := range cards {
		if c.Provider == id {
			card = c
		}
	}
	findings, err := s.Service.Findings(ctx)
	if err != nil {
		return err
	}
	rec, sch := v.Record, v.Schedule
	d := docx.New(pr.Name + ": supplier pack")
	made := "Made by Remit on " + now.UTC().Format("2 January 2006")
	if org := sn.Header().Organisation; org != "" {
		made += " for " + org
	}
	d.Paragraph(made + " from what it held then, for a supplier review meeting. Every figure below is counted from the lists in this pack.")

	d.Heading(1, "The supplier")
	tier := fmt.Sprintf("Tier %d: %s", v.Tier, v.Why)
	if v.Set {
		tier = fmt.Sprintf("Tier %d, set by hand: %s (worked out, tier %d: %s)", v.Tier, rec.TierReason, v.Derived, v.Why)
	}
	contract := "Not recorded"
	if c := rec.Contract; c != nil {
		contract = c.Reference
		if c.Start != "" || c.End != "" {
			contract += fmt.Sprintf(", %s to %s", cmpOr(c.Start, "?"), cmpOr(c.End, "?"))
		}
		if c.Renewal != "" {
			contract += "; renewal " + words(c.Renewal)
		}
		if v.NoticeBy != "" {
			contract += "; give notice by " + v.NoticeBy
		}
	}
	var contacts, subs []string
	for _, c := range rec.Contacts {
		parts := []string{c.Name}
		if c.Role != "" {
			parts = append(parts, c.Role)
		}
		if c.Email != "" {
			parts = append(parts, c.Email)
		}
		contacts = append(contacts, strings.Join(parts, ", "))
	}
	for _, sp := range v.SubProcessors {
		s := sp.Name
		if sp.ProviderName != "" && sp.ProviderName != sp.Name {
			s += " (" + sp.ProviderName + ")"
		}
		if sp.Purpose != "" {
			s += ": " + sp.Purpose
		}
		if sp.Location != "" {
			s += ", " + sp.Location
		}
		subs = append(subs, s)
	}
	d.Table([]string{"Record", "What Remit holds"}, [][]string{
		{"Tier", tier},
		{"Systems relying on it", fmt.Sprintf("%d, directly or through another supplier", v.Systems)},
		{"Contract", contract},
		{"Where it holds our data", cmpOr(strings.Join(rec.DataLocations, ", "), "Not recorded")},
		{"Contacts", cmpOr(strings.Join(contacts, "; "), "Not recorded")},
		{"Sub-processors", cmpOr(strings.Join(subs, "; "), "None declared")},
	})

	d.Heading(1, "Its next assessment")
	due := "Due " + sch.Due
	switch {
	case sch.Overdue:
		due += " (overdue)"
	case sch.DueSoon:
		due += " (within 30 days)"
	}
	last := "it has never been assessed"
	if sch.LastAssessed != "" {
		last = "the last was signed off on " + sch.LastAssessed
	}
	d.Paragraph(docx.Bold(due), fmt.Sprintf(": every %d months against %s; %s.", sch.Months, cmpOr(sch.Questionnaire, sch.Policy.Questionnaire), last))
	switch {
	case sch.Policy.SelfAttested():
		d.Paragraph("Its tier is self-attested: its own answers suffice, without evidence.")
	case len(sch.EvidenceHeld) == 0:
		d.Paragraph(docx.Bold("Its tier asks for evidence it does not hold"), ": a current "+kindsText(sch.Policy.Evidence)+".")
	default:
		var held []string
		for _, e := range sch.EvidenceHeld {
			held = append(held, fmt.Sprintf("%s (until %s)", e.Title, cmpOr(e.Expires, "it does not expire")))
		}
		d.Paragraph("Its tier asks for a current " + kindsText(sch.Policy.Evidence) + ": it holds " + strings.Join(held, "; ") + ".")
	}

	d.Heading(1, "What it is obliged to do, and how we know")
	d.Paragraph(fmt.Sprintf("From its responsibility model: %d obligations across its offerings (each control it owes a part of, once however many systems rely on it) — %s.", card.Obligations, countsText(card.Counts)))
	type weakLine struct {
		status remit.AssuranceStatus
		row    []string
	}
	var lines []weakLine
	for _, o := range pr.Offerings {
		for _, ctl := range sn.ProviderControls(o.Ref) {
			a := sn.Evidence().Assure(remit.ObligationRef{Control: ctl.Ref, Offering: o.Ref, Mapped: ctl.Mapped}, now)
			if a.Status != remit.Assured && a.Status != remit.AssuranceUnnecessary {
				lines = append(lines, weakLine{a.Status, []string{o.Offering.Name, ctl.Ref + " " + ctl.Control.Title, words(a.Status), a.Reason}})
			}
		}
	}
	slices.SortStableFunc(lines, func(a, b weakLine) int {
		return slices.Index(remit.AssuranceStatuses, b.status) - slices.Index(remit.AssuranceStatuses, a.status)
	})
	weak := make([][]string, len(lines))
	for i, l := range lines {
		weak[i] = l.row
	}
	if len(weak) > 0 {
		d.Paragraph(fmt.Sprintf("The %d not assured, worst first:", len(weak)))
		d.Table([]string{"Offering", "Control", "Assurance", "Why"}, weak)
	} else if card.Obligations > 0 {
		d.Paragraph("Every one is assured.")
	}
	if len(v.Clauses) > 0 {
		d.Paragraph(fmt.Sprintf("From its contract and security aspects letter: %d clauses — %s.", len(v.Clauses), countsText(v.ClauseCounts)))
		var rows [][]string
		for _, c := range v.Clauses {
			rows = append(rows, []string{c.Title, words(c.Source), words(c.Assurance.Status), c.Assurance.Reason})
		}
		d.Table([]string{"Clause", "From", "Assurance", "Why"}, rows)
	} else {
		d.Paragraph("No clause of its contract or security aspects letter is recorded.")
	}

	d.Heading(1, "Its last assessments")
	var as [][]string
	for _, o := range pr.Offerings {
		var latest *remit.SupplierAssessment
		for _, a := range sn.Assessments() {
			if a.Offering == o.Ref && a.Status == remit.AssessmentCompleted && a.SignedOff != nil && (latest == nil || a.SignedOff.After(*latest.SignedOff)) {
				latest = &a
			}
		}
		if latest == nil {
			as = append(as, []string{o.Offering.Name, "Never assessed", "", ""})
			continue
		}
		results := map[remit.Result]int{}
		for _, pa := range latest.Principles {
			results[pa.Result]++
		}
		var rs []string
		for _, res := range remit.Results {
			if n := results[res]; n > 0 {
				rs = append(rs, fmt.Sprintf("%d %s", n, words(res)))
			}
		}
		as = append(as, []string{o.Offering.Name, latest.SignedOff.UTC().Format(time.DateOnly) + " by " + latest.SignedOffBy, latest.ValidUntil, strings.Join(rs, ", ") + ". " + latest.Conclusion})
	}
	if len(as) > 0 {
		d.Table([]string{"Offering", "Signed off", "Valid until", "Principles and conclusion"}, as)
	} else {
		d.Paragraph("It has no offerings to assess.")
	}

	d.Heading(1, "Open findings")
	var fs [][]string
	refs := map[string]bool{}
	for _, o := range pr.Offerings {
		refs[o.Ref] = true
	}
	for _, f := range findings {
		if f.Status == remit.FindingClosed {
			continue
		}
		concerns := slices.ContainsFunc(f.Clauses, func(c string) bool { return strings.HasPrefix(c, id+"/") }) ||
			slices.ContainsFunc(f.Obligations, func(o string) bool {
				oid, err := remit.ParseObligationID(o)
				return err == nil && !oid.Whole() && refs[oid.Offering.String()]
			})
		if concerns {
			due := cmpOr(f.Due, "no date")
			if f.Overdue(now) {
				due += " (overdue)"
			}
			fs = append(fs, []string{f.Title, words(f.Severity), cmpOr(f.Owner, "Not assigned"), due})
		}
	}
	if len(fs) > 0 {
		d.Table([]string{"Finding", "Severity", "Owner", "Due"}, fs)
	} else {
		d.Paragraph("None concerns it.")
	}

	d.Heading(1, "Evidence coming to its end")
	soon := now.AddDate(0, 0, 90).UTC().Format(time.DateOnly)
	var evs [][]string
	for _, ev := range sn.AllEvidence() {
		if ev.Expires == "" || ev.Expires > soon || !slices.ContainsFunc(ev.Supports, func(sp remit.Support) bool {
			return sp.On == remit.SupportOffering && refs[sp.Ref] || sp.On == remit.SupportClause && strings.HasPrefix(sp.Ref, id+"/")
		}) {
			continue
		}
		state := "expires " + ev.Expires
		if !ev.Counts(now) {
			state = "expired " + ev.Expires
		}
		evs = append(evs, []string{ev.Title, words(ev.Kind), state})
	}
	slices.SortFunc(evs, func(a, b []string) int { return strings.Compare(a[2][len(a[2])-10:], b[2][len(b[2])-10:]) })
	if len(evs) > 0 {
		d.Table([]string{"Evidence", "Kind", "When"}, evs)
	} else {
		d.Paragraph("None of its evidence expires in the next 90 days, and none has expired.")
	}

	var buf bytes.Buffer
	if err := d.Write(&buf, "Remit", now); err != nil {
		return err
	}
	return s.sendDocument(w, buf.Bytes(), docxType, fmt.Sprintf("supplier-pack-%s-%s.docx", id, s.day()))
}

func kindsText(ks []remit.EvidenceKind) string {
	var out []string
	for _, k := range ks {
		out = append(out, words(k))
	}
	return strings.Join(out, " or ")
}

func countsText(counts map[remit.AssuranceStatus]int) string {
	var out []string
	for _, st := range remit.AssuranceStatuses {
		if n := counts[st]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, words(st)))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
