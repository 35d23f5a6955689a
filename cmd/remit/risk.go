package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

func (e *env) riskCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "risk", Short: "The risk register: list, record, accept and export risks; proposed risks"}
	cmd.AddCommand(e.riskListCommand(), e.riskAddCommand(), e.riskAcceptCommand(), e.riskExportCommand(), e.riskProposalsCommand())
	return cmd
}

// account is the principal the CLI acts as for a risk decision: the
// named account, with its own role, so the rules are the service's.
func account(cmd *cobra.Command, svc *service.Service, email string) (remit.Principal, error) {
	if email == "" {
		return remit.Principal{}, usagef("--as is required: name the account this is done as (its role decides what it may do)")
	}
	u, err := svc.User(cmd.Context(), email)
	if err != nil {
		return remit.Principal{}, usagef("--as %s: no such account (add it with remit user add)", email)
	}
	return u.Principal(), nil
}

func (e *env) riskFilterFlags(cmd *cobra.Command, f *remit.RiskFilter) {
	fl := cmd.Flags()
	fl.StringVar(&f.Status, "status", "", "only this status: open, treating, accepted, review-due or closed")
	fl.StringVar(&f.Category, "category", "", "only this category")
	fl.StringVar(&f.Owner, "owner", "", "only risks this risk owner owns")
	fl.BoolVar(&f.Above, "above-appetite", false, "only risks above their category's appetite")
	fl.StringVar(&f.Sort, "sort", "residual", "residual, inherent, title or review")
}

func checkRiskFilter(f remit.RiskFilter) error {
	if f.Status != "" && f.Status != string(remit.RiskReviewDue) && !slices.Contains(remit.RiskStatuses, remit.RiskStatus(f.Status)) {
		return usagef("--status %q is not known: use open, treating, accepted, review-due or closed", f.Status)
	}
	if !slices.Contains(remit.RiskSorts, f.Sort) {
		return usagef("--sort %q is not known: use %s", f.Sort, strings.Join(remit.RiskSorts, ", "))
	}
	return nil
}

func (e *env) riskListCommand() *cobra.Command {
	var database, format string
	var f remit.RiskFilter
	var overdue bool
	cmd := &cobra.Command{
		Use:   "list [--status S] [--category C] [--owner EMAIL] [--above-appetite] [--sort residual|inherent|title|review] [--format table|json]",
		Short: "List the register, highest residual score first; with --review-overdue, exit 1 when any review is overdue",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRiskFilter(f); err != nil {
				return err
			}
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				list, settings := svc.Snapshot().RiskList()
				now := time.Now()
				var shown []remit.RegisterEntry
				for _, en := range remit.Register(list, settings, now, f) {
					if !overdue || en.Risk.ReviewOverdue(now) {
						shown = append(shown, en)
					}
				}
				if format == "json" {
					out := make([]*remit.Risk, len(shown))
					for i, en := range shown {
						out[i] = en.Risk
					}
					return e.printJSON(out)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tINHERENT\tRESIDUAL\tBAND\tSTATUS\tOWNER\tREVIEW\tTITLE")
				for _, en := range shown {
					r, band := en.Risk, settings.Band(en.Residual)
					if en.Above {
						band += " (above appetite)"
					}
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, en.Inherent, en.Residual, report.Cell(band), en.Now, report.Cell(or(r.Owner, "-")), report.Cell(or(r.Review, "-")), report.Cell(r.Title))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if overdue && len(shown) > 0 {
					return &foundError{fmt.Sprintf("%d risks are past their review date", len(shown))}
				}
				return nil
			})
		},
	}
	e.riskFilterFlags(cmd, &f)
	cmd.Flags().BoolVar(&overdue, "review-overdue", false, "only risks past their review date (exit 1 if any)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	e.databaseFlag(cmd, &database)
	return cmd
}

// parseRef reads kind:id, as system:prison-visits or control:srm:SRM-01.
func parseRef(flag, s string) (remit.Ref, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return remit.Ref{}, usagef("--%s %q is not kind:id: give system:ID, provider:ID, offering:P/O, control:CATALOGUE:CONTROL, obligation:ID or finding:ID", flag, s)
	}
	return remit.Ref{Kind: kind, ID: id}, nil
}

