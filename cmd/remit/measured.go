package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
)

// offeringFindingsCommand imports a provider's own POA&M or assessment
// results as measurements of one of its offerings.
func (e *env) offeringFindingsCommand() *cobra.Command {
	var database, catalogue string
	var controls []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "findings PROVIDER/OFFERING FILE [--catalogue ID] [--control ITEM-UUID=CONTROL[,CONTROL]]… [--dry-run]",
		Short: "Measure a provider by its own POA&M or assessment results (OSCAL JSON or YAML)",
		Long: `Read a provider's OSCAL plan of action and milestones (POA&M) or assessment
results and hold them against PROVIDER/OFFERING: an open item on a control
the offering is relied on for fails the provider's obligations for it (high
or critical), or holds them at stale at best (medium); one past its deadline
counts a step worse; closed items and approved deviations change nothing
(doc/assurance.md#the-providers-own-findings). An item's controls are its
findings' targets or its control-id properties; --control names them for an
item that gives none. Controls are those of --catalogue (default: of the
catalogues the offering's statements are in, the one holding most of them).
Importing next month's POA&M updates the items by uuid and closes those it
no longer holds. The plan is shown first; nothing is written on --dry-run.`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := remit.ParseOfferingRef(a[0]); err != nil {
				return usagef("%v", err)
			}
			named, err := parseItemControls(controls)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(a[1])
			if err != nil {
				return usagef("%v", err)
			}
			m, err := oscal.ReadMeasured(a[1], data, named)
			if err != nil {
				return err
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				sn := svc.Snapshot()
				if _, ok := sn.Offering(a[0]); !ok {
					return usagef("offering %q is not in the database%s", a[0], didYouMean(a[0], sn.Estate().OfferingRefs()))
				}
				version, _ := sn.Version(service.KindProviderFindings, remit.ProviderFindingsID(a[0], m.Model))
				plan, err := svc.ImportProviderFindings(cmd.Context(), e.admin(), a[0], catalogue, m, version, dryRun)
				if err != nil {
					return err
				}
				return e.printMeasuredPlan(plan, dryRun)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&catalogue, "catalogue", "", "the catalogue the file's controls are in")
	f.StringArrayVar(&controls, "control", nil, "ITEM-UUID=CONTROL[,CONTROL]: the controls of an item that names none (repeat for each item)")
	f.BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	e.databaseFlag(cmd, &database)
	return cmd
}

// parseItemControls reads --control ITEM-UUID=CONTROL[,CONTROL] flags.
func parseItemControls(flags []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, fl := range flags {
		uuid, list, ok := strings.Cut(fl, "=")
		var cs []string
		for _, c := range strings.Split(list, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cs = append(cs, c)
			}
		}
		if !ok || strings.TrimSpace(uuid) == "" || len(cs) == 0 {
			return nil, usagef("--control %q: write ITEM-UUID=CONTROL[,CONTROL], the item's uuid and the controls it concerns", fl)
		}
		out[strings.TrimSpace(uuid)] = append(out[strings.TrimSpace(uuid)], cs...)
	}
	return out, nil
}

// printMeasuredPlan prints what an import of a provider's findings does.
func (e *env) printMeasuredPlan(plan service.MeasuredPlan, dryRun bool) error {
	fmt.Fprintf(e.stdout, "%s: %s (%s", plan.Offering, plan.Title, plan.Model.Title())
	if plan.Dated != "" {
		fmt.Fprintf(e.stdout, " of %s", plan.Dated)
	}
	fmt.Fprintf(e.stdout, "), %d items: %d new, %d updated, %d closed, %d unchanged.\n", len(plan.Items), plan.New, plan.Updated, plan.Closed, plan.Unchanged)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tCONTROLS\tSEVERITY\tSTATUS\tDEADLINE\tEFFECT\tCHANGE")
	for _, it := range plan.Items {
		effect := "none"
		switch {
		case it.Status != remit.ProviderFindingOpen:
		case len(it.Controls) == 0:
			effect = "none: names no control"
		case !it.Relied:
			effect = "none: not relied on"
		case it.Effect == remit.AssuranceFailed:
			effect = "fails"
		case it.Effect == remit.AssuranceStale:
			effect = "holds at stale"
		}
		if it.Overdue && it.Status == remit.ProviderFindingOpen {
			effect += " (overdue)"
		}
		title := it.Title
		if len(title) > 50 {
			title = title[:49] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", title, or(strings.Join(it.Controls, " "), "-"), it.Severity, it.Status, or(it.Deadline, "-"), effect, it.Change)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moves := make([]string, 0, len(plan.Moves))
	for k, n := range plan.Moves {
		moves = append(moves, fmt.Sprintf("%d %s", n, k))
	}
	slices.Sort(moves)
	if len(moves) == 0 {
		moves = []string{"none moves"}
	}
	systems := fmt.Sprintf("%d systems", plan.Systems)
	if plan.Systems == 1 {
		systems = "1 system"
	}
	fmt.Fprintf(e.stdout, "Provider obligations in %s: %s.\n", systems, strings.Join(moves, ", "))
	for _, n := range plan.Notes {
		fmt.Fprintln(e.stdout, n)
	}
	return e.imported(dryRun)
}

// imported ends an import's plan: what became of it.
func (e *env) imported(dryRun bool) error {
	verb := "Imported"
	if dryRun {
		verb = "Dry run: nothing written"
	}
	_, err := fmt.Fprintf(e.stdout, "%s.\n", verb)
	return err
}
