package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
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

// TestDocumentRoutes downloads each document through the API and imports
// a matrix: roles, versions and bad rows as the rest of the API.
func TestDocumentRoutes(t *testing.T) {
	f := newFixture(t)
	if status, _, _ := f.do("", "GET", "/api/v1/systems/prison-visits/ssp", nil); status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", status)
	}
	status, h, data := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp", nil)
	if status != 200 || h.Get("Content-Type") != "application/json" || !strings.Contains(string(data), `"system-security-plan"`) {
		t.Errorf("ssp: %d %s %.200s", status, h.Get("Content-Type"), data)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp?oscal_version=1.0.6", nil); status != 200 || !strings.Contains(string(data), `"oscal-version": "1.0.6"`) {
		t.Errorf("ssp as 1.0.6: %d", status)
	}
	if status, h, data := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp?format=yaml", nil); status != 200 || h.Get("Content-Type") != "application/yaml" || !strings.HasPrefix(string(data), "system-security-plan:\n") || !strings.HasSuffix(h.Get("Content-Disposition"), `.yaml"`) {
		t.Errorf("ssp as YAML: %d %s %s", status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	if status, h, data := f.do("viewer", "GET", "/api/v1/poam?format=xml", nil); status != 200 || h.Get("Content-Type") != "application/xml" || !strings.HasSuffix(h.Get("Content-Disposition"), `.xml"`) {
		t.Errorf("poam as XML: %d %s %s", status, h.Get("Content-Type"), data)
	} else if kind, err := oscal.Sniff("poam.xml", data); err != nil || kind != oscal.KindPOAM {
		t.Errorf("the POA&M's XML reads as %q: %v", kind, err)
	}
	// The SSP as XML reads as the same SSP as its JSON.
	_, _, js := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp", nil)
	_, _, x := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp?format=xml", nil)
	fromJSON, err := oscal.ReadSSP("ssp.json", js)
	if err != nil {
		t.Fatal(err)
	}
	fromXML, err := oscal.ReadSSP("ssp.xml", x)
	if err != nil {
		t.Fatalf("the SSP's XML does not read: %v\n%.400s", err, x)
	}
	if a, b := mustJSON(t, fromJSON), mustJSON(t, fromXML); a != b {
		t.Errorf("the SSP's XML reads differently from its JSON:\n%.600s\n%.600s", a, b)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/systems/prison-visits/ssp?oscal_version=9", nil); status != http.StatusBadRequest || !strings.Contains(string(data), `OSCAL version \"9\" is not one Remit writes`) {
		t.Errorf("ssp as 9: %d %s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/systems/nowhere/ssp", nil); status != http.StatusNotFound {
		t.Errorf("unknown system: %d", status)
	}
	status, h, data = f.do("viewer", "GET", "/api/v1/systems/prison-visits/crm?format=csv", nil)
	if status != 200 || !strings.HasPrefix(string(data), "control,title,class,what the provider does,what we must do,owner,status,due,assurance,assumed\n") || !strings.Contains(h.Get("Content-Disposition"), "responsibility-matrix-prison-visits-") {
		t.Errorf("crm: %d %.200s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/systems/prison-visits/crm?format=pdf", nil); status != http.StatusBadRequest {
		t.Errorf("crm as pdf: %d", status)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/providers/casetrack/offerings/casetrack-cloud/component-definition", nil); status != 200 || !strings.Contains(string(data), `"component-definition"`) {
		t.Errorf("component definition: %d %.200s", status, data)
	}
	if status, _, data := f.do("viewer", "GET", "/api/v1/poam", nil); status != 200 || !strings.Contains(string(data), `"plan-of-action-and-milestones"`) {
		t.Errorf("poam: %d %.200s", status, data)
	}
	if status, _, _ := f.do("viewer", "GET", "/api/v1/assessment-results/sa-nothing", nil); status != http.StatusNotFound {
		t.Errorf("unknown assessment: %d", status)
	}

	// A component definition another tool wrote, stating no
	// responsibility: classes assumed from the new offering's model.
	cd := `{"component-definition": {"uuid": "11111111-1111-4111-8111-111111111111", "metadata": {"title": "t", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"},
  "components": [{"uuid": "22222222-2222-4222-8222-222222222222", "type": "service", "title": "Vault", "description": "d",
    "control-implementations": [{"uuid": "33333333-3333-4333-8333-333333333333", "source": "#x", "description": "d",
      "implemented-requirements": [{"uuid": "44444444-4444-4444-8444-444444444444", "control-id": "SRM-01", "description": "Our data centres."}]}]}]}}`
	status, _, data = f.do("editor", "POST", "/api/v1/providers/acme/offerings/vault/import?format=component-definition&catalogue=srm&service_model=saas&provider_name=Acme&name=Vault", cd, "If-Match", `"0"`)
	if status != 200 || !strings.Contains(string(data), `"assumed":1`) || !strings.Contains(string(data), `"statements":1`) {
		t.Errorf("a foreign component definition: %d %s", status, data)
	}
	if status, _, data := f.do("editor", "POST", "/api/v1/providers/acme/offerings/vault2/import?format=component-definition&catalogue=srm&map=colour=red", cd, "If-Match", `"0"`); status != http.StatusBadRequest || !strings.Contains(string(data), `is not class or component`) {
		t.Errorf("a bad map: %d %s", status, data)
	}

	path := "/api/v1/providers/acme/offerings/mail/import?format=csv&catalogue=srm&map=control=Control,class=Who,provider=Provider,customer=Customer&service_model=saas&provider_name=Acme&name=Acme+Mail"
	good := "Control,Who,Provider,Customer\nSRM-01,provider,Our data centres.,\nSRM-03,shared,We patch the service.,Keep your clients current.\n"
	if status, _, _ := f.do("viewer", "POST", path, good, "If-Match", `"0"`); status != http.StatusForbidden {
		t.Errorf("viewer imports: %d", status)
	}
	if status, _, _ := f.do("editor", "POST", path, good); status != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: %d", status)
	}
	status, _, data = f.do("editor", "POST", path, "Control,Who,Provider,Customer\nSRM-01,provider,,\nSRM-77,perhaps,,\n", "If-Match", `"0"`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `row 3 column A: control \"SRM-77\" is not in catalogue srm`) || !strings.Contains(string(data), `row 3 column B: \"perhaps\" is not a class`) {
		t.Errorf("bad matrix: %d %s", status, data)
	}
	status, h, data = f.do("editor", "POST", path, good, "If-Match", `"0"`)
	if status != 200 || h.Get("ETag") == "" || !strings.Contains(string(data), `"statements":2`) {
		t.Fatalf("import: %d %s", status, data)
	}
	status, _, data = f.do("viewer", "GET", "/api/v1/providers/acme/offerings/mail", nil)
	if status != 200 || !strings.Contains(string(data), `"name":"Acme Mail"`) || !strings.Contains(string(data), `"customer":"Keep your clients current."`) {
		t.Errorf("the imported offering: %d %s", status, data)
	}
	if status, _, _ := f.do("admin", "POST", path, good, "If-Match", `"0"`); status != http.StatusConflict {
		t.Errorf("stale If-Match: %d", status)
	}
}

