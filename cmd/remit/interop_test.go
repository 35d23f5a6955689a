package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedOSCAL finds NIST's public OSCAL content beside the project,
// skipping the test when it is absent (it is always there in CI).
func sharedOSCAL(t *testing.T, parts ...string) string {
	t.Helper()
	path := filepath.Join(append([]string{"..", "..", "..", "shared", "data", "oscal"}, parts...)...)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the public OSCAL content is not beside the project: %v", err)
	}
	return path
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNISTModelAnswersForNCSCBaseline is the whole journey: a provider's
// matrix written against NIST SP 800-53 (a CRM sheet), NIST's MODERATE
// baseline imported as nist-800-53, and the built-in NCSC ↔ NIST mapping
// switched on in remit.yaml give a system whose baseline is the NCSC
// principles mapped cells whose classes follow the rules — in the matrix,
// explain, coverage and the OSCAL SSP.
func TestNISTModelAnswersForNCSCBaseline(t *testing.T) {
	moderate := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	ws := filepath.Join(dir, "ws")
	write(t, ws, map[string]string{
		"remit.yaml": "name: Mapped estate\norganisation: Example department\ncatalogues: [ncsc-csp]\n",
		"providers/hyperscale.yaml": `id: hyperscale
name: Hyperscale Cloud
offerings:
  - id: compute
    name: Hyperscale Compute
    service_model: iaas
`,
		"systems/payments.yaml": `id: payments
name: Payments
owner: Payments team
team: payments-team
classification: official
baseline:
  catalogue: ncsc-csp
  controls: all
uses:
  - offering: hyperscale/compute
    purpose: runs the service
`,
	})
	// The provider's matrix, against NIST's controls: transmission
	// confidentiality is shared, physical access the provider's, account
	// management the customer's.
	crm := filepath.Join(dir, "crm.csv")
	write(t, dir, map[string]string{"crm.csv": `Control,Responsibility,Provider,Customer
SC-8,Shared,TLS on the provider's endpoints and network.,TLS for the workloads.
PE-3,Provider,Guards and badges at every data centre.,
PE-2,Provider,Access lists for data centre staff.,
AC-2,Customer,,Manage accounts in the tenancy.
`})
	steps := [][]string{
		{"import", ws, "--database", db},
		{"catalogue", "import", moderate, "--id", "nist-800-53", "--database", db},
		{"offering", "import", "hyperscale/compute", crm, "--format", "csv", "--catalogue", "nist-800-53", "--map", "control=Control,class=Responsibility,provider=Provider,customer=Customer", "--database", db},
	}
	for _, s := range steps {
		if out, stderr, code := cli(t, s...); code != 0 {
			t.Fatalf("remit %s: exit %d\n%s%s", strings.Join(s, " "), code, out, stderr)
		}
	}
	// Switch the built-in mapping on, as code: export, name it, import.
	out := filepath.Join(dir, "out")
	if _, stderr, code := cli(t, "export", out, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	root, _ := os.ReadFile(filepath.Join(out, "remit.yaml"))
	write(t, out, map[string]string{"remit.yaml": string(root) + "mappings: [ncsc-csp-nist-800-53]\n"})
	if o, stderr, code := cli(t, "import", out, "--database", db); code != 0 {
		t.Fatalf("import with the mapping: exit %d\n%s%s", code, o, stderr)
	}
	again := filepath.Join(dir, "again")
	if _, stderr, code := cli(t, "export", again, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	if root, _ := os.ReadFile(filepath.Join(again, "remit.yaml")); !strings.Contains(string(root), "mappings: [ncsc-csp-nist-800-53]") {
		t.Errorf("the database does not keep the built-in mapping:\n%s", root)
	}
	if _, err := os.Stat(filepath.Join(again, "mappings")); err == nil {
		t.Errorf("a built-in mapping was written out as the workspace's own file")
	}

	// CSP-01 (data in transit) is answered by SC-8's shared statement;
	// CSP-02 (assets protected) by PE-2/PE-3, which cover only part of it:
	// at most shared, never inherited.
	var matrix struct {
		Rows []struct {
			Control string `json:"control"`
			Class   string `json:"class"`
			Mapped  bool   `json:"mapped"`
			Assumed bool   `json:"assumed"`
		} `json:"rows"`
	}
	o, stderr, code := cli(t, "matrix", again, "--system", "payments", "--format", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	if err := json.Unmarshal([]byte(o), &matrix); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range matrix.Rows {
		if r.Mapped {
			got[r.Control] = r.Class
		}
	}
	for control, class := range map[string]string{"ncsc-csp:CSP-01": "shared", "ncsc-csp:CSP-02": "shared", "ncsc-csp:CSP-09": "organisation-specific"} {
		if got[control] != class {
			t.Errorf("%s: mapped %q, want mapped %s (mapped cells: %v)", control, got[control], class, got)
		}
	}
	ex, _, _ := cli(t, "explain", again, "--system", "payments", "--control", "ncsc-csp:CSP-02")
	if !strings.Contains(ex, "nist-800-53:pe-3") || !strings.Contains(ex, "ncsc-csp-nist-800-53") {
		t.Errorf("explain does not name the mapping and its sources:\n%s", ex)
	}
	cov, _, _ := cli(t, "coverage", again, "--system", "payments", "--format", "json")
	if !strings.Contains(cov, `"mapped": `) || strings.Contains(cov, `"mapped": 0`) {
		t.Errorf("coverage counts no mapped contribution:\n%s", cov)
	}
	ssp, stderr, code := cli(t, "export", "ssp", "--system", "payments", "--database", db)
	if code != 0 || !strings.Contains(ssp, `"name": "mapped-from"`) || !strings.Contains(ssp, `"value": "nist-800-53:sc-8"`) {
		t.Errorf("the SSP names no mapped part: exit %d %s", code, stderr)
	}
}

// TestCatalogueIntoEmptyDatabase: a catalogue imported into a database
// that holds no workspace yet is kept and found (the workspace's header is
// written with it), and an offering import without --catalogue says what
// to do.
func TestCatalogueIntoEmptyDatabase(t *testing.T) {
	basic := sharedOSCAL(t, "examples", "basic-catalog.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, stderr, code := cli(t, "user", "add", "admin@example.gov.uk", "--role", "admin", "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	csv := filepath.Join(dir, "m.csv")
	write(t, dir, map[string]string{"m.csv": "Control,Class\ns1.1.1,inherited\n"})
	mapping := "control=Control,class=Class"
	if _, stderr, code := cli(t, "offering", "import", "x/y", csv, "--format", "csv", "--map", mapping, "--database", db); code != 2 || !strings.Contains(stderr, "the database holds no catalogue yet: import the one the matrix is written against first") {
		t.Errorf("no catalogue yet: exit %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, "catalogue", "import", basic, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "out")
	if o, stderr, code := cli(t, "export", out, "--database", db); code != 0 || !strings.Contains(o, "1 catalogues") {
		t.Fatalf("export after a catalogue into an empty database: exit %d %s%s", code, o, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "catalogues", "basic-catalog.yaml")); err != nil {
		t.Error(err)
	}
	if _, stderr, code := cli(t, "offering", "import", "x/y", csv, "--format", "csv", "--map", mapping, "--database", db); code != 2 || !strings.Contains(stderr, "--catalogue is required for the csv format: name the catalogue the matrix is written against, one of basic-catalog") {
		t.Errorf("no --catalogue: exit %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, "offering", "import", "x/y", csv, "--format", "csv", "--map", mapping, "--catalogue", "basic-catalogue", "--database", db); code != 2 || !strings.Contains(stderr, `(did you mean "basic-catalog"?)`) {
		t.Errorf("a near miss: exit %d %s", code, stderr)
	}
}

// TestOSCALAsYAML: a profile resolved to OSCAL YAML imports as a catalogue
// as its JSON would; an export writes YAML on request and refuses XML,
// saying so.
func TestOSCALAsYAML(t *testing.T) {
	high := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json")
	low := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_LOW-baseline_profile.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	y := filepath.Join(dir, "low.yaml")
	if _, stderr, code := cli(t, "profile", "resolve", low, "--catalog", high, "--format", "yaml", "-o", y); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(y)
	if !strings.HasPrefix(string(data), "catalog:\n  uuid: ") || !strings.Contains(string(data), `oscal-version: 1.1.3`) {
		t.Errorf("not OSCAL YAML:\n%.300s", data)
	}
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := cli(t, "catalogue", "import", y, "--id", "low", "--database", db)
	if code != 0 || !strings.Contains(out, "Catalogue low from the OSCAL catalog: 149 controls") {
		t.Errorf("import of the YAML catalog: exit %d\n%s%s", code, out, stderr)
	}
	ssp, stderr, code := cli(t, "export", "ssp", "--system", "prison-visits", "--format", "yaml", "--database", db)
	if code != 0 || !strings.HasPrefix(ssp, "system-security-plan:\n") {
		t.Errorf("ssp as YAML: exit %d %s\n%.200s", code, stderr, ssp)
	}
	if _, stderr, code := cli(t, "export", "poam", "--format", "toml", "--database", db); code != 2 || !strings.Contains(stderr, `format "toml" is not known: use json, yaml or xml`) {
		t.Errorf("toml: exit %d %s", code, stderr)
	}
}

// TestOSCALAsXML: a profile resolved to OSCAL XML imports as a catalogue
// as its JSON would; an export writes XML; a bad XML file is named by
// line and column. (TestSSPInOut takes an SSP out and back in as XML.)
func TestOSCALAsXML(t *testing.T) {
	high := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json")
	low := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_LOW-baseline_profile.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	x := filepath.Join(dir, "low.xml")
	if _, stderr, code := cli(t, "profile", "resolve", low, "--catalog", high, "--format", "xml", "-o", x); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(x)
	if !strings.HasPrefix(string(data), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="`) || !strings.Contains(string(data), `<oscal-version>1.1.3</oscal-version>`) {
		t.Errorf("not OSCAL XML:\n%.300s", data)
	}
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := cli(t, "catalogue", "import", x, "--id", "low", "--database", db)
	if code != 0 || !strings.Contains(out, "Catalogue low from the OSCAL catalog: 149 controls") {
		t.Errorf("import of the XML catalog: exit %d\n%s%s", code, out, stderr)
	}
	ssp, stderr, code := cli(t, "export", "ssp", "--system", "prison-visits", "--format", "xml", "--database", db)
	if code != 0 || !strings.Contains(ssp, "<system-security-plan xmlns=") {
		t.Fatalf("ssp as XML: exit %d %s\n%.200s", code, stderr, ssp)
	}
	bad := filepath.Join(dir, "bad.xml")
	if err := os.WriteFile(bad, []byte("<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\" uuid=\"u\">\n  <metadata>\n    <titel>x</titel>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "catalogue", "import", bad, "--database", db); code != 2 || !strings.Contains(stderr, "bad.xml:3:12: <metadata> cannot hold <titel>") {
		t.Errorf("a bad XML catalog: exit %d %s", code, stderr)
	}
}

// TestForeignComponentDefinition: a component definition another tool
// wrote (NIST's example: MongoDB, no responsibility stated) imports with
// its classes assumed from the offering's service-model default, saying
// so; one whose responsibility is a property in another namespace is read
// through --map class=NAME; one describing several components needs
// --map component=TITLE; and every bad control is named, not the first.
func TestForeignComponentDefinition(t *testing.T) {
	example := sharedOSCAL(t, "examples", "example-component-definition.json")
	moderate := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	for _, s := range [][]string{{"import", "../../examples/justice", "--database", db}, {"catalogue", "import", moderate, "--id", "nist-800-53", "--database", db}} {
		if _, stderr, code := cli(t, s...); code != 0 {
			t.Fatal(stderr)
		}
	}
	imp := func(ref, file string, extra ...string) (string, string, int) {
		return cli(t, append([]string{"offering", "import", ref, file, "--format", "component-definition", "--catalogue", "nist-800-53", "--database", db}, extra...)...)
	}
	out, stderr, code := imp("mongo/atlas", example, "--service-model", "paas", "--name", "MongoDB", "--provider-name", "MongoDB Inc.")
	if code != 0 || !strings.Contains(out, "3 statements for mongo/atlas") || !strings.Contains(out, "The file states no responsibility: the classes of all 3 were assumed from the offering's service-model default") {
		t.Fatalf("NIST's example: exit %d\n%s%s", code, out, stderr)
	}
	// sc-8 and sc-8.1 are network controls: shared under PaaS; sa-4.9's family has no
	// layer, so it is assumed ours.
	if !strings.Contains(out, "2 shared, 1 organisation-specific") {
		t.Errorf("assumed classes: %s", out)
	}
	// Without a service model for a new offering, nothing is assumed.
	if _, stderr, code := imp("mongo/other", example); code != 2 || !strings.Contains(stderr, `no implemented requirement has a "responsibility" property`) {
		t.Errorf("no service model: exit %d %s", code, stderr)
	}
	cd := func(comps string) string {
		return `{"component-definition": {"uuid": "11111111-1111-4111-8111-111111111111", "metadata": {"title": "t", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"}, "components": [` + comps + `]}}`
	}
	comp := func(title, reqs string) string {
		return `{"uuid": "22222222-2222-4222-8222-222222222222", "type": "service", "title": "` + title + `", "description": "d", "control-implementations": [{"uuid": "33333333-3333-4333-8333-333333333333", "source": "#x", "description": "d", "implemented-requirements": [` + reqs + `]}]}`
	}
	req := func(control, owner string) string {
		return `{"uuid": "44444444-4444-4444-8444-444444444444", "control-id": "` + control + `", "description": "The service encrypts it.", "remarks": "Turn it on.", "props": [{"name": "owner", "ns": "https://tool.example/ns", "value": "` + owner + `"}]}`
	}
	write(t, dir, map[string]string{
		"aws.json":   cd(comp("S3", req("sc-8", "Shared")+","+req("sc-28", "CSP")+","+req("ac-2", "Customer"))),
		"two.json":   cd(comp("S3", req("sc-8", "Shared")) + "," + comp("EC2", req("sc-28", "CSP"))),
		"bad.json":   cd(comp("S3", req("sc-99", "Shared")+","+req("sc-28", "Mostly")+","+req("zz-1", "CSP"))),
		"plain.json": cd(comp("S3", req("sc-8", "Shared"))),
	})
	out, stderr, code = imp("aws/s3", filepath.Join(dir, "aws.json"), "--map", "class=owner")
	if code != 0 || !strings.Contains(out, "3 statements for aws/s3") || !strings.Contains(out, "1 inherited, 1 shared, 1 organisation-specific") || strings.Contains(out, "assumed") {
		t.Errorf("another namespace: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := imp("aws/s3", filepath.Join(dir, "two.json"), "--map", "class=owner"); code != 2 || !strings.Contains(stderr, "the definition describes 2 components with controls (S3; EC2): pick one with --map component=TITLE") {
		t.Errorf("two components: exit %d %s", code, stderr)
	}
	if out, stderr, code := imp("aws/s3", filepath.Join(dir, "two.json"), "--map", "class=owner,component=ec2"); code != 0 || !strings.Contains(out, "1 statements for aws/s3") {
		t.Errorf("a component picked: exit %d %s%s", code, out, stderr)
	}
	_, stderr, code = imp("aws/s3", filepath.Join(dir, "bad.json"), "--map", "class=owner")
	for _, want := range []string{
		`implemented-requirements[0]: control "sc-99" is not in catalogue nist-800-53`,
		`implemented-requirements[1]: "Mostly" is not a class`,
		`implemented-requirements[2]: control "zz-1" is not in catalogue nist-800-53`,
	} {
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("every problem: exit %d, missing %q in\n%s", code, want, stderr)
		}
	}
	// An existing offering's own service model is used (S3 is PaaS: a
	// network control is shared).
	if out, stderr, code := imp("aws/s3", filepath.Join(dir, "plain.json")); code != 0 || !strings.Contains(out, "the class of its one statement was assumed") || !strings.Contains(out, ": 1 shared.") {
		t.Errorf("assumed from an existing offering's model: exit %d %s%s", code, out, stderr)
	}
}
