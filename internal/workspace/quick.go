package workspace

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// quickParse parses the plain, block-style subset of YAML that workspace
// files are written in — block mappings and lists, one-line plain and
// quoted scalars, one-line flow lists and mappings of scalars, literal
// block scalars and comments — about five times faster than the general
// parser, into the same node tree (kinds, values, lines and columns). On
// anything outside that subset, valid or not, it returns ok false and the
// caller uses the general parser, which also reports syntax errors. A
// differential fuzz test holds the two to the same trees.
func quickParse(data []byte) (root *yaml.Node, ok bool) {
	if !printable(data) {
		return nil, false
	}
	q := quick{src: data}
	q.split()
	q.skipBlank()
	if q.i >= len(q.lines) {
		return nil, false
	}
	l := q.lines[q.i]
	if l.indent != 0 || strings.HasPrefix(l.text, "---") || strings.HasPrefix(l.text, "...") || strings.HasPrefix(l.text, "%") {
		return nil, false
	}
	defer func() {
		if r := recover(); r != nil {
			if r != errUnsupported {
				panic(r)
			}
			root, ok = nil, false
		}
	}()
	root = q.block(0)
	q.skipBlank()
	if q.i != len(q.lines) {
		return nil, false
	}
	return root, true
}

// errUnsupported unwinds the parse when the input leaves the subset.
var errUnsupported = new(int)

func bail() { panic(errUnsupported) }

type quickLine struct {
	num    int    // 1-based line number
	indent int    // leading spaces
	text   string // the rest of the line, with any trailing comment kept
	blank  bool   // empty, spaces only, or a comment only
}

type quick struct {
	src   []byte
	lines []quickLine
	i     int
	slab  []yaml.Node // nodes are carved from slabs: far fewer allocations
}

// node returns a new node holding n.
func (q *quick) node(n yaml.Node) *yaml.Node {
	if len(q.slab) == cap(q.slab) {
		q.slab = make([]yaml.Node, 0, 256)
	}
	q.slab = append(q.slab, n)
	return &q.slab[len(q.slab)-1]
}

func (q *quick) split() {
	s := string(q.src)
	num := 0
	for len(s) > 0 {
		num++
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		q.lines = append(q.lines, quickLine{num: num, indent: indent, text: trimmed, blank: trimmed == "" || trimmed[0] == '#'})
	}
}

func (q *quick) skipBlank() {
	for q.i < len(q.lines) && q.lines[q.i].blank {
		q.i++
	}
}

// block parses the mapping or list whose first line is the current line,
// at the given indent.
func (q *quick) block(indent int) *yaml.Node {
	l := q.lines[q.i]
	if l.indent != indent {
		bail()
	}
	if isItem(l.text) {
		return q.list(indent)
	}
	return q.mapping(indent)
}

func isItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

func (q *quick) mapping(indent int) *yaml.Node {
	first := q.lines[q.i]
	m := q.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.num, Column: indent + 1})
	for {
		q.skipBlank()
		if q.i >= len(q.lines) {
			return m
		}
		l := q.lines[q.i]
		switch {
		case l.indent < indent:
			return m
		case l.indent > indent || isItem(l.text):
			bail()
		}
		keyEnd := keyLength(l.text)
		key := q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: l.text[:keyEnd], Line: l.num, Column: indent + 1})
		rest := l.text[keyEnd+1:] // after the colon
		valueCol := indent + keyEnd + 2
		spaces := len(rest) - len(strings.TrimLeft(rest, " "))
		rest = rest[spaces:]
		q.i++
		var value *yaml.Node
		if rest == "" || rest[0] == '#' {
			value = q.nested(indent, true, l.num, valueCol)
		} else {
			value = q.inline(rest, l.num, valueCol+spaces, indent)
		}
		m.Content = append(m.Content, key, value)
	}
}

// keyLength returns the length of a plain key ending in ": " or ":" at the
// end of the line, or bails. Keys past 512 bytes are left to the general
// parser (YAML caps implicit keys at 1,024 characters).
func keyLength(text string) int {
	for i := 0; i < len(text) && i <= 512; i++ {
		c := text[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-' && i > 0, c == '.' && i > 0:
		case c == ':' && i > 0 && (i+1 == len(text) || text[i+1] == ' '):
			return i
		default:
			bail()
		}
	}
	bail()
	return 0
}

// nested parses the value of a key or list entry that has nothing after
// its indicator: a block on the following lines, or null.
func (q *quick) nested(indent int, inMapping bool, line, col int) *yaml.Node {
	q.skipBlank()
	if q.i < len(q.lines) {
		l := q.lines[q.i]
		if l.indent > indent || (inMapping && l.indent == indent && isItem(l.text)) {
			return q.block(l.indent)
		}
	}
	return q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: line, Column: col})
}

