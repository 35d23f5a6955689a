package workspace

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
)

// FuzzLoad feeds arbitrary bytes to the loader as a provider file and a
// system file of an otherwise valid workspace. Whatever the input, Load
// must not panic; it returns either a workspace or a ValidationError whose
// every problem names a file; and a workspace it accepts must survive a
// write and reload unchanged.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base["providers/acme.yaml"]), []byte(base["systems/one.yaml"]))
	f.Add([]byte("id: acme\nname: Acme\nofferings: [{id: vm, name: V, service_model: iaas}]\n"), []byte("id: one\nname: One\nbaseline: {catalogue: local, controls: [L-01]}\n"))
	f.Add([]byte("id: [\n"), []byte("- a\n- b\n"))
	f.Add([]byte("id: acme\nname: \"quoted \\u00e9\"\nofferings:\n  - id: vm\n    name: |\n      block\n      text\n    service_model: saas\n"), []byte("---\n...\n"))
	f.Add([]byte("&a id: *a\n"), []byte("id: !!str 1\n"))
	f.Fuzz(func(t *testing.T, provider, system []byte) {
		files := map[string][]byte{}
		for name, text := range base {
			files[name] = []byte(text)
		}
		files["providers/acme.yaml"] = provider
		files["systems/one.yaml"] = system
		ws, err := LoadFS(mapFS(files), "ws")
		if err != nil {
			var ve *remit.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a ValidationError: %v", err)
			}
			if len(ve.Problems) == 0 {
				t.Fatal("ValidationError with no problems")
			}
			for _, p := range ve.Problems {
				if !strings.HasPrefix(p.File, "ws/") || p.Message == "" {
					t.Fatalf("problem without a file or message: %+v", p)
				}
			}
			return
		}
		again, err := LoadFS(mapFS(Files(ws)), "ws")
		if err != nil {
			t.Fatalf("a valid workspace did not reload after writing: %v", err)
		}
		if diff := cmp.Diff(ws, again); diff != "" {
			t.Fatalf("round trip changed the workspace (-before +after):\n%s", diff)
		}
	})
}
