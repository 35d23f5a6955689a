package oscal

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// OSCAL's XML form holds the same documents as its JSON form, shaped by
// the same NIST metaschema: a flag is an attribute, a field or an
// assembly an element, a repeated child appears once per item under its
// own name (prop, not props), and prose is XML markup (markup.go), not
// Markdown. Remit reads an XML document by turning it into the JSON it
// stands for, and writes one by turning its JSON into XML, in the element
// order the metaschema defines. What maps to what — every model's
// definitions, with their flags, their children in order and their
// JSON names — is xmlmodel.json, taken from NIST's OSCAL 1.1.3 metaschema
// (github.com/usnistgov/OSCAL, src/metaschema; public domain) and checked
// in TestXMLModel against NIST's 1.1.3 JSON schema.

// Namespace is the XML namespace of every OSCAL element.
const Namespace = "http://csrc.nist.gov/ns/oscal/1.0"

//go:embed xmlmodel.json
var xmlModelJSON []byte

type xmlModel struct {
	Roots map[string]string  `json:"roots"`
	Defs  map[string]*xmlDef `json:"defs"`
}

type xmlDef struct {
	Kind      string     `json:"kind"` // assembly or field
	Flags     []xmlFlag  `json:"flags"`
	Model     []xmlChild `json:"model"`
	Value     string     `json:"value"`    // a field's: markup-line, markup-multiline or string
	Datatype  string     `json:"datatype"` // a field's, when not a string
	ValueKey  string     `json:"value_key"`
	Unwrapped bool       `json:"unwrapped"`
	Any       bool       `json:"any"`

	byXML   map[string]*xmlChild // children by element name (and wrapper name)
	flagXML map[string]*xmlFlag
	order   map[string]int // JSON keys in the order XML writes them
	prose   *xmlChild      // the unwrapped markup-multiline child, if any
}

type xmlFlag struct {
	XML      string `json:"xml"`
	JSON     string `json:"json"`
	Datatype string `json:"datatype"`
}

type xmlChild struct {
	XML     string `json:"xml"`
	JSON    string `json:"json"`
	Def     string `json:"def"`
	Many    bool   `json:"many"`
	Wrapper string `json:"wrapper"`

	def *xmlDef
}

var loadXMLModel = sync.OnceValue(func() *xmlModel {
	var m xmlModel
	if err := json.Unmarshal(xmlModelJSON, &m); err != nil {
		panic("oscal: xmlmodel.json: " + err.Error())
	}
	for key, d := range m.Defs {
		d.byXML = map[string]*xmlChild{}
		d.flagXML = map[string]*xmlFlag{}
		d.order = map[string]int{}
		for i := range d.Flags {
			f := &d.Flags[i]
			d.flagXML[f.XML] = f
			d.order[f.JSON] = len(d.order)
		}
		if d.ValueKey != "" {
			d.order[d.ValueKey] = len(d.order)
		}
		for i := range d.Model {
			c := &d.Model[i]
			if c.def = m.Defs[c.Def]; c.def == nil {
				panic("oscal: xmlmodel.json: " + key + " names " + c.Def + ", which it does not define")
			}
			if _, ok := d.order[c.JSON]; !ok {
				d.order[c.JSON] = len(d.order)
			}
			if c.def.Unwrapped {
				d.prose = c
				continue
			}
			d.byXML[c.XML] = c
			if c.Wrapper != "" {
				d.byXML[c.Wrapper] = c
			}
		}
	}
	return &m
})

// isXML reports whether data is an XML document: its first byte that is
// not white space (after a byte-order mark) is '<'.
func isXML(data []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	return len(t) > 0 && t[0] == '<'
}

// ToXML writes a JSON document (as Marshal writes it, or any OSCAL JSON)
// in OSCAL's XML form.
func ToXML(doc []byte) ([]byte, error) {
	m := loadXMLModel()
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(doc, bom)))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	root := ""
	for k := range top {
		if _, ok := m.Roots[k]; ok {
			root = k
		}
	}
	if root == "" {
		return nil, fmt.Errorf("not an OSCAL document: no OSCAL model at its top level")
	}
	obj, ok := top[root].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: an object was expected", root)
	}
	w := &xmlWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if err := w.assembly(root, m.Defs[m.Roots[root]], obj, 0, root); err != nil {
		return nil, err
	}
	w.b.WriteByte('\n')
	return []byte(w.b.String()), nil
}

type xmlWriter struct{ b strings.Builder }

func (w *xmlWriter) indent(depth int) {
	w.b.WriteByte('\n')
	for range depth {
		w.b.WriteString("  ")
	}
}

// scalar is a JSON value written as XML text.
func scalar(path string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", fmt.Errorf("%s: a single value was expected, not %s", path, jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return "a value"
}

