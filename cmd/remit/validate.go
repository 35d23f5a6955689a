package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/engine"
)

func (e *env) validateCommand() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate DIR",
		Short: "Check a workspace and report every problem at once",
		Long: `Check a workspace: syntax, unknown keys, missing and duplicate ids, dangling
references (with a "did you mean"), bad values, depends_on cycles, empty
baselines and conflicting statements. Every problem is reported as
file:line:column: message, and the exit code is 2.

With --strict, also list every cell that rests on an assumed service-model
default or on a mapping from another control's statement, and every control
with no area, and exit 1 if there are any: use it in CI to insist that each
provider's model is confirmed for the controls themselves.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			est, err := load(a[0])
			if err != nil {
				return err
			}
			statements := 0
			for i := range int32(est.NumOfferings()) {
				statements += len(est.Offering(i).Offering.Statements)
			}
			fmt.Fprintf(e.stdout, "%s: valid — %d catalogues (%d controls), %d providers (%d offerings, %d statements), %d systems\n",
				a[0], len(est.Catalogues()), len(est.Controls), len(est.Providers()), est.NumOfferings(), statements, est.NumSystems())
			if !strict {
				return nil
			}
			return e.strict(est)
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "also fail (exit 1) on cells resting on assumed defaults or mappings, and controls with no area")
	return cmd
}

// strict reports what validate --strict insists on.
func (e *env) strict(est *engine.Estate) error {
	found := 0
	for i := range est.Controls {
		c := est.Controls[i]
		if c.Control.Area == "" {
			fmt.Fprintf(e.stdout, "control %s has no area: set one so defaults can apply\n", c.Ref)
			found++
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	header := false
	for si := range int32(est.NumSystems()) {
		m := est.Matrix(int32(si))
		for ci := range m.Cells {
			cell := &m.Cells[ci]
			for _, k := range est.Contributions(&m, cell) {
				var rests string
				switch m := est.Mapped(k); {
				case k.Assumed():
					rests = "assumed default"
				case m != nil:
					var from []string
					for _, s := range m.Sources {
						from = append(from, est.Controls[s.Control].Ref+" ("+string(s.Rel)+")")
					}
					rests = "mapped from " + strings.Join(from, ", ")
				default:
					continue
				}
				if !header {
					fmt.Fprintln(tw, "SYSTEM\tCONTROL\tOFFERING\tCLASS\tRESTS ON")
					header = true
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", est.System(si).System.ID, est.Controls[cell.Control].Ref, est.Offering(k.Offering).Ref, k.Class(), rests)
				found++
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if found > 0 {
		return &foundError{fmt.Sprintf("strict: %d assumption(s) or mapping(s) need a provider statement, or an area", found)}
	}
	return nil
}
