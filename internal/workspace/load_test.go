package workspace

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
)

// base is a small valid workspace; each case below replaces one file.
var base = map[string]string{
	"remit.yaml": `name: Test estate
organisation: Test
catalogues: [srm]
`,
	"catalogues/local.yaml": `id: local
title: Local controls
controls:
  - id: L-01
    title: Local one
    area: governance
  - id: L-02
    title: Local two
    area: data
`,
	"providers/acme.yaml": `id: acme
name: Acme
offerings:
  - id: vm
    name: Acme VMs
    service_model: iaas
    statements:
      - control: local:L-01
        class: shared
        provider: Runs its ISMS.
        customer: Run ours.
  - id: mail
    name: Acme Mail
    service_model: saas
    depends_on: [acme/vm]
`,
	"systems/one.yaml": `id: one
name: System one
team: t
baseline:
  catalogue: local
  controls: all
uses:
  - offering: acme/vm
`,
}

func load(t *testing.T, replace map[string]string) (*remit.Workspace, []string) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range base {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	for name, text := range replace {
		if text == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	ws, err := LoadFS(fsys, "ws")
	if err == nil {
		return ws, nil
	}
	var ve *remit.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("LoadFS returned %v, want a *remit.ValidationError", err)
	}
	if ws != nil {
		t.Error("LoadFS returned a workspace along with problems")
	}
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.String())
	}
	return nil, got
}

func TestBaseIsValid(t *testing.T) {
	ws, problems := load(t, nil)
	if problems != nil {
		t.Fatalf("base workspace has problems:\n%s", strings.Join(problems, "\n"))
	}
	if got, want := len(ws.Catalogues), 2; got != want {
		t.Errorf("loaded %d catalogues, want %d (built-in srm and local)", got, want)
	}
	if !ws.Catalogues[0].BuiltIn || ws.Catalogues[0].ID != "srm" || ws.Catalogues[1].BuiltIn {
		t.Errorf("catalogues = %s (built-in %v), %s (built-in %v); want srm built in first, then local", ws.Catalogues[0].ID, ws.Catalogues[0].BuiltIn, ws.Catalogues[1].ID, ws.Catalogues[1].BuiltIn)
	}
	o := ws.Providers[0].Offerings[0]
	want := remit.Statement{Control: "local:L-01", Class: remit.Shared, Provider: "Runs its ISMS.", Customer: "Run ours."}
	if diff := cmp.Diff(want, o.Statements[0]); diff != "" {
		t.Errorf("statement (-want +got):\n%s", diff)
	}
}