func (w *xmlWriter) attrs(d *xmlDef, obj map[string]any, path string) error {
	for _, f := range d.Flags {
		v, ok := obj[f.JSON]
		if !ok {
			continue
		}
		s, err := scalar(path+"."+f.JSON, v)
		if err != nil {
			return err
		}
		w.b.WriteString(" " + f.XML + `="`)
		escapeXML(&w.b, cleanText(s))
		w.b.WriteByte('"')
	}
	return nil
}

// unknownKey names a key of obj d does not define, or "".
func unknownKey(d *xmlDef, obj map[string]any) string {
	var bad []string
	for k := range obj {
		if _, ok := d.order[k]; !ok && k != "$schema" {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	return bad[0]
}

func (w *xmlWriter) assembly(name string, d *xmlDef, obj map[string]any, depth int, path string) error {
	if k := unknownKey(d, obj); k != "" {
		return fmt.Errorf("%s.%s: not part of OSCAL's %s (XML cannot hold it)", path, k, name)
	}
	w.b.WriteString("<" + name)
	if depth == 0 {
		w.b.WriteString(` xmlns="` + Namespace + `"`)
	}
	if err := w.attrs(d, obj, path); err != nil {
		return err
	}
	empty := true
	for i := range d.Model {
		c := &d.Model[i]
		v, ok := obj[c.JSON]
		if !ok || v == nil {
			continue
		}
		if empty {
			w.b.WriteByte('>')
			empty = false
		}
		cpath := path + "." + c.JSON
		items := []any{v}
		if list, isList := v.([]any); isList {
			if !c.Many {
				return fmt.Errorf("%s: one value was expected, not a list", cpath)
			}
			items = list
		}
		at := depth + 1
		if c.Wrapper != "" {
			w.indent(at)
			w.b.WriteString("<" + c.Wrapper + ">")
			at++
		}
		for i, item := range items {
			ipath := cpath
			if c.Many {
				ipath = fmt.Sprintf("%s[%d]", cpath, i)
			}
			if err := w.node(c, item, at, ipath); err != nil {
				return err
			}
		}
		if c.Wrapper != "" {
			w.indent(at - 1)
			w.b.WriteString("</" + c.Wrapper + ">")
		}
	}
	if empty {
		w.b.WriteString("/>")
		return nil
	}
	w.indent(depth)
	w.b.WriteString("</" + name + ">")
	return nil
}

func (w *xmlWriter) node(c *xmlChild, v any, depth int, path string) error {
	d := c.def
	if d.Kind == "assembly" {
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: an object was expected, not %s", path, jsonKind(v))
		}
		w.indent(depth)
		return w.assembly(c.XML, d, obj, depth, path)
	}
	if d.Unwrapped {
		s, err := scalar(path, v)
		if err != nil {
			return err
		}
		if x := markupXML(s, true); x != "" {
			w.indent(depth)
			w.b.WriteString(x)
		}
		return nil
	}
	w.indent(depth)
	w.b.WriteString("<" + c.XML)
	value := v
	if obj, ok := v.(map[string]any); ok && (len(d.Flags) > 0 || d.ValueKey != "") {
		if k := unknownKey(d, obj); k != "" {
			return fmt.Errorf("%s.%s: not part of OSCAL's %s (XML cannot hold it)", path, k, c.XML)
		}
		if err := w.attrs(d, obj, path); err != nil {
			return err
		}
		value = obj[d.ValueKey]
		path += "." + d.ValueKey
	}
	if value == nil {
		w.b.WriteString("/>")
		return nil
	}
	s, err := scalar(path, value)
	if err != nil {
		return err
	}
	w.b.WriteByte('>')
	switch d.Value {
	case "markup-line":
		w.b.WriteString(markupXML(s, false))
	case "markup-multiline":
		w.b.WriteString(markupXML(s, true))
	default:
		escapeXML(&w.b, cleanText(s))
	}
	w.b.WriteString("</" + c.XML + ">")
	return nil
}

// maxXMLElements bounds what an XML document may cost to read, as
// MaxObjects does for JSON (a flag-less field is an element in XML but a
// string in JSON, so XML holds more elements than JSON holds objects).
const maxXMLElements = 4 * MaxObjects

// xmlReader turns an OSCAL XML document into JSON, naming the line and
// column of what it cannot turn.
type xmlReader struct {
	file     string
	dec      *xml.Decoder
	elements int
}

func (r *xmlReader) errorf(format string, a ...any) *Error {
	line, col := r.dec.InputPos()
	return &Error{File: r.file, Line: line, Column: col, Message: fmt.Sprintf(format, a...)}
}

// syntax turns the decoder's error into one naming the file and line.
func (r *xmlReader) syntax(err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return err
	}
	if errors.Is(err, io.EOF) {
		return r.errorf("the document ends before its root element closes")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &Error{File: r.file, Line: se.Line, Message: "not well-formed XML: " + se.Msg}
	}
	return r.errorf("not well-formed XML: %v", err)
}

