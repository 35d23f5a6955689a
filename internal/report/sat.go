package report

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"remit/internal/remit"
	"remit/internal/xlsx"
)

// The Standards Assurance Table's sheet, laid out as assessors keep it:
// a few lines saying what and whose, then one row per objective.
const (
	satSheet     = "Standards Assurance Table"
	summarySheet = "Summary"
	satHeaderRow = 6
)

var satColumns = []string{"Ref", "Category", "Objective", "Written evidence expected", "Evidence (Held / Partial / Not Held / N/A)", "Confidence (0–14 or N/A)", "Delta (14 − confidence)", "Further evidence required", "Commentary", "Evidence in the register"}

// evidenceWords are the words the sheet uses for evidence levels.
var evidenceWords = map[remit.SATEvidence]string{"held": "Held", "partial": "Partial", "not-held": "Not Held", "n/a": "N/A"}

// SATWorkbook writes a SAT as an XLSX workbook: the table (with lists to
// choose evidence and confidence from, and delta as a formula) and a
// summary per category.
func SATWorkbook(system string, t *remit.SATTemplate, a *remit.SAT, r remit.SATReport) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", satSheet); err != nil {
		return nil, err
	}
	set := func(sheet, cell string, v any) {
		if text, ok := v.(string); ok {
			v = Neutralise(text)
		}
		_ = f.SetCellValue(sheet, cell, v)
	}
	set(satSheet, "A1", "Standards Assurance Table")
	set(satSheet, "A2", "System")
	set(satSheet, "B2", system)
	set(satSheet, "A3", "Template version")
	set(satSheet, "B3", a.TemplateVersion)
	set(satSheet, "A4", "SAT")
	set(satSheet, "B4", a.ID)
	if a.Completed != nil {
		set(satSheet, "C4", fmt.Sprintf("signed off by %s on %s", a.Assessor, a.Completed.Format("2 January 2006")))
	}
	for i, h := range satColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, satHeaderRow)
		set(satSheet, cell, h)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#F3F2F1"}}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	_ = f.SetCellStyle(satSheet, "A1", "A1", bold)
	last, _ := excelize.CoordinatesToCellName(len(satColumns), satHeaderRow)
	_ = f.SetCellStyle(satSheet, "A"+strconv.Itoa(satHeaderRow), last, bold)
	for i, w := range []float64{9, 11, 48, 40, 16, 14, 12, 36, 40, 24} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(satSheet, col, col, w)
	}
	row := satHeaderRow
	for _, line := range r.Objectives {
		row++
		n := strconv.Itoa(row)
		e := line.Entry
		set(satSheet, "A"+n, line.ID)
		set(satSheet, "B"+n, line.Category)
		set(satSheet, "C"+n, line.Title+": "+line.Objective.Objective)
		set(satSheet, "D"+n, line.Objective.Evidence)
		set(satSheet, "E"+n, evidenceWords[e.Evidence])
		switch {
		case e.Confidence != nil:
			set(satSheet, "F"+n, *e.Confidence)
		case e.Evidence != "":
			set(satSheet, "F"+n, "N/A")
		}
		_ = f.SetCellFormula(satSheet, "G"+n, fmt.Sprintf(`IF(ISNUMBER(F%s),14-F%s,"N/A")`, n, n))
		set(satSheet, "H"+n, e.FurtherEvidence)
		set(satSheet, "I"+n, e.Commentary)
		set(satSheet, "J"+n, strings.Join(e.EvidenceLinks, ", "))
		_ = f.SetCellStyle(satSheet, "A"+n, "J"+n, wrap)
	}
	if row > satHeaderRow {
		first := strconv.Itoa(satHeaderRow + 1)
		lastRow := strconv.Itoa(row)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = "E" + first + ":E" + lastRow
		_ = dv.SetDropList([]string{"Held", "Partial", "Not Held", "N/A"})
		_ = f.AddDataValidation(satSheet, dv)
		choices := []string{"N/A"}
		for i := 0; i <= remit.MaxConfidence; i++ {
			choices = append(choices, strconv.Itoa(i))
		}
		dc := excelize.NewDataValidation(true)
		dc.Sqref = "F" + first + ":F" + lastRow
		_ = dc.SetDropList(choices)
		_ = f.AddDataValidation(satSheet, dc)
	}
	_ = f.SetPanes(satSheet, &excelize.Panes{Freeze: true, YSplit: satHeaderRow, TopLeftCell: "A" + strconv.Itoa(satHeaderRow+1), ActivePane: "bottomLeft"})

	if _, err := f.NewSheet(summarySheet); err != nil {
		return nil, err
	}
	for i, h := range []string{"Category", "Objectives", "Scored", "Delta", "Most delta"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(summarySheet, cell, h)
	}
	_ = f.SetCellStyle(summarySheet, "A1", "E1", bold)
	for i, c := range r.Categories {
		n := strconv.Itoa(i + 2)
		set(summarySheet, "A"+n, c.Category)
		set(summarySheet, "B"+n, c.Objectives)
		set(summarySheet, "C"+n, c.Scored)
		set(summarySheet, "D"+n, c.Delta)
		set(summarySheet, "E"+n, c.Max)
	}
	n := strconv.Itoa(len(r.Categories) + 2)
	set(summarySheet, "A"+n, "overall")
	set(summarySheet, "D"+n, r.Delta)
	set(summarySheet, "E"+n, r.Max)
	_ = f.SetColWidth(summarySheet, "A", "E", 14)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write SAT workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadSATWorkbook reads a completed table back: one entry per objective
