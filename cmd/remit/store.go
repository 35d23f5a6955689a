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

// withStore opens --database for one command. With an audit key
// configured (REMIT_AUDIT_KEYS or REMIT_AUDIT_KEYS_FILE), every audit
// record the command appends is MACed with it, as the server's are.
func (e *env) withStore(ctx context.Context, database string, create bool, fn func(s remit.Store) error) error {
	keys, err := e.auditKeys()
	if err != nil {
		return err
	}
	s, err := openStore(ctx, database, create)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(service.Signed(s, keys))
}

// auditKeys reads the audit keys from REMIT_AUDIT_KEYS, or the file
// REMIT_AUDIT_KEYS_FILE names; nil when neither is set.
func (e *env) auditKeys() (*service.AuditKeys, error) {
	text := e.getenv("REMIT_AUDIT_KEYS")
	if path := e.getenv("REMIT_AUDIT_KEYS_FILE"); path != "" {
		if text != "" {
			return nil, usagef("REMIT_AUDIT_KEYS and REMIT_AUDIT_KEYS_FILE are both set: use one")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usagef("REMIT_AUDIT_KEYS_FILE: %v", err)
		}
		text = string(data)
	}
	if text == "" {
		return nil, nil
	}
	keys, err := service.ParseAuditKeys(text)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return keys, nil
}

// withService opens --database and its service for one command: the CLI
// makes every change through the same use-cases as the API and the UI.
func (e *env) withService(cmd *cobra.Command, database string, create bool, fn func(svc *service.Service) error) error {
	return e.withStore(cmd.Context(), database, create, func(s remit.Store) error {
		svc, err := service.Open(cmd.Context(), service.Config{Store: s, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), CheckMappings: content.CheckMappings(), StandardClauses: content.SecurityAspectsLetter().Clauses})
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
			return e.withStore(cmd.Context(), database, true, apply)
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
			return e.withStore(cmd.Context(), database, false, func(s remit.Store) error {
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
	audit := &cobra.Command{Use: "audit", Short: "Work with the audit trail: verify it, checkpoint it, make a key for it"}
	audit.AddCommand(e.auditVerifyCommand(), e.auditCheckpointCommand(), e.auditKeygenCommand())
	return audit
}

func (e *env) auditVerifyCommand() *cobra.Command {
	var database, checkpoints string
	cmd := &cobra.Command{
		Use:   "verify [--checkpoints FILE]",
		Short: "Check the audit trail, and that the documents are what it says they are; name the first problem",
		Long: `Check the audit trail: every record follows the one before and matches its
hash; with an audit key (REMIT_AUDIT_KEYS or REMIT_AUDIT_KEYS_FILE), every record
since the trail was keyed carries a valid MAC; with --checkpoints, the trail still
holds every checkpoint's record. Then replay it: every audited document must be
what its last record left it as, every session must come from a recorded
sign-in, every evidence file must match its recorded hash. Exits 1 naming the
first problem.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			keys, err := e.auditKeys()
			if err != nil {
				return err
			}
			check := service.AuditCheck{Keys: keys}
			if checkpoints != "" {
				if check.Checkpoints, err = service.ReadCheckpoints(checkpoints); err != nil {
					var ve *remit.ValidationError
					if errors.As(err, &ve) {
						return err
					}
					return usagef("--checkpoints: %v", err)
				}
			}
			return e.withStore(cmd.Context(), database, false, func(s remit.Store) error {
				rep, err := service.VerifyAudit(cmd.Context(), s, check)
				var broken *remit.AuditBrokenError
				var tampered *service.TamperedError
				switch {
				case errors.As(err, &broken):
					fmt.Fprintf(e.stdout, "%d records check out before the break.\n", rep.Records)
					return &foundError{broken.Error()}
				case errors.As(err, &tampered):
					fmt.Fprintf(e.stdout, "The audit trail is intact (%d records), but a document is not what it says.\n", rep.Records)
					return &foundError{tampered.Error()}
				case err != nil:
					return err
				}
				fmt.Fprintf(e.stdout, "Audit trail intact: %d records, each chained to the one before.\n", rep.Records)
				switch {
				case keys != nil && rep.Keyed == 0 && rep.Records > 0:
					fmt.Fprintln(e.stdout, "Warning: no record carries a MAC: the trail was never keyed, or its MACs were removed (keep checkpoints to tell which).")
				case keys != nil:
					fmt.Fprintf(e.stdout, "Keyed: %d records carry a valid MAC (every record from %d on must).\n", rep.Keyed, rep.KeyedFrom)
				default:
					fmt.Fprintln(e.stdout, "Not keyed: set REMIT_AUDIT_KEYS to check the records' MACs (see doc/security.md).")
				}
				if checkpoints != "" {
					fmt.Fprintf(e.stdout, "Checkpoints: the trail holds all %d.\n", rep.Checkpoints)
				}
				_, err = fmt.Fprintf(e.stdout, "Replayed: %d documents are what their records left them as; %d evidence files match their hashes.\n", rep.Documents, rep.Files)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&checkpoints, "checkpoints", "", "a checkpoint file written by remit audit checkpoint or the server's sweep")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) auditCheckpointCommand() *cobra.Command {
	var database, file string
	cmd := &cobra.Command{
		Use:   "checkpoint --file FILE",
		Short: "Append the audit trail's head (MACed with the audit key) to a file kept outside the database",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if file == "" {
				return usagef("--file is required: the checkpoint file, kept outside the database")
			}
			keys, err := e.auditKeys()
			if err != nil {
				return err
			}
			return e.withStore(cmd.Context(), database, false, func(s remit.Store) error {
				c, err := service.WriteCheckpoint(cmd.Context(), s, keys, file, time.Now())
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "Checkpoint: record %d, hash %s, appended to %s.\n", c.Seq, c.Hash, file)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the checkpoint file (appended to; made if need be)")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) auditKeygenCommand() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "keygen [--id ID]",
		Short: "Print a new audit key, id:base64-secret, for REMIT_AUDIT_KEYS",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if !remit.ValidID(id) {
				return usagef("--id %q is not valid: %s", id, remit.IDRule)
			}
			_, err := fmt.Fprintln(e.stdout, service.NewAuditKey(id))
			return err
		},
	}
	cmd.Flags().StringVar(&id, "id", "k"+time.Now().UTC().Format("20060102"), "the key's id, recorded with every MAC it makes")
	return cmd
}
