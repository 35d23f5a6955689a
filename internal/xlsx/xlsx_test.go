package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// part is one file of a hand-made workbook: its content made by write
// (streamed, so a test can make gigabytes without holding them), and the
// size its directory entry declares (0: the true size).
type part struct {
	name     string
	write    func(w io.Writer)
	declared uint64
}

// text is a part's content from a string.
func text(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }

// zeros is n zero bytes: they deflate a thousandfold.
func zeros(n int) func(io.Writer) {
	return func(w io.Writer) {
		buf := make([]byte, 1<<20)
		for n > 0 {
			k := min(n, len(buf))
			w.Write(buf[:k])
			n -= k
		}
	}
}

// countingCRC counts and checksums what passes through.
type countingCRC struct {
	n   uint64
	crc uint32
}

func (c *countingCRC) Write(p []byte) (int, error) {
	c.n += uint64(len(p))
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p)
	return len(p), nil
}

// workbook writes a zip of parts, deflated, each entry declaring the size
// the part says (which may lie).
func workbook(t testing.TB, parts ...part) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range parts {
		var body bytes.Buffer
		fw, _ := flate.NewWriter(&body, flate.BestSpeed)
		var c countingCRC
		p.write(io.MultiWriter(fw, &c))
		fw.Close()
		size := c.n
		if p.declared != 0 {
			size = p.declared
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: c.crc, CompressedSize64: uint64(body.Len()), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The parts every workbook needs, and a sheet.
const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	rels         = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	book         = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	bookRels     = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
)

// withSheet is a workbook of one sheet whose XML sheet writes.
func withSheet(t testing.TB, sheet part) []byte {
	sheet.name = "xl/worksheets/sheet1.xml"
	return workbook(t,
		part{name: "[Content_Types].xml", write: text(contentTypes)},
		part{name: "_rels/.rels", write: text(rels)},
		part{name: "xl/workbook.xml", write: text(book)},
		part{name: "xl/_rels/workbook.xml.rels", write: text(bookRels)},
		sheet)
}

// withShared is a workbook whose one sheet uses n shared strings, each
// once, 20 to a row.
func withShared(t testing.TB, n int) []byte {
	sst := func(w io.Writer) {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
		for i := range n {
			fmt.Fprintf(w, `<si><t>string number %010d here</t></si>`, i)
		}
		io.WriteString(w, `</sst>`)
	}
	sheet := sheetOf(func(w io.Writer) {
		for i := range n {
			r, c := i/20+1, i%20+1
			if c == 1 {
				fmt.Fprintf(w, `<row r="%d">`, r)
			}
			name, _ := excelize.CoordinatesToCellName(c, r)
			fmt.Fprintf(w, `<c r="%s" t="s"><v>%d</v></c>`, name, i)
			if c == 20 || i == n-1 {
				io.WriteString(w, `</row>`)
			}
		}
	})
	sharedRels := strings.Replace(bookRels, `</Relationships>`, `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, 1)
	return workbook(t,
		part{name: "[Content_Types].xml", write: text(contentTypes)},
		part{name: "_rels/.rels", write: text(rels)},
		part{name: "xl/workbook.xml", write: text(book)},
		part{name: "xl/_rels/workbook.xml.rels", write: text(sharedRels)},
		part{name: "xl/sharedStrings.xml", write: sst},
		part{name: "xl/worksheets/sheet1.xml", write: sheet})
}

// withStyles is a workbook whose styles part holds n number formats.
func withStyles(t testing.TB, n int) []byte {
	styles := func(w io.Writer) {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="%d">`, n)
		for i := range n {
			fmt.Fprintf(w, `<numFmt numFmtId="%d" formatCode="0.00%%;[Red]-0.00"/>`, 200+i)
		}
		io.WriteString(w, `</numFmts><cellXfs count="1"><xf numFmtId="200"/></cellXfs></styleSheet>`)
	}
	styleRels := strings.Replace(bookRels, `</Relationships>`, `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1)
	return workbook(t,
		part{name: "[Content_Types].xml", write: text(contentTypes)},
		part{name: "_rels/.rels", write: text(rels)},
		part{name: "xl/workbook.xml", write: text(book)},
		part{name: "xl/_rels/workbook.xml.rels", write: text(styleRels)},
		part{name: "xl/styles.xml", write: styles},
		part{name: "xl/worksheets/sheet1.xml", write: sheetOf(text(`<row r="1"><c r="A1" s="0"><v>1.5</v></c></row>`))})
}

// sheetOf is a sheet's XML around rows written by body.
func sheetOf(body func(w io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		body(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}

// cells writes rows × cols inline-string cells.
func cells(rows, cols int, value string) func(io.Writer) {
	return func(w io.Writer) {
		for r := 1; r <= rows; r++ {
			fmt.Fprintf(w, `<row r="%d">`, r)
			for c := 1; c <= cols; c++ {
				name, _ := excelize.CoordinatesToCellName(c, r)
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, name, value)
			}
			io.WriteString(w, `</row>`)
		}
	}
}

// read opens data and reads its first sheet, as the importers do.
func read(data []byte) ([][]string, error) {
	f, err := Open(data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Rows(f, f.GetSheetList()[0])
}

func TestReadsAnOrdinaryWorkbook(t *testing.T) {
	rows, err := read(withSheet(t, part{write: sheetOf(cells(3, 2, "x"))}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[2]) != 2 || rows[2][1] != "x" {
		t.Errorf("rows: %q", rows)
	}
	// And one excelize wrote, as a user's spreadsheet program would.
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "B4", "hello")
	var buf bytes.Buffer
	f.WriteTo(&buf)
	rows, err = read(buf.Bytes())
	if err != nil || len(rows) != 4 || rows[3][1] != "hello" {
		t.Errorf("excelize's own workbook: %q %v", rows, err)
	}
}

// TestRefusesBombs feeds each kind of hostile workbook: each is refused
// with an error naming the limit, before (or while) inflating, so none
// costs more than the limits.
func TestRefusesBombs(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{"a part declaring a gigabyte", func(t *testing.T) []byte {
			return withSheet(t, part{write: sheetOf(cells(1, 1, "x")), declared: 1 << 30})
		}, "part xl/worksheets/sheet1.xml inflated is 1073741824 bytes, over the limit of 33554432"},
		{"100 MiB of zeros, declared honestly", func(t *testing.T) []byte {
			return withSheet(t, part{write: zeros(100 << 20)})
		}, "over the limit of 33554432"},
		{"parts together over the limit", func(t *testing.T) []byte {
			var ps []part
			for i := range 3 {
				ps = append(ps, part{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i), write: zeros(30 << 20)})
			}
			return workbook(t, ps...)
		}, "the workbook's inflated size is 94371840 bytes, over the limit of 67108864"},
		{"too many parts", func(t *testing.T) []byte {
			var ps []part
			for i := range MaxParts + 1 {
				ps = append(ps, part{name: fmt.Sprintf("p%d", i), write: text("")})
			}
			return workbook(t, ps...)
		}, "number of parts is 1001 parts, over the limit of 1000"},
		{"a part inflating past what it declares", func(t *testing.T) []byte {
			return withSheet(t, part{write: sheetOf(func(w io.Writer) { zeros(48 << 20)(w) }), declared: 4096})
		}, "damaged"},
		{"a shared-string table over its limit", func(t *testing.T) []byte {
			return withShared(t, 200_000)
		}, "part xl/sharedStrings.xml inflated is 9000151 bytes, over the limit of 8388608"},
		{"a row a million rows down", func(t *testing.T) []byte {
			return withSheet(t, part{write: sheetOf(text(`<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>`))})
		}, `the workbook's sheet "Sheet1" is 20001 rows or more, over the limit of 20000`},
		{"a cell sixteen thousand columns across", func(t *testing.T) []byte {
			return withSheet(t, part{write: sheetOf(text(`<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>`))})
		}, `row 1 of sheet "Sheet1" is 16384 columns, over the limit of 256`},
		{"not a zip", func(*testing.T) []byte { return []byte("PK\x03\x04 not really") }, "not an XLSX workbook"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(c.data(t))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
			var le *LimitError
			if strings.Contains(c.want, "limit") && !errors.As(err, &le) {
				t.Errorf("error %T, want a *LimitError", err)
			}
		})
	}
}

