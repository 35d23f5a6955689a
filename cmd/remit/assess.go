package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

func (e *env) assessCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "assess", Short: "Assessments: supplier assessments, Standards Assurance Tables, findings, scorecards, the expiry sweep"}
	cmd.AddCommand(e.assessListCommand(), e.assessStartCommand(), e.assessScorecardsCommand(), e.assessFindingsCommand(), e.assessSweepCommand(), e.assessSATCommand())
	return cmd
}

func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (e *env) assessListCommand() *cobra.Command {
	var database, offering, format string
	cmd := &cobra.Command{
		Use:   "list [--offering P/O] [--format table|json]",
		Short: "List supplier assessments and Standards Assurance Tables",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				sn := svc.Snapshot()
				as, sats := sn.Assessments(), sn.SATs()
				if format == "json" {
					return e.printJSON(map[string]any{"supplier_assessments": as, "sats": sats})
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tOF\tSTATUS\tVALID UNTIL")
				for _, a := range as {
					if offering == "" || a.Offering == offering {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, report.Cell(a.Offering), a.Status, report.Cell(or(a.ValidUntil, "-")))
					}
				}
				for _, a := range sats {
					if offering == "" {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, report.Cell(a.System), a.Status, report.Cell(or(a.ValidUntil, "-")))
					}
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&offering, "offering", "", "only supplier assessments of this offering")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) assessScorecardsCommand() *cobra.Command {
	var database, format string
	cmd := &cobra.Command{
		Use:   "scorecards [--format table|json]",
		Short: "Supplier scorecards: obligations by assurance, expiring evidence, open findings, reviews due",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				cards, err := svc.Scorecards(cmd.Context(), time.Now())
				if err != nil {
					return err
				}
				if format == "json" {
					return e.printJSON(cards)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PROVIDER/OFFERING\tOBLIGATIONS\tASSURED\tSTALE\tUNASSURED\tFAILED\tEXPIRING\tFINDINGS\tREVIEW DUE")
				row := func(name string, c remit.Scorecard, due string) {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", report.Cell(name), c.Obligations, c.Count("assured"), c.Count("stale"), c.Count("unassured"), c.Count("failed"), c.ExpiringSoon, c.OpenFindings, due)
				}
				for _, c := range cards {
					due := c.ReviewDue
					if c.Overdue {
						due += " (due)"
					}
					row(c.Provider, c, due)
					for _, o := range c.Offerings {
						row("  "+o.Offering, o, "")
					}
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) assessFindingsCommand() *cobra.Command {
	var database string
	var overdue bool
	cmd := &cobra.Command{
		Use:   "findings [--overdue]",
		Short: "List findings, most severe first; with --overdue, exit 1 when any is overdue",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				fs, err := svc.Findings(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tDUE\tTITLE")
				n := 0
				for _, f := range fs {
					if overdue && !f.Overdue(time.Now()) {
						continue
					}
					n++
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.ID, f.Severity, f.Status, report.Cell(or(f.Due, "-")), report.Cell(f.Title))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if overdue && n > 0 {
					return &foundError{fmt.Sprintf("%d findings are overdue", n)}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&overdue, "overdue", false, "only findings past their due date (exit 1 if any)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) assessSweepCommand() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Run the expiry sweep now: record evidence that has lapsed, purge expired sessions, and snapshot today's scorecards and risk register (the server does this hourly)",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				lapses, purged, err := svc.Sweep(cmd.Context())
				if err != nil {
					return err
				}
				for _, l := range lapses {
					fmt.Fprintf(e.stdout, "%s %s %q: %d targets now stale\n", l.Day, l.Evidence, l.Title, len(l.Targets))
				}
				fmt.Fprintf(e.stdout, "%d pieces of evidence lapsed since the last sweep; %d expired sessions and idle sign-in counts purged.\n", len(lapses), purged)
				return nil
			})
		},
	}
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) assessSATCommand() *cobra.Command {
	sat := &cobra.Command{Use: "sat", Short: "Standards Assurance Tables as spreadsheets"}
	var database, out string
	export := &cobra.Command{
		Use:   "export ID -o FILE.xlsx",
		Short: "Write a Standards Assurance Table as an XLSX workbook",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if out == "" {
				return usagef("-o FILE.xlsx is required")
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				st, _, err := svc.SAT(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				t, err := svc.SATTemplate(cmd.Context(), st.TemplateVersion)
				if err != nil {
					return err
				}
				data, err := report.SATWorkbook(st.System, t, &st, st.Report(t, nil))
				if err != nil {
					return err
				}
				return os.WriteFile(out, data, 0o600)
			})
		},
	}
	export.Flags().StringVarP(&out, "output", "o", "", "the workbook to write")
	e.databaseFlag(export, &database)
	var database2 string
	imp := &cobra.Command{
		Use:   "import ID FILE.xlsx",
		Short: "Read a completed workbook into a Standards Assurance Table: every row or, on any problem, none",
		Args:  args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			data, err := os.ReadFile(a[1])
			if err != nil {
				return usagef("%s: %v", a[1], err)
			}
			return e.withService(cmd, database2, false, func(svc *service.Service) error {
				st, version, err := svc.SAT(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				t, err := svc.SATTemplate(cmd.Context(), st.TemplateVersion)
				if err != nil {
					return err
				}
				entries, err := report.ReadSATWorkbook(data, t)
				if err != nil {
					if ve, ok := err.(*remit.ValidationError); ok {
						for i := range ve.Problems {
							ve.Problems[i].File = a[1] + " (" + ve.Problems[i].File + ")"
						}
					}
					return err
				}
				if _, err := svc.SaveSATEntries(cmd.Context(), e.admin(), st.ID, entries, version); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d objectives read from %s into %s.\n", len(entries), a[1], st.ID)
				return nil
			})
		},
	}
	e.databaseFlag(imp, &database2)
	sat.AddCommand(export, imp)
	return sat
}

func (e *env) assessStartCommand() *cobra.Command {
	var database, template string
	cmd := &cobra.Command{
		Use:   "start OFFERING [--template ID]",
		Short: "Start a supplier assessment of an offering against a questionnaire: by default the one its supplier's tier asks for",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				as, err := svc.StartAssessment(cmd.Context(), e.admin(), a[0], template)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: assessment of %s against %s version %d, %d principles\n", as.ID, as.Offering, as.Template, as.TemplateVersion, len(as.Principles))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&template, "template", "", "the questionnaire template (default: the one the supplier's tier asks for)")
	e.databaseFlag(cmd, &database)
	return cmd
}
