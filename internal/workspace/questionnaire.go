package workspace

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

// ReadQuestionnaire reads a questionnaire template written in YAML (the
// form of the built-in one: template, version, title, sources,
// principles with their questions) and validates it. Every problem names
// the file and its line; a key the format does not have is one.
func ReadQuestionnaire(file string, data []byte) (*remit.Questionnaire, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &remit.ValidationError{Problems: []remit.Problem{syntaxProblem(file, err)}}
	}
	if len(root.Content) == 0 {
		return nil, &remit.ValidationError{Problems: []remit.Problem{{File: file, Message: "the file is empty: a questionnaire has template, version, title and principles"}}}
	}
	var q remit.Questionnaire
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = notFound.ReplaceAllString(msg, "is not known: a questionnaire has template, version, title, sources and principles (control, title, summary, controls, questions: id, text, type, options, help, evidence, expect)")
		p := remit.Problem{File: file, Message: msg}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
		}
		return nil, &remit.ValidationError{Problems: []remit.Problem{p}}
	}
	ps := remit.ValidateQuestionnaire(&q)
	for i := range ps {
		ps[i].File = file
		segs := strings.Split(strings.TrimPrefix(ps[i].Pointer, "/"), "/")
		ps[i].Line, _ = position(find(root.Content[0], segs))
	}
	if len(ps) > 0 {
		return nil, &remit.ValidationError{Problems: ps}
	}
	return &q, nil
}

// QuestionnaireFile writes a questionnaire template as YAML, in the form
// ReadQuestionnaire reads.
func QuestionnaireFile(q *remit.Questionnaire) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	_ = enc.Encode(q) // a plain struct of strings always encodes
	_ = enc.Close()
	return b.Bytes()
}
