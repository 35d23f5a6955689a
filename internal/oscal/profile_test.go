package oscal

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testCatalog has two families; ac-2 has two enhancements, one with an
// enhancement of its own; ac-3 is withdrawn.
const testCatalog = `{"catalog": {"uuid": "11111111-1111-4111-8111-111111111111",
 "metadata": {"title": "Test", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"},
 "groups": [
  {"id": "ac", "class": "family", "title": "Access Control", "controls": [
   {"id": "ac-1", "title": "Policy", "params": [{"id": "ac-01_odp.01", "label": "personnel"}],
    "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Give the policy to {{ insert: param, ac-01_odp.01 }}."},
              {"id": "ac-1_gdn", "name": "guidance", "prose": "See [SP 800-12](#aaaaaaaa-0000-4000-8000-000000000001)."}]},
   {"id": "ac-2", "title": "Accounts", "params": [{"id": "ac-2_prm_1", "label": "frequency"}],
    "parts": [{"id": "ac-2_smt", "name": "statement", "parts": [{"id": "ac-2_smt.a", "name": "item", "prose": "Review accounts every {{ insert: param, ac-2_prm_1 }}."}]}],
    "controls": [
     {"id": "ac-2.1", "title": "Automated Management", "parts": [{"id": "ac-2.1_smt", "name": "statement", "prose": "Automate it."}],
      "controls": [{"id": "ac-2.1.1", "title": "Deeper", "parts": [{"id": "ac-2.1.1_smt", "name": "statement", "prose": "Deeper still."}]}]},
     {"id": "ac-2.2", "title": "Temporary Accounts", "props": [{"name": "label", "value": "AC-2(2)"}]}]},
   {"id": "ac-3", "title": "Enforcement", "props": [{"name": "status", "value": "withdrawn"}]}]},
  {"id": "sc", "class": "family", "title": "System and Communications Protection", "controls": [
   {"id": "sc-7", "title": "Boundary Protection", "links": [{"href": "#aaaaaaaa-0000-4000-8000-000000000002", "rel": "reference"}]}]}],
 "back-matter": {"resources": [{"uuid": "aaaaaaaa-0000-4000-8000-000000000001", "title": "SP 800-12"}, {"uuid": "aaaaaaaa-0000-4000-8000-000000000002", "title": "SP 800-41"}, {"uuid": "aaaaaaaa-0000-4000-8000-000000000003", "title": "unused"}]}}}`

func resolveText(t *testing.T, profile string) (*Catalog, error) {
	t.Helper()
	cat, err := ReadCatalog("catalog.json", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ReadProfile("profile.json", []byte(`{"profile": {"uuid": "22222222-2222-4222-8222-222222222222", "metadata": {"title": "P", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.0.6"}, `+profile+`}}`))
	if err != nil {
		return nil, err
	}
	return Resolve(p, func(string) (*Catalog, error) { return cat, nil }, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
}

// shape writes where each control sits: group/parent>child, in order.
func shape(c *Catalog) string {
	var b []string
	var ctls func(cs []Control, at string)
	ctls = func(cs []Control, at string) {
		for _, x := range cs {
			b = append(b, at+x.ID)
			ctls(x.Controls, at+x.ID+">")
		}
	}
	ctls(c.Controls, "")
	for _, g := range c.Groups {
		ctls(g.Controls, g.ID+"/")
	}
	return strings.Join(b, " ")
}

func TestResolveSelection(t *testing.T) {
	for _, c := range []struct {
		name, profile, want string
	}{
		{"include-all keeps the whole structure", `"imports": [{"href": "#c", "include-all": {}}]`,
			"ac/ac-1 ac/ac-2 ac/ac-2>ac-2.1 ac/ac-2>ac-2.1>ac-2.1.1 ac/ac-2>ac-2.2 ac/ac-3 sc/sc-7"},
		{"with-ids alone takes no children", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-2"]}]}]`,
			"ac/ac-2"},
		{"with-child-controls yes takes every descendant", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}]}]`,
			"ac/ac-2 ac/ac-2>ac-2.1 ac/ac-2>ac-2.1>ac-2.1.1 ac/ac-2>ac-2.2"},
		{"an unselected parent is kept as its selected children's, as NIST resolves", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-2.1", "ac-2.2"]}]}]`,
			"ac/ac-2 ac/ac-2>ac-2.1 ac/ac-2>ac-2.2"},
		{"matching patterns", `"imports": [{"href": "#c", "include-controls": [{"matching": [{"pattern": "ac-2.*"}, {"pattern": "sc-?"}]}]}]`,
			"ac/ac-2 ac/ac-2>ac-2.1 ac/ac-2>ac-2.1>ac-2.1.1 ac/ac-2>ac-2.2 sc/sc-7"},
		{"exclude after include", `"imports": [{"href": "#c", "include-all": {}, "exclude-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}, {"matching": [{"pattern": "sc-*"}]}]}]`,
			"ac/ac-1 ac/ac-3"},
		{"flat", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["sc-7", "ac-2", "ac-2.1"]}]}], "merge": {"flat": {}}`,
			"ac-2 ac-2.1 sc-7"},
		{"two imports, use-first", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-1"]}]}, {"href": "#c", "include-controls": [{"with-ids": ["ac-1", "sc-7"]}]}], "merge": {"combine": {"method": "use-first"}, "as-is": true}`,
			"ac/ac-1 sc/sc-7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := resolveText(t, c.profile)
			if err != nil {
				t.Fatal(err)
			}
			if s := shape(got); s != c.want {
				t.Errorf("got  %s\nwant %s", s, c.want)
			}
		})
	}
}

