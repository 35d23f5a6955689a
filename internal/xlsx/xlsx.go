// Package xlsx opens workbooks people upload — providers' matrices,
// Standards Assurance Tables — in bounded memory and time, whatever the
// file holds. A workbook is a zip of XML parts, and a zip can inflate a
// thousandfold: a 1 MB upload can claim gigabytes. So before anything is
// inflated, Open reads the zip's directory and refuses a workbook whose
// parts, alone or together, would inflate past the limits; while
// inflating, Go's zip reader stops any part that inflates past the size
// its directory declared (a lying bomb), and Rows stops at a row and
// column cap. Every refusal is a *LimitError naming the limit.
package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The limits. A provider's published matrix (the CSA CAIQ, a few hundred
// rows) inflates to a few megabytes; a Standards Assurance Table to less.
const (
	// MaxParts is how many parts (files in the zip) a workbook may hold.
	MaxParts = 1000
	// MaxPart is how far one worksheet may inflate (it is read as a
	// stream).
	MaxPart = 32 << 20
	// MaxOtherPart is how far any other part may inflate: the shared
	// strings, styles and the rest are parsed whole, at several times
	// their size.
	MaxOtherPart = 8 << 20
	// MaxInflated is how far all the parts together may inflate.
	MaxInflated = 64 << 20
	// MaxRows is how many rows a sheet read may have, counting empty
	// rows up to the last.
	MaxRows = 20_000
	// MaxColumns is how many columns a row may have.
	MaxColumns = 256
)

// LimitError is a workbook refused for being over a limit.
type LimitError struct {
	What  string // "inflated size", "rows of sheet X", …
	Got   uint64
	Limit uint64
	Unit  string // "bytes", "rows", …
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the workbook's %s is %d %s, over the limit of %d: split it, or remove what it does not need", e.What, e.Got, e.Unit, e.Limit)
}

// ErrNotWorkbook is a file that is not an XLSX workbook at all.
var ErrNotWorkbook = errors.New("not an XLSX workbook (an .xlsx file is a zip of XML parts): save it from the spreadsheet as .xlsx")

// Open checks data's zip directory against the limits and opens it. Every
// part is then held in memory (none spills to temporary files), so what
// Open accepts costs at most MaxInflated bytes of XML.
func Open(data []byte) (*excelize.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, ErrNotWorkbook
	}
	if n := len(zr.File); n > MaxParts {
		return nil, &LimitError{What: "number of parts", Got: uint64(n), Limit: MaxParts, Unit: "parts"}
	}
	var total uint64
	for _, f := range zr.File {
		limit := uint64(MaxOtherPart)
		if strings.HasPrefix(strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/")), "xl/worksheets/sheet") {
			limit = MaxPart
		}
		if f.UncompressedSize64 > limit {
			return nil, &LimitError{What: fmt.Sprintf("part %s inflated", f.Name), Got: f.UncompressedSize64, Limit: limit, Unit: "bytes"}
		}
		total += f.UncompressedSize64
		if total > MaxInflated {
			return nil, &LimitError{What: "inflated size", Got: total, Limit: MaxInflated, Unit: "bytes"}
		}
	}
	// Inflate every part once, into nothing, before excelize reads them:
	// Go's zip reader stops a part at the size it declared and checks its
	// checksum, where excelize would quietly read a truncated part.
	for _, f := range zr.File {
		if err := check(f); err != nil {
			return nil, fmt.Errorf("the workbook is damaged: part %s: %v: save it again as .xlsx", f.Name, err)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxInflated, UnzipXMLSizeLimit: MaxPart})
	if err != nil {
		return nil, fmt.Errorf("the workbook cannot be read (%v): save it again as .xlsx", err)
	}
	return f, nil
}

// check inflates one part and discards it, reporting a part that inflates
// past its declared size or fails its checksum.
func check(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// Rows reads a sheet's rows as text, as excelize's GetRows does (trailing
// empty rows dropped), refusing a sheet over MaxRows rows or a row over
// MaxColumns columns as soon as it meets one.
func Rows(f *excelize.File, sheet string) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]string
	last := 0
	for it.Next() {
		if len(rows) == MaxRows {
			return nil, &LimitError{What: fmt.Sprintf("sheet %q", sheet), Got: MaxRows + 1, Limit: MaxRows, Unit: "rows or more"}
		}
		cols, err := it.Columns()
		if err != nil {
			return nil, err
		}
		if len(cols) > MaxColumns {
			return nil, &LimitError{What: fmt.Sprintf("row %d of sheet %q", len(rows)+1, sheet), Got: uint64(len(cols)), Limit: MaxColumns, Unit: "columns"}
		}
		rows = append(rows, cols)
		if len(cols) > 0 {
			last = len(rows)
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	return rows[:last], nil
}
