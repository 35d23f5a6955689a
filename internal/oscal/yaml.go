package oscal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// OSCAL's YAML form is its JSON form written as YAML: the same keys, the
// same nesting. Remit reads a YAML document by turning it into JSON first
// and writes one by turning its JSON into YAML, keeping the key order.

// isYAML reports whether data is not JSON: its first byte that is not
// white space (after a byte-order mark) is not '{'.
func isYAML(data []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	return len(t) > 0 && t[0] != '{' && t[0] != '<'
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// maxYAMLNodes bounds what a YAML document may cost to read, as
// MaxObjects does for JSON: aliases could otherwise expand a small file
// without end.
const maxYAMLNodes = 4 * MaxObjects

// fromYAML turns an OSCAL YAML document into the JSON it stands for,
// naming the line and column of what it cannot turn.
func fromYAML(file string, data []byte) ([]byte, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Message: "the file is empty"}
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		e := &Error{File: file, Message: "not valid YAML: " + msg}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		}
		return nil, e
	}
	var buf bytes.Buffer
	n := 0
	if err := writeJSON(&buf, file, &doc, &n, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, file string, n *yaml.Node, count *int, depth int) error {
	if *count++; *count > maxYAMLNodes || depth > 200 {
		return &Error{File: file, Line: n.Line, Column: n.Column, Message: fmt.Sprintf("the document holds more than %d values (aliases count each time they are used), over the limit: split it", maxYAMLNodes)}
	}
	bad := func(format string, a ...any) error {
		return &Error{File: file, Line: n.Line, Column: n.Column, Message: fmt.Sprintf(format, a...)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return bad("the document is empty")
		}
		return writeJSON(buf, file, n.Content[0], count, depth+1)
	case yaml.AliasNode:
		return writeJSON(buf, file, n.Alias, count, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return &Error{File: file, Line: k.Line, Column: k.Column, Message: "a key must be plain text"}
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, file, v, count, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, file, c, count, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return bad("%q is not true or false", n.Value)
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return bad("%q is not a number JSON can hold", n.Value)
			}
			b, _ := json.Marshal(f)
			buf.Write(b)
		default:
			b, _ := json.Marshal(n.Value)
			buf.Write(b)
		}
	default:
		return bad("unexpected YAML")
	}
	return nil
}

// Formats are the forms Remit writes OSCAL documents in.
var Formats = []string{"json", "yaml", "xml"}

// Render makes a document Marshal wrote declare version ("" for the
// default) and puts it in format ("" or json, yaml, xml).
func Render(doc []byte, version, format string) ([]byte, error) {
	doc, err := SetVersion(doc, version)
	if err != nil {
		return nil, err
	}
	switch format {
	case "", "json":
		return doc, nil
	case "yaml":
		return ToYAML(doc)
	case "xml":
		return ToXML(doc)
	}
	return nil, fmt.Errorf("format %q is not known: use json, yaml or xml", format)
}

// ToYAML writes a JSON document (as Marshal writes it) as OSCAL YAML,
// keeping its keys in their order; strings that YAML would read as
// something else are quoted.
func ToYAML(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := yamlNode(dec)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				val, err := yamlNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)}, val)
			}
			_, err := dec.Token() // }
			return n, err
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				val, err := yamlNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
			_, err := dec.Token() // ]
			return n, err
		}
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		if strings.Contains(v, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(v.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", t)
}
