package engine

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"remit/internal/content"
	"remit/internal/remit"
)

// twoSystems is an estate where system "a" uses acme/vm and system "b" uses
// acme/mail, so a change to one offering must leave the other system alone.
func twoSystems(t *testing.T, vmModel remit.ServiceModel) *Estate {
	t.Helper()
	ws := &remit.Workspace{
		Name:       "test",
		Catalogues: []remit.Catalogue{testCatalogue()},
		Providers: []remit.Provider{{ID: "acme", Name: "Acme", Offerings: []remit.Offering{
			{ID: "vm", Name: "VMs", ServiceModel: vmModel, Statements: []remit.Statement{stmt("OS", remit.Shared, "Patches hosts.", "Patch guests.")}},
			{ID: "mail", Name: "Mail", ServiceModel: remit.SaaS, DependsOn: []string{"other/metal"}},
		}}, {ID: "other", Name: "Other", Offerings: []remit.Offering{{ID: "metal", Name: "Metal", ServiceModel: remit.IaaS}}}},
		Systems: []remit.System{
			{ID: "a", Name: "A", Baseline: remit.Baseline{Catalogue: "c", All: true}, Uses: []remit.Use{{Offering: "acme/vm"}}},
			{ID: "b", Name: "B", Baseline: remit.Baseline{Catalogue: "c", All: true}, Uses: []remit.Use{{Offering: "acme/mail"}}},
		},
	}
	if ps := remit.Validate(ws); len(ps) > 0 {
		t.Fatal((&remit.ValidationError{Problems: ps}).Error())
	}
	e, err := New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCacheRecomputesOnlyTheOfferingsUsers(t *testing.T) {
	c := NewCache(twoSystems(t, remit.IaaS))
	before := c.Matrix(1).Cells
	stampA, stampB := c.Stamp(0), c.Stamp(1)
	c2, affected, err := c.SetStatement("acme/vm", stmt("OS", remit.Inherited, "Patches everything.", ""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int32{0}, affected); diff != "" {
		t.Errorf("affected systems (-want +got):\n%s", diff)
	}
	if got := view(c2.Estate, c2.Matrix(0), "OS"); got.Class != remit.Inherited || got.Assumed {
		t.Errorf("after the change a's OS cell is %s (assumed %v), want inherited and stated", got.Class, got.Assumed)
	}
	if &c2.Matrix(1).Cells[0] != &before[0] || c2.Stamp(1) != stampB {
		t.Error("system b does not use acme/vm but its matrix was recomputed")
	}
	if c2.Stamp(0) == stampA {
		t.Error("system a's matrix was recomputed but its stamp did not change")
	}
	// The old cache is untouched: readers holding it see what they saw.
	if got := view(c.Estate, c.Matrix(0), "OS"); got.Class != remit.Shared {
		t.Errorf("the cache before the change now says a's OS cell is %s, want shared as before", got.Class)
	}
	if n := len(c.Estate.Offering(0).Offering.Statements); n != 1 {
		t.Errorf("the estate before the change has %d statements for acme/vm, want 1", n)
	}
	// The cache must agree with a fresh computation.
	if diff := cmp.Diff(view(c2.Estate, ptr(c2.Estate.Matrix(0)), "OS"), view(c2.Estate, c2.Matrix(0), "OS")); diff != "" {
		t.Errorf("cache and fresh matrix differ (-fresh +cache):\n%s", diff)
	}

	// Removing the statement falls back to the assumed IaaS default.
	c3, _, err := c2.SetStatement("acme/vm", remit.Statement{Control: "c:OS"})
	if err != nil {
		t.Fatal(err)
	}
	got := view(c3.Estate, c3.Matrix(0), "OS")
	if got.Class != remit.OrganisationSpecific || !got.Assumed {
		t.Errorf("after removal a's OS cell is %s (assumed %v), want organisation-specific and assumed", got.Class, got.Assumed)
	}
	if n := len(c3.Estate.Offering(0).Offering.Statements); n != 0 {
		t.Errorf("acme/vm still has %d statements after removal", n)
	}

	// Adding a statement for a control that had none.
	c4, _, err := c3.SetStatement("acme/vm", stmt("IAM", remit.Shared, "Offers IAM.", "Use it."))
	if err != nil {
		t.Fatal(err)
	}
	if got := view(c4.Estate, c4.Matrix(0), "IAM"); got.Class != remit.Shared {
		t.Errorf("after adding, a's IAM cell is %s, want shared", got.Class)
	}
}

func TestCacheRefusesUnknownReferences(t *testing.T) {
	c := NewCache(twoSystems(t, remit.IaaS))
	if _, _, err := c.SetStatement("acme/nope", stmt("OS", remit.Shared, "x", "y")); err == nil {
		t.Error("unknown offering accepted")
	}
	if _, _, err := c.SetStatement("acme/vm", remit.Statement{Control: "c:NOPE", Class: remit.Shared}); err == nil {
		t.Error("unknown control accepted")
	}
}

func ptr(m Matrix) *Matrix { return &m }

func TestDiffMovingFromIaaSToPaaS(t *testing.T) {
	var old, cur *Estate
	for i, model := range []remit.ServiceModel{remit.IaaS, remit.PaaS} {
		c, _, err := NewCache(twoSystems(t, model)).SetStatement("acme/vm", remit.Statement{Control: "c:OS"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			old = c.Estate
		} else {
			cur = c.Estate
		}
	}
	// Only system a uses acme/vm. With no statement, the operating system
	// is assumed ours under IaaS and assumed inherited under PaaS.
	got := Diff(old, cur)
	want := []SystemDiff{{System: "a", Name: "A", Change: "changed", Cells: []CellChange{{
		Control: "c:OS", Title: "OS patching", OldClass: remit.OrganisationSpecific, NewClass: remit.Inherited, OldAssumed: true, NewAssumed: true,
		OursRemoved: []DiffObligation{{Offering: "acme/vm", Text: "Patch operating systems.", Assumed: true}},
		TheirsAdded: []DiffObligation{{Offering: "acme/vm", Text: "Patches, hardens and monitors the operating systems that run the service.", Assumed: true}},
	}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
}

func TestDiffProviderUpdate(t *testing.T) {
	old := twoSystems(t, remit.IaaS)
	// A provider update: acme/vm now says OS is inherited.
	c, _, err := NewCache(twoSystems(t, remit.IaaS)).SetStatement("acme/vm", stmt("OS", remit.Inherited, "Patches everything.", ""))
	if err != nil {
		t.Fatal(err)
	}
	got := Diff(old, c.Estate)
	want := []SystemDiff{{System: "a", Name: "A", Change: "changed", Cells: []CellChange{{
		Control: "c:OS", Title: "OS patching", OldClass: remit.Shared, NewClass: remit.Inherited,
		OursRemoved:   []DiffObligation{{Offering: "acme/vm", Text: "Patch guests."}},
		TheirsAdded:   []DiffObligation{{Offering: "acme/vm", Text: "Patches everything."}},
		TheirsRemoved: []DiffObligation{{Offering: "acme/vm", Text: "Patches hosts."}},
	}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
}

func TestDiffAddedAndRemovedSystems(t *testing.T) {
	old := twoSystems(t, remit.IaaS)
	c, err := NewCache(twoSystems(t, remit.IaaS)).DeleteSystem("b")
	if err != nil {
		t.Fatal(err)
	}
	cur := c.Estate
	got := Diff(old, cur)
	want := []SystemDiff{{System: "b", Name: "B", Change: "removed"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	got = Diff(cur, old)
	want = []SystemDiff{{System: "b", Name: "B", Change: "added"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reverse diff (-want +got):\n%s", diff)
	}
}

func TestConcentration(t *testing.T) {
	e := twoSystems(t, remit.IaaS)
	got := e.Concentration()
	want := []Reliance{
		{Provider: "acme", Name: "Acme", Offerings: []string{"acme/mail", "acme/vm"}, Direct: 2, Total: 2, Systems: 2},
		// other/metal is used by no system directly, but b reaches it
		// through acme/mail: a fourth party.
		{Provider: "other", Name: "Other", Offerings: nil, Indirect: 1, Total: 1, Systems: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("concentration (-want +got):\n%s", diff)
	}
	// Acme declares Other as a sub-processor: both systems now reach
	// Other, a, which uses acme/vm only, indirectly; a declared provider
	// the estate does not know is left out.
	got = e.ConcentrationWith(map[string][]string{"acme": {"other", "unknown"}})
	want[1].Indirect, want[1].Total = 2, 2
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("concentration with sub-processors (-want +got):\n%s", diff)
	}
}

// TestPutAndDeleteSystem changes systems and checks every matrix against
// an estate built afresh from the same workspace, and that no cache a
// reader might hold changed meanwhile.
func TestPutAndDeleteSystem(t *testing.T) {
	c := NewCache(twoSystems(t, remit.IaaS))
	type kept struct {
		c    *Cache
		want map[string]cellView // system/control → cell
	}
	var history []kept
	snapshot := func(c *Cache) map[string]cellView {
		out := map[string]cellView{}
		for si, s := range c.Estate.Systems() {
			for _, ctl := range []string{"PHYS", "OS", "IAM", "NOAREA"} {
				out[s.System.ID+"/"+ctl] = view(c.Estate, c.Matrix(si), ctl)
			}
		}
		return out
	}
	check := func(when string, c *Cache) {
		t.Helper()
		fresh, err := New(c.Estate.Workspace(), content.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		e := c.Estate
		if fresh.NumSystems() != e.NumSystems() {
			t.Fatalf("%s: %d systems changed, %d afresh", when, e.NumSystems(), fresh.NumSystems())
		}
		for i, sys := range fresh.Systems() {
			id := sys.System.ID
			si, ok := e.SystemIndex(id)
			if !ok {
				t.Fatalf("%s: system %s lost its index", when, id)
			}
			if got := c.Matrix(si).System; got != si {
				t.Errorf("%s: system %s's matrix says it is system %d, not %d", when, id, got, si)
			}
			for _, ctl := range []string{"PHYS", "OS", "IAM", "NOAREA"} {
				want, got := view(fresh, ptr(fresh.Matrix(i)), ctl), view(e, c.Matrix(si), ctl)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: system %s, %s (-fresh +changed):\n%s", when, id, ctl, diff)
				}
			}
		}
		for oi, o := range fresh.Offerings() {
			var want, got []string
			for _, si := range fresh.Users(oi) {
				want = append(want, fresh.System(si).System.ID)
			}
			ci, _ := e.OfferingIndex(o.Ref)
			for _, si := range e.Users(ci) {
				got = append(got, e.System(si).System.ID)
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: users of %s (-fresh +changed):\n%s", when, o.Ref, diff)
			}
		}
		history = append(history, kept{c, snapshot(c)})
	}
	check("at first", c)
	// Move system a from VMs to mail.
	a := *c.Estate.System(0).System
	a.Uses = []remit.Use{{Offering: "acme/mail"}}
	c, err := c.PutSystem(&a)
	if err != nil {
		t.Fatal(err)
	}
	check("after replacing a", c)
	// Add a third system using both.
	c, err = c.PutSystem(&remit.System{ID: "c", Name: "C", Baseline: remit.Baseline{Catalogue: "c", All: true}, Uses: []remit.Use{{Offering: "acme/vm"}, {Offering: "acme/mail"}}})
	if err != nil {
		t.Fatal(err)
	}
	check("after adding c", c)
	// Deleting a moves c (the last) into a's place.
	if c, err = c.DeleteSystem("a"); err != nil {
		t.Fatal(err)
	}
	check("after deleting a", c)
	if _, ok := c.Estate.SystemIndex("a"); ok {
		t.Error("a is still indexed")
	}
	if _, err := c.DeleteSystem("zz"); err == nil {
		t.Error("deleting a system that does not exist succeeded")
	}
	for i, h := range history {
		if diff := cmp.Diff(h.want, snapshot(h.c)); diff != "" {
			t.Errorf("cache %d changed after it was published (-then +now):\n%s", i, diff)
		}
	}
}

// TestPutOffering adds an offering and replaces one (its depends_on and
// service model changed), against an estate built afresh.
func TestPutOffering(t *testing.T) {
	c := NewCache(twoSystems(t, remit.IaaS))
	c2, err := c.PutOffering("other", &remit.Offering{ID: "cloud", Name: "Cloud", ServiceModel: remit.PaaS})
	if err != nil {
		t.Fatal(err)
	}
	mail := *c2.Estate.Offering(1).Offering
	mail.DependsOn, mail.ServiceModel = []string{"other/cloud"}, remit.PaaS
	c3, err := c2.PutOffering("acme", &mail)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := New(c3.Estate.Workspace(), content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, ctl := range []string{"PHYS", "OS", "IAM", "NOAREA"} {
		if diff := cmp.Diff(view(fresh, ptr(fresh.Matrix(1)), ctl), view(c3.Estate, c3.Matrix(1), ctl)); diff != "" {
			t.Errorf("system b, %s (-fresh +changed):\n%s", ctl, diff)
		}
	}
	p, _ := c3.Estate.Provider("other")
	if diff := cmp.Diff([]string{"metal", "cloud"}, p.Offerings); diff != "" {
		t.Errorf("other's offerings (-want +got):\n%s", diff)
	}
	if p, _ := c.Estate.Provider("other"); len(p.Offerings) != 1 {
		t.Errorf("the first cache's provider other now has %d offerings, want 1", len(p.Offerings))
	}
	if got := c.Matrix(1).Cells[0].Class(); got != view(c.Estate, c.Matrix(1), "PHYS").Class {
		t.Errorf("the first cache changed: %s", got)
	}
}