// fromXML turns an OSCAL XML document into the JSON it stands for.
func fromXML(file string, data []byte) ([]byte, error) {
	m := loadXMLModel()
	r := &xmlReader{file: file, dec: xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))}
	r.dec.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("the document is in %s: write it as UTF-8", charset)
	}
	for {
		tok, err := r.dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &Error{File: file, Message: "the file holds no XML element"}
			}
			return nil, r.syntax(err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		key, known := m.Roots[start.Name.Local]
		if !known {
			roots := make([]string, 0, len(m.Roots))
			for k := range m.Roots {
				roots = append(roots, k)
			}
			slices.Sort(roots)
			return nil, r.errorf("not an OSCAL document: its root element is <%s>, not one of the OSCAL models (%s)", start.Name.Local, strings.Join(roots, ", "))
		}
		if start.Name.Space != "" && start.Name.Space != Namespace {
			return nil, r.errorf("<%s> is in the namespace %q, not OSCAL's (%s)", start.Name.Local, start.Name.Space, Namespace)
		}
		obj, err := r.assembly(start, m.Defs[key], 0)
		if err != nil {
			return nil, r.syntax(err)
		}
		var buf bytes.Buffer
		buf.WriteString(`{"` + start.Name.Local + `":`)
		obj.write(&buf)
		buf.WriteByte('}')
		return buf.Bytes(), nil
	}
}

// jsonObject is a JSON object keeping its keys in the order its
// definition gives them.
type jsonObject struct {
	def  *xmlDef
	vals map[string]any
}

func (o *jsonObject) write(buf *bytes.Buffer) {
	keys := make([]string, 0, len(o.vals))
	for k := range o.vals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return o.def.order[a] - o.def.order[b] })
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONValue(buf, k)
		buf.WriteByte(':')
		writeJSONValue(buf, o.vals[k])
	}
	buf.WriteByte('}')
}

func writeJSONValue(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case *jsonObject:
		v.write(buf)
	case []any:
		buf.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONValue(buf, x)
		}
		buf.WriteByte(']')
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	default:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		buf.Truncate(buf.Len() - 1) // the encoder's newline
	}
}

// typed reads a flag's or a field's text as its datatype.
func (r *xmlReader) typed(what, datatype, s string) (any, error) {
	switch datatype {
	case "integer", "non-negative-integer", "positive-integer":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || datatype == "non-negative-integer" && n < 0 || datatype == "positive-integer" && n < 1 {
			return nil, r.errorf("%s: %q is not a %s", what, s, strings.ReplaceAll(datatype, "-", " "))
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case "decimal":
		t := strings.TrimSpace(s)
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			return nil, r.errorf("%s: %q is not a number", what, s)
		}
		return json.Number(t), nil
	case "boolean":
		switch strings.TrimSpace(s) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, r.errorf("%s: %q is not true or false", what, s)
	}
	return s, nil
}

func (r *xmlReader) flags(d *xmlDef, start xml.StartElement, obj map[string]any) error {
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" || a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
			continue
		}
		f := d.flagXML[a.Name.Local]
		if f == nil {
			return r.errorf("<%s> has no attribute %q (it may have %s)", start.Name.Local, a.Name.Local, flagNames(d))
		}
		v, err := r.typed(fmt.Sprintf("<%s %s>", start.Name.Local, a.Name.Local), f.Datatype, a.Value)
		if err != nil {
			return err
		}
		obj[f.JSON] = v
	}
	return nil
}

func flagNames(d *xmlDef) string {
	if len(d.Flags) == 0 {
		return "none"
	}
	names := make([]string, len(d.Flags))
	for i, f := range d.Flags {
		names[i] = f.XML
	}
	return strings.Join(names, ", ")
}

func childNames(d *xmlDef) string {
	var names []string
	for _, c := range d.Model {
		switch {
		case c.def.Unwrapped:
			names = append(names, "prose (p, ul, ol, table…)")
		case c.Wrapper != "":
			names = append(names, c.Wrapper)
		default:
			names = append(names, c.XML)
		}
	}
	if len(names) == 0 {
		return "no elements"
	}
	return strings.Join(names, ", ")
}

func (r *xmlReader) count() error {
	if r.elements++; r.elements > maxXMLElements {
		return r.errorf("the document holds more than %d elements, over the limit: split it", maxXMLElements)
	}
	return nil
}

