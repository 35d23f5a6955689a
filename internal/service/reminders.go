package service

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/notify"
	"remit/internal/remit"
)

// The reminders' kinds of document (listed in Kinds and doc/storage.md).
const (
	KindReminder      remit.Kind = "reminder"       // the event's key: the mark that it was found, so it is sent once
	KindDelivery      remit.Kind = "delivery"       // YYYY-MM-DD/key|email:address or …|webhook:id: one reminder to one place
	KindDigest        remit.Kind = "digest"         // address/YYYY-MM-DD: the day's digest was sent
	KindReminderPrefs remit.Kind = "reminder-prefs" // email, lower-cased: what someone wants to hear of
	KindWebhook       remit.Kind = "webhook"        // wh-<12 hex>
)

var (
	reminderMarks = collection[remit.Reminder]{kind: KindReminder, what: "reminder"}
	deliveries    = collection[remit.Delivery]{kind: KindDelivery, what: "delivery"}
	digests       = collection[digestDoc]{kind: KindDigest, what: "digest"}
	reminderPrefs = collection[remit.ReminderPrefs]{kind: KindReminderPrefs, what: "reminder preferences"}
	webhooks      = collection[remit.Webhook]{kind: KindWebhook, what: "webhook", public: func(w remit.Webhook) any { w.Secret = ""; return w }}
)

type digestDoc struct {
	Sent  time.Time `json:"sent"`
	Count int       `json:"count"`
}

// OutboxDays is how far back the outbox is kept in view: deliveries older
// than this still pending are given up on.
const OutboxDays = 7

// MaxDeliveryAttempts is how often a delivery is tried before it is
// marked failed.
const MaxDeliveryAttempts = 8

