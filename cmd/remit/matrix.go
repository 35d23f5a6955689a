package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
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
	var systemID, formatName, party, database, assurance string
	cmd := &cobra.Command{
		Use:   "obligations [DIR] [--assurance STATUS --database DB]",
		Short: "List what is still ours (or the providers' obligations) across the estate",
		Long: `List obligations: by default every one of ours across the estate — each
customer part of a shared or organisation-specific control, and every whole
control that no offering covers. --party providers lists what each provider
must do instead. --system narrows to one system.

With a workspace folder (DIR) the obligations are read from its files. Without
one they are read from the database, each with its assurance today and what it
rests on (automated checks, documents or people); --assurance keeps those with
that assurance (assured, stale, unassured, failed, not-applicable) and exits 1
when any are listed, so a pipeline can stop on failing or stale obligations:

  remit obligations --assurance failed --system prison-visits`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, report.Formats); err != nil {
				return err
			}
			p := report.Party(party)
			if p != report.PartyOurs && p != report.PartyProviders {
				return usagef("--party %q is not known: use ours or providers", party)
			}
			if assurance != "" && !slices.Contains(remit.AssuranceStatuses, remit.AssuranceStatus(assurance)) {
				return usagef("--assurance %q is not known: use %s", assurance, joinStatuses(remit.AssuranceStatuses))
			}
			if len(a) == 0 {
				return e.withService(cmd, database, false, func(svc *service.Service) error {
					return obligationsFromDatabase(e.stdout, svc, systemID, p, remit.AssuranceStatus(assurance), formatName)
				})
			}
			if assurance != "" {
				return usagef("--assurance reads the database: leave out the workspace folder")
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
	cmd.Flags().StringVar(&assurance, "assurance", "", "without DIR: only obligations with this assurance (exit 1 when any)")
	e.databaseFlag(cmd, &database)
	return cmd
}

// obligationsFromDatabase lists the stored estate's obligations with their
// assurance today; with want, only those with that assurance, and a
// foundError when any are.
func obligationsFromDatabase(w io.Writer, svc *service.Service, systemID string, party report.Party, want remit.AssuranceStatus, formatName string) error {
	sn := svc.Snapshot()
	if systemID != "" {
		if _, _, ok := sn.System(systemID); !ok {
			return usagef("there is no system %q", systemID)
		}
	}
	now := svc.Now()
	// Only the obligations asked for are held.
	keep := func(o service.Obligation) bool {
		return want == "" || sn.Evidence().Assure(o.Ref(), now).Status == want
	}
	obs := sn.Obligations(func(s *remit.System) bool { return systemID == "" || s.ID == systemID }, party, keep)
	sn.Assure(obs, now)
	switch formatName {
	case "json":
		if obs == nil {
			obs = []service.Obligation{}
		}
		if err := report.JSON(w, obs); err != nil {
			return err
		}
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "system", "control", "offering", "assurance", "source", "reason"})
		for _, o := range obs {
			cw.Write([]string{o.ID, o.System, o.Control, o.Offering, string(o.Assurance.Status), o.Assurance.Source(), o.Assurance.Reason})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	default: // table, markdown: one line each
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SYSTEM\tCONTROL\tOFFERING\tASSURANCE\tSOURCE\tREASON")
		for _, o := range obs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", report.Cell(o.System), o.Control, or(o.Offering, "-"), o.Assurance.Status, or(o.Assurance.Source(), "-"), report.Cell(o.Assurance.Reason))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if want != "" && len(obs) > 0 {
		return &foundError{fmt.Sprintf("%d obligation(s) %s", len(obs), want)}
	}
	return nil
}

func joinStatuses(ss []remit.AssuranceStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
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
