package oscal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestXMLModel: the XML model (xmlmodel.json) covers NIST's OSCAL 1.1.3
// JSON schema exactly: every property of every definition, inline ones
// included, has its flag or child, and the model has nothing the schema
// lacks.
func TestXMLModel(t *testing.T) {
	var schema struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(sharedData(t), "schema", "oscal_complete_schema-1.1.3.json")), &schema); err != nil {
		t.Fatal(err)
	}
	m := loadXMLModel()
	var check func(key string, d *xmlDef, s map[string]any)
	check = func(key string, d *xmlDef, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for p, ps := range props {
			if _, ok := d.order[p]; !ok {
				t.Errorf("%s: the schema has %q, the XML model does not", key, p)
				continue
			}
			// An inline definition: its properties are checked under the child.
			sub, _ := ps.(map[string]any)
			if items, ok := sub["items"].(map[string]any); ok {
				sub = items
			}
			if _, nested := sub["properties"]; nested {
				for _, c := range d.Model {
					if c.JSON == p {
						check(key+"/"+p, c.def, sub)
					}
				}
			}
		}
		for k := range d.order {
			if _, ok := props[k]; !ok && (d.Kind == "assembly" || len(props) > 0) {
				t.Errorf("%s: the XML model has %q, the schema does not", key, k)
			}
		}
	}
	n := 0
	for name, s := range schema.Definitions {
		key, ok := strings.CutPrefix(name, "oscal-complete-")
		if !ok || s["properties"] == nil {
			continue
		}
		d := m.Defs[key]
		if d == nil {
			t.Errorf("the schema defines %s, the XML model does not", key)
			continue
		}
		n++
		check(key, d, s)
	}
	for root, key := range m.Roots {
		if m.Defs[key] == nil {
			t.Errorf("root %s: no definition %s", root, key)
		}
	}
	if n < 90 {
		t.Errorf("only %d definitions checked", n)
	}
}

// sameModulo compares two JSON values of definition d, markup by what it
// means (the XML it gives), everything else exactly; it reports where they
// differ.
func sameModulo(d *xmlDef, a, b any, path string) []string {
	if d.Kind == "field" && (d.Value == "markup-line" || d.Value == "markup-multiline") {
		if ao, ok := a.(map[string]any); ok {
			bo, _ := b.(map[string]any)
			return sameFlags(d, ao, bo, path)
		}
		as, aok := a.(string)
		bs, bok := b.(string)
		if !aok || !bok || markupXML(as, d.Value == "markup-multiline") != markupXML(bs, d.Value == "markup-multiline") {
			return []string{fmt.Sprintf("%s: %q became %q", path, a, b)}
		}
		return nil
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return []string{path + ": an object became something else"}
		}
		if d.Kind == "field" {
			return sameFlags(d, av, bv, path)
		}
		var diffs []string
		for k := range joinKeys(av, bv) {
			if k == "$schema" {
				continue
			}
			var child *xmlChild
			for i := range d.Model {
				if d.Model[i].JSON == k {
					child = &d.Model[i]
				}
			}
			if child == nil {
				if fmt.Sprint(av[k]) != fmt.Sprint(bv[k]) {
					diffs = append(diffs, fmt.Sprintf("%s.%s: %v became %v", path, k, av[k], bv[k]))
				}
				continue
			}
			al, aList := av[k].([]any)
			bl, bList := bv[k].([]any)
			if aList || bList {
				if len(al) != len(bl) {
					diffs = append(diffs, fmt.Sprintf("%s.%s: %d items became %d", path, k, len(al), len(bl)))
					continue
				}
				for i := range al {
					diffs = append(diffs, sameModulo(child.def, al[i], bl[i], fmt.Sprintf("%s.%s[%d]", path, k, i))...)
				}
				continue
			}
			diffs = append(diffs, sameModulo(child.def, av[k], bv[k], path+"."+k)...)
		}
		return diffs
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return []string{fmt.Sprintf("%s: %v became %v", path, a, b)}
	}
	return nil
}

