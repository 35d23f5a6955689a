package oscal

import (
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
)

func TestToCatalogue(t *testing.T) {
	c, err := ReadCatalog("c.json", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	// A profile has set ac-1's parameter; ac-2's offers a selection.
	c.Groups[0].Controls[0].Params[0].Values = []string{"the security team"}
	c.Groups[0].Controls[1].Params[0].Select = &Selection{HowMany: "one-or-more", Choice: []string{"monthly", "quarterly"}}
	got, rep := ToCatalogue(c, "test")
	var ids []string
	for _, ctl := range got.Controls {
		ids = append(ids, ctl.ID)
	}
	if !slices.Equal(ids, []string{"ac-1", "ac-2", "ac-2.1", "ac-2.1.1", "ac-2.2", "sc-7"}) {
		t.Errorf("controls %v", ids)
	}
	byID := map[string]remit.Control{}
	for _, ctl := range got.Controls {
		byID[ctl.ID] = ctl
	}
	for _, w := range []struct{ id, field, want string }{
		{"ac-1", "statement", "Give the policy to the security team."},
		{"ac-2", "statement", "Review accounts every [Selection (one or more): monthly; quarterly]."},
		{"ac-2.1", "title", "Accounts | Automated Management"},
		{"ac-2.2", "title", "AC-2(2) Accounts | Temporary Accounts"},
		{"ac-2.1", "group", "Access Control"},
		{"sc-7", "area", "network"},
		{"ac-2.2", "area", "identities"},
	} {
		var v string
		switch w.field {
		case "statement":
			v = byID[w.id].Statement
		case "title":
			v = byID[w.id].Title
		case "group":
			v = byID[w.id].Group
		case "area":
			v = string(byID[w.id].Area)
		}
		if v != w.want {
			t.Errorf("%s %s = %q, want %q", w.id, w.field, v, w.want)
		}
	}
	if rep.Controls != 6 || !slices.Equal(rep.Withdrawn, []string{"ac-3"}) || rep.Areas["identities"] != 5 || rep.Areas["network"] != 1 || len(rep.NoArea) != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestToCatalogueNIST imports NIST's MODERATE resolved catalogue: every
// control has a statement with no parameter insertion left, and the
// families no area fits are flagged.
func TestToCatalogueNIST(t *testing.T) {
	path, data := nist(t, "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	c, err := ReadCatalog(path, data)
	if err != nil {
		t.Fatal(err)
	}
	got, rep := ToCatalogue(c, "nist-moderate")
	if rep.Controls != 287 || len(got.Controls) != 287 {
		t.Fatalf("%d controls", rep.Controls)
	}
	for _, ctl := range got.Controls {
		if ctl.Statement == "" || strings.Contains(ctl.Statement, "{{") {
			t.Errorf("%s statement: %q", ctl.ID, ctl.Statement)
		}
	}
	flagged := map[string]bool{}
	for _, id := range rep.NoArea {
		f, _, _ := strings.Cut(id, "-")
		flagged[f] = true
	}
	for f := range flagged {
		if _, ok := familyAreas[f]; ok {
			t.Errorf("family %s has an area but was flagged", f)
		}
	}
	if !flagged["au"] || !flagged["ir"] || flagged["ac"] {
		t.Errorf("flagged families %v", flagged)
	}
	t.Logf("%d controls; areas %v; %d with no area", rep.Controls, rep.Areas, len(rep.NoArea))
}
