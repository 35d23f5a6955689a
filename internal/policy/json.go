package policy

import (
	"encoding/json"
	"fmt"

	"remit/internal/checks"

	"github.com/open-policy-agent/opa/v1/ast"
)

// jsonToValue parses one JSON document straight into OPA's terms, as
// ast.InterfaceToValue(json.Unmarshal(data)) would give but without the
// Go values between (half the time and memory on a large Terraform plan).
// Object keys are shared between objects. It accepts exactly what
// encoding/json accepts (FuzzJSONToValue checks).
func jsonToValue(data []byte) (ast.Value, error) {
	p := jsonParser{data: data, keys: map[string]*ast.Term{}}
	p.space()
	t, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.data) {
		return nil, p.fail("more than one JSON value, or something after it")
	}
	return t.Value, nil
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

type jsonParser struct {
	data []byte
	i    int
	keys map[string]*ast.Term
}

func (p *jsonParser) fail(msg string) error {
	return fmt.Errorf("%s: not valid JSON: %s", checks.LineCol(p.data, int64(p.i)), msg)
}

func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*ast.Term, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	if p.i >= len(p.data) {
		return nil, p.fail("the file ends too soon")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return ast.StringTerm(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return ast.InternedTerm(true), nil
	case p.literal("false"):
		return ast.InternedTerm(false), nil
	case p.literal("null"):
		return ast.NullTerm(), nil
	}
	return nil, p.fail(fmt.Sprintf("unexpected %q", p.data[p.i]))
}

func (p *jsonParser) literal(word string) bool {
	if len(p.data)-p.i >= len(word) && string(p.data[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (*ast.Term, error) {
	p.i++ // {
	var kvs [][2]*ast.Term
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return ast.NewTerm(ast.NewObject()), nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.fail("expected a string key")
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.fail("expected ':' after a key")
		}
		p.i++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, [2]*ast.Term{k, v})
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail("the file ends inside an object")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return ast.NewTerm(newObject(kvs)), nil
		default:
			return nil, p.fail("expected ',' or '}' in an object")
		}
	}
}

// newObject makes an object; a key given twice keeps its last value, as
// encoding/json does.
func newObject(kvs [][2]*ast.Term) ast.Value {
	for i := range kvs {
		for j := i + 1; j < len(kvs) && len(kvs) <= 32; j++ {
			if kvs[i][0].Value.Compare(kvs[j][0].Value) == 0 {
				return slowObject(kvs)
			}
		}
	}
	if len(kvs) > 32 {
		return slowObject(kvs)
	}
	return ast.NewObject(kvs...)
}

func slowObject(kvs [][2]*ast.Term) ast.Value {
	o := ast.NewObjectWithCapacity(len(kvs))
	for _, kv := range kvs {
		o.Insert(kv[0], kv[1])
	}
	return o
}

func (p *jsonParser) array(depth int) (*ast.Term, error) {
	p.i++ // [
	var elems []*ast.Term
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return ast.ArrayTerm(), nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail("the file ends inside a list")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return ast.ArrayTerm(elems...), nil
		default:
			return nil, p.fail("expected ',' or ']' in a list")
		}
	}
}

// key reads an object key, sharing the term of a key seen before.
func (p *jsonParser) key() (*ast.Term, error) {
	start := p.i
	s, err := p.str()
	if err != nil {
		return nil, err
	}
	raw := p.data[start:p.i]
	if t, ok := p.keys[string(raw)]; ok {
		return t, nil
	}
	t := ast.StringTerm(s)
	p.keys[string(raw)] = t
	return t, nil
}

// str reads a string: plain bytes directly, escapes through encoding/json.
func (p *jsonParser) str() (string, error) {
	start := p.i
	p.i++ // "
	escaped := false
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			if !escaped {
				return string(p.data[start+1 : p.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
				p.i = start
				return "", p.fail("a string is not well formed")
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", p.fail("a control character inside a string")
		case c >= 0x80:
			escaped = true // let encoding/json check the UTF-8 (it replaces bad bytes)
			p.i++
		default:
			p.i++
		}
	}
	p.i = len(p.data)
	return "", p.fail("the file ends inside a string")
}

// number reads a JSON number as OPA does: its text.
func (p *jsonParser) number() (*ast.Term, error) {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	switch {
	case p.i < len(p.data) && p.data[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, p.fail("a number has no digits")
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.fail("a number has no digits after '.'")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("a number has no digits in its exponent")
		}
	}
	text := string(p.data[start:p.i])
	if t := ast.InternedIntNumberTermFromString(text); t != nil {
		return t, nil
	}
	v, err := ast.NumberChecked(text)
	if err != nil {
		p.i = start
		return nil, p.fail("a number is too big")
	}
	return ast.NewTerm(v), nil
}
