package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"remit/internal/engine"
)

// JSON writes v as indented JSON.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteMatrix writes a matrix document in the given format.
func WriteMatrix(w io.Writer, doc MatrixDoc, format string) error {
	switch format {
	case "json":
		return JSON(w, doc)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"control", "title", "area", "class", "assumed", "reason", "ours", "contributions"})
		for _, r := range doc.Rows {
			_ = cw.Write(neutralised([]string{r.Control, r.Title, string(r.Area), string(r.Class), strconv.FormatBool(r.Assumed), r.Reason, duties(r.Ours, "\n"), contributions(r.Contributions)}))
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		fmt.Fprintf(w, "# %s — %s\n\n", md(doc.System), md(doc.Name))
		fmt.Fprintln(w, "| Control | Title | Class | Assumed | What is still ours |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, r := range doc.Rows {
			// Each duty made safe, then joined by line breaks.
			parts := make([]string, len(r.Ours))
			for i, d := range r.Ours {
				parts[i] = md(duties([]Duty{d}, ""))
			}
			ours := strings.Join(parts, "<br>")
			if r.Reason != "" {
				ours = md("Not applicable: " + r.Reason)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", md(r.Control), md(r.Title), r.Class, basis(r), ours)
		}
		fmt.Fprintf(w, "\n%s\n", summaryLine(doc.Summary))
		return nil
	default:
		fmt.Fprintf(w, "%s — %s\n\n", Cell(doc.System), Cell(doc.Name))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CONTROL\tCLASS\tASSUMED\tOURS\tTITLE")
		for _, r := range doc.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", Cell(r.Control), r.Class, basis(r), len(r.Ours), Cell(r.Title))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%s\n", summaryLine(doc.Summary))
		return err
	}
}

// WriteObligations writes an obligation list in the given format.
func WriteObligations(w io.Writer, obs []ObligationDoc, format string) error {
	switch format {
	case "json":
		return JSON(w, obs)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"id", "system", "team", "control", "title", "party", "offering", "assumed", "text"})
		for _, o := range obs {
			_ = cw.Write(neutralised([]string{o.ID, o.System, o.Team, o.Control, o.Title, o.Party, o.Offering, strconv.FormatBool(o.Assumed), o.Text}))
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		fmt.Fprintln(w, "| System | Control | Party | Offering | Assumed | Obligation |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, o := range obs {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", md(o.System), md(o.Control), md(o.Party), md(orWhole(o.Offering)), yesNo(o.Assumed), md(o.Text))
		}
		fmt.Fprintf(w, "\n%d obligations.\n", len(obs))
		return nil
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SYSTEM\tCONTROL\tPARTY\tOFFERING\tASSUMED\tOBLIGATION")
		for _, o := range obs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", Cell(o.System), Cell(o.Control), Cell(o.Party), Cell(orWhole(o.Offering)), yesNo(o.Assumed), Cell(o.Text))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%d obligations.\n", len(obs))
		return err
	}
}

// WriteDiff writes a diff as text or JSON.
func WriteDiff(w io.Writer, diffs []engine.SystemDiff, format string) error {
	if format == "json" {
		if diffs == nil {
			diffs = []engine.SystemDiff{}
		}
		return JSON(w, diffs)
	}
	if len(diffs) == 0 {
		_, err := fmt.Fprintln(w, "No system's responsibilities changed.")
		return err
	}
	for _, d := range diffs {
		switch d.Change {
		case "added", "removed":
			fmt.Fprintf(w, "%s (%s): system %s\n", d.System, d.Name, d.Change)
			continue
		}
		fmt.Fprintf(w, "%s (%s): %d controls changed\n", d.System, d.Name, len(d.Cells))
		for _, c := range d.Cells {
			fmt.Fprintf(w, "  %s %s: %s\n", c.Control, c.Title, classChange(c))
			for _, o := range c.OursRemoved {
				fmt.Fprintf(w, "    - ours: %s%s\n", obligationText(o), assumedMark(o.Assumed))
			}
			for _, o := range c.OursAdded {
				fmt.Fprintf(w, "    + ours: %s%s\n", obligationText(o), assumedMark(o.Assumed))
			}
			for _, o := range c.TheirsRemoved {
				fmt.Fprintf(w, "    - provider: %s%s\n", obligationText(o), assumedMark(o.Assumed))
			}
			for _, o := range c.TheirsAdded {
				fmt.Fprintf(w, "    + provider: %s%s\n", obligationText(o), assumedMark(o.Assumed))
			}
		}
	}
	return nil
}

