package workspace

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"remit/internal/content"
	"remit/internal/remit"
)

// TestReadQuestionnaire: the built-in template written out reads back the
// same; an unknown key, bad YAML and a problem the validation finds are
// each named with their line.
func TestReadQuestionnaire(t *testing.T) {
	builtIn := content.SupplierQuestionnaire()
	got, err := ReadQuestionnaire("ncsc.yaml", QuestionnaireFile(builtIn))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(builtIn, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"unknown key", "template: own\nversion: 1\ntitle: Own\ncolour: red\n", "own.yaml:4: line 4: field colour is not known"},
		{"syntax", "template: own\n  version: [1\n", "own.yaml:2: YAML syntax"},
		{"empty", "", "own.yaml: the file is empty"},
		{"a bad question", "template: own\nversion: 1\ntitle: Own\nprinciples:\n  - control: own:P1\n    title: One\n    questions:\n      - id: q1\n        text: Is it?\n        type: yes-or-no\n",
			`own.yaml:10: type "yes-or-no" is not known`},
	} {
		_, err := ReadQuestionnaire("own.yaml", []byte(c.yaml))
		var ve *remit.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Problems[0].String(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// FuzzReadQuestionnaire: any bytes give a valid template or problems
// naming the file, never a panic.
func FuzzReadQuestionnaire(f *testing.F) {
	f.Add(QuestionnaireFile(content.SupplierQuestionnaire()))
	f.Add([]byte("template: own\nversion: 1\ntitle: Own\nprinciples:\n  - control: own:P1\n    title: One\n    questions: [{id: q1, text: x, type: choice, options: [a]}]\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := ReadQuestionnaire("f.yaml", data)
		var ve *remit.ValidationError
		switch {
		case err == nil && q == nil:
			t.Fatal("no template and no error")
		case err != nil && !errors.As(err, &ve):
			t.Fatalf("not a validation error: %v", err)
		case err != nil && ve.Problems[0].File != "f.yaml":
			t.Fatalf("a problem without its file: %v", ve.Problems[0])
		case err == nil && len(remit.ValidateQuestionnaire(q)) > 0:
			t.Fatal("an invalid template read as valid")
		}
	})
}
