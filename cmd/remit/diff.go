package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"remit/internal/engine"
	"remit/internal/report"
	"remit/internal/service"
)

func (e *env) diffCommand() *cobra.Command {
	var exitCode bool
	var formatName, database, offering string
	var from, to int
	cmd := &cobra.Command{
		Use:   "diff OLD_DIR NEW_DIR | diff --offering PROVIDER/OFFERING --from N --to M",
		Short: "Show which systems' obligations change between two workspaces, or two versions of a provider's model",
		Long: `Compare the effective responsibilities computed from two workspaces — for
example before and after a provider updated its published model, or a system
moved from IaaS to PaaS — and show, per system and control, how the class and
the obligations (ours and the providers') change.

With --offering, compare two stored versions of one offering's model instead
(see the versions in the API, or the audit trail), over the estate in
--database.

With --exit-code, exit 1 when anything changed.`,
		Args: args(cobra.RangeArgs(0, 2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, []string{"text", "json"}); err != nil {
				return err
			}
			var diffs []engine.SystemDiff
			switch {
			case offering != "" && len(a) == 0:
				if from < 1 || to < 1 {
					return usagef("--from and --to are required with --offering: model versions count from 1")
				}
				if err := e.withService(cmd, database, false, func(svc *service.Service) error {
					var err error
					diffs, err = svc.DiffVersions(cmd.Context(), offering, from, to)
					return err
				}); err != nil {
					return err
				}
			case offering == "" && len(a) == 2:
				old, err := load(a[0])
				if err != nil {
					return err
				}
				cur, err := load(a[1])
				if err != nil {
					return err
				}
				diffs = engine.Diff(old, cur)
			default:
				return usagef("give two workspace folders, or --offering with --from and --to (not both)")
			}
			if err := report.WriteDiff(e.stdout, diffs, formatName); err != nil {
				return err
			}
			if exitCode && len(diffs) > 0 {
				return &foundError{fmt.Sprintf("%d system(s) changed", len(diffs))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when any system changed")
	cmd.Flags().StringVar(&formatName, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&offering, "offering", "", "compare two stored model versions of this offering (provider/offering)")
	cmd.Flags().IntVar(&from, "from", 0, "the older model version (with --offering)")
	cmd.Flags().IntVar(&to, "to", 0, "the newer model version (with --offering)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) graphCommand() *cobra.Command {
	var formatName string
	cmd := &cobra.Command{
		Use:   "graph DIR",
		Short: "Show the supplier graph and concentration",
		Long: `Show, for each provider, how many systems rely on it directly and how many
only through another provider's offering (a fourth party), most relied on
first. --format dot prints the graph of systems, offerings and what each
offering runs on, for Graphviz.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, []string{"table", "dot", "json"}); err != nil {
				return err
			}
			est, err := load(a[0])
			if err != nil {
				return err
			}
			return report.WriteGraph(e.stdout, est, formatName)
		},
	}
	cmd.Flags().StringVar(&formatName, "format", "table", "output format: table, dot or json")
	return cmd
}
