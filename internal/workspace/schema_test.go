package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"remit/internal/content"
	"remit/internal/remit"
)

// The editor schemas in doc/schema, by the kind of file they describe.
const schemaDir = "../../doc/schema"

var schemaKinds = []struct {
	kind, file string
	// dir is the workspace folder holding files of this kind; "" means the
	// root file remit.yaml.
	dir string
}{
	{"remit", "remit.schema.json", ""},
	{"catalogue", "catalogue.schema.json", CataloguesDir},
	{"provider", "provider.schema.json", ProvidersDir},
	{"system", "system.schema.json", SystemsDir},
	{"checks", "checks.schema.json", ChecksDir},
	{"mappings", "mappings.schema.json", MappingsDir},
}

// compileSchemas compiles every schema, asserting formats (so format: date
// is checked as well as the pattern), and returns them by kind.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	out := make(map[string]*jsonschema.Schema, len(schemaKinds))
	for _, k := range schemaKinds {
		path, err := filepath.Abs(filepath.Join(schemaDir, k.file))
		if err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile(path)
		if err != nil {
			t.Fatalf("%s does not compile: %v", k.file, err)
		}
		out[k.kind] = sch
	}
	return out
}

// schemaYAMLValue decodes one YAML document into the JSON-like values the
// validator expects: map[string]any, []any, strings, numbers, bools, nil.
// Unquoted dates such as 2026-11-01 stay strings, as Remit reads them.
func schemaYAMLValue(t *testing.T, name string, data []byte) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return schemaJSONLike(t, doc.Content[0])
}

func schemaJSONLike(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = schemaJSONLike(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, x := range n.Content {
			out[i] = schemaJSONLike(t, x)
		}
		return out
	case yaml.AliasNode:
		return schemaJSONLike(t, n.Alias)
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return n.Value
		}
		return f
	}
	return n.Value
}

