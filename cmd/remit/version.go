package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version says which Remit this is, from the build information Go records:
// the module's version (a tag, or "(devel)" for a build from a checkout),
// the VCS revision and time, whether the tree had uncommitted changes, and
// the Go version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "remit (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", with uncommitted changes"
			}
		}
	}
	out := "remit " + v
	if rev != "" {
		out += fmt.Sprintf(" (revision %s, %s%s)", rev, at, dirty)
	}
	return out + ", " + bi.GoVersion
}

func (e *env) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Remit's version, the revision it was built from, and the Go version",
		Args:  args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(e.stdout, version())
			return err
		},
	}
}