// TestOfferingImportTooLarge refuses a body over the limit with 413,
// writing nothing.
func TestOfferingImportTooLarge(t *testing.T) {
	f := newFixture(t)
	big := "Control,Who\n" + strings.Repeat("SRM-01,provider\n", maxOSCAL/16+1)
	status, _, data := f.do("editor", "POST", "/api/v1/providers/aws/offerings/ec2/import?format=csv&catalogue=srm&map=control=Control,class=Who", big, "If-Match", `"1"`)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("%d %.200s", status, data)
	}
}

// zipBomb is a workbook-shaped zip whose one worksheet inflates from a
// few hundred kilobytes to n bytes of zeros.
func zipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 1<<20)
	for range n >> 20 {
		w.Write(block)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWorkbookBombsAreRefused sends a zip bomb where workbooks are read —
// a provider's matrix through the API and a SAT through its upload form —
// and each is refused at once with 422 naming the limit, nothing written.
func TestWorkbookBombsAreRefused(t *testing.T) {
	f := newFixture(t)
	bomb := zipBomb(t, 200<<20)
	const want = "inflated is 209715200 bytes, over the limit of 33554432"
	etag := f.currentETag("/api/v1/providers/casetrack/offerings/casetrack-cloud")
	status, _, data := f.do("editor", "POST", "/api/v1/providers/casetrack/offerings/casetrack-cloud/import?format=xlsx&catalogue=srm&map=control=Control,class=Who", string(bomb), "If-Match", etag)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), want) {
		t.Errorf("matrix bomb: %d %.300s", status, data)
	}
	if f.currentETag("/api/v1/providers/casetrack/offerings/casetrack-cloud") != etag {
		t.Error("the refused import changed the offering")
	}

	status, hdr, body := f.do("assessor", "POST", "/api/v1/sats", map[string]string{"system": "prison-visits"})
	var sat struct{ ID string }
	if err := json.Unmarshal(body, &sat); err != nil || status != http.StatusCreated {
		t.Fatalf("start a SAT: %d %s", status, body)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("version", strings.Trim(hdr.Get("ETag"), `"`))
	fw, _ := mw.CreateFormFile("workbook", "sat.xlsx")
	_, _ = fw.Write(bomb)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.server.URL+"/sats/"+sat.ID+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.tokens["assessor"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), want) {
		t.Errorf("SAT bomb: %d %.300s", resp.StatusCode, page)
	}
}

// mustJSON is v as JSON with its keys sorted (parts kept raw keep their
// own order), for comparing what two documents read as.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var plain any
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	if b, err = json.Marshal(plain); err != nil {
		t.Fatal(err)
	}
	return string(b)
}
