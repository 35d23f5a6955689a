package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/engine"
	"remit/internal/report"
)

// CoverageDoc is remit coverage's JSON: how much of the baseline the
// providers' statements settle, per offering and per cell.
type CoverageDoc struct {
	System    string          `json:"system,omitempty"`
	Systems   int             `json:"systems"`
	Offerings []OfferingCover `json:"offerings"`
	Cells     CellCover       `json:"cells"`
}

// OfferingCover counts one offering's contributions by what they rest on.
type OfferingCover struct {
	Offering  string `json:"offering"`
	Provider  string `json:"provider"`
	Confirmed int    `json:"confirmed"`
	Mapped    int    `json:"mapped"`
	Assumed   int    `json:"assumed"`
}

// CellCover counts cells: confirmed (every contribution stated for the
// control), mapped (some through a mapping, none assumed), assumed.
type CellCover struct {
	Confirmed int `json:"confirmed"`
	Mapped    int `json:"mapped"`
	Assumed   int `json:"assumed"`
}

func (e *env) coverageCommand() *cobra.Command {
	var systemID, formatName string
	cmd := &cobra.Command{
		Use:   "coverage DIR [--system ID] [--format table|json]",
		Short: "How much of the baseline the providers' statements settle: confirmed, mapped or assumed, per offering",
		Long: `Count, for a system or the whole estate, what each offering's contributions to
the baseline controls rest on: a statement for the control itself (confirmed),
statements for other catalogues' controls mapped to it (mapped, doc/engine.md),
or the assumed service-model default — so an architect sees what an imported
provider model actually settles.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, []string{"table", "json"}); err != nil {
				return err
			}
			est, err := load(a[0])
			if err != nil {
				return err
			}
			doc := CoverageDoc{System: systemID}
			var cov []engine.Coverage
			add := func(si int32) {
				m := est.Matrix(si)
				cov = est.AddCoverage(cov, &m)
				doc.Systems++
				s := m.Summary
				doc.Cells.Assumed += s.Assumed
				doc.Cells.Mapped += s.Mapped
				doc.Cells.Confirmed += s.Total() - s.NotApplicable - s.Assumed - s.Mapped
			}
			if systemID != "" {
				si, err := system(est, systemID)
				if err != nil {
					return err
				}
				add(si)
			} else {
				for si := range int32(est.NumSystems()) {
					add(si)
				}
			}
			doc.Offerings = []OfferingCover{}
			for _, c := range cov {
				o := est.Offering(c.Offering)
				doc.Offerings = append(doc.Offerings, OfferingCover{Offering: o.Ref, Provider: o.Provider.Name, Confirmed: c.Confirmed, Mapped: c.Mapped, Assumed: c.Assumed})
			}
			if formatName == "json" {
				return report.JSON(e.stdout, doc)
			}
			return writeCoverage(e.stdout, doc)
		},
	}
	cmd.Flags().StringVar(&systemID, "system", "", "only this system (default: the whole estate)")
	cmd.Flags().StringVar(&formatName, "format", "table", "output format: table or json")
	return cmd
}

func writeCoverage(w io.Writer, doc CoverageDoc) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFERING\tPROVIDER\tCONFIRMED\tMAPPED\tASSUMED\tSETTLED")
	for _, o := range doc.Offerings {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", report.Cell(o.Offering), report.Cell(o.Provider), o.Confirmed, o.Mapped, o.Assumed, percent(o.Confirmed+o.Mapped, o.Confirmed+o.Mapped+o.Assumed))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := doc.Cells
	systems := "1 system"
	if doc.Systems != 1 {
		systems = fmt.Sprintf("%d systems", doc.Systems)
	}
	_, err := fmt.Fprintf(w, "\n%s: %d cells confirmed, %d mapped, %d resting on assumed defaults.\n", systems, c.Confirmed, c.Mapped, c.Assumed)
	return err
}

func percent(n, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", n*100/total)
}
