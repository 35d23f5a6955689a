package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"
)

// TableFormats are the formats a plain table is written in.
var TableFormats = []string{"xlsx", "csv", "markdown"}

// Table writes a plain table as XLSX (one sheet named sheet), CSV or
// GitHub-flavoured Markdown, with its media type and file extension.
func Table(format, sheet string, header []string, rows [][]string) (data []byte, mediaType, ext string, err error) {
	switch format {
	case "xlsx":
		data, err = TableWorkbook(sheet, header, rows)
		return data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", err
	case "csv":
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		_ = cw.Write(header)
		for _, r := range rows {
			_ = cw.Write(neutralised(r))
		}
		cw.Flush() // writes to a buffer cannot fail
		return buf.Bytes(), "text/csv; charset=utf-8", "csv", cw.Error()
	case "markdown":
		return []byte(MarkdownTable(header, rows)), "text/markdown; charset=utf-8", "md", nil
	}
	return nil, "", "", fmt.Errorf("format %q is not known: use xlsx, csv or markdown", format)
}

// MarkdownTable writes a GitHub-flavoured Markdown table, escaping pipes
// and HTML and folding line breaks.
func MarkdownTable(header []string, rows [][]string) string {
	esc := mdEscaper
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + esc.Replace(c) + " |")
		}
		b.WriteString("\n")
	}
	line(header)
	b.WriteString("|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

// RiskRegister is the register as a table, in the order given, as it
// stands on day now.
func RiskRegister(risks []*remit.Risk, s remit.RiskSettings, now time.Time) ([]string, [][]string) {
	header := []string{"id", "title", "category", "status", "inherent", "residual", "band", "above appetite", "target", "treatment", "owner", "review", "review overdue", "accepted until", "legal breach"}
	rows := make([][]string, len(risks))
	for i, r := range risks {
		until := ""
		if r.Acceptance != nil {
			until = r.Acceptance.Until
		}
		rows[i] = []string{r.ID, r.Title, r.Category, string(r.EffectiveStatus(now)), strconv.Itoa(r.InherentScore()), strconv.Itoa(r.Residual.Value()), s.Band(r.Residual.Value()),
			strconv.FormatBool(r.AboveAppetite(s)), strconv.Itoa(r.Target), r.Treatment, r.Owner, r.Review, strconv.FormatBool(r.ReviewOverdue(now)), until, strconv.FormatBool(r.LegalBreach)}
	}
	return header, rows
}
