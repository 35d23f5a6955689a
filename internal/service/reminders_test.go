package service_test

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"remit/internal/notify"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/smtptest"
)

// TestReminders: what is due is found, sent to the accounts it is for
// (owners, teams' members) as one email digest a day through a real SMTP
// server, and posted to a webhook signed with its secret, retried after
// a failure; each event once, however often the sweep runs; a person's
// preferences hold back the kinds they turned off; a statement change
// that moves a system's obligations is queued with the change.
func TestReminders(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		f.addUsers(t, editor, owner, assessor, outsider)
		now := f.clock.Now() // 2026-11-29
		ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
		if _, err := f.svc.Track(ctx, editor, ours[0].ID, remit.Tracking{Status: remit.StatusInProgress, Due: "2026-11-20"}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddEvidence(ctx, outsider, remit.Evidence{Kind: remit.EvidencePolicy, Title: "Hosting policy", URL: "https://example.gov.uk/p", Expires: "2026-12-03",
			Supports: []remit.Support{{On: remit.SupportSystem, Ref: "delivery-pipelines"}}}, "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "Single region", Category: "operational", Inherent: remit.Score{Likelihood: 2, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3},
			Owner: owner.Email, Review: "2026-12-02"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddFinding(ctx, assessor, remit.Finding{Title: "Admin accounts unreviewed", Severity: "high", Status: "open", Owner: assessor.Email, Due: "2026-11-25"}); err != nil {
			t.Fatal(err)
		}
		// The outsider wants no evidence reminders by email.
		if _, err := f.svc.SetReminderPrefs(ctx, outsider, remit.ReminderPrefs{Digest: true, Off: []remit.ReminderKind{remit.RemindEvidence7}}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetReminderPrefs(ctx, outsider, remit.ReminderPrefs{Digest: true, Off: []remit.ReminderKind{"nonsense"}}, 1); err == nil {
			t.Error("a preference for an unknown kind was taken")
		}

		// A webhook that fails once, then takes what it is sent.
		var mu sync.Mutex
		var posted [][]byte
		var signatures []string
		fail := true
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if fail {
				fail = false
				http.Error(w, "try later", http.StatusServiceUnavailable)
				return
			}
			posted, signatures = append(posted, body), append(signatures, r.Header.Get("X-Remit-Signature"))
		}))
		defer hook.Close()
		if _, err := f.svc.AddWebhook(ctx, editor, remit.Webhook{Name: "#security", URL: hook.URL, Format: remit.WebhookSlack}); err == nil {
			t.Error("an editor added a webhook")
		}
		wh, err := f.svc.AddWebhook(ctx, admin, remit.Webhook{Name: "#security", URL: hook.URL, Format: remit.WebhookSlack})
		if err != nil || !strings.HasPrefix(wh.Secret, "whsec_") {
			t.Fatalf("webhook %+v: %v", wh, err)
		}

		// Every supplier the estate relies on has never been assessed, so
		// its review is due: one reminder each, for the assessors.
		cards, err := f.svc.Scorecards(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		suppliers := 0
		for _, c := range cards {
			if c.Obligations > 0 {
				suppliers++
			}
		}
		n, err := f.svc.Remind(ctx, now)
		if err != nil || n != 4+suppliers || suppliers == 0 {
			t.Fatalf("remind: %d new, %v; want the obligation, the evidence, the review, the finding and %d supplier reviews", n, err, suppliers)
		}
		if n, err := f.svc.Remind(ctx, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("the next sweep found %d again (%v)", n, err)
		}

		smtp := smtptest.Start(t)
		mailer := notify.SMTP{Addr: smtp.Addr, From: "remit@example.gov.uk"}
		// A server that refuses: nothing is marked sent, the error is kept,
		// and the next sweep tries again.
		smtp.Refuse(true)
		if sent, err := f.svc.SendDigests(ctx, mailer, "https://remit.example.gov.uk", now); sent != 0 || err == nil || !strings.Contains(err.Error(), "452") {
			t.Fatalf("digests to a refusing server: %d sent, %v", sent, err)
		}
		box, _ := f.svc.Outbox(ctx, admin)
		if i := slices.IndexFunc(box, func(d remit.Delivery) bool { return d.Channel == "email" }); i < 0 || box[i].Status != remit.DeliveryPending || box[i].Attempts != 1 || !strings.Contains(box[i].Error, "452") {
			t.Fatalf("after a refusal: %+v", box)
		}
		smtp.Refuse(false)
		sent, err := f.svc.SendDigests(ctx, mailer, "https://remit.example.gov.uk", now)
		if err != nil || sent != 3 {
			t.Fatalf("digests: %d sent, %v; want the editor's, the risk owner's and the assessor's", sent, err)
		}
		got := map[string]string{}
		for _, m := range smtp.Messages() {
			got[m.To[0]] = bodyOf(m)
		}
		if e := got[editor.Email]; !strings.Contains(e, "Obligations past their due date\r\n- "+ours[0].Title+" in Prison visits booking: was due on 2026-11-20 and is in progress\r\n  https://remit.example.gov.uk/obligations/"+ours[0].ID) {
			t.Errorf("the editor's digest:\n%s", e)
		}
		if r := got[owner.Email]; !strings.Contains(r, "Risk reviews due within 7 days\r\n- Single region: its review is due on 2026-12-02") {
			t.Errorf("the risk owner's digest:\n%s", r)
		}
		if a := got[assessor.Email]; !strings.Contains(a, "Supplier reviews due within 30 days or overdue\r\n- ") || !strings.Contains(a, "it has never been assessed (tier ") {
			t.Errorf("the assessor's digest:\n%s", a)
		}
		if _, ok := got[outsider.Email]; ok {
			t.Errorf("the outsider turned evidence reminders off, and got:\n%s", got[outsider.Email])
		}
		if sent, err := f.svc.SendDigests(ctx, mailer, "https://remit.example.gov.uk", now.Add(2*time.Hour)); err != nil || sent != 0 || len(smtp.Messages()) != 3 {
			t.Errorf("a second digest the same day: %d (%v)", sent, err)
		}

		// A statement change that moves prison-visits' obligations is queued
		// with the change, for the team.

		v, _ := f.svc.Snapshot().Version("offering", "aws/ec2")
		if _, err := f.svc.SetStatement(ctx, editor, "aws/ec2", remit.Statement{Control: "srm:SRM-03", Class: remit.Inherited, Provider: "AWS patches guest operating systems too."}, v); err != nil {
			t.Fatal(err)
		}
		tomorrow := now.AddDate(0, 0, 1)
		smtpBefore := len(smtp.Messages())
		if sent, err := f.svc.SendDigests(ctx, mailer, "https://remit.example.gov.uk", tomorrow); err != nil || sent != 1 {
			t.Fatalf("tomorrow's digests: %d (%v)", sent, err)
		}
		last := smtp.Messages()[smtpBefore]
		if body := bodyOf(last); last.To[0] != editor.Email || !strings.Contains(body, "Provider model changes that move your systems' obligations\r\n- Amazon EC2 (Amazon Web Services): srm:SRM-03: organisation-specific → inherited; 1 system relies on it (Prison visits booking)") {
			t.Errorf("the model change digest to %v:\n%s", last.To, body)
		}

		// Webhooks: each reminder once, signed; the first post fails and is
		// tried again.
		ids, err := f.svc.PendingWebhooks(ctx, tomorrow)
		if err != nil || len(ids) != 5+suppliers {
			t.Fatalf("pending webhooks %v (%v)", ids, err)
		}
		client := &http.Client{Timeout: 5 * time.Second}
		if err := f.svc.DeliverWebhook(ctx, client, ids[0], "https://remit.example.gov.uk"); err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("the first post: %v", err)
		}
		for _, id := range ids {
			if err := f.svc.DeliverWebhook(ctx, client, id, "https://remit.example.gov.uk"); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.DeliverWebhook(ctx, client, ids[0], "https://remit.example.gov.uk"); err != nil || len(posted) != 5+suppliers {
			t.Fatalf("a delivery sent twice: %d posts (%v)", len(posted), err)
		}
		for i, body := range posted {
			var slack map[string]string
			if err := json.Unmarshal(body, &slack); err != nil || !strings.HasPrefix(slack["text"], "*") || !strings.Contains(slack["text"], "<https://remit.example.gov.uk/") {
				t.Errorf("Slack body %s (%v)", body, err)
			}
			if signatures[i] != remit.Sign(wh.Secret, body) {
				t.Errorf("signature %q", signatures[i])
			}
		}
		box, err = f.svc.Outbox(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var first remit.Delivery
		for _, d := range box {
			if d.ID == ids[0] {
				first = d
			}
		}
		if first.Status != remit.DeliverySent || first.Attempts != 2 || !slices.ContainsFunc(box, func(d remit.Delivery) bool { return d.Channel == "email" && d.Status == remit.DeliverySent }) {
			t.Errorf("the outbox: first webhook %+v", first)
		}
		if _, err := f.svc.Outbox(ctx, editor); err == nil {
			t.Error("an editor read the outbox")
		}
	})
}

// bodyOf is a message's text, quoted-printable decoded.
func bodyOf(m smtptest.Message) string {
	_, body, _ := strings.Cut(string(m.Data), "\r\n\r\n")
	b, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	return string(b)
}