// DueReminders finds the reminders that are due on day now: evidence
// expiring within 30 and within 7 days, acceptances ending within 30
// days, risk reviews due within 7 days or overdue, obligations and
// findings past their due date, suppliers' submitted answers, supplier
// reviews due within 30 days or overdue. To names
// owners as they are written (an email, or a team) and "role:assessor"
// for every assessor (who look after suppliers' evidence and answers);
// Remind resolves them to accounts.
func (s *Service) DueReminders(ctx context.Context, now time.Time) ([]remit.Reminder, error) {
	sn := s.Snapshot()
	day := now.UTC().Format(time.DateOnly)
	in := func(days int) string { return now.UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	var out []remit.Reminder
	for _, ev := range sn.AllEvidence() {
		if ev.Expires == "" || ev.Pending || ev.Expires <= day || ev.Expires > in(30) {
			continue
		}
		kind, within := remit.RemindEvidence30, "30"
		if ev.Expires <= in(7) {
			kind, within = remit.RemindEvidence7, "7"
		}
		to := []string{ev.AddedBy}
		for _, sp := range ev.Supports {
			sys := sp.Ref
			if sp.On == remit.SupportOffering || sp.On == remit.SupportControl {
				// A supplier's evidence: the assessors look after it.
				to = append(to, "role:assessor")
				continue
			}
			if sp.On == remit.SupportObligation {
				if oid, err := remit.ParseObligationID(sp.Ref); err == nil {
					sys = oid.System
				}
			} else if sp.On != remit.SupportSystem {
				continue
			}
			if x, _, ok := sn.System(sys); ok && x.Team != "" {
				to = append(to, x.Team)
			}
		}
		out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", kind, ev.ID, ev.Expires), Kind: kind, Title: ev.Title,
			Detail: fmt.Sprintf("stops counting on %s (within %s days)", ev.Expires, within), Path: "/evidence/" + ev.ID, To: to})
	}
	risks, _ := sn.Risks()
	for _, r := range risks {
		if r.Status == remit.RiskClosed {
			continue
		}
		if a := r.Acceptance; r.Status == remit.RiskAccepted && a != nil && a.Until > day && a.Until <= in(30) {
			out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindAcceptance, r.ID, a.Until), Kind: remit.RemindAcceptance, Title: r.Title,
				Detail: "its acceptance ends on " + a.Until + ": accept it again or treat it", Path: "/risks/" + r.ID, To: []string{r.Owner}})
		}
		switch {
		case r.Review != "" && r.Review < day:
			out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindReviewOverdue, r.ID, r.Review), Kind: remit.RemindReviewOverdue, Title: r.Title,
				Detail: "its review was due on " + r.Review, Path: "/risks/" + r.ID, To: []string{r.Owner}})
		case r.Review != "" && r.Review <= in(7):
			out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindReviewDue, r.ID, r.Review), Kind: remit.RemindReviewDue, Title: r.Title,
				Detail: "its review is due on " + r.Review, Path: "/risks/" + r.ID, To: []string{r.Owner}})
		}
	}
	// Only a tracked obligation can have a due date.
	for id, tr := range sn.tracking.All() {
		if !tr.Tracking.Overdue(day) {
			continue
		}
		o, ok := sn.Obligation(id)
		if !ok {
			continue
		}
		name := o.System
		if sys, _, ok := sn.System(o.System); ok {
			name = sys.Name
		}
		owner := cmp.Or(strings.TrimSpace(tr.Tracking.Owner), o.Team)
		out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindObligationOverdue, id, tr.Tracking.Due), Kind: remit.RemindObligationOverdue,
			Title: o.Title + " in " + name, Detail: "was due on " + tr.Tracking.Due + " and is " + strings.ReplaceAll(string(tr.Tracking.Status), "-", " "),
			Path: "/obligations/" + id, To: []string{owner}})
	}
	findings, err := s.Findings(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range findings {
		if f.Overdue(now) && f.Owner != "" {
			out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindFindingOverdue, f.ID, f.Due), Kind: remit.RemindFindingOverdue, Title: f.Title,
				Detail: "was due on " + f.Due, Path: "/findings/" + f.ID, To: []string{f.Owner}})
		}
	}
	// Suppliers whose review (by their tier, or the cadence set) falls
	// due within 30 days or is past, among those the estate relies on.
	cards, err := s.Scorecards(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, c := range cards {
		if c.Obligations == 0 || c.ReviewDue == "" || c.ReviewDue > in(30) {
			continue
		}
		detail := "its review is due on " + c.ReviewDue
		if c.ReviewDue <= day {
			detail = "its review was due on " + c.ReviewDue
		}
		if c.LastAssessed == "" {
			detail = "it has never been assessed"
		}
		detail = fmt.Sprintf("%s (tier %d)", detail, c.Tier)
		if c.EvidenceMissing {
			detail += "; it holds none of the evidence its tier asks for"
		}
		out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindSupplierReview, c.Provider, c.ReviewDue), Kind: remit.RemindSupplierReview,
			Title: c.Name, Detail: detail, Path: "/providers/" + c.Provider + "#schedule", To: []string{"role:assessor"}})
	}
	out = append(out, fourthPartyLapses(sn, cards, now)...)
	err = s.read(ctx, func(tx remit.Tx) error {
		links, err := portalLinks.list(ctx, tx, "")
		for _, l := range links {
			if l.Status == remit.PortalSubmitted && l.Submitted != nil {
				out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%d", remit.RemindPortalSubmission, l.ID, l.Submitted.Unix()), Kind: remit.RemindPortalSubmission,
					Title: "Answers for " + sn.offeringName(l.Offering), Detail: "the supplier submitted them on " + l.Submitted.UTC().Format(time.DateOnly) + ": accept them or send them back",
					Path: "/assessments/" + l.Assessment + "#supplier-links", To: []string{l.CreatedBy, "role:assessor"}})
			}
		}
		return err
	})
	return out, err
}

