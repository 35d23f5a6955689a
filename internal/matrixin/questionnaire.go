package matrixin

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"remit/internal/remit"
	"remit/internal/xlsx"
)

// CAIQQuestionnaire reads the question set of a workbook in the CSA CAIQ
// v4 layout as a questionnaire template: a principle per CCM domain (the
// letters before the dash of each question's id), each question a yes-no
// question expecting "yes", as CAIQ's answers are. The sheet is the first
// whose first ten rows hold a "Question ID" header beside a "Question"
// one; "CCM Domain Title", "CCM Control ID" and "CCM Control
// Specification" columns, where present, give each principle its title,
// the CCM controls it bears on (ccm:ID) and each question its help text.
// Characters an id may not hold are dropped from question ids ("A&A-01.1"
// becomes "AA-01.1"). Remit ships no CAIQ: the user supplies the workbook.
func CAIQQuestionnaire(data []byte, template, title string) (*remit.Questionnaire, []Problem) {
	f, err := xlsx.Open(data)
	if err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, err := xlsx.Rows(f, sh)
		if err != nil {
			return nil, []Problem{{Sheet: sh, Message: err.Error()}}
		}
		for h := 0; h < min(10, len(rows)); h++ {
			qi, ok1 := exactColumn(rows[h], "Question ID")
			ti, ok2 := exactColumn(rows[h], "Question")
			if ok1 && ok2 {
				return caiqQuestions(sh, rows, h, qi, ti, template, title)
			}
		}
	}
	return nil, []Problem{{Message: `no sheet has "Question ID" and "Question" columns in its first ten rows: is this a CAIQ v4 workbook?`}}
}

// exactColumn finds a header equal to name, ignoring case and spacing.
func exactColumn(head []string, name string) (int, bool) {
	for i, h := range head {
		if strings.EqualFold(strings.Join(strings.Fields(h), " "), name) {
			return i, true
		}
	}
	return -1, false
}

func caiqQuestions(sheet string, rows [][]string, header, qi, ti int, template, title string) (*remit.Questionnaire, []Problem) {
	head := rows[header]
	di, _ := exactColumn(head, "CCM Domain Title")
	ci, _ := exactColumn(head, "CCM Control ID")
	si, _ := exactColumn(head, "CCM Control Specification")
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	q := &remit.Questionnaire{Template: template, Version: 1, Title: title,
		Sources: []remit.Source{{Title: "CSA Consensus Assessments Initiative Questionnaire v4, as supplied by the user", URL: "https://cloudsecurityalliance.org/artifacts/star-level-1-security-questionnaire-caiq-v4"}}}
	var problems []Problem
	domains := map[string]int{}
	seen := map[string]int{}
	for n, rec := range rows[header+1:] {
		line := header + 2 + n
		raw, text := cell(rec, qi), cell(rec, ti)
		if raw == "" && text == "" {
			continue
		}
		id := idOf(raw)
		domain, _, ok := strings.Cut(raw, "-")
		switch {
		case raw == "":
			problems = append(problems, Problem{Sheet: sheet, Row: line, Column: columnName(qi), Message: "the question has no id"})
			continue
		case !ok || domain == "" || !remit.ValidID(id):
			problems = append(problems, Problem{Sheet: sheet, Row: line, Column: columnName(qi), Message: fmt.Sprintf("question id %q is not a CAIQ id, such as A&A-01.1", raw)})
			continue
		case text == "":
			problems = append(problems, Problem{Sheet: sheet, Row: line, Column: columnName(ti), Message: fmt.Sprintf("question %s has no text", raw)})
			continue
		case seen[id] > 0:
			problems = append(problems, Problem{Sheet: sheet, Row: line, Column: columnName(qi), Message: fmt.Sprintf("question %s is on row %d already", raw, seen[id])})
			continue
		}
		seen[id] = line
		i, ok := domains[domain]
		if !ok {
			i = len(q.Principles)
			domains[domain] = i
			q.Principles = append(q.Principles, remit.Principle{Control: "caiq:" + idOf(domain), Title: cmp.Or(cell(rec, di), "CCM domain "+domain)})
		}
		p := &q.Principles[i]
		if c := cell(rec, ci); c != "" {
			if ref := "ccm:" + c; !slices.Contains(p.Controls, ref) {
				p.Controls = append(p.Controls, ref)
			}
		}
		p.Questions = append(p.Questions, remit.Question{ID: id, Text: text, Type: "yes-no", Expect: "yes", Help: cell(rec, si)})
	}
	if len(problems) == 0 && len(q.Principles) == 0 {
		problems = append(problems, Problem{Sheet: sheet, Row: header + 1, Message: "the sheet has no questions under its header"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	for _, p := range remit.ValidateQuestionnaire(q) {
		problems = append(problems, Problem{Sheet: sheet, Message: p.Pointer + ": " + p.Message})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return q, nil
}

// idOf drops what an id may not hold.
func idOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}
