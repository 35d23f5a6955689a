package main

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// termSafe keeps data from driving the terminal. Names, titles and texts
// come from workspaces, imports and other users: a control character in
// one (an ANSI escape, a carriage return, a bidirectional override)
// could recolour, rewrite or hide what the user reads. Every such
// character is shown as U+FFFD instead; line breaks and tabs, which the
// output's own layout uses, pass. Output that is not UTF-8 text (a
// workbook written to standard output) passes untouched.
type termSafe struct{ w io.Writer }

func (t termSafe) Write(p []byte) (int, error) {
	if plain(p) || !utf8.Valid(p) || bytes.IndexFunc(p, unsafeRune) < 0 {
		return t.w.Write(p)
	}
	out := make([]byte, 0, len(p)+8)
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if unsafeRune(r) {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, p[i:i+n]...)
		}
		i += n
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// plain reports, quickly, that p holds nothing termSafe would replace:
// only printable ASCII, line feeds and tabs, and bytes that cannot start
// a C1 control or a bidirectional mark (those start 0xc2, 0xd8 or 0xe2).
func plain(p []byte) bool {
	for _, b := range p {
		switch {
		case b >= 0x20 && b < 0x7f, b == '\n', b == '\t':
		case b >= 0x80 && b != 0xc2 && b != 0xd8 && b != 0xe2:
		default:
			return false
		}
	}
	return true
}

// unsafeRune reports the characters termSafe replaces: C0 controls other
// than tab and line feed, DEL, C1 controls, and the bidirectional
// formatting characters.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
