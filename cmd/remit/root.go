package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/workspace"
)

// env is what every command may use; nothing reaches for globals.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run is the whole program: main only maps its error to an exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	stdout, stderr = termSafe{stdout}, termSafe{stderr}
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "remit",
		Short: "Shared responsibility models: who runs each control, and what is still ours",
		Long: `Remit computes, for every system, which controls its providers run (inherited),
which are split (shared) and which are the organisation's alone
(organisation-specific), and above all what is still ours.

Exit codes: 0 ok; 1 a check found something; 2 bad usage or bad input;
3 anything else failed (the database could not be opened, a file not written).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef("%v", err) })
	root.AddCommand(
		e.initCommand(),
		e.validateCommand(),
		e.matrixCommand(),
		e.obligationsCommand(),
		e.coverageCommand(),
		e.mappingCommand(),
		e.explainCommand(),
		e.diffCommand(),
		e.graphCommand(),
		e.importCommand(),
		e.exportCommand(),
		e.auditCommand(),
		e.serveCommand(),
		e.userCommand(),
		e.evidenceCommand(),
		e.assessCommand(),
		e.supplierCommand(),
		e.riskCommand(),
		e.catalogueCommand(),
		e.profileCommand(),
		e.offeringCommand(),
		e.systemCommand(),
		e.generateCommand(),
		e.versionCommand(),
		e.backupCommand(),
		e.restoreCommand(),
		e.healthCommand(),
		e.checksCommand(),
	)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && cmd != nil && isCobraUsage(err) {
		return usagef("%v", err)
	}
	return err
}

// isCobraUsage recognises cobra's own argument and command errors, which
// are usage errors but come back as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "unknown flag", "unknown shorthand", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// args wraps a cobra argument check so its failure is a usage error.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usagef("%s: %v", cmd.CommandPath(), err)
		}
		return nil
	}
}

// load reads and validates a workspace and builds its estate.
func load(dir string) (*engine.Estate, error) {
	ws, err := workspace.Load(dir)
	if err != nil {
		return nil, err
	}
	return engine.New(ws, content.Defaults())
}

// system finds a system by id, suggesting the closest on a typo.
func system(e *engine.Estate, id string) (int32, error) {
	if id == "" {
		return 0, usagef("--system is required: name a system id")
	}
	si, ok := e.SystemIndex(id)
	if !ok {
		ids := make([]string, e.NumSystems())
		for i, s := range e.Systems() {
			ids[i] = s.System.ID
		}
		hint := ""
		if c := remit.Closest(id, ids); c != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", c)
		}
		return 0, usagef("no system %q in the workspace%s; systems are %s", id, hint, strings.Join(ids, ", "))
	}
	return si, nil
}

// format checks a --format value.
func format(f string, allowed []string) error {
	if !slices.Contains(allowed, f) {
		return usagef("--format %q is not known: use one of %s", f, strings.Join(allowed, ", "))
	}
	return nil
}
