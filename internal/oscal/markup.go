package oscal

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// OSCAL prose — markup-line (a title, a label) and markup-multiline (a
// part's prose, remarks, a description) — is Markdown in OSCAL's JSON and
// YAML forms and a small HTML-like vocabulary in its XML form (the
// metaschema's "markup" types: p, h1–h6, ul, ol, li, pre, blockquote,
// table, and inside them a, code, em, strong, b, i, sub, sup, q, img and
// OSCAL's insert). Remit converts between the two:
//
//   - markupXML writes Markdown as that vocabulary;
//   - markdown writes the vocabulary (read into a markupNode tree) back as
//     Markdown, in one canonical spelling (- for bullets, ** for strong, *
//     for emphasis, fenced code), escaping what Markdown would otherwise
//     read as markup.
//
// Two Markdown texts mean the same when they give the same XML, and
// writing XML, reading it back and writing it again gives the same XML
// (FuzzMarkup holds that for any text).

// markupNode is one piece of XML markup: an element with its attributes
// and children, or (name "") a run of text.
type markupNode struct {
	name string
	text string
	attr map[string]string
	kids []*markupNode
}

// inlineTags are the elements allowed inside a paragraph or a markup-line.
var inlineTags = map[string]bool{"a": true, "code": true, "em": true, "i": true, "strong": true, "b": true, "sub": true, "sup": true, "q": true, "img": true, "insert": true, "br": true}

// blockTags are the elements that make up markup-multiline.
var blockTags = map[string]bool{"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true, "pre": true, "blockquote": true, "table": true, "hr": true}

// escapeXML escapes text for an element's content or an attribute value.
func escapeXML(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
				continue // XML 1.0 cannot hold other control characters
			}
			b.WriteRune(r)
		}
	}
}

// markupXML writes Markdown as OSCAL XML markup: blocks for
// markup-multiline, inline content only for markup-line.
func markupXML(md string, multiline bool) string {
	var b strings.Builder
	md = cleanText(md)
	if !multiline {
		writeInline(&b, lineBreakSpace.ReplaceAllString(strings.Trim(md, " \t\n"), "\n"))
		return b.String()
	}
	writeBlocks(&b, strings.Split(md, "\n"))
	return b.String()
}

// cleanText makes s text XML can hold as it is: valid UTF-8, line breaks
// as \n (XML reads \r as one), no other control characters.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

var (
	mdHeading   = regexp.MustCompile(`^(#{1,6})[ \t]+(.*?)[ \t#]*$`)
	mdItem      = regexp.MustCompile(`^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$`)
	mdTableRule = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$`)
	mdInsert    = regexp.MustCompile(`^\{\{\s*insert:\s*([A-Za-z0-9_.-]+)\s*,\s*([^\s}]+)\s*\}\}`)
)

func isFence(line string) bool { return strings.HasPrefix(strings.TrimLeft(line, " \t"), "```") }

func isTableStart(lines []string, i int) bool {
	return strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), "|") && i+1 < len(lines) && mdTableRule.MatchString(lines[i+1])
}

// startsBlock reports whether line i begins a block other than a
// paragraph, so a paragraph ends before it.
func startsBlock(lines []string, i int) bool {
	l := lines[i]
	t := strings.TrimLeft(l, " \t")
	return isFence(l) || mdHeading.MatchString(t) || mdItem.MatchString(l) || strings.HasPrefix(t, ">") || isTableStart(lines, i)
}

