package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"remit/internal/oscal"
)

const apiCatalog = `{"catalog": {"uuid": "11111111-1111-4111-8111-111111111111",
 "metadata": {"title": "Small", "last-modified": "2026-01-01T00:00:00Z", "version": "2", "oscal-version": "1.0.6"},
 "groups": [{"id": "ac", "title": "Access Control", "controls": [
   {"id": "ac-1", "title": "Policy", "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Have a policy."}]},
   {"id": "ac-2", "title": "Accounts", "controls": [{"id": "ac-2.1", "title": "Automated"}]}]},
  {"id": "au", "title": "Audit", "controls": [{"id": "au-2", "title": "Events"}]}]}}`

// TestOSCALRoutes imports a catalog through the API (editors and admins
// only; a stale version refused; a bad document named with its line) and
// resolves a profile.
func TestOSCALRoutes(t *testing.T) {
	f := newFixture(t)
	body := json.RawMessage(apiCatalog)
	if status, _, data := f.do("viewer", "POST", "/api/v1/catalogues/small/import", body, "If-Match", `"0"`); status != http.StatusForbidden {
		t.Errorf("viewer: %d %s", status, data)
	}
	status, h, data := f.do("editor", "POST", "/api/v1/catalogues/small/import", body, "If-Match", `"0"`)
	var rep oscal.CatalogueReport
	if status != http.StatusCreated || json.Unmarshal(data, &rep) != nil || rep.Controls != 4 || len(rep.NoArea) != 1 || rep.NoArea[0] != "au-2" || h.Get("ETag") == "" {
		t.Fatalf("import: %d %s", status, data)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/catalogues/small", nil); status != 200 || !strings.Contains(string(data), `"id":"ac-2.1","title":"Accounts | Automated"`) {
		t.Errorf("the imported catalogue: %d %s", status, data)
	}
	if status, _, _ := f.do("admin", "POST", "/api/v1/catalogues/small/import", body, "If-Match", `"0"`); status != http.StatusConflict {
		t.Errorf("stale If-Match: %d", status)
	}
	// (The test client sends JSON compacted: the error is on line 1.)
	status, _, data = f.do("admin", "POST", "/api/v1/catalogues/small/import", json.RawMessage(`{"catalog": {"uuid": "x", "groups": {}}}`), "If-Match", h.Get("ETag"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"location":"body.catalog.groups"`) || !strings.Contains(string(data), "line 1, column 33: catalog.groups is a JSON object where OSCAL has a list") {
		t.Errorf("bad document: %d %s", status, data)
	}

	profile := json.RawMessage(`{"profile": {"uuid": "p", "metadata": {"title": "Baseline", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
	 "imports": [{"href": "#small", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}]}]}}`)
	status, _, data = f.do("viewer", "POST", "/api/v1/profiles/resolve", map[string]any{"profile": profile, "catalog": body})
	if status != http.StatusOK {
		t.Fatalf("resolve: %d %s", status, data)
	}
	c, err := oscal.ReadCatalog("resolved", data)
	if err != nil || len(c.Groups) != 1 || len(c.Groups[0].Controls) != 1 || c.Groups[0].Controls[0].Controls[0].ID != "ac-2.1" {
		t.Errorf("resolved: %v %s", err, data)
	}
	bad := json.RawMessage(strings.Replace(string(profile), `"ac-2"`, `"ac-9"`, 1))
	if status, _, data := f.do("viewer", "POST", "/api/v1/profiles/resolve", map[string]any{"profile": bad, "catalog": body}); status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `selects control \"ac-9\"`) {
		t.Errorf("unresolvable: %d %s", status, data)
	}
}
