package oscal

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"remit/internal/remit"
)

var exampleMapping = remit.ControlMappings{ID: "srm-ncsc", Title: "SRM to NCSC", From: "srm", To: "ncsc-csp", Pairs: []remit.ControlPair{
	{From: "SRM-15", To: "CSP-01", Relationship: remit.EquivalentTo, Note: "Both about encryption in transit."},
	{From: "SRM-01", To: "CSP-02", Relationship: remit.SubsetOf},
}}

// TestMappingRoundTrip: a mappings file written as an OSCAL 1.2 mapping
// collection validates against NIST's 1.2.2 schema and reads back as the
// same file.
func TestMappingRoundTrip(t *testing.T) {
	doc, err := MappingOf(exampleMapping, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := oscalSchema122(t).Validate(v); err != nil {
		t.Errorf("the mapping collection does not validate against OSCAL 1.2.2:\n%v", err)
	}
	got, err := ReadMapping("m.json", "srm-ncsc", doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]remit.ControlMappings{exampleMapping}, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if k, err := Sniff("m.json", doc); err != nil || k != KindMapping {
		t.Errorf("sniffed %q %v", k, err)
	}
}

// TestReadMappingRefusals: what Remit cannot use is refused naming where.
func TestReadMappingRefusals(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"catalog": {}}`, "this is an OSCAL catalog, not a mapping-collection"},
		{`{"mapping-collection": {"mappings": []}}`, "mapping-collection.mappings: there are no mappings"},
		{`{"mapping-collection": {"mappings": [{"source-resource": {"type": "catalog", "href": "https://x.example/cat.json"}, "target-resource": {"type": "catalog", "href": "#b"}, "maps": []}]}}`, "mapping-collection.mappings[0].source-resource: which catalogue is"},
		{`{"mapping-collection": {"mappings": [{"source-resource": {"type": "catalog", "href": "#a"}, "target-resource": {"type": "catalog", "href": "#b"}, "maps": [{"relationship": "no-relationship", "sources": [{"type": "control", "id-ref": "x"}], "targets": [{"type": "control", "id-ref": "y"}]}]}]}}`, `mapping-collection.mappings[0].maps[0].relationship: relationship "no-relationship" is not one Remit can use`},
		{`{"mapping-collection": {"mappings": [{"source-resource": {"type": "catalog", "href": "#a"}, "target-resource": {"type": "catalog", "href": "#b"}, "maps": [{"relationship": "subset-of", "sources": [{"type": "statement", "id-ref": "x"}], "targets": [{"type": "control", "id-ref": "y"}]}]}]}}`, "Remit maps controls, not statement to control"},
		{"{\n  \"mapping-collection\": [\n", "m.json:2:26: not valid JSON"},
	} {
		_, err := ReadMapping("m.json", "m", []byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60s: %v, want %q", c.doc, err, c.want)
		}
	}
}

// FuzzReadMapping: no document panics the reader, and what it accepts has
// catalogues and known relationships.
func FuzzReadMapping(f *testing.F) {
	doc, _ := MappingOf(exampleMapping, time.Unix(0, 0))
	f.Add(doc)
	f.Add([]byte(`{"mapping-collection": {"mappings": [{"source-resource": {"href": "#a"}, "target-resource": {"href": "#b"}, "maps": []}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadMapping("f.json", "f", data)
		if err != nil {
			return
		}
		for _, m := range got {
			if m.From == "" || m.To == "" {
				t.Fatalf("accepted %+v", m)
			}
			for _, p := range m.Pairs {
				if !p.Relationship.Covers() && p.Relationship != remit.SubsetOf && p.Relationship != remit.IntersectsWith {
					t.Fatalf("accepted %+v", p)
				}
			}
		}
	})
}
