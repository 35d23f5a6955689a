package oscal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzReadCatalog: any input is read or refused with an Error, never a
// panic; what is read writes out and reads back the same.
func FuzzReadCatalog(f *testing.F) {
	f.Add([]byte(testCatalog))
	f.Add([]byte(`{"catalog": {"uuid": "x", "controls": [{"id": "a", "title": "A", "controls": [{"id": "a.1", "title": "B"}]}]}}`))
	f.Add([]byte(`{"catalog": {"uuid": 7}}`))
	f.Add([]byte(`[]`))
	if dir := os.Getenv("REMIT_OSCAL_DATA"); dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, "examples", "basic-catalog.json")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCatalog("f.json", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not an *Error: %T %v", err, err)
			}
			return
		}
		out, err := Marshal(KindCatalog, c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadCatalog("back.json", out)
		if err != nil {
			t.Fatalf("what was written does not read back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normal(t, c), normal(t, back)) {
			t.Fatalf("the round trip changed the catalog")
		}
	})
}

// normal writes a catalog for comparison (resources compare by content).
func normal(t *testing.T, c *Catalog) string {
	b, err := Marshal(KindCatalog, c)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// FuzzResolve: any profile text is read or refused; one that reads
// resolves against the test catalog or is refused, never panicking, and a
// resolved catalog is one that reads.
func FuzzResolve(f *testing.F) {
	f.Add(`{"profile": {"uuid": "p", "imports": [{"href": "#c", "include-all": {}}]}}`)
	f.Add(`{"profile": {"uuid": "p", "imports": [{"href": "#c", "include-controls": [{"matching": [{"pattern": "ac-[2"}]}]}]}}`)
	f.Add(`{"profile": {"uuid": "p", "imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}]}], "merge": {"flat": {}}, "modify": {"alters": [{"control-id": "ac-2", "adds": [{"position": "before", "by-id": "ac-2_smt.a", "parts": [{"name": "x"}]}]}]}}}`)
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ReadProfile("p.json", []byte(text))
		if err != nil {
			return
		}
		src := func(string) (*Catalog, error) {
			// Resolution must not change its source: give it a fresh copy.
			c, err := ReadCatalog("c.json", []byte(testCatalog))
			return c, err
		}
		out, err := Resolve(p, src, time.Unix(0, 0))
		if err != nil {
			return
		}
		b, err := Marshal(KindCatalog, out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCatalog("out.json", b); err != nil {
			t.Fatalf("the resolved catalog does not read: %v", err)
		}
	})
}

// FuzzReadOSCAL: any input is sniffed, then read as an SSP or a component
// definition, or refused with an Error, never a panic; a component
// definition read gives statements or an Error.
func FuzzReadOSCAL(f *testing.F) {
	f.Add([]byte(`{"system-security-plan": {"uuid": "x", "control-implementation": {"implemented-requirements": [{"control-id": "ac-1", "by-components": [{"export": {"provided": [{"description": "p"}]}}]}]}}}`))
	f.Add([]byte(`{"component-definition": {"uuid": "x", "components": [{"control-implementations": [{"props": [{"name": "catalogue", "ns": "https://remit.example/ns/oscal", "value": "srm"}], "implemented-requirements": [{"control-id": "SRM-01", "description": "d", "props": [{"name": "responsibility", "ns": "https://remit.example/ns/oscal", "value": "shared"}]}]}]}]}}`))
	f.Add([]byte(`{"component-definition": {"components": 7}}`))
	f.Add([]byte(`{"system-security-plan": {"uuid": "x", "system-characteristics": {"system-name": "S", "props": [{"name": "team", "ns": "https://remit.example/ns/oscal", "value": "t"}]}, "system-implementation": {"components": [{"uuid": "c", "type": "service", "title": "EC2"}]}, "control-implementation": {"implemented-requirements": [{"control-id": "ac-1", "by-components": [{"component-uuid": "c", "implementation-status": {"state": "not-applicable"}}]}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kind, err := Sniff("f.json", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not an *Error: %T", err)
			}
			return
		}
		switch kind {
		case KindSSP:
			if _, err := ReadSSP("f.json", data); err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("not an *Error: %T", err)
				}
			}
			// Read as a system's own SSP: a system with a name and
			// controls, or an *Error.
			if l, err := ReadLeveraging("f.json", data); err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("not an *Error: %T", err)
				}
			} else if l.Name == "" || len(l.Controls) == 0 {
				t.Fatalf("a system without a name or controls: %+v", l)
			}
		case KindComponentDefinition:
			cd, err := ReadComponentDefinition("f.json", data)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("not an *Error: %T", err)
				}
				return
			}
			sts, err := cd.Statements("f.json")
			for _, st := range sts {
				if err != nil || !st.Class.Valid() || !strings.Contains(st.Control, ":") {
					t.Fatalf("bad statement %+v (%v)", st, err)
				}
			}
		}
	})
}

// TestCheckSize counts objects outside strings only, and refuses a
// document over MaxObjects before decoding it.
func TestCheckSize(t *testing.T) {
	braces := `{"a":"{{{{\"{{","b":[{},{}]}`
	if err := CheckSize("x.json", []byte(braces)); err != nil {
		t.Errorf("three objects: %v", err)
	}
	many := "[" + strings.Repeat("{},", MaxObjects) + "{}]"
	err := CheckSize("big.json", []byte(many))
	if err == nil || !strings.Contains(err.Error(), "big.json: the document holds more than 150000 JSON objects") {
		t.Errorf("%d objects: %v", MaxObjects+1, err)
	}
	if _, err := ReadCatalog("big.json", []byte(`{"catalog":{"controls":`+many+`}}`)); err == nil || !strings.Contains(err.Error(), "more than 150000 JSON objects") {
		t.Errorf("a catalog of %d controls: %v", MaxObjects+1, err)
	}
}
