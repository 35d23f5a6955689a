package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/report"
)

// TestSATFlow fills a system's Standards Assurance Table through the API
// and a spreadsheet, signs it off and sees it judge our obligations; the
// template may gain objectives but not lose or change one.
func TestSATFlow(t *testing.T) {
	f := newFixture(t)
	if status, _, body := f.do("viewer", "POST", "/api/v1/sats", map[string]string{"system": "prison-visits"}); status != http.StatusForbidden {
		t.Fatalf("viewer starts: %d %s", status, body)
	}
	status, hdr, body := f.do("assessor", "POST", "/api/v1/sats", map[string]string{"system": "prison-visits"})
	var sat satWithReport
	if status != http.StatusCreated || json.Unmarshal(body, &sat) != nil || len(sat.Entries) != 39 {
		t.Fatalf("start: %d %s", status, body)
	}
	version := hdr.Get("ETag")
	fifteen := 15
	status, _, body = f.do("assessor", "PUT", "/api/v1/sats/"+sat.ID+"/entries", map[string]any{"entries": []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: &fifteen}}}, "If-Match", version)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"location":"body.entries[0].confidence"`) {
		t.Fatalf("bad entry: %d %s", status, body)
	}

	// Fill the table in a spreadsheet: download, write every row, upload.
	resp, data := f.page("assessor", "GET", "/api/v1/sats/"+sat.ID+"/xlsx", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	wb, err := excelize.OpenReader(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := content.SATObjectives()
	var patching string
	for i, o := range tmpl.Objectives {
		row := i + 7
		level, confidence := "Held", "12"
		for _, c := range o.Controls {
			if c == "srm:SRM-03" && patching == "" {
				patching, level, confidence = o.ID, "Not Held", "2"
			}
		}
		_ = wb.SetCellValue("Standards Assurance Table", "E"+strconv.Itoa(row), level)
		_ = wb.SetCellValue("Standards Assurance Table", "F"+strconv.Itoa(row), confidence)
	}
	if patching == "" {
		t.Fatal("no objective bears on srm:SRM-03")
	}
	good, _ := wb.WriteToBuffer()
	_ = wb.SetCellValue("Standards Assurance Table", "F8", "fourteen")
	bad, _ := wb.WriteToBuffer()

	upload := func(who string, book []byte) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("version", strings.Trim(version, `"`))
		fw, _ := mw.CreateFormFile("workbook", "sat.xlsx")
		_, _ = fw.Write(book)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", f.server.URL+"/sats/"+sat.ID+"/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, page := upload("assessor", bad.Bytes()); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Row 8, column 6: confidence &#34;fourteen&#34; is not a whole number from 0 to 14, nor N/A") {
		t.Fatalf("bad workbook: %d", resp.StatusCode)
	}
	if resp, page := upload("assessor", good.Bytes()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good workbook: %d %s", resp.StatusCode, page)
	}
	status, hdr, body = f.do("assessor", "GET", "/api/v1/sats/"+sat.ID, nil)
	if err := json.Unmarshal(body, &sat); err != nil || status != http.StatusOK {
		t.Fatal(status, err)
	}
	version = hdr.Get("ETag")
	if sat.Report.Delta != 38*2+12 || sat.Report.Max != 39*14 {
		t.Errorf("overall delta %d of %d, want %d of %d", sat.Report.Delta, sat.Report.Max, 38*2+12, 39*14)
	}
	if status, _, body := f.do("editor", "POST", "/api/v1/sats/"+sat.ID+"/complete", nil, "If-Match", version); status != http.StatusForbidden {
		t.Fatalf("editor signs off: %d %s", status, body)
	}
	if status, _, body := f.do("assessor", "POST", "/api/v1/sats/"+sat.ID+"/complete", nil, "If-Match", version); status >= 300 {
		t.Fatalf("sign off: %d %s", status, body)
	}
	// Not held for patching: our patching obligations in the system fail.
	id := "prison-visits/srm:SRM-03/aws/ec2/ours"
	status, _, body = f.do("viewer", "GET", "/api/v1/obligations/"+url.PathEscape(id), nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"status":"failed","reason":"SAT `+sat.ID+` (srm:SRM-03: not-held): no written evidence that we do this"`) {
		t.Errorf("%s: %d %s", id, status, body)
	}
	// The exported, signed-off table reads back as it was saved.
	_, data = f.page("viewer", "GET", "/api/v1/sats/"+sat.ID+"/xlsx", nil)
	if entries, err := report.ReadSATWorkbook([]byte(data), tmpl); err != nil || len(entries) != 39 {
		t.Errorf("read back: %d entries, %v", len(entries), err)
	}

	// The template: adding is published, editing is refused.
	next := *tmpl
	next.Version = 2
	next.Objectives = append(append([]remit.Objective{}, tmpl.Objectives...), remit.Objective{ID: "SAT-40", Category: "recover", Title: "Restore tested", Objective: "Restores are rehearsed twice a year.", Evidence: "Restore test records.", Controls: []string{"srm:SRM-21"}})
	if status, _, body := f.do("assessor", "PUT", "/api/v1/sat/template", next); status >= 300 {
		t.Fatalf("publish: %d %s", status, body)
	}
	edited := next
	edited.Version = 3
	edited.Objectives = append([]remit.Objective{}, next.Objectives...)
	edited.Objectives[0].Title = "Something else"
	if status, _, body := f.do("assessor", "PUT", "/api/v1/sat/template", edited); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "objective SAT-01 is edited in place") {
		t.Fatalf("edit in place: %d %s", status, body)
	}
	if status, _, body := f.do("viewer", "GET", "/api/v1/sat/template", nil); status != http.StatusOK || !strings.Contains(string(body), `"version":2`) || !strings.Contains(string(body), "SAT-40") {
		t.Errorf("current template: %d", status)
	}
}
