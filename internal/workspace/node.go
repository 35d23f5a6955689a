package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

// decoder turns one file's YAML node tree into domain values, collecting
// every problem with its line and column instead of stopping at the first.
type decoder struct {
	file     string
	problems *[]remit.Problem
	// strings, when set, interns every string decoded: an estate repeats
	// the same control references, offering references, classes and
	// texts thousands of times.
	strings interner
}

// interner keeps one copy of each distinct string.
type interner map[string]string

func newInterner() interner { return interner{} }

// intern returns the kept copy of s, keeping a copy of its own the first
// time (s may share the memory of a whole file).
func (in interner) intern(s string) string {
	if in == nil || s == "" {
		return s
	}
	if v, ok := in[s]; ok {
		return v
	}
	s = strings.Clone(s)
	in[s] = s
	return s
}

func (d *decoder) add(n *yaml.Node, format string, args ...any) {
	line, col := position(n)
	*d.problems = append(*d.problems, remit.Problem{File: d.file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// syntaxLine finds the line number in the YAML library's error text.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parse parses one YAML file into the root node of its single document.
// It returns nil (after recording a problem) when the file cannot be used.
func (d *decoder) parse(data []byte, expect string) *yaml.Node {
	if root, ok := quickParse(data); ok {
		return root
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	switch {
	case errors.Is(err, io.EOF) || (err == nil && len(doc.Content) == 0):
		*d.problems = append(*d.problems, remit.Problem{File: d.file, Line: 1, Column: 1, Message: "file is empty: expected " + expect})
		return nil
	case err != nil:
		*d.problems = append(*d.problems, syntaxProblem(d.file, err))
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.add(&next, "a file holds one document; move this one to a file of its own")
	case !errors.Is(err, io.EOF):
		*d.problems = append(*d.problems, syntaxProblem(d.file, err))
	}
	return doc.Content[0]
}

// syntaxProblem turns the YAML library's error into a problem on its line.
// The library counts lines from zero for parser errors (those that say
// what they "did not find" and a few others) and from one for scanner
// errors; the problem is put on the one-based line either way.
func syntaxProblem(file string, err error) remit.Problem {
	msg := err.Error()
	p := remit.Problem{File: file}
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		for _, prefix := range []string{"did not find expected", "found duplicate %", "found incompatible YAML", "found undefined tag"} {
			if strings.HasPrefix(msg, prefix) {
				p.Line++
				break
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.Message = "YAML syntax: " + msg
	return p
}

// position returns the 1-based line and column where n starts.
func position(n *yaml.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	return n.Line, n.Column
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// fields walks a mapping node, calling each for every known key and
// reporting unknown and repeated keys. It reports a problem and returns
// false when n is not a mapping.
func (d *decoder) fields(n *yaml.Node, what string, keys []string, each func(key string, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			d.add(n, "%s is empty: expected a mapping with keys %s", what, strings.Join(keys, ", "))
		} else {
			d.add(n, "%s should be a mapping with keys %s, not %s", what, strings.Join(keys, ", "), describe(n))
		}
		return false
	}
	var seen [16]string
	used := seen[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := scalarText(k)
		if !ok {
			d.add(k, "%s has a key that is not a plain word", what)
			continue
		}
		if !slices.Contains(keys, key) {
			if hint := remit.Closest(key, keys); hint != "" {
				d.add(k, "unknown key %q in %s (did you mean %q?); expected one of %s", key, what, hint, strings.Join(keys, ", "))
			} else {
				d.add(k, "unknown key %q in %s; expected one of %s", key, what, strings.Join(keys, ", "))
			}
			continue
		}
		if slices.Contains(used, key) {
			d.add(k, "key %q appears twice in %s; keep one", key, what)
			continue
		}
		used = append(used, key)
		each(key, v)
	}
	return true
}

// str decodes a scalar into a string. A null or absent value is "".
func (d *decoder) str(n *yaml.Node, key string) string {
	if isNull(n) {
		return ""
	}
	s, ok := scalarText(n)
	if !ok {
		d.add(n, "%s should be text, not %s", key, describe(n))
		return ""
	}
	return d.strings.intern(s)
}

// strs decodes a sequence of scalars.
func (d *decoder) strs(n *yaml.Node, key string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n, "%s should be a list, not %s", key, describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, v := range n.Content {
		out = append(out, d.str(v, key+" entry"))
	}
	return out
}

// each calls fn for every entry of a sequence node.
func (d *decoder) each(n *yaml.Node, key string, fn func(v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n, "%s should be a list, not %s", key, describe(n))
		return
	}
	for _, v := range n.Content {
		fn(v)
	}
}

// scalarText returns the text of a scalar node as written, so that
// `version: 1.10` stays "1.10" rather than becoming a number. A block
// scalar loses its final line break.
func scalarText(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return strings.TrimRight(n.Value, "\n"), true
	}
	return n.Value, true
}

func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias (anchors and aliases are not supported)"
	}
	s, _ := scalarText(n)
	return strconv.Quote(s)
}

// find follows a JSON pointer's segments (below a file's root) through the
// node tree and returns the deepest node it reaches, so a problem about a
// missing key points at the mapping that should hold it.
func find(root *yaml.Node, segments []string) *yaml.Node {
	n := root
	for _, seg := range segments {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k, _ := scalarText(n.Content[i]); k == seg {
					next = n.Content[i+1]
					if isNull(next) {
						next = n.Content[i] // point at the key of an empty value
					}
					break
				}
			}
			if next == nil {
				return n
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n
			}
			n = n.Content[i]
		default:
			return n
		}
	}
	return n
}
