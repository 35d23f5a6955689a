package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
)

func (e *env) matrixCommand() *cobra.Command {
	var systemID, formatName, class string
	cmd := &cobra.Command{
		Use:   "matrix DIR --system ID",
		Short: "Print a system's effective responsibility matrix",
		Long: `Print a system's effective responsibility matrix: for each control in its
baseline, the class, whether it rests on an assumed default, and how much of
it is still ours. --format json prints the documented JSON contract.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, report.Formats); err != nil {
				return err
			}
			c := remit.Class(class)
			if c != "" && !c.Valid() {
				return usagef("--class %q is not a class: use one of inherited, shared, organisation-specific, not-applicable", class)
			}
			est, err := load(a[0])
			if err != nil {
				return err
			}
			si, err := system(est, systemID)
			if err != nil {
				return err
			}
			m := est.Matrix(si)
			return report.WriteMatrix(e.stdout, report.Matrix(est, &m, c), formatName)
		},
	}
	cmd.Flags().StringVar(&systemID, "system", "", "system id (required)")
	cmd.Flags().StringVar(&formatName, "format", "table", "output format: table, csv, json or markdown")
	cmd.Flags().StringVar(&class, "class", "", "only rows of this class")
	return cmd
}

func (e *env) obligationsCommand() *cobra.Command {
	var systemID, formatName, party string
	cmd := &cobra.Command{
		Use:   "obligations DIR",
		Short: "List what is still ours (or the providers' obligations) across the estate",
		Long: `List obligations: by default every one of ours across the estate — each
customer part of a shared or organisation-specific control, and every whole
control that no offering covers. --party providers lists what each provider
must do instead. --system narrows to one system.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, report.Formats); err != nil {
				return err
			}
			p := report.Party(party)
			if p != report.PartyOurs && p != report.PartyProviders {
				return usagef("--party %q is not known: use ours or providers", party)
			}
			est, err := load(a[0])
			if err != nil {
				return err
			}
			var systems []int32
			if systemID != "" {
				si, err := system(est, systemID)
				if err != nil {
					return err
				}
				systems = []int32{si}
			}
			// Streamed: a whole estate's obligations are written as they
			// are found, never held.
			return report.StreamObligations(e.stdout, report.EachObligation(est, systems, p), formatName)
		},
	}
	cmd.Flags().StringVar(&systemID, "system", "", "only this system")
	cmd.Flags().StringVar(&party, "party", "ours", "whose obligations: ours or providers")
	cmd.Flags().StringVar(&formatName, "format", "table", "output format: table, csv, json or markdown")
	return cmd
}

func (e *env) explainCommand() *cobra.Command {
	var systemID, control, formatName string
	cmd := &cobra.Command{
		Use:   "explain DIR --system ID --control CATALOGUE:CONTROL",
		Short: "Explain, in sentences, how one cell of a system's matrix came to be",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, []string{"text", "json"}); err != nil {
				return err
			}
			if control == "" {
				return usagef("--control is required: write catalogue:control, such as srm:SRM-01")
			}
			est, err := load(a[0])
			if err != nil {
				return err
			}
			si, err := system(est, systemID)
			if err != nil {
				return err
			}
			m := est.Matrix(si)
			for i := range m.Cells {
				c := &m.Cells[i]
				if est.Controls[c.Control].Ref != control {
					continue
				}
				if formatName == "json" {
					return report.JSON(e.stdout, report.RowOf(est, &m, c))
				}
				_, err := fmt.Fprintln(e.stdout, strings.Join(report.Explain(est, &m, c), "\n"))
				return err
			}
			refs := make([]string, len(m.Cells))
			for i, c := range m.Cells {
				refs[i] = est.Controls[c.Control].Ref
			}
			hint := ""
			if c := remit.Closest(control, refs); c != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", c)
			}
			return usagef("control %q is not in the baseline of system %q%s", control, systemID, hint)
		},
	}
	cmd.Flags().StringVar(&systemID, "system", "", "system id (required)")
	cmd.Flags().StringVar(&control, "control", "", "control reference catalogue:control (required)")
	cmd.Flags().StringVar(&formatName, "format", "text", "output format: text or json")
	return cmd
}