func writeBlocks(b *strings.Builder, lines []string) {
	for i := 0; i < len(lines); {
		line := lines[i]
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			i++
		case isFence(line):
			i++
			var code []string
			for i < len(lines) && !isFence(lines[i]) {
				code = append(code, lines[i])
				i++
			}
			i++ // the closing fence
			b.WriteString("<pre>")
			escapeXML(b, strings.Join(code, "\n"))
			b.WriteString("</pre>")
		case mdHeading.MatchString(t):
			m := mdHeading.FindStringSubmatch(t)
			fmt.Fprintf(b, "<h%d>", len(m[1]))
			writeInline(b, m[2])
			fmt.Fprintf(b, "</h%d>", len(m[1]))
			i++
		case strings.HasPrefix(t, ">"):
			var quoted []string
			for i < len(lines) && strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), ">") {
				q := strings.TrimPrefix(strings.TrimLeft(lines[i], " \t"), ">")
				quoted = append(quoted, strings.TrimPrefix(q, " "))
				i++
			}
			b.WriteString("<blockquote>")
			writeBlocks(b, quoted)
			b.WriteString("</blockquote>")
		case isTableStart(lines, i):
			b.WriteString("<table>")
			writeRow(b, lines[i], "th")
			i += 2
			for i < len(lines) && strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), "|") {
				writeRow(b, lines[i], "td")
				i++
			}
			b.WriteString("</table>")
		case mdItem.MatchString(line):
			i = writeList(b, lines, i)
		default:
			para := []string{t}
			i++
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" && !startsBlock(lines, i) {
				para = append(para, strings.TrimSpace(lines[i]))
				i++
			}
			b.WriteString("<p>")
			writeInline(b, strings.Join(para, "\n"))
			b.WriteString("</p>")
		}
	}
}

// writeRow writes one line of a pipe table as a row of cells.
func writeRow(b *strings.Builder, line, cell string) {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	b.WriteString("<tr>")
	for _, c := range splitCells(t) {
		b.WriteString("<" + cell + ">")
		writeInline(b, strings.TrimSpace(c))
		b.WriteString("</" + cell + ">")
	}
	b.WriteString("</tr>")
}

// splitCells splits a table row at its pipes, leaving escaped ones (\|)
// to the inline reader.
func splitCells(t string) []string {
	var cells []string
	start := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case '|':
			cells = append(cells, t[start:i])
			start = i + 1
		}
	}
	return append(cells, t[start:])
}

// writeList writes the list starting at line i (and lists nested in it)
// and returns the line after it.
func writeList(b *strings.Builder, lines []string, i int) int {
	first := mdItem.FindStringSubmatch(lines[i])
	indent, ordered := len(first[1]), first[2][0] >= '0' && first[2][0] <= '9'
	tag := "ul"
	if ordered {
		tag = "ol"
	}
	b.WriteString("<" + tag + ">")
	for i < len(lines) {
		m := mdItem.FindStringSubmatch(lines[i])
		if m == nil || len(m[1]) != indent || (m[2][0] >= '0' && m[2][0] <= '9') != ordered {
			break
		}
		text := []string{strings.TrimSpace(m[3])}
		i++
		var nested strings.Builder
		for i < len(lines) {
			l := lines[i]
			if strings.TrimSpace(l) == "" {
				// A blank line ends the item unless the list goes on after it.
				j := i
				for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
					j++
				}
				if j < len(lines) {
					if n := mdItem.FindStringSubmatch(lines[j]); n != nil && len(n[1]) >= indent {
						i = j
						continue
					}
				}
				break
			}
			n := mdItem.FindStringSubmatch(l)
			if n != nil && len(n[1]) <= indent {
				break // the next item of this list, or of one around it
			}
			if n != nil {
				i = writeList(&nested, lines, i)
				continue
			}
			if lead := len(l) - len(strings.TrimLeft(l, " \t")); lead <= indent || startsBlock(lines, i) {
				break
			}
			text = append(text, strings.TrimSpace(l))
			i++
		}
		b.WriteString("<li>")
		writeInline(b, strings.TrimSpace(strings.Join(text, "\n")))
		b.WriteString(nested.String())
		b.WriteString("</li>")
	}
	b.WriteString("</" + tag + ">")
	return i
}

func isPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// closing finds where the span opened by delim at s[from:] closes: the
// next delim that follows a non-space character, with no space right
// after the opening one. -1 when there is none.
func closing(s string, from int, delim string) int {
	if from >= len(s) || s[from] == ' ' || s[from] == '\n' || s[from] == '\t' {
		return -1
	}
	for j := from; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(s[j:], delim) && j > from && s[j-1] != ' ' && s[j-1] != '\n' && s[j-1] != '\t' {
			if delim == "*" && (strings.HasPrefix(s[j+1:], "*") || s[j-1] == '*') {
				continue // part of a ** pair
			}
			return j
		}
	}
	return -1
}

