package oscal

import (
	"encoding/xml"
	"strings"
	"testing"
)

// readMarkupString reads XML markup (as markupXML writes it) back into
// nodes.
func readMarkupString(t testing.TB, x string) []*markupNode {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<m>" + x + "</m>"))
	tok, err := dec.Token()
	if err != nil {
		t.Fatalf("markup %q: %v", x, err)
	}
	n, err := readMarkup(dec, tok.(xml.StartElement))
	if err != nil {
		t.Fatalf("markup %q: %v", x, err)
	}
	return n.kids
}

func TestMarkup(t *testing.T) {
	for _, c := range []struct {
		md        string
		multiline bool
		xml       string
	}{
		{"Develop and document {{ insert: param, ac-1_prm_1 }}:", false, `Develop and document <insert type="param" id-ref="ac-1_prm_1"/>:`},
		{"Sample Security Catalog *for Demonstration* and Testing", false, `Sample Security Catalog <em>for Demonstration</em> and Testing`},
		{"a **bold** `code` [AU-2a.](#au-2_smt.a) x~2~ e^x^", false, `a <strong>bold</strong> <code>code</code> <a href="#au-2_smt.a">AU-2a.</a> x<sub>2</sub> e<sup>x</sup>`},
		{"[Assignment: organization-defined frequency] & <b>", false, `[Assignment: organization-defined frequency] &amp; &lt;b&gt;`},
		{"One.\n\nTwo\nlines.", true, `<p>One.</p><p>Two` + "\n" + `lines.</p>`},
		{"Intro:\n\n1. first\n2. second\n   - nested\n\n# Head", true, `<p>Intro:</p><ol><li>first</li><li>second<ul><li>nested</li></ul></li></ol><h1>Head</h1>`},
		{"*  Requires logs\n*  Requires time", true, `<ul><li>Requires logs</li><li>Requires time</li></ul>`},
		{"```\n\nA  |  B\n```", true, "<pre>\nA  |  B</pre>"},
		{"| a | b |\n|---|:-:|\n| 1 | x \\| y |", true, `<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>x | y</td></tr></table>`},
		{"> quoted\n> more", true, "<blockquote><p>quoted\nmore</p></blockquote>"},
		{`Response for the \"This System\" component.`, true, `<p>Response for the &quot;This System&quot; component.</p>`},
		{"![a diagram](diagram.png)", false, `<img alt="a diagram" src="diagram.png"/>`},
	} {
		got := markupXML(c.md, c.multiline)
		if got != c.xml {
			t.Errorf("markupXML(%q)\n got %s\nwant %s", c.md, got, c.xml)
			continue
		}
		back := markdown(readMarkupString(t, got), c.multiline)
		if again := markupXML(back, c.multiline); again != got {
			t.Errorf("%q: back as %q gives\n %s\nnot %s", c.md, back, again, got)
		}
	}
}

// TestMarkupFromXML reads markup as other tools write it: pretty-printed,
// with b/i, thead, q and elements OSCAL does not define.
func TestMarkupFromXML(t *testing.T) {
	for _, c := range []struct{ xml, md string }{
		{"\n      <p>Develop, document,\n        and disseminate <insert type=\"param\" id-ref=\"ac-1_prm_1\"/>:</p>\n      <ol>\n        <li><p>One</p></li>\n        <li>Two <b>bold</b> <i>it</i></li>\n      </ol>\n    ", "Develop, document,\nand disseminate {{ insert: param, ac-1_prm_1 }}:\n\n1. One\n2. Two **bold** *it*"},
		{"<p>A <q>quote</q> and <span>kept text</span> * star [x]</p>", `A "quote" and kept text \* star \[x\]`},
		{"<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1|2</td></tr></tbody></table>", "| A |\n| --- |\n| 1\\|2 |"},
		{"<p># not a heading</p><p>1. not a list</p>", "\\# not a heading\n\n1\\. not a list"},
	} {
		got := markdown(readMarkupString(t, c.xml), true)
		if got != c.md {
			t.Errorf("markdown(%q)\n got %q\nwant %q", c.xml, got, c.md)
		}
	}
}

// FuzzMarkup: any Markdown written as XML, read back as Markdown and
// written again gives the same XML, and that XML is well formed.
func FuzzMarkup(f *testing.F) {
	for _, s := range []string{"a *b* **c** `d` [e](#f) {{ insert: param, x }}", "1. a\n2. b\n   - c", "| a |\n|---|\n| b |", "> q", "```\ncode\n```", `\*not\* [x]`, "# h\n\npara\nline"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, md string, multiline bool) {
		x := markupXML(md, multiline)
		nodes := readMarkupString(t, x)
		back := markdown(nodes, multiline)
		if again := markupXML(back, multiline); again != x {
			t.Fatalf("%q\n -> %s\n -> %q\n -> %s", md, x, back, again)
		}
	})
}
