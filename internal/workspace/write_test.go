package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
)

func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

// TestWriteRoundTrip loads the example estate, writes it, loads what was
// written and writes again: the workspaces are equal and the files are
// byte-identical.
func TestWriteRoundTrip(t *testing.T) {
	ws, err := Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	first := Files(ws)
	again, err := LoadFS(mapFS(first), "written")
	if err != nil {
		t.Fatalf("loading what Write wrote: %v", err)
	}
	if diff := cmp.Diff(ws, again); diff != "" {
		t.Errorf("workspace after a round trip (-before +after):\n%s", diff)
	}
	second := Files(again)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("files differ on the second write (-first +second):\n%s", diff)
	}
	// Only the workspace's own files are written; built-ins are named.
	var names []string
	for name := range first {
		names = append(names, name)
	}
	want := []string{"catalogues/moj-extra.yaml", "checks/estate.yaml", "providers/casetrack.yaml", "remit.yaml"}
	if len(ws.Checks) != 1 || len(ws.Checks[0].Systems) != 3 {
		t.Errorf("checks: %+v", ws.Checks)
	}
	for _, s := range ws.Systems {
		want = append(want, "systems/"+s.ID+".yaml")
	}
	if diff := cmp.Diff(want, names, cmpSorted); diff != "" {
		t.Errorf("written files (-want +got):\n%s", diff)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestScalarQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Amazon EC2", "Amazon EC2"},
		{"srm:SRM-01", "srm:SRM-01"},
		{"https://aws.amazon.com/compliance/", "https://aws.amazon.com/compliance/"},
		{"2026-11-01", "2026-11-01"},
		{"1.10", `"1.10"`},
		{"yes", `"yes"`},
		{"Key: value", `"Key: value"`},
		{"ends with colon:", `"ends with colon:"`},
		{"has # hash", `"has # hash"`},
		{"- dash", `"- dash"`},
		{"two\nlines", `"two\nlines"`},
		{"[bracket]", `"[bracket]"`},
		{"trailing ", `"trailing "`},
		{"it's", "it's"},
		{"commas, and [brackets] inside", "commas, and [brackets] inside"},
		{"a#b", "a#b"},
		{"line\u2028separator", `"line\u2028separator"`},
		{"next\u0085line", `"next\u0085line"`},
		{"bell\a", `"bell\a"`},
	}
	for _, tt := range tests {
		if got := scalar(tt.in); got != tt.want {
			t.Errorf("scalar(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWriteRefusesAnExistingWorkspace(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, RootFile), []byte("name: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, &remit.Workspace{Name: "other"})
	if !errors.Is(err, remit.ErrConflict) {
		t.Fatalf("Write over a workspace: %v, want ErrConflict", err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, RootFile))
	if string(data) != "name: mine\n" {
		t.Errorf("remit.yaml was changed to %q", data)
	}
}