// linkEnd reads "[text](dest)" at s[i:] (s[i] is '['): it returns the
// text, the destination and the index after it, or ok false.
func linkEnd(s string, i int) (text, dest string, end int, ok bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				if j+1 >= len(s) || s[j+1] != '(' {
					return "", "", 0, false
				}
				k := strings.IndexByte(s[j+2:], ')')
				if k < 0 {
					return "", "", 0, false
				}
				d := s[j+2 : j+2+k]
				if d == "" || strings.ContainsAny(d, " \n\t<>()") || strings.TrimSpace(s[i+1:j]) == "" {
					return "", "", 0, false
				}
				return s[i+1 : j], d, j + 3 + k, true
			}
		}
	}
	return "", "", 0, false
}

// writeInline writes Markdown inline content as OSCAL inline markup.
func writeInline(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			escapeXML(b, s[i+1:i+2])
			i += 2
			continue
		case c == '{' && mdInsert.MatchString(s[i:]):
			m := mdInsert.FindStringSubmatch(s[i:])
			b.WriteString(`<insert type="`)
			escapeXML(b, m[1])
			b.WriteString(`" id-ref="`)
			escapeXML(b, m[2])
			b.WriteString(`"/>`)
			i += len(m[0])
			continue
		case c == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 {
				b.WriteString("<code>")
				escapeXML(b, strings.ReplaceAll(s[i+1:i+1+j], "\n", " "))
				b.WriteString("</code>")
				i += j + 2
				continue
			}
		case strings.HasPrefix(s[i:], "**"):
			if j := closing(s, i+2, "**"); j > 0 {
				b.WriteString("<strong>")
				writeInline(b, s[i+2:j])
				b.WriteString("</strong>")
				i = j + 2
				continue
			}
		case c == '*' || c == '~' || c == '^':
			if j := closing(s, i+1, string(c)); j > 0 {
				tag := map[byte]string{'*': "em", '~': "sub", '^': "sup"}[c]
				b.WriteString("<" + tag + ">")
				writeInline(b, s[i+1:j])
				b.WriteString("</" + tag + ">")
				i = j + 1
				continue
			}
		case c == '!' && strings.HasPrefix(s[i+1:], "["):
			if alt, src, end, ok := linkEnd(s, i+1); ok {
				b.WriteString(`<img alt="`)
				escapeXML(b, unescapeMarkdown(alt))
				b.WriteString(`" src="`)
				escapeXML(b, src)
				b.WriteString(`"/>`)
				i = end
				continue
			}
		case c == '[':
			if text, href, end, ok := linkEnd(s, i); ok {
				b.WriteString(`<a href="`)
				escapeXML(b, href)
				b.WriteString(`">`)
				writeInline(b, text)
				b.WriteString("</a>")
				i = end
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		escapeXML(b, s[i:i+size])
		i += size
	}
}

// unescapeMarkdown drops the backslashes of escaped punctuation.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readMarkup reads the content of the element start opened, up to its end,
// as markup nodes. Elements outside OSCAL's vocabulary keep their text.
func readMarkup(dec *xml.Decoder, start xml.StartElement) (*markupNode, error) {
	n := &markupNode{name: start.Name.Local}
	for _, a := range start.Attr {
		if n.attr == nil {
			n.attr = map[string]string{}
		}
		n.attr[a.Name.Local] = a.Value
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			k, err := readMarkup(dec, t)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		case xml.CharData:
			n.kids = append(n.kids, &markupNode{text: string(t)})
		case xml.EndElement:
			return n, nil
		}
	}
}

