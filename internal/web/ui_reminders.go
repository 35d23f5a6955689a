package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"remit/internal/remit"
)

// RemindersPage is someone's own reminder preferences.
type RemindersPage struct {
	basePage
	Prefs   remit.ReminderPrefs
	Version int64
	Kinds   []reminderKind
}

type reminderKind struct {
	Kind   remit.ReminderKind
	Says   string
	Wanted bool
}

func (s *server) remindersPage(r *http.Request) (*RemindersPage, error) {
	p := user(r)
	prefs, v, err := s.Service.ReminderPrefsOf(r.Context(), p.Email)
	if err != nil {
		return nil, err
	}
	pg := &RemindersPage{basePage: basePage{Title: "Your reminders", Nav: "reminders"}, Prefs: prefs, Version: v}
	for _, k := range remit.ReminderKinds {
		pg.Kinds = append(pg.Kinds, reminderKind{k.Kind, k.Says, !slices.Contains(prefs.Off, k.Kind)})
	}
	return pg, nil
}

// handleRemindersPost saves someone's preferences: the digest on or off,
// and the kinds left unticked turned off.
func (s *server) handleRemindersPost(w http.ResponseWriter, r *http.Request) error {
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	prefs := remit.ReminderPrefs{Digest: r.PostFormValue("digest") == "yes"}
	wanted := r.PostForm["kind"]
	for _, k := range remit.ReminderKinds {
		if !slices.Contains(wanted, string(k.Kind)) {
			prefs.Off = append(prefs.Off, k.Kind)
		}
	}
	if _, err := s.Service.SetReminderPrefs(r.Context(), user(r), prefs, version); err != nil {
		return err
	}
	msg := "Your reminders are saved: a daily email when there is something for you"
	if !prefs.Digest {
		msg = "Your reminders are saved: no email"
	}
	return s.redirect(w, r, "/reminders", msg)
}

// OutboxPage is, for admins, where reminders go: the webhooks, and every
// delivery of the last week.
type OutboxPage struct {
	basePage
	Webhooks              []remit.Webhook
	Deliveries            []outboxRow
	Sent, Pending, Failed int
	Days                  int
	// Form is a webhook being added, kept after an error.
	Form remit.Webhook
	// Email says whether digests can be sent (a mail server is set up).
	Email bool
}

type outboxRow struct {
	remit.Delivery
	Says, Where string
}

func (s *server) outboxPage(r *http.Request) (*OutboxPage, error) {
	p := user(r)
	hooks, err := s.Service.Webhooks(r.Context(), p)
	if err != nil {
		return nil, err
	}
	box, err := s.Service.Outbox(r.Context(), p)
	if err != nil {
		return nil, err
	}
	pg := &OutboxPage{basePage: basePage{Title: "Reminders outbox", Nav: "users"}, Webhooks: hooks, Days: 7, Email: s.Email}
	names := map[string]string{}
	for _, h := range hooks {
		names[h.ID] = h.Name
	}
	for _, d := range box {
		row := outboxRow{Delivery: d, Where: d.To}
		for _, k := range remit.ReminderKinds {
			if k.Kind == d.Reminder.Kind {
				row.Says = k.Says
			}
		}
		if d.Channel == "webhook" {
			row.Where = "webhook " + d.To
			if n, ok := names[d.To]; ok {
				row.Where = "webhook " + n
			}
		}
		switch d.Status {
		case remit.DeliverySent:
			pg.Sent++
		case remit.DeliveryFailed:
			pg.Failed++
		default:
			pg.Pending++
		}
		pg.Deliveries = append(pg.Deliveries, row)
	}
	return pg, nil
}

// handleWebhookAdd adds a webhook; a bad one re-renders the page with
// the errors against the fields.
func (s *server) handleWebhookAdd(w http.ResponseWriter, r *http.Request) error {
	wh := remit.Webhook{Name: r.PostFormValue("name"), URL: r.PostFormValue("url"), Format: remit.WebhookFormat(r.PostFormValue("format"))}
	added, err := s.Service.AddWebhook(r.Context(), user(r), wh)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		pg, perr := s.outboxPage(r)
		if perr != nil {
			return perr
		}
		pg.Form = wh
		for _, pr := range ve.Problems {
			pg.Errors = append(pg.Errors, fieldError{"webhook-" + strings.TrimPrefix(pr.Pointer, "/"), sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "outbox", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/outbox", "Webhook "+added.Name+" added: every reminder is posted to it, signed with its secret")
}

// handleWebhookRemove removes a webhook, once confirmed.
func (s *server) handleWebhookRemove(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	hooks, err := s.Service.Webhooks(r.Context(), user(r))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(hooks, func(h remit.Webhook) bool { return h.ID == id })
	if i < 0 {
		return remit.ErrNotFound
	}
	ok, err := s.confirmed(w, r, &ConfirmPage{basePage: basePage{Title: "Remove the webhook " + hooks[i].Name + "?", Nav: "users"}, Caption: "Reminders outbox",
		Warning: "Nothing more will be posted to " + hooks[i].URL + ". Reminders waiting for it are given up.",
		Action:  "/outbox/webhooks/" + url.PathEscape(id) + "/remove", Button: "Remove webhook", Cancel: "/outbox"})
	if !ok || err != nil {
		return err
	}
	if err := s.Service.RemoveWebhook(r.Context(), user(r), id); err != nil {
		return err
	}
	return s.redirect(w, r, "/outbox", "Webhook "+hooks[i].Name+" removed")
}
