package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/checks"
	"remit/internal/policy"
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
	cmd.AddCommand(ingest, e.checksRunCommand())
	return cmd
}

// checksRunCommand is remit checks run: conftest's test, in process.
func (e *env) checksRunCommand() *cobra.Command {
	var (
		opts                     policy.Options
		namespaces               []string
		all, combine, failOnWarn bool
		output, parser           string
		ingest                   bool
		database, system         string
	)
	cmd := &cobra.Command{
		Use:   "run INPUT... [--policy DIR] [--data DIR] [--namespace NS | --all-namespaces] [--output stdout|table|json|junit|sarif]",
		Short: "Run Rego policies over configuration files, as conftest does; hand the results in with --ingest",
		Long: `Evaluate Rego policies (conftest's deny, violation and warn rules, with any
_suffix, and exception rules) over configuration files: Terraform plans as JSON
(terraform show -json), JSON or YAML configuration, Kubernetes manifests (each
YAML document on its own). A conftest user's policies run unchanged:
--policy (default ./policy), --data, --namespace (default main),
--all-namespaces, --combine, --parser, --fail-on-warn and --rego-version mean
what they mean to conftest, and the output formats are conftest's.

Exit codes, as conftest's: 0 when nothing failed; 1 when a rule failed (with
--fail-on-warn: 1 for warnings only, 2 for failures). A policy or input that
cannot be read is refused naming its file and line, with exit code 2.

With --ingest the results are handed in as automated check results for
--system (tool conftest, rule conftest.<namespace>, as conftest's JUnit
output reads), so that checks/*.yaml mappings of conftest's rules apply
(doc/checks.md).`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if !slices.Contains(policy.Outputs, output) {
				return usagef("--output %q is not known: use %s", output, strings.Join(policy.Outputs, ", "))
			}
			if parser != "" && !slices.Contains(policy.Parsers, parser) {
				return usagef("--parser %q is not known: use %s", parser, strings.Join(policy.Parsers, " or "))
			}
			if ingest && system == "" {
				return usagef("--ingest needs --system: the system the configuration is about")
			}
			ctx := cmd.Context()
			paths, err := policyInputs(a)
			if err != nil {
				return err
			}
			inputs := make([]policy.Input, len(paths))
			for i, p := range paths {
				if inputs[i], err = policy.ReadInput(p, parser, e.stdin); err != nil {
					return usagef("%v", err)
				}
			}
			if combine {
				inputs = []policy.Input{policy.Combine(inputs)}
			}
			eng, err := policy.Load(ctx, opts)
			if err != nil {
				return usagef("%v", err)
			}
			outcomes, err := eng.Check(ctx, inputs, namespaces, all)
			if err != nil {
				return usagef("%v", err)
			}
			if err := policy.Write(e.stdout, output, outcomes, version()); err != nil {
				return err
			}
			if ingest {
				got := service.Ingest{}
				err := e.withService(cmd, database, false, func(svc *service.Service) error {
					var err error
					got, err = svc.IngestChecks(ctx, e.admin(), system, policy.Run(outcomes, time.Now()))
					return err
				})
				if err != nil {
					return err
				}
				if err := printIngest(e.stderr, got); err != nil {
					return err
				}
			}
			t := policy.Total(outcomes)
			switch {
			case t.Failures > 0 && failOnWarn:
				return &exitError{code: 2, msg: fmt.Sprintf("%d policy failure(s)", t.Failures)}
			case t.Failures > 0:
				return &foundError{fmt.Sprintf("%d policy failure(s)", t.Failures)}
			case t.Warnings > 0 && failOnWarn:
				return &foundError{fmt.Sprintf("%d policy warning(s)", t.Warnings)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&opts.Policies, "policy", "p", []string{"policy"}, "where the Rego policies are: a folder (searched recursively) or a .rego file; repeat for more")
	f.StringArrayVarP(&opts.Data, "data", "d", nil, "JSON or YAML data for the policies, under data as OPA loads it; repeat for more")
	f.StringArrayVarP(&namespaces, "namespace", "n", []string{"main"}, "the package whose rules to run; repeat for more")
	f.BoolVar(&all, "all-namespaces", false, "run the rules of every package")
	f.BoolVar(&combine, "combine", false, "evaluate all inputs as one: a list of {path, contents}")
	f.BoolVar(&failOnWarn, "fail-on-warn", false, "exit 1 on warnings, and 2 on failures")
	f.StringVarP(&output, "output", "o", "stdout", "stdout, table, json, junit or sarif")
	f.StringVar(&parser, "parser", "", "json or yaml (by default, by each file's extension)")
	f.StringVar(&opts.RegoVersion, "rego-version", "v1", "the Rego syntax of the policies: v1 or v0")
	f.BoolVar(&ingest, "ingest", false, "hand the results in as automated check results for --system")
	f.StringVar(&system, "system", "", "with --ingest: the system the configuration is about")
	e.databaseFlag(cmd, &database)
	return cmd
}

// policyInputs expands folders into the JSON and YAML files under them,
// in name order; "-" is standard input.
func policyInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			return nil, usagef("%s: cannot be read: %v", a, errors.Unwrap(err))
		}
		if !info.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".json", ".yaml", ".yml":
				if !d.IsDir() {
					out = append(out, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, usagef("%s: %v", a, err)
		}
	}
	return out, nil
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
