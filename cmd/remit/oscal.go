package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/matrixin"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
)

func (e *env) profileCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "profile", Short: "OSCAL profiles: resolve one into a catalog"}
	cmd.AddCommand(e.profileResolveCommand())
	return cmd
}

func (e *env) catalogueCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "catalogue", Short: "Catalogues: import an OSCAL catalog (or profile) into the database"}
	cmd.AddCommand(e.catalogueImportCommand())
	return cmd
}

// readOSCAL reads an OSCAL catalog, or resolves a profile, from a file.
func readOSCAL(file, catalog string, now time.Time) (*oscal.Catalog, oscal.Kind, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, "", usagef("%v", err)
	}
	kind, err := oscal.Sniff(file, data)
	if err != nil {
		return nil, "", err
	}
	switch kind {
	case oscal.KindCatalog:
		c, err := oscal.ReadCatalog(file, data)
		return c, kind, err
	case oscal.KindProfile:
		p, err := oscal.ReadProfile(file, data)
		if err != nil {
			return nil, kind, err
		}
		c, err := oscal.Resolve(p, oscal.FileSource(file, p, catalog, now), now)
		return c, kind, err
	}
	return nil, kind, &oscal.Error{File: file, Message: fmt.Sprintf("this is an OSCAL %s: give a catalog or a profile", kind)}
}

func (e *env) profileResolveCommand() *cobra.Command {
	var catalog, out, version, format string
	cmd := &cobra.Command{
		Use:   "resolve PROFILE [--catalog FILE] [-o OUT] [--oscal-version V] [--format json|yaml|xml]",
		Short: "Resolve an OSCAL profile into the catalog it selects and tailors",
		Long: `Resolve the OSCAL JSON profile PROFILE: the controls its imports select
(include-all, include-controls by id or pattern, with or without child
controls, exclude-controls), arranged as its merge says (as-is or flat;
combine use-first, merge or keep) and tailored by its modify (set-parameters,
alters). Imports are read from --catalog FILE when given, otherwise from the
files their hrefs name beside the profile (remote addresses are not fetched).
The resolved catalog is written as OSCAL JSON to OUT or standard output.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if !slices.Contains(oscal.Versions, version) {
				return usagef("--oscal-version %q is not one Remit writes: use %s", version, strings.Join(oscal.Versions, ", "))
			}
			data, err := os.ReadFile(a[0])
			if err != nil {
				return usagef("%v", err)
			}
			p, err := oscal.ReadProfile(a[0], data)
			if err != nil {
				return err
			}
			now := time.Now()
			c, err := oscal.Resolve(p, oscal.FileSource(a[0], p, catalog, now), now)
			if err != nil {
				return err
			}
			doc, err := oscal.Marshal(oscal.KindCatalog, c)
			if err != nil {
				return err
			}
			if doc, err = oscal.Render(doc, version, format); err != nil {
				return usagef("%v", err)
			}
			n := 0
			c.Walk(func(*oscal.Control, []string, *oscal.Control) bool { n++; return true })
			if out == "" {
				_, err = e.stdout.Write(doc)
				return err
			}
			if err := os.WriteFile(out, doc, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Resolved %s: %d controls, written to %s\n", a[0], n, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&catalog, "catalog", "", "the catalog every import is read from")
	cmd.Flags().StringVar(&version, "oscal-version", oscal.Version, "the OSCAL version the resolved catalog declares: "+strings.Join(oscal.Versions, ", "))
	cmd.Flags().StringVar(&format, "format", "json", "the form to write: "+strings.Join(oscal.Formats, " or "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default standard output)")
	return cmd
}

var nonID = regexp.MustCompile(`[^a-z0-9._-]+`)

// catalogueID makes an id from a file name: nist-800-53.json → nist-800-53.
func catalogueID(file string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	return strings.Trim(nonID.ReplaceAllString(base, "-"), "-._")
}

func (e *env) catalogueImportCommand() *cobra.Command {
	var database, id, catalog string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE [--id ID] [--catalog FILE] [--dry-run]",
		Short: "Import an OSCAL catalog, or a resolved profile, as a catalogue",
		Long: `Import the OSCAL JSON catalog FILE into the database as a catalogue (its id
from --id, or the file's name): every control and enhancement that is not
withdrawn, with its statement (parameters shown as assignments, selections or
their values) and an area where its family gives one; controls no area
could be inferred for are listed, to set (until then each is assumed ours).
FILE may be a profile: it is resolved first (--catalog names the catalog its
imports read), so a system's baseline can be the profile's controls
(baseline: catalogue: ID, all: true). The plan is shown and applied in one
transaction; importing the same file again changes nothing. With --dry-run,
only the plan.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			now := time.Now()
			c, kind, err := readOSCAL(a[0], catalog, now)
			if err != nil {
				return err
			}
			if id == "" {
				id = catalogueID(a[0])
			}
			cat, rep := oscal.ToCatalogue(c, id)
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				// The version read now is quoted: a change anyone makes
				// meanwhile is a conflict, never overwritten.
				var version int64
				if old, ok := svc.Snapshot().Catalogue(id); ok {
					if old.BuiltIn {
						return usagef("--id %s is a built-in catalogue: import under another id", id)
					}
					if version, err = svc.CatalogueVersion(cmd.Context(), id); err != nil {
						return err
					}
				}
				plan, _, kept, err := svc.ImportCatalogue(cmd.Context(), e.admin(), cat, version, dryRun)
				if err != nil {
					return err
				}
				if kept > 0 {
					fmt.Fprintf(e.stdout, "Kept the area set earlier for %d controls.\n", kept)
				}
				from := "catalog"
				if kind == oscal.KindProfile {
					from = "profile (resolved)"
				}
				fmt.Fprintf(e.stdout, "Catalogue %s from the OSCAL %s: %d controls (%d withdrawn left out).\n", id, from, rep.Controls, len(rep.Withdrawn))
				var noArea []string
				stored := cat
				if c, ok := svc.Snapshot().Catalogue(id); ok && !dryRun {
					stored = *c
				}
				for _, ctl := range stored.Controls {
					if ctl.Area == "" {
						noArea = append(noArea, ctl.ID)
					}
				}
				if len(noArea) > 0 {
					shown := noArea[:min(len(noArea), 12)]
					more := ""
					if len(noArea) > len(shown) {
						more = fmt.Sprintf(" and %d more", len(noArea)-len(shown))
					}
					fmt.Fprintf(e.stdout, "No area could be inferred for %d controls — set one (until then each is assumed ours): %s%s\n", len(noArea), strings.Join(shown, ", "), more)
				}
				return e.printPlan(plan, dryRun)
			})
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the catalogue's id (default from the file name)")
	cmd.Flags().StringVar(&catalog, "catalog", "", "when FILE is a profile, the catalog its imports read")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	e.databaseFlag(cmd, &database)
	return cmd
}