// row, every problem named by its row and column, nothing taken when
// there is any. It reads the layout SATWorkbook writes; rows are matched
// to objectives by the Ref column, so rows may be reordered.
func ReadSATWorkbook(data []byte, t *remit.SATTemplate) ([]remit.SATEntry, error) {
	bad := func(msg string) error {
		return &remit.ValidationError{Problems: []remit.Problem{{File: satSheet, Message: msg}}}
	}
	f, err := xlsx.Open(data)
	if errors.Is(err, xlsx.ErrNotWorkbook) {
		return nil, bad("the file is not an XLSX workbook: export the table from Remit, fill it in and upload it as .xlsx")
	}
	if err != nil {
		return nil, bad(err.Error())
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex(satSheet); idx < 0 {
		return nil, bad(fmt.Sprintf("the workbook has no sheet named %q: upload the workbook Remit exported", satSheet))
	}
	rows, err := xlsx.Rows(f, satSheet)
	if err != nil {
		return nil, bad(err.Error())
	}
	// Text Remit neutralised on export (so no cell reads as a formula)
	// comes back as written.
	for _, r := range rows {
		for i := range r {
			r[i] = Unneutralise(r[i])
		}
	}
	header := -1
	for i, r := range rows {
		if len(r) > 0 && strings.TrimSpace(r[0]) == "Ref" {
			header = i
			break
		}
	}
	if header < 0 {
		return nil, bad(`no header row starting "Ref" was found: keep the table's header row as exported`)
	}
	levels := map[string]remit.SATEvidence{}
	for k, w := range evidenceWords {
		levels[strings.ToLower(w)] = k
	}
	var entries []remit.SATEntry
	var ps []remit.Problem
	problem := func(row, col int, format string, a ...any) {
		ps = append(ps, remit.Problem{File: satSheet, Line: row, Column: col, Message: fmt.Sprintf(format, a...)})
	}
	seen := map[string]int{}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	for i := header + 1; i < len(rows); i++ {
		r, rowNo := rows[i], i+1
		ref := cell(r, 0)
		if ref == "" {
			continue
		}
		if _, ok := t.Objective(ref); !ok {
			problem(rowNo, 1, "%s is not an objective of version %d of the table (did the row's Ref change?)", ref, t.Version)
			continue
		}
		if prev, dup := seen[ref]; dup {
			problem(rowNo, 1, "%s is already on row %d", ref, prev)
			continue
		}
		seen[ref] = rowNo
		e := remit.SATEntry{Objective: ref, FurtherEvidence: cell(r, 7), Commentary: cell(r, 8)}
		if w := cell(r, 4); w != "" {
			level, ok := levels[strings.ToLower(w)]
			if !ok {
				problem(rowNo, 5, "evidence %q is not Held, Partial, Not Held or N/A", w)
			}
			e.Evidence = level
		}
		if c := cell(r, 5); c != "" && !strings.EqualFold(c, "N/A") {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 || n > remit.MaxConfidence {
				problem(rowNo, 6, "confidence %q is not a whole number from 0 to 14, nor N/A", c)
			} else {
				e.Confidence = &n
			}
		}
		for _, id := range strings.Split(cell(r, 9), ",") {
			if id = strings.TrimSpace(id); id != "" {
				e.EvidenceLinks = append(e.EvidenceLinks, id)
			}
		}
		entries = append(entries, e)
	}
	if len(ps) > 0 {
		return nil, &remit.ValidationError{Problems: ps}
	}
	if len(entries) == 0 {
		return nil, bad("the table has no objective rows under its header")
	}
	return entries, nil
}

// TableWorkbook writes a plain table as an XLSX workbook: a bold,
// frozen header row and one row per record.
func TableWorkbook(sheet string, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellValue(sheet, cell, h)
		_ = f.SetCellStyle(sheet, cell, cell, bold)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if n, err := strconv.Atoi(v); err == nil && v != "" && (v == "0" || v[0] != '0') {
				_ = f.SetCellValue(sheet, cell, n)
			} else {
				_ = f.SetCellValue(sheet, cell, Neutralise(v))
			}
		}
	}
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
