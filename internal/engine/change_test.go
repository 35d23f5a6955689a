package engine

import (
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
	e := twoSystems(t, remit.IaaS)
	c := NewCache(e)
	before := c.Matrix(1).Cells
	stampA, stampB := c.Stamp(0), c.Stamp(1)
	affected, err := c.SetStatement("acme/vm", stmt("OS", remit.Inherited, "Patches everything.", ""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int32{0}, affected); diff != "" {
		t.Errorf("affected systems (-want +got):\n%s", diff)
	}
	if got := view(e, c.Matrix(0), "OS"); got.Class != remit.Inherited || got.Assumed {
		t.Errorf("after the change a's OS cell is %s (assumed %v), want inherited and stated", got.Class, got.Assumed)
	}
	if &c.Matrix(1).Cells[0] != &before[0] || c.Stamp(1) != stampB {
		t.Error("system b does not use acme/vm but its matrix was recomputed")
	}
	if c.Stamp(0) == stampA {
		t.Error("system a's matrix was recomputed but its stamp did not change")
	}
	// The cache must agree with a fresh computation.
	if diff := cmp.Diff(view(e, ptr(e.Matrix(0)), "OS"), view(e, c.Matrix(0), "OS")); diff != "" {
		t.Errorf("cache and fresh matrix differ (-fresh +cache):\n%s", diff)
	}

	// Removing the statement falls back to the assumed IaaS default.
	if _, err := c.SetStatement("acme/vm", remit.Statement{Control: "c:OS"}); err != nil {
		t.Fatal(err)
	}
	got := view(e, c.Matrix(0), "OS")
	if got.Class != remit.OrganisationSpecific || !got.Assumed {
		t.Errorf("after removal a's OS cell is %s (assumed %v), want organisation-specific and assumed", got.Class, got.Assumed)
	}
	if n := len(e.Offerings[0].Offering.Statements); n != 0 {
		t.Errorf("acme/vm still has %d statements after removal", n)
	}

	// Adding a statement for a control that had none.
	if _, err := c.SetStatement("acme/vm", stmt("IAM", remit.Shared, "Offers IAM.", "Use it.")); err != nil {
		t.Fatal(err)
	}
	if got := view(e, c.Matrix(0), "IAM"); got.Class != remit.Shared {
		t.Errorf("after adding, a's IAM cell is %s, want shared", got.Class)
	}
}

func TestCacheRefusesUnknownReferences(t *testing.T) {
	c := NewCache(twoSystems(t, remit.IaaS))
	if _, err := c.SetStatement("acme/nope", stmt("OS", remit.Shared, "x", "y")); err == nil {
		t.Error("unknown offering accepted")
	}
	if _, err := c.SetStatement("acme/vm", remit.Statement{Control: "c:NOPE", Class: remit.Shared}); err == nil {
		t.Error("unknown control accepted")
	}
}

func ptr(m Matrix) *Matrix { return &m }

func TestDiffMovingFromIaaSToPaaS(t *testing.T) {
	old, cur := twoSystems(t, remit.IaaS), twoSystems(t, remit.PaaS)
	for _, e := range []*Estate{old, cur} {
		if _, err := NewCache(e).SetStatement("acme/vm", remit.Statement{Control: "c:OS"}); err != nil {
			t.Fatal(err)
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
	cur2 := twoSystems(t, remit.IaaS)
	if _, err := NewCache(cur2).SetStatement("acme/vm", stmt("OS", remit.Inherited, "Patches everything.", "")); err != nil {
		t.Fatal(err)
	}
	got := Diff(old, cur2)
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
	cur := twoSystems(t, remit.IaaS)
	cur.Systems = cur.Systems[:1]
	delete(cur.systemIndex, "b")
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
}

// TestPutAndDeleteSystem changes systems in place and checks every matrix
// against an estate built afresh from the same workspace.
func TestPutAndDeleteSystem(t *testing.T) {
	e := twoSystems(t, remit.IaaS)
	c := NewCache(e)
	check := func(when string) {
		t.Helper()
		fresh, err := New(e.Workspace, content.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh.Systems) != len(e.Systems) {
			t.Fatalf("%s: %d systems in place, %d afresh", when, len(e.Systems), len(fresh.Systems))
		}
		for i := range fresh.Systems {
			id := fresh.Systems[i].System.ID
			si, ok := e.SystemIndex(id)
			if !ok {
				t.Fatalf("%s: system %s lost its index", when, id)
			}
			for _, ctl := range []string{"PHYS", "OS", "IAM", "NOAREA"} {
				want, got := view(fresh, ptr(fresh.Matrix(int32(i))), ctl), view(e, c.Matrix(si), ctl)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: system %s, %s (-fresh +in place):\n%s", when, id, ctl, diff)
				}
			}
			if got := len(e.Users(0)) + len(e.Users(1)); got != len(fresh.Users(0))+len(fresh.Users(1)) {
				t.Errorf("%s: users index has %d entries, afresh %d", when, got, len(fresh.Users(0))+len(fresh.Users(1)))
			}
		}
	}
	// Move system a from VMs to mail.
	a := e.Workspace.Systems[0]
	a.Uses = []remit.Use{{Offering: "acme/mail"}}
	if err := c.PutSystem(a); err != nil {
		t.Fatal(err)
	}
	check("after replacing a")
	// Add a third system using both.
	if err := c.PutSystem(remit.System{ID: "c", Name: "C", Baseline: remit.Baseline{Catalogue: "c", All: true}, Uses: []remit.Use{{Offering: "acme/vm"}, {Offering: "acme/mail"}}}); err != nil {
		t.Fatal(err)
	}
	check("after adding c")
	if err := c.DeleteSystem("a"); err != nil {
		t.Fatal(err)
	}
	check("after deleting a")
	if _, ok := e.SystemIndex("a"); ok {
		t.Error("a is still indexed")
	}
	if err := c.DeleteSystem("zz"); err == nil {
		t.Error("deleting a system that does not exist succeeded")
	}
}
