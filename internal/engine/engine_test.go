package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/workspace"
)

// The small estate every rule test builds on: one catalogue whose controls
// cover the areas the rules turn on, and offerings of each service model.
var (
	srcAcme = &remit.Source{Title: "Acme shared responsibility", URL: "https://acme.example/srm", Version: "3", Date: "2026-01-01"}
	srcOver = &remit.Source{Title: "Acme IaaS addendum", Version: "3.1", Date: "2026-02-01"}
)

func testCatalogue() remit.Catalogue {
	return remit.Catalogue{ID: "c", Title: "Test", Controls: []remit.Control{
		{ID: "PHYS", Title: "Physical security", Statement: "Secure the buildings.", Area: remit.AreaPhysical},
		{ID: "OS", Title: "OS patching", Statement: "Patch operating systems.", Area: remit.AreaOperatingSystem},
		{ID: "IAM", Title: "Accounts", Statement: "Manage accounts.", Area: remit.AreaIdentities},
		{ID: "NOAREA", Title: "Unplaced", Statement: "Something imported."},
	}}
}

func stmt(control string, class remit.Class, provider, customer string) remit.Statement {
	return remit.Statement{Control: "c:" + control, Class: class, Provider: provider, Customer: customer}
}

// estate builds an estate of the test catalogue, the given offerings (all
// under provider "acme" unless their id says "other-"), and one system "s"
// using uses with the whole catalogue as its baseline.
func estate(t testing.TB, offerings []remit.Offering, uses []string, na ...remit.Exclusion) *Estate {
	t.Helper()
	ws := &remit.Workspace{
		Name:       "test",
		Catalogues: []remit.Catalogue{testCatalogue()},
		Providers: []remit.Provider{
			{ID: "acme", Name: "Acme Cloud"},
			{ID: "other", Name: "Other Hosting", Offerings: []remit.Offering{{ID: "metal", Name: "Other Metal", ServiceModel: remit.IaaS}}},
		},
	}
	ws.Providers[0].Offerings = offerings
	if len(offerings) == 0 {
		ws.Providers[0].Offerings = []remit.Offering{{ID: "spare", Name: "Unused", ServiceModel: remit.SaaS}}
	}
	sys := remit.System{ID: "s", Name: "System", Baseline: remit.Baseline{Catalogue: "c", All: true, NotApplicable: na}}
	for _, u := range uses {
		sys.Uses = append(sys.Uses, remit.Use{Offering: u})
	}
	ws.Systems = []remit.System{sys}
	if ps := remit.Validate(ws); len(ps) > 0 {
		t.Fatalf("test estate is invalid: %v", (&remit.ValidationError{Problems: ps}).Error())
	}
	e, err := New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// cellView is what a test asserts about one cell: its class, its
// provenance and both parties' obligations.
type cellView struct {
	Class         remit.Class
	Assumed       bool
	Contributions []contribView
	Ours          []obView
	Theirs        []obView
}

type contribView struct {
	Offering string
	Class    remit.Class
	Assumed  bool
	Source   string
	Via      []string
}

type obView struct {
	Offering string
	Text     string
	Assumed  bool
}

func view(e *Estate, m *Matrix, control string) cellView {
	ci, ok := e.ControlIndex("c:" + control)
	if !ok {
		panic("no control " + control)
	}
	for i := range m.Cells {
		c := &m.Cells[i]
		if c.Control != ci {
			continue
		}
		v := cellView{Class: c.Class(), Assumed: c.Assumed()}
		for _, k := range e.Contributions(m, c) {
			o := e.Offering(k.Offering)
			cv := contribView{Offering: o.Ref, Class: k.Class(), Assumed: k.Assumed()}
			if s := e.Source(k); s != nil {
				cv.Source = s.Title
			}
			for _, via := range o.Via {
				cv.Via = append(cv.Via, e.Offering(via).Ref)
			}
			v.Contributions = append(v.Contributions, cv)
		}
		obs := func(list []Obligation) []obView {
			var out []obView
			for _, o := range list {
				ov := obView{Text: o.Text, Assumed: o.Assumed}
				if o.Offering >= 0 {
					ov.Offering = e.Offering(o.Offering).Ref
				}
				out = append(out, ov)
			}
			return out
		}
		v.Ours, v.Theirs = obs(e.Ours(m, c)), obs(e.Theirs(m, c))
		return v
	}
	panic("control not in baseline: " + control)
}

func TestMatrixRules(t *testing.T) {
	iaas := func(stmts ...remit.Statement) remit.Offering {
		return remit.Offering{ID: "vm", Name: "VMs", ServiceModel: remit.IaaS, Source: srcAcme, Statements: stmts}
	}
	saas := func(stmts ...remit.Statement) remit.Offering {
		return remit.Offering{ID: "mail", Name: "Mail", ServiceModel: remit.SaaS, Source: srcAcme, Statements: stmts}
	}
	tests := []struct {
		name      string
		offerings []remit.Offering
		uses      []string
		na        []remit.Exclusion
		control   string
		want      cellView
	}{
		{
			name:      "one inherited statement makes the cell inherited with nothing of ours",
			offerings: []remit.Offering{iaas(stmt("PHYS", remit.Inherited, "Guards the data centre.", ""))},
			uses:      []string{"acme/vm"},
			control:   "PHYS",
			want: cellView{Class: remit.Inherited,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.Inherited, Source: srcAcme.Title}},
				Theirs:        []obView{{Offering: "acme/vm", Text: "Guards the data centre."}}},
		},
		{
			name:      "a shared statement leaves its customer part to us and its provider part to the provider",
			offerings: []remit.Offering{iaas(stmt("OS", remit.Shared, "Patches the hypervisor.", "Patch the guest OS."))},
			uses:      []string{"acme/vm"},
			control:   "OS",
			want: cellView{Class: remit.Shared,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.Shared, Source: srcAcme.Title}},
				Ours:          []obView{{Offering: "acme/vm", Text: "Patch the guest OS."}},
				Theirs:        []obView{{Offering: "acme/vm", Text: "Patches the hypervisor."}}},
		},
		{
			name:      "an organisation-specific statement is all ours under that offering",
			offerings: []remit.Offering{iaas(stmt("IAM", remit.OrganisationSpecific, "", "Set up security groups."))},
			uses:      []string{"acme/vm"},
			control:   "IAM",
			want: cellView{Class: remit.OrganisationSpecific,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.OrganisationSpecific, Source: srcAcme.Title}},
				Ours:          []obView{{Offering: "acme/vm", Text: "Set up security groups."}}},
		},
		{
			name:    "no offering at all makes the whole control ours",
			control: "PHYS",
			want: cellView{Class: remit.OrganisationSpecific,
				Ours: []obView{{Text: "Secure the buildings."}}},
		},
		{
			name:      "a not-applicable statement contributes nothing, so the whole control is ours",
			offerings: []remit.Offering{iaas(stmt("OS", remit.NotApplicable, "No OS in this service.", ""))},
			uses:      []string{"acme/vm"},
			control:   "OS",
			want: cellView{Class: remit.OrganisationSpecific,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.NotApplicable, Source: srcAcme.Title}},
				Ours:          []obView{{Text: "Patch operating systems."}}},
		},
		{
			name: "inherited beside not-applicable stays inherited",
			offerings: []remit.Offering{
				iaas(stmt("PHYS", remit.Inherited, "Guards the data centre.", "")),
				saas(stmt("PHYS", remit.NotApplicable, "Nothing physical here.", "")),
			},
			uses:    []string{"acme/vm", "acme/mail"},
			control: "PHYS",
			want: cellView{Class: remit.Inherited,
				Contributions: []contribView{
					{Offering: "acme/vm", Class: remit.Inherited, Source: srcAcme.Title},
					{Offering: "acme/mail", Class: remit.NotApplicable, Source: srcAcme.Title},
				},
				Theirs: []obView{{Offering: "acme/vm", Text: "Guards the data centre."}}},
		},
		{
			name: "inherited from one offering and organisation-specific from another is shared",
			offerings: []remit.Offering{
				iaas(stmt("IAM", remit.OrganisationSpecific, "", "Manage VM accounts.")),
				saas(stmt("IAM", remit.Inherited, "Runs the accounts.", "")),
			},
			uses:    []string{"acme/vm", "acme/mail"},
			control: "IAM",
			want: cellView{Class: remit.Shared,
				Contributions: []contribView{
					{Offering: "acme/vm", Class: remit.OrganisationSpecific, Source: srcAcme.Title},
					{Offering: "acme/mail", Class: remit.Inherited, Source: srcAcme.Title},
				},
				Ours:   []obView{{Offering: "acme/vm", Text: "Manage VM accounts."}},
				Theirs: []obView{{Offering: "acme/mail", Text: "Runs the accounts."}}},
		},
		{
			name: "two organisation-specific statements leave two obligations of ours",
			offerings: []remit.Offering{
				iaas(stmt("IAM", remit.OrganisationSpecific, "", "Manage VM accounts.")),
				saas(stmt("IAM", remit.OrganisationSpecific, "", "Manage mail accounts.")),
			},
			uses:    []string{"acme/vm", "acme/mail"},
			control: "IAM",
			want: cellView{Class: remit.OrganisationSpecific,
				Contributions: []contribView{
					{Offering: "acme/vm", Class: remit.OrganisationSpecific, Source: srcAcme.Title},
					{Offering: "acme/mail", Class: remit.OrganisationSpecific, Source: srcAcme.Title},
				},
				Ours: []obView{{Offering: "acme/vm", Text: "Manage VM accounts."}, {Offering: "acme/mail", Text: "Manage mail accounts."}}},
		},
		{
			name:      "with no statement an IaaS physical control is assumed inherited from the default",
			offerings: []remit.Offering{iaas()},
			uses:      []string{"acme/vm"},
			control:   "PHYS",
			want: cellView{Class: remit.Inherited, Assumed: true,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.Inherited, Assumed: true}},
				Theirs:        []obView{{Offering: "acme/vm", Text: "Secures the data centres, hosts and physical network, and their power and cooling.", Assumed: true}}},
		},
		{
			name:      "with no statement an IaaS operating system is assumed ours",
			offerings: []remit.Offering{iaas()},
			uses:      []string{"acme/vm"},
			control:   "OS",
			want: cellView{Class: remit.OrganisationSpecific, Assumed: true,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.OrganisationSpecific, Assumed: true}},
				Ours:          []obView{{Offering: "acme/vm", Text: "Patch operating systems.", Assumed: true}}},
		},
		{
			name:      "with no statement a SaaS operating system is assumed inherited",
			offerings: []remit.Offering{saas()},
			uses:      []string{"acme/mail"},
			control:   "OS",
			want: cellView{Class: remit.Inherited, Assumed: true,
				Contributions: []contribView{{Offering: "acme/mail", Class: remit.Inherited, Assumed: true}},
				Theirs:        []obView{{Offering: "acme/mail", Text: "Patches, hardens and monitors the operating systems that run the service.", Assumed: true}}},
		},
		{
			name:      "a control with no area is assumed ours whatever the service model",
			offerings: []remit.Offering{saas()},
			uses:      []string{"acme/mail"},
			control:   "NOAREA",
			want: cellView{Class: remit.OrganisationSpecific, Assumed: true,
				Contributions: []contribView{{Offering: "acme/mail", Class: remit.OrganisationSpecific, Assumed: true}},
				Ours:          []obView{{Offering: "acme/mail", Text: unknownAreaCustomer, Assumed: true}}},
		},
		{
			name:      "an explicit statement beside an assumed one marks the cell assumed",
			offerings: []remit.Offering{iaas(stmt("PHYS", remit.Inherited, "Guards the data centre.", "")), saas()},
			uses:      []string{"acme/vm", "acme/mail"},
			control:   "PHYS",
			want: cellView{Class: remit.Inherited, Assumed: true,
				Contributions: []contribView{
					{Offering: "acme/vm", Class: remit.Inherited, Source: srcAcme.Title},
					{Offering: "acme/mail", Class: remit.Inherited, Assumed: true},
				},
				Theirs: []obView{
					{Offering: "acme/vm", Text: "Guards the data centre."},
					{Offering: "acme/mail", Text: "Secures the data centres, hosts and physical network, and their power and cooling.", Assumed: true},
				}},
		},
		{
			name:      "the baseline's not-applicable wins over every statement and leaves no obligation",
			offerings: []remit.Offering{iaas(stmt("PHYS", remit.Inherited, "Guards the data centre.", ""))},
			uses:      []string{"acme/vm"},
			na:        []remit.Exclusion{{Control: "PHYS", Reason: "No premises."}},
			control:   "PHYS",
			want:      cellView{Class: remit.NotApplicable},
		},
		{
			name:      "a statement's own source overrides its offering's",
			offerings: []remit.Offering{iaas(remit.Statement{Control: "c:PHYS", Class: remit.Inherited, Provider: "Guards the data centre.", Source: srcOver})},
			uses:      []string{"acme/vm"},
			control:   "PHYS",
			want: cellView{Class: remit.Inherited,
				Contributions: []contribView{{Offering: "acme/vm", Class: remit.Inherited, Source: srcOver.Title}},
				Theirs:        []obView{{Offering: "acme/vm", Text: "Guards the data centre."}}},
		},
		{
			name: "a fourth party is visible through via but adds no obligation",
			offerings: []remit.Offering{{ID: "git", Name: "Git hosting", ServiceModel: remit.SaaS, Source: srcAcme, DependsOn: []string{"other/metal"},
				Statements: []remit.Statement{stmt("PHYS", remit.Inherited, "Hosts on Other's data centres.", "")}}},
			uses:    []string{"acme/git"},
			control: "PHYS",
			want: cellView{Class: remit.Inherited,
				Contributions: []contribView{{Offering: "acme/git", Class: remit.Inherited, Source: srcAcme.Title, Via: []string{"other/metal"}}},
				Theirs:        []obView{{Offering: "acme/git", Text: "Hosts on Other's data centres."}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := estate(t, tt.offerings, tt.uses, tt.na...)
			m := e.Matrix(0)
			if diff := cmp.Diff(tt.want, view(e, &m, tt.control)); diff != "" {
				t.Errorf("cell %s (-want +got):\n%s", tt.control, diff)
			}
		})
	}
}

