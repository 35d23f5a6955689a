package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// decodeJSON decodes data into v, placing a syntax or type error at its
// line and column.
func decodeJSON(f Format, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return &Error{Format: f, Where: LineCol(data, se.Offset-1), Msg: "not valid JSON: " + se.Error()}
	case errors.As(err, &te):
		return &Error{Format: f, Where: LineCol(data, te.Offset-1), Msg: fmt.Sprintf("%s is a JSON %s, where %s belongs", te.Field, te.Value, kindOf(te.Type))}
	}
	return &Error{Format: f, Msg: err.Error()}
}

// LineCol turns a byte offset into "line:column" (both from 1), for
// messages about a file.
func LineCol(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// parseTime reads an RFC 3339 time; where names the field for the error.
func parseTime(f Format, where, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &Error{Format: f, Where: where, Msg: fmt.Sprintf("%q is not a time: write it as RFC 3339, like 2026-12-04T10:00:00Z", s)}
	}
	return t.UTC(), nil
}

// kindOf says in JSON's words what a Go type holds.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return kindOf(t.Elem())
	}
	return "a number"
}
