package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"

	"remit/internal/engine"
)

// EachObligation yields the obligations of the given systems (every
// system when nil), one at a time, in the order Obligations lists them:
// nothing is collected, so a whole estate's obligations cost what one
// cell's do.
func EachObligation(e *engine.Estate, systems []int32, party Party) iter.Seq[ObligationDoc] {
	return func(yield func(ObligationDoc) bool) {
		n := int32(len(systems))
		if systems == nil {
			n = int32(e.NumSystems())
		}
		for k := range n {
			si := k
			if systems != nil {
				si = systems[k]
			}
			m := e.Matrix(si)
			s := e.System(si).System
			for i := range m.Cells {
				c := &m.Cells[i]
				obs := e.Ours(&m, c)
				if party == PartyProviders {
					obs = e.Theirs(&m, c)
				}
				for _, o := range obs {
					ctl := e.Controls[o.Control]
					d := ObligationDoc{ID: e.Key(o), System: s.ID, Team: s.Team, Control: ctl.Ref, Title: ctl.Control.Title, Party: "ours", Text: o.Text, Assumed: o.Assumed, Mapped: o.Mapped}
					if !o.Whole() {
						d.Offering = e.Offering(o.Offering).Ref
					}
					if !o.Ours {
						d.Party = e.Offering(o.Offering).Provider.ID
					}
					if !yield(d) {
						return
					}
				}
			}
		}
	}
}

// StreamObligations writes obligations as they come, in the given format,
// in bounded memory: the same bytes WriteObligations writes for the same
// list. The aligned table needs its columns' widths before its first row,
// so for it obs is walked twice (it must yield the same each time).
func StreamObligations(w io.Writer, obs iter.Seq[ObligationDoc], format string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	switch format {
	case "json":
		var buf []byte
		for o := range obs {
			if n == 0 {
				buf = append(buf[:0], "[\n  "...)
			} else {
				buf = append(buf[:0], ",\n  "...)
			}
			buf = appendObligationJSON(buf, o)
			bw.Write(buf)
			n++
		}
		if n == 0 {
			bw.WriteString("[]\n")
		} else {
			bw.WriteString("\n]\n")
		}
	case "csv":
		cw := csv.NewWriter(bw)
		_ = cw.Write([]string{"id", "system", "team", "control", "title", "party", "offering", "assumed", "text"})
		for o := range obs {
			_ = cw.Write(neutralised([]string{o.ID, o.System, o.Team, o.Control, o.Title, o.Party, o.Offering, strconv.FormatBool(o.Assumed), o.Text}))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	case "markdown":
		fmt.Fprintln(bw, "| System | Control | Party | Offering | Assumed | Obligation |")
		fmt.Fprintln(bw, "|---|---|---|---|---|---|")
		for o := range obs {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", md(o.System), md(o.Control), md(o.Party), md(orWhole(o.Offering)), yesNo(o.Assumed), md(o.Text))
			n++
		}
		fmt.Fprintf(bw, "\n%d obligations.\n", n)
	default:
		// As text/tabwriter aligns them (padding 2, the last column
		// unpadded), without holding the rows: widths first, then rows.
		header := [6]string{"SYSTEM", "CONTROL", "PARTY", "OFFERING", "ASSUMED", "OBLIGATION"}
		cells := func(o ObligationDoc) [6]string {
			return [6]string{Cell(o.System), Cell(o.Control), Cell(o.Party), Cell(orWhole(o.Offering)), yesNo(o.Assumed), Cell(o.Text)}
		}
		var widths [5]int
		measure := func(row [6]string) {
			for i := range widths {
				widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
			}
		}
		measure(header)
		for o := range obs {
			measure(cells(o))
		}
		line := func(row [6]string) {
			for i, w := range widths {
				bw.WriteString(row[i])
				bw.WriteString(strings.Repeat(" ", w-utf8.RuneCountInString(row[i])+2))
			}
			bw.WriteString(row[5])
			bw.WriteByte('\n')
		}
		line(header)
		for o := range obs {
			line(cells(o))
			n++
		}
		fmt.Fprintf(bw, "\n%d obligations.\n", n)
	}
	return bw.Flush()
}
