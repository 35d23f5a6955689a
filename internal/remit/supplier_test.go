package remit

import "testing"

// TestDeriveTier: the documented rule, case by case.
func TestDeriveTier(t *testing.T) {
	for _, c := range []struct {
		classes []string
		tier    int
		why     string
	}{
		{nil, 3, "no system relies on it"},
		{[]string{""}, 3, "1 system relies on it, not classified"},
		{[]string{"official"}, 2, "1 system classified OFFICIAL relies on it"},
		{[]string{"", ""}, 2, "2 systems rely on it"},
		{[]string{"OFFICIAL-SENSITIVE"}, 1, "1 system classified above OFFICIAL relies on it"},
		{[]string{"OFFICIAL", "Secret", "OFFICIAL-SENSITIVE"}, 1, "2 systems classified above OFFICIAL rely on it"},
		{[]string{"", "", "", "", "OFFICIAL"}, 1, "5 systems rely on it (5 or more)"},
	} {
		if tier, why := DeriveTier(c.classes); tier != c.tier || why != c.why {
			t.Errorf("DeriveTier(%q) = %d %q, want %d %q", c.classes, tier, why, c.tier, c.why)
		}
	}
}

// TestSupplierRecordValidate: a tier set by hand needs its reason; a
// contract needs its reference, dates that are dates and an end after its
// start; contacts need names and real addresses.
func TestSupplierRecordValidate(t *testing.T) {
	bad := SupplierRecord{Tier: 4, Contacts: []SupplierContact{{Email: "not an address"}}, DataLocations: []string{" "},
		Contract: &Contract{Start: "2027-01-01", End: "2026-01-01", NoticeDays: -1, Renewal: "sometimes"}}
	got := map[string]bool{}
	for _, p := range bad.Validate() {
		got[p.Pointer] = true
	}
	for _, want := range []string{"/tier", "/tier_reason", "/contacts/0/name", "/contacts/0/email", "/data_locations/0", "/contract/reference", "/contract/end", "/contract/notice_days", "/contract/renewal"} {
		if !got[want] {
			t.Errorf("no problem at %s (got %v)", want, got)
		}
	}
	good := SupplierRecord{Tier: 1, TierReason: "Holds case files", Contacts: []SupplierContact{{Name: "Sam", Email: "sam@casetrack.example"}},
		Contract: &Contract{Reference: "CT-2026-01", Start: "2026-01-01", End: "2028-12-31", NoticeDays: 90, Renewal: "automatic"}}
	if ps := good.Validate(); len(ps) != 0 {
		t.Errorf("a good record: %v", ps)
	}
	if by := good.Contract.NoticeBy(); by != "2028-10-02" {
		t.Errorf("notice by %s", by)
	}
}
