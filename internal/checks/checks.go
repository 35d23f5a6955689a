// Package checks reads the results of the automated checks teams already
// run — SARIF 2.1.0 (Checkov, Trivy, tfsec, KICS, Semgrep, GitHub code
// scanning), OCSF JSON (Prowler), AWS Security Hub ASFF and JUnit XML
// (conftest, InSpec) — into one form, Run, so that they can be mapped to
// controls and kept as automated evidence of our half of them. Each
// reader is documented field by field in doc/checks.md. A file that is
// not what its format says is refused naming where (line and column, or
// the JSON path of the field), and nothing is kept of it.
package checks

import (
	"fmt"
	"io"
	"time"
)

// Format names a results format.
type Format string

// The formats read.
const (
	SARIF Format = "sarif"
	OCSF  Format = "ocsf"
	ASFF  Format = "asff"
	JUnit Format = "junit"
)

// Formats lists them, for messages.
var Formats = []Format{SARIF, OCSF, ASFF, JUnit}

// Outcome is what one check found about one resource.
type Outcome string

// The outcomes. Only Fail counts against a control; Skip (not applicable,
// informational, manual) counts neither way.
const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
	Skip Outcome = "skip"
)

// Result is one check's outcome about one resource.
type Result struct {
	// Rule is the check's id as the tool names it (a SARIF ruleId, a
	// Prowler check id, a Security Hub control id, a JUnit classname).
	Rule string `json:"rule"`
	// Resource is what it is about: a file and line, an ARN, a test name.
	Resource string  `json:"resource,omitempty"`
	Outcome  Outcome `json:"outcome"`
	// Severity is the tool's own word for it, when it gives one.
	Severity string `json:"severity,omitempty"`
	Message  string `json:"message,omitempty"`
	// Account is the cloud account the resource is in (AWS account id),
	// when the tool says.
	Account string `json:"account,omitempty"`
	// Repository is the source repository the result is about, when the
	// tool says (SARIF's versionControlProvenance).
	Repository string `json:"repository,omitempty"`
	// Tags are the resource's tags, each "Key=Value", when the tool says.
	Tags []string `json:"tags,omitempty"`
	// Observed is when the tool says it looked; zero when it does not.
	Observed time.Time `json:"observed,omitzero"`
}

// Run is one file of results from one tool.
type Run struct {
	Format  Format   `json:"format"`
	Tool    string   `json:"tool"`
	Version string   `json:"version,omitempty"`
	Results []Result `json:"results"`
}

// Counts tallies a run's outcomes.
func (r Run) Counts() (pass, fail, skip int) {
	for _, x := range r.Results {
		switch x.Outcome {
		case Pass:
			pass++
		case Fail:
			fail++
		default:
			skip++
		}
	}
	return
}

// MaxBytes bounds a results file: 256 MiB holds several hundred thousand
// results in any of the formats.
const MaxBytes = 256 << 20

// MaxResults bounds the results of one file.
const MaxResults = 1_000_000

// Error is a results file that is not what its format says: Where is a
// line and column ("12:5") or a JSON path ("runs[0].results[3].ruleId").
type Error struct {
	Format Format
	Where  string
	Msg    string
}

func (e *Error) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("%s: %s", e.Format, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Format, e.Where, e.Msg)
}

// Read reads a results file in the given format.
func Read(f Format, r io.Reader) (Run, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Run{}, err
	}
	if len(data) > MaxBytes {
		return Run{}, &Error{Format: f, Msg: fmt.Sprintf("the file is over %d MiB: split the run", MaxBytes>>20)}
	}
	var run Run
	switch f {
	case SARIF:
		run, err = readSARIF(data)
	case OCSF:
		run, err = readOCSF(data)
	case ASFF:
		run, err = readASFF(data)
	case JUnit:
		run, err = readJUnit(data)
	default:
		return Run{}, fmt.Errorf("format %q is not known: use sarif, ocsf, asff or junit", f)
	}
	if err != nil {
		return Run{}, err
	}
	if len(run.Results) > MaxResults {
		return Run{}, &Error{Format: f, Msg: fmt.Sprintf("%d results are more than %d: split the run", len(run.Results), MaxResults)}
	}
	run.Format = f
	return run, nil
}
