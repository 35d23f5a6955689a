package matrixin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"remit/internal/oscal"
	"remit/internal/remit"
)

var ccm = remit.Catalogue{ID: "ccm", Title: "A CCM-shaped catalogue", Controls: []remit.Control{
	{ID: "AA-01", Title: "Audit policy"}, {ID: "AA-02", Title: "Independent assessments"},
	{ID: "IAM-01", Title: "Identity policy"}, {ID: "IAM-02", Title: "Strong passwords"}, {ID: "DCS-01", Title: "Off-site equipment"}}}

func TestCSV(t *testing.T) {
	m, err := ParseMapping("control=Control ID, class=Responsibility, provider=What the provider does, customer=What you do")
	if err != nil {
		t.Fatal(err)
	}
	csv := "Control ID,Responsibility,What the provider does,What you do\n" +
		"IAM-01,Shared,We keep the identity platform.,Set your policy.\n" +
		"dcs-01,provider,Our data centres.,\n" +
		"\n" +
		"AA-02,customer,Ignored: an organisation-specific statement has no provider part.,Commission assessments.\n"
	rows, ps := ReadCSV([]byte(csv), m)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	got, ps := Statements(rows, ccm, false)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := []remit.Statement{
		{Control: "ccm:IAM-01", Class: remit.Shared, Provider: "We keep the identity platform.", Customer: "Set your policy."},
		{Control: "ccm:DCS-01", Class: remit.Inherited, Provider: "Our data centres."},
		{Control: "ccm:AA-02", Class: remit.OrganisationSpecific, Customer: "Commission assessments."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCSVProblems(t *testing.T) {
	m := Mapping{Control: "control", Class: "class", Provider: "provider", Customer: "customer"}
	for _, c := range []struct{ name, csv string }{
		{"every bad cell", "control,class,provider,customer\nIAM-9,shared,a,b\nIAM-01,mostly,a,b\n,shared,a,b\nIAM-02,shared,a,b\nIAM-02,shared,c,d\n"},
		{"a missing column", "control,owner\nIAM-01,shared\n"},
		{"broken quoting", "control,class\n\"IAM-01,shared\nx\"y,z\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, ps := ReadCSV([]byte(c.csv), m)
			if len(ps) == 0 {
				_, ps = Statements(rows, ccm, false)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			text := strings.Join(got, "\n")
			switch c.name {
			case "every bad cell":
				for _, w := range []string{
					`row 2 column A: control "IAM-9" is not in catalogue ccm (did you mean "IAM-01"?)`,
					`row 3 column B: "mostly" is not a class: use inherited, shared, organisation-specific or not-applicable`,
					"row 4 column A: the control is empty",
					"row 6 column A: control IAM-02 is already on row 5: one row per control",
				} {
					if !strings.Contains(text, w) {
						t.Errorf("lacks %q:\n%s", w, text)
					}
				}
			case "a missing column":
				if !strings.Contains(text, `row 1: no column "class" in the header (it has "control", "owner")`) {
					t.Errorf("%s", text)
				}
			case "broken quoting":
				if !strings.Contains(text, "not valid CSV") || !strings.Contains(text, "row 3") {
					t.Errorf("%s", text)
				}
			}
		})
	}
}

// caiqBook writes a workbook shaped like CSA's CAIQ v4: a cover sheet, then
// the questions under a two-row banner. The content is our own.
func caiqBook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	b, err := writeCAIQ(rows)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// caiqBookBytes is a small CAIQ-shaped workbook, for fuzz seeds.
func caiqBookBytes() []byte {
	b, _ := writeCAIQ([][]any{{"A&A-01.1", "Q", "Yes", "CSP-owned", "We do.", ""}})
	return b
}

func writeCAIQ(rows [][]any) ([]byte, error) {
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", "Cover page")
	const sh = "CAIQv4.0.3"
	if _, err := f.NewSheet(sh); err != nil {
		return nil, err
	}
	_ = f.SetCellValue(sh, "A1", "Consensus Assessments Initiative Questionnaire (shape only)")
	header := []any{"Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership", "CSP Implementation Description (Optional/Recommended)", "CSC Responsibilities (Optional/Recommended)"}
	_ = f.SetSheetRow(sh, "A3", &header)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		_ = f.SetSheetRow(sh, cell, &r)
	}
	var buf bytes.Buffer
	err := f.Write(&buf)
	return buf.Bytes(), err
}

func TestCAIQ(t *testing.T) {
	book := caiqBook(t, [][]any{
		{"A&A-01.1", "Is there an audit policy?", "Yes", "Shared CSP and CSC", "We audit our platform yearly.", "Audit your own use."},
		{"A&A-01.2", "Is it reviewed?", "Yes", "Shared CSP and CSC", "Reviewed each year.", ""},
		{"A&A-02.1", "Independent assessments?", "Yes", "CSP-owned", "Assessed by a third party.", ""},
		{"IAM-02.1", "Strong passwords?", "Yes", "CSC-owned", "", "Set your password policy."},
		{"DCS-01.1", "Off-site equipment?", "Yes", "3rd-party outsourced", "Our colocation provider does this.", ""},
		{"IAM-01.1", "Identity policy?", "NA", "N/A", "", ""},
	})
	caiq := CAIQ
	rows, ps := ReadXLSX(book, caiq)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	got, ps := Statements(rows, ccm, true)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := map[string]remit.Statement{
		"ccm:AA-01":  {Control: "ccm:AA-01", Class: remit.Shared, Provider: "We audit our platform yearly.\nReviewed each year.", Customer: "Audit your own use."},
		"ccm:AA-02":  {Control: "ccm:AA-02", Class: remit.Inherited, Provider: "Assessed by a third party."},
		"ccm:IAM-02": {Control: "ccm:IAM-02", Class: remit.OrganisationSpecific, Customer: "Set your password policy."},
		"ccm:DCS-01": {Control: "ccm:DCS-01", Class: remit.Inherited, Provider: "Our colocation provider does this."},
		"ccm:IAM-01": {Control: "ccm:IAM-01", Class: remit.NotApplicable},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for _, st := range got {
		if st != want[st.Control] {
			t.Errorf("got %+v, want %+v", st, want[st.Control])
		}
	}
	// A bad ownership is named with its sheet, row and column.
	bad := caiqBook(t, [][]any{{"A&A-01.1", "Q", "Yes", "Mostly ours", "", ""}})
	rows, _ = ReadXLSX(bad, caiq)
	_, ps = Statements(rows, ccm, true)
	if len(ps) != 1 || ps[0].String() != `sheet CAIQv4.0.3 row 4 column D: "Mostly ours" is not a class: use CSP-owned, CSC-owned, 3rd-party outsourced, Shared CSP and CSC, Shared CSP and 3rd party, or N/A` {
		t.Errorf("%v", ps)
	}
}

// TestSSPExport reads the export of an SSP: provided only, both, and
// responsibilities only.
func TestSSPExport(t *testing.T) {
	doc := `{"system-security-plan": {"uuid": "11111111-1111-4111-8111-111111111111", "metadata": {"title": "Provider SSP", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
	 "import-profile": {"href": "#x"}, "system-characteristics": {}, "system-implementation": {"users": [], "components": []},
	 "control-implementation": {"description": "d", "implemented-requirements": [
	  {"uuid": "11111111-1111-4111-8111-000000000001", "control-id": "IAM-01", "statements": [{"statement-id": "iam-01_smt", "uuid": "11111111-1111-4111-8111-000000000002",
	    "by-components": [{"component-uuid": "c", "uuid": "11111111-1111-4111-8111-000000000003", "description": "x",
	      "export": {"provided": [{"uuid": "11111111-1111-4111-8111-000000000004", "description": "We run the directory."}],
	                 "responsibilities": [{"uuid": "11111111-1111-4111-8111-000000000005", "description": "You manage your users."}]}}]}]},
	  {"uuid": "11111111-1111-4111-8111-000000000006", "control-id": "DCS-01", "by-components": [{"component-uuid": "c", "uuid": "11111111-1111-4111-8111-000000000007", "description": "x",
	      "export": {"provided": [{"uuid": "11111111-1111-4111-8111-000000000008", "description": "Our data centres."}]}}]},
	  {"uuid": "11111111-1111-4111-8111-000000000009", "control-id": "AA-02", "by-components": [{"component-uuid": "c", "uuid": "11111111-1111-4111-8111-000000000010", "description": "x",
	      "export": {"responsibilities": [{"uuid": "11111111-1111-4111-8111-000000000011", "description": "Commission your own assessments."}]}}]},
	  {"uuid": "11111111-1111-4111-8111-000000000012", "control-id": "AA-01", "by-components": [{"component-uuid": "c", "uuid": "11111111-1111-4111-8111-000000000013", "description": "not exported"}]}]}}}`
	ssp, err := oscal.ReadSSP("ssp.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, ps := FromSSP(ssp, ccm)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := []remit.Statement{
		{Control: "ccm:IAM-01", Class: remit.Shared, Provider: "We run the directory.", Customer: "You manage your users."},
		{Control: "ccm:DCS-01", Class: remit.Inherited, Provider: "Our data centres."},
		{Control: "ccm:AA-02", Class: remit.OrganisationSpecific, Customer: "Commission your own assessments."},
	}
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		src := got[i].Source
		got[i].Source = nil
		if got[i] != want[i] {
			t.Errorf("got %+v, want %+v", got[i], want[i])
		}
		if src == nil || src.Date != "2026-01-01" || src.Version != "1" || !strings.HasPrefix(src.Title, "Provider SSP, export ") || !strings.Contains(src.Title, " 11111111-1111-4111-8111-0000000000") {
			t.Errorf("%s: source %+v", want[i].Control, src)
		}
	}
	ssp.ControlImplementation.ImplementedRequirements[1].ControlID = "XYZ-1"
	if _, ps := FromSSP(ssp, ccm); len(ps) != 1 || !strings.HasPrefix(ps[0].String(), "system-security-plan.control-implementation.implemented-requirements[1]: control \"XYZ-1\" is not in catalogue ccm") {
		t.Errorf("%v", ps)
	}
}

// TestLeveragedExample reads NIST's leveraged-system example SSP.
func TestLeveragedExample(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "oscal", "examples", "oscal_leveraged-example_ssp.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("the public OSCAL content is not beside the project: %v", err)
	}
	ssp, err := oscal.ReadSSP(path, data)
	if err != nil {
		t.Fatal(err)
	}
	cat := remit.Catalogue{ID: "nist"}
	for _, ir := range ssp.ControlImplementation.ImplementedRequirements {
		cat.Controls = append(cat.Controls, remit.Control{ID: ir.ControlID})
	}
	got, ps := FromSSP(ssp, cat)
	if len(ps) > 0 || len(got) == 0 {
		t.Fatalf("%d statements, %v", len(got), ps)
	}
	for _, st := range got {
		if st.Class != remit.Shared && st.Class != remit.Inherited && st.Class != remit.OrganisationSpecific {
			t.Errorf("%+v", st)
		}
	}
	t.Logf("%d statements from the leveraged example", len(got))
}
