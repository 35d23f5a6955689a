package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// starter is the workspace remit init writes: small, valid, and showing
// each kind of file.
var starter = []struct{ name, text string }{
	{"remit.yaml", `# Remit workspace. See doc/workspace.md for the format.
name: My estate
organisation: My organisation
# Built-in catalogues to load; your own go in catalogues/.
catalogues: [srm, ncsc-csp]
# Built-in provider models to load; your own go in providers/.
providers: [aws, microsoft, github, google]
`},
	{"providers/example-saas.yaml", `# A provider model of your own: one file per provider.
id: example-saas
name: Example SaaS Ltd
offerings:
  - id: helpdesk
    name: Example Helpdesk
    service_model: saas
    source:
      title: Example Helpdesk security overview
      url: https://example.com/security
      version: "2026"
      date: 2026-01-01
    statements:
      - control: srm:SRM-01
        class: inherited
        provider: Runs the service in certified data centres.
      - control: srm:SRM-11
        class: organisation-specific
        customer: Create, review and remove user accounts; require multi-factor sign-in.
`},
	{"systems/example.yaml", `# A system of yours: one file per system.
id: example
name: Example service
owner: Alex Example
team: example-team
classification: OFFICIAL
baseline:
  catalogue: srm
  controls: all
uses:
  - offering: aws/ec2
    purpose: Application servers
  - offering: example-saas/helpdesk
    purpose: Support desk
`},
}

func (e *env) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new workspace with an example provider and system",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			dir := a[0]
			entries, err := os.ReadDir(dir)
			switch {
			case err == nil && len(entries) > 0:
				return usagef("%s is not empty: init writes a new workspace into an empty or new folder", dir)
			case err != nil && !errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("init: %w", err)
			}
			for _, f := range starter {
				path := filepath.Join(dir, filepath.FromSlash(f.name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return fmt.Errorf("init: %w", err)
				}
				if err := os.WriteFile(path, []byte(f.text), 0o644); err != nil {
					return fmt.Errorf("init: %w", err)
				}
			}
			if err := os.MkdirAll(filepath.Join(dir, "catalogues"), 0o755); err != nil {
				return fmt.Errorf("init: %w", err)
			}
			fmt.Fprintf(e.stdout, "Created workspace %s. Next:\n  remit validate %s\n  remit matrix %s --system example\n  remit obligations %s\n", dir, dir, dir, dir)
			return nil
		},
	}
}
