package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/workspace"
)

func (e *env) mappingCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "mapping", Short: "Control mappings between catalogues, in and out as OSCAL 1.2 mapping collections"}
	var id, out string
	export := &cobra.Command{
		Use:   "export DIR --id ID [-o FILE]",
		Short: "Write a workspace's mappings/ID.yaml as an OSCAL 1.2 mapping-collection (JSON)",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			ws, err := workspace.Load(a[0])
			if err != nil {
				return err
			}
			for _, m := range ws.Mappings {
				if m.ID != id {
					continue
				}
				doc, err := oscal.MappingOf(m, time.Now())
				if err != nil {
					return err
				}
				doc = append(doc, '\n')
				if out == "" {
					_, err = e.stdout.Write(doc)
					return err
				}
				return writeNew(out, doc)
			}
			var ids []string
			for _, m := range ws.Mappings {
				ids = append(ids, m.ID)
			}
			return usagef("%s has no mappings/%s.yaml%s", a[0], id, didYouMean(id, ids))
		},
	}
	export.Flags().StringVar(&id, "id", "", "the mappings file's id (its name without .yaml)")
	export.Flags().StringVarP(&out, "output", "o", "", "write to this file (never overwritten) rather than standard output")
	var dir, as string
	imp := &cobra.Command{
		Use:   "import FILE --workspace DIR [--id ID]",
		Short: "Read an OSCAL mapping-collection into the workspace's mappings/ (validated against the workspace first)",
		Long: `Read an OSCAL 1.2 mapping-collection (JSON) and write each of its mappings as
mappings/ID.yaml in the workspace folder, after checking the workspace with it:
its catalogues and controls must be the workspace's. Relationships other than
equivalent-to, subset-of, superset-of and intersects-with are refused, as are
maps of statements rather than controls. An existing file is never
overwritten; on any problem nothing is written.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if dir == "" {
				return usagef("--workspace is required: the workspace folder to write mappings/ into")
			}
			data, err := os.ReadFile(a[0])
			if err != nil {
				return usagef("%v", err)
			}
			if as == "" {
				as = strings.TrimSuffix(filepath.Base(a[0]), filepath.Ext(a[0]))
			}
			if !remit.ValidID(as) {
				return usagef("--id %q is not valid: %s", as, remit.IDRule)
			}
			ms, err := oscal.ReadMapping(a[0], as, data)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if _, err := os.Stat(filepath.Join(dir, workspace.MappingsDir, m.ID+".yaml")); err == nil {
					return usagef("%s already holds mappings/%s.yaml: choose another --id", dir, m.ID)
				}
			}
			ws, err := workspace.Load(dir)
			if err != nil {
				return err
			}
			ws.Mappings = append(ws.Mappings, ms...)
			if ps := remit.Validate(ws); len(ps) > 0 {
				return &remit.ValidationError{Problems: ps}
			}
			if err := os.MkdirAll(filepath.Join(dir, workspace.MappingsDir), 0o755); err != nil {
				return err
			}
			for _, m := range ms {
				path := filepath.Join(dir, workspace.MappingsDir, m.ID+".yaml")
				if err := writeNew(path, workspace.MappingsFile(&m)); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Wrote %s: %d pairs from %s to %s.\n", path, len(m.Pairs), m.From, m.To)
			}
			return nil
		},
	}
	imp.Flags().StringVar(&dir, "workspace", "", "the workspace folder (required)")
	imp.Flags().StringVar(&as, "id", "", "the mappings file's id (default: the file's name)")
	cmd.AddCommand(export, imp)
	return cmd
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func didYouMean(s string, candidates []string) string {
	if c := remit.Closest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}
