package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/content"
	"remit/internal/live"
	"remit/internal/remit"
	"remit/internal/report"
)

func (e *env) assessCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "assess", Short: "Assessments: supplier assessments, Standards Assurance Tables, findings, scorecards, the expiry sweep"}
	cmd.AddCommand(e.assessListCommand(), e.assessScorecardsCommand(), e.assessFindingsCommand(), e.assessSweepCommand(), e.assessSATCommand())
	return cmd
}

// withStore opens --database for one command.
func withStore(ctx context.Context, database string, fn func(s remit.Store) error) error {
	s, err := openStore(ctx, database)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
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
			return withStore(cmd.Context(), database, func(s remit.Store) error {
				var as []remit.SupplierAssessment
				var sats []remit.SAT
				if err := s.Read(cmd.Context(), func(tx remit.Tx) error {
					var err error
					if as, err = remit.SupplierAssessments(cmd.Context(), tx); err != nil {
						return err
					}
					sats, err = remit.SATs(cmd.Context(), tx)
					return err
				}); err != nil {
					return err
				}
				if format == "json" {
					return e.printJSON(map[string]any{"supplier_assessments": as, "sats": sats})
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tOF\tSTATUS\tVALID UNTIL")
				for _, a := range as {
					if offering == "" || a.Offering == offering {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Offering, a.Status, or(a.ValidUntil, "-"))
					}
				}
				for _, a := range sats {
					if offering == "" {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.System, a.Status, or(a.ValidUntil, "-"))
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
			return withStore(cmd.Context(), database, func(s remit.Store) error {
				m, err := live.Open(cmd.Context(), s, content.Defaults())
				if err != nil {
					return err
				}
				cards, err := m.Scorecards(cmd.Context(), time.Now())
				if err != nil {
					return err
				}
				if format == "json" {
					return e.printJSON(cards)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PROVIDER/OFFERING\tOBLIGATIONS\tASSURED\tSTALE\tUNASSURED\tFAILED\tEXPIRING\tFINDINGS\tREVIEW DUE")
				row := func(name string, c remit.Scorecard, due string) {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", name, c.Obligations, c.Count("assured"), c.Count("stale"), c.Count("unassured"), c.Count("failed"), c.ExpiringSoon, c.OpenFindings, due)
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
			return withStore(cmd.Context(), database, func(s remit.Store) error {
				var fs []remit.Finding
				if err := s.Read(cmd.Context(), func(tx remit.Tx) error { var err error; fs, err = remit.Findings(cmd.Context(), tx); return err }); err != nil {
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
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.ID, f.Severity, f.Status, or(f.Due, "-"), f.Title)
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
		Short: "Run the expiry sweep now: record evidence that has lapsed and snapshot today's scorecards and risk register (the server does this hourly)",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd.Context(), database, func(s remit.Store) error {
				m, err := live.Open(cmd.Context(), s, content.Defaults())
				if err != nil {
					return err
				}
				now := time.Now()
				lapses, err := remit.SweepExpiry(cmd.Context(), s, m.Evidence(), now)
				if err != nil {
					return err
				}
				for _, l := range lapses {
					fmt.Fprintf(e.stdout, "%s %s %q: %d targets now stale\n", l.Day, l.Evidence, l.Title, len(l.Targets))
				}
				fmt.Fprintf(e.stdout, "%d pieces of evidence lapsed since the last sweep.\n", len(lapses))
				return m.Snapshot(cmd.Context(), now)
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
			return withStore(cmd.Context(), database, func(s remit.Store) error {
				var t *remit.SATTemplate
				var st remit.SAT
				if err := s.Read(cmd.Context(), func(tx remit.Tx) error {
					var err error
					if st, _, err = remit.FindSAT(cmd.Context(), tx, a[0]); err != nil {
						return err
					}
					t, err = remit.SATTemplateVersion(cmd.Context(), tx, content.SATObjectives(), st.TemplateVersion)
					return err
				}); err != nil {
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
			return withStore(cmd.Context(), database2, func(s remit.Store) error {
				var t *remit.SATTemplate
				var st remit.SAT
				var version int64
				if err := s.Read(cmd.Context(), func(tx remit.Tx) error {
					var err error
					if st, version, err = remit.FindSAT(cmd.Context(), tx, a[0]); err != nil {
						return err
					}
					t, err = remit.SATTemplateVersion(cmd.Context(), tx, content.SATObjectives(), st.TemplateVersion)
					return err
				}); err != nil {
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
				if _, err := remit.SaveSATEntries(cmd.Context(), s, t, st.ID, entries, version, e.actor(), time.Now()); err != nil {
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
