package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// TestProviderPOAMInNISTTerms: a provider's monthly POA&M written against
// NIST SP 800-53 measures Amazon EC2 in an estate whose systems are on the
// department's SRM baseline, through the built-in SRM ↔ NIST mapping: the
// high item on pe-3 fails EC2's physical security obligation (SRM-01) in
// prison visits; next month's POA&M closes it and adds another, updating
// rather than duplicating; bad input exits 2 and writes nothing.
func TestProviderPOAMInNISTTerms(t *testing.T) {
	moderate := sharedOSCAL(t, "nist-rev5", "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	ws := filepath.Join(dir, "ws")
	testdata := "../../internal/oscal/testdata/measured/"
	for i, s := range [][]string{
		{"import", "../../examples/justice", "--database", db},
		{"catalogue", "import", moderate, "--id", "nist-800-53", "--database", db},
		{"export", ws, "--database", db},
		// Switch the built-in SRM ↔ NIST mapping on, as code.
		{"import", ws, "--database", db},
	} {
		if i == 3 {
			edit(t, filepath.Join(ws, "remit.yaml"), "mappings: [", "mappings: [srm-nist-800-53, ")
		}
		if out, stderr, code := cli(t, s...); code != 0 {
			t.Fatalf("remit %s: exit %d\n%s%s", strings.Join(s, " "), code, out, stderr)
		}
	}
	// Bad input: the item uuid --control names is not in the file; an
	// offering that is not there.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"offering", "findings", "aws/ec2", testdata + "poam-2026-10.json", "--control", "2c000000-0000-4000-8000-00000000dead=ir-6", "--database", db}, "--control names item 2c000000-0000-4000-8000-00000000dead, which is not in the file"},
		{[]string{"offering", "findings", "aws/ec3", testdata + "poam-2026-10.json", "--database", db}, `offering "aws/ec3" is not in the database (did you mean "aws/ec2"?)`},
		{[]string{"offering", "findings", "aws/ec2", "../../examples/justice/remit.yaml", "--database", db}, "not an OSCAL document"},
	} {
		if _, stderr, code := cli(t, c.args...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("remit %s: exit %d, %s; want 2 and %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
	out, stderr, code := cli(t, "offering", "findings", "aws/ec2", testdata+"poam-2026-10.json", "--control", "2c000000-0000-4000-8000-000000000005=ir-6", "--database", db)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{
		"aws/ec2: Example Cloud IaaS: plan of action and milestones, October 2026 (POA&M of 2026-10-31), 5 items: 5 new, 0 updated, 0 closed, 0 unchanged.",
		"Revoke retired badges at the secondary site  nist-800-53:pe-3  high      open                2026-12-31  fails",
		// past its deadline (which is before today), a medium item counts as high
		"Patch hypervisors within 30 days             nist-800-53:si-2  medium    open                2026-11-15  fails (overdue)",
		"Review service accounts quarterly            nist-800-53:ac-2  medium    deviation-approved  -           none",
		"Update the incident contact list names risk 1a2b3c4d-0000-4a00-8a00-000000000009, which the file does not hold.",
		"Provider obligations in 1 system:",
		"Imported.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	assurance := func(control string, day time.Time) remit.Assurance {
		t.Helper()
		svc, done := openService(t, db)
		defer done()
		sn := svc.Snapshot()
		obs := sn.Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyProviders,
			func(o service.Obligation) bool { return o.Offering == "aws/ec2" && o.Control == control })
		if len(obs) != 1 {
			t.Fatalf("%d obligations for %s", len(obs), control)
		}
		sn.Assure(obs, day)
		return *obs[0].Assurance
	}
	now := time.Now()
	if a := assurance("srm:SRM-01", now); a.Status != remit.AssuranceFailed || !strings.Contains(a.Reason, `"Revoke retired badges at the secondary site" (nist-800-53:pe-3)`) {
		t.Errorf("SRM-01 (physical security): %+v", a)
	}
	// Next month's POA&M: the badge item is closed, the cipher item gone,
	// a new one on sc-28.
	out, stderr, code = cli(t, "offering", "findings", "aws/ec2", testdata+"poam-2026-11.json", "--control", "2c000000-0000-4000-8000-000000000005=ir-6", "--database", db)
	if code != 0 || !strings.Contains(out, "6 items: 1 new, 0 updated, 2 closed, 3 unchanged.") {
		t.Fatalf("next month: exit %d\n%s%s", code, out, stderr)
	}
	if a := assurance("srm:SRM-01", now); a.Status == remit.AssuranceFailed {
		t.Errorf("SRM-01 once the item is closed: %+v", a)
	}
}

// TestSSPInOut: remit export ssp, then remit system import-ssp into a
// database without the system, gives the same SSP again (apart from the
// time it was written), through OSCAL's JSON and through its XML; a
// component the estate lacks exits 2 naming it.
func TestSSPInOut(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.db")
	ws := copyDir(t, "../../examples/justice")
	if _, stderr, code := cli(t, "import", ws, "--database", full); code != 0 {
		t.Fatal(stderr)
	}
	first := filepath.Join(dir, "first.json")
	if _, stderr, code := cli(t, "export", "ssp", "--system", "staff-intranet", "--database", full, "-o", first); code != 0 {
		t.Fatal(stderr)
	}
	if err := os.Remove(filepath.Join(ws, "systems", "staff-intranet.yaml")); err != nil {
		t.Fatal(err)
	}
	var part string
	for _, format := range []string{"json", "xml"} {
		part = filepath.Join(dir, format+".db")
		if _, stderr, code := cli(t, "import", ws, "--database", part); code != 0 {
			t.Fatal(stderr)
		}
		in := filepath.Join(dir, "ssp."+format)
		if _, stderr, code := cli(t, "export", "ssp", "--system", "staff-intranet", "--format", format, "--database", full, "-o", in); code != 0 {
			t.Fatal(stderr)
		}
		out, stderr, code := cli(t, "system", "import-ssp", in, "--database", part)
		if code != 0 || !strings.Contains(out, "System staff-intranet (Staff intranet), create:") || !strings.HasSuffix(out, "Imported.\n") {
			t.Fatalf("import-ssp of the %s: exit %d\n%s%s", format, code, out, stderr)
		}
		again := filepath.Join(dir, "again.json")
		if _, stderr, code := cli(t, "export", "ssp", "--system", "staff-intranet", "--database", part, "-o", again); code != 0 {
			t.Fatal(stderr)
		}
		stamp := regexp.MustCompile(`"(last-modified|version|date-authorized)": "[^"]*"`)
		a, _ := os.ReadFile(first)
		b, _ := os.ReadFile(again)
		if x, y := stamp.ReplaceAll(a, nil), stamp.ReplaceAll(b, nil); string(x) != string(y) {
			t.Errorf("the SSP after the round trip through %s differs (%d and %d bytes)", format, len(x), len(y))
		}
	}
	_, stderr, code := cli(t, "system", "import-ssp", "../../internal/oscal/testdata/leveraging-ssp.json", "--catalogue", "srm", "--database", part)
	if code != 2 || !strings.Contains(stderr, `component "Hosted Mail" (service) is not an offering of the estate`) || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("an unknown component: exit %d %s", code, stderr)
	}
}
