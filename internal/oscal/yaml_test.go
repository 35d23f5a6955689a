package oscal

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameJSON reports whether two JSON documents hold the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// sameValue reports whether two documents read write the same JSON (raw
// parts kept as they came differ only in spacing).
func sameValue(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return sameJSON(t, x, y)
}

// TestYAMLRoundTrip: every OSCAL document in ../shared (NIST's catalogues,
// baselines and examples) written as YAML reads back as the same JSON,
// key order kept; and Remit reads the YAML form as it reads the JSON.
func TestYAMLRoundTrip(t *testing.T) {
	files := sharedOSCALFiles(t)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data := readFile(t, path)
			y, err := ToYAML(data)
			if err != nil {
				t.Fatal(err)
			}
			back, err := fromYAML(path, y)
			if err != nil {
				t.Fatalf("the YAML written does not read back: %v", err)
			}
			if !sameJSON(t, data, back) {
				t.Fatal("JSON → YAML → JSON changed the document")
			}
			kj, err := Sniff(path, data)
			if err != nil {
				t.Fatal(err)
			}
			ky, err := Sniff(path+".yaml", y)
			if err != nil || ky != kj {
				t.Fatalf("the YAML sniffs as %q (%v), the JSON as %q", ky, err, kj)
			}
			switch kj {
			case KindCatalog:
				a, err := ReadCatalog(path, data)
				if err != nil {
					t.Fatal(err)
				}
				b, err := ReadCatalog(path+".yaml", y)
				if err != nil || !sameValue(t, a, b) {
					t.Fatalf("the YAML catalog reads differently (%v)", err)
				}
			case KindProfile:
				a, _ := ReadProfile(path, data)
				b, err := ReadProfile(path+".yaml", y)
				if err != nil || !sameValue(t, a, b) {
					t.Fatalf("the YAML profile reads differently (%v)", err)
				}
			case KindSSP:
				a, _ := ReadSSP(path, data)
				b, err := ReadSSP(path+".yaml", y)
				if err != nil || !sameValue(t, a, b) {
					t.Fatalf("the YAML SSP reads differently (%v)", err)
				}
			case KindComponentDefinition:
				a, _ := ReadComponentDefinition(path, data)
				b, err := ReadComponentDefinition(path+".yaml", y)
				if err != nil || !sameValue(t, a, b) {
					t.Fatalf("the YAML component definition reads differently (%v)", err)
				}
			}
		})
	}
}

// TestYAMLQuotesWhatWouldChange: strings YAML would read as another type
// (versions, booleans, dates, nulls) are quoted, and multi-line prose is
// kept exactly.
func TestYAMLQuotesWhatWouldChange(t *testing.T) {
	doc := []byte(`{"catalog": {"metadata": {"version": "1.0", "title": "yes", "remarks": "null", "published": "2026-01-01"}, "n": 3, "f": 1.5, "b": true, "z": null, "prose": "line one\nline two:  with a colon\n  indented\n"}}`)
	y, err := ToYAML(doc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := fromYAML("y", y)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, doc, back) {
		t.Errorf("changed:\n%s\n%s", y, back)
	}
	if !strings.Contains(string(y), `version: "1.0"`) {
		t.Errorf("the version is not quoted:\n%s", y)
	}
}

// TestYAMLProblems: bad YAML is named by line; a YAML document whose
// values are of the wrong type is named by the field's path.
func TestYAMLProblems(t *testing.T) {
	_, err := ReadCatalog("c.yaml", []byte("catalog:\n  uuid: x\n  groups: [\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "c.yaml:3: not valid YAML") {
		t.Errorf("bad YAML: %v", err)
	}
	_, err = ReadCatalog("c.yaml", []byte("catalog:\n  uuid: x\n  groups:\n    id: 1\n"))
	if err == nil || err.Error() != "c.yaml: catalog.groups: catalog.groups is a JSON object where OSCAL has a list" {
		t.Errorf("wrong type: %v", err)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	if _, err := Sniff("bomb.yaml", []byte(bomb)); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("an alias bomb: %v", err)
	}
}

// FuzzFromYAML: any input is turned into JSON or refused with an Error,
// never a panic; what it gives is valid JSON.
func FuzzFromYAML(f *testing.F) {
	f.Add([]byte("catalog:\n  uuid: x\n  controls:\n    - id: a\n      title: A\n"))
	f.Add([]byte("a: &a [1, 2]\nb: [*a, *a]\n"))
	f.Add([]byte("- 1\n- true\n- ~\n- 1e400\n"))
	f.Add([]byte("{\"catalog\": 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		js, err := fromYAML("f.yaml", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not an *Error: %T %v", err, err)
			}
			return
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON %q from %q", js, data)
		}
		if y, err := ToYAML(js); err != nil || !bytes.Contains(append(y, 0), []byte{0}) {
			t.Fatalf("the JSON does not write as YAML: %v", err)
		}
	})
}

// sharedOSCALFiles lists the OSCAL documents in ../shared: NIST's
// catalogues, baselines and examples.
func sharedOSCALFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"nist-rev5", "examples"} {
		names, _ := filepath.Glob(filepath.Join(sharedData(t), dir, "*.json"))
		files = append(files, names...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d OSCAL files found", len(files))
	}
	return files
}