func TestSummaryCountsEveryCell(t *testing.T) {
	e := estate(t, []remit.Offering{{ID: "vm", Name: "VMs", ServiceModel: remit.IaaS,
		Statements: []remit.Statement{stmt("OS", remit.Shared, "Patches hosts.", "Patch guests.")}}},
		[]string{"acme/vm"}, remit.Exclusion{Control: "IAM", Reason: "No users."})
	m := e.Matrix(0)
	// PHYS assumed inherited; OS shared (stated); IAM not applicable;
	// NOAREA assumed ours.
	want := Summary{Inherited: 1, Shared: 1, OrganisationSpecific: 1, NotApplicable: 1, Assumed: 2}
	if diff := cmp.Diff(want, m.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestTransitiveVia(t *testing.T) {
	// acme/app runs on acme/vm, which runs on other/metal: both are listed,
	// nearest first.
	e := estate(t, []remit.Offering{
		{ID: "app", Name: "App", ServiceModel: remit.PaaS, DependsOn: []string{"acme/vm"}},
		{ID: "vm", Name: "VMs", ServiceModel: remit.IaaS, DependsOn: []string{"other/metal"}},
	}, []string{"acme/app"})
	oi, _ := e.OfferingIndex("acme/app")
	var got []string
	for _, v := range e.Offering(oi).Via {
		got = append(got, e.Offering(v).Ref)
	}
	if diff := cmp.Diff([]string{"acme/vm", "other/metal"}, got); diff != "" {
		t.Errorf("via (-want +got):\n%s", diff)
	}
}

func TestObligationKey(t *testing.T) {
	e := estate(t, []remit.Offering{{ID: "vm", Name: "VMs", ServiceModel: remit.IaaS,
		Statements: []remit.Statement{stmt("OS", remit.Shared, "Patches hosts.", "Patch guests.")}}}, []string{"acme/vm"})
	m := e.Matrix(0)
	var keys []string
	for i := range m.Cells {
		for _, o := range e.Ours(&m, &m.Cells[i]) {
			keys = append(keys, e.Key(o))
		}
	}
	want := []string{"s/c:OS/acme/vm/ours", "s/c:IAM/acme/vm/ours", "s/c:NOAREA/acme/vm/ours"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// TestCountOurs holds the quick count to the obligations Ours lists.
func TestCountOurs(t *testing.T) {
	ws, err := workspace.Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for si, sys := range e.Systems() {
		m := e.Matrix(si)
		want := 0
		for i := range m.Cells {
			want += len(e.Ours(&m, &m.Cells[i]))
		}
		if got := e.CountOurs(&m); got != want {
			t.Errorf("%s: CountOurs %d, Ours lists %d", sys.System.ID, got, want)
		}
	}
}
