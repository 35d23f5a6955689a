package policy

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"remit/internal/checks"
)

// Outputs are the output formats Write knows.
var Outputs = []string{"stdout", "table", "json", "junit", "sarif"}

// Totals count outcomes as conftest's summary does.
type Totals struct {
	Successes, Warnings, Failures, Exceptions int
}

// Tests is every outcome counted.
func (t Totals) Tests() int { return t.Successes + t.Warnings + t.Failures + t.Exceptions }

// Total adds up outcomes.
func Total(os []Outcome) Totals {
	var t Totals
	for _, o := range os {
		t.Successes += o.Successes
		t.Warnings += len(o.Warnings)
		t.Failures += len(o.Failures)
		t.Exceptions += len(o.Exceptions)
	}
	return t
}

func (t Totals) String() string {
	plural := func(n int, word string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, word)
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	return fmt.Sprintf("%s, %d passed, %s, %s, %s", plural(t.Tests(), "test"), t.Successes, plural(t.Warnings, "warning"), plural(t.Failures, "failure"), plural(t.Exceptions, "exception"))
}

// Write writes outcomes in a format: "stdout" (conftest's lines and
// summary), "table", "json" (conftest's shape), "junit" (conftest's: a
// test suite per namespace, named conftest.<namespace>) or "sarif" (2.1.0,
// rule <namespace>/deny or <namespace>/warn; passes are results of kind
// pass, so that SARIF readers, Remit's among them, can tell a file that
// passed from one not checked).
func Write(w io.Writer, format string, os []Outcome, version string) error {
	switch format {
	case "", "stdout":
		return writeStdout(w, os)
	case "table":
		return writeTable(w, os)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "\t")
		if os == nil {
			os = []Outcome{}
		}
		return enc.Encode(os)
	case "junit":
		return writeJUnit(w, os)
	case "sarif":
		return writeSARIF(w, os, version)
	}
	return fmt.Errorf("output %q is not known: use %s", format, strings.Join(Outputs, ", "))
}

func writeStdout(w io.Writer, os []Outcome) error {
	for _, o := range os {
		at := "- " + o.File + " - " + o.Namespace + " -"
		for _, r := range o.Warnings {
			fmt.Fprintln(w, "WARN", at, r.Msg)
		}
		for _, r := range o.Failures {
			fmt.Fprintln(w, "FAIL", at, r.Msg)
		}
		for _, r := range o.Exceptions {
			fmt.Fprintln(w, "EXCP", at, r.Msg)
		}
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, Total(os))
	return err
}

func writeTable(w io.Writer, os []Outcome) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tFILE\tNAMESPACE\tMESSAGE")
	for _, o := range os {
		for range o.Successes {
			fmt.Fprintf(tw, "success\t%s\t%s\tSUCCESS\n", o.File, o.Namespace)
		}
		for _, r := range o.Warnings {
			fmt.Fprintf(tw, "warning\t%s\t%s\t%s\n", o.File, o.Namespace, oneLine(r.Msg))
		}
		for _, r := range o.Failures {
			fmt.Fprintf(tw, "failure\t%s\t%s\t%s\n", o.File, o.Namespace, oneLine(r.Msg))
		}
		for _, r := range o.Exceptions {
			fmt.Fprintf(tw, "exception\t%s\t%s\t%s\n", o.File, o.Namespace, oneLine(r.Msg))
		}
	}
	return tw.Flush()
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	Skipped *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes conftest's JUnit: warnings and failures both as
// <failure>, exceptions as <skipped>, each success as a bare test case.
func writeJUnit(w io.Writer, os []Outcome) error {
	var doc junitSuites
	index := map[string]int{}
	for _, o := range os {
		i, ok := index[o.Namespace]
		if !ok {
			i = len(doc.Suites)
			index[o.Namespace] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: "conftest." + o.Namespace, Time: "0.000"})
		}
		s := &doc.Suites[i]
		class := "conftest." + o.Namespace
		for _, rs := range [][]Result{o.Failures, o.Warnings} {
			for _, r := range rs {
				s.Cases = append(s.Cases, junitCase{Class: class, Name: o.File + " - " + r.Msg, Time: "0.000", Failure: &junitFailure{Message: "Failed", Text: r.Msg}})
				s.Failures++
			}
		}
		for _, r := range o.Exceptions {
			s.Cases = append(s.Cases, junitCase{Class: class, Name: o.File + " - " + r.Msg, Time: "0.000", Skipped: &struct{}{}})
		}
		for range o.Successes {
			s.Cases = append(s.Cases, junitCase{Class: class, Name: o.File, Time: "0.000"})
		}
		s.Tests = len(s.Cases)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// writeSARIF writes SARIF 2.1.0 for code scanning.