// fourthPartyLapses are the reminders of offerings whose own assurance
// has lapsed or failed while obligations of other offerings rest on
// them: for the assessors and the teams of the systems relying on those
// offerings. An event is keyed by the day the offering's last evidence
// stopped counting ("none" when it never held any), so a new lapse is a
// new reminder and a standing one is sent once.
func fourthPartyLapses(sn *Snapshot, cards []remit.Scorecard, now time.Time) []remit.Reminder {
	short := map[string]string{} // offering → its provider's name, for those leaving obligations short
	for _, c := range cards {
		for _, o := range c.Offerings {
			if o.LeavesNotAssured > 0 {
				short[o.Offering] = c.Name
			}
		}
	}
	if len(short) == 0 {
		return nil
	}
	// The day each one's last evidence stopped counting, whatever it
	// supported of the offering (the whole of it, or one control).
	day := now.UTC().Format(time.DateOnly)
	lapsed := map[string]string{}
	for _, ev := range sn.evidence.All() {
		if ev.Expires == "" || ev.Expires > day || ev.Pending {
			continue
		}
		for _, sup := range ev.Supports {
			if _, ok := short[sup.Ref]; ok && sup.On == remit.SupportOffering && ev.Expires > lapsed[sup.Ref] {
				lapsed[sup.Ref] = ev.Expires
			}
		}
	}
	var out []remit.Reminder
	for _, ref := range slices.Sorted(maps.Keys(short)) {
		o, _ := sn.Offering(ref)
		to := []string{"role:assessor"}
		var through []string
		for _, l := range sn.OfferingChain(ref, now).ReliedOnBy {
			if l.Short == 0 {
				continue
			}
			through = append(through, fmt.Sprintf("%d of %s's obligations rest on it and are not assured through it (its own assurance of those controls: %s)", l.Short, l.Upper.Name, statusCounts(l.Own)))
			for _, sys := range sn.UsersOf(l.Upper.Ref) {
				if sys.Team != "" && !slices.Contains(to, sys.Team) {
					to = append(to, sys.Team)
				}
			}
		}
		key := cmp.Or(lapsed[ref], "none")
		provider, offering, _ := strings.Cut(ref, "/")
		out = append(out, remit.Reminder{Key: fmt.Sprintf("%s/%s/%s", remit.RemindFourthParty, ref, key), Kind: remit.RemindFourthParty,
			Title: fmt.Sprintf("%s (%s)", o.Offering.Name, short[ref]), Detail: strings.Join(through, "; "),
			Path: "/providers/" + provider + "/offerings/" + offering + "#relied-on", To: to})
	}
	return out
}

// statusCounts says counts by assurance status in words, best first.
func statusCounts(counts map[remit.AssuranceStatus]int) string {
	var out []string
	for _, st := range remit.AssuranceStatuses {
		if n := counts[st]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(st), "-", " ")))
		}
	}
	return strings.Join(out, ", ")
}

// modelChange is the reminder a statement change makes when it moves
// what is ours — its class, or what the customer must do — for the teams
// of the systems relying on the offering (directly or through another).
func modelChange(sn *Snapshot, ref string, was, now *remit.Offering, control string, version int64) (remit.Reminder, bool) {
	find := func(o *remit.Offering) remit.Statement {
		if i := slices.IndexFunc(o.Statements, func(s remit.Statement) bool { return s.Control == control }); i >= 0 {
			return o.Statements[i]
		}
		return remit.Statement{Class: "the service model's default"}
	}
	a, b := find(was), find(now)
	users := sn.UsersOf(ref)
	if (a.Class == b.Class && a.Customer == b.Customer) || len(users) == 0 {
		return remit.Reminder{}, false
	}
	var to, names []string
	for _, u := range users {
		names = append(names, u.Name)
		if u.Team != "" && !slices.Contains(to, u.Team) {
			to = append(to, u.Team)
		}
	}
	detail := fmt.Sprintf("%s: %s → %s", control, a.Class, b.Class)
	if a.Class == b.Class {
		detail = control + ": what we must do changed"
	}
	rely := "systems rely"
	if len(users) == 1 {
		rely = "system relies"
	}
	detail += fmt.Sprintf("; %d %s on it (%s)", len(users), rely, strings.Join(names, ", "))
	provider, offering, _ := strings.Cut(ref, "/")
	return remit.Reminder{Key: fmt.Sprintf("%s/%s/%s/%d", remit.RemindModelChange, ref, control, version), Kind: remit.RemindModelChange,
		Title: sn.offeringName(ref), Detail: detail, Path: "/providers/" + provider + "/offerings/" + offering, To: to}, true
}

