package oscal

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"remit/internal/remit"
	"remit/internal/report"
)

// TestByteOrderMark: a JSON file beginning with a UTF-8 byte-order mark
// (as Excel and PowerShell write them) reads as without it.
func TestByteOrderMark(t *testing.T) {
	path := filepath.Join(sharedData(t), "examples", "basic-catalog.json")
	data := readFile(t, path)
	with := append([]byte("\xef\xbb\xbf"), data...)
	if k, err := Sniff(path, with); err != nil || k != KindCatalog {
		t.Fatalf("sniff: %v %v", k, err)
	}
	a, err := ReadCatalog(path, data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCatalog(path, with)
	if err != nil {
		t.Fatalf("with a byte-order mark: %v", err)
	}
	if len(a.Groups) == 0 || len(a.Groups) != len(b.Groups) || a.Metadata.Title != b.Metadata.Title {
		t.Errorf("read differently with a byte-order mark")
	}
}

// TestModelsNamed: a document of an OSCAL model Remit does not read is
// named as that model, not called "not OSCAL".
func TestModelsNamed(t *testing.T) {
	plan := []byte(`{"assessment-plan": {"uuid": "x"}}`)
	if k, err := Sniff("ap.json", plan); err != nil || k != KindAssessmentPlan {
		t.Errorf("sniff an assessment plan: %v %v", k, err)
	}
	if _, err := ReadCatalog("ap.json", plan); err == nil || err.Error() != "ap.json: this is an OSCAL assessment-plan, not a catalog" {
		t.Errorf("reading an assessment plan as a catalog: %v", err)
	}
	_, err := Sniff("x.json", []byte(`{"hello": 1}`))
	if err == nil || !strings.Contains(err.Error(), "not one of the OSCAL models (catalog, profile, system-security-plan, component-definition, assessment-plan, assessment-results, plan-of-action-and-milestones, mapping-collection)") {
		t.Errorf("not OSCAL: %v", err)
	}
}

// TestCanonicalSlashes: parts copied verbatim from a source document keep
// no \/ escapes in what Remit writes; other escapes, and an escaped
// backslash before a slash, are kept.
func TestCanonicalSlashes(t *testing.T) {
	raw := json.RawMessage(`{"href":"https:\/\/example.gov\/a","text":"a \\\/ b \"q\" \u00e9"}`)
	doc, err := Marshal(KindCatalog, map[string]any{"resource": raw})
	if err != nil {
		t.Fatal(err)
	}
	got := string(doc)
	if strings.Contains(got, `https:\/`) || !strings.Contains(got, `"href": "https://example.gov/a"`) || !strings.Contains(got, `"text": "a \\/ b \"q\" \u00e9"`) {
		t.Errorf("written:\n%s", got)
	}
	var back map[string]map[string]map[string]string
	if err := json.Unmarshal(doc, &back); err != nil || back["catalog"]["resource"]["text"] != `a \/ b "q" é` {
		t.Errorf("not the same JSON: %v %q", err, back["catalog"]["resource"]["text"])
	}
}

// TestProfileDate: a catalogue imported from a profile is sourced at the
// profile's date, not the day it was resolved.
func TestProfileDate(t *testing.T) {
	path, data := nist(t, "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json")
	high, err := ReadCatalog(path, data)
	if err != nil {
		t.Fatal(err)
	}
	path, data = nist(t, "NIST_SP-800-53_rev5_LOW-baseline_profile.json")
	p, err := ReadProfile(path, data)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	got, err := Resolve(p, func(string) (*Catalog, error) { return high, nil }, now)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ToCatalogue(got, "low")
	if want := DateOf(p.Metadata.LastModified); want == "" || c.Source.Date != want {
		t.Errorf("source date %q, want the profile's %q", c.Source.Date, want)
	}
	if got.Metadata.LastModified != "2026-12-05T09:00:00Z" {
		t.Errorf("the resolved catalog's own date is %q, want the resolution's", got.Metadata.LastModified)
	}
}

// TestControlProblemsHaveLines: a control without an id, or an id given
// twice, is named with the line it is on.
func TestControlProblemsHaveLines(t *testing.T) {
	doc := `{"catalog": {"uuid": "u", "metadata": {"title": "t", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
  "groups": [{"id": "g", "title": "G", "controls": [
    {"id": "a-1", "title": "First"},
    {"title": "Nameless"}
  ]}]}}`
	_, err := ReadCatalog("c.json", []byte(doc))
	if err == nil || err.Error() != `c.json:4:6: group "G": a control (titled "Nameless") has no id: every control needs one` {
		t.Errorf("no id: %v", err)
	}
	doc = strings.Replace(doc, `{"title": "Nameless"}`, `{"id": "a-1", "title": "Again"}`, 1)
	_, err = ReadCatalog("c.json", []byte(doc))
	if err == nil || err.Error() != `c.json:4:6: control a-1: this id is used by two controls: ids must be unique in a catalog` {
		t.Errorf("twice: %v", err)
	}
}

// TestSatisfiedPointsAtResponsibility: our part answering an offering's
// responsibility names that responsibility's uuid when the offering's
// statement was read from the provider's SSP; sources written before
// responsibilities were told apart still give their provided uuid.
func TestSatisfiedPointsAtResponsibility(t *testing.T) {
	const provided, resp = "11111111-1111-4111-8111-000000000004", "11111111-1111-4111-8111-000000000005"
	src := &remit.Source{Title: "Acme SSP, export provided " + provided + "; responsibilities " + resp}
	plan := &report.SystemPlan{System: remit.System{ID: "s", Name: "S"},
		Offerings: []report.PlanOffering{{Ref: "acme/mail", Name: "Mail", Provider: "acme", ProviderName: "Acme", ServiceModel: "saas", Direct: true}},
		Rows: []report.PlanRow{{Control: "srm:SRM-11", Title: "Accounts", Class: remit.Shared,
			Provided: []report.PlanPart{{Offering: "acme/mail", Class: remit.Shared, Text: "Offers accounts.", Source: src}},
			Ours:     []report.PlanDuty{{Obligation: "s/srm:SRM-11/acme/mail/ours", Offering: "acme/mail", Text: "Review accounts.", Tracking: remit.DefaultTracking}}}}}
	ssp := WriteSSP(SSPInput{Plan: plan, Catalogue: "SRM", Now: exportNow})
	var sat []Satisfied
	for _, bc := range ssp.ControlImplementation.ImplementedRequirements[0].ByComponents {
		sat = append(sat, bc.Satisfied...)
	}
	if len(sat) != 1 || sat[0].ResponsibilityUUID != resp {
		t.Errorf("satisfied %+v, want responsibility-uuid %s", sat, resp)
	}
	doc, _ := Marshal(KindSSP, ssp)
	validate(t, "an SSP satisfying a provider's responsibility", doc)
	for _, c := range []struct {
		title, provided, resp string
	}{
		{"Acme SSP, export provided " + provided + "; responsibilities " + resp, provided, resp},
		{"Acme SSP, export responsibilities " + resp, "", resp},
		{"Acme SSP, export provided " + provided, provided, ""},
		{"Acme SSP, export " + provided + " " + resp, provided, ""}, // as written before
	} {
		s := &remit.Source{Title: c.title}
		if ProvidedUUID(s) != c.provided || ResponsibilityUUID(s) != c.resp {
			t.Errorf("%q: provided %q responsibility %q", c.title, ProvidedUUID(s), ResponsibilityUUID(s))
		}
	}
}

// TestConstraintsInStatements: a parameter with no value shows what its
// constraints require, as FedRAMP states its required values.
func TestConstraintsInStatements(t *testing.T) {
	doc := `{"catalog": {"uuid": "u", "metadata": {"title": "t", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
  "controls": [{"id": "ac-1", "title": "Policy",
    "params": [
      {"id": "ac-01_odp.01", "label": "frequency", "constraints": [{"description": "at least every 3 years"}]},
      {"id": "ac-01_odp.02", "label": "events"},
      {"id": "ac-01_odp.03", "label": "period", "values": ["annually"], "constraints": [{"description": "at least annually"}]}],
    "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Review the policy {{ insert: param, ac-01_odp.01 }} and after {{ insert: param, ac-01_odp.02 }}; the procedures {{ insert: param, ac-01_odp.03 }}."}]}]}}`
	c, err := ReadCatalog("c.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ToCatalogue(c, "x")
	want := "Review the policy [Assignment: frequency; at least every 3 years] and after [Assignment: events]; the procedures annually."
	if got.Controls[0].Statement != want {
		t.Errorf("statement %q\nwant      %q", got.Controls[0].Statement, want)
	}
}

// TestMetadataLinksKeepTheirResources: resolving a profile whose metadata
// links to resources (FedRAMP's logo and "Applicable Laws") keeps those
// resources, so no "#uuid" in the result dangles.
func TestMetadataLinksKeepTheirResources(t *testing.T) {
	cat, err := ReadCatalog("catalog.json", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	const logo, laws, unused = "bbbbbbbb-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002", "bbbbbbbb-0000-4000-8000-000000000003"
	p, err := ReadProfile("profile.json", []byte(`{"profile": {"uuid": "22222222-2222-4222-8222-222222222222",
  "metadata": {"title": "P", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6",
    "links": [{"href": "#`+laws+`", "rel": "reference", "text": "Applicable Laws"}],
    "parties": [{"uuid": "cccccccc-0000-4000-8000-000000000001", "type": "organization", "name": "Agency", "links": [{"href": "#`+logo+`", "rel": "logo"}]}]},
  "imports": [{"href": "#c", "include-controls": [{"with-ids": ["sc-7"]}]}],
  "back-matter": {"resources": [{"uuid": "`+logo+`", "title": "Logo"}, {"uuid": "`+laws+`", "title": "Applicable Laws"}, {"uuid": "`+unused+`", "title": "Not referred to"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(p, func(string) (*Catalog, error) { return cat, nil }, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, r := range got.BackMatter.Resources {
		kept = append(kept, r.UUID)
	}
	if want := []string{"aaaaaaaa-0000-4000-8000-000000000002", logo, laws}; !slices.Equal(kept, want) {
		t.Errorf("resources %v, want %v (sc-7's reference, then the profile's logo and laws)", kept, want)
	}
	doc, err := Marshal(KindCatalog, got)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "the resolved catalog", doc) // checks every #uuid resolves
}

// TestOSCALVersions: documents declare OSCAL 1.1.3 by default, and any of
// Versions on request, each valid against that version's schema; a mapping
// collection stays 1.2.2.
func TestOSCALVersions(t *testing.T) {
	plan := &report.SystemPlan{System: remit.System{ID: "s", Name: "S"},
		Offerings: []report.PlanOffering{{Ref: "acme/mail", Name: "Mail", Provider: "acme", ProviderName: "Acme", ServiceModel: "saas", Direct: true}},
		Rows:      []report.PlanRow{{Control: "srm:SRM-01", Title: "Physical", Class: remit.Inherited, Provided: []report.PlanPart{{Offering: "acme/mail", Class: remit.Inherited, Text: "Our data centres."}}}}}
	doc, err := Marshal(KindSSP, WriteSSP(SSPInput{Plan: plan, Catalogue: "SRM", Now: exportNow}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte(`"oscal-version": "1.1.3"`)) {
		t.Error("the default is not 1.1.3")
	}
	schemas := map[string]*jsonschema.Schema{"1.0.6": oscalSchema(t), "1.1.3": oscalSchema113(t), "1.2.2": oscalSchema122(t)}
	for _, v := range Versions {
		got, err := SetVersion(doc, v)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if bytes.Count(got, []byte(`"oscal-version": "`+v+`"`)) != 1 {
			t.Errorf("%s: not declared", v)
		}
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(got))
		if err := schemas[v].Validate(inst); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	if _, err := SetVersion(doc, "1.3.0"); err == nil || err.Error() != `OSCAL version "1.3.0" is not one Remit writes: use 1.0.6, 1.1.3, 1.2.2` {
		t.Errorf("unknown version: %v", err)
	}
	mapping := []byte(`{"mapping-collection": {"metadata": {"oscal-version": "1.2.2"}}}`)
	if _, err := SetVersion(mapping, "1.0.6"); err == nil {
		t.Error("a mapping collection was made 1.0.6")
	}
}
