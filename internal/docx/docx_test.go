package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWrite: the file is a zip whose every part is well-formed XML, with
// the parts Word needs named in the content types and linked from the
// relationships; the document holds the headings in their styles, the
// paragraphs, the bullets and the table, in order, escaped, with what XML
// cannot hold left out.
func TestWrite(t *testing.T) {
	d := New("Prison visits booking: system pack")
	d.Heading(1, "What is still ours")
	d.Paragraph(Bold("78 obligations"), " are ours <& 3 overdue>")
	d.Bullet("Patching \x07of guest operating systems")
	d.Table([]string{"Control", "Status", "Due"}, [][]string{{"SRM-03", "in progress", "2026-11-25"}, {"SRM-04"}})
	var buf bytes.Buffer
	if err := d.Write(&buf, "Remit", time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		parts[f.Name] = string(b)
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed: %v", f.Name, err)
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels", "docProps/core.xml"} {
		if _, ok := parts[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if !strings.Contains(parts["[Content_Types].xml"], `PartName="/word/document.xml"`) || !strings.Contains(parts["_rels/.rels"], `Target="word/document.xml"`) ||
		!strings.Contains(parts["docProps/core.xml"], "<dc:title>Prison visits booking: system pack</dc:title>") {
		t.Error("the package does not point at its parts")
	}
	// The text, paragraph by paragraph, with each paragraph's style.
	type para struct{ style, text string }
	var got []para
	dec := xml.NewDecoder(strings.NewReader(parts["word/document.xml"]))
	var cur *para
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "p":
				got = append(got, para{})
				cur = &got[len(got)-1]
			case "pStyle":
				cur.style = x.Attr[0].Value
			case "br":
				cur.text += "\n"
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(x)
			}
		}
	}
	want := []para{{"Title", "Prison visits booking: system pack"}, {"Heading1", "What is still ours"}, {"", "78 obligations are ours <& 3 overdue>"},
		{"ListBullet", "•\tPatching of guest operating systems"}, {"", "Control"}, {"", "Status"}, {"", "Due"}, {"", "SRM-03"}, {"", "in progress"}, {"", "2026-11-25"},
		{"", "SRM-04"}, {"", ""}, {"", ""}, {"", ""}}
	if !slices.Equal(got, want) {
		t.Errorf("paragraphs:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(parts["word/document.xml"], "<w:tblHeader/>") || !strings.Contains(parts["word/styles.xml"], `w:styleId="Heading1"`) {
		t.Error("no repeated header row, or no heading style")
	}
}