// markdown writes markup nodes as Markdown: blocks for markup-multiline
// (nodes are the blocks), inline content for markup-line.
func markdown(nodes []*markupNode, multiline bool) string {
	if !multiline || !hasBlocks(nodes) {
		var b strings.Builder
		writeMarkdownInline(&b, nodes)
		return tidyInline(b.String(), multiline)
	}
	var blocks []string
	for _, n := range nodes {
		if n.name == "" && strings.TrimSpace(n.text) == "" {
			continue
		}
		if s := markdownBlock(n, ""); s != "" {
			blocks = append(blocks, s)
		}
	}
	return strings.Join(blocks, "\n\n")
}

func hasBlocks(nodes []*markupNode) bool {
	for _, n := range nodes {
		if blockTags[n.name] {
			return true
		}
	}
	return false
}

// tidyInline trims a paragraph's text and turns the white space a
// pretty-printed XML file puts around its lines into plain line breaks.
var lineBreakSpace = regexp.MustCompile(`[ \t]*\n[ \t\n]*`)

func tidyInline(s string, block bool) string {
	s = strings.Trim(s, " \t\n\r")
	s = lineBreakSpace.ReplaceAllString(s, "\n")
	if !block {
		return s
	}
	// Keep a line that would read as the start of another block as text.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		switch {
		case l == "":
		case strings.HasPrefix(l, "#") || strings.HasPrefix(l, ">") || strings.HasPrefix(l, "|") || strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") || strings.HasPrefix(l, "```"):
			lines[i] = `\` + l
		default:
			if m := mdItem.FindStringSubmatch(l); m != nil {
				lines[i] = m[2][:len(m[2])-1] + `\` + l[len(m[2])-1:]
			}
		}
	}
	return strings.Join(lines, "\n")
}

// markdownBlock writes one block; indent prefixes its continuation lines
// (inside a list item).
func markdownBlock(n *markupNode, indent string) string {
	var b strings.Builder
	switch n.name {
	case "", "p":
		writeMarkdownInline(&b, paraKids(n))
		return tidyInline(b.String(), true)
	case "h1", "h2", "h3", "h4", "h5", "h6":
		writeMarkdownInline(&b, n.kids)
		level, _ := strconv.Atoi(n.name[1:])
		return strings.Repeat("#", level) + " " + strings.ReplaceAll(tidyInline(b.String(), false), "\n", " ")
	case "pre":
		return "```\n" + textOf(n) + "\n```"
	case "blockquote":
		inner := markdown(n.kids, true)
		lines := strings.Split(inner, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("> "+l, " ")
		}
		return strings.Join(lines, "\n")
	case "ul", "ol":
		var items []string
		num := 0
		for _, li := range n.kids {
			if li.name != "li" {
				continue
			}
			num++
			marker := "- "
			if n.name == "ol" {
				marker = strconv.Itoa(num) + ". "
			}
			pad := strings.Repeat(" ", len(marker))
			var text strings.Builder
			var nested []string
			var inline []*markupNode
			for _, k := range li.kids {
				switch {
				case k.name == "ul" || k.name == "ol":
					nested = append(nested, markdownBlock(k, ""))
				case k.name == "p":
					inline = append(inline, k.kids...)
					inline = append(inline, &markupNode{text: "\n"})
				default:
					inline = append(inline, k)
				}
			}
			writeMarkdownInline(&text, inline)
			item := marker + tidyInline(text.String(), true)
			for _, s := range nested {
				item += "\n" + s
			}
			lines := strings.Split(item, "\n")
			for i := 1; i < len(lines); i++ {
				if lines[i] != "" {
					lines[i] = pad + lines[i]
				}
			}
			items = append(items, strings.Join(lines, "\n"))
		}
		return strings.Join(items, "\n")
	case "table":
		var rows [][]string
		for _, tr := range tableRows(n) {
			var cells []string
			for _, td := range tr.kids {
				if td.name != "td" && td.name != "th" {
					continue
				}
				var c strings.Builder
				writeMarkdownInline(&c, td.kids)
				cell := strings.ReplaceAll(tidyInline(c.String(), false), "\n", " ")
				cells = append(cells, strings.ReplaceAll(cell, "|", `\|`))
			}
			rows = append(rows, cells)
		}
		if len(rows) == 0 {
			return ""
		}
		var lines []string
		for i, r := range rows {
			lines = append(lines, "| "+strings.Join(r, " | ")+" |")
			if i == 0 {
				rule := make([]string, len(r))
				for j := range rule {
					rule[j] = "---"
				}
				lines = append(lines, "| "+strings.Join(rule, " | ")+" |")
			}
		}
		return strings.Join(lines, "\n")
	case "hr":
		return ""
	}
	// Inline markup standing where a block belongs: a paragraph of it.
	writeMarkdownInline(&b, []*markupNode{n})
	return tidyInline(b.String(), true)
}

// paraKids is a paragraph's content (a bare text node is its own).
func paraKids(n *markupNode) []*markupNode {
	if n.name == "" {
		return []*markupNode{n}
	}
	return n.kids
}

// tableRows are a table's rows, inside thead/tbody or not.
func tableRows(n *markupNode) []*markupNode {
	var rows []*markupNode
	for _, k := range n.kids {
		switch k.name {
		case "tr":
			rows = append(rows, k)
		case "thead", "tbody", "tfoot":
			rows = append(rows, tableRows(k)...)
		}
	}
	return rows
}

func textOf(n *markupNode) string {
	if n.name == "" {
		return n.text
	}
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(textOf(k))
	}
	return b.String()
}

// escapeMarkdown escapes what Markdown would read as markup in text.
func escapeMarkdown(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '*', '`', '~', '^', '[', ']':
			b.WriteByte('\\')
		case '{':
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('\\')
			}
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
}