// exportSubcommands are the documents remit export writes besides a
// workspace folder.
func (e *env) exportSubcommands() []*cobra.Command {
	return []*cobra.Command{
		e.exportDocCommand("ssp --system ID [-o OUT]", "Write a system's OSCAL system security plan (JSON)",
			`Write the OSCAL system security plan of a system: a component for the system
and for each offering it relies on (directly or through a fourth party), a
leveraged authorization per provider (dated by its latest signed-off supplier
assessment), and per control its class, what each offering provides (as
inherited) and what is ours (as satisfied), with the implementation status
from our tracking and the assurance of each part.`, "system", true,
			func(ctx context.Context, svc *service.Service, arg string, now time.Time) ([]byte, string, error) {
				doc, err := svc.Snapshot().SSP(arg, now)
				return doc, "the system security plan of " + arg, err
			}),
		e.exportCRMCommand(),
		e.exportDocCommand("component-definition --offering P/O [-o OUT]", "Write an offering's model as an OSCAL component definition (JSON)",
			`Write the shared responsibility model of an offering as an OSCAL component
definition, for providers and other tools: one component with, per catalogue,
a control implementation whose requirements carry our class (a namespaced
property), what the provider does (description) and what the customer must
do (remarks). remit offering import reads it back.`, "offering", true,
			func(ctx context.Context, svc *service.Service, arg string, now time.Time) ([]byte, string, error) {
				doc, err := svc.Snapshot().ComponentDefinition(arg, now)
				return doc, "the component definition of " + arg, err
			}),
		e.exportDocCommand("assessment-results --assessment ID [-o OUT]", "Write a supplier assessment or SAT as OSCAL assessment results (JSON)",
			`Write a supplier assessment (sa-…) or a Standards Assurance Table (sat-…) as
OSCAL assessment results: what it reviewed, an observation and a finding per
principle or objective (satisfied or not), and the findings raised from it
as risks.`, "assessment", true,
			func(ctx context.Context, svc *service.Service, arg string, now time.Time) ([]byte, string, error) {
				doc, err := svc.AssessmentResults(ctx, arg, now)
				return doc, "the assessment results of " + arg, err
			}),
		e.exportDocCommand("poam [--system ID] [-o OUT]", "Write the plan of action and milestones (OSCAL JSON) from open findings and risks",
			`Write an OSCAL plan of action and milestones: the register's risks not closed
(accepted ones as approved deviations) and an item for each open finding and
each risk still to treat — for the estate, or for one system.`, "system", false,
			func(ctx context.Context, svc *service.Service, arg string, now time.Time) ([]byte, string, error) {
				doc, err := svc.POAM(ctx, arg, now)
				return doc, "the plan of action and milestones", err
			}),
	}
}

