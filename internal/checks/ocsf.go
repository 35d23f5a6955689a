package checks

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// OCSF Detection Finding (class 2004) as Prowler 4 and 5 write it
// (--output-formats json-ocsf): a JSON array of findings. The fields read
// are in doc/checks.md.
type ocsfFinding struct {
	StatusCode   string `json:"status_code"`
	StatusDetail string `json:"status_detail"`
	Message      string `json:"message"`
	Severity     string `json:"severity"`
	Time         *int64 `json:"time"`
	TimeDT       string `json:"time_dt"`
	Metadata     struct {
		EventCode string `json:"event_code"`
		Product   struct {
			Name        string `json:"name"`
			VersionText string `json:"version"`
		} `json:"product"`
	} `json:"metadata"`
	FindingInfo struct {
		Title string `json:"title"`
		UID   string `json:"uid"`
	} `json:"finding_info"`
	Resources []struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
		Tags []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"tags"`
	} `json:"resources"`
	Cloud struct {
		Account struct {
			UID string `json:"uid"`
		} `json:"account"`
	} `json:"cloud"`
}

func readOCSF(data []byte) (Run, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		data = append(append([]byte{'['}, t...), ']') // a single finding
	}
	var findings []ocsfFinding
	if err := decodeJSON(OCSF, data, &findings); err != nil {
		return Run{}, err
	}
	var run Run
	for i, f := range findings {
		where := fmt.Sprintf("[%d]", i)
		rule := f.Metadata.EventCode
		if rule == "" {
			return Run{}, &Error{Format: OCSF, Where: where + ".metadata.event_code", Msg: "the finding names no check (metadata.event_code)"}
		}
		var outcome Outcome
		switch strings.ToUpper(f.StatusCode) {
		case "PASS":
			outcome = Pass
		case "FAIL":
			outcome = Fail
		case "MANUAL", "INFO", "MUTED", "":
			outcome = Skip
		default:
			return Run{}, &Error{Format: OCSF, Where: where + ".status_code", Msg: fmt.Sprintf("status_code %q is not PASS, FAIL or MANUAL", f.StatusCode)}
		}
		when, err := parseTime(OCSF, where+".time_dt", f.TimeDT)
		if err != nil {
			return Run{}, err
		}
		if when.IsZero() && f.Time != nil {
			when = ocsfEpoch(*f.Time)
		}
		res := Result{Rule: rule, Outcome: outcome, Severity: f.Severity, Message: or(f.StatusDetail, or(f.Message, f.FindingInfo.Title)), Account: f.Cloud.Account.UID, Observed: when}
		if len(f.Resources) > 0 {
			res.Resource = or(f.Resources[0].UID, f.Resources[0].Name)
			for _, t := range f.Resources[0].Tags {
				res.Tags = append(res.Tags, t.Name+"="+t.Value)
			}
		}
		if run.Tool == "" {
			run.Tool, run.Version = or(f.Metadata.Product.Name, "Prowler"), f.Metadata.Product.VersionText
		}
		run.Results = append(run.Results, res)
	}
	if run.Tool == "" {
		run.Tool = "Prowler"
	}
	return run, nil
}

// ocsfEpoch reads OCSF's time: milliseconds since 1970 (Prowler writes
// seconds; a value before 1e11 is taken as seconds).
func ocsfEpoch(v int64) time.Time {
	if v < 100_000_000_000 {
		return time.Unix(v, 0).UTC()
	}
	return time.UnixMilli(v).UTC()
}
