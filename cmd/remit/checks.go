package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/checks"
	"remit/internal/report"
	"remit/internal/service"
)

func (e *env) checksCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "checks", Short: "Automated check results: hand them in as evidence of our half of controls"}
	var database, format, system string
	ingest := &cobra.Command{
		Use:   "ingest FILE --format sarif|ocsf|asff|junit --system ID",
		Short: "Hand in a tool's results for a system: each control its rules map to is failed or assured",
		Long: `Read a results file (SARIF 2.1.0 from Checkov, Trivy, tfsec, KICS or Semgrep;
OCSF JSON from Prowler; Security Hub ASFF; JUnit XML from conftest or InSpec),
map its rules to controls (doc/checks.md) and keep the run: from then on a
failing rule fails our obligation for its control in the system, and passing
rules assure it for the mapping's window. A provider's obligations are never
assured by automated results. A file that is not what --format says is refused
naming where; nothing is kept of it.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			f := checks.Format(format)
			if !strings.Contains("sarif ocsf asff junit", format) || format == "" {
				return usagef("--format %q is not known: use sarif, ocsf, asff or junit", format)
			}
			if system == "" {
				return usagef("--system is required: the system the results are about")
			}
			in, err := os.Open(a[0])
			if err != nil {
				return usagef("%v", err)
			}
			defer in.Close()
			run, err := checks.Read(f, in)
			if err != nil {
				return usagef("%s: %v", a[0], err)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				cr, err := svc.IngestChecks(cmd.Context(), e.admin(), system, run)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Kept run %s of %s for %s: %d results (%d pass, %d fail, %d skip; %d on rules no mapping names).\n",
					cr.ID, report.Cell(cr.Tool), report.Cell(cr.System), cr.Pass+cr.Fail+cr.Skip, cr.Pass, cr.Fail, cr.Skip, cr.Unmapped)
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CONTROL\tRESULT\tRULES\tFAILING")
				for _, v := range cr.Verdicts {
					result := "passed"
					if v.Failed {
						result = "failed"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Control, result, report.Cell(strings.Join(v.Rules, ", ")), report.Cell(or(strings.Join(v.Failing, "; "), "-")))
				}
				return tw.Flush()
			})
		},
	}
	ingest.Flags().StringVar(&format, "format", "", "sarif, ocsf, asff or junit (required)")
	ingest.Flags().StringVar(&system, "system", "", "the system the results are about (required)")
	e.databaseFlag(ingest, &database)
	cmd.AddCommand(ingest)
	return cmd
}
