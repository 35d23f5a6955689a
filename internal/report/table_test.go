package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"remit/internal/remit"
)

func TestRiskRegisterTable(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	s := remit.DefaultRiskSettings()
	risks := []*remit.Risk{
		{ID: "ri-1", Title: "Outage | region", Category: "supplier", Status: remit.RiskAccepted, Availability: 4,
			Inherent: remit.Score{Likelihood: 3}, Residual: remit.Score{Likelihood: 2, Impact: 5}, Treatment: "accept", Review: "2027-02-01",
			Acceptance: &remit.Acceptance{By: "risk@example.gov.uk", Until: "2027-01-31", Rationale: "cheaper\nthan the cure"}},
		{ID: "ri-2", Title: "Fine", Category: "legal-regulatory", Status: remit.RiskOpen, Residual: remit.Score{Likelihood: 1, Impact: 2}, LegalBreach: true},
	}
	header, rows := RiskRegister(risks, s, now)
	want := [][]string{
		{"ri-1", "Outage | region", "supplier", "review-due", "12", "10", "high", "true", "0", "accept", "", "2027-02-01", "true", "2027-01-31", "false"},
		{"ri-2", "Fine", "legal-regulatory", "open", "0", "2", "low", "false", "0", "", "", "", "false", "", "true"},
	}
	if len(header) != len(want[0]) {
		t.Fatalf("header has %d columns, rows %d", len(header), len(want[0]))
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}

	md, _, ext, err := Table("markdown", "Risks", header, rows)
	if err != nil || ext != "md" {
		t.Fatal(err, ext)
	}
	if !bytes.Contains(md, []byte(`| ri-1 | Outage \| region | supplier |`)) || bytes.Count(md, []byte("\n")) != 4 {
		t.Errorf("markdown:\n%s", md)
	}
	data, typ, _, err := Table("csv", "Risks", header, rows)
	if err != nil || typ != "text/csv; charset=utf-8" {
		t.Fatal(err, typ)
	}
	back, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(back) != 3 || !slices.Equal(back[1], want[0]) {
		t.Errorf("csv does not read back: %v\n%q", err, back)
	}
	data, _, _, err = Table("xlsx", "Risks", header, rows)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetRows("Risks")
	if err != nil || len(got) != 3 || got[0][0] != "id" || got[1][1] != "Outage | region" || got[1][4] != "12" {
		t.Errorf("xlsx rows: %v %q", err, got)
	}
	if _, _, _, err := Table("pdf", "Risks", header, rows); err == nil {
		t.Error("pdf was accepted")
	}
}
