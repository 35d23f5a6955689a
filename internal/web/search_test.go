package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
