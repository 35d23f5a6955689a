// Package matrixin reads providers' responsibility matrices — an OSCAL
// SSP's export, a CSV or XLSX sheet with a column mapping, or the CSA CAIQ
// v4 layout — into an offering's statements, naming the row and column of
// every bad cell.
package matrixin

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/xlsx"
)

// Formats are the formats Import reads.
var Formats = []string{"oscal-ssp", "component-definition", "csv", "xlsx", "caiq"}

// Problem is one bad cell or row.
type Problem struct {
	Sheet   string
	Row     int // 1-based, as a spreadsheet shows it; 0 when not a row's
	Column  string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Sheet != "" {
		b.WriteString("sheet " + p.Sheet + " ")
	}
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " column %s", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	return b.String() + p.Message
}

// Error lists every problem with a file: nothing is imported.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = e.File + ": " + p.String()
	}
	return strings.Join(lines, "\n")
}

// Mapping names the columns of a sheet: each a header (matched ignoring
// case and spacing) or a column letter.
type Mapping struct {
	Control, Class, Provider, Customer string
	// Sheet names the sheet of a workbook (default: the first with the
	// control column's header).
	Sheet string
	// Component picks, by title, the component of a component definition
	// that holds several (Class then names the property holding the
	// responsibility).
	Component string
}

// ParseComponentMapping reads a component definition's mapping:
// class=PROPERTY (default responsibility, in any namespace) and
// component=TITLE, both optional.
func ParseComponentMapping(s string) (Mapping, error) {
	var m Mapping
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	err := entries(s, "name=value, as class=responsibility", func(k, v string) error {
		switch k {
		case "class":
			m.Class = v
		case "component":
			m.Component = v
		default:
			return fmt.Errorf("--map: %q is not class or component (a component definition's mapping names the property holding the responsibility and, when it describes several, the component)", k)
		}
		return nil
	})
	return m, err
}

// entries reads a --map value, name=value entries separated by commas,
// handing each (its name in lower case) to set.
func entries(s, form string, set func(k, v string) error) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(strings.ToLower(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return fmt.Errorf("--map %q: each entry is %s", kv, form)
		}
		if err := set(k, v); err != nil {
			return err
		}
	}
	return nil
}

// CAIQ is the mapping of the CSA CAIQ v4 layout.
var CAIQ = Mapping{Control: "Question ID", Class: "SSRM Control Ownership", Provider: "CSP Implementation Description", Customer: "CSC Responsibilities"}

// ParseMapping reads control=…,class=…,provider=…,customer=…[,sheet=…].
func ParseMapping(s string) (Mapping, error) {
	var m Mapping
	err := entries(s, "name=column, as control=Control ID", func(k, v string) error {
		switch k {
		case "control":
			m.Control = v
		case "class":
			m.Class = v
		case "provider":
			m.Provider = v
		case "customer":
			m.Customer = v
		case "sheet":
			m.Sheet = v
		default:
			return fmt.Errorf("--map: %q is not control, class, provider, customer or sheet", k)
		}
		return nil
	})
	if err != nil {
		return m, err
	}
	if m.Control == "" || m.Class == "" {
		return m, errors.New("--map needs at least control=… and class=… (and usually provider=… and customer=…)")
	}
	return m, nil
}

// Row is one row of a matrix as read: the control as written, the class
// as written, and the two parties' texts.
type Row struct {
	Line                        int
	Control, Class              string
	Provider, Customer          string
	ControlCol, ClassCol, Sheet string
	// Source is where the row's statement was published, when the file
	// says (an SSP: its title and the uuids of what it provides).
	Source *remit.Source
}

// ReadCSV reads a CSV matrix with the mapping's columns.
func ReadCSV(data []byte, m Mapping) ([]Row, []Problem) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	var records [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, []Problem{{Row: pe.Line, Column: columnName(pe.Column - 1), Message: "not valid CSV: " + pe.Err.Error()}}
			}
			return nil, []Problem{{Message: err.Error()}}
		}
		records = append(records, rec)
	}
	return readTable("", records, 0, m)
}