func sameFlags(d *xmlDef, a, b map[string]any, path string) []string {
	var diffs []string
	for k := range joinKeys(a, b) {
		if k == d.ValueKey && (d.Value == "markup-line" || d.Value == "markup-multiline") {
			as, _ := a[k].(string)
			bs, _ := b[k].(string)
			if markupXML(as, d.Value == "markup-multiline") != markupXML(bs, d.Value == "markup-multiline") {
				diffs = append(diffs, fmt.Sprintf("%s.%s: %q became %q", path, k, as, bs))
			}
			continue
		}
		if fmt.Sprint(a[k]) != fmt.Sprint(b[k]) {
			diffs = append(diffs, fmt.Sprintf("%s.%s: %v became %v", path, k, a[k], b[k]))
		}
	}
	return diffs
}

func joinKeys(a, b map[string]any) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

func decodeNumbers(t testing.TB, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestXMLRoundTrip: every OSCAL document in ../shared (NIST's resolved
// catalogues, baselines and examples) written as XML reads back as the
// same document — prose the same markup, everything else exactly — and
// writing that again gives the same XML, and its YAML the same JSON;
// Remit reads the XML as it reads the JSON.
func TestXMLRoundTrip(t *testing.T) {
	files := sharedOSCALFiles(t)
	m := loadXMLModel()
	exact, prose := 0, 0
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data := readFile(t, path)
			x, err := ToXML(data)
			if err != nil {
				t.Fatal(err)
			}
			back, err := fromXML(path+".xml", x)
			if err != nil {
				t.Fatalf("the XML written does not read back: %v", err)
			}
			kind, err := Sniff(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if kx, err := Sniff(path+".xml", x); err != nil || kx != kind {
				t.Fatalf("the XML sniffs as %q (%v), the JSON as %q", kx, err, kind)
			}
			a, b := decodeNumbers(t, data), decodeNumbers(t, back)
			root := string(kind)
			if diffs := sameModulo(m.Defs[m.Roots[root]], a[root], b[root], root); len(diffs) > 0 {
				t.Fatalf("JSON → XML → JSON changed %d values, first %s", len(diffs), strings.Join(diffs[:min(5, len(diffs))], "\n"))
			}
			if sameJSON(t, data, back) {
				exact++
			} else {
				prose++
			}
			x2, err := ToXML(back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x, x2) {
				t.Fatal("XML → JSON → XML changed the XML")
			}
			y, err := ToYAML(back)
			if err != nil {
				t.Fatal(err)
			}
			if fromY, err := fromYAML(path+".yaml", y); err != nil || !sameJSON(t, back, fromY) {
				t.Fatalf("XML → JSON → YAML → JSON changed the document (%v)", err)
			}
			switch kind {
			case KindCatalog:
				if _, err := ReadCatalog(path+".xml", x); err != nil {
					t.Fatal(err)
				}
			case KindProfile:
				a, _ := ReadProfile(path, data)
				b, err := ReadProfile(path+".xml", x)
				if err != nil || !sameValue(t, a, b) {
					t.Fatalf("the XML profile reads differently (%v)", err)
				}
			case KindSSP:
				if _, err := ReadSSP(path+".xml", x); err != nil {
					t.Fatal(err)
				}
			case KindComponentDefinition:
				if _, err := ReadComponentDefinition(path+".xml", x); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	t.Logf("%d documents came back byte-for-byte the same JSON, %d the same but for prose spelt canonically", exact, prose)
}

// TestXMLFromAnotherTool reads a catalog as another tool writes XML:
// pretty-printed, prose as markup, a grouped revision history,
// comments, an extension element in another namespace.
func TestXMLFromAnotherTool(t *testing.T) {
	data := readFile(t, filepath.Join("testdata", "xml", "catalog.xml"))
	c, err := ReadCatalog("catalog.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metadata.Title != "Estate *access* controls" {
		t.Errorf("title %q", c.Metadata.Title)
	}
	var ids []string
	c.Walk(func(ctl *Control, _ []string, _ *Control) bool { ids = append(ids, ctl.ID); return true })
	if !slices.Equal(ids, []string{"ac-1", "ac-2", "ac-2.1"}) {
		t.Errorf("controls %v", ids)
	}
	js, err := fromXML("catalog.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"revisions":[{"title":"First issue","published":"2026-01-05T09:00:00Z","version":"1.0"}]`,
		`"prose":"Develop an access policy and review it\n{{ insert: param, ac-1_prm_1 }}:\n\n1. at least **once a year**;\n2. after a *significant* change.\n\n| Role | Reviews |\n| --- | --- |\n| Owner | yearly |"`,
		`"props":[{"name":"sort-id","value":"ac-01"}]`,
		`"select":{"how-many":"one-or-more","choice":["every year","after a change"]}`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("the JSON lacks %s\n%s", want, js)
		}
	}
}

// TestXMLProblems: a bad XML document is refused naming the file, the line
// and what is wrong.
func TestXMLProblems(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"<catalog xmlns=\"" + Namespace + "\" uuid=\"x\">\n  <metadata>\n", "c.xml:3: not well-formed XML: unexpected EOF"},
		{"<catalogue/>", "c.xml:1:13: not an OSCAL document: its root element is <catalogue>, not one of the OSCAL models (assessment-plan, assessment-results, catalog, component-definition, plan-of-action-and-milestones, profile, system-security-plan)"},
		{"<catalog xmlns=\"urn:other\"/>", `c.xml:1:29: <catalog> is in the namespace "urn:other", not OSCAL's (http://csrc.nist.gov/ns/oscal/1.0)`},
		{"<catalog xmlns=\"" + Namespace + "\" uuid=\"x\">\n  <metadata>\n    <titel>x</titel>", "c.xml:3:12: <metadata> cannot hold <titel> (it may hold title, published, last-modified, version, oscal-version, revisions, document-id, prop, link, role, location, party, responsible-party, action, remarks)"},
		{"<catalog xmlns=\"" + Namespace + "\" uuid=\"x\" id=\"y\"/>", `c.xml:1:69: <catalog> has no attribute "id" (it may have uuid)`},
		{"<catalog xmlns=\"" + Namespace + "\">text</catalog>", `c.xml:1:56: <catalog> holds text "text", but only elements (metadata, param, control, group, back-matter)`},
		{"<catalog xmlns=\"" + Namespace + "\"><metadata/><metadata/></catalog>", "c.xml:1:74: <metadata> appears twice, but may appear once"},
	} {
		_, err := Sniff("c.xml", []byte(c.doc))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.doc, err, c.want)
		}
	}
}

