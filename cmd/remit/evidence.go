package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

func (e *env) evidenceCommand() *cobra.Command {
	ev := &cobra.Command{Use: "evidence", Short: "The evidence register: add, list and fetch evidence"}
	ev.AddCommand(e.evidenceAddCommand(), e.evidenceListCommand(), e.evidenceGetCommand(), e.evidenceCoverageCommand())
	return ev
}

// parseSupport reads on:ref, with @control to narrow an offering or a
// system: offering:aws/ec2, system:prison-visits@srm:SRM-10,
// obligation:<id>, control:srm:SRM-01.
func parseSupport(s string) (remit.Support, error) {
	on, ref, ok := strings.Cut(s, ":")
	if !ok || ref == "" {
		return remit.Support{}, usagef("--supports %q is not on:ref: give offering:aws/ec2, system:ID[@catalogue:control], obligation:ID, control:catalogue:control or clause:provider/clause", s)
	}
	sup := remit.Support{On: on, Ref: ref}
	if on == remit.SupportOffering || on == remit.SupportSystem {
		if r, c, ok := strings.Cut(ref, "@"); ok {
			sup.Ref, sup.Control = r, c
		}
	}
	return sup, nil
}

func (e *env) evidenceAddCommand() *cobra.Command {
	var database, file, kind, period, bridge string
	var ev remit.Evidence
	var supports, carveOuts, inclusive, cuecs []string
	cmd := &cobra.Command{
		Use:   "add --kind KIND --title TITLE (--file PATH | --url URL) [--supports on:ref]... [SOC 2: --period START/END --carve-out P/O... --inclusive P/O... --cuec ID=TEXT... --bridge-letter DAY]",
		Short: "Add evidence: a file (its type sniffed, its SHA-256 kept) or a link",
		Long: `Add a piece of evidence to the register in --database, with what it supports:
--supports offering:aws/ec2 (the provider's obligations of an offering; add
@catalogue:control for one control), system:ID[@catalogue:control] (our
obligations in a system), obligation:ID (one of ours), control:catalogue:control,
or clause:provider/clause (a clause of a supplier's contract or security aspects
letter).
Kinds: iso-27001, soc2-type-2, cyber-essentials-plus, pci-dss, csa-star,
penetration-test, security-aspects-letter, policy, attestation.

A SOC 2 Type II report also records the period it covers (--period
2025-01-01/2025-12-31), each subservice organisation it carves out as the
offering it is (--carve-out aws/ec2, repeated; an offering the estate does not
have is refused with the nearest one) or each it includes by the inclusive
method (--inclusive aws/ec2), its complementary user entity controls
(--cuec CC-1="Customers review access quarterly", repeated) and the day a bridge
letter covers the gap to (--bridge-letter 2026-03-31).`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ev.Kind = remit.EvidenceKind(kind)
			if period != "" || len(carveOuts) > 0 || len(inclusive) > 0 || len(cuecs) > 0 || bridge != "" {
				soc2 := &remit.SOC2{CarveOuts: carveOuts, Inclusive: inclusive, BridgeUntil: bridge}
				if period != "" {
					start, end, ok := strings.Cut(period, "/")
					if !ok {
						return usagef("--period %q is not START/END: write it as 2025-01-01/2025-12-31", period)
					}
					soc2.PeriodStart, soc2.PeriodEnd = start, end
				}
				for _, c := range cuecs {
					id, text, ok := strings.Cut(c, "=")
					if !ok {
						return usagef("--cuec %q is not ID=TEXT: write it as CC-1=\"Customers review access quarterly\"", c)
					}
					soc2.CUECs = append(soc2.CUECs, remit.CUEC{ID: strings.TrimSpace(id), Text: strings.TrimSpace(text)})
				}
				ev.SOC2 = soc2
			}
			for _, s := range supports {
				sup, err := parseSupport(s)
				if err != nil {
					return err
				}
				ev.Supports = append(ev.Supports, sup)
			}
			var content []byte
			if file != "" {
				info, err := os.Stat(file)
				if err != nil {
					return usagef("--file %s: %v", file, err)
				}
				if info.Size() > remit.MaxEvidenceFile {
					return &remit.ValidationError{Problems: []remit.Problem{{File: file, Message: fmt.Sprintf("the file is %d bytes, over the limit of %d (20 MiB)", info.Size(), remit.MaxEvidenceFile)}}}
				}
				if content, err = os.ReadFile(file); err != nil {
					return usagef("--file %s: %v", file, err)
				}
			}
			return e.withService(cmd, database, true, func(svc *service.Service) error {
				added, err := svc.AddEvidence(cmd.Context(), e.admin(), ev, filepath.Base(file), content)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Added %s: %s\n", added.ID, added.Title)
				if f := added.File; f != nil {
					fmt.Fprintf(e.stdout, "File %s, %d bytes, %s, sha256 %s\n", f.Name, f.Size, f.Type, f.SHA256)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "what it is (required; see above)")
	f.StringVar(&ev.Title, "title", "", "what to call it (required)")
	f.StringVar(&ev.Issuer, "issuer", "", "who issued it")
	f.StringVar(&ev.Scope, "scope", "", "what it covers")
	f.StringVar(&ev.Issued, "issued", "", "the day it was issued, YYYY-MM-DD")
	f.StringVar(&ev.Expires, "expires", "", "the first day it no longer counts, YYYY-MM-DD")
	f.StringVar(&ev.ExpiryReason, "expiry-reason", "", "why it counts for longer than evidence of its kind usually does (required then)")
	f.StringVar(&file, "file", "", "the file to store (up to 20 MiB)")
	f.StringVar(&ev.URL, "url", "", "a link to where it is held, instead of a file")
	f.StringArrayVar(&supports, "supports", nil, "what it supports, on:ref (repeat for several)")
	f.StringVar(&period, "period", "", "SOC 2: the period the report covers, START/END as YYYY-MM-DD")
	f.StringArrayVar(&carveOuts, "carve-out", nil, "SOC 2: a subservice organisation carved out, as the offering it is, provider/offering (repeat for several)")
	f.StringArrayVar(&inclusive, "inclusive", nil, "SOC 2: a subservice organisation the report includes (the inclusive method), as provider/offering (repeat for several)")
	f.StringArrayVar(&cuecs, "cuec", nil, "SOC 2: a complementary user entity control, ID=TEXT (repeat for several)")
	f.StringVar(&bridge, "bridge-letter", "", "SOC 2: the day a bridge letter covers the gap to, YYYY-MM-DD")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) evidenceListCommand() *cobra.Command {
	var database, kind, format string
	var expiring int
	var expired bool
	cmd := &cobra.Command{
		Use:   "list [--expiring DAYS] [--expired] [--kind KIND]",
		Short: "List the evidence register, soonest to expire first",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			if kind != "" && !remit.EvidenceKind(kind).Valid() {
				return usagef("--kind %q is not a kind of evidence: see remit evidence add --help", kind)
			}
			var all []remit.Evidence
			if err := e.withService(cmd, database, false, func(svc *service.Service) error {
				all = svc.Snapshot().AllEvidence()
				return nil
			}); err != nil {
				return err
			}
			today := time.Now().UTC().Format(time.DateOnly)
			limit := time.Now().UTC().AddDate(0, 0, expiring).Format(time.DateOnly)
			all = slices.DeleteFunc(all, func(ev remit.Evidence) bool {
				return (kind != "" && string(ev.Kind) != kind) ||
					(expiring > 0 && (ev.Expires == "" || ev.Expires <= today || ev.Expires > limit)) ||
					(expired && (ev.Expires == "" || ev.Expires > today))
			})
			slices.SortStableFunc(all, func(a, b remit.Evidence) int {
				switch {
				case a.Expires == b.Expires:
					return strings.Compare(a.ID, b.ID)
				case a.Expires == "":
					return 1
				case b.Expires == "":
					return -1
				}
				return strings.Compare(a.Expires, b.Expires)
			})
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if all == nil {
					all = []remit.Evidence{}
				}
				return enc.Encode(all)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tTITLE\tEXPIRES\tCOUNTS")
			for _, ev := range all {
				counts := "yes"
				if !ev.Counts(time.Now()) {
					counts = "no"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.ID, ev.Kind, report.Cell(ev.Title), report.Cell(or(ev.Expires, "never")), counts)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&expiring, "expiring", 0, "only evidence that still counts and expires within this many days")
	cmd.Flags().BoolVar(&expired, "expired", false, "only evidence that has expired")
	cmd.Flags().StringVar(&kind, "kind", "", "only evidence of this kind")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func (e *env) evidenceGetCommand() *cobra.Command {
	var database, out string
	cmd := &cobra.Command{
		Use:   "get ID [-o FILE]",
		Short: "Show a piece of evidence; with -o, write its file after checking its SHA-256",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				if out != "" {
					_, content, err := svc.EvidenceContent(cmd.Context(), a[0])
					if errors.Is(err, remit.ErrIntegrity) {
						return &foundError{err.Error() + ": not written"}
					}
					if err != nil {
						return err
					}
					return os.WriteFile(out, content, 0o600)
				}
				ev, _, err := svc.EvidenceItem(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(ev)
			})
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the evidence's file here (after checking its hash)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) evidenceCoverageCommand() *cobra.Command {
	var database, offering, rationale string
	var covered, notCovered, withdraw bool
	cmd := &cobra.Command{
		Use:   "coverage ID [--offering P/O (--covered | --not-covered) --rationale TEXT | --offering P/O --withdraw]",
		Short: "Show or decide whether evidence covers the fourth parties what it supports rests on",
		Long: `With the evidence's id alone, list the fourth parties — the offerings that
what the evidence supports runs on and rests on for some controls — and what the
evidence says of each: included, named in its scope, carved out, coverage
unknown, or an assessor's decision.

Where the evidence neither includes nor carves a fourth party out, record the
decision: --offering aws/ec2 --covered (it answers for the fourth party's part
too) or --not-covered (it counts as a carve-out: the fourth party needs current
assurance of its own), with --rationale saying what shows it. --withdraw removes
a decision. See doc/assurance.md#the-chain-of-reliance.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			switch {
			case offering == "" && (covered || notCovered || withdraw || rationale != ""):
				return usagef("name the fourth party with --offering provider/offering")
			case offering != "" && !withdraw && covered == notCovered:
				return usagef("say --covered or --not-covered (one of them) for %s", offering)
			case withdraw && (covered || notCovered || rationale != ""):
				return usagef("--withdraw takes --offering alone")
			}
			write := offering != ""
			return e.withService(cmd, database, write, func(svc *service.Service) error {
				ev, version, err := svc.EvidenceItem(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				switch {
				case withdraw:
					if _, err := svc.WithdrawCoverage(cmd.Context(), e.admin(), ev.ID, offering, version); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "Withdrawn: %s is silent on %s again\n", ev.Title, offering)
					return nil
				case write:
					d := remit.CoverageDecision{Offering: offering, Covered: covered, Rationale: rationale}
					if _, err := svc.DecideCoverage(cmd.Context(), e.admin(), ev.ID, d, version); err != nil {
						return err
					}
					what := "covers"
					if !covered {
						what = "does not cover"
					}
					fmt.Fprintf(e.stdout, "Recorded: %s %s %s\n", ev.Title, what, offering)
					return nil
				}
				fps := svc.Snapshot().FourthParties(&ev)
				if len(fps) == 0 {
					fmt.Fprintf(e.stdout, "What %s supports rests on no fourth party.\n", ev.Title)
					return nil
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "FOURTH PARTY\tRELIED ON BY\tCONTROLS\tTHE EVIDENCE SAYS\tWHY")
				for _, f := range fps {
					why := ""
					if d := f.Decision; d != nil {
						why = fmt.Sprintf("%s (%s, %s)", d.Rationale, d.DecidedBy, d.Decided.UTC().Format(time.DateOnly))
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", f.Ref, f.Through.Ref, f.Controls, f.Says, report.Cell(why))
				}
				return tw.Flush()
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&offering, "offering", "", "the fourth party, provider/offering")
	f.BoolVar(&covered, "covered", false, "the evidence covers the fourth party's part")
	f.BoolVar(&notCovered, "not-covered", false, "the evidence does not cover it: treat it as carved out")
	f.StringVar(&rationale, "rationale", "", "what shows it: a section of the report, a clause, an answer")
	f.BoolVar(&withdraw, "withdraw", false, "remove the decision on --offering")
	e.databaseFlag(cmd, &database)
	return cmd
}