func (r *xmlReader) assembly(start xml.StartElement, d *xmlDef, depth int) (*jsonObject, error) {
	if err := r.count(); err != nil {
		return nil, err
	}
	if depth > 200 {
		return nil, r.errorf("elements are nested more than 200 deep")
	}
	obj := &jsonObject{def: d, vals: map[string]any{}}
	if err := r.flags(d, start, obj.vals); err != nil {
		return nil, err
	}
	var prose []*markupNode
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if d.prose != nil && len(prose) > 0 {
				if md := markdown(prose, true); md != "" {
					obj.vals[d.prose.JSON] = md
				}
			}
			return obj, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			if d.prose != nil {
				prose = append(prose, &markupNode{text: string(t)})
				continue
			}
			return nil, r.errorf("<%s> holds text %q, but only elements (%s)", start.Name.Local, truncate(strings.TrimSpace(string(t)), 40), childNames(d))
		case xml.StartElement:
			if t.Name.Space != "" && t.Name.Space != Namespace {
				if err := r.dec.Skip(); err != nil {
					return nil, err
				}
				continue // another vocabulary's extension: not OSCAL's to read
			}
			if d.prose != nil && (blockTags[t.Name.Local] || inlineTags[t.Name.Local]) {
				n, err := readMarkup(r.dec, t)
				if err != nil {
					return nil, err
				}
				prose = append(prose, n)
				continue
			}
			c := d.byXML[t.Name.Local]
			if c == nil {
				if d.Any {
					if err := r.dec.Skip(); err != nil {
						return nil, err
					}
					continue
				}
				return nil, r.errorf("<%s> cannot hold <%s> (it may hold %s)", start.Name.Local, t.Name.Local, childNames(d))
			}
			if c.Wrapper != "" && t.Name.Local == c.Wrapper {
				if err := r.wrapped(t, c, obj, depth); err != nil {
					return nil, err
				}
				continue
			}
			if err := r.child(t, c, obj, depth); err != nil {
				return nil, err
			}
		}
	}
}

// wrapped reads the items of a grouped child (revisions > revision).
func (r *xmlReader) wrapped(start xml.StartElement, c *xmlChild, obj *jsonObject, depth int) error {
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return r.errorf("<%s> holds text, but only <%s> elements", start.Name.Local, c.XML)
			}
		case xml.StartElement:
			if t.Name.Local != c.XML {
				return r.errorf("<%s> cannot hold <%s> (only <%s>)", start.Name.Local, t.Name.Local, c.XML)
			}
			if err := r.child(t, c, obj, depth+1); err != nil {
				return err
			}
		}
	}
}

// child reads one child element into obj: appended to its list when it
// may repeat, refused when it may not and is there already.
func (r *xmlReader) child(t xml.StartElement, c *xmlChild, obj *jsonObject, depth int) error {
	var v any
	var err error
	if c.def.Kind == "assembly" {
		v, err = r.assembly(t, c.def, depth+1)
	} else {
		v, err = r.field(t, c.def)
	}
	if err != nil {
		return err
	}
	if !c.Many {
		if _, dup := obj.vals[c.JSON]; dup {
			return r.errorf("<%s> appears twice, but may appear once", t.Name.Local)
		}
		obj.vals[c.JSON] = v
		return nil
	}
	list, _ := obj.vals[c.JSON].([]any)
	obj.vals[c.JSON] = append(list, v)
	return nil
}

func (r *xmlReader) field(start xml.StartElement, d *xmlDef) (any, error) {
	if err := r.count(); err != nil {
		return nil, err
	}
	flags := map[string]any{}
	if err := r.flags(d, start, flags); err != nil {
		return nil, err
	}
	var value any
	switch d.Value {
	case "markup-line", "markup-multiline":
		n, err := readMarkup(r.dec, start)
		if err != nil {
			return nil, err
		}
		value = markdown(n.kids, d.Value == "markup-multiline")
	default:
		var text strings.Builder
	read:
		for {
			tok, err := r.dec.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.CharData:
				text.Write(t)
			case xml.StartElement:
				return nil, r.errorf("<%s> holds a value, not elements (<%s>)", start.Name.Local, t.Name.Local)
			case xml.EndElement:
				break read
			}
		}
		s := text.String()
		if d.Datatype != "" && d.Datatype != "string" {
			s = strings.TrimSpace(s)
		}
		v, err := r.typed("<"+start.Name.Local+">", d.Datatype, s)
		if err != nil {
			return nil, err
		}
		value = v
	}
	if len(d.Flags) == 0 && d.ValueKey == "" {
		return value, nil
	}
	obj := &jsonObject{def: d, vals: flags}
	if value != "" {
		obj.vals[d.ValueKey] = value
	}
	return obj, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