func TestSchemaCompiles(t *testing.T) {
	compileSchemas(t)
	for _, k := range schemaKinds {
		doc := readSchema(t, k.file)
		var head struct {
			Schema string `json:"$schema"`
			ID     string `json:"$id"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		if want := "https://json-schema.org/draft/2020-12/schema"; head.Schema != want {
			t.Errorf("%s: $schema = %q, want %q", k.file, head.Schema, want)
		}
		if want := "https://remit.dev/schema/" + k.file; head.ID != want {
			t.Errorf("%s: $id = %q, want %q", k.file, head.ID, want)
		}
		if head.Title == "" {
			t.Errorf("%s: no title", k.file)
		}
	}
}

// TestSchemaValidatesExamples checks every example and built-in file against
// the schema for its folder.
func TestSchemaValidatesExamples(t *testing.T) {
	schemas := compileSchemas(t)
	roots := []string{"../../examples/justice", "../../examples/mapped", "../content"}
	counts := map[string]int{}
	for _, root := range roots {
		for _, k := range schemaKinds {
			var files []string
			if k.dir == "" {
				if _, err := os.Stat(filepath.Join(root, RootFile)); err == nil {
					files = []string{filepath.Join(root, RootFile)}
				}
			} else {
				for _, ext := range []string{"*.yaml", "*.yml"} {
					m, err := filepath.Glob(filepath.Join(root, k.dir, ext))
					if err != nil {
						t.Fatal(err)
					}
					files = append(files, m...)
				}
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				counts[k.kind]++
				if err := schemas[k.kind].Validate(schemaYAMLValue(t, f, data)); err != nil {
					t.Errorf("%s does not pass %s:\n%v", f, k.file, err)
				}
			}
		}
	}
	for _, k := range schemaKinds {
		if counts[k.kind] == 0 {
			t.Errorf("no %s files found under %v: are the paths right?", k.kind, roots)
		}
	}
	t.Logf("validated %v", counts)
}

// TestSchemaAccepts checks small documents that Remit accepts, so that the
// schemas are not stricter than intended.
func TestSchemaAccepts(t *testing.T) {
	schemas := compileSchemas(t)
	cases := []struct{ name, kind, doc string }{
		{"minimal workspace", "remit", "name: Estate\n"},
		{"minimal catalogue", "catalogue", "id: c\ntitle: C\ncontrols:\n  - id: C-1\n    title: One\n"},
		{"catalogue version as number", "catalogue", "id: c\ntitle: C\nversion: 2\ncontrols:\n  - {id: C-1, title: One, area: data}\n"},
		{"source with url only", "catalogue", "id: c\ntitle: C\nsource: {url: 'http://example.com'}\ncontrols:\n  - {id: C-1, title: One}\n"},
		{"minimal provider", "provider", "id: p\nname: P\nofferings:\n  - {id: o, name: O, service_model: on-premises}\n"},
		{"every class", "provider", `id: p
name: P
offerings:
  - id: o
    name: O
    service_model: managed-service
    depends_on: [aws/ec2, p.2/o_2]
    statements:
      - {control: srm:SRM-01, class: inherited, provider: P does it.}
      - {control: srm:SRM-02, class: shared, provider: P does part., customer: We do part.}
      - {control: srm:SRM-03, class: organisation-specific, customer: We do it.}
      - {control: srm:SRM-04, class: not-applicable}
      - control: srm:SRM-05
        class: organisation-specific
        customer: We do it.
        source: {title: T, date: 2024-02-29}
`},
		{"controls as a list", "system", "id: s\nname: S\nbaseline:\n  catalogue: srm\n  controls: [SRM-01]\n  not_applicable:\n    - {control: SRM-01, reason: Why.}\nuses: []\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := schemas[c.kind].Validate(schemaYAMLValue(t, c.name, []byte(c.doc))); err != nil {
				t.Errorf("%s schema rejects a good document:\n%s\n%v", c.kind, c.doc, err)
			}
		})
	}
}

// TestSchemaRejects checks that the schemas catch common mistakes. want is
// part of the validator's message, so each case fails for its own reason
// rather than for a typo elsewhere in the document.
func TestSchemaRejects(t *testing.T) {
	schemas := compileSchemas(t)
	const (
		system   = "id: s\nname: S\nbaseline:\n  catalogue: srm\n  controls: all\n"
		offering = "id: p\nname: P\nofferings:\n  - id: o\n    name: O\n    service_model: saas\n"
	)
	cases := []struct{ name, kind, doc, want string }{
		// remit.yaml
		{"workspace unknown key", "remit", "name: E\norganization: O\n", "'organization' not allowed"},
		{"workspace without name", "remit", "organisation: O\n", "missing property 'name'"},
		{"workspace blank name", "remit", "name: '  '\n", "at '/name'"},
		{"catalogue not built in", "remit", "name: E\ncatalogues: [srm, mine]\n", "at '/catalogues/1'"},
		{"provider listed twice", "remit", "name: E\nproviders: [aws, aws]\n", "at '/providers'"},
		// catalogues
		{"catalogue without id", "catalogue", "title: C\ncontrols:\n  - {id: C-1, title: One}\n", "missing property 'id'"},
		{"catalogue id with a space", "catalogue", "id: my cat\ntitle: C\ncontrols:\n  - {id: C-1, title: One}\n", "at '/id'"},
		{"catalogue without controls", "catalogue", "id: c\ntitle: C\ncontrols: []\n", "at '/controls'"},
		{"control unknown key", "catalogue", "id: c\ntitle: C\ncontrols:\n  - {id: C-1, title: One, areas: data}\n", "'areas' not allowed"},
		{"control bad area", "catalogue", "id: c\ntitle: C\ncontrols:\n  - {id: C-1, title: One, area: cloud}\n", "at '/controls/0/area'"},
		{"control without title", "catalogue", "id: c\ntitle: C\ncontrols:\n  - {id: C-1}\n", "missing property 'title'"},
		{"control id with a colon", "catalogue", "id: c\ntitle: C\ncontrols:\n  - {id: 'c:1', title: One}\n", "at '/controls/0/id'"},
		{"source without title or url", "catalogue", "id: c\ntitle: C\nsource: {version: '1'}\ncontrols:\n  - {id: C-1, title: One}\n", "at '/source'"},
		{"source url not a web address", "catalogue", "id: c\ntitle: C\nsource: {url: www.example.com}\ncontrols:\n  - {id: C-1, title: One}\n", "at '/source/url'"},
		{"source date in words", "catalogue", "id: c\ntitle: C\nsource: {title: T, date: 1 November 2026}\ncontrols:\n  - {id: C-1, title: One}\n", "at '/source/date'"},
		{"source date month 13", "catalogue", "id: c\ntitle: C\nsource: {title: T, date: 2026-13-01}\ncontrols:\n  - {id: C-1, title: One}\n", "at '/source/date'"},
		{"source date 30 February", "catalogue", "id: c\ntitle: C\nsource: {title: T, date: 2026-02-30}\ncontrols:\n  - {id: C-1, title: One}\n", "at '/source/date'"},
		// providers
		{"provider unknown key", "provider", offering + "website: https://p.example\n", "'website' not allowed"},
		{"provider without name", "provider", "id: p\nofferings:\n  - {id: o, name: O, service_model: saas}\n", "missing property 'name'"},
		{"offering unknown key", "provider", offering + "    model: saas\n", "'model' not allowed"},
		{"offering without id", "provider", "id: p\nname: P\nofferings:\n  - {name: O, service_model: saas}\n", "missing property 'id'"},
		{"offering bad service_model", "provider", "id: p\nname: P\nofferings:\n  - {id: o, name: O, service_model: SaaS}\n", "at '/offerings/0/service_model'"},
		{"offering without service_model", "provider", "id: p\nname: P\nofferings:\n  - {id: o, name: O}\n", "missing property 'service_model'"},
		{"depends_on without a slash", "provider", offering + "    depends_on: [ec2]\n", "at '/offerings/0/depends_on/0'"},
		{"offering source bad date", "provider", offering + "    source: {title: T, date: 01/11/2026}\n", "at '/offerings/0/source/date'"},
		{"statement bad class", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: provider, provider: P}\n", "at '/offerings/0/statements/0/class'"},
		{"statement without class", "provider", offering + "    statements:\n      - {control: srm:SRM-01, provider: P}\n", "missing property 'class'"},
		{"statement control without catalogue", "provider", offering + "    statements:\n      - {control: SRM-01, class: inherited, provider: P}\n", "at '/offerings/0/statements/0/control'"},
		{"statement unknown key", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: inherited, provider: P, note: N}\n", "'note' not allowed"},
		{"inherited without provider", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: inherited}\n", "missing property 'provider'"},
		{"inherited with customer", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: inherited, provider: P, customer: C}\n", "at '/offerings/0/statements/0/customer'"},
		{"shared without customer", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: shared, provider: P}\n", "missing property 'customer'"},
		{"organisation-specific without customer", "provider", offering + "    statements:\n      - {control: srm:SRM-01, class: organisation-specific}\n", "missing property 'customer'"},
		// systems
		{"system unknown key", "system", system + "owners: [A]\n", "'owners' not allowed"},
		{"system without id", "system", "name: S\nbaseline: {catalogue: srm, controls: all}\n", "missing property 'id'"},
		{"system without baseline", "system", "id: s\nname: S\n", "missing property 'baseline'"},
		{"baseline without catalogue", "system", "id: s\nname: S\nbaseline: {controls: all}\n", "missing property 'catalogue'"},
		{"baseline without controls", "system", "id: s\nname: S\nbaseline: {catalogue: srm}\n", "missing property 'controls'"},
		{"baseline controls neither all nor a list", "system", "id: s\nname: S\nbaseline: {catalogue: srm, controls: some}\n", "at '/baseline/controls'"},
		{"baseline controls empty", "system", "id: s\nname: S\nbaseline: {catalogue: srm, controls: []}\n", "at '/baseline/controls'"},
		{"baseline unknown key", "system", "id: s\nname: S\nbaseline: {catalogue: srm, controls: all, exclude: [SRM-01]}\n", "'exclude' not allowed"},
		{"not_applicable without reason", "system", system + "  not_applicable:\n    - control: SRM-01\n", "missing property 'reason'"},
		{"uses offering without a slash", "system", system + "uses:\n  - offering: ec2\n", "at '/uses/0/offering'"},
		{"uses unknown key", "system", system + "uses:\n  - {offering: aws/ec2, why: Servers}\n", "'why' not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := schemas[c.kind].Validate(schemaYAMLValue(t, c.name, []byte(c.doc)))
			if err == nil {
				t.Fatalf("%s schema accepts a bad document:\n%s", c.kind, c.doc)
			}
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a validation error: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s schema rejects the document, but not for the expected reason (want %q):\n%v", c.kind, c.want, err)
			}
		})
	}
	t.Logf("%d bad documents checked", len(cases))
}

// TestSchemaMatchesDecoder checks that each object's properties are the
// decoder's keys, in the same order, and that every property is described.
func TestSchemaMatchesDecoder(t *testing.T) {
	cases := []struct {
		file string
		path []string // from the schema's root to an object schema
		keys []string
	}{
		{"remit.schema.json", nil, rootKeys},
		{"catalogue.schema.json", nil, catalogueKeys},
		{"catalogue.schema.json", []string{"$defs", "control"}, controlKeys},
		{"catalogue.schema.json", []string{"$defs", "source"}, sourceKeys},
		{"provider.schema.json", nil, providerKeys},
		{"provider.schema.json", []string{"$defs", "offering"}, offeringKeys},
		{"provider.schema.json", []string{"$defs", "statement"}, statementKeys},
		{"provider.schema.json", []string{"$defs", "source"}, sourceKeys},
		{"system.schema.json", nil, systemKeys},
		{"system.schema.json", []string{"$defs", "baseline"}, baselineKeys},
		{"system.schema.json", []string{"$defs", "exclusion"}, exclusionKeys},
		{"system.schema.json", []string{"$defs", "use"}, useKeys},
	}
	for _, c := range cases {
		where := c.file + "#/" + strings.Join(c.path, "/")
		obj := schemaAt(t, readSchema(t, c.file), append(c.path, "properties")...)
		if got := schemaOrderedKeys(t, obj); !slices.Equal(got, c.keys) {
			t.Errorf("%s: properties are %v, the decoder's keys are %v", where, got, c.keys)
		}
		var ap bool
		if err := json.Unmarshal(schemaAt(t, readSchema(t, c.file), append(c.path, "additionalProperties")...), &ap); err != nil || ap {
			t.Errorf("%s: additionalProperties should be false", where)
		}
		var props map[string]struct {
			Description string `json:"description"`
		}
		if err := json.Unmarshal(obj, &props); err != nil {
			t.Fatal(err)
		}
		for k, p := range props {
			if strings.TrimSpace(p.Description) == "" {
				t.Errorf("%s: property %s has no description", where, k)
			}
		}
	}
}

// TestSchemaEnums checks the enums against Remit's lists of values and
// built-in content.
func TestSchemaEnums(t *testing.T) {
	cases := []struct {
		file string
		path []string
		want []string
	}{
		{"catalogue.schema.json", []string{"$defs", "control", "properties", "area", "enum"}, schemaStrings(remit.Areas)},
		{"provider.schema.json", []string{"$defs", "offering", "properties", "service_model", "enum"}, schemaStrings(remit.ServiceModels)},
		{"provider.schema.json", []string{"$defs", "statement", "properties", "class", "enum"}, schemaStrings(remit.Classes)},
		{"remit.schema.json", []string{"properties", "catalogues", "items", "enum"}, content.CatalogueIDs()},
		{"remit.schema.json", []string{"properties", "providers", "items", "enum"}, content.ProviderIDs()},
		{"remit.schema.json", []string{"properties", "mappings", "items", "enum"}, content.MappingIDs()},
	}
	for _, c := range cases {
		var got []string
		if err := json.Unmarshal(schemaAt(t, readSchema(t, c.file), c.path...), &got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s#/%s = %v, want %v", c.file, strings.Join(c.path, "/"), got, c.want)
		}
	}
}

func schemaStrings[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func readSchema(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(schemaDir, file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// schemaAt follows object keys from the root of a JSON document.
func schemaAt(t *testing.T, doc []byte, path ...string) json.RawMessage {
	t.Helper()
	cur := json.RawMessage(doc)
	for i, key := range path {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(cur, &m); err != nil {
			t.Fatalf("/%s: %v", strings.Join(path[:i], "/"), err)
		}
		next, ok := m[key]
		if !ok {
			t.Fatalf("no /%s in schema", strings.Join(path[:i+1], "/"))
		}
		cur = next
	}
	return cur
}

// schemaOrderedKeys returns the keys of a JSON object in the order written.
func schemaOrderedKeys(t *testing.T, obj json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", obj)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
