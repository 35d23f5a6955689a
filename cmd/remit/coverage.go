package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/engine"
	"remit/internal/report"
)

func (e *env) coverageCommand() *cobra.Command {
	var systemID, providerID, formatName string
	cmd := &cobra.Command{
		Use:   "coverage DIR [--system ID | --provider ID] [--format table|json]",
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
			var systems []int32
			var keep func(int32) bool
			switch {
			case systemID != "":
				si, err := system(est, systemID)
				if err != nil {
					return err
				}
				systems = []int32{si}
			case providerID != "":
				if _, ok := est.Provider(providerID); !ok {
					ids := make([]string, 0, len(est.Providers()))
					for _, p := range est.Providers() {
						ids = append(ids, p.ID)
					}
					return usagef("--provider %q is not a provider%s", providerID, didYouMean(providerID, ids))
				}
				users := map[int32]bool{}
				for oi, o := range est.Offerings() {
					if o.Provider.ID == providerID {
						for _, si := range est.Users(oi) {
							users[si] = true
						}
					}
				}
				systems = slices.Sorted(maps.Keys(users))
				keep = func(oi int32) bool { return est.Offering(oi).Provider.ID == providerID }
			default:
				for si := range int32(est.NumSystems()) {
					systems = append(systems, si)
				}
			}
			matrices := make(map[int32]*engine.Matrix, len(systems))
			matrix := func(si int32) *engine.Matrix {
				if m, ok := matrices[si]; ok {
					return m
				}
				m := est.Matrix(si)
				matrices[si] = &m
				return &m
			}
			doc := report.Coverage(est, matrix, systems, keep)
			doc.System, doc.Provider = systemID, providerID
			if formatName == "json" {
				return report.JSON(e.stdout, doc)
			}
			return writeCoverage(e.stdout, doc)
		},
	}
	cmd.Flags().StringVar(&systemID, "system", "", "only this system (default: the whole estate)")
	cmd.Flags().StringVar(&providerID, "provider", "", "only this provider's offerings, over the systems that use them")
	cmd.MarkFlagsMutuallyExclusive("system", "provider")
	cmd.Flags().StringVar(&formatName, "format", "table", "output format: table or json")
	return cmd
}

func writeCoverage(w io.Writer, doc report.CoverageDoc) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFERING\tPROVIDER\tCONFIRMED\tMAPPED\tASSUMED\tSETTLED")
	for _, o := range doc.Offerings {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", report.Cell(o.Ref), report.Cell(o.Provider), o.Confirmed, o.Mapped, o.Assumed, percent(o.Settled(), o.Total()))
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
