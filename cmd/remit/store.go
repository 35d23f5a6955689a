package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/content"
	"remit/internal/memstore"
	"remit/internal/postgres"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

// defaultDatabase is where the embedded store lives unless told otherwise.
const defaultDatabase = "./remit.db"

// databaseFlag adds --database to cmd, defaulting to $REMIT_DATABASE_URL
// and then ./remit.db.
func (e *env) databaseFlag(cmd *cobra.Command, target *string) {
	def := e.getenv("REMIT_DATABASE_URL")
	if def == "" {
		def = defaultDatabase
	}
	cmd.Flags().StringVar(target, "database", def, "database: a SQLite file (path or sqlite:path) or a postgres:// URL (env REMIT_DATABASE_URL)")
}

// openStore opens the store a --database value names. A SQLite file that
// does not exist is made only when create is set (import, serve, user
// add); any other command names the missing file and writes nothing.
func openStore(ctx context.Context, database string, create bool) (remit.Store, error) {
	switch {
	case strings.HasPrefix(database, "postgres://"), strings.HasPrefix(database, "postgresql://"):
		return postgres.Open(ctx, database)
	case database == "":
		return nil, usagef("--database is empty: give a SQLite file or a postgres:// URL")
	}
	path := strings.TrimPrefix(database, "sqlite:")
	if !create && missingFile(database) {
		return nil, usagef("there is no database at %s: load one with remit import DIR --database %s, or name yours with --database (or REMIT_DATABASE_URL)", path, database)
	}
	return sqlite.Open(ctx, path)
}

// missingFile reports whether database names a SQLite file that does not
// exist.
func missingFile(database string) bool {
	if strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") || database == "" {
		return false
	}
	_, err := os.Stat(strings.TrimPrefix(database, "sqlite:"))
	return errors.Is(err, os.ErrNotExist)
}

// withStore opens --database for one command.
func withStore(ctx context.Context, database string, create bool, fn func(s remit.Store) error) error {
	s, err := openStore(ctx, database, create)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// withService opens --database and its service for one command: the CLI
// makes every change through the same use-cases as the API and the UI.
func (e *env) withService(cmd *cobra.Command, database string, create bool, fn func(svc *service.Service) error) error {
	return withStore(cmd.Context(), database, create, func(s remit.Store) error {
		svc, err := service.Open(cmd.Context(), service.Config{Store: s, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives()})
		if err != nil {
			return err
		}
		return fn(svc)
	})
}

// actor is who the audit trail records for a CLI change.
func (e *env) actor() string {
	if u := e.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// admin is who the CLI acts as: whoever runs it holds the database, so an
// admin, named in the audit trail as the operating-system user.
func (e *env) admin() remit.Principal {
	return remit.Principal{Email: e.actor(), Name: e.actor(), Role: remit.RoleAdmin}
}

func (e *env) importCommand() *cobra.Command {
	var database string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import DIR",
		Short: "Load a workspace into the database, in one transaction",
		Long: `Validate the workspace in DIR and make the database hold exactly it: show the
plan (what is created, updated and deleted, per kind) and apply it in one
transaction, with an audit record for every change. Importing the same folder
again changes nothing. With --dry-run, only show the plan. On any problem,
nothing is written.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			ws, err := workspace.Load(a[0])
			if err != nil {
				return err
			}
			apply := func(s remit.Store) error {
				plan, err := service.ImportWorkspace(cmd.Context(), s, e.admin(), ws, time.Now(), dryRun)
				if err != nil {
					return err
				}
				return e.printPlan(plan, dryRun)
			}
			if dryRun && missingFile(database) {
				// A dry run into a database that is not there yet plans
				// against an empty one and still makes no file.
				return apply(memstore.New())
			}
			return withStore(cmd.Context(), database, true, apply)
		},
	}
	e.databaseFlag(cmd, &database)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	return cmd
}

func (e *env) printPlan(plan service.Plan, dryRun bool) error {
	if plan.Empty() {
		_, err := fmt.Fprintln(e.stdout, "Nothing to change: the database already holds this workspace.")
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tCREATE\tUPDATE\tDELETE")
	for _, k := range service.WorkspaceKinds {
		c, u, d := plan.Count(k, "create"), plan.Count(k, "update"), plan.Count(k, "delete")
		if c+u+d > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", k, c, u, d)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verb := "Applied"
	if dryRun {
		verb = "Dry run: would apply"
	}
	_, err := fmt.Fprintf(e.stdout, "%s %d changes.\n", verb, len(plan.Changes))
	return err
}

func (e *env) exportCommand() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "export DIR | export ssp|crm|component-definition …",
		Short: "Write the database's workspace out as a folder of YAML files, or a system's or offering's documents",
		Long: `Write the workspace the database holds into DIR, a new or empty folder, in
Remit's canonical form: exporting, importing into an empty database and
exporting again gives byte-identical files.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			dir := a[0]
			if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
				return usagef("%s is not empty: export writes into a new or empty folder", dir)
			}
			return withStore(cmd.Context(), database, false, func(s remit.Store) error {
				ws, err := service.Export(cmd.Context(), s)
				if err != nil {
					return err
				}
				if err := workspace.Write(dir, ws); err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "Exported %s: %d catalogues, %d providers, %d systems.\n", dir, len(ws.Catalogues), len(ws.Providers), len(ws.Systems))
				return err
			})
		},
	}
	e.databaseFlag(cmd, &database)
	cmd.AddCommand(e.exportSubcommands()...)
	return cmd
}

func (e *env) auditCommand() *cobra.Command {
	var database string
	audit := &cobra.Command{Use: "audit", Short: "Work with the audit trail"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain and name the first broken record",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			return withStore(cmd.Context(), database, false, func(s remit.Store) error {
				n, err := service.VerifyAudit(cmd.Context(), s)
				var broken *remit.AuditBrokenError
				if errors.As(err, &broken) {
					fmt.Fprintf(e.stdout, "%d records check out before the break.\n", n)
					return &foundError{broken.Error()}
				}
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "Audit trail intact: %d records, each chained to the one before.\n", n)
				return err
			})
		},
	}
	e.databaseFlag(verify, &database)
	audit.AddCommand(verify)
	return audit
}
