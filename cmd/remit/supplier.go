package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/report"
	"remit/internal/service"
	"remit/internal/workspace"
)

func (e *env) supplierCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "supplier", Short: "Suppliers: a provider's record, tier, next assessment and clauses; the suppliers due; questionnaire templates"}
	cmd.AddCommand(e.supplierShowCommand(), e.supplierDueCommand(), e.supplierClausesCommand(), e.questionnaireCommand())
	return cmd
}

func (e *env) supplierShowCommand() *cobra.Command {
	var database, format string
	cmd := &cobra.Command{
		Use:   "show PROVIDER [--format text|json]",
		Short: "A provider as a supplier: its tier and why, its next assessment, its clauses and their assurance, its sub-processors",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if format != "text" && format != "json" {
				return usagef("--format %q is not known: use text or json", format)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				v, err := svc.Supplier(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				if format == "json" {
					return e.printJSON(v)
				}
				w := e.stdout
				fmt.Fprintf(w, "Tier %d: %s\n", v.Tier, v.Why)
				if v.Set {
					fmt.Fprintf(w, "  set by hand: %s (worked out, tier %d)\n", v.Record.TierReason, v.Derived)
				}
				s := v.Schedule
				state := ""
				if s.Overdue {
					state = " (overdue)"
				}
				fmt.Fprintf(w, "Next assessment due %s%s: every %d months against %s; last signed off %s\n", s.Due, state, s.Months, or(s.Questionnaire, s.Policy.Questionnaire), or(s.LastAssessed, "never"))
				if s.EvidenceMissing {
					fmt.Fprintf(w, "Evidence its tier asks for: none held\n")
				}
				for _, sp := range v.SubProcessors {
					fmt.Fprintf(w, "Sub-processor: %s%s\n", sp.Name, map[bool]string{true: " (" + sp.Provider + ")", false: ""}[sp.Provider != ""])
				}
				if len(v.Clauses) == 0 {
					fmt.Fprintln(w, "No clause recorded.")
					return nil
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CLAUSE\tASSURANCE\tWHY")
				for _, c := range v.Clauses {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Assurance.Status, report.Cell(c.Assurance.Reason))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) supplierDueCommand() *cobra.Command {
	var database, format string
	var days int
	cmd := &cobra.Command{
		Use:   "due [--days 30] [--format table|json]",
		Short: "The suppliers some system relies on whose next assessment is due within the days given, or overdue",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			if days < 0 {
				return usagef("--days %d is not 0 or more", days)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				due, err := svc.SuppliersDue(cmd.Context(), svc.Snapshot(), time.Now(), days)
				if err != nil || format == "json" {
					if err == nil {
						err = e.printJSON(due)
					}
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SUPPLIER\tTIER\tDUE\tLAST ASSESSED\tEVIDENCE")
				for _, d := range due {
					due := d.Due
					if d.Overdue {
						due += " (overdue)"
					}
					evidence := "held or not asked for"
					if d.EvidenceMissing {
						evidence = "missing"
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", report.Cell(d.Name), d.Tier, due, or(d.LastAssessed, "never"), evidence)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&days, "days", 30, "how many days ahead to look")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) supplierClausesCommand() *cobra.Command {
	var database string
	var standard bool
	var remove string
	cmd := &cobra.Command{
		Use:   "clauses PROVIDER (--add-standard | --remove CLAUSE)",
		Short: "Add the standard security aspects letter's clauses to a supplier's record, or remove one",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if standard == (remove != "") {
				return usagef("give --add-standard or --remove CLAUSE, one of them")
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				v, err := svc.Supplier(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				if standard {
					_, err = svc.AddClauses(cmd.Context(), e.admin(), a[0], nil, true, v.Version)
				} else {
					_, err = svc.RemoveClause(cmd.Context(), e.admin(), a[0], remove, v.Version)
				}
				if err != nil {
					return err
				}
				v, err = svc.Supplier(cmd.Context(), a[0])
				if err == nil {
					fmt.Fprintf(e.stdout, "%s now holds %d clauses\n", a[0], len(v.Clauses))
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&standard, "add-standard", false, "add the standard security aspects letter's clauses the record lacks")
	cmd.Flags().StringVar(&remove, "remove", "", "remove this clause")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) questionnaireCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "questionnaire", Short: "Questionnaire templates: list, import (YAML or a CAIQ v4 workbook), export as YAML"}
	cmd.AddCommand(e.questionnaireListCommand(), e.questionnaireImportCommand(), e.questionnaireExportCommand())
	return cmd
}

func (e *env) questionnaireListCommand() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the questionnaire templates at their current versions",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				qs, err := svc.Questionnaires(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "TEMPLATE\tVERSION\tQUESTIONS\tASSESSMENTS\tTITLE")
				for _, q := range qs {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", q.Template, q.Version, q.Questions, q.Used, report.Cell(q.Title))
				}
				return tw.Flush()
			})
		},
	}
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) questionnaireImportCommand() *cobra.Command {
	var database, template, title string
	cmd := &cobra.Command{
		Use:   "import FILE [--template ID --title TITLE]",
		Short: "Publish a questionnaire template from YAML, or from a CSA CAIQ v4 workbook (.xlsx, with --template and --title)",
		Long: `Publish a questionnaire template: version 1 of a new one, or the next version
of one that exists (once an assessment has used it, a new version may only
add principles and questions or reorder them). A .xlsx file is read as a
CSA CAIQ v4 workbook — a principle per CCM domain, a yes-or-no question per
CAIQ question — and needs --template and --title; anything else is read as
YAML in the form 'remit supplier questionnaire export' writes.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			data, err := os.ReadFile(a[0])
			if err != nil {
				return usagef("%v", err)
			}
			format := service.QuestionnaireYAML
			if strings.EqualFold(filepath.Ext(a[0]), ".xlsx") {
				format = service.QuestionnaireCAIQ
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				q, err := svc.ImportQuestionnaire(cmd.Context(), e.admin(), format, a[0], data, template, title)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s published as version %d of %s: %d principles, %d questions\n", q.Title, q.Version, q.Template, len(q.Principles), q.Questions())
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&template, "template", "", "the template's id, for a CAIQ workbook")
	cmd.Flags().StringVar(&title, "title", "", "the template's title, for a CAIQ workbook")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) questionnaireExportCommand() *cobra.Command {
	var database string
	var version int
	cmd := &cobra.Command{
		Use:   "export TEMPLATE [--version N]",
		Short: "Write a questionnaire template as YAML, to edit and import again",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				q, err := svc.QuestionnaireVersion(cmd.Context(), a[0], version)
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(workspace.QuestionnaireFile(q))
				return err
			})
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "a version (default the current one)")
	e.databaseFlag(cmd, &database)
	return cmd
}