// ReadXLSX reads a workbook matrix: the mapping's sheet, or the first
// whose first ten rows hold the control column's header.
func ReadXLSX(data []byte, m Mapping) ([]Row, []Problem) {
	f, err := xlsx.Open(data)
	if err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if m.Sheet != "" {
		if !slices.Contains(sheets, m.Sheet) {
			return nil, []Problem{{Message: fmt.Sprintf("there is no sheet %q: the workbook has %s", m.Sheet, strings.Join(sheets, ", "))}}
		}
		sheets = []string{m.Sheet}
	}
	for _, sh := range sheets {
		rows, err := xlsx.Rows(f, sh)
		if err != nil {
			return nil, []Problem{{Sheet: sh, Message: err.Error()}}
		}
		for h := 0; h < min(10, len(rows)); h++ {
			if _, ok := findColumn(rows[h], m.Control); ok && !isLetter(m.Control) {
				return readTable(sh, rows, h, m)
			}
		}
		if m.Sheet != "" || isLetter(m.Control) {
			return readTable(sh, rows, 0, m)
		}
	}
	return nil, []Problem{{Message: fmt.Sprintf("no sheet has a %q column in its first ten rows", m.Control)}}
}

// readTable reads records whose header is at index header.
func readTable(sheet string, records [][]string, header int, m Mapping) ([]Row, []Problem) {
	if len(records) <= header {
		return nil, []Problem{{Sheet: sheet, Message: "the sheet is empty"}}
	}
	head := records[header]
	var problems []Problem
	// A column the mapping names must be there; provider and customer
	// may be left out of the mapping.
	col := func(name string) int {
		if name == "" {
			return -1
		}
		i, ok := findColumn(head, name)
		if !ok {
			problems = append(problems, Problem{Sheet: sheet, Row: header + 1, Message: fmt.Sprintf("no column %q in the header (it has %s)", name, quoted(head))})
			return -1
		}
		return i
	}
	ci, cl, cp, cc := col(m.Control), col(m.Class), col(m.Provider), col(m.Customer)
	if len(problems) > 0 {
		return nil, problems
	}
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []Row
	for n, rec := range records[header+1:] {
		line := header + 2 + n
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		out = append(out, Row{Line: line, Sheet: sheet, Control: cell(rec, ci), Class: cell(rec, cl), Provider: cell(rec, cp), Customer: cell(rec, cc),
			ControlCol: columnName(ci), ClassCol: columnName(cl)})
	}
	return out, nil
}

// findColumn finds a column: a header equal to name (ignoring case,
// spacing and punctuation); else a column letter (A, B, … AA); else the one
// header that only adds to the name, as "CSC Responsibilities
// (Optional/Recommended)" does to "CSC Responsibilities".
func findColumn(head []string, name string) (int, bool) {
	want := squash(name)
	for i, h := range head {
		if squash(h) == want {
			return i, true
		}
	}
	if isLetter(name) {
		if n, err := excelize.ColumnNameToNumber(strings.ToUpper(name)); err == nil {
			return n - 1, true
		}
	}
	found := -1
	for i, h := range head {
		if want != "" && strings.HasPrefix(squash(h), want) {
			if found >= 0 {
				return 0, false
			}
			found = i
		}
	}
	return found, found >= 0
}

func isLetter(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' && r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func columnName(i int) string {
	if i < 0 {
		return ""
	}
	n, _ := excelize.ColumnNumberToName(i + 1)
	return n
}

func quoted(ss []string) string {
	q := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			q = append(q, fmt.Sprintf("%q", s))
		}
	}
	if len(q) == 0 {
		return "nothing"
	}
	return strings.Join(q, ", ")
}

// classOf reads a class as written: our names, or common synonyms.
func classOf(s string) (remit.Class, bool) {
	switch squash(s) {
	case "inherited", "provider", "providerowned", "csp", "cspowned":
		return remit.Inherited, true
	case "shared", "sharedcspandcsc", "sharedproviderandcustomer":
		return remit.Shared, true
	case "organisationspecific", "organizationspecific", "customer", "customerowned", "csc", "cscowned":
		return remit.OrganisationSpecific, true
	case "notapplicable", "na":
		return remit.NotApplicable, true
	}
	return "", false
}

// caiqClass maps CAIQ v4's SSRM Control Ownership values to our classes:
// a control the provider (or a third party it outsources to) owns is
// inherited; one it shares with us is shared; ours is organisation-
// specific.
func caiqClass(s string) (remit.Class, bool) {
	switch squash(s) {
	case "cspowned", "3rdpartyoutsourced", "thirdpartyoutsourced", "sharedcspand3rdparty", "sharedcspandthirdparty":
		return remit.Inherited, true
	case "sharedcspandcsc":
		return remit.Shared, true
	case "cscowned":
		return remit.OrganisationSpecific, true
	case "na", "notapplicable":
		return remit.NotApplicable, true
	}
	return "", false
}