// Remind records the reminders due now that were never found before and
// queues their deliveries: to each account they are for whose
// preferences want them (its email digest), and to every webhook. It
// returns how many reminders were new.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	rs, err := s.DueReminders(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.store.Write(ctx, func(tx remit.Tx) error {
		var err error
		n, err = queueReminders(ctx, tx, now, rs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("remind: %w", err)
	}
	return n, nil
}

// queueReminders marks each reminder found and queues its deliveries, in
// tx; a reminder marked before is skipped, so each is sent once.
func queueReminders(ctx context.Context, tx remit.Tx, now time.Time, rs []remit.Reminder) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	accts, err := users.list(ctx, tx, "")
	if err != nil {
		return 0, err
	}
	prefs := map[string]remit.ReminderPrefs{}
	docs, err := tx.Documents(ctx, KindReminderPrefs, "")
	if err != nil {
		return 0, err
	}
	for _, d := range docs {
		if prefs[d.ID], err = reminderPrefs.decode(d); err != nil {
			return 0, err
		}
	}
	hooks, err := webhooks.list(ctx, tx, "")
	if err != nil {
		return 0, err
	}
	day := now.UTC().Format(time.DateOnly)
	n := 0
	for _, r := range rs {
		r.To = recipients(r.To, accts)
		if _, err := reminderMarks.createQuietly(ctx, tx, r.Key, r, now); errors.Is(err, remit.ErrConflict) {
			continue
		} else if err != nil {
			return n, err
		}
		n++
		queue := func(channel, to string) error {
			id := day + "/" + r.Key + "|" + channel + ":" + to
			_, err := deliveries.createQuietly(ctx, tx, id, remit.Delivery{ID: id, Reminder: r, Channel: channel, To: to, Status: remit.DeliveryPending, Created: now}, now)
			return err
		}
		for _, to := range r.To {
			p, ok := prefs[to]
			if !ok {
				p = remit.DefaultReminderPrefs
			}
			if p.Wants(r.Kind) {
				if err := queue("email", to); err != nil {
					return n, err
				}
			}
		}
		for _, h := range hooks {
			if err := queue("webhook", h.ID); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// recipients turns owners as written into the accounts they mean: an
// account's email is that account; a team, every account in it;
// "role:assessor", every assessor. Disabled accounts, and names that are
// neither (a person without an account), are left out.
func recipients(owners []string, accts []accounts.Record) []string {
	var out []string
	add := func(e string) {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	for _, o := range owners {
		o = strings.TrimSpace(o)
		for _, a := range accts {
			u := a.User
			if u.Disabled {
				continue
			}
			if strings.EqualFold(u.Email, o) || slices.Contains(u.Teams, o) || o == "role:"+string(u.Role) {
				add(u.Email)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, body string) error
}

// SendDigests sends each account with reminders waiting its digest, once
// a day: every pending email delivery of the last OutboxDays in one
// message. base is Remit's public address, for links. It returns how
// many digests went; a failure to send one is recorded on its deliveries
// (and tried again at the next sweep, up to MaxDeliveryAttempts) and
// does not stop the others.
func (s *Service) SendDigests(ctx context.Context, m Mailer, base string, now time.Time) (int, error) {
	pending, err := s.pendingDeliveries(ctx, "email", now)
	if err != nil {
		return 0, err
	}
	byTo := map[string][]remit.Delivery{}
	for _, d := range pending {
		byTo[d.To] = append(byTo[d.To], d)
	}
	day := now.UTC().Format(time.DateOnly)
	sent := 0
	var errs []error
	for _, to := range slices.Sorted(maps.Keys(byTo)) {
		ds := byTo[to]
		if _, _, err := digests.get(ctx, s.store, to+"/"+day); err == nil {
			continue // today's went already: these wait for tomorrow's
		} else if !errors.Is(err, remit.ErrNotFound) {
			return sent, err
		}
		rs := make([]remit.Reminder, len(ds))
		for i, d := range ds {
			rs[i] = d.Reminder
		}
		subject, body := notify.Digest(rs, base)
		sendErr := m.Send(ctx, []string{to}, subject, body)
		if err := s.store.Write(ctx, func(tx remit.Tx) error {
			for _, d := range ds {
				if err := settle(ctx, tx, d.ID, sendErr, now); err != nil {
					return err
				}
			}
			if sendErr != nil {
				return nil
			}
			_, err := digests.createQuietly(ctx, tx, to+"/"+day, digestDoc{Sent: now, Count: len(ds)}, now)
			return err
		}); err != nil {
			return sent, err
		}
		if sendErr != nil {
			errs = append(errs, fmt.Errorf("digest to %s: %w", to, sendErr))
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}

// settle records one attempt at a delivery: sent, or the error (failed
// after MaxDeliveryAttempts).
func settle(ctx context.Context, tx remit.Tx, id string, sendErr error, now time.Time) error {
	d, doc, err := deliveries.find(ctx, tx, id)
	if err != nil {
		return err
	}
	d.Attempts++
	if sendErr == nil {
		d.Status, d.Error, d.Sent = remit.DeliverySent, "", now
	} else {
		d.Error = sendErr.Error()
		if d.Attempts >= MaxDeliveryAttempts {
			d.Status = remit.DeliveryFailed
		}
	}
	body, err := encode(d)
	if err != nil {
		return err
	}
	_, err = tx.UpdateDocument(ctx, KindDelivery, id, body, doc.Version, now)
	return err
}

// pendingDeliveries lists the deliveries of a channel still to send, from
// the last OutboxDays, oldest first.
func (s *Service) pendingDeliveries(ctx context.Context, channel string, now time.Time) ([]remit.Delivery, error) {
	var out []remit.Delivery
	err := s.read(ctx, func(tx remit.Tx) error {
		for i := OutboxDays - 1; i >= 0; i-- {
			ds, err := deliveries.list(ctx, tx, now.UTC().AddDate(0, 0, -i).Format(time.DateOnly)+"/")
			if err != nil {
				return err
			}
			for _, d := range ds {
				if d.Channel == channel && d.Status == remit.DeliveryPending {
					out = append(out, d)
				}
			}
		}
		return nil
	})
	return out, err
}

// PendingWebhooks lists the ids of webhook deliveries still to send.
func (s *Service) PendingWebhooks(ctx context.Context, now time.Time) ([]string, error) {
	ds, err := s.pendingDeliveries(ctx, "webhook", now)
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids, err
}

// DeliverWebhook posts one webhook delivery, signed, and records the
// attempt. An error means it should be tried again (River does, with
// back-off); one already sent, failed for good, or whose webhook was
// removed is not tried.
func (s *Service) DeliverWebhook(ctx context.Context, client *http.Client, id, base string) error {
	now := s.now()
	d, _, err := deliveries.get(ctx, s.store, id)
	if err != nil || d.Channel != "webhook" || d.Status != remit.DeliveryPending {
		return err
	}
	h, _, err := webhooks.get(ctx, s.store, d.To)
	if errors.Is(err, remit.ErrNotFound) {
		return s.store.Write(ctx, func(tx remit.Tx) error {
			d.Attempts = MaxDeliveryAttempts - 1
			return settleAs(ctx, tx, d, errors.New("the webhook was removed"), now)
		})
	}
	if err != nil {
		return err
	}
	body, err := notify.Payload(h.Format, d.Reminder, base)
	if err != nil {
		return err
	}
	postErr := notify.Post(ctx, client, h, d.ID, body)
	if err := s.store.Write(ctx, func(tx remit.Tx) error { return settle(ctx, tx, id, postErr, now) }); err != nil {
		return err
	}
	return postErr
}

func settleAs(ctx context.Context, tx remit.Tx, d remit.Delivery, sendErr error, now time.Time) error {
	_, doc, err := deliveries.find(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	body, err := encode(d)
	if err != nil {
		return err
	}
	if _, err := tx.UpdateDocument(ctx, KindDelivery, d.ID, body, doc.Version, now); err != nil {
		return err
	}
	return settle(ctx, tx, d.ID, sendErr, now)
}

// Outbox lists the deliveries of the last OutboxDays, newest first: for
// admins.
func (s *Service) Outbox(ctx context.Context, p remit.Principal) ([]remit.Delivery, error) {
	if !p.May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("the outbox is for admins, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	now := s.now()
	var out []remit.Delivery
	err := s.read(ctx, func(tx remit.Tx) error {
		for i := range OutboxDays {
			ds, err := deliveries.list(ctx, tx, now.UTC().AddDate(0, 0, -i).Format(time.DateOnly)+"/")
			if err != nil {
				return err
			}
			slices.SortStableFunc(ds, func(a, b remit.Delivery) int { return b.Created.Compare(a.Created) })
			out = append(out, ds...)
		}
		return nil
	})
	return out, err
}

// ReminderPrefsOf returns someone's preferences (the default when they
// never said) and their version (0 then).
func (s *Service) ReminderPrefsOf(ctx context.Context, email string) (remit.ReminderPrefs, int64, error) {
	p, v, err := reminderPrefs.get(ctx, s.store, strings.ToLower(email))
	if errors.Is(err, remit.ErrNotFound) {
		return remit.DefaultReminderPrefs, 0, nil
	}
	return p, v, err
}

// SetReminderPrefs sets the preferences of whoever p is, at the version
// read (0: never set).
func (s *Service) SetReminderPrefs(ctx context.Context, p remit.Principal, prefs remit.ReminderPrefs, version int64) (int64, error) {
	if p.Token && p.Scope != "" {
		return 0, fmt.Errorf("a %s token cannot change reminders: %w", p.Scope, remit.ErrForbidden)
	}
	if ps := prefs.Validate(); len(ps) > 0 {
		return 0, &remit.ValidationError{Problems: ps}
	}
	var out int64
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		d, err := reminderPrefs.put(ctx, tx, change{p.Email, s.now()}, strings.ToLower(p.Email), prefs, version)
		out = d.Version
		return nil, err
	})
	return out, err
}

// Webhooks lists the webhooks, with their secrets: for admins.
func (s *Service) Webhooks(ctx context.Context, p remit.Principal) ([]remit.Webhook, error) {
	if !p.May(remit.ActAdmin, "") {
		return nil, fmt.Errorf("webhooks are for admins, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	var out []remit.Webhook
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		out, err = webhooks.list(ctx, tx, "")
		return err
	})
	return out, err
}

// AddWebhook adds a webhook, giving it an id and the secret its bodies
// are signed with.
func (s *Service) AddWebhook(ctx context.Context, p remit.Principal, w remit.Webhook) (remit.Webhook, error) {
	if !p.May(remit.ActAdmin, "") {
		return remit.Webhook{}, fmt.Errorf("webhooks are set up by admins, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	w.Name, w.URL = strings.TrimSpace(w.Name), strings.TrimSpace(w.URL)
	if ps := w.Validate(); len(ps) > 0 {
		return remit.Webhook{}, &remit.ValidationError{Problems: ps}
	}
	w.ID, w.Secret, w.Created = "wh-"+randomHex(6), "whsec_"+randomHex(24), s.now()
	err := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		_, err := webhooks.create(ctx, tx, change{p.Email, s.now()}, w.ID, w)
		return nil, err
	})
	return w, err
}

// RemoveWebhook removes a webhook: nothing more is posted to it.
func (s *Service) RemoveWebhook(ctx context.Context, p remit.Principal, id string) error {
	if !p.May(remit.ActAdmin, "") {
		return fmt.Errorf("webhooks are removed by admins, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		_, d, err := webhooks.find(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return nil, webhooks.delete(ctx, tx, change{p.Email, s.now()}, id, d.Version)
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