func TestResolveModify(t *testing.T) {
	got, err := resolveText(t, `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-1", "ac-2", "ac-2.1", "sc-7"]}]}],
	 "modify": {"set-parameters": [{"param-id": "ac-01_odp.01", "values": ["the security team"]}, {"param-id": "ac-2_prm_1", "select": {"how-many": "one", "choice": ["monthly", "quarterly"]}, "props": [{"name": "origin", "value": "profile"}]}],
	  "alters": [
	   {"control-id": "ac-1", "removes": [{"by-name": "guidance"}], "adds": [{"position": "ending", "parts": [{"id": "ac-1_dept", "name": "guidance", "prose": "Our own guidance."}]}]},
	   {"control-id": "ac-2", "adds": [{"position": "after", "by-id": "ac-2_smt.a", "parts": [{"id": "ac-2_smt.b", "name": "item", "prose": "Also b."}]}, {"position": "starting", "props": [{"name": "priority", "value": "P1"}]}]},
	   {"control-id": "sc-7", "removes": [{"by-item-name": "link"}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	ctl := map[string]*Control{}
	got.Walk(func(c *Control, _ []string, _ *Control) bool { ctl[c.ID] = c; return true })
	if v := ctl["ac-1"].Params[0].Values; len(v) != 1 || v[0] != "the security team" {
		t.Errorf("ac-1 parameter: %+v", ctl["ac-1"].Params[0])
	}
	if p := ctl["ac-2"].Params[0]; p.Select == nil || len(p.Select.Choice) != 2 || len(p.Props) != 1 || p.Label != "frequency" {
		t.Errorf("ac-2 parameter: %+v", p)
	}
	if ps := ctl["ac-1"].Parts; len(ps) != 2 || ps[0].Name != "statement" || ps[1].ID != "ac-1_dept" {
		t.Errorf("ac-1 parts: %+v", ps)
	}
	if items := ctl["ac-2"].Parts[0].Parts; len(items) != 2 || items[1].ID != "ac-2_smt.b" {
		t.Errorf("ac-2 items: %+v", items)
	}
	if ps := ctl["ac-2"].Props; len(ps) != 1 || ps[0].Name != "priority" {
		t.Errorf("ac-2 props: %+v", ps)
	}
	if len(ctl["sc-7"].Links) != 0 {
		t.Errorf("sc-7 links: %+v", ctl["sc-7"].Links)
	}
	// The guidance that cited SP 800-12 is gone, and so is its resource;
	// SP 800-41 went with sc-7's link.
	if got.BackMatter != nil {
		t.Errorf("back matter: %+v", got.BackMatter.Resources)
	}
}

func TestResolveRefusals(t *testing.T) {
	for _, c := range []struct{ name, profile, want string }{
		{"unknown control", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-99"]}]}]`, `import 0 selects control "ac-99", which #c does not have`},
		{"keep refuses duplicates", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-1"]}]}, {"href": "#c", "include-controls": [{"with-ids": ["ac-1"]}]}], "merge": {"combine": {"method": "keep"}}`, `control "ac-1" is imported twice`},
		{"unknown parameter", `"imports": [{"href": "#c", "include-all": {}}], "modify": {"set-parameters": [{"param-id": "ac-9_prm_1", "values": ["x"]}]}`, `set-parameters names "ac-9_prm_1"`},
		{"alter of an unselected control", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-1"]}]}], "modify": {"alters": [{"control-id": "sc-7", "removes": [{"by-name": "x"}]}]}`, `alters names control "sc-7", which is not selected`},
		{"add by an unknown id", `"imports": [{"href": "#c", "include-all": {}}], "modify": {"alters": [{"control-id": "ac-1", "adds": [{"position": "after", "by-id": "nope", "parts": [{"name": "x"}]}]}]}`, `adds by-id "nope"`},
		{"no selection", `"imports": [{"href": "#c"}]`, "an import needs include-all or include-controls"},
		{"bad with-child-controls", `"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-1"], "with-child-controls": "true"}]}]`, `with-child-controls "true" must be yes or no`},
		{"custom merge", `"imports": [{"href": "#c", "include-all": {}}], "merge": {"custom": {"groups": []}}`, "custom merge is not supported"},
		{"bad position", `"imports": [{"href": "#c", "include-all": {}}], "modify": {"alters": [{"control-id": "ac-1", "adds": [{"position": "middle"}]}]}`, `position "middle" is not before, after, starting or ending`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := resolveText(t, c.profile)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want it to say %q", err, c.want)
			}
		})
	}
}