func classChange(c engine.CellChange) string {
	label := func(class string, assumed bool) string {
		switch {
		case class == "":
			return "(not in baseline)"
		case assumed:
			return class + " (assumed)"
		}
		return class
	}
	before, after := label(string(c.OldClass), c.OldAssumed), label(string(c.NewClass), c.NewAssumed)
	if before == after {
		return after + ", obligations changed"
	}
	return before + " → " + after
}

func obligationText(o engine.DiffObligation) string {
	if o.Offering == "" {
		return "(whole control) " + o.Text
	}
	return o.Offering + ": " + o.Text
}

func assumedMark(b bool) string {
	if b {
		return " (assumed)"
	}
	return ""
}

// WriteGraph writes the supplier graph: a concentration table, JSON, or
// Graphviz dot of systems, offerings and their dependencies.
func WriteGraph(w io.Writer, e *engine.Estate, format string) error {
	rel := e.Concentration()
	switch format {
	case "json":
		return JSON(w, rel)
	case "dot":
		fmt.Fprintln(w, "digraph suppliers {")
		fmt.Fprintln(w, "  rankdir=LR;")
		fmt.Fprintln(w, "  node [shape=box];")
		for i := range int32(e.NumSystems()) {
			s := e.System(i)
			fmt.Fprintf(w, "  %q [label=%q, shape=ellipse];\n", "system:"+s.System.ID, s.System.Name)
			for _, oi := range s.Uses {
				fmt.Fprintf(w, "  %q -> %q;\n", "system:"+s.System.ID, e.Offering(oi).Ref)
			}
		}
		for i := range int32(e.NumOfferings()) {
			o := e.Offering(i)
			fmt.Fprintf(w, "  %q [label=%q];\n", o.Ref, o.Provider.Name+"\n"+o.Offering.Name)
			for _, dep := range o.Offering.DependsOn {
				fmt.Fprintf(w, "  %q -> %q [style=dashed, label=\"runs on\"];\n", o.Ref, dep)
			}
		}
		_, err := fmt.Fprintln(w, "}")
		return err
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROVIDER\tDIRECT\tTHROUGH FOURTH PARTIES\tTOTAL\tSHARE\tOFFERINGS USED")
		for _, r := range rel {
			share := 0.0
			if r.Systems > 0 {
				share = 100 * float64(r.Total) / float64(r.Systems)
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f%%\t%s\n", Cell(r.Provider), r.Direct, r.Indirect, r.Total, share, Cell(strings.Join(r.Offerings, ", ")))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%d systems in the estate.\n", e.NumSystems())
		return err
	}
}

func summaryLine(s engine.Summary) string {
	line := fmt.Sprintf("%d controls: %d inherited, %d shared, %d organisation-specific, %d not-applicable; %d rest on assumed defaults",
		s.Total(), s.Inherited, s.Shared, s.OrganisationSpecific, s.NotApplicable, s.Assumed)
	if s.Mapped > 0 {
		line += fmt.Sprintf(", %d on mappings from other catalogues", s.Mapped)
	}
	return line + "."
}

// basis says in the ASSUMED column whether a row rests on an assumed
// default (yes), on a mapping from another catalogue's control (mapped),
// or on statements for the control itself (no).
func basis(r Row) string {
	if r.Mapped {
		return "mapped"
	}
	return yesNo(r.Assumed)
}

func duties(ds []Duty, sep string) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = orWhole(d.Offering) + ": " + d.Text
		if d.Assumed {
			parts[i] += " (assumed)"
		}
	}
	return strings.Join(parts, sep)
}

func contributions(ks []Contribution) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k.Offering + "=" + string(k.Class)
		if k.Assumed {
			parts[i] += " (assumed)"
		}
	}
	return strings.Join(parts, "; ")
}

func orWhole(offering string) string {
	if offering == "" {
		return "(whole control)"
	}
	return offering
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// md escapes text for a Markdown table cell.
