package oscal

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// oscalSchema compiles the official OSCAL 1.0.6 complete JSON schema from
// ../shared (skipping when it is absent).
func oscalSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(sharedData(t), "schema", "oscal_complete_schema.json")
	schemaOnce.Do(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			schemaErr = err
			return
		}
		// In draft 7 a $ref hides its siblings, $id included, so the
		// anchors OSCAL declares beside a $ref would not exist: move each
		// such $ref into an allOf, which keeps its meaning.
		if defs, ok := doc.(map[string]any)["definitions"].(map[string]any); ok {
			for _, d := range defs {
				if m, ok := d.(map[string]any); ok && m["$id"] != nil && m["$ref"] != nil {
					m["allOf"] = []any{map[string]any{"$ref": m["$ref"]}}
					delete(m, "$ref")
				}
			}
		}
		const id = "http://csrc.nist.gov/ns/oscal/1.0/1.0.6/oscal-complete-schema.json"
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft7)
		if err := c.AddResource(id, doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile(id)
	})
	if schemaErr != nil {
		t.Fatalf("compile the OSCAL schema: %v", schemaErr)
	}
	return schema
}

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
