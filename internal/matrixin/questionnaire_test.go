package matrixin

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// questionBook writes a workbook in the CAIQ v4 layout with the CCM
// columns: a cover sheet, a banner, the header on row 3. The questions
// are our own words.
func questionBook(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", "Cover page")
	const sh = "CAIQv4.0.3"
	if _, err := f.NewSheet(sh); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue(sh, "A1", "Consensus Assessments Initiative Questionnaire (shape only)")
	header := []any{"Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership", "CSP Implementation Description (Optional/Recommended)",
		"CSC Responsibilities (Optional/Recommended)", "CCM Control ID", "CCM Control Specification", "CCM Control Title", "CCM Domain Title"}
	_ = f.SetSheetRow(sh, "A3", &header)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		_ = f.SetSheetRow(sh, cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCAIQQuestionnaire: a CAIQ-shaped workbook becomes a template with a
// principle per domain, the CCM controls each bears on, yes-no questions
// expecting yes with the control's specification as help.
func TestCAIQQuestionnaire(t *testing.T) {
	book := questionBook(t, [][]any{
		{"A&A-01.1", "Are audit policies set out, approved and kept?", "Yes", "CSP-owned", "", "", "A&A-01", "Keep audit policies.", "Audit policy", "Audit & Assurance"},
		{"A&A-01.2", "Are they reviewed every year?", "Yes", "CSP-owned", "", "", "A&A-01", "Review them yearly.", "Audit policy", "Audit & Assurance"},
		{"A&A-02.1", "Are independent audits run every year?", "No", "Shared", "", "", "A&A-02", "Audit independently.", "Independent assessments", "Audit & Assurance"},
		{},
		{"IAM-01.1", "Is there an identity and access policy?", "Yes", "Shared", "", "", "IAM-01", "", "Policy", "Identity & Access Management"},
	})
	q, problems := CAIQQuestionnaire(book, "caiq-v4", "CSA CAIQ v4")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if q.Template != "caiq-v4" || q.Version != 1 || len(q.Principles) != 2 || q.Questions() != 4 {
		t.Fatalf("%s v%d: %d principles, %d questions", q.Template, q.Version, len(q.Principles), q.Questions())
	}
	aa := q.Principles[0]
	if aa.Control != "caiq:AA" || aa.Title != "Audit & Assurance" || strings.Join(aa.Controls, ",") != "ccm:A&A-01,ccm:A&A-02" {
		t.Errorf("first principle: %+v", aa)
	}
	if qu := aa.Questions[1]; qu.ID != "AA-01.2" || qu.Type != "yes-no" || qu.Expect != "yes" || qu.Help != "Review them yearly." {
		t.Errorf("a question: %+v", qu)
	}
	if iam := q.Principles[1]; iam.Control != "caiq:IAM" || len(iam.Questions) != 1 || iam.Questions[0].Help != "" {
		t.Errorf("second principle: %+v", iam)
	}
}

// TestCAIQQuestionnaireProblems: each bad row is named by sheet, row and
// column, and nothing is returned.
func TestCAIQQuestionnaireProblems(t *testing.T) {
	book := questionBook(t, [][]any{
		{"A&A-01.1", "", "Yes"},
		{"nodash", "A question"},
		{"", "A question with no id"},
		{"IAM-01.1", "First"},
		{"IAM-01.1", "Again"},
	})
	q, problems := CAIQQuestionnaire(book, "caiq-v4", "CAIQ")
	if q != nil {
		t.Fatal("a questionnaire despite problems")
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"sheet CAIQv4.0.3 row 4 column B: question A&A-01.1 has no text",
		`sheet CAIQv4.0.3 row 5 column A: question id "nodash" is not a CAIQ id, such as A&A-01.1`,
		"sheet CAIQv4.0.3 row 6 column A: the question has no id",
		"sheet CAIQv4.0.3 row 8 column A: question IAM-01.1 is on row 7 already",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, problems := CAIQQuestionnaire([]byte("not a workbook"), "x", "x"); len(problems) != 1 {
		t.Errorf("not a workbook: %v", problems)
	}
	f := excelize.NewFile()
	var buf bytes.Buffer
	_ = f.Write(&buf)
	if _, problems := CAIQQuestionnaire(buf.Bytes(), "x", "x"); len(problems) != 1 || !strings.Contains(problems[0].Message, "is this a CAIQ v4 workbook?") {
		t.Errorf("an empty workbook: %v", problems)
	}
}

// FuzzCAIQQuestionnaire: any bytes give a valid template or problems,
// never a panic.
func FuzzCAIQQuestionnaire(f *testing.F) {
	f.Add(questionBook(f, [][]any{{"A&A-01.1", "Q?", "Yes", "", "", "", "A&A-01", "Spec", "T", "Audit"}}))
	f.Add(caiqBookBytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, problems := CAIQQuestionnaire(data, "caiq", "CAIQ")
		if (q == nil) == (len(problems) == 0) {
			t.Fatalf("questionnaire %v with problems %v", q != nil, problems)
		}
	})
}