func (e *env) riskAddCommand() *cobra.Command {
	var database, as, proposal string
	var concerns, counters []string
	var r remit.Risk
	var status string
	cmd := &cobra.Command{
		Use:   "add --as EMAIL (--title TITLE --category C | --proposal ID) [flags]",
		Short: "Record a risk (or adopt a proposed one), scored on the register's scale",
		Long: `Record a risk in the register in --database, as the account --as names (an
editor, assessor, risk owner or admin). Scores are levels of the register's
scale, 1 = lowest (5 × 5 by default): the inherent score is --likelihood ×
the highest of --confidentiality, --integrity and --availability (or
--impact when none is given); the residual score is --residual-likelihood ×
--residual-impact. --concerns and --countermeasure take kind:id, as
system:prison-visits, offering:aws/ec2, control:srm:SRM-01 or obligation:ID.
--proposal ID adopts an open proposal (see remit risk proposals): the risk is
pre-filled from it and linked to its cause; flags given override it.
A risk is accepted only by remit risk accept.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, c := range concerns {
				ref, err := parseRef("concerns", c)
				if err != nil {
					return err
				}
				r.Concerns = append(r.Concerns, ref)
			}
			for _, c := range counters {
				ref, err := parseRef("countermeasure", c)
				if err != nil {
					return err
				}
				r.Countermeasures = append(r.Countermeasures, ref)
			}
			r.Status = remit.RiskStatus(status)
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				p, err := account(cmd, svc, as)
				if err != nil {
					return err
				}
				if proposal != "" {
					pr, err := svc.FindProposal(cmd.Context(), proposal, svc.Now())
					if err != nil {
						return err
					}
					r = adopt(cmd, pr.Risk(), r)
				}
				added, err := svc.AddRisk(cmd.Context(), p, r)
				if err != nil {
					return err
				}
				_, settings := svc.Snapshot().Risks()
				fmt.Fprintf(e.stdout, "Recorded %s: %s\n", added.ID, added.Title)
				fmt.Fprintf(e.stdout, "Inherent %d, residual %d (%s)", added.InherentScore(), added.Residual.Value(), settings.Band(added.Residual.Value()))
				if added.AboveAppetite(settings) {
					fmt.Fprintf(e.stdout, ": above the %s appetite of %d", added.Category, settings.Appetite[added.Category])
				}
				fmt.Fprintln(e.stdout)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&as, "as", "", "the account recording it (required)")
	f.StringVar(&proposal, "proposal", "", "adopt this open proposal")
	f.StringVar(&r.Title, "title", "", "what could go wrong (required)")
	f.StringVar(&r.Description, "description", "", "more about it")
	f.StringVar(&r.Threat, "threat", "", "the threat")
	f.StringVar(&r.Vulnerability, "vulnerability", "", "the vulnerability")
	f.StringVar(&r.Category, "category", "", "its category, one the appetite names (required)")
	f.IntVar(&r.Confidentiality, "confidentiality", 0, "impact on confidentiality, a level of the impact scale")
	f.IntVar(&r.Integrity, "integrity", 0, "impact on integrity")
	f.IntVar(&r.Availability, "availability", 0, "impact on availability")
	f.IntVar(&r.Inherent.Likelihood, "likelihood", 0, "inherent likelihood, before any controls")
	f.IntVar(&r.Inherent.Impact, "impact", 0, "inherent impact, when no C, I or A impact is given")
	f.IntVar(&r.Residual.Likelihood, "residual-likelihood", 0, "likelihood with the countermeasures in place")
	f.IntVar(&r.Residual.Impact, "residual-impact", 0, "impact with the countermeasures in place")
	f.IntVar(&r.Target, "target", 0, "the residual score aimed for")
	f.StringVar(&r.Treatment, "treatment", "", "reduce, transfer or avoid (accept by remit risk accept)")
	f.StringVar(&r.Owner, "owner", "", "the risk owner's email")
	f.StringVar(&r.Review, "review", "", "the next review, YYYY-MM-DD")
	f.StringVar(&status, "status", "", "open (the default) or treating")
	f.BoolVar(&r.LegalBreach, "legal-breach", false, "it would be a breach of law or regulation (it can then never be accepted)")
	f.StringArrayVar(&concerns, "concerns", nil, "what it concerns, kind:id (repeat for several)")
	f.StringArrayVar(&counters, "countermeasure", nil, "an obligation or control that reduces it, kind:id (repeat for several)")
	e.databaseFlag(cmd, &database)
	return cmd
}

// adopt starts from a proposal's pre-filled risk and lays over it what
// the flags set.
func adopt(cmd *cobra.Command, base, flags remit.Risk) remit.Risk {
	changed := cmd.Flags().Changed
	set := func(name string, dst *string, v string) {
		if changed(name) {
			*dst = v
		}
	}
	set("title", &base.Title, flags.Title)
	set("description", &base.Description, flags.Description)
	set("category", &base.Category, flags.Category)
	if changed("likelihood") {
		base.Inherent.Likelihood = flags.Inherent.Likelihood
	}
	if changed("impact") {
		base.Inherent.Impact = flags.Inherent.Impact
	}
	if len(flags.Concerns) > 0 {
		base.Concerns = flags.Concerns
	}
	flags.Title, flags.Description, flags.Category, flags.Inherent, flags.Concerns, flags.Proposal = base.Title, base.Description, base.Category, base.Inherent, base.Concerns, base.Proposal
	return flags
}

func (e *env) riskAcceptCommand() *cobra.Command {
	var database, as, rationale, until string
	var aboveAppetite bool
	cmd := &cobra.Command{
		Use:   "accept ID --as EMAIL --rationale TEXT [--until YYYY-MM-DD]",
		Short: "Accept a risk: a risk owner's recorded decision, returning for review on --until",
		Long: `Accept risk ID as the risk owner --as names, recording why (--rationale)
and until when (--until, default a year from today); on that day it returns
for review. Only a risk owner may accept, and never a risk flagged as a
breach of law or regulation (exit 2).`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				p, err := account(cmd, svc, as)
				if err != nil {
					return err
				}
				if until == "" {
					until = svc.Now().AddDate(1, 0, 0).UTC().Format(time.DateOnly)
				}
				_, version, err := svc.Risk(cmd.Context(), a[0])
				if err != nil {
					return err
				}
				if _, err := svc.AcceptRisk(cmd.Context(), p, a[0], rationale, until, aboveAppetite, version); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Accepted %s by %s until %s\n", a[0], p.Email, until)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "the risk owner accepting it (required)")
	cmd.Flags().StringVar(&rationale, "rationale", "", "why the organisation accepts it (required)")
	cmd.Flags().StringVar(&until, "until", "", "the day it returns for review, YYYY-MM-DD (default a year on)")
	cmd.Flags().BoolVar(&aboveAppetite, "above-appetite", false, "accept a risk whose residual score is above its category's appetite, knowing it is")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) riskExportCommand() *cobra.Command {
	var database, format, out string
	var f remit.RiskFilter
	cmd := &cobra.Command{
		Use:   "export --format xlsx|csv|markdown [-o FILE] [filters]",
		Short: "Export the register as XLSX, CSV or Markdown",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRiskFilter(f); err != nil {
				return err
			}
			if !slices.Contains(report.TableFormats, format) {
				return usagef("--format %q is not known: use xlsx, csv or markdown", format)
			}
			if format == "xlsx" && out == "" {
				return usagef("--format xlsx needs -o FILE: a workbook is not written to a terminal")
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				list, settings := svc.Snapshot().RiskList()
				now := time.Now()
				entries := remit.Register(list, settings, now, f)
				risks := make([]*remit.Risk, len(entries))
				for i, en := range entries {
					risks[i] = en.Risk
				}
				header, rows := report.RiskRegister(risks, settings, now)
				data, _, _, err := report.Table(format, "Risk register", header, rows)
				if err != nil {
					return err
				}
				if out == "" {
					_, err = e.stdout.Write(data)
					return err
				}
				if err := os.WriteFile(out, data, 0o600); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "Wrote %d risks to %s\n", len(rows), out)
				return nil
			})
		},
	}
	e.riskFilterFlags(cmd, &f)
	cmd.Flags().StringVar(&format, "format", "csv", "xlsx, csv or markdown")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default standard output; required for xlsx)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) riskProposalsCommand() *cobra.Command {
	var database, source, format, as, dismiss, reason string
	cmd := &cobra.Command{
		Use:   "proposals [--source ours|assurance|principle|sat|concentration|checks|fourth-party] [--format table|json] [--dismiss ID --reason TEXT --as EMAIL]",
		Short: "List the risks Remit proposes from gaps it can see (neither adopted nor dismissed), or dismiss one",
		Long: `Remit proposes risks, never records them: from our obligations with no owner
or not implemented, provider obligations unassured or stale, supplier
principles not met, SAT objectives with a wide delta, and concentration on
one provider. Adopt one with remit risk add --proposal ID; dismiss one with
--dismiss ID --reason TEXT --as EMAIL: it stays dismissed until its cause
changes.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				now := time.Now()
				if dismiss != "" {
					p, err := account(cmd, svc, as)
					if err != nil {
						return err
					}
					if err := svc.DismissProposal(cmd.Context(), p, dismiss, reason); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "Dismissed %s: it returns only if its cause changes\n", dismiss)
					return nil
				}
				open, err := svc.OpenProposals(cmd.Context(), now)
				if err != nil {
					return err
				}
				open = slices.DeleteFunc(open, func(p remit.Proposal) bool { return source != "" && p.Source != source })
				if format == "json" {
					return e.printJSON(open)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSOURCE\tCATEGORY\tSUGGESTED\tTITLE")
				for _, p := range open {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", report.Cell(p.ID), p.Source, report.Cell(p.Category), p.Suggested.Value(), report.Cell(p.Title))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "%d proposed risks\n", len(open))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "only proposals from this source")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().StringVar(&dismiss, "dismiss", "", "dismiss this proposal")
	cmd.Flags().StringVar(&reason, "reason", "", "why it is dismissed")
	cmd.Flags().StringVar(&as, "as", "", "the account dismissing it")
	e.databaseFlag(cmd, &database)
	return cmd
}
