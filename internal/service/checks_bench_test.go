package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"remit/internal/checks"
	"remit/internal/memstore"
	"remit/internal/remit"
	"remit/internal/synth"
)

// BenchmarkIngestChecks hands in one SARIF file of 100,000 results —
// 1,000 runs, one per repository, each of 100 results on 20 rules — read
// from its bytes and split across the 1,000 systems the workspace's checks
// file names by repository (300 systems on S, several repositories each),
// on the S estate (REMIT_BENCH_SHAPE=L for the
// 20,000 systems of L). Only those systems' automated results change; the
// cost is the results', not the estate's (doc/checks.md).
func BenchmarkIngestChecks(b *testing.B) {
	shape := synth.S
	if os.Getenv("REMIT_BENCH_SHAPE") == "L" {
		shape = synth.L
	}
	ctx := context.Background()
	ws := synth.Estate(shape, 1)
	const systems, perRun, rules = 1000, 100, 20
	file := remit.CheckMappings{ID: "bench"}
	for r := range rules {
		file.Mappings = append(file.Mappings, remit.CheckMapping{Tool: "Checkov", Rules: []string{fmt.Sprintf("CKV_SYN_%d", r)}, Control: fmt.Sprintf("syn:C-%04d", r+1)})
	}
	for s := range systems {
		file.Systems = append(file.Systems, remit.CheckScope{System: ws.Systems[s*len(ws.Systems)/systems].ID, Repositories: []string{fmt.Sprintf("https://github.com/example/repo-%d", s)}})
	}
	ws.Checks = []remit.CheckMappings{file}
	named := map[string]bool{}
	for _, sc := range file.Systems {
		named[sc.System] = true
	}
	f := open(b, memstore.New(), nil, nil)
	if _, err := f.svc.Import(ctx, admin, ws, false); err != nil {
		b.Fatal(err)
	}
	data := sarifOf(systems, perRun, rules)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run, err := checks.Read(checks.SARIF, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		got, err := f.svc.IngestChecks(ctx, admin, "", run)
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Runs) != len(named) || got.Unrouted != 0 {
			b.Fatalf("%d runs, %d unrouted", len(got.Runs), got.Unrouted)
		}
	}
	b.ReportMetric(float64(systems*perRun), "results")
}

// sarifOf is a Checkov-like SARIF file: runs runs (repositories), each of
// perRun results over rules rules, one in ten failing.
func sarifOf(runs, perRun, rules int) []byte {
	type result struct {
		RuleID    string                `json:"ruleId"`
		Kind      string                `json:"kind,omitempty"`
		Level     string                `json:"level"`
		Message   struct{ Text string } `json:"message"`
		Locations []any                 `json:"locations"`
	}
	log := map[string]any{"version": "2.1.0"}
	var rs []any
	for r := range runs {
		var results []result
		for i := range perRun {
			res := result{RuleID: fmt.Sprintf("CKV_SYN_%d", i%rules), Kind: "pass", Level: "none"}
			if i%10 == 0 {
				res.Kind, res.Level = "fail", "error"
			}
			res.Message.Text = "Ensure the resource is configured as the control asks"
			res.Locations = []any{map[string]any{"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": fmt.Sprintf("infra/module-%d/main.tf", i)}, "region": map[string]any{"startLine": 10 + i}}}}
			results = append(results, res)
		}
		rs = append(rs, map[string]any{
			"tool":                     map[string]any{"driver": map[string]any{"name": "Checkov", "version": "3.2.300"}},
			"versionControlProvenance": []any{map[string]any{"repositoryUri": fmt.Sprintf("https://github.com/example/repo-%d", r)}},
			"invocations":              []any{map[string]any{"endTimeUtc": "2026-12-04T10:00:00Z", "executionSuccessful": true}},
			"results":                  results,
		})
	}
	log["runs"] = rs
	data, err := json.Marshal(log)
	if err != nil {
		panic(err)
	}
	return data
}
