package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"go.yaml.in/yaml/v3"
)

// Input is one file to check: its path as given and its documents, each
// the input of one evaluation (a YAML file may hold several).
type Input struct {
	Path string
	Docs []ast.Value
}

// Parsers are the parsers ReadInput knows; "" picks by the file's
// extension (.json, .yaml, .yml; anything else is tried as JSON, then
// YAML).
var Parsers = []string{"json", "yaml"}

// MaxInputBytes bounds one input file.
const MaxInputBytes = 512 << 20

// ReadInput reads one configuration file (a Terraform plan as JSON, JSON
// or YAML configuration, Kubernetes manifests) with the named parser, or
// by its extension. "-" reads standard input. A file that does not parse
// is refused naming its line and column.
func ReadInput(path, parser string, stdin io.Reader) (Input, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, MaxInputBytes+1))
	} else {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, MaxInputBytes+1))
			f.Close()
		}
	}
	if err != nil {
		return Input{}, &Error{File: path, Msg: "cannot be read: " + pathError(err)}
	}
	if len(data) > MaxInputBytes {
		return Input{}, &Error{File: path, Msg: fmt.Sprintf("is over %d MiB", MaxInputBytes>>20)}
	}
	return ParseInput(path, parser, data)
}

// ParseInput parses data read from path.
func ParseInput(path, parser string, data []byte) (Input, error) {
	if parser == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			parser = "json"
		case ".yaml", ".yml":
			parser = "yaml"
		}
	}
	var docs []ast.Value
	var err error
	switch parser {
	case "json":
		docs, err = parseJSON(data)
	case "yaml":
		docs, err = parseYAML(data)
	case "":
		if docs, err = parseJSON(data); err != nil {
			if ydocs, yerr := parseYAML(data); yerr == nil {
				docs, err = ydocs, nil
			}
		}
	default:
		return Input{}, &Error{File: path, Msg: fmt.Sprintf("parser %q is not known: use json or yaml", parser)}
	}
	if err != nil {
		return Input{}, &Error{File: path, Msg: err.Error()}
	}
	return Input{Path: path, Docs: docs}, nil
}

// parseJSON reads one JSON value; an error names the line and column.
func parseJSON(data []byte) ([]ast.Value, error) {
	v, err := jsonToValue(data)
	if err != nil {
		return nil, err
	}
	return []ast.Value{v}, nil
}

// parseYAML reads every document of a YAML stream (empty documents are
// left out, as conftest does); an error names the line.
func parseYAML(data []byte) ([]ast.Value, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []ast.Value
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if v == nil {
			continue
		}
		av, err := ast.InterfaceToValue(v)
		if err != nil {
			return nil, fmt.Errorf("not valid YAML for a policy: %v", err)
		}
		docs = append(docs, av)
	}
	if len(docs) == 0 {
		return nil, errors.New("holds no documents")
	}
	return docs, nil
}

// Combine makes one input of many, as conftest's --combine does: a list
// of {"path": …, "contents": …}, the contents a list when the file held
// several documents.
func Combine(inputs []Input) Input {
	all := make([]*ast.Term, 0, len(inputs))
	for _, in := range inputs {
		var contents *ast.Term
		if len(in.Docs) == 1 {
			contents = ast.NewTerm(in.Docs[0])
		} else {
			docs := make([]*ast.Term, len(in.Docs))
			for i, d := range in.Docs {
				docs[i] = ast.NewTerm(d)
			}
			contents = ast.ArrayTerm(docs...)
		}
		all = append(all, ast.ObjectTerm(ast.Item(ast.StringTerm("path"), ast.StringTerm(in.Path)), ast.Item(ast.StringTerm("contents"), contents)))
	}
	return Input{Path: "Combined", Docs: []ast.Value{ast.NewArray(all...)}}
}