func (q *quick) list(indent int) *yaml.Node {
	first := q.lines[q.i]
	seq := q.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.num, Column: indent + 1})
	for {
		q.skipBlank()
		if q.i >= len(q.lines) {
			return seq
		}
		l := q.lines[q.i]
		if l.indent < indent || (l.indent == indent && !isItem(l.text)) {
			return seq
		}
		if l.indent > indent {
			bail()
		}
		rest := strings.TrimPrefix(l.text, "-")
		spaces := len(rest) - len(strings.TrimLeft(rest, " "))
		rest = rest[spaces:]
		col := indent + 2 + spaces
		switch {
		case rest == "" || rest[0] == '#':
			q.i++
			seq.Content = append(seq.Content, q.nested(indent, false, l.num, indent+2))
		case isItem(rest) || rest[0] == '?':
			bail()
		case isKeyLine(rest):
			// A compact mapping: its keys line up after the "- ".
			q.lines[q.i] = quickLine{num: l.num, indent: col - 1, text: rest}
			seq.Content = append(seq.Content, q.mapping(col-1))
		default:
			q.i++
			seq.Content = append(seq.Content, q.inline(rest, l.num, col, indent))
		}
	}
}

// isKeyLine reports whether text starts with a plain key and a colon.
func isKeyLine(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-' && i > 0, c == '.' && i > 0:
		case c == ':':
			return i > 0 && (i+1 == len(text) || text[i+1] == ' ')
		default:
			return false
		}
	}
	return false
}

// inline parses a value that starts on its key's or entry's line. parent
// is the indent of the mapping or list holding it.
func (q *quick) inline(text string, line, col, parent int) *yaml.Node {
	var n *yaml.Node
	var rest string
	switch text[0] {
	case '"', '\'':
		n, rest = q.quoted(text, line, col)
	case '[':
		n, rest = q.flowList(text, line, col)
	case '{':
		n, rest = q.flowMap(text, line, col)
	case '|':
		return q.literal(text, line, col, parent)
	case '>', '&', '*', '!', '%', '@', '`', '?', ',', ']', '}', '-', ':':
		bail()
	default:
		n, rest = q.plainScalar(text, line, col, false)
	}
	// Only a comment, after a space, may follow the value on its line.
	if trimmed := strings.TrimLeft(rest, " "); trimmed != "" && (trimmed[0] != '#' || len(trimmed) == len(rest)) {
		bail()
	}
	// A more indented line after it would continue it (a multi-line
	// scalar or flow) or be an error: either way, outside the subset.
	j := q.i
	for j < len(q.lines) && q.lines[j].blank {
		j++
	}
	if j < len(q.lines) && q.lines[j].indent > parent {
		bail()
	}
	return n
}

// plainScalar reads a plain scalar up to a comment, or in a flow up to
// ",", "]" or "}".
func (q *quick) plainScalar(text string, line, col int, flow bool) (*yaml.Node, string) {
	end := len(text)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '#' && i > 0 && text[i-1] == ' ' {
			end = i - 1
			break
		}
		if c == ':' && (i+1 == len(text) || text[i+1] == ' ' || (flow && strings.IndexByte(",]}", text[i+1]) >= 0)) {
			bail()
		}
		if flow && strings.IndexByte(",[]{}", c) >= 0 {
			end = i
			break
		}
		if flow && c == '?' {
			bail() // the general parser ends a flow scalar at "?"
		}
		if !flow && (c == '"' || c == '\'') && i == 0 {
			bail()
		}
	}
	value := strings.TrimRight(text[:end], " ")
	if value == "" {
		bail()
	}
	n := q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: line, Column: col})
	switch value {
	case "~", "null", "Null", "NULL":
		n.Tag = "!!null"
	}
	return n, text[end:]
}

// quoted reads a one-line single- or double-quoted scalar.
func (q *quick) quoted(text string, line, col int) (*yaml.Node, string) {
	n := q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: line, Column: col})
	var b strings.Builder
	if text[0] == '\'' {
		n.Style = yaml.SingleQuotedStyle
		for i := 1; i < len(text); i++ {
			if text[i] != '\'' {
				b.WriteByte(text[i])
				continue
			}
			if i+1 < len(text) && text[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			n.Value = b.String()
			return n, text[i+1:]
		}
		bail()
	}
	n.Style = yaml.DoubleQuotedStyle
	for i := 1; i < len(text); i++ {
		c := text[i]
		switch c {
		case '"':
			n.Value = b.String()
			return n, text[i+1:]
		case '\\':
			if i+1 >= len(text) {
				bail()
			}
			i++
			switch e := text[i]; e {
			case '\\', '"', '/':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'x', 'u', 'U':
				width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+width >= len(text) {
					bail()
				}
				r, err := strconv.ParseUint(text[i+1:i+1+width], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					bail()
				}
				b.WriteRune(rune(r))
				i += width
			default:
				bail()
			}
		default:
			b.WriteByte(c)
		}
	}
	bail()
	return nil, ""
}