// Statements turns rows into statements for the controls of catalogue
// cat: each control matched by its id, exactly or ignoring case and
// punctuation (CAIQ's "A&A-01" finds "AA-01"); with caiq, question rows
// (A&A-01.1) are gathered under their control. Every problem is named by
// its row and column, and none is guessed.
func Statements(rows []Row, cat remit.Catalogue, caiq bool) ([]remit.Statement, []Problem) {
	exact := map[string]string{}
	loose := map[string][]string{}
	for _, c := range cat.Controls {
		exact[c.ID] = c.ID
		loose[squash(c.ID)] = append(loose[squash(c.ID)], c.ID)
	}
	var problems []Problem
	type acc struct {
		st   remit.Statement
		line int
	}
	var order []string
	by := map[string]*acc{}
	for _, r := range rows {
		id := r.Control
		if caiq {
			if i := strings.LastIndex(id, "."); i > 0 {
				id = id[:i]
			}
		}
		class, classOK := classOf(r.Class)
		if caiq {
			class, classOK = caiqClass(r.Class)
		}
		bad := false
		ctl, ok := exact[id]
		switch {
		case id == "":
			problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ControlCol, Message: "the control is empty"})
			bad = true
		case ok:
		default:
			switch m := loose[squash(id)]; len(m) {
			case 1:
				ctl = m[0]
			case 0:
				hint := ""
				ids := make([]string, 0, len(cat.Controls))
				for _, c := range cat.Controls {
					ids = append(ids, c.ID)
				}
				if c := remit.Closest(id, ids); c != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", c)
				}
				problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ControlCol, Message: fmt.Sprintf("control %q is not in catalogue %s%s", r.Control, cat.ID, hint)})
				bad = true
			default:
				problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ControlCol, Message: fmt.Sprintf("control %q matches %s in catalogue %s: write it exactly", r.Control, strings.Join(m, " and "), cat.ID)})
				bad = true
			}
		}
		if !classOK {
			want := "inherited, shared, organisation-specific or not-applicable"
			if caiq {
				want = "CSP-owned, CSC-owned, 3rd-party outsourced, Shared CSP and CSC, Shared CSP and 3rd party, or N/A"
			}
			problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ClassCol, Message: fmt.Sprintf("%q is not a class: use %s", r.Class, want)})
			bad = true
		}
		if bad {
			continue
		}
		ref := cat.ID + ":" + ctl
		if a, seen := by[ref]; seen {
			if !caiq {
				problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ControlCol, Message: fmt.Sprintf("control %s is already on row %d: one row per control", ctl, a.line)})
				continue
			}
			if a.st.Class != class {
				problems = append(problems, Problem{Sheet: r.Sheet, Row: r.Line, Column: r.ClassCol, Message: fmt.Sprintf("control %s is %s here but %s on row %d: one ownership per control", ctl, class, a.st.Class, a.line)})
				continue
			}
			a.st.Provider = joinText(a.st.Provider, r.Provider)
			a.st.Customer = joinText(a.st.Customer, r.Customer)
			continue
		}
		by[ref] = &acc{st: remit.Statement{Control: ref, Class: class, Provider: r.Provider, Customer: r.Customer, Source: r.Source}, line: r.Line}
		order = append(order, ref)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	out := make([]remit.Statement, len(order))
	for i, ref := range order {
		out[i] = fit(by[ref].st)
	}
	return out, nil
}

// fit keeps only the parts a class has: an inherited statement has no
// customer part, an organisation-specific one no provider part.
func fit(st remit.Statement) remit.Statement {
	switch st.Class {
	case remit.Inherited:
		st.Customer = ""
	case remit.OrganisationSpecific:
		st.Provider = ""
	}
	return st
}

func joinText(a, b string) string {
	switch {
	case b == "" || strings.Contains(a, b):
		return a
	case a == "":
		return b
	}
	return a + "\n" + b
}

