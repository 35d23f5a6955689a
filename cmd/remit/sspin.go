package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
)

func (e *env) systemCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "system", Short: "Systems: bring one in from its own OSCAL SSP"}
	cmd.AddCommand(e.systemImportSSPCommand())
	return cmd
}

func (e *env) systemImportSSPCommand() *cobra.Command {
	var database, id, team, catalogue string
	var offerings []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import-ssp FILE [--id ID] [--team TEAM] [--catalogue ID] [--offering 'COMPONENT=PROVIDER/OFFERING']… [--dry-run]",
		Short: "Make a system of the estate from its own OSCAL SSP (JSON or YAML), with its offerings and tracking",
		Long: `Read a system's own OSCAL system security plan — Remit's (remit export ssp)
or another tool's — and make it a system of the estate:
  baseline    the implemented requirements' controls, in --catalogue (Remit's
              SSPs name theirs); controls the SSP says are not applicable
  offerings   each leveraged component (type service, leveraged-system or
              interconnection, or with a leveraged-authorization-uuid): the
              offering Remit's SSP names, the one --offering gives by the
              component's title, or the estate's offering of that name
  tracking    what the system's own components say of each control: the
              least advanced implementation-status any states (planned →
              not started, partial → in progress, implemented), their
              owner and due date, their text as notes
The id is Remit's system id when the SSP gives one, else made from its
name (--id to choose). A system of that id is replaced, at the version held.
The plan is shown first; every problem is named; nothing is written on any.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			given := map[string]string{}
			for _, o := range offerings {
				title, ref, ok := strings.Cut(o, "=")
				if !ok || strings.TrimSpace(title) == "" {
					return usagef("--offering %q: write COMPONENT=PROVIDER/OFFERING, the component's title and the offering it is", o)
				}
				if _, err := remit.ParseOfferingRef(ref); err != nil {
					return usagef("--offering %q: %v", o, err)
				}
				given[strings.TrimSpace(title)] = ref
			}
			data, err := os.ReadFile(a[0])
			if err != nil {
				return usagef("%v", err)
			}
			l, err := oscal.ReadLeveraging(a[0], data)
			if err != nil {
				return err
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				sid := l.ID
				if id != "" {
					sid = id
				}
				version, _ := svc.Snapshot().Version(service.KindSystem, sid)
				plan, err := svc.ImportSystemSSP(cmd.Context(), e.admin(), l, service.SSPImport{ID: id, Team: team, Catalogue: catalogue, Offerings: given}, version, dryRun)
				if err != nil {
					return err
				}
				return e.printSSPPlan(plan, dryRun)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&id, "id", "", "the system's id (default: Remit's id in the SSP, else made from its name)")
	f.StringVar(&team, "team", "", "the team that owns the system (default: as the SSP says)")
	f.StringVar(&catalogue, "catalogue", "", "the catalogue the SSP's controls are in (Remit's SSPs name theirs)")
	f.StringArrayVar(&offerings, "offering", nil, "COMPONENT=PROVIDER/OFFERING: which offering a leveraged component is (repeat)")
	f.BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) printSSPPlan(plan service.SSPPlan, dryRun bool) error {
	s := plan.System
	controls := fmt.Sprintf("%d controls of %s", len(s.Baseline.Controls), s.Baseline.Catalogue)
	if s.Baseline.All {
		controls = "every control of " + s.Baseline.Catalogue
	}
	fmt.Fprintf(e.stdout, "System %s (%s), %s: %s, %d not applicable, %d offerings used.\n", s.ID, s.Name, plan.Action, controls, len(s.Baseline.NotApplicable), len(s.Uses))
	for _, o := range plan.Offerings {
		fmt.Fprintf(e.stdout, "  %s → %s (%s)\n", o.Component, o.Offering, o.How)
	}
	var parts []string
	for _, st := range remit.ObligationStatuses {
		if n := plan.Tracked[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	untracked := fmt.Sprintf("%d obligations of ours it says nothing of", plan.Untracked)
	if plan.Untracked == 1 {
		untracked = "1 obligation of ours it says nothing of"
	}
	fmt.Fprintf(e.stdout, "Tracking from the SSP: %s; %s.\n", strings.Join(parts, ", "), untracked)
	for _, n := range plan.Notes {
		fmt.Fprintln(e.stdout, n)
	}
	return e.imported(dryRun)
}
