package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
	"remit/internal/workspace"
)

// TestEditingBuiltInContentForksIt edits built-in models every way there
// is — a statement, a whole offering, a new offering of a built-in
// provider, an imported matrix, a catalogue — and each time the edited
// content becomes the workspace's own: no longer built in, no longer
// named by the header, exported as a file of its own. One rule, whatever
// the caller.
func TestEditingBuiltInContentForksIt(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	version := func(provider string) int64 {
		t.Helper()
		v, err := f.svc.ProviderVersion(ctx, provider)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	offeringVersion := func(ref string) int64 {
		t.Helper()
		_, v, err := f.svc.Offering(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	builtIn := func(provider string) bool {
		p, ok := f.svc.Snapshot().Provider(provider)
		if !ok {
			t.Fatalf("no provider %s", provider)
		}
		return p.BuiltIn
	}
	// A statement of aws/ec2.
	st := remit.Statement{Control: "srm:SRM-24", Class: remit.OrganisationSpecific, Customer: "Develop securely."}
	if _, err := f.svc.SetStatement(ctx, editor, "aws/ec2", st, offeringVersion("aws/ec2")); err != nil {
		t.Fatal(err)
	}
	// A whole offering of microsoft's.
	o, _, err := f.svc.Offering(ctx, "microsoft/azure-virtual-machines")
	if err != nil {
		t.Fatal(err)
	}
	o.Name = "Azure VMs"
	if _, err := f.svc.PutOffering(ctx, editor, "microsoft", o, offeringVersion("microsoft/azure-virtual-machines")); err != nil {
		t.Fatal(err)
	}
	// A new offering of github's.
	if _, err := f.svc.PutOffering(ctx, editor, "github", remit.Offering{ID: "packages", Name: "Packages", ServiceModel: remit.SaaS}, 0); err != nil {
		t.Fatal(err)
	}
	// An imported matrix for one of google's.
	var googleOffering string
	for _, o := range mustProvider(t, f, "google").Offerings {
		googleOffering = o.Ref
	}
	sts := []remit.Statement{{Control: "srm:SRM-01", Class: remit.Inherited, Provider: "Runs the data centres."}}
	if _, _, err := f.svc.ImportOffering(ctx, editor, googleOffering, sts, remit.NewOffering{}, offeringVersion(googleOffering), false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"aws", "microsoft", "github", "google"} {
		if builtIn(p) {
			t.Errorf("%s is still built in after an edit", p)
		}
	}
	if h := f.svc.Snapshot().Header(); len(h.ProviderIDs) != 0 {
		t.Errorf("the header still names built-in providers %v", h.ProviderIDs)
	}
	// The first fork bumped the provider's version; a later edit of the
	// same provider does not fork it again.
	v := version("aws")
	if _, err := f.svc.SetStatement(ctx, editor, "aws/ec2", remit.Statement{Control: "srm:SRM-24"}, offeringVersion("aws/ec2")); err != nil {
		t.Fatal(err)
	}
	if version("aws") != v {
		t.Error("a second edit of a forked provider changed the provider again")
	}
	// A built-in catalogue edited by hand is the workspace's own too.
	cats := f.svc.Snapshot().Catalogues()
	i := slices.IndexFunc(cats, func(c remit.Catalogue) bool { return c.ID == "ncsc-csp" })
	ncsc := cats[i]
	ncsc.Title = "NCSC principles (ours)"
	cv, err := f.svc.CatalogueVersion(ctx, "ncsc-csp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutCatalogue(ctx, admin, ncsc, cv); err != nil {
		t.Fatal(err)
	}
	ws, err := f.svc.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files := workspace.Files(ws)
	for _, name := range []string{"providers/aws.yaml", "providers/microsoft.yaml", "providers/github.yaml", "providers/google.yaml", "catalogues/ncsc-csp.yaml"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the export has no %s", name)
		}
	}
	if h := string(files["remit.yaml"]); strings.Contains(h, "catalogues: [srm, ncsc-csp") || strings.Contains(h, "aws") {
		t.Errorf("remit.yaml still names forked content:\n%s", h)
	}
}

// TestImportOverBuiltInCatalogueIsRefused: importing an OSCAL catalog
// under a built-in catalogue's id is refused, whoever asks (the CLI and
// the API both call this), and changes nothing.
func TestImportOverBuiltInCatalogueIsRefused(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	v, err := f.svc.CatalogueVersion(ctx, "srm")
	if err != nil {
		t.Fatal(err)
	}
	before := f.svc.Snapshot()
	cat := remit.Catalogue{ID: "srm", Title: "Imported", Controls: []remit.Control{{ID: "X-1", Title: "X"}}}
	_, _, _, err = f.svc.ImportCatalogue(ctx, admin, cat, v, false)
	if !errors.Is(err, remit.ErrConflict) || !strings.Contains(err.Error(), "srm is a built-in catalogue: import under another id") {
		t.Errorf("import over the built-in srm: %v", err)
	}
	if f.svc.Snapshot() != before {
		t.Error("the refused import published a new snapshot")
	}
}

// TestSystemEditsAreValidatedAlone puts systems that are wrong in each way
// the single-aggregate check must catch, against the current estate: the
// error names the field and says what would be right, and nothing is
// written.
func TestSystemEditsAreValidatedAlone(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	good := remit.System{ID: "parole", Name: "Parole", Team: "visits-team", Baseline: remit.Baseline{Catalogue: "srm", All: true}, Uses: []remit.Use{{Offering: "aws/ec2"}}}
	cases := []struct {
		name    string
		edit    func(s *remit.System)
		who     remit.Principal
		version int64
		want    string
		is      error
	}{
		{"unknown offering", func(s *remit.System) { s.Uses[0].Offering = "aws/ec3" }, editor, 0, `offering "aws/ec3" is not a known offering: write provider/offering (did you mean "aws/ec2"?)`, nil},
		{"offering twice", func(s *remit.System) { s.Uses = append(s.Uses, s.Uses[0]) }, editor, 0, "aws/ec2", nil},
		{"unknown catalogue", func(s *remit.System) { s.Baseline.Catalogue = "nist" }, editor, 0, `baseline catalogue "nist" is not loaded`, nil},
		{"bad id", func(s *remit.System) { s.ID = "parole board" }, editor, 0, remit.IDRule, nil},
		{"no name", func(s *remit.System) { s.Name = "" }, editor, 0, "name", nil},
		{"another team", func(s *remit.System) { s.Team = "platform-team" }, editor, 0, "", remit.ErrForbidden},
		{"a viewer", func(*remit.System) {}, viewer, 0, "", remit.ErrForbidden},
		{"exists already", func(s *remit.System) { s.ID = "prison-visits" }, admin, 0, "already exists", remit.ErrConflict},
		{"not there", func(*remit.System) {}, admin, 3, "no system", remit.ErrNotFound},
	}
	before := f.svc.Snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys := good
			sys.Uses = slices.Clone(good.Uses)
			c.edit(&sys)
			_, err := f.svc.PutSystem(ctx, c.who, sys, c.version)
			if err == nil {
				t.Fatal("accepted")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v, want %v", err, c.is)
			}
			var ve *remit.ValidationError
			if c.is == nil && !errors.As(err, &ve) {
				t.Errorf("error %v (%T), want a validation error", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
	if f.svc.Snapshot() != before {
		t.Error("a refused edit published a new snapshot")
	}
	if _, err := f.svc.PutSystem(ctx, editor, good, 0); err != nil {
		t.Errorf("the good system: %v", err)
	}
}

// TestSortedObligations: the streamed, system-by-system order is the
// order of the whole list sorted by id; by due day, the tracked
// obligations with a due day come first, soonest first.
func TestSortedObligations(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	sn := f.svc.Snapshot()
	all := sn.Obligations(nil, report.PartyOurs, nil)
	slices.SortFunc(all, func(a, b service.Obligation) int { return strings.Compare(a.ID, b.ID) })
	got := slices.Collect(sn.SortedObligations(nil, report.PartyOurs, nil, service.SortByID))
	if len(got) != len(all) {
		t.Fatalf("%d obligations streamed, %d listed", len(got), len(all))
	}
	for i := range got {
		if got[i].ID != all[i].ID {
			t.Fatalf("obligation %d is %s, want %s", i, got[i].ID, all[i].ID)
		}
	}
	late, soon := all[3].ID, all[len(all)-2].ID
	if _, err := f.svc.Track(ctx, admin, late, remit.Tracking{Status: remit.StatusInProgress, Due: "2027-06-01"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Track(ctx, admin, soon, remit.Tracking{Status: remit.StatusInProgress, Due: "2027-01-15"}, 0); err != nil {
		t.Fatal(err)
	}
	byDue := slices.Collect(f.svc.Snapshot().SortedObligations(nil, report.PartyOurs, nil, service.SortByDue))
	if len(byDue) != len(all) || byDue[0].ID != soon || byDue[1].ID != late || byDue[2].ID != all[0].ID {
		t.Errorf("by due: %d obligations, first %s, %s, %s", len(byDue), byDue[0].ID, byDue[1].ID, byDue[2].ID)
	}
}
