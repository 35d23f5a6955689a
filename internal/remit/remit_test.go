package remit

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBaselineAllAndListIsRefused(t *testing.T) {
	ws := &Workspace{Name: "w",
		Catalogues: []Catalogue{{ID: "c", Title: "C", Controls: []Control{{ID: "A", Title: "A"}}}},
		Systems:    []System{{ID: "s", Name: "S", Baseline: Baseline{Catalogue: "c", All: true, Controls: []string{"A"}}}},
	}
	want := []Problem{{Pointer: "/systems/0/baseline/controls", Message: "baseline says all controls and also lists some: write controls: all, or the list, not both"}}
	if diff := cmp.Diff(want, Validate(ws)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestOwnersNameTheObjectAndPointInsideIt(t *testing.T) {
	ws := &Workspace{Name: "w",
		Catalogues: []Catalogue{{ID: "c", Title: "C", Controls: []Control{{ID: "A", Title: "A"}}}},
		Providers:  []Provider{{ID: "p", Name: "P", Offerings: []Offering{{ID: "o", Name: "O", ServiceModel: "cloud"}}}},
		Systems:    []System{{ID: "s", Name: "S", Baseline: Baseline{Catalogue: "c", All: true}, Uses: []Use{{Offering: "p/x"}}}},
	}
	got := Owners(ws, Validate(ws))
	want := []Problem{
		{Pointer: "/service_model", Message: `offering p/o: service_model "cloud" is not known: use one of "iaas", "paas", "saas", "managed-service", "on-premises"`},
		{Pointer: "/uses/0/offering", Message: `system s: offering "p/x" is not a known offering: write provider/offering (did you mean "p/o"?)`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestSetStatement(t *testing.T) {
	o := Offering{ID: "o", Statements: []Statement{{Control: "c:A", Class: Inherited, Provider: "x"}}}
	if err := o.SetStatement(Statement{Control: "c:B", Class: Shared, Provider: "p", Customer: "c"}); err != nil {
		t.Fatal(err)
	}
	if err := o.SetStatement(Statement{Control: "c:A", Class: OrganisationSpecific, Customer: "y"}); err != nil {
		t.Fatal(err)
	}
	if err := o.SetStatement(Statement{Control: "c:B"}); err != nil {
		t.Fatal(err)
	}
	want := []Statement{{Control: "c:A", Class: OrganisationSpecific, Customer: "y"}}
	if diff := cmp.Diff(want, o.Statements); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if err := o.SetStatement(Statement{Control: "c:Z"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a statement that is not there: %v, want ErrNotFound", err)
	}
}

func TestTrackingValidate(t *testing.T) {
	tests := []struct {
		in   Tracking
		want []string
	}{
		{Tracking{Status: StatusInProgress, Due: "2027-01-31"}, nil},
		{Tracking{Status: "done"}, []string{`/status: status "done" is not known: use one of "not-started", "in-progress", "implemented", "not-applicable"`}},
		{Tracking{Status: StatusNotApplicable, Due: "soon"}, []string{
			"/reason: reason is required when the status is not-applicable: say why the obligation does not apply",
			`/due: due "soon" is not a date: write it as YYYY-MM-DD`,
		}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range tt.in.Validate() {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		s    string
		want string
	}{
		{"SRM-9", "SRM-09"},
		{"IaaS", "iaas"},
		{"0", ""}, // nothing close to one character
		{"datum", "data"},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, []string{"SRM-09", "SRM-10", "iaas", "paas", "data", "id"}); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// wsRefs answers Refs from a whole workspace, as the validator does.
func wsRefs(t *testing.T, ws *Workspace) Refs {
	t.Helper()
	v := &validator{ws: ws}
	v.run()
	if len(v.problems) > 0 {
		t.Fatalf("the workspace is invalid: %v", v.problems)
	}
	return v
}

func TestValidateOneAggregate(t *testing.T) {
	ws := &Workspace{Name: "w",
		Catalogues: []Catalogue{{ID: "c", Title: "C", Controls: []Control{{ID: "A", Title: "A"}, {ID: "B", Title: "B"}}}},
		Providers: []Provider{{ID: "p", Name: "P", Offerings: []Offering{
			{ID: "a", Name: "A", ServiceModel: SaaS, DependsOn: []string{"p/b"}},
			{ID: "b", Name: "B", ServiceModel: IaaS},
		}}},
	}
	refs := wsRefs(t, ws)
	// b now depends on a, which depends on b: a cycle through b.
	b := Offering{ID: "b", Name: "B", ServiceModel: IaaS, DependsOn: []string{"p/a"}, Statements: []Statement{{Control: "c:Z", Class: Inherited, Provider: "x"}}}
	want := []Problem{
		{Pointer: "/statements/0/control", Message: `control "c:Z" is not in catalogue "c" (did you mean "A"?)`},
		{Pointer: "/depends_on/0", Message: "depends_on cycle: p/b → p/a → p/b; an offering cannot rely on itself, even through others"},
	}
	if diff := cmp.Diff(want, ValidateOffering("p", &b, refs)); diff != "" {
		t.Errorf("offering problems (-want +got):\n%s", diff)
	}
	s := System{ID: "bad id", Name: "S", Baseline: Baseline{Catalogue: "c", Controls: []string{"A", "A"}, NotApplicable: []Exclusion{{Control: "B"}}}, Uses: []Use{{Offering: "p/c"}}}
	want = []Problem{
		{Pointer: "/id", Message: `system id "bad id" is not valid: use letters, digits, '.', '_' and '-' only, starting with a letter or digit, at most 64 characters`},
		{Pointer: "/baseline/controls/1", Message: `control "A" is listed twice in the baseline`},
		{Pointer: "/baseline/not_applicable/0/control", Message: `control "B" is not in this baseline, so it cannot be marked not applicable (did you mean "A"?)`},
		{Pointer: "/baseline/not_applicable/0/reason", Message: "reason is required: say why the control does not apply"},
		{Pointer: "/uses/0/offering", Message: `offering "p/c" is not a known offering: write provider/offering (did you mean "p/a"?)`},
	}
	if diff := cmp.Diff(want, ValidateSystem(&s, refs)); diff != "" {
		t.Errorf("system problems (-want +got):\n%s", diff)
	}
}
