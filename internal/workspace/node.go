package workspace

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"remit/internal/remit"
)

// decoder turns one file's YAML syntax tree into domain values, collecting
// every problem with its line and column instead of stopping at the first.
type decoder struct {
	file     string
	problems *[]remit.Problem
}

func (d *decoder) add(n ast.Node, format string, args ...any) {
	line, col := position(n)
	*d.problems = append(*d.problems, remit.Problem{File: d.file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// parse parses one YAML file into the body of its single document. It
// returns nil (after recording a problem) when the file cannot be used.
func (d *decoder) parse(data []byte, expect string) ast.Node {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			pos := ye.GetToken().Position
			*d.problems = append(*d.problems, remit.Problem{File: d.file, Line: pos.Line, Column: pos.Column, Message: "YAML syntax: " + ye.GetMessage()})
		} else {
			*d.problems = append(*d.problems, remit.Problem{File: d.file, Message: "YAML syntax: " + err.Error()})
		}
		return nil
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			bodies = append(bodies, doc.Body)
		}
	}
	switch len(bodies) {
	case 0:
		*d.problems = append(*d.problems, remit.Problem{File: d.file, Line: 1, Column: 1, Message: "file is empty: expected " + expect})
		return nil
	case 1:
		return unwrap(bodies[0])
	}
	d.add(bodies[1], "a file holds one document; move this one to a file of its own")
	return unwrap(bodies[0])
}

// unwrap looks through anchors and tags to the value they carry.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// position returns the 1-based line and column where n starts.
func position(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		n = m.Values[0].Key
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		n = mv.Key
	}
	t := n.GetToken()
	if t == nil || t.Position == nil {
		return 0, 0
	}
	return t.Position.Line, t.Position.Column
}

// fields walks a mapping node, calling each for every known key and
// reporting unknown keys. It reports a problem and returns
// false when n is not a mapping.
func (d *decoder) fields(n ast.Node, what string, keys []string, each func(key string, v ast.Node)) bool {
	n = unwrap(n)
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if _, null := n.(*ast.NullNode); null || n == nil {
			d.add(n, "%s is empty: expected a mapping with keys %s", what, strings.Join(keys, ", "))
		} else {
			d.add(n, "%s should be a mapping with keys %s, not %s", what, strings.Join(keys, ", "), describe(n))
		}
		return false
	}
	// Repeated keys need no check here: the parser rejects them.
	for _, mv := range m.Values {
		key, ok := scalarText(unwrap(mv.Key))
		if !ok {
			d.add(mv.Key, "%s has a key that is not a plain word", what)
			continue
		}
		if !slices.Contains(keys, key) {
			hint := remit.Closest(key, keys)
			if hint != "" {
				d.add(mv.Key, "unknown key %q in %s (did you mean %q?); expected one of %s", key, what, hint, strings.Join(keys, ", "))
			} else {
				d.add(mv.Key, "unknown key %q in %s; expected one of %s", key, what, strings.Join(keys, ", "))
			}
			continue
		}
		each(key, unwrap(mv.Value))
	}
	return true
}

// str decodes a scalar into a string. A null or absent value is "".
func (d *decoder) str(n ast.Node, key string) string {
	if _, null := n.(*ast.NullNode); null || n == nil {
		return ""
	}
	s, ok := scalarText(n)
	if !ok {
		d.add(n, "%s should be text, not %s", key, describe(n))
		return ""
	}
	return s
}

// strs decodes a sequence of scalars.
func (d *decoder) strs(n ast.Node, key string) []string {
	if _, null := n.(*ast.NullNode); null || n == nil {
		return nil
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.add(n, "%s should be a list, not %s", key, describe(n))
		return nil
	}
	out := make([]string, 0, len(seq.Values))
	for _, v := range seq.Values {
		out = append(out, d.str(unwrap(v), key+" entry"))
	}
	return out
}

// each calls fn for every entry of a sequence node.
func (d *decoder) each(n ast.Node, key string, fn func(i int, v ast.Node)) {
	if _, null := n.(*ast.NullNode); null || n == nil {
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.add(n, "%s should be a list, not %s", key, describe(n))
		return
	}
	for i, v := range seq.Values {
		fn(i, unwrap(v))
	}
}

// scalarText returns the text of a scalar node as written, so that
// `version: 1.10` stays "1.10" rather than becoming a number.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return strings.TrimRight(v.Value.Value, "\n"), true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias (anchors and aliases are not supported)"
	case nil, *ast.NullNode:
		return "nothing"
	}
	if s, ok := scalarText(n); ok {
		return strconv.Quote(s)
	}
	return n.Type().String()
}

// find follows a JSON pointer's segments (below a file's root) through the
// syntax tree and returns the deepest node it reaches, so a problem about a
// missing key points at the mapping that should hold it.
func find(root ast.Node, segments []string) ast.Node {
	n := root
	for _, seg := range segments {
		switch v := unwrap(n).(type) {
		case *ast.MappingNode:
			var next ast.Node
			for _, mv := range v.Values {
				if k, _ := scalarText(unwrap(mv.Key)); k == seg {
					next = mv.Value
					if _, null := unwrap(mv.Value).(*ast.NullNode); null {
						next = mv
					}
					break
				}
			}
			if next == nil {
				return n
			}
			n = next
		case *ast.SequenceNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v.Values) {
				return n
			}
			n = v.Values[i]
		default:
			return n
		}
	}
	return n
}
