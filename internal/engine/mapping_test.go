package engine

import (
	"strings"
	"testing"

	"remit/internal/content"
	"remit/internal/remit"
)

// mappedEstate has a source catalogue "nist" the provider's model is
// written against, a target catalogue "ncsc" the system's baseline uses,
// and the given pairs from nist to ncsc.
func mappedEstate(t *testing.T, statements []remit.Statement, targetStatements []remit.Statement, pairs []remit.ControlPair, uses ...string) *Estate {
	t.Helper()
	nist := remit.Catalogue{ID: "nist", Title: "NIST", Controls: []remit.Control{
		{ID: "AC-1", Title: "Access policy", Area: remit.AreaIdentities}, {ID: "AC-2", Title: "Accounts", Area: remit.AreaIdentities},
		{ID: "PE-1", Title: "Physical", Area: remit.AreaPhysical}, {ID: "SI-2", Title: "Flaw remediation", Area: remit.AreaOperatingSystem},
	}}
	ncsc := remit.Catalogue{ID: "ncsc", Title: "NCSC", Controls: []remit.Control{
		{ID: "P1", Title: "Identity", Statement: "Authenticate and authorise people.", Area: remit.AreaIdentities},
		{ID: "P2", Title: "Physical", Statement: "Protect the data centres.", Area: remit.AreaPhysical},
		{ID: "P3", Title: "Patching", Statement: "Patch what runs.", Area: remit.AreaOperatingSystem},
		{ID: "P4", Title: "Direct", Statement: "Stated directly.", Area: remit.AreaIdentities},
		{ID: "P5", Title: "Unmapped", Statement: "Nothing maps here.", Area: remit.AreaIdentities},
	}}
	o := remit.Offering{ID: "cloud", Name: "Acme Cloud", ServiceModel: remit.IaaS, Statements: append(statements, targetStatements...)}
	ws := &remit.Workspace{Name: "test", Catalogues: []remit.Catalogue{nist, ncsc},
		Providers: []remit.Provider{{ID: "acme", Name: "Acme", Offerings: []remit.Offering{o}}},
		Systems:   []remit.System{{ID: "s", Name: "S", Baseline: remit.Baseline{Catalogue: "ncsc", All: true}, Uses: []remit.Use{{Offering: "acme/cloud"}}}},
		Mappings:  []remit.ControlMappings{{ID: "nist-ncsc", From: "nist", To: "ncsc", Pairs: pairs}},
	}
	if ps := remit.Validate(ws); len(ps) > 0 {
		t.Fatalf("invalid: %v", (&remit.ValidationError{Problems: ps}).Error())
	}
	e, err := New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func nist(control string, class remit.Class) remit.Statement {
	st := remit.Statement{Control: "nist:" + control, Class: class, Provider: "The provider does " + control + ".", Customer: "We do " + control + "."}
	switch class {
	case remit.Inherited:
		st.Customer = ""
	case remit.OrganisationSpecific:
		st.Provider = ""
	}
	return st
}

// TestMappedCells: one case per rule in doc/engine.md.
func TestMappedCells(t *testing.T) {
	pair := func(from, to string, rel remit.Relationship) remit.ControlPair {
		return remit.ControlPair{From: from, To: to, Relationship: rel}
	}
	for _, c := range []struct {
		name       string
		statements []remit.Statement
		direct     []remit.Statement
		pairs      []remit.ControlPair
		target     string
		class      remit.Class
		mapped     bool
		assumed    bool
		partial    bool
		sources    string
	}{
		{"equivalent-to carries the class over", []remit.Statement{nist("AC-2", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("AC-2", "P1", remit.EquivalentTo)}, "P1", remit.Inherited, true, false, false, "nist:AC-2 equivalent-to"},
		{"superset-of covers the whole target too", []remit.Statement{nist("PE-1", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("PE-1", "P2", remit.SupersetOf)}, "P2", remit.Inherited, true, false, false, "nist:PE-1 superset-of"},
		{"subset-of makes an inherited source at most shared", []remit.Statement{nist("SI-2", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("SI-2", "P3", remit.SubsetOf)}, "P3", remit.Shared, true, false, true, "nist:SI-2 subset-of"},
		{"several partial sources never add up to inherited", []remit.Statement{nist("AC-1", remit.Inherited), nist("AC-2", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("AC-1", "P1", remit.IntersectsWith), pair("AC-2", "P1", remit.SubsetOf)}, "P1", remit.Shared, true, false, true, "nist:AC-1 intersects-with, nist:AC-2 subset-of"},
		{"a partial organisation-specific source stays ours", []remit.Statement{nist("AC-1", remit.OrganisationSpecific)}, nil,
			[]remit.ControlPair{pair("AC-1", "P1", remit.IntersectsWith)}, "P1", remit.OrganisationSpecific, true, false, true, "nist:AC-1 intersects-with"},
		{"of whole sources, the one that leaves us most", []remit.Statement{nist("AC-1", remit.Inherited), nist("AC-2", remit.Shared)}, nil,
			[]remit.ControlPair{pair("AC-1", "P1", remit.EquivalentTo), pair("AC-2", "P1", remit.SupersetOf)}, "P1", remit.Shared, true, false, false, "nist:AC-1 equivalent-to, nist:AC-2 superset-of"},
		{"a whole source wins over partial ones", []remit.Statement{nist("AC-1", remit.OrganisationSpecific), nist("AC-2", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("AC-1", "P1", remit.SubsetOf), pair("AC-2", "P1", remit.EquivalentTo)}, "P1", remit.Inherited, true, false, false, "nist:AC-1 subset-of, nist:AC-2 equivalent-to"},
		{"a not-applicable source says nothing: the default", []remit.Statement{{Control: "nist:AC-2", Class: remit.NotApplicable, Provider: "Not offered."}}, nil,
			[]remit.ControlPair{pair("AC-2", "P1", remit.EquivalentTo)}, "P1", remit.OrganisationSpecific, false, true, false, ""},
		{"a direct statement always wins", []remit.Statement{nist("AC-2", remit.Inherited)}, []remit.Statement{{Control: "ncsc:P4", Class: remit.OrganisationSpecific, Customer: "All ours."}},
			[]remit.ControlPair{pair("AC-2", "P4", remit.EquivalentTo)}, "P4", remit.OrganisationSpecific, false, false, false, ""},
		{"no mapping: the assumed default", []remit.Statement{nist("AC-2", remit.Inherited)}, nil,
			[]remit.ControlPair{pair("AC-2", "P1", remit.EquivalentTo)}, "P5", remit.OrganisationSpecific, false, true, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := mappedEstate(t, c.statements, c.direct, c.pairs)
			m := e.Matrix(0)
			var cell *Cell
			for i := range m.Cells {
				if e.Controls[m.Cells[i].Control].Ref == "ncsc:"+c.target {
					cell = &m.Cells[i]
				}
			}
			if cell.Class() != c.class || cell.Mapped() != c.mapped || cell.Assumed() != c.assumed {
				t.Fatalf("class %s mapped %v assumed %v; want %s %v %v", cell.Class(), cell.Mapped(), cell.Assumed(), c.class, c.mapped, c.assumed)
			}
			k := e.Contributions(&m, cell)[0]
			mp := e.Mapped(k)
			if (mp != nil) != c.mapped {
				t.Fatalf("Mapped: %+v", mp)
			}
			if mp == nil {
				return
			}
			var got []string
			for _, s := range mp.Sources {
				got = append(got, e.Controls[s.Control].Ref+" "+string(s.Rel))
			}
			if strings.Join(got, ", ") != c.sources || mp.Partial != c.partial {
				t.Errorf("sources %v partial %v; want %s %v", got, mp.Partial, c.sources, c.partial)
			}
			// Both parties' parts name the source; a partial mapping
			// leaves us the rest of the control.
			provider, customer := e.Parts(cell.Control, k)
			if k.Class().ProviderPart() && !strings.Contains(provider, "As for nist:") {
				t.Errorf("provider part %q", provider)
			}
			if c.partial && !strings.Contains(customer, "The rest of ncsc:"+c.target) {
				t.Errorf("customer part %q", customer)
			}
		})
	}
}

// TestMappingReadBothWays: a pair written from ncsc to nist answers for
// ncsc from a nist statement as its inverse (superset-of read back is
// subset-of), and a mapped cell's obligations are not assumed.
func TestMappingReadBothWays(t *testing.T) {
	e := mappedEstate(t, []remit.Statement{nist("SI-2", remit.Inherited)}, nil, []remit.ControlPair{{From: "AC-2", To: "P1", Relationship: remit.EquivalentTo}})
	// Build again with the pair the other way round.
	ws := &remit.Workspace{Name: "test", Catalogues: e.Catalogues(), Providers: []remit.Provider{{ID: "acme", Name: "Acme", Offerings: []remit.Offering{*e.Offering(0).Offering}}},
		Systems:  []remit.System{*e.System(0).System},
		Mappings: []remit.ControlMappings{{ID: "ncsc-nist", From: "ncsc", To: "nist", Pairs: []remit.ControlPair{{From: "P3", To: "SI-2", Relationship: remit.SupersetOf}}}}}
	e2, err := New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	m := e2.Matrix(0)
	for i := range m.Cells {
		c := &m.Cells[i]
		if e2.Controls[c.Control].Ref != "ncsc:P3" {
			continue
		}
		k := e2.Contributions(&m, c)[0]
		if mp := e2.Mapped(k); c.Class() != remit.Shared || mp == nil || mp.Sources[0].Rel != remit.SubsetOf || mp.Sources[0].File != "ncsc-nist" {
			t.Fatalf("P3 is %s from %+v", c.Class(), mp)
		}
		for _, o := range e2.Ours(&m, c) {
			if o.Assumed {
				t.Errorf("a mapped obligation is marked assumed: %+v", o)
			}
		}
		if m.Summary.Mapped == 0 {
			t.Error("the summary counts no mapped cell")
		}
		return
	}
	t.Fatal("no ncsc:P3 cell")
}

// TestCoverage: each contribution is counted once as confirmed (a
// statement for the control), mapped or assumed.
func TestCoverage(t *testing.T) {
	e := mappedEstate(t, []remit.Statement{nist("AC-2", remit.Inherited), nist("SI-2", remit.Inherited)}, []remit.Statement{{Control: "ncsc:P4", Class: remit.OrganisationSpecific, Customer: "Ours."}},
		[]remit.ControlPair{{From: "AC-2", To: "P1", Relationship: remit.EquivalentTo}, {From: "SI-2", To: "P3", Relationship: remit.SubsetOf}})
	m := e.Matrix(0)
	cov := e.AddCoverage(nil, &m)
	if len(cov) != 1 || cov[0] != (Coverage{Offering: 0, Confirmed: 1, Mapped: 2, Assumed: 2}) || cov[0].Total() != 5 {
		t.Errorf("coverage %+v", cov)
	}
	if cov = e.AddCoverage(cov, &m); cov[0].Total() != 10 {
		t.Errorf("added twice: %+v", cov)
	}
}
