// Package docx writes Word documents (Office Open XML, ECMA-376): headings,
// paragraphs, bulleted lines and tables, in the built-in styles Word and
// LibreOffice know, so a reader can restyle or edit what Remit wrote. It
// writes only what Remit needs, with the standard library.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Document is a document being written.
type Document struct {
	body  bytes.Buffer
	title string
}

// New starts a document with its title (the document's properties, and
// its first heading).
func New(title string) *Document {
	d := &Document{title: title}
	d.para("Title", title)
	return d
}

// Heading adds a heading of level 1 to 3.
func (d *Document) Heading(level int, text string) {
	d.para(fmt.Sprintf("Heading%d", min(max(level, 1), 3)), text)
}

// Paragraph adds a paragraph of plain text; runs of it in Bold are bold.
func (d *Document) Paragraph(parts ...any) {
	d.body.WriteString(`<w:p>`)
	for _, p := range parts {
		switch x := p.(type) {
		case Bold:
			d.run(string(x), true)
		default:
			d.run(fmt.Sprint(x), false)
		}
	}
	d.body.WriteString(`</w:p>`)
}

// Bold is text a Paragraph sets in bold.
type Bold string

// Bullet adds a line of a bulleted list (the List Bullet style).
func (d *Document) Bullet(text string) { d.para("ListBullet", "•\t"+text) }

// Table adds a table with a header row (repeated on each page) and rows;
// a row shorter than the header is padded.
func (d *Document) Table(header []string, rows [][]string) {
	d.body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	widths := columnWidths(header, rows)
	for _, w := range widths {
		fmt.Fprintf(&d.body, `<w:gridCol w:w="%d"/>`, w)
	}
	d.body.WriteString(`</w:tblGrid>`)
	row := func(cells []string, head bool) {
		d.body.WriteString(`<w:tr>`)
		if head {
			d.body.WriteString(`<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		} else {
			d.body.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		for i := range header {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			fmt.Fprintf(&d.body, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr><w:p>`, widths[i])
			d.run(text, head)
			d.body.WriteString(`</w:p></w:tc>`)
		}
		d.body.WriteString(`</w:tr>`)
	}
	row(header, true)
	for _, r := range rows {
		row(r, false)
	}
	d.body.WriteString(`</w:tbl><w:p/>`)
}

// textWidth is the width between an A4 page's margins, in twentieths of
// a point.
const textWidth = 11906 - 2*1134

// columnWidths shares the text width among the columns by how long
// their longest text is (counted up to 32 characters, at least 12: a
// short word still fits on one line).
func columnWidths(header []string, rows [][]string) []int {
	weight := make([]int, len(header))
	for i, h := range header {
		weight[i] = max(12, min(32, utf8.RuneCountInString(h)))
	}
	for _, r := range rows {
		for i := range min(len(r), len(header)) {
			weight[i] = max(weight[i], min(32, utf8.RuneCountInString(r[i])))
		}
	}
	total := 0
	for _, w := range weight {
		total += w
	}
	out := make([]int, len(weight))
	for i, w := range weight {
		out[i] = textWidth * w / total
	}
	return out
}

func (d *Document) para(style, text string) {
	fmt.Fprintf(&d.body, `<w:p><w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	d.run(text, false)
	d.body.WriteString(`</w:p>`)
}

// run writes text as runs, a line break for each newline.
func (d *Document) run(text string, bold bool) {
	for i, line := range strings.Split(text, "\n") {
		d.body.WriteString(`<w:r>`)
		if bold {
			d.body.WriteString(`<w:rPr><w:b/></w:rPr>`)
		}
		if i > 0 {
			d.body.WriteString(`<w:br/>`)
		}
		d.body.WriteString(`<w:t xml:space="preserve">`)
		_ = xml.EscapeText(&d.body, []byte(clean(line)))
		d.body.WriteString(`</w:t></w:r>`)
	}
}

// clean drops what XML 1.0 cannot hold (control characters but tab).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF && (r < 0xD800 || r > 0xDFFF) {
			return r
		}
		return -1
	}, s)
}

// WriteTo writes the document as a .docx file, made at the time given.
func (d *Document) Write(w io.Writer, creator string, at time.Time) error {
	z := zip.NewWriter(w)
	stamp := at.UTC().Format("2006-01-02T15:04:05Z")
	var title, who bytes.Buffer
	_ = xml.EscapeText(&title, []byte(clean(d.title)))
	_ = xml.EscapeText(&who, []byte(clean(creator)))
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + title.String() + `</dc:title><dc:creator>` + who.String() + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:created></cp:coreProperties>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"word/styles.xml", styles},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + d.body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	return z.Close()
}

// styles are the styles the document uses: Normal, Title, Heading 1–3,
// List Bullet (a bullet drawn as text, so no numbering part is needed) and
// Table Grid, in Arial (which every reader has, or substitutes).
const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="48"/><w:szCs w:val="48"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="left" w:pos="360"/></w:tabs><w:ind w:left="360" w:hanging="360"/></w:pPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:left w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:right w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/></w:tblBorders></w:tblPr></w:style>
</w:styles>`