// FromSSP reads the export of an OSCAL system security plan: per control,
// what its by-components provide and what they leave to the customer.
// Provided only is inherited; provided with responsibilities is shared;
// responsibilities only is organisation-specific. The texts are kept as
// written.
func FromSSP(ssp *oscal.SSP, cat remit.Catalogue) ([]remit.Statement, []Problem) {
	var rows []Row
	for i, ir := range ssp.ControlImplementation.ImplementedRequirements {
		var provided, resp, provUUIDs, respUUIDs []string
		collect := func(bcs []oscal.ByComponent) {
			for _, bc := range bcs {
				if bc.Export == nil {
					continue
				}
				for _, p := range bc.Export.Provided {
					provided = append(provided, strings.TrimSpace(p.Description))
					provUUIDs = append(provUUIDs, p.UUID)
				}
				for _, r := range bc.Export.Responsibilities {
					resp = append(resp, strings.TrimSpace(r.Description))
					respUUIDs = append(respUUIDs, r.UUID)
				}
			}
		}
		collect(ir.ByComponents)
		for _, st := range ir.Statements {
			collect(st.ByComponents)
		}
		if len(provided)+len(resp) == 0 {
			continue
		}
		class := "organisation-specific"
		switch {
		case len(provided) > 0 && len(resp) > 0:
			class = "shared"
		case len(provided) > 0:
			class = "inherited"
		}
		var uuids []string
		if len(provUUIDs) > 0 {
			uuids = append(uuids, "provided "+strings.Join(provUUIDs, " "))
		}
		if len(respUUIDs) > 0 {
			uuids = append(uuids, "responsibilities "+strings.Join(respUUIDs, " "))
		}
		src := &remit.Source{Title: fmt.Sprintf("%s, export %s", orDefault(ssp.Metadata.Title, "system security plan"), strings.Join(uuids, "; ")),
			Version: ssp.Metadata.Version, Date: oscal.DateOf(ssp.Metadata.LastModified)}
		rows = append(rows, Row{Line: i + 1, Control: ir.ControlID, Class: class, Provider: strings.Join(provided, "\n"), Customer: strings.Join(resp, "\n"),
			ControlCol: "control-id", ClassCol: "export", Source: src})
	}
	if len(rows) == 0 {
		return nil, []Problem{{Message: "the SSP exports nothing: no by-component has an export with provided or responsibilities"}}
	}
	sts, problems := Statements(rows, cat, false)
	for i, p := range problems {
		problems[i] = Problem{Message: fmt.Sprintf("system-security-plan.control-implementation.implemented-requirements[%d]: %s", p.Row-1, p.Message)}
	}
	return sts, problems
}

// Assume gives the class a control would have under the offering's
// service-model default, for a component definition that states no
// responsibility at all.
type Assume func(remit.Control) remit.Class

