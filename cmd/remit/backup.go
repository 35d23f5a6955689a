package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"remit/internal/sqlite"
)

func isPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

func (e *env) backupCommand() *cobra.Command {
	var database, out string
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "Write a consistent copy of the SQLite database to a new file, while servers run",
		Long: `Write a consistent copy of the SQLite database (--database) to FILE, a new file,
while servers go on using the database. For PostgreSQL, use pg_dump (see
doc/operations.md). remit restore puts a backup back.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("-o is required: the new file to write the backup to")
			}
			if isPostgres(database) {
				return usagef("remit backup copies a SQLite database: for PostgreSQL use pg_dump --format=custom --file=%s %q (doc/operations.md)", out, database)
			}
			if missingFile(database) {
				return usagef("there is no database at %s to back up", strings.TrimPrefix(database, "sqlite:"))
			}
			if err := sqlite.Backup(cmd.Context(), strings.TrimPrefix(database, "sqlite:"), out); err != nil {
				return usagef("%v", err)
			}
			fmt.Fprintf(e.stdout, "Backed up %s to %s.\n", strings.TrimPrefix(database, "sqlite:"), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the new file to write the backup to")
	e.databaseFlag(cmd, &database)
	return cmd
}

func (e *env) restoreCommand() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Make --database a copy of a backup (into a new file: it never overwrites a database)",
		Long: `Check that FILE is a sound Remit database (SQLite's integrity check) and copy it
to --database, which must not exist yet: move the old database aside first.
Then remit audit verify shows that the trail and the documents agree. For
PostgreSQL, use pg_restore (see doc/operations.md).`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if isPostgres(database) {
				return usagef("remit restore writes a SQLite database: for PostgreSQL use pg_restore --dbname=%q %s (doc/operations.md)", database, a[0])
			}
			path := strings.TrimPrefix(database, "sqlite:")
			if err := sqlite.Restore(cmd.Context(), a[0], path); err != nil {
				return usagef("%v", err)
			}
			fmt.Fprintf(e.stdout, "Restored %s to %s. Check it with: remit audit verify --database %s\n", a[0], path, database)
			return nil
		},
	}
	e.databaseFlag(cmd, &database)
	return cmd
}
