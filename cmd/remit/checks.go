package main

import (
	"fmt"
	"io"
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
		Use:   "ingest FILE --format sarif|ocsf|asff|junit [--system ID]",
		Short: "Hand in a tool's results: each control its rules map to is failed or assured, in each system they are about",
		Long: `Read a results file (SARIF 2.1.0 from Checkov, Trivy, tfsec, KICS or Semgrep;
OCSF JSON from Prowler; Security Hub ASFF; JUnit XML from conftest or InSpec),
map its rules to controls (doc/checks.md) and keep the run: from then on a
failing rule fails our obligation for its control in the system, and passing
rules assure it for the mapping's window. A provider's obligations are never
assured by automated results. A file that is not what --format says is refused
naming where; nothing is kept of it.

Without --system, each result goes to the system the workspace's checks files
say its account, repository or resource tag belongs to (Security Hub across an
organisation, say); results about no system named there are counted, not
kept.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			f := checks.Format(format)
			if !strings.Contains("sarif ocsf asff junit", format) || format == "" {
				return usagef("--format %q is not known: use sarif, ocsf, asff or junit", format)
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
				got, err := svc.IngestChecks(cmd.Context(), e.admin(), system, run)
				if err != nil {
					return err
				}
				return printIngest(e.stdout, got)
			})
		},
	}
	ingest.Flags().StringVar(&format, "format", "", "sarif, ocsf, asff or junit (required)")
	ingest.Flags().StringVar(&system, "system", "", "the system the results are about (leave out to go by the accounts, repositories and tags the workspace's checks files name)")
	e.databaseFlag(ingest, &database)
	cmd.AddCommand(ingest)
	return cmd
}

// printIngest says what handing a results file in kept: each system's run
// and the verdict on each control its rules map to.
func printIngest(w io.Writer, got service.Ingest) error {
	for _, cr := range got.Runs {
		fmt.Fprintf(w, "Kept run %s of %s for %s: %d results (%d pass, %d fail, %d skip; %d on rules no mapping names).\n",
			cr.ID, report.Cell(cr.Tool), report.Cell(cr.System), cr.Pass+cr.Fail+cr.Skip, cr.Pass, cr.Fail, cr.Skip, cr.Unmapped)
	}
	if got.Unrouted > 0 {
		fmt.Fprintf(w, "%d results were about no system the checks files name, and were not kept.\n", got.Unrouted)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	many := len(got.Runs) > 1
	if many {
		fmt.Fprint(tw, "SYSTEM\t")
	}
	fmt.Fprintln(tw, "CONTROL\tRESULT\tRULES\tFAILING")
	for _, cr := range got.Runs {
		for _, v := range cr.Verdicts {
			result := "passed"
			if v.Failed {
				result = "failed"
			}
			if many {
				fmt.Fprintf(tw, "%s\t", report.Cell(cr.System))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Control, result, report.Cell(strings.Join(v.Rules, ", ")), report.Cell(or(strings.Join(v.Failing, "; "), "-")))
		}
	}
	return tw.Flush()
}
