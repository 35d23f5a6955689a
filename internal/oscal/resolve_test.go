package oscal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// sharedData finds ../shared/data/oscal beside the project (or
// REMIT_OSCAL_DATA), skipping the test when it is absent.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("REMIT_OSCAL_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "oscal")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the public OSCAL content is not at %s (../shared beside the project, or REMIT_OSCAL_DATA): %v", dir, err)
	}
	return dir
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func nist(t testing.TB, name string) (string, []byte) {
	t.Helper()
	path := filepath.Join(sharedData(t), "nist-rev5", name)
	return path, readFile(t, path)
}

// TestResolveNISTBaselines resolves NIST's LOW and MODERATE profiles
// against the HIGH resolved catalogue and compares the result with NIST's
// own LOW and MODERATE resolved catalogues: the same controls in the same
// groups and order, and for each the same title, parameters, properties,
// links and parts.
func TestResolveNISTBaselines(t *testing.T) {
	path, data := nist(t, "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json")
	high, err := ReadCatalog(path, data)
	if err != nil {
		t.Fatal(err)
	}
	src := func(string) (*Catalog, error) { return high, nil }
	for _, level := range []string{"LOW", "MODERATE"} {
		t.Run(level, func(t *testing.T) {
			path, data := nist(t, "NIST_SP-800-53_rev5_"+level+"-baseline_profile.json")
			p, err := ReadProfile(path, data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(p, src, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Marshal(KindCatalog, got)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, "the resolved "+level+" catalog", doc)
			path, data = nist(t, "NIST_SP-800-53_rev5_"+level+"-baseline-resolved-profile_catalog.json")
			want, err := ReadCatalog(path, data)
			if err != nil {
				t.Fatal(err)
			}
			type placed struct {
				ctl    *Control
				groups string
				parent string
			}
			flatten := func(c *Catalog) (ids []string, by map[string]placed) {
				by = map[string]placed{}
				c.Walk(func(ctl *Control, groups []string, parent *Control) bool {
					pid := ""
					if parent != nil {
						pid = parent.ID
					}
					ids = append(ids, ctl.ID)
					by[ctl.ID] = placed{ctl, filepath.Join(groups...), pid}
					return true
				})
				return ids, by
			}
			gotIDs, gotBy := flatten(got)
			wantIDs, wantBy := flatten(want)
			if !reflect.DeepEqual(gotIDs, wantIDs) {
				t.Fatalf("controls differ: got %d, want %d\n got %v\nwant %v", len(gotIDs), len(wantIDs), gotIDs, wantIDs)
			}
			params, parts := 0, 0
			for _, id := range wantIDs {
				g, w := gotBy[id], wantBy[id]
				if g.groups != w.groups || g.parent != w.parent {
					t.Errorf("%s is in %q under %q, want %q under %q", id, g.groups, g.parent, w.groups, w.parent)
				}
				gc, wc := *g.ctl, *w.ctl
				gc.Controls, wc.Controls = nil, nil
				if !reflect.DeepEqual(gc, wc) {
					gj, _ := json.Marshal(gc)
					wj, _ := json.Marshal(wc)
					t.Errorf("%s differs:\n got %s\nwant %s", id, gj, wj)
				}
				params += len(wc.Params)
				parts += len(wc.Parts)
			}
			var gotRes, wantRes []string
			for _, r := range got.BackMatter.Resources {
				gotRes = append(gotRes, r.UUID)
			}
			for _, r := range want.BackMatter.Resources {
				wantRes = append(wantRes, r.UUID)
			}
			slices.Sort(gotRes)
			slices.Sort(wantRes)
			if !slices.Equal(gotRes, wantRes) {
				t.Errorf("back matter: %d resources, want NIST's %d", len(gotRes), len(wantRes))
			}
			t.Logf("%s: %d controls, %d parameters, %d top-level parts, %d back-matter resources", level, len(wantIDs), params, parts, len(wantRes))
		})
	}
}

// TestReadsEveryPublicDocument reads every catalog, profile, SSP and
// component definition under ../shared/data/oscal; each catalog also
// becomes a Remit catalogue.
func TestReadsEveryPublicDocument(t *testing.T) {
	dir := sharedData(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := map[Kind]int{}
	for _, file := range files {
		if filepath.Base(filepath.Dir(file)) == "schema" {
			continue
		}
		data := readFile(t, file)
		kind, err := Sniff(file, data)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		switch kind {
		case KindCatalog:
			c, err := ReadCatalog(file, data)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if cat, rep := ToCatalogue(c, "x"); rep.Controls == 0 || len(cat.Controls) != rep.Controls {
				t.Errorf("%s: %d controls", file, rep.Controls)
			}
		case KindProfile:
			if _, err := ReadProfile(file, data); err != nil {
				t.Errorf("%v", err)
			}
		case KindSSP:
			if _, err := ReadSSP(file, data); err != nil {
				t.Errorf("%v", err)
			}
		case KindComponentDefinition:
			if _, err := ReadComponentDefinition(file, data); err != nil {
				t.Errorf("%v", err)
			}
		}
		n[kind]++
	}
	if n[KindCatalog] < 4 || n[KindProfile] < 4 || n[KindSSP] < 2 {
		t.Errorf("read %v: fewer documents than ../shared holds", n)
	}
	t.Logf("read %v", n)
}
