package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"remit/internal/synth"
	"remit/internal/workspace"
)

func (e *env) generateCommand() *cobra.Command {
	var shape string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "generate DIR --shape S|M|L",
		Short: "Write a synthetic estate of a given size, for trying Remit at scale",
		Long: `Write a synthetic workspace into DIR: shape S is 300 systems, 150 offerings and
1,200 controls; M is 5,000 systems and 500 offerings; L is 20,000 systems and
2,000 offerings. The same shape and seed always give the same estate. The
benchmarks use them, and doc/operations.md sizes a deployment by them.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			var s synth.Shape
			switch shape {
			case "S":
				s = synth.S
			case "M":
				s = synth.M
			case "L":
				s = synth.L
			default:
				return usagef("--shape %q is not known: use S, M or L", shape)
			}
			if err := workspace.Write(a[0], synth.Estate(s, seed)); err != nil {
				return err
			}
			_, err := fmt.Fprintf(e.stdout, "Wrote the %s estate to %s.\n", shape, a[0])
			return err
		},
	}
	cmd.Flags().StringVar(&shape, "shape", "S", "S, M or L")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	return cmd
}