// FuzzFromXML: any input is turned into JSON or refused with an Error;
// JSON it gives is written as XML that reads back as the same JSON.
func FuzzFromXML(f *testing.F) {
	f.Add(readFile(f, filepath.Join("testdata", "xml", "catalog.xml")))
	f.Add([]byte(`<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="u"><metadata><title>T <em>x</em></title></metadata><control id="a"><part name="s"><p>x</p></part></control></catalog>`))
	f.Add([]byte(`<plan-of-action-and-milestones uuid="u"><poam-item uuid="i"><title>x</title><description><p>d</p></description></poam-item></plan-of-action-and-milestones>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		js, err := fromXML("f.xml", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		var v any
		if err := json.Unmarshal(js, &v); err != nil {
			t.Fatalf("invalid JSON %s: %v", js, err)
		}
		x, err := ToXML(js)
		if err != nil {
			t.Fatalf("the JSON %s does not write as XML: %v", js, err)
		}
		again, err := fromXML("again.xml", x)
		if err != nil {
			t.Fatalf("the XML written does not read: %v\n%s", err, x)
		}
		if !bytes.Equal(js, again) {
			t.Fatalf("XML → JSON → XML → JSON changed:\n%s\n%s", js, again)
		}
	})
}

// BenchmarkXML writes NIST's resolved MODERATE catalogue as XML and reads
// it back.
func BenchmarkXML(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sharedData(b), "nist-rev5", "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json"))
	if err != nil {
		b.Fatal(err)
	}
	x, err := ToXML(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("write", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := ToXML(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(x)))
		for b.Loop() {
			if _, err := fromXML("m.xml", x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