// exportDocCommand is an export of one document named by one flag.
func (e *env) exportDocCommand(use, short, long, flag string, required bool,
	write func(ctx context.Context, svc *service.Service, arg string, now time.Time) ([]byte, string, error)) *cobra.Command {
	var database, arg, out, version, format string
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if required && arg == "" {
				return usagef("--%s is required", flag)
			}
			if !slices.Contains(oscal.Versions, version) {
				return usagef("--oscal-version %q is not one Remit writes: use %s", version, strings.Join(oscal.Versions, ", "))
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				doc, what, err := write(cmd.Context(), svc, arg, time.Now())
				if err != nil {
					return err
				}
				if doc, err = oscal.Render(doc, version, format); err != nil {
					return usagef("%v", err)
				}
				return e.writeOut(out, doc, what)
			})
		},
	}
	cmd.Flags().StringVar(&arg, flag, "", "the "+flag)
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default standard output)")
	cmd.Flags().StringVar(&version, "oscal-version", oscal.Version, "the OSCAL version the document declares: "+strings.Join(oscal.Versions, ", "))
	cmd.Flags().StringVar(&format, "format", "json", "the form to write: "+strings.Join(oscal.Formats, " or "))
	e.databaseFlag(cmd, &database)
	return cmd
}

// writeOut writes data to out, or to standard output when out is "".
func (e *env) writeOut(out string, data []byte, what string) error {
	if out == "" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Wrote %s to %s\n", what, out)
	return nil
}