// TestReadErrors names the file, the position and what would be right.
func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"syntax", "{\"catalog\": {\n  \"uuid\": \"x\",\n  \"groups\": [}\n}", "c.json:3:14: not valid JSON"},
		{"type", "{\"catalog\": {\n  \"uuid\": \"x\",\n  \"groups\": {\"id\": 1}\n}}", "c.json:3:13: catalog.groups: catalog.groups is a JSON object where OSCAL has a list"},
		{"not OSCAL", `{"hello": 1}`, `c.json: not an OSCAL document: its top level has "hello"`},
		{"another model", `{"profile": {"uuid": "x", "imports": []}}`, "c.json: this is an OSCAL profile, not a catalog"},
		{"no id", `{"catalog": {"uuid": "x", "groups": [{"title": "G", "controls": [{"title": "Nameless"}]}]}}`, `c.json:1:67: group "G": a control (titled "Nameless") has no id`},
		{"duplicate", `{"catalog": {"uuid": "x", "controls": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}}`, "c.json:1:68: control a: this id is used by two controls"},
		{"truncated", `{"catalog": {"uuid": "x"`, "c.json:1:24: not valid JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCatalog("c.json", []byte(c.text))
			var oe *Error
			if !errors.As(err, &oe) || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s…", err, c.want)
			}
		})
	}
}

// TestReadErrorOnFirstLine places an error on the catalog's own first
// line by its column in the file.
func TestReadErrorOnFirstLine(t *testing.T) {
	_, err := ReadCatalog("c.json", []byte(`{"catalog": {"uuid": 7}}`))
	if err == nil || !strings.HasPrefix(err.Error(), "c.json:1:22: catalog.uuid: catalog.uuid is a JSON number where OSCAL has a string") {
		t.Errorf("got %v", err)
	}
}

// TestResolveLeavesItsSourceAlone: tailoring the result never changes
// the catalog it was resolved from, so one catalog serves many profiles.
func TestResolveLeavesItsSourceAlone(t *testing.T) {
	cat, err := ReadCatalog("catalog.json", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Marshal(KindCatalog, cat)
	p, err := ReadProfile("p.json", []byte(`{"profile": {"uuid": "p", "imports": [{"href": "#c", "include-all": {}}],
	 "modify": {"set-parameters": [{"param-id": "ac-01_odp.01", "values": ["changed"], "props": [{"name": "x", "value": "y"}]}],
	  "alters": [{"control-id": "ac-2", "removes": [{"by-id": "ac-2_smt.a"}], "adds": [{"position": "ending", "props": [{"name": "added", "value": "1"}]}]},
	             {"control-id": "ac-1", "adds": [{"position": "after", "by-id": "ac-1_smt", "parts": [{"name": "guidance", "prose": "more"}]}]}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(p, func(string) (*Catalog, error) { return cat, nil }, exportNow); err != nil {
		t.Fatal(err)
	}
	after, _ := Marshal(KindCatalog, cat)
	if string(before) != string(after) {
		t.Errorf("resolving changed the source catalog:\n%s", after)
	}
}
