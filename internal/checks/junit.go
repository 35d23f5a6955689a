package checks

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML as conftest (--output junit) and InSpec (--reporter junit2)
// write it: <testsuites> of <testsuite> (or one <testsuite>) of
// <testcase>, each passing unless it holds <failure> or <error>, and
// skipped with <skipped>. The fields read are in doc/checks.md.
type junitCase struct {
	Name      string    `xml:"name,attr"`
	ClassName string    `xml:"classname,attr"`
	Failure   *junitMsg `xml:"failure"`
	Error     *junitMsg `xml:"error"`
	Skipped   *junitMsg `xml:"skipped"`
}

type junitMsg struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func readJUnit(data []byte) (Run, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	run := Run{Tool: "JUnit"}
	var when time.Time
	depth, sawRoot := 0, false
	for {
		line, col := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d", se.Line), Msg: "not valid XML: " + se.Msg}
			}
			return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: "not valid XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "testsuites":
				sawRoot = true
			case "testsuite":
				sawRoot = true
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "timestamp":
						if ts, err := parseJUnitTime(a.Value); err == nil {
							when = ts
						} else {
							return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: fmt.Sprintf("timestamp %q is not a time: write it as 2026-12-04T10:00:00", a.Value)}
						}
					case "name":
						// conftest names a suite conftest.<namespace>.
						if run.Tool == "JUnit" && a.Value != "" {
							run.Tool = a.Value
							if strings.HasPrefix(a.Value, "conftest.") {
								run.Tool = "conftest"
							}
						}
					}
				}
			case "testcase":
				if !sawRoot {
					return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: "a testcase outside any testsuite"}
				}
				var c junitCase
				if err := d.DecodeElement(&c, &t); err != nil {
					return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: "the testcase is not valid: " + err.Error()}
				}
				depth--
				rule := or(c.ClassName, c.Name)
				if rule == "" {
					return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: "the testcase has neither a classname nor a name"}
				}
				res := Result{Rule: rule, Resource: c.Name, Outcome: Pass, Observed: when}
				switch {
				case c.Failure != nil:
					res.Outcome, res.Message = Fail, or(c.Failure.Message, c.Failure.Text)
				case c.Error != nil:
					res.Outcome, res.Message = Fail, or(c.Error.Message, c.Error.Text)
				case c.Skipped != nil:
					res.Outcome, res.Message = Skip, or(c.Skipped.Message, c.Skipped.Text)
				}
				run.Results = append(run.Results, res)
			default:
				if depth == 1 {
					return Run{}, &Error{Format: JUnit, Where: fmt.Sprintf("%d:%d", line, col), Msg: fmt.Sprintf("<%s> is not <testsuites> or <testsuite>", t.Name.Local)}
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawRoot {
		return Run{}, &Error{Format: JUnit, Msg: "there is no <testsuites> or <testsuite>"}
	}
	return run, nil
}

// parseJUnitTime reads the timestamps JUnit writers use: ISO 8601 with or
// without a zone (without one, UTC).
func parseJUnitTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time")
}
