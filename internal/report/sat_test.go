package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"remit/internal/remit"
)

func satFixture() (*remit.SATTemplate, *remit.SAT) {
	t := &remit.SATTemplate{Template: "sat", Version: 2, Objectives: []remit.Objective{
		{ID: "SAT-01", Category: "identify", Title: "Assets", Objective: "Assets are known.", Evidence: "An asset register.", Controls: []string{"srm:SRM-25"}},
		{ID: "SAT-02", Category: "protect", Title: "Patching", Objective: "Systems are patched.", Evidence: "Patch reports.", Controls: []string{"srm:SRM-03"}},
		{ID: "SAT-03", Category: "recover", Title: "Restore", Objective: "Backups restore.", Evidence: "A restore test.", Controls: []string{"srm:SRM-21"}},
	}}
	eleven, zero := 11, 0
	done := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	a := &remit.SAT{ID: "sat-1", System: "prison-visits", TemplateVersion: 2, Status: remit.AssessmentCompleted, Assessor: "ash@example.gov.uk", Completed: &done, Entries: []remit.SATEntry{
		{Objective: "SAT-01", Evidence: "held", Confidence: &eleven, FurtherEvidence: "None.", Commentary: "Register reviewed in October.", EvidenceLinks: []string{"ev-0123456789abcdef"}},
		{Objective: "SAT-02", Evidence: "not-held", Confidence: &zero, Commentary: "No patch reports offered."},
		{Objective: "SAT-03", Evidence: "n/a"},
	}}
	return t, a
}

// TestSATWorkbookRoundTrip exports a SAT and reads it back unchanged.
func TestSATWorkbookRoundTrip(t *testing.T) {
	tmpl, a := satFixture()
	data, err := SATWorkbook("Prison visits booking", tmpl, a, a.Report(tmpl, nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadSATWorkbook(data, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Entries, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	f, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	formula, _ := f.GetCellFormula(satSheet, "G7")
	summary, _ := f.GetCellValue(summarySheet, "D7")
	if formula != `IF(ISNUMBER(F7),14-F7,"N/A")` || summary != "17" {
		t.Errorf("delta formula %q, overall delta %q", formula, summary)
	}
}

// TestReadSATWorkbookProblems names every bad cell by row and column and
// takes nothing.
func TestReadSATWorkbookProblems(t *testing.T) {
	tmpl, a := satFixture()
	data, err := SATWorkbook("Prison visits booking", tmpl, a, a.Report(tmpl, nil))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(strings.NewReader(string(data)))
	_ = f.SetCellValue(satSheet, "E7", "Mostly")
	_ = f.SetCellValue(satSheet, "F8", "15")
	_ = f.SetCellValue(satSheet, "A9", "SAT-99")
	_ = f.SetCellValue(satSheet, "A10", "SAT-01")
	buf, _ := f.WriteToBuffer()
	_, err = ReadSATWorkbook(buf.Bytes(), tmpl)
	var got []string
	if ve, ok := err.(*remit.ValidationError); ok {
		for _, p := range ve.Problems {
			got = append(got, p.String())
		}
	}
	want := []string{
		`Standards Assurance Table:7:5: evidence "Mostly" is not Held, Partial, Not Held or N/A`,
		`Standards Assurance Table:8:6: confidence "15" is not a whole number from 0 to 14, nor N/A`,
		`Standards Assurance Table:9:1: SAT-99 is not an objective of version 2 of the table (did the row's Ref change?)`,
		`Standards Assurance Table:10:1: SAT-01 is already on row 7`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if _, err := ReadSATWorkbook([]byte("not a workbook"), tmpl); err == nil || !strings.Contains(err.Error(), "the file is not an XLSX workbook") {
		t.Errorf("not a workbook: %v", err)
	}
}

// FuzzReadSATWorkbook feeds the reader arbitrary bytes: it returns
// entries or a validation error, never panics.
func FuzzReadSATWorkbook(f *testing.F) {
	tmpl, a := satFixture()
	data, err := SATWorkbook("Prison visits booking", tmpl, a, a.Report(tmpl, nil))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ReadSATWorkbook(b, tmpl)
		if err == nil {
			for _, e := range entries {
				if _, ok := tmpl.Objective(e.Objective); !ok {
					t.Fatalf("entry for unknown objective %q", e.Objective)
				}
			}
			return
		}
		if _, ok := err.(*remit.ValidationError); !ok {
			t.Fatalf("error is not a validation error: %v", err)
		}
	})
}

// TestExportsNeutraliseFormulas: text that a spreadsheet would read as a
// formula leaves every CSV and XLSX export as text, Markdown never
// carries HTML, and a SAT commentary round-trips through its workbook
// unchanged.
func TestExportsNeutraliseFormulas(t *testing.T) {
	const evil = `=HYPERLINK("https://evil.example","Click me")`
	header := []string{"title", "score"}
	rows := [][]string{{evil, "12"}, {"+SUM(A1)", "-3"}, {"@cmd", "0"}, {"<script>alert(1)</script> | x", "1"}}
	csvData, _, _, err := Table("csv", "Risks", header, rows)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][0] != "'"+evil || recs[2][0] != "'+SUM(A1)" || recs[2][1] != "'-3" || recs[3][0] != "'@cmd" {
		t.Errorf("CSV cells: %q", recs)
	}
	book, _, _, err := Table("xlsx", "Risks", header, rows)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.GetCellValue("Risks", "A2")
	formula, _ := f.GetCellFormula("Risks", "A2")
	n, _ := f.GetCellValue("Risks", "B3")
	if v != "'"+evil || formula != "" || n != "-3" {
		t.Errorf("XLSX: A2 %q (formula %q), B3 %q", v, formula, n)
	}
	md, _, _, _ := Table("markdown", "Risks", header, rows)
	if strings.Contains(string(md), "<script>") || !strings.Contains(string(md), `&lt;script&gt;alert(1)&lt;/script&gt; \| x`) {
		t.Errorf("Markdown: %s", md)
	}
	if Unneutralise(Neutralise(evil)) != evil || Unneutralise("'quoted") != "'quoted" {
		t.Error("Unneutralise does not take back exactly what Neutralise added")
	}
}
