package web

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"remit/internal/service"
)

// docText is the text of a .docx file's document, paragraph by paragraph.
func docText(t *testing.T, data []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	for _, f := range z.File {
		if f.Name != "word/document.xml" {
			continue
		}
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		var out []string
		for _, p := range regexp.MustCompile(`(?s)<w:p>.*?</w:p>|<w:p/>`).FindAllString(string(b), -1) {
			var text strings.Builder
			for _, m := range regexp.MustCompile(`<w:t xml:space="preserve">([^<]*)</w:t>`).FindAllStringSubmatch(p, -1) {
				text.WriteString(m[1])
			}
			out = append(out, text.String())
		}
		return out
	}
	t.Fatal("no word/document.xml")
	return nil
}

// TestSystemPack: the system pack is a Word document whose figures agree
// with its own tables: as many rows not yet implemented as it says are
// open, and as many rows in all as obligations are ours; the risks and the
// evidence of the system are in it.
func TestSystemPack(t *testing.T) {
	f := newFixture(t)
	f.withEvidence()
	resp, body := f.page("viewer", "GET", "/api/v1/systems/prison-visits/pack", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != docxType || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="system-pack-prison-visits-`) {
		t.Fatalf("pack: %d %v", resp.StatusCode, resp.Header)
	}
	paras := docText(t, []byte(body))
	all := strings.Join(paras, "\n")
	if paras[0] != "Prison visits booking: system pack" {
		t.Errorf("title %q", paras[0])
	}
	page, _ := f.svc.Snapshot().OursOf("prison-visits", service.OursFilter{}, f.clock(), func(n int) (int, int) { return 0, n })
	if !strings.Contains(all, strconv.Itoa(page.Total)+" obligations are ours") || !strings.Contains(all, "Not yet implemented ("+strconv.Itoa(page.Open)+")") ||
		!strings.Contains(all, "Implemented or not applicable ("+strconv.Itoa(page.Total-page.Open)+")") {
		t.Errorf("the counts disagree with OursOf (%d, %d open):\n%s", page.Total, page.Open, all)
	}
	// Each obligation is a table row of six cells: count the rows by their
	// status cells.
	rows := 0
	for _, p := range paras {
		if p == "not started" || p == "in progress" || p == "implemented" || p == "not applicable" {
			rows++
		}
	}
	if rows != page.Total {
		t.Errorf("%d obligation rows, %d obligations", rows, page.Total)
	}
	for _, want := range []string{"What we rely on providers for", "Amazon EC2 (Amazon Web Services)", "Risks", "Evidence for it"} {
		if !strings.Contains(all, want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	if resp, _ := f.page("viewer", "GET", "/api/v1/systems/no-such/pack", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing system's pack: %d", resp.StatusCode)
	}
}

// TestLinked: web addresses in generated sentences become links, after
// the sentence is escaped, and the punctuation after them stays text.
func TestLinked(t *testing.T) {
	for in, want := range map[string]string{
		`states "X" (version 1, https://aws.amazon.com/compliance/shared-responsibility-model/). Ours.`: `states &#34;X&#34; (version 1, <a class="govuk-link" href="https://aws.amazon.com/compliance/shared-responsibility-model/" rel="noreferrer noopener">https://aws.amazon.com/compliance/shared-responsibility-model/</a>). Ours.`,
		`see https://example.gov.uk/a?b=1&c=2, then`:                                                    `see <a class="govuk-link" href="https://example.gov.uk/a?b=1&amp;c=2" rel="noreferrer noopener">https://example.gov.uk/a?b=1&amp;c=2</a>, then`,
		`<script>https://x.example/"onload="</script>`:                                                  `&lt;script&gt;<a class="govuk-link" href="https://x.example/" rel="noreferrer noopener">https://x.example/</a>&#34;onload=&#34;&lt;/script&gt;`,
		`no address here`: `no address here`,
	} {
		if got := string(linked(in)); got != want {
			t.Errorf("linked(%q)\n got %s\nwant %s", in, got, want)
		}
	}
}
