package checks

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// AWS Security Finding Format, as Security Hub's GetFindings answers
// ({"Findings": [...]}) or as a bare array of findings. The fields read
// are in doc/checks.md.
type asffFinding struct {
	SchemaVersion string `json:"SchemaVersion"`
	GeneratorID   string `json:"GeneratorId"`
	AwsAccountID  string `json:"AwsAccountId"`
	Title         string `json:"Title"`
	UpdatedAt     string `json:"UpdatedAt"`
	ProductName   string `json:"ProductName"`
	Severity      struct {
		Label string `json:"Label"`
	} `json:"Severity"`
	Compliance struct {
		Status            string `json:"Status"`
		SecurityControlID string `json:"SecurityControlId"`
	} `json:"Compliance"`
	RecordState string `json:"RecordState"`
	Workflow    struct {
		Status string `json:"Status"`
	} `json:"Workflow"`
	Resources []struct {
		ID   string            `json:"Id"`
		Type string            `json:"Type"`
		Tags map[string]string `json:"Tags"`
	} `json:"Resources"`
}

func readASFF(data []byte) (Run, error) {
	var findings []asffFinding
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var doc struct {
			Findings *[]asffFinding `json:"Findings"`
		}
		if err := decodeJSON(ASFF, data, &doc); err != nil {
			return Run{}, err
		}
		if doc.Findings == nil {
			return Run{}, &Error{Format: ASFF, Where: "Findings", Msg: "there is no Findings list (give Security Hub's GetFindings answer, or an array of findings)"}
		}
		findings = *doc.Findings
	} else if err := decodeJSON(ASFF, data, &findings); err != nil {
		return Run{}, err
	}
	run := Run{Tool: "AWS Security Hub"}
	for i, f := range findings {
		where := fmt.Sprintf("Findings[%d]", i)
		rule := or(f.Compliance.SecurityControlID, f.GeneratorID)
		if rule == "" {
			return Run{}, &Error{Format: ASFF, Where: where + ".GeneratorId", Msg: "the finding names no control (Compliance.SecurityControlId or GeneratorId)"}
		}
		var outcome Outcome
		switch strings.ToUpper(f.Compliance.Status) {
		case "PASSED":
			outcome = Pass
		case "FAILED", "WARNING":
			outcome = Fail
		case "NOT_AVAILABLE", "":
			outcome = Skip
		default:
			return Run{}, &Error{Format: ASFF, Where: where + ".Compliance.Status", Msg: fmt.Sprintf("Compliance.Status %q is not PASSED, WARNING, FAILED or NOT_AVAILABLE", f.Compliance.Status)}
		}
		// An archived or suppressed finding no longer speaks for the resource.
		if strings.EqualFold(f.RecordState, "ARCHIVED") || strings.EqualFold(f.Workflow.Status, "SUPPRESSED") {
			outcome = Skip
		}
		when, err := parseTime(ASFF, where+".UpdatedAt", f.UpdatedAt)
		if err != nil {
			return Run{}, err
		}
		res := Result{Rule: rule, Outcome: outcome, Severity: f.Severity.Label, Message: f.Title, Account: f.AwsAccountID, Observed: when}
		if len(f.Resources) > 0 {
			res.Resource = f.Resources[0].ID
			for k, v := range f.Resources[0].Tags {
				res.Tags = append(res.Tags, k+"="+v)
			}
			slices.Sort(res.Tags)
		}
		if i == 0 && f.ProductName != "" {
			run.Tool = f.ProductName
		}
		run.Results = append(run.Results, res)
	}
	return run, nil
}
