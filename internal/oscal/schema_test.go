package oscal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// oscalSchema compiles the official OSCAL 1.0.6 complete JSON schema from
// ../shared (skipping when it is absent).
func oscalSchema(t testing.TB) *jsonschema.Schema {
	return compiledSchema(t, "oscal_complete_schema.json", "http://csrc.nist.gov/ns/oscal/1.0/1.0.6/oscal-complete-schema.json")
}

// oscalSchema122 is the OSCAL 1.2.2 complete schema, which has the mapping
// model.
func oscalSchema122(t testing.TB) *jsonschema.Schema {
	return compiledSchema(t, "oscal_complete_schema-1.2.2.json", "http://csrc.nist.gov/ns/oscal/1.0/1.2.2/oscal-complete-schema.json")
}

// oscalSchema113 is the OSCAL 1.1.3 complete schema, what FedRAMP takes.
func oscalSchema113(t testing.TB) *jsonschema.Schema {
	return compiledSchema(t, "oscal_complete_schema-1.1.3.json", "http://csrc.nist.gov/ns/oscal/1.0/1.1.3/oscal-complete-schema.json")
}

var (
	schemasMu sync.Mutex
	schemas   = map[string]*jsonschema.Schema{}
)

// compiledSchema compiles one of the OSCAL complete schemas in ../shared,
// once.
func compiledSchema(t testing.TB, file, id string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(sharedData(t), "schema", file)
	schemasMu.Lock()
	defer schemasMu.Unlock()
	if s, ok := schemas[file]; ok {
		return s
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// In draft 7 a $ref hides its siblings, $id included, so the anchors
	// OSCAL declares beside a $ref would not exist: move each such $ref
	// into an allOf, which keeps its meaning.
	if defs, ok := doc.(map[string]any)["definitions"].(map[string]any); ok {
		for _, d := range defs {
			if m, ok := d.(map[string]any); ok && m["$id"] != nil && m["$ref"] != nil {
				m["allOf"] = []any{map[string]any{"$ref": m["$ref"]}}
				delete(m, "$ref")
			}
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	if err := c.AddResource(id, doc); err != nil {
		t.Fatalf("compile the OSCAL schema: %v", err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile the OSCAL schema: %v", err)
	}
	schemas[file] = s
	return s
}

var uuidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// validate checks a document Remit wrote against the OSCAL schema.
func validate(t testing.TB, name string, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := oscalSchema(t).Validate(v); err != nil {
		t.Errorf("%s does not validate against the OSCAL schema:\n%v", name, err)
	}
	for _, s := range []struct {
		version string
		schema  *jsonschema.Schema
	}{{"1.1.3", oscalSchema113(t)}, {"1.2.2", oscalSchema122(t)}} {
		if err := s.schema.Validate(v); err != nil {
			t.Errorf("%s does not validate against the OSCAL %s schema:\n%v", name, s.version, err)
		}
	}
	// Every "#uuid" the document points at is one of its resources (links
	// to controls and parts by id, "#ac-2", are another matter).
	var top map[string]struct {
		BackMatter *BackMatter `json:"back-matter"`
	}
	if err := json.Unmarshal(doc, &top); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	have := map[string]bool{}
	for _, body := range top {
		if body.BackMatter != nil {
			for _, r := range body.BackMatter.Resources {
				have[r.UUID] = true
			}
		}
	}
	for _, m := range hrefRef.FindAllSubmatch(doc, -1) {
		if uuidRE.Match(m[1]) && !have[string(m[1])] {
			t.Errorf("%s points at #%s, which is not one of its resources", name, m[1])
		}
	}
}

// TestSchemaAcceptsNIST checks the schema check itself: NIST's own
// documents validate, and a broken one does not.
func TestSchemaAcceptsNIST(t *testing.T) {
	path, data := nist(t, "NIST_SP-800-53_rev5_LOW-baseline_profile.json")
	validate(t, path, data)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"catalog": {"uuid": "not-a-uuid", "metadata": {}}}`)))
	if err := oscalSchema(t).Validate(v); err == nil {
		t.Error("a broken catalog validated")
	}
}

// Validate and PropValue are validate and propValue for the external
// tests (package oscal_test), which write documents through the service.
var (
	Validate  = validate
	PropValue = propValue
)
