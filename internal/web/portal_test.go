package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var portalLink = regexp.MustCompile(`/portal/(rp_[0-9a-f]{12}_[A-Za-z0-9_-]+)`)

// TestSupplierPortal walks a supplier through their link and holds the
// link to its one assessment: no account, nothing else visible, nothing
// changeable after submitting or expiry, never a signed-in user.
func TestSupplierPortal(t *testing.T) {
	f := newFixture(t)
	status, _, body := f.do("assessor", "POST", "/api/v1/assessments", map[string]string{"offering": "casetrack/casetrack-cloud"})
	if status != http.StatusCreated {
		t.Fatalf("start: %d %s", status, body)
	}
	id := regexp.MustCompile(`"id":"(sa-[0-9a-f]+)"`).FindStringSubmatch(string(body))[1]
	if resp, _ := f.page("editor", "POST", "/assessments/"+id+"/portal", url.Values{"days": {"14"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor makes a link: %d", resp.StatusCode)
	}
	resp, page := f.page("assessor", "POST", "/assessments/"+id+"/portal", url.Values{"days": {"14"}})
	m := portalLink.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("make a link: %d", resp.StatusCode)
	}
	secret := m[1]
	base := "/portal/" + secret
	defer func() {
		// Every portal request above was logged, never with its secret.
		logs := f.logs.String()
		if !strings.Contains(logs, "path=/portal/{secret}") {
			t.Error("the portal requests were not logged")
		}
		if strings.Contains(logs, secret) || strings.Contains(logs, strings.TrimPrefix(secret, "rp_")) {
			t.Error("the log holds the portal link's secret")
		}
	}()

	// The supplier's page: their questions, nobody's account, nothing else.
	resp, page = f.page("", "GET", base, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Security questions for CaseTrack Ltd (fictional): CaseTrack Cloud") {
		t.Fatalf("portal page: %d", resp.StatusCode)
	}
	for _, hidden := range []string{"Signed in as", `href="/systems"`, "Prison visits", "Dashboard"} {
		if strings.Contains(page, hidden) {
			t.Errorf("the portal page shows %q", hidden)
		}
	}
	if _, page := f.page("editor", "GET", base, nil); strings.Contains(page, "Signed in as") || strings.Contains(page, `href="/systems"`) {
		t.Error("the portal page shows a signed-in user's account and navigation")
	}
	if status, _, _ := f.doWith(secret, "GET", "/api/v1/systems"); status != http.StatusUnauthorized {
		t.Errorf("the portal secret as an API token: %d", status)
	}
	if resp, _ := f.page("", "GET", "/portal/rp_000000000000_nothing", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a made-up link: %d", resp.StatusCode)
	}

	// Answers: checked, saved; a result cannot be set through the portal.
	if resp, page := f.page("", "POST", base+"/answers", url.Values{"q-01-Q2": {"SSL 3"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `<a href="#q-01-Q2">Answer &#34;SSL 3&#34; to 01-Q2 is not one of its options`) {
		t.Errorf("a bad answer: %d", resp.StatusCode)
	}
	if resp, _ := f.page("", "POST", base+"/answers", url.Values{"q-01-Q1": {"yes"}, "q-01-Q3": {"IPsec between sites."}, "result": {"met"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answers: %d", resp.StatusCode)
	}
	status, _, body = f.do("assessor", "GET", "/api/v1/assessments/"+id, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"answers":{"01-Q1":"yes","01-Q3":"IPsec between sites."}`) || strings.Contains(string(body), `"result"`) {
		t.Errorf("the assessment after the supplier's answers: %s", body)
	}
	// Evidence: stored for their offering only.
	form, ct := multipartForm(t, map[string]string{"principle": "ncsc-csp:CSP-01", "kind": "penetration-test", "title": "CaseTrack pen test 2026", "expires": "2027-06-01"}, "pentest.pdf", []byte("%PDF-1.7 test"))
	req, _ := http.NewRequest("POST", f.server.URL+base+"/evidence", strings.NewReader(form))
	req.Header.Set("Content-Type", ct)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := client.Do(req)
	if err != nil || r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %v %v", err, r2)
	}
	r2.Body.Close()
	evs := f.svc.Snapshot().AllEvidence()
	if len(evs) != 1 || evs[0].Supports[0].Ref != "casetrack/casetrack-cloud" || !strings.HasPrefix(evs[0].AddedBy, "supplier via portal link ") {
		t.Fatalf("the supplier's evidence: %+v", evs)
	}

	// Submitted: nothing changes; returned: changes again; expired: nothing.
	if resp, _ := f.page("", "POST", base+"/submit", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	if resp, page := f.page("", "POST", base+"/answers", url.Values{"q-01-Q1": {"no"}}); resp.StatusCode != http.StatusGone || !strings.Contains(page, "This link no longer lets you change anything") {
		t.Errorf("answering after submitting: %d", resp.StatusCode)
	}
	link := strings.TrimPrefix(secret, "rp_")[:12]
	if resp, _ := f.page("assessor", "POST", "/assessments/"+id+"/portal/"+link+"/review", url.Values{"decision": {"return"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("returned without a note: %d", resp.StatusCode)
	}
	if resp, _ := f.page("assessor", "POST", "/assessments/"+id+"/portal/"+link+"/review", url.Values{"decision": {"return"}, "note": {"Please answer 01-Q2."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	if _, page := f.page("", "GET", base, nil); !strings.Contains(page, "The assessor returned your answers: Please answer 01-Q2.") {
		t.Error("the supplier does not see the assessor's note")
	}
	if resp, _ := f.page("", "POST", base+"/answers", url.Values{"q-01-Q2": {"TLS 1.2"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("answering after a return: %d", resp.StatusCode)
	}
	f.setNow(f.now.Add(15 * 24 * time.Hour))
	if resp, _ := f.page("", "POST", base+"/answers", url.Values{"q-01-Q2": {"TLS 1.3"}}); resp.StatusCode != http.StatusGone {
		t.Errorf("answering after expiry: %d", resp.StatusCode)
	}
}

// doWith sends a request with a raw bearer credential.
func (f *fixture) doWith(credential, method, path string) (int, http.Header, []byte) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.server.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+credential)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}
