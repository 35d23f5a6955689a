package report

import "strings"

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (a tab or a carriage return is skipped by some, so
// the next character counts).
const formulaStarts = "=+-@\t\r"

// Neutralise keeps a spreadsheet from reading text as a formula: text that
// starts with = + - @ (or a tab or carriage return) gets a leading
// apostrophe, as OWASP advises for CSV. A risk titled
// =HYPERLINK("https://evil.example","Click") stays text.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, rune(s[0])) {
		return "'" + s
	}
	return s
}

// Unneutralise takes back what Neutralise added, for a workbook Remit
// exported coming back.
func Unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}

// neutralised is a row with every cell neutralised.
func neutralised(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Neutralise(c)
	}
	return out
}

// mdEscaper makes text safe in a Markdown table cell: pipes escaped, line
// breaks folded, and HTML shown as text, never rendered.
var mdEscaper = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;")

// md is text made safe in Markdown.
func md(s string) string { return mdEscaper.Replace(s) }

// Cell is text made safe in a plain-text table: line breaks and tabs
// become spaces, so a value cannot forge rows or columns.
func Cell(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}