// flowList reads a one-line [a, b, "c"] of scalars.
func (q *quick) flowList(text string, line, col int) (*yaml.Node, string) {
	n := q.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: line, Column: col})
	i := 1
	for {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i >= len(text) {
			bail()
		}
		if text[i] == ']' {
			return n, text[i+1:]
		}
		item, rest := q.flowScalar(text[i:], line, col+i)
		n.Content = append(n.Content, item)
		i = len(text) - len(rest)
		for i < len(text) && text[i] == ' ' {
			i++
		}
		switch {
		case i < len(text) && text[i] == ',':
			i++
		case i < len(text) && text[i] == ']':
		default:
			bail()
		}
	}
}

// flowMap reads a one-line {k: v, k2: "v2"} of scalars.
func (q *quick) flowMap(text string, line, col int) (*yaml.Node, string) {
	n := q.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: line, Column: col})
	i := 1
	for {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i >= len(text) {
			bail()
		}
		if text[i] == '}' {
			return n, text[i+1:]
		}
		k := keyLength(flowKeyText(text[i:]))
		key := q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text[i : i+k], Line: line, Column: col + i})
		i += k + 1
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i >= len(text) || text[i] == ',' || text[i] == '}' {
			bail() // an empty value in a flow mapping
		}
		value, rest := q.flowScalar(text[i:], line, col+i)
		n.Content = append(n.Content, key, value)
		i = len(text) - len(rest)
		for i < len(text) && text[i] == ' ' {
			i++
		}
		switch {
		case i < len(text) && text[i] == ',':
			i++
		case i < len(text) && text[i] == '}':
		default:
			bail()
		}
	}
}

// flowKeyText cuts text at the first ", " "}" so keyLength sees one key.
func flowKeyText(text string) string {
	if j := strings.IndexAny(text, ",}"); j >= 0 {
		return text[:j]
	}
	return text
}

func (q *quick) flowScalar(text string, line, col int) (*yaml.Node, string) {
	switch text[0] {
	case '"', '\'':
		return q.quoted(text, line, col)
	case '[', '{', '&', '*', '!', '%', '@', '`', '?', '|', '>', ',', '#', ':', '-':
		bail()
	}
	return q.plainScalar(text, line, col, true)
}

// literal reads a "|" or "|-" block scalar from the following lines.
func (q *quick) literal(text string, line, col, parent int) *yaml.Node {
	header := strings.TrimRight(text, " ")
	if header != "|" && header != "|-" {
		bail()
	}
	n := q.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.LiteralStyle, Line: line, Column: col})
	var lines []string
	blockIndent := -1
	for q.i < len(q.lines) {
		l := q.lines[q.i]
		if l.text == "" {
			if l.indent > 0 && (blockIndent < 0 || l.indent > blockIndent) {
				bail() // spaces that might be content
			}
			lines = append(lines, "")
			q.i++
			continue
		}
		if l.indent <= parent {
			break
		}
		if blockIndent < 0 {
			blockIndent = l.indent
		}
		if l.indent < blockIndent {
			bail()
		}
		lines = append(lines, strings.Repeat(" ", l.indent-blockIndent)+l.text)
		q.i++
	}
	// Trailing empty lines belong to no one: leave them out (the blank-line
	// skipper treats them as blank) and chomp.
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
		q.i--
	}
	if blockIndent < 0 {
		bail()
	}
	n.Value = strings.Join(lines, "\n")
	if header == "|" {
		n.Value += "\n"
	}
	return n
}

// printable reports whether data is valid UTF-8 holding only characters
// YAML allows in a stream and the quick parser handles: line feeds and no
// other control characters (so no tabs or carriage returns), and no
// byte-order mark.
func printable(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r >= 0xd800 && r <= 0xdfff, r == 0xfeff, r == 0xfffe, r == 0xffff:
			// Next line (0x85) and the line and paragraph separators are
			// line breaks to YAML: the general parser handles them.
			return false
		}
		i += size
	}
	return true
}