func (e *env) exportCRMCommand() *cobra.Command {
	var database, system, out, format string
	cmd := &cobra.Command{
		Use:   "crm --system ID --format xlsx|csv [-o OUT]",
		Short: "Write a system's Customer Responsibility Matrix as XLSX or CSV",
		Long: `Write the Customer Responsibility Matrix of a system: per control its class,
what the providers do, what we must do, the owner, status and due date of
our part, and how far the control is assured.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if system == "" {
				return usagef("--system is required: name a system id")
			}
			if format != "xlsx" && format != "csv" {
				return usagef("--format %q is not known: use xlsx or csv", format)
			}
			if format == "xlsx" && out == "" {
				return usagef("--format xlsx needs -o FILE: a workbook is not written to a terminal")
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				data, _, _, err := svc.Snapshot().CRM(system, format, time.Now())
				if err != nil {
					return err
				}
				return e.writeOut(out, data, "the responsibility matrix of "+system)
			})
		},
	}
	cmd.Flags().StringVar(&system, "system", "", "the system (required)")
	cmd.Flags().StringVar(&format, "format", "csv", "xlsx or csv")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default standard output; required for xlsx)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) offeringCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "offering", Short: "Offerings: import a provider's responsibility matrix, or measure it by its own POA&M or assessment results"}
	cmd.AddCommand(e.offeringImportCommand(), e.offeringFindingsCommand())
	return cmd
}

func (e *env) offeringImportCommand() *cobra.Command {
	var database, format, mapping, catalogue, name, offName, model string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import PROVIDER/OFFERING FILE [--format oscal-ssp|component-definition|csv|xlsx|caiq] [--map …] [--catalogue ID] [--dry-run]",
		Short: "Import a provider's responsibility matrix as an offering's statements",
		Long: `Make the statements of PROVIDER/OFFERING those of a provider's matrix:
  oscal-ssp             an OSCAL SSP's export: provided only → inherited,
                        provided and responsibilities → shared,
                        responsibilities only → organisation-specific
  component-definition  an OSCAL component definition as Remit writes it
  csv, xlsx             a sheet with --map control=…,class=…,provider=…,customer=…
                        (each a header or a column letter; sheet=… for a
                        workbook); classes as ours or provider/customer/CSP/CSC
  caiq                  the CSA CAIQ v4 workbook: Question ID, SSRM Control
                        Ownership, CSP Implementation Description, CSC
                        Responsibilities (CSP-owned and 3rd-party outsourced →
                        inherited, Shared CSP and CSC → shared, CSC-owned →
                        organisation-specific, N/A → not-applicable)
Controls are those of --catalogue (needed unless the file names them, as a
component definition does). A new offering needs --service-model (and --name; a new provider --provider-name).
The plan is shown and applied in one transaction; on any bad row or cell,
each is named by its row and column, and nothing is written.`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := remit.ParseOfferingRef(a[0]); err != nil {
				return usagef("%v", err)
			}
			file := a[1]
			if format == "" {
				switch strings.ToLower(filepath.Ext(file)) {
				case ".csv":
					format = "csv"
				case ".xlsx":
					format = "xlsx"
				case ".json":
					format = "oscal-ssp"
				}
			}
			if !slices.Contains(matrixin.Formats, format) {
				return usagef("--format %q is not known: use %s", format, strings.Join(matrixin.Formats, ", "))
			}
			var m matrixin.Mapping
			switch {
			case matrixin.NeedsMapping(format):
				var err error
				if m, err = matrixin.ParseMapping(mapping); err != nil {
					return usagef("%v", err)
				}
			case format == "component-definition":
				var err error
				if m, err = matrixin.ParseComponentMapping(mapping); err != nil {
					return usagef("%v", err)
				}
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return usagef("%v", err)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				sn := svc.Snapshot()
				var cat remit.Catalogue
				if matrixin.NeedsCatalogue(format) || catalogue != "" {
					c, ok := sn.Catalogue(catalogue)
					if !ok {
						var ids []string
						for _, c := range sn.Catalogues() {
							ids = append(ids, c.ID)
						}
						switch {
						case len(ids) == 0:
							return usagef("the database holds no catalogue yet: import the one the matrix is written against first (remit catalogue import FILE --id ID), then name it with --catalogue ID")
						case catalogue == "":
							return usagef("--catalogue is required for the %s format: name the catalogue the matrix is written against, one of %s", format, strings.Join(ids, ", "))
						}
						return usagef("--catalogue %q is not a catalogue of the database: use one of %s%s", catalogue, strings.Join(ids, ", "), didYouMean(catalogue, ids))
					}
					cat = *c
				}
				sts, assumed, err := matrixin.Read(format, file, data, m, cat, svc.DefaultClasses(a[0], remit.ServiceModel(model)))
				if err != nil {
					return err
				}
				// The offering's version as read now is quoted: what anyone
				// changes meanwhile is a conflict, never overwritten.
				var version int64
				if _, ok := sn.Offering(a[0]); ok {
					if _, version, err = svc.Offering(cmd.Context(), a[0]); err != nil {
						return err
					}
				}
				plan, _, err := svc.ImportOffering(cmd.Context(), e.admin(), a[0], sts, remit.NewOffering{ProviderName: name, Name: offName, ServiceModel: remit.ServiceModel(model)}, version, dryRun)
				var ve *remit.ValidationError
				if errors.As(err, &ve) && slices.ContainsFunc(ve.Problems, func(p remit.Problem) bool {
					return p.Pointer == "/provider_name" || p.Pointer == "/service_model"
				}) {
					return usagef("%s (--provider-name, --name, --service-model)", ve.Problems[0].Message)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d statements for %s from %s (%s): %s.\n", len(sts), a[0], file, format, classCounts(sts))
				if assumed > 0 {
					which := fmt.Sprintf("the classes of all %d were", assumed)
					if assumed == 1 {
						which = "the class of its one statement was"
					}
					fmt.Fprintf(e.stdout, "The file states no responsibility: %s assumed from the offering's service-model default (doc/oscal.md#providers-matrices-in). Check them, or name the property that holds the responsibility with --map class=NAME.\n", which)
				}
				return e.printPlan(plan, dryRun)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "oscal-ssp, component-definition, csv, xlsx or caiq (default from the file's extension)")
	f.StringVar(&mapping, "map", "", "for csv and xlsx: control=…,class=…,provider=…,customer=…[,sheet=…]; for a component definition: [class=PROPERTY][,component=TITLE]")
	f.StringVar(&catalogue, "catalogue", "", "the catalogue the matrix's controls are in (for a component definition another tool wrote; Remit's own name theirs)")
	f.StringVar(&name, "provider-name", "", "the provider's name, when it is new")
	f.StringVar(&model, "service-model", "", "the offering's service model, when it is new")
	f.StringVar(&offName, "name", "", "the offering's name, when it is new (default its id)")
	f.BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	e.databaseFlag(cmd, &database)
	return cmd
}

// classCounts says how many statements there are of each class.
func classCounts(sts []remit.Statement) string {
	n := map[remit.Class]int{}
	for _, st := range sts {
		n[st.Class]++
	}
	var parts []string
	for _, c := range []remit.Class{remit.Inherited, remit.Shared, remit.OrganisationSpecific, remit.NotApplicable} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
