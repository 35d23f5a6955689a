package service

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/workspace"
)

func TestCleanFileName(t *testing.T) {
	if got := cleanFileName("../../etc/pass\x00wd\"x"); !strings.Contains(got, "passwdx") || strings.ContainsAny(got, "/\x00\"") {
		t.Errorf("cleanFileName kept a path or a control character: %q", got)
	}
	if got := cleanFileName(`C:\a\b.pdf`); got != "b.pdf" {
		t.Errorf(`cleanFileName(C:\a\b.pdf) = %q, want b.pdf`, got)
	}
	if got := cleanFileName(""); got != "evidence" {
		t.Errorf(`cleanFileName("") = %q, want evidence`, got)
	}
	if got := cleanFileName(strings.Repeat("é", 300)); len([]rune(got)) != 200 {
		t.Errorf("a 300-character name is cut to %d characters, want 200", len([]rune(got)))
	}
}

// TestTalliesFollowSystems keeps tallies across a deletion (whose index
// goes to the last system) and an addition: what is kept must equal a
// fresh count.
func TestTalliesFollowSystems(t *testing.T) {
	ws, err := workspace.Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	c := engine.NewCache(e)
	var kept tallies
	kept.count(1, c)
	if c, err = c.DeleteSystem(ws.Systems[0].ID); err != nil {
		t.Fatal(err)
	}
	added := ws.Systems[1]
	added.ID, added.Name = "parole", "Parole"
	if c, err = c.PutSystem(&added); err != nil {
		t.Fatal(err)
	}
	var fresh tallies
	if diff := cmp.Diff(fresh.count(1, c), kept.count(1, c)); diff != "" {
		t.Errorf("kept tallies differ from a fresh count (-fresh +kept):\n%s", diff)
	}
}

// TestKindsAreDocumented: doc/storage.md's table lists every kind, in
// order, and nothing else.
func TestKindsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../doc/storage.md")
	if err != nil {
		t.Fatal(err)
	}
	var listed []remit.Kind
	for line := range strings.Lines(string(doc)) {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if kind, _, ok := strings.Cut(rest, "` |"); ok && !strings.Contains(kind, " ") {
				listed = append(listed, remit.Kind(kind))
			}
		}
	}
	if diff := cmp.Diff(Kinds, listed); diff != "" {
		t.Errorf("doc/storage.md's kinds differ from service.Kinds (-code +doc):\n%s", diff)
	}
}

// FuzzExcerpt: a little of any UTF-8 text around any term is whole
// UTF-8, and never longer than the text with its ellipses.
func FuzzExcerpt(f *testing.F) {
	f.Add("Families book visits online, and staff approve each booking.", "visit")
	f.Add("İstanbul office keys are rotated yearly", "rotated")
	f.Add("ПЕНТЕСТ проведён в 2026 году компанией", "2026")
	f.Add("\xff\xfe broken", "broken")
	f.Fuzz(func(t *testing.T, text, q string) {
		terms := remit.SearchTerms(q)
		x := excerpt(terms, text)
		if !utf8.ValidString(text) { // stored text is always UTF-8: only no panic is asked
			return
		}
		if !utf8.ValidString(x) {
			t.Fatalf("excerpt %q of %q is not UTF-8", x, text)
		}
		if len(x) > len(text)+2*len("…") {
			t.Fatalf("excerpt %q is longer than %q", x, text)
		}
	})
}
