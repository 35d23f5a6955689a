package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"remit/internal/engine"
	"remit/internal/report"
)

func (e *env) diffCommand() *cobra.Command {
	var exitCode bool
	var formatName string
	cmd := &cobra.Command{
		Use:   "diff OLD_DIR NEW_DIR",
		Short: "Show which systems' obligations change between two workspaces",
		Long: `Compare the effective responsibilities computed from two workspaces — for
example before and after a provider updated its published model, or a system
moved from IaaS to PaaS — and show, per system and control, how the class and
the obligations (ours and the providers') change. With --exit-code, exit 1
when anything changed.`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := format(formatName, []string{"text", "json"}); err != nil {
				return err
			}
			old, err := load(a[0])
			if err != nil {
				return err
			}
			cur, err := load(a[1])
			if err != nil {
				return err
			}
			diffs := engine.Diff(old, cur)
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
