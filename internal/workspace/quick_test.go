package workspace

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
	"remit/internal/synth"
)

// sameTree compares what the loader reads from a node tree: kinds,
// scalar values, null-ness, lines, columns and children.
func sameTree(t *testing.T, path string, want, got *yaml.Node) {
	t.Helper()
	if want.Kind != got.Kind || want.Line != got.Line || want.Column != got.Column || isNull(want) != isNull(got) {
		t.Fatalf("%s: general parser gives kind %v at %d:%d (null %v), quick gives kind %v at %d:%d (null %v)",
			path, want.Kind, want.Line, want.Column, isNull(want), got.Kind, got.Line, got.Column, isNull(got))
	}
	if want.Kind == yaml.ScalarNode {
		w, _ := scalarText(want)
		g, _ := scalarText(got)
		if w != g || want.Style&yaml.LiteralStyle != got.Style&yaml.LiteralStyle {
			t.Fatalf("%s: general parser reads %q, quick reads %q", path, w, g)
		}
		return
	}
	if len(want.Content) != len(got.Content) {
		t.Fatalf("%s: general parser has %d children, quick has %d", path, len(want.Content), len(got.Content))
	}
	for i := range want.Content {
		sameTree(t, path+"/"+strconv.Itoa(i), want.Content[i], got.Content[i])
	}
}

// general parses with the general parser, as the loader's fallback does.
func general(t *testing.T, data []byte) (*yaml.Node, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// quickCorpus is every YAML file Remit ships or writes: the quick parser
// must take all of them.
func quickCorpus(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	for _, dir := range []string{"../../examples/justice", "../content"} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".yaml") {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files[path] = data
			}
			return nil
		})
	}
	small := synth.Shape{Name: "T", Systems: 5, Offerings: 4, Controls: 40, Baseline: 10, Uses: 2, Statements: 10, PerProvider: 2}
	for name, data := range Files(synth.Estate(small, 1)) {
		files["synth/"+name] = data
	}
	for name, data := range Files(mustLoad(t, "../../examples/justice")) {
		files["written/"+name] = data
	}
	return files
}

func TestQuickParseMatchesGeneral(t *testing.T) {
	for path, data := range quickCorpus(t) {
		got, ok := quickParse(data)
		if !ok {
			t.Errorf("%s: the quick parser refused a file Remit ships or writes", path)
			continue
		}
		want, err := general(t, data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sameTree(t, path, want, got)
	}
}

func TestQuickParseRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, in := range []string{
		"a: &x 1\nb: *x\n",
		"a: >\n  folded\n",
		"a: plain\n  continued\n",
		"---\na: 1\n",
		"a: 1\n---\nb: 2\n",
		"a:\tb\n",
		"a: \"two\n  lines\"\n",
		"a: [x, [y]]\n",
		"a: {b: }\n",
		"? complex\n: key\n",
		"a: b: c\n",
		"  a: 1\n",
		"a: 1\n b: 2\n",
		"a: 'x'y\n",
		"a: !!str x\n",
		"a: \"\\q\"\n",
		"a: line\u2028separator\n",
		"a: next\u0085line\n",
	} {
		if _, ok := quickParse([]byte(in)); ok {
			t.Errorf("quick parser accepted %q, which is outside its subset", in)
		}
	}
}

// FuzzQuickParse holds the quick parser to the general one: whatever it
// accepts, the general parser must accept too and read the same tree.
func FuzzQuickParse(f *testing.F) {
	for _, data := range quickCorpus(f) {
		f.Add(data)
	}
	f.Add([]byte("a:\n- x\n- y: 1\n  z: [p, 'q', \"r\"]\nb: |\n  lit\n\n   more\nc: {k: v, w: \"x\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := quickParse(data)
		if !ok {
			return
		}
		want, err := general(t, data)
		if err != nil {
			t.Fatalf("quick parser accepted %q, which the general parser rejects: %v", data, err)
		}
		if want == nil {
			t.Fatalf("quick parser found a document in %q where the general parser found none", data)
		}
		sameTree(t, "", want, got)
	})
}

func mustLoad(t testing.TB, dir string) *remit.Workspace {
	ws, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}