func writeSARIF(w io.Writer, os []Outcome, version string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
		} `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		Kind      string     `json:"kind"`
		Level     string     `json:"level"`
		Message   msg        `json:"message"`
		Locations []location `json:"locations"`
	}
	type ruleDesc struct {
		ID               string `json:"id"`
		ShortDescription msg    `json:"shortDescription"`
	}
	var results []result
	var rules []ruleDesc
	seen := map[string]bool{}
	add := func(id, desc string, r result) {
		if !seen[id] {
			seen[id] = true
			rules = append(rules, ruleDesc{id, msg{desc}})
		}
		r.RuleID = id
		results = append(results, r)
	}
	at := func(file string) []location {
		var l location
		l.PhysicalLocation.ArtifactLocation.URI = file
		return []location{l}
	}
	for _, o := range os {
		deny, warn := o.Namespace+"/deny", o.Namespace+"/warn"
		for _, r := range o.Failures {
			add(deny, "Policy violation", result{Kind: "fail", Level: "error", Message: msg{r.Msg}, Locations: at(o.File)})
		}
		for _, r := range o.Warnings {
			add(warn, "Policy warning", result{Kind: "fail", Level: "warning", Message: msg{r.Msg}, Locations: at(o.File)})
		}
		for _, r := range o.Exceptions {
			add(deny, "Policy violation", result{Kind: "notApplicable", Level: "none", Message: msg{"exception: " + r.Msg}, Locations: at(o.File)})
		}
		if o.Successes > 0 && len(o.Failures) == 0 {
			add(deny, "Policy violation", result{Kind: "pass", Level: "none", Message: msg{fmt.Sprintf("%d policy tests passed", o.Successes)}, Locations: at(o.File)})
		}
	}
	if results == nil {
		results = []result{}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "conftest", "fullName": "conftest-compatible policies run by Remit", "version": version,
				"informationUri": "https://www.conftest.dev", "rules": rules,
			}},
			"invocations": []any{map[string]any{"executionSuccessful": true, "endTimeUtc": time.Now().UTC().Format(time.RFC3339)}},
			"results":     results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Run turns outcomes into automated check results, as conftest's JUnit
// output reads (tool conftest, rule conftest.<namespace>): a failure
// fails, a warning or exception decides nothing, each success passes.
func Run(os []Outcome, observed time.Time) checks.Run {
	run := checks.Run{Format: checks.JUnit, Tool: "conftest"}
	for _, o := range os {
		rule := "conftest." + o.Namespace
		for _, r := range o.Failures {
			run.Results = append(run.Results, checks.Result{Rule: rule, Resource: o.File + " - " + r.Msg, Outcome: checks.Fail, Message: r.Msg, Observed: observed})
		}
		for _, rs := range [][]Result{o.Warnings, o.Exceptions} {
			for _, r := range rs {
				run.Results = append(run.Results, checks.Result{Rule: rule, Resource: o.File + " - " + r.Msg, Outcome: checks.Skip, Message: r.Msg, Observed: observed})
			}
		}
		for range o.Successes {
			run.Results = append(run.Results, checks.Result{Rule: rule, Resource: o.File, Outcome: checks.Pass, Observed: observed})
		}
	}
	return run
}