// FromComponentDefinition reads a component definition written by any
// tool against catalogue cat: per implemented requirement of the component
// (the only one with control implementations, or the one m.Component
// names), the class from the property m.Class names (default
// "responsibility", in any namespace, our class names or their synonyms),
// what the provider does from its description and its statements', what
// the customer must do from its remarks. When no requirement carries the
// property at all, classes are assumed from the service-model default
// (assume; nil refuses) and counted. Every problem is named by its path.
func FromComponentDefinition(cd *oscal.ComponentDefinition, m Mapping, cat remit.Catalogue, assume Assume) (sts []remit.Statement, assumed int, problems []Problem) {
	prop := cmp.Or(m.Class, "responsibility")
	var titles []string
	pick := -1
	for i, c := range cd.Components {
		if len(c.ControlImplementations) == 0 {
			continue
		}
		titles = append(titles, c.Title)
		if m.Component == "" || strings.EqualFold(strings.TrimSpace(c.Title), m.Component) {
			if pick >= 0 && m.Component == "" {
				all := componentTitles(cd)
				return nil, 0, []Problem{{Message: fmt.Sprintf("the definition describes %d components with controls (%s): pick one with --map component=TITLE", len(all), strings.Join(all, "; "))}}
			}
			if pick < 0 {
				pick = i
			}
		}
	}
	switch {
	case len(titles) == 0:
		return nil, 0, []Problem{{Message: "the definition implements no controls: no component has control implementations"}}
	case pick < 0:
		return nil, 0, []Problem{{Message: fmt.Sprintf("no component is titled %q: the components with controls are %s", m.Component, strings.Join(titles, "; "))}}
	}
	comp := cd.Components[pick]
	type placed struct {
		row  Row
		path string
	}
	var rows []placed
	stated := false
	for ii, impl := range comp.ControlImplementations {
		for ri, ir := range impl.ImplementedRequirements {
			path := fmt.Sprintf("component-definition.components[%d].control-implementations[%d].implemented-requirements[%d]", pick, ii, ri)
			provider := strings.TrimSpace(ir.Description)
			for _, st := range ir.Statements {
				provider = joinText(provider, strings.TrimSpace(st.Description))
			}
			if oscal.PropAnyNS(ir.Props, "provider-part") == "none" {
				provider = ""
			}
			class := oscal.PropAnyNS(ir.Props, prop)
			stated = stated || class != ""
			rows = append(rows, placed{Row{Line: len(rows) + 1, Control: ir.ControlID, Class: class, Provider: provider, Customer: strings.TrimSpace(ir.Remarks),
				ControlCol: "control-id", ClassCol: "props." + prop}, path})
		}
	}
	if !stated {
		if assume == nil {
			return nil, 0, []Problem{{Message: fmt.Sprintf("no implemented requirement has a %q property: name the property that holds the responsibility with --map class=NAME, or give the offering's service model so the classes can be assumed from its default", prop)}}
		}
		byID := map[string]*remit.Control{}
		for i := range cat.Controls {
			byID[squash(cat.Controls[i].ID)] = &cat.Controls[i]
		}
		for i := range rows {
			if c, ok := byID[squash(rows[i].row.Control)]; ok {
				rows[i].row.Class = string(assume(*c))
				if rows[i].row.Customer == "" {
					// As the matrix words an assumed default: the control.
					rows[i].row.Customer = c.Statement
				}
				assumed++
			} else {
				rows[i].row.Class = string(remit.OrganisationSpecific) // the control's own problem is reported below
			}
		}
	}
	plain := make([]Row, len(rows))
	for i, r := range rows {
		plain[i] = r.row
	}
	sts, problems = Statements(plain, cat, false)
	for i, p := range problems {
		where := ""
		if p.Row > 0 {
			where = rows[p.Row-1].path + ": "
		}
		problems[i] = Problem{Message: where + p.Message}
	}
	if len(problems) > 0 {
		return nil, 0, problems
	}
	return sts, assumed, nil
}

func componentTitles(cd *oscal.ComponentDefinition) []string {
	var out []string
	for _, c := range cd.Components {
		if len(c.ControlImplementations) > 0 {
			out = append(out, c.Title)
		}
	}
	return out
}

// Read reads a matrix file of any format into statements for catalogue
// cat. A component definition is read as Remit writes them (naming their
// catalogues) when cat is empty, else as any tool writes them
// (FromComponentDefinition, whose count of assumed classes it returns).
// Problems come back as an *Error (cells and rows) or an *oscal.Error
// (the document).
func Read(format, file string, data []byte, m Mapping, cat remit.Catalogue, assume Assume) ([]remit.Statement, int, error) {
	var sts []remit.Statement
	var problems []Problem
	assumed := 0
	switch format {
	case "oscal-ssp":
		ssp, err := oscal.ReadSSP(file, data)
		if err != nil {
			return nil, 0, err
		}
		sts, problems = FromSSP(ssp, cat)
	case "component-definition":
		cd, err := oscal.ReadComponentDefinition(file, data)
		if err != nil {
			return nil, 0, err
		}
		if cat.ID == "" {
			sts, err := cd.Statements(file)
			return sts, 0, err
		}
		sts, assumed, problems = FromComponentDefinition(cd, m, cat, assume)
	case "csv":
		rows, ps := ReadCSV(data, m)
		if problems = ps; len(ps) == 0 {
			sts, problems = Statements(rows, cat, false)
		}
	case "xlsx", "caiq":
		if format == "caiq" {
			m = CAIQ
		}
		rows, ps := ReadXLSX(data, m)
		if problems = ps; len(ps) == 0 {
			sts, problems = Statements(rows, cat, format == "caiq")
		}
	default:
		return nil, 0, fmt.Errorf("format %q is not known: use %s", format, strings.Join(Formats, ", "))
	}
	if len(problems) > 0 {
		return nil, 0, &Error{File: file, Problems: problems}
	}
	return sts, assumed, nil
}

// NeedsMapping reports whether a format reads columns named by a mapping.
func NeedsMapping(format string) bool { return format == "csv" || format == "xlsx" }

// NeedsCatalogue reports whether a format's controls need a catalogue (a
// component definition Remit wrote names its own).
func NeedsCatalogue(format string) bool { return format != "component-definition" }

func orDefault(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return strings.Join(strings.Fields(a), " ")
}