func writeMarkdownInline(b *strings.Builder, nodes []*markupNode) {
	for _, n := range nodes {
		switch n.name {
		case "":
			escapeMarkdown(b, n.text)
		case "strong", "b":
			wrapMarkdown(b, "**", n.kids)
		case "em", "i":
			wrapMarkdown(b, "*", n.kids)
		case "sub":
			wrapMarkdown(b, "~", n.kids)
		case "sup":
			wrapMarkdown(b, "^", n.kids)
		case "q":
			b.WriteByte('"')
			writeMarkdownInline(b, n.kids)
			b.WriteByte('"')
		case "code":
			t := strings.NewReplacer("`", "'", "\n", " ").Replace(textOf(n))
			if t == "" {
				continue
			}
			b.WriteString("`" + t + "`")
		case "a":
			var inner strings.Builder
			writeMarkdownInline(&inner, n.kids)
			href := n.attr["href"]
			if href == "" || strings.ContainsAny(href, " \n\t<>()") || strings.TrimSpace(inner.String()) == "" {
				b.WriteString(inner.String())
				continue
			}
			b.WriteString("[" + inner.String() + "](" + href + ")")
		case "img":
			var alt strings.Builder
			escapeMarkdown(&alt, n.attr["alt"])
			src := n.attr["src"]
			if src == "" || strings.ContainsAny(src, " \n\t<>()") {
				b.WriteString(alt.String())
				continue
			}
			b.WriteString("![" + alt.String() + "](" + src + ")")
		case "insert":
			typ, id := n.attr["type"], n.attr["id-ref"]
			if typ == "" {
				typ = "param"
			}
			ins := "{{ insert: " + typ + ", " + id + " }}"
			if mdInsert.FindString(ins) != ins {
				continue // no id to insert: nothing Markdown can hold
			}
			b.WriteString(ins)
		case "br":
			b.WriteByte('\n')
		default:
			writeMarkdownInline(b, n.kids)
		}
	}
}

// wrapMarkdown writes kids between delim, unless they are empty or
// begin or end with white space (Markdown would not read them back as
// markup then): those keep their text alone.
func wrapMarkdown(b *strings.Builder, delim string, kids []*markupNode) {
	var inner strings.Builder
	writeMarkdownInline(&inner, kids)
	s := inner.String()
	if s == "" || strings.TrimSpace(s) != s {
		b.WriteString(s)
		return
	}
	b.WriteString(delim + s + delim)
}
