package checks

import (
	"fmt"
	"strings"
)

// SARIF 2.1.0 (OASIS): the fields read, and how (doc/checks.md).
type sarifLog struct {
	Version *string    `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver struct {
			Name            string `json:"name"`
			Version         string `json:"version"`
			SemanticVersion string `json:"semanticVersion"`
		} `json:"driver"`
	} `json:"tool"`
	Invocations []struct {
		EndTimeUTC   string `json:"endTimeUtc"`
		StartTimeUTC string `json:"startTimeUtc"`
	} `json:"invocations"`
	Results                  []sarifResult `json:"results"`
	VersionControlProvenance []struct {
		RepositoryURI string `json:"repositoryUri"`
	} `json:"versionControlProvenance"`
}

type sarifResult struct {
	RuleID string `json:"ruleId"`
	Rule   struct {
		ID string `json:"id"`
	} `json:"rule"`
	Kind    string `json:"kind"`
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			FullyQualifiedName string `json:"fullyQualifiedName"`
			Name               string `json:"name"`
		} `json:"logicalLocations"`
	} `json:"locations"`
}

func readSARIF(data []byte) (Run, error) {
	var log sarifLog
	if err := decodeJSON(SARIF, data, &log); err != nil {
		return Run{}, err
	}
	if log.Version == nil || *log.Version != "2.1.0" {
		got := "none"
		if log.Version != nil {
			got = fmt.Sprintf("%q", *log.Version)
		}
		return Run{}, &Error{Format: SARIF, Where: "version", Msg: fmt.Sprintf("the SARIF version is %s: Remit reads SARIF 2.1.0", got)}
	}
	if len(log.Runs) == 0 {
		return Run{}, &Error{Format: SARIF, Where: "runs", Msg: "there are no runs"}
	}
	run := Run{Tool: log.Runs[0].Tool.Driver.Name, Version: or(log.Runs[0].Tool.Driver.Version, log.Runs[0].Tool.Driver.SemanticVersion)}
	for i, r := range log.Runs {
		at := fmt.Sprintf("runs[%d]", i)
		if r.Tool.Driver.Name == "" {
			return Run{}, &Error{Format: SARIF, Where: at + ".tool.driver.name", Msg: "the tool has no name"}
		}
		if r.Tool.Driver.Name != run.Tool {
			return Run{}, &Error{Format: SARIF, Where: at + ".tool.driver.name", Msg: fmt.Sprintf("%q differs from the first run's tool %q: give one tool's results per file", r.Tool.Driver.Name, run.Tool)}
		}
		var observed string
		if len(r.Invocations) > 0 {
			observed = or(r.Invocations[0].EndTimeUTC, r.Invocations[0].StartTimeUTC)
		}
		when, err := parseTime(SARIF, at+".invocations[0].endTimeUtc", observed)
		if err != nil {
			return Run{}, err
		}
		var repo string
		if len(r.VersionControlProvenance) > 0 {
			repo = r.VersionControlProvenance[0].RepositoryURI
		}
		for j, res := range r.Results {
			where := fmt.Sprintf("%s.results[%d]", at, j)
			rule := or(res.RuleID, res.Rule.ID)
			if rule == "" {
				return Run{}, &Error{Format: SARIF, Where: where + ".ruleId", Msg: "the result names no rule (ruleId or rule.id)"}
			}
			outcome, err := sarifOutcome(res.Kind, res.Level, where)
			if err != nil {
				return Run{}, err
			}
			run.Results = append(run.Results, Result{Rule: rule, Resource: sarifResource(res), Outcome: outcome, Severity: res.Level, Message: res.Message.Text, Observed: when, Repository: repo})
		}
	}
	return run, nil
}

// sarifOutcome follows SARIF §3.27.9–10: kind defaults to "fail", and a
// failing result's level to "warning"; "pass" passes; "notApplicable",
// "informational", "review" and "open" decide nothing; a "fail" at level
// "none" or "note" is informational too.
func sarifOutcome(kind, level, where string) (Outcome, error) {
	switch kind {
	case "", "fail":
		switch level {
		case "", "warning", "error":
			return Fail, nil
		case "note", "none":
			return Skip, nil
		}
		return "", &Error{Format: SARIF, Where: where + ".level", Msg: fmt.Sprintf("level %q is not one of none, note, warning, error", level)}
	case "pass":
		return Pass, nil
	case "notApplicable", "informational", "review", "open":
		return Skip, nil
	}
	return "", &Error{Format: SARIF, Where: where + ".kind", Msg: fmt.Sprintf("kind %q is not one of pass, fail, open, review, notApplicable, informational", kind)}
}

// sarifResource is the first location: file:line, or the logical name.
func sarifResource(r sarifResult) string {
	if len(r.Locations) == 0 {
		return ""
	}
	l := r.Locations[0]
	if uri := l.PhysicalLocation.ArtifactLocation.URI; uri != "" {
		if line := l.PhysicalLocation.Region.StartLine; line > 0 {
			return fmt.Sprintf("%s:%d", uri, line)
		}
		return uri
	}
	for _, ll := range l.LogicalLocations {
		if n := or(ll.FullyQualifiedName, ll.Name); n != "" {
			return n
		}
	}
	return ""
}

func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
