package service

import (
	"strings"
	"testing"
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
