package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// TestSearchPages: the header's box leads to a page listing what was
// found kind by kind, each linking to its page; the API answers the same
// as JSON; a query past its limit is a problem, not a search.
func TestSearchPages(t *testing.T) {
	f := newFixture(t)
	f.withEvidence()
	resp, body := f.page("viewer", "GET", "/search?q="+url.QueryEscape("CaseTrack SOC"), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `id="site-search"`) {
		t.Error("no search box in the header")
	}
	ev := section(t, body, `data-testid="search-evidence"`, "</ul>")
	if !strings.Contains(ev, `href="/evidence/ev-`) || !strings.Contains(ev, "CaseTrack SOC 2 Type II 2026") {
		t.Errorf("evidence found:\n%s", ev)
	}
	if !strings.Contains(section(t, body, `data-testid="search-count"`, "</p>"), "for <strong>CaseTrack SOC</strong>") {
		t.Error("the count does not say what was searched for")
	}
	_, body = f.page("viewer", "GET", "/search?q=srm-03", nil)
	if c := section(t, body, `data-testid="search-control"`, "</ul>"); !strings.Contains(c, `href="/catalogues/srm#SRM-03"`) {
		t.Errorf("the control links to its row in its catalogue:\n%s", c)
	}
	_, body = f.page("viewer", "GET", "/search?q=zzzqqq", nil)
	if !strings.Contains(body, "Nothing matches <strong>zzzqqq</strong>") {
		t.Error("no word for nothing found")
	}

	status, _, raw := f.do("viewer", "GET", "/api/v1/search?q=prison+visits", nil)
	var got struct{ Results []service.SearchResult }
	if err := json.Unmarshal(raw, &got); status != http.StatusOK || err != nil || len(got.Results) == 0 || got.Results[0].Kind != "system" || got.Results[0].ID != "prison-visits" {
		t.Errorf("API search: %d %v %s", status, err, raw)
	}
	status, _, raw = f.do("viewer", "GET", "/api/v1/search", nil)
	if status != http.StatusOK || !strings.Contains(string(raw), `"results":[]`) {
		t.Errorf("an empty search: %d %s", status, raw)
	}
	status, _, raw = f.do("viewer", "GET", "/api/v1/search?q="+strings.Repeat("a", 1001), nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "q") {
		t.Errorf("a query past its limit: %d %s", status, raw)
	}
}

// TestFlashBesideTheChange: a change made in a section of the system page
// comes back to that section with its success banner there, not at the
// top of a long page; a change elsewhere keeps the banner at the top.
func TestFlashBesideTheChange(t *testing.T) {
	f := newFixture(t)
	ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	resp, _ := f.page("editor", "POST", obligationURL(ours[0].ID), url.Values{"version": {"0"}, "inline": {"yes"}, "status": {"in-progress"}, "return": {"/systems/prison-visits#ours"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/prison-visits#ours" {
		t.Fatalf("saving: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var flash string
	for _, c := range resp.Cookies() {
		if c.Name == flashCookie {
			flash = c.Name + "=" + c.Value
		}
	}
	_, body := f.page("editor", "GET", "/systems/prison-visits", nil, "Cookie", flash)
	banner := strings.Index(body, "govuk-notification-banner--success")
	if banner < 0 || banner < strings.Index(body, `id="ours"`) || banner > strings.Index(body, `data-testid="ours-count"`) {
		t.Errorf("the banner is not beside what is still ours (banner at %d, section at %d)", banner, strings.Index(body, `id="ours"`))
	}
	if strings.Count(body, "govuk-notification-banner--success") != 1 {
		t.Error("the banner shows twice")
	}
	// The same message for a page without that anchor goes at the top.
	_, body = f.page("editor", "GET", "/systems", nil, "Cookie", flash)
	if b := strings.Index(body, "govuk-notification-banner--success"); b < 0 || b > strings.Index(body, "<h1") {
		t.Error("on another page the banner is not at the top")
	}
}