// TestProblems has one case per kind of problem, asserting the exact
// message and where it points.
func TestProblems(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string
		want    []string
	}{
		{
			name:    "missing remit.yaml",
			replace: map[string]string{"remit.yaml": ""},
			want:    []string{"ws/remit.yaml: missing: a workspace folder starts with remit.yaml (run remit init to make one)"},
		},
		{
			name:    "YAML syntax",
			replace: map[string]string{"systems/one.yaml": "id: one\nname: [unclosed\n"},
			want:    []string{"ws/systems/one.yaml:2: YAML syntax: did not find expected ',' or ']'"},
		},
		{
			name:    "YAML syntax found by the scanner",
			replace: map[string]string{"systems/one.yaml": "id: one\nname: x\n  team: indented\n"},
			want:    []string{"ws/systems/one.yaml:3: YAML syntax: mapping values are not allowed in this context"},
		},
		{
			name:    "YAML syntax inside a block list",
			replace: map[string]string{"systems/one.yaml": "id: one\nuses:\n  - offering: acme/vm\n  purpose: x\n"},
			want:    []string{"ws/systems/one.yaml:3: YAML syntax: did not find expected '-' indicator"},
		},
		{
			name:    "empty file",
			replace: map[string]string{"systems/one.yaml": "# nothing yet\n"},
			want:    []string{"ws/systems/one.yaml:1:1: file is empty: expected a system with keys id, name, owner, team, classification, baseline, uses"},
		},
		{
			name:    "unknown key with a suggestion",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "        class: shared", "        clas: shared", 1)},
			want: []string{
				`ws/providers/acme.yaml:8:9: class is required: use one of "inherited", "shared", "organisation-specific", "not-applicable"`,
				`ws/providers/acme.yaml:9:9: unknown key "clas" in statement (did you mean "class"?); expected one of control, class, provider, customer, source`,
			},
		},
		{
			name:    "unknown key in remit.yaml",
			replace: map[string]string{"remit.yaml": base["remit.yaml"] + "colour: blue\n"},
			want:    []string{`ws/remit.yaml:4:1: unknown key "colour" in remit.yaml; expected one of name, organisation, catalogues, providers, mappings`},
		},
		{
			name:    "repeated key",
			replace: map[string]string{"systems/one.yaml": base["systems/one.yaml"] + "name: Again\n"},
			want:    []string{`ws/systems/one.yaml:9:1: key "name" appears twice in system; keep one`},
		},
		{
			name:    "wrong shape",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "name: System one", "name: {first: System}", 1)},
			want:    []string{`ws/systems/one.yaml:2:7: name should be text, not a mapping`},
		},
		{
			name:    "unknown built-in catalogue",
			replace: map[string]string{"remit.yaml": "name: Test estate\ncatalogues: [srn]\n"},
			want:    []string{`ws/remit.yaml:2:14: catalogues: "srn" is not built in (did you mean "srm"?); built-in catalogues are ncsc-caf, ncsc-csp, srm; put your own in catalogues/`},
		},
		{
			name:    "duplicate catalogue id",
			replace: map[string]string{"catalogues/again.yaml": "id: local\ntitle: Again\ncontrols:\n  - id: A\n    title: A\n"},
			want:    []string{`ws/catalogues/local.yaml:1:5: catalogue id "local" is used twice: catalogue ids must be unique`},
		},
		{
			name:    "duplicate control id",
			replace: map[string]string{"catalogues/local.yaml": strings.Replace(base["catalogues/local.yaml"], "id: L-02", "id: L-01", 1)},
			want:    []string{`ws/catalogues/local.yaml:7:9: control id "L-01" is used twice in catalogue "local": control ids must be unique in a catalogue`},
		},
		{
			name:    "duplicate provider id",
			replace: map[string]string{"providers/zzz.yaml": "id: acme\nname: Other Acme\nofferings:\n  - id: x\n    name: X\n    service_model: saas\n"},
			want:    []string{`ws/providers/zzz.yaml:1:5: provider id "acme" is used twice: provider ids must be unique`},
		},
		{
			name:    "duplicate offering id",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "id: mail", "id: vm", 1)},
			want:    []string{`ws/providers/acme.yaml:12:9: offering "acme/vm" is defined twice: offering ids must be unique within a provider`},
		},
		{
			name:    "duplicate system id",
			replace: map[string]string{"systems/two.yaml": base["systems/one.yaml"]},
			want:    []string{`ws/systems/two.yaml:1:5: system id "one" is used twice: system ids must be unique`},
		},
		{
			name:    "bad id",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "id: one", "id: my system", 1)},
			want:    []string{`ws/systems/one.yaml:1:5: system id "my system" is not valid: use letters, digits, '.', '_' and '-' only, starting with a letter or digit, at most 64 characters`},
		},
		{
			name:    "checks file: unknown control and system",
			replace: map[string]string{"checks/aws.yaml": "mappings:\n  - tool: Checkov\n    rules: [CKV_AWS_24]\n    control: local:L-1\nsystems:\n  - system: onee\n    accounts: [\"111122223333\"]\n"},
			want: []string{
				`ws/checks/aws.yaml:4:14: control "L-1" is not in catalogue "local" (did you mean "L-01"?)`,
				`ws/checks/aws.yaml:6:13: system "onee" does not exist (did you mean "one"?)`,
			},
		},
		{
			name: "mappings file: unknown control, relationship, a pair twice, a contradiction",
			replace: map[string]string{"mappings/local-srm.yaml": `from: local
to: srm
pairs:
  - from: L-1
    to: SRM-01
    relationship: subset-of
  - from: L-01
    to: SRM-01
    relationship: equal
  - from: L-01
    to: SRM-02
    relationship: subset-of
  - from: L-01
    to: SRM-02
    relationship: intersects-with
`, "mappings/srm-local.yaml": `from: srm
to: local
pairs:
  - from: SRM-02
    to: L-01
    relationship: subset-of
`},
			want: []string{
				`ws/mappings/local-srm.yaml:4:11: control "L-1" is not in catalogue "local" (did you mean "L-01"?)`,
				`ws/mappings/local-srm.yaml:9:19: relationship "equal" is not known: use one of "equivalent-to", "subset-of", "superset-of", "intersects-with"`,
				`ws/mappings/local-srm.yaml:13:5: local:L-01 and srm:SRM-02 are already related at /mappings/0/pairs/2: give each pair once`,
				`ws/mappings/srm-local.yaml:6:19: srm:SRM-02 subset-of local:L-01 contradicts local:L-01 subset-of srm:SRM-02 at /mappings/0/pairs/2`,
			},
		},
		{
			name:    "mappings file: wrong shape",
			replace: map[string]string{"mappings/x.yaml": "from: local\nto: local\ncolour: red\npairs: []\n"},
			want:    []string{"ws/mappings/x.yaml:3: unmarshal errors:\n  line 3: field colour is not known: a mappings file has title, source, from, to and pairs (each from, to, relationship, note)"},
		},
		{
			name:    "checks file: bad window",
			replace: map[string]string{"checks/aws.yaml": "mappings:\n  - rules: x\n    control: local:L-01\n    window: a week\n"},
			want:    []string{`ws/checks/aws.yaml:2: window "a week" is not a length of time: write it as 7d, 36h or 90m`},
		},
		{
			name:    "dangling control reference with a suggestion",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "local:L-01", "local:L-1", 1)},
			want:    []string{`ws/providers/acme.yaml:8:18: control "local:L-1" is not in catalogue "local" (did you mean "L-01"?)`},
		},
		{
			name:    "control reference to a catalogue not loaded",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "local:L-01", "lokal:L-01", 1)},
			want:    []string{`ws/providers/acme.yaml:8:18: control "lokal:L-01" names catalogue "lokal", which is not loaded (did you mean "local"?)`},
		},
		{
			name:    "control reference without a catalogue",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "local:L-01", "L-01", 1)},
			want:    []string{`ws/providers/acme.yaml:8:18: control "L-01" is not a reference: write catalogue:control, such as srm:SRM-01`},
		},
		{
			name:    "dangling depends_on",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "[acme/vm]", "[acme/vms]", 1)},
			want:    []string{`ws/providers/acme.yaml:15:18: depends_on "acme/vms" is not a known offering: write provider/offering (did you mean "acme/vm"?)`},
		},
		{
			name:    "dangling use of an offering",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "offering: acme/vm", "offering: acme/mial", 1)},
			want:    []string{`ws/systems/one.yaml:8:15: offering "acme/mial" is not a known offering: write provider/offering (did you mean "acme/mail"?)`},
		},
		{
			name:    "bad class",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "class: shared", "class: sharred", 1)},
			want:    []string{`ws/providers/acme.yaml:9:16: class "sharred" is not known: use one of "inherited", "shared", "organisation-specific", "not-applicable" (did you mean "shared"?)`},
		},
		{
			name:    "bad service model",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "service_model: iaas", "service_model: IaaS", 1)},
			want:    []string{`ws/providers/acme.yaml:6:20: service_model "IaaS" is not known: use one of "iaas", "paas", "saas", "managed-service", "on-premises" (did you mean "iaas"?)`},
		},
		{
			name:    "bad area",
			replace: map[string]string{"catalogues/local.yaml": strings.Replace(base["catalogues/local.yaml"], "area: data", "area: datum", 1)},
			want:    []string{`ws/catalogues/local.yaml:9:11: area "datum" is not known: use one of "data", "endpoints", "identities", "identity-infrastructure", "application", "network", "operating-system", "physical", "people", "governance" (did you mean "data"?)`},
		},
		{
			name:    "depends_on cycle",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "    service_model: iaas\n", "    service_model: iaas\n    depends_on: [acme/mail]\n", 1)},
			want:    []string{`ws/providers/acme.yaml:7:18: depends_on cycle: acme/mail → acme/vm → acme/mail; an offering cannot rely on itself, even through others`},
		},
		{
			name:    "depends on itself",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "[acme/vm]", "[acme/mail]", 1)},
			want:    []string{`ws/providers/acme.yaml:15:18: offering "acme/mail" depends on itself: remove it from depends_on`},
		},
		{
			name:    "empty baseline",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "controls: all", "controls: []", 1)},
			want:    []string{`ws/systems/one.yaml:6:13: baseline is empty: list the controls of "local" that apply, or write controls: all`},
		},
		{
			name:    "baseline controls neither all nor a list",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "controls: all", "controls: some", 1)},
			want:    []string{`ws/systems/one.yaml:6:13: controls should be all or a list of control ids, not "some"`},
		},
		{
			name:    "baseline control not in the catalogue",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "controls: all", "controls: [L-01, L-03]", 1)},
			want:    []string{`ws/systems/one.yaml:6:20: control "L-03" is not in catalogue "local" (did you mean "L-01"?)`},
		},
		{
			name:    "baseline catalogue not loaded",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "catalogue: local", "catalogue: ncsc-csp", 1)},
			want:    []string{`ws/systems/one.yaml:5:14: baseline catalogue "ncsc-csp" is not loaded`},
		},
		{
			name:    "not applicable needs a baseline control and a reason",
			replace: map[string]string{"systems/one.yaml": strings.Replace(base["systems/one.yaml"], "controls: all\n", "controls: all\n  not_applicable:\n    - control: L-09\n    - control: L-02\n", 1)},
			want: []string{
				`ws/systems/one.yaml:8:7: reason is required: say why the control does not apply`,
				`ws/systems/one.yaml:8:16: control "L-09" is not in this baseline, so it cannot be marked not applicable (did you mean "L-01"?)`,
				`ws/systems/one.yaml:9:7: reason is required: say why the control does not apply`,
			},
		},
		{
			name: "conflicting statements",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "        customer: Run ours.\n",
				"        customer: Run ours.\n      - control: local:L-01\n        class: inherited\n        provider: Runs it all.\n", 1)},
			want: []string{`ws/providers/acme.yaml:12:18: conflicting statements: "local:L-01" already has a statement in this offering (statement 1); keep one statement per control`},
		},
		{
			name:    "shared statement without the customer part",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "        customer: Run ours.\n", "", 1)},
			want:    []string{`ws/providers/acme.yaml:8:9: a shared statement must say what the customer must do: add customer`},
		},
		{
			name:    "inherited statement with a customer part",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "class: shared", "class: inherited", 1)},
			want:    []string{`ws/providers/acme.yaml:11:19: an inherited statement leaves nothing to the customer: remove customer, or make the class shared`},
		},
		{
			name: "bad source date and url",
			replace: map[string]string{"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "    service_model: saas\n",
				"    service_model: saas\n    source: {title: Acme model, url: acme.example/srm, date: 01/02/2026}\n", 1)},
			want: []string{
				`ws/providers/acme.yaml:15:38: source url "acme.example/srm" is not a web address: it should start with https://`,
				`ws/providers/acme.yaml:15:62: source date "01/02/2026" is not a date: write it as YYYY-MM-DD`,
			},
		},
		{
			name:    "missing required fields",
			replace: map[string]string{"providers/zzz.yaml": "id: zzz\n"},
			want:    []string{`ws/providers/zzz.yaml:1:1: provider name is required`},
		},
		{
			name:    "two documents in one file",
			replace: map[string]string{"systems/one.yaml": base["systems/one.yaml"] + "---\nid: two\n"},
			want:    []string{`ws/systems/one.yaml:9:1: a file holds one document; move this one to a file of its own`},
		},
		{
			name:    "aliases are refused",
			replace: map[string]string{"systems/one.yaml": "id: one\nname: &n System one\nteam: *n\nbaseline:\n  catalogue: local\n  controls: all\n"},
			want:    []string{`ws/systems/one.yaml:3:7: team should be text, not an alias (anchors and aliases are not supported)`},
		},
		{
			name: "every problem at once, sorted by file and line",
			replace: map[string]string{
				"systems/one.yaml":    strings.Replace(base["systems/one.yaml"], "offering: acme/vm", "offering: acme/nope", 1),
				"providers/acme.yaml": strings.Replace(base["providers/acme.yaml"], "class: shared", "class: half", 1),
			},
			want: []string{
				`ws/providers/acme.yaml:9:16: class "half" is not known: use one of "inherited", "shared", "organisation-specific", "not-applicable"`,
				`ws/systems/one.yaml:8:15: offering "acme/nope" is not a known offering: write provider/offering`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := load(t, tt.replace)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