// TestMemoryIsBounded reads the costliest workbooks the limits accept,
// and the bombs they refuse, each in a child process, and checks the
// child's peak resident memory stays under 300 MB. The race detector
// shadows every allocation (and is slow at making these workbooks), so
// this runs without it: make test runs it again after the race suite.
func TestMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds workbooks of tens of megabytes")
	}
	if raceEnabled {
		t.Skip("memory is measured without the race detector: make test runs go test -run TestMemoryIsBounded ./internal/xlsx")
	}
	const limit = 300 << 20
	dir := t.TempDir()
	files := map[string][]byte{
		// A sheet just under MaxPart of short cells: the most cells.
		"most cells": withSheet(t, part{write: sheetOf(cells(MaxRows-1, 34, "x"))}),
		// A shared-string table just under MaxSharedStrings, every string
		// used.
		"shared strings": withShared(t, 180_000),
		// Long cells, under MaxPart.
		"long cells": withSheet(t, part{write: sheetOf(cells(1000, 10, strings.Repeat("y", 3000)))}),
		// Styles just under MaxOtherPart.
		"styles":      withStyles(t, 110_000),
		"honest bomb": withSheet(t, part{write: zeros(100 << 20)}),
		"lying bomb":  withSheet(t, part{write: sheetOf(func(w io.Writer) { zeros(100 << 20)(w) }), declared: 4096}),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			path := dir + "/" + strings.ReplaceAll(name, " ", "-") + ".xlsx"
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "REMIT_XLSX_CHILD="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var peak uint64
			var result string
			for line := range strings.Lines(string(out)) {
				if v, ok := strings.CutPrefix(line, "peak "); ok {
					peak, _ = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				}
				if v, ok := strings.CutPrefix(line, "result "); ok {
					result = strings.TrimSpace(v)
				}
			}
			t.Logf("%d KB of workbook: %s; peak resident memory %d MB", len(data)/1024, result, peak>>20)
			if peak == 0 || peak > limit {
				t.Errorf("peak resident memory %d MB, limit %d MB", peak>>20, limit>>20)
			}
		})
	}
}

// TestMain plays the child of TestMemoryIsBounded: read one workbook and
// report the process's peak resident memory.
func TestMain(m *testing.M) {
	if path := os.Getenv("REMIT_XLSX_CHILD"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		rows, err := read(data)
		if err != nil {
			fmt.Println("result refused:", err)
		} else {
			fmt.Println("result read", len(rows), "rows")
		}
		fmt.Println("peak", peakRSS())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// peakRSS is the process's peak resident set, in bytes (Linux).
func peakRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// FuzzRead: any bytes are read within the limits or refused, never a
// panic, never a row past MaxRows or a column past MaxColumns.
func FuzzRead(f *testing.F) {
	f.Add(withSheet(f, part{write: sheetOf(cells(3, 2, "x"))}))
	f.Add(withShared(f, 30))
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := read(data)
		if err != nil {
			return
		}
		if len(rows) > MaxRows {
			t.Fatalf("%d rows", len(rows))
		}
		for _, r := range rows {
			if len(r) > MaxColumns {
				t.Fatalf("a row of %d columns", len(r))
			}
		}
	})
}
