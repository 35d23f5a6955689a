package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
)

// TestReminderPages: anyone sets what they want to hear of (the kinds
// left unticked are turned off); only admins see the outbox, add a
// webhook (a bad address is an error against its field, nothing added)
// and remove one (after a warning page); the outbox lists the deliveries
// the sweep queued.
func TestReminderPages(t *testing.T) {
	f := newFixture(t)
	f.withEvidence()
	resp, body := f.page("editor", "GET", "/reminders", nil)
	if resp.StatusCode != http.StatusOK || strings.Count(section(t, body, `data-testid="reminder-kinds"`, "</fieldset>"), `type="checkbox"`) != len(remit.ReminderKinds) {
		t.Fatalf("the reminders page: %d", resp.StatusCode)
	}
	form := url.Values{"version": {"0"}, "digest": {"yes"}}
	for _, k := range remit.ReminderKinds {
		if k.Kind != remit.RemindEvidence30 {
			form.Add("kind", string(k.Kind))
		}
	}
	if resp, _ := f.page("editor", "POST", "/reminders", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: %d", resp.StatusCode)
	}
	prefs, v, err := f.svc.ReminderPrefsOf(t.Context(), "editor@example.gov.uk")
	if err != nil || v != 1 || !prefs.Digest || !slices.Equal(prefs.Off, []remit.ReminderKind{remit.RemindEvidence30}) {
		t.Errorf("saved %+v at %d (%v)", prefs, v, err)
	}
	if resp, _ := f.page("editor", "POST", "/reminders", form); resp.StatusCode != http.StatusConflict {
		t.Errorf("saving from a stale page: %d", resp.StatusCode)
	}

	if resp, _ := f.page("editor", "GET", "/outbox", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor reads the outbox: %d", resp.StatusCode)
	}
	resp, body = f.page("admin", "POST", "/outbox/webhooks", url.Values{"name": {"#security"}, "url": {"hooks.slack.com/x"}, "format": {"slack"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#webhook-url"`) || !strings.Contains(body, "is not a web address") {
		t.Fatalf("a bad address: %d", resp.StatusCode)
	}
	if resp, _ := f.page("admin", "POST", "/outbox/webhooks", url.Values{"name": {"#security"}, "url": {"https://hooks.example.com/x"}, "format": {"teams"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding: %d", resp.StatusCode)
	}
	if _, err := f.svc.Remind(t.Context(), f.clock()); err != nil {
		t.Fatal(err)
	}
	_, body = f.page("admin", "GET", "/outbox", nil)
	hooks := section(t, body, `data-testid="webhooks"`, "</table>")
	if !strings.Contains(hooks, "https://hooks.example.com/x") || !strings.Contains(hooks, "Microsoft Teams") || !strings.Contains(hooks, "whsec_") {
		t.Errorf("webhooks:\n%s", hooks)
	}
	box := section(t, body, `data-testid="deliveries"`, "</table>")
	if !strings.Contains(box, "webhook #security") || !strings.Contains(box, "waiting") {
		t.Errorf("deliveries:\n%s", box)
	}
	hs, _ := f.svc.Webhooks(t.Context(), testAdmin)
	remove := "/outbox/webhooks/" + hs[0].ID + "/remove"
	if resp, body := f.page("admin", "POST", remove, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Nothing more will be posted to https://hooks.example.com/x") {
		t.Fatalf("removing asks first: %d", resp.StatusCode)
	}
	if resp, _ := f.page("admin", "POST", remove, url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing: %d", resp.StatusCode)
	}
	if hs, _ := f.svc.Webhooks(t.Context(), testAdmin); len(hs) != 0 {
		t.Errorf("still there: %+v", hs)
	}
}
