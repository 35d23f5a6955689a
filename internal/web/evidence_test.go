package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// TestEvidenceAPI adds evidence as an editor, refuses it from a viewer and
// bad input from anyone, lists what expires soon, serves the file only as
// a download and only while it matches its hash, and derives assurance
// from it: assured while it counts, stale from its expiry day.
func TestEvidenceAPI(t *testing.T) {
	f := newFixture(t)
	pdf := []byte("%PDF-1.7\n% AWS ISO certificate\x00\xff")
	iso := map[string]any{
		"kind": "iso-27001", "title": "AWS ISO 27001 certificate", "issuer": "EY CertifyPoint", "issued": "2026-01-10", "expires": "2027-01-10",
		"supports":  []map[string]string{{"on": "offering", "ref": "aws/ec2"}},
		"file_name": "aws-iso.pdf", "content": pdf,
	}
	status, _, body := f.do("viewer", "POST", "/api/v1/evidence", iso)
	if status != http.StatusForbidden {
		t.Fatalf("viewer adds evidence: %d %s", status, body)
	}
	status, _, body = f.do("editor", "POST", "/api/v1/evidence", map[string]any{"kind": "iso-27001", "title": " ", "expires": "next year", "supports": []map[string]string{{"on": "offering", "ref": "aws"}}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad evidence: %d %s", status, body)
	}
	for _, want := range []string{`"location":"body.file"`, `"location":"body.title"`, `"location":"body.expires"`, `"location":"body.supports.0.ref"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("bad evidence: the problem lacks %s: %s", want, body)
		}
	}
	status, _, body = f.do("editor", "POST", "/api/v1/evidence", iso)
	if status != http.StatusCreated {
		t.Fatalf("add: %d %s", status, body)
	}
	var added EvidenceItem
	if err := json.Unmarshal(body, &added); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if added.File == nil || added.File.Type != "application/pdf" || added.File.SHA256 != hex.EncodeToString(sum[:]) || added.File.Size != int64(len(pdf)) || !added.Counts || added.DaysLeft == nil || *added.DaysLeft != 42 {
		t.Fatalf("added: %s", body)
	}

	// The register, filtered.
	for _, c := range []struct {
		query string
		n     int
	}{{"", 1}, {"?expiring=30", 0}, {"?expiring=60", 1}, {"?kind=soc2-type-2", 0}, {"?supports=offering:aws/ec2", 1}, {"?supports=offering:aws/s3", 0}, {"?expired=true", 0}} {
		status, _, body := f.do("viewer", "GET", "/api/v1/evidence"+c.query, nil)
		var list struct{ Items []EvidenceItem }
		if status != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Items) != c.n {
			t.Errorf("GET evidence%s: %d, %d items, want %d: %s", c.query, status, len(list.Items), c.n, body)
		}
	}

	// The file: a download, byte for byte.
	resp, data := f.page("viewer", "GET", "/api/v1/evidence/"+added.ID+"/file", nil)
	if resp.StatusCode != http.StatusOK || string(data) != string(pdf) {
		t.Fatalf("download: %d %q", resp.StatusCode, data)
	}
	for h, want := range map[string]string{"Content-Type": "application/octet-stream", "Content-Disposition": `attachment; filename=aws-iso.pdf`, "Content-Security-Policy": "sandbox; default-src 'none'"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("download %s: %q, want %q", h, got, want)
		}
	}
	if resp, _ := f.page("", "GET", "/api/v1/evidence/"+added.ID+"/file", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous download: %d", resp.StatusCode)
	}

	// Assurance follows the evidence, and the day.
	const theirs = "/api/v1/obligations/prison-visits%2Fsrm:SRM-01%2Faws%2Fec2%2Fprovider"
	assurance := func() string {
		status, _, body := f.do("viewer", "GET", theirs, nil)
		var o Obligation
		if status != http.StatusOK || json.Unmarshal(body, &o) != nil || o.Assurance == nil {
			t.Fatalf("GET %s: %d %s", theirs, status, body)
		}
		return string(o.Assurance.Status) + ": " + o.Assurance.Reason
	}
	if got, want := assurance(), `assured: assured by "AWS ISO 27001 certificate" (iso-27001, until 2027-01-10)`; got != want {
		t.Errorf("assurance today: %q, want %q", got, want)
	}
	f.setNow(time.Date(2027, 1, 10, 0, 0, 1, 0, time.UTC))
	f.freshToken("viewer", remit.RoleViewer) // the fixture's tokens lapse after a day
	if got, want := assurance(), `stale: was assured by "AWS ISO 27001 certificate" (iso-27001, until 2027-01-10), which expired on 2027-01-10`; got != want {
		t.Errorf("assurance on the expiry day: %q, want %q", got, want)
	}
	status, _, body = f.do("viewer", "GET", "/api/v1/evidence?expired=true", nil)
	if status != http.StatusOK || !strings.Contains(string(body), added.ID) {
		t.Errorf("expired evidence: %d %s", status, body)
	}

	// A file changed behind Remit's back is refused, not served.
	db, err := sql.Open("sqlite", "file:"+f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE documents SET body = ? WHERE kind = 'evidence-file' AND id = ?`, []byte("%PDF-1.7 forged"), added.ID); err != nil {
		t.Fatal(err)
	}
	resp, data = f.page("viewer", "GET", "/api/v1/evidence/"+added.ID+"/file", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(data), "does not match its hash") {
		t.Errorf("tampered download: %d %s", resp.StatusCode, data)
	}
}

// freshToken gives who a token valid from the fixture's current time.
func (f *fixture) freshToken(who string, role remit.Role) {
	f.t.Helper()
	p := accounts.User{Email: who + "@example.gov.uk", Role: role}.Principal()
	_, secret, err := f.svc.CreateToken(context.Background(), p, "later", role, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	f.tokens[who] = secret
}

// multipart builds a form with fields and, when content is not nil, a
// file; it returns the body and its content type.
func multipartForm(t *testing.T, fields map[string]string, fileName string, content []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if content != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// TestEvidenceForms adds evidence through the UI's multipart form, with
// bad input first, as people who may and may not; then adds what it
// supports and maps a CUEC to an obligation.
func TestEvidenceForms(t *testing.T) {
	f := newFixture(t)
	post := func(who string, fields map[string]string, content []byte) (*http.Response, string) {
		body, ct := multipartForm(t, fields, "report.pdf", content)
		req, _ := http.NewRequest("POST", f.server.URL+"/evidence", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp, string(data)
	}
	good := map[string]string{"kind": "soc2-type-2", "title": "CaseTrack SOC 2", "issued": "2026-03-01", "expires": "2027-03-01", "support_on": "offering", "ref": "casetrack/casetrack-cloud",
		"period_start": "2025-01-01", "period_end": "2025-12-31", "cuecs": "CUEC-1 | Customers review access quarterly.\nCUEC-2 | Customers keep exports safe.", "carve_outs": "aws/ec2"}
	if resp, _ := post("viewer", good, []byte("%PDF-1.7")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", resp.StatusCode)
	}
	bad := with2(good, "expires", "2025-01-01", "ref", "casetrack")
	resp, body := post("assessor", bad, []byte("%PDF-1.7"))
	for _, want := range []string{`<a href="#expires">Expires 2025-01-01 is not after issued 2026-03-01</a>`, `<a href="#ref">Offering &#34;casetrack&#34; is not provider/offering: write it as, for example, aws/ec2</a>`, `<a href="#file">Choose the file again`, `value="CaseTrack SOC 2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("bad evidence: the page lacks %s", want)
		}
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || len(f.svc.Snapshot().AllEvidence()) != 0 {
		t.Fatalf("bad evidence: %d, %d stored", resp.StatusCode, len(f.svc.Snapshot().AllEvidence()))
	}
	resp, body = post("assessor", good, []byte("%PDF-1.7 report"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/evidence/ev-") {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	page := resp.Header.Get("Location")
	evs := f.svc.Snapshot().AllEvidence()
	if len(evs) != 1 || evs[0].File == nil || evs[0].File.Type != "application/pdf" || evs[0].SOC2 == nil || len(evs[0].SOC2.CUECs) != 2 || evs[0].SOC2.CarveOuts[0] != "aws/ec2" {
		t.Fatalf("stored: %+v", evs)
	}

	// Map CUEC-1 to an obligation of ours; an unknown one is refused.
	const ob = "court-case-tracking/srm:SRM-11/casetrack/casetrack-cloud/ours"
	r, body := f.page("assessor", "POST", page+"/supports", url.Values{"version": {"1"}, "cuec": {"CUEC-1"}, "obligation": {"court-case-tracking/srm:SRM-99/x/y/ours"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#obligation-CUEC-1">There is no obligation of ours`) {
		t.Errorf("unknown obligation: %d", r.StatusCode)
	}
	if r, body := f.page("viewer", "POST", page+"/supports", url.Values{"version": {"1"}, "cuec": {"CUEC-1"}, "obligation": {ob}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer maps a CUEC: %d %s", r.StatusCode, body)
	}
	if r, body := f.page("assessor", "POST", page+"/supports", url.Values{"version": {"1"}, "cuec": {"CUEC-1"}, "obligation": {ob}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("map CUEC: %d %s", r.StatusCode, body)
	}
	if r, _ := f.page("assessor", "POST", page+"/supports", url.Values{"version": {"1"}, "support_on": {"system"}, "ref": {"court-case-tracking"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("a stale version: %d", r.StatusCode)
	}
	if r, body := f.page("assessor", "POST", page+"/supports", url.Values{"version": {"2"}, "support_on": {"system"}, "ref": {"court-case-tracking"}, "control": {"srm:SRM-10"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add support: %d %s", r.StatusCode, body)
	}
	// The mapped obligation is now assured by the report.
	status, _, data := f.do("viewer", "GET", "/api/v1/obligations/"+url.PathEscape(ob), nil)
	if status != http.StatusOK || !strings.Contains(string(data), `"status":"assured","reason":"assured by \"CaseTrack SOC 2\" (soc2-type-2, until 2027-03-01)"`) {
		t.Errorf("the CUEC's obligation: %d %s", status, data)
	}
}

func with2(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
