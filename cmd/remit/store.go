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

	"remit/internal/postgres"
	"remit/internal/remit"
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

// openStore opens the store a --database value names.
func openStore(ctx context.Context, database string) (remit.Store, error) {
	switch {
	case strings.HasPrefix(database, "postgres://"), strings.HasPrefix(database, "postgresql://"):
		return postgres.Open(ctx, database)
	case database == "":
		return nil, usagef("--database is empty: give a SQLite file or a postgres:// URL")
	}
	return sqlite.Open(ctx, strings.TrimPrefix(database, "sqlite:"))
}

// actor is who the audit trail records for a CLI change.
func (e *env) actor() string {
	if u := e.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
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
			s, err := openStore(cmd.Context(), database)
			if err != nil {
				return err
			}
			defer s.Close()
			plan, err := remit.Import(cmd.Context(), s, ws, e.actor(), time.Now(), dryRun)
			if err != nil {
				return err
			}
			return e.printPlan(plan, dryRun)
		},
	}
	e.databaseFlag(cmd, &database)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the plan and write nothing")
	return cmd
}

// changeWorkspace applies edit to the database's workspace as remit
// import would: the whole workspace validated, the plan shown, one
// transaction (none with dryRun).
func (e *env) changeWorkspace(cmd *cobra.Command, database string, dryRun bool, edit func(ws *remit.Workspace) error) error {
	s, err := openStore(cmd.Context(), database)
	if err != nil {
		return err
	}
	defer s.Close()
	ws, err := remit.Export(cmd.Context(), s)
	if err != nil {
		return err
	}
	if err := edit(ws); err != nil {
		return err
	}
	plan, err := remit.Import(cmd.Context(), s, ws, e.actor(), time.Now(), dryRun)
	if err != nil {
		return err
	}
	return e.printPlan(plan, dryRun)
}

func (e *env) printPlan(plan remit.Plan, dryRun bool) error {
	if plan.Empty() {
		_, err := fmt.Fprintln(e.stdout, "Nothing to change: the database already holds this workspace.")
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tCREATE\tUPDATE\tDELETE")
	for _, k := range remit.WorkspaceKinds {
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
			s, err := openStore(cmd.Context(), database)
			if err != nil {
				return err
			}
			defer s.Close()
			ws, err := remit.Export(cmd.Context(), s)
			if err != nil {
				return err
			}
			if err := workspace.Write(dir, ws); err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "Exported %s: %d catalogues, %d providers, %d systems.\n", dir, len(ws.Catalogues), len(ws.Providers), len(ws.Systems))
			return err
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
			s, err := openStore(cmd.Context(), database)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := remit.VerifyAudit(cmd.Context(), s)
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
		},
	}
	e.databaseFlag(verify, &database)
	audit.AddCommand(verify)
	return audit
}
