package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"remit/internal/remit"
)

// TestSecondApproval: with second approval set, a risk accepted above
// appetite waits, treating, for another risk owner, who finds it among
// their decisions; the one who accepted it cannot approve it; approved it
// is accepted (saying by whom), declined it is treating with no
// acceptance. Either way admins hear of it. Without the setting, the
// acceptance stands at once.
func TestSecondApproval(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		second := remit.Principal{Email: "sam@example.gov.uk", Role: remit.RoleRiskOwner}
		boss := remit.Principal{Email: "boss@example.gov.uk", Role: remit.RoleAdmin}
		f.addUsers(t, editor, owner, second, boss)
		settings := remit.DefaultRiskSettings()
		settings.SecondApproval = true
		v, err := f.svc.RiskSettingsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetRiskSettings(ctx, admin, settings, v); err != nil {
			t.Fatal(err)
		}
		add := func(title string) remit.Risk {
			r, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: title, Category: "supplier", Inherent: remit.Score{Likelihood: 4, Impact: 4}, Residual: remit.Score{Likelihood: 3, Impact: 4}, Owner: owner.Email})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := add("CaseTrack unaudited")
		v, err = f.svc.AcceptRisk(ctx, owner, r.ID, "No alternative this year.", "2027-06-01", true, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, _, _ := f.svc.Risk(ctx, r.ID)
		if got.Status != remit.RiskTreating || got.Acceptance == nil || !got.Acceptance.AwaitingApproval {
			t.Fatalf("accepted above appetite with second approval set: %s %+v", got.Status, got.Acceptance)
		}
		w, _ := f.svc.MyWork(ctx, f.svc.Snapshot(), second, f.clock.Now(), 0)
		if len(w.Decisions) != 1 || w.Decisions[0].ID != r.ID {
			t.Errorf("the second risk owner's decisions: %v", w.Decisions)
		}
		if w, _ := f.svc.MyWork(ctx, f.svc.Snapshot(), owner, f.clock.Now(), 0); len(w.Decisions) != 0 {
			t.Errorf("the risk owner who accepted it is asked to decide: %v", w.Decisions)
		}
		var ve *remit.ValidationError
		if _, err := f.svc.DecideAcceptance(ctx, owner, r.ID, true, v); !errors.As(err, &ve) {
			t.Fatalf("approving one's own acceptance: %v", err)
		}
		if _, err := f.svc.DecideAcceptance(ctx, editor, r.ID, true, v); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor approves: %v", err)
		}
		if _, err := f.svc.DecideAcceptance(ctx, second, r.ID, true, v); err != nil {
			t.Fatal(err)
		}
		got, _, _ = f.svc.Risk(ctx, r.ID)
		if got.Status != remit.RiskAccepted || got.Acceptance.AwaitingApproval || got.Acceptance.ApprovedBy != second.Email || got.Acceptance.ApprovedAt == nil {
			t.Errorf("approved: %s %+v", got.Status, got.Acceptance)
		}
		if _, err := f.svc.DecideAcceptance(ctx, second, r.ID, true, v+1); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("approving again: %v", err)
		}

		d := add("Mail relay unassured")
		v, err = f.svc.AcceptRisk(ctx, owner, d.ID, "Low use.", "2027-06-01", true, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideAcceptance(ctx, second, d.ID, false, v); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := f.svc.Risk(ctx, d.ID); got.Status != remit.RiskTreating || got.Acceptance != nil {
			t.Errorf("declined: %s %+v", got.Status, got.Acceptance)
		}
		box, err := f.svc.Outbox(ctx, boss)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(slices.DeleteFunc(box, func(x remit.Delivery) bool { return x.Reminder.Kind != remit.RemindAboveAppetite || x.To != boss.Email })); n != 2 {
			t.Errorf("the admin heard of %d acceptances above appetite, want 2", n)
		}

		settings.SecondApproval = false
		v, _ = f.svc.RiskSettingsVersion(ctx)
		if _, err := f.svc.SetRiskSettings(ctx, admin, settings, v); err != nil {
			t.Fatal(err)
		}
		n := add("Single region")
		if _, err := f.svc.AcceptRisk(ctx, owner, n.ID, "Cheaper.", "2027-06-01", true, 1); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := f.svc.Risk(ctx, n.ID); got.Status != remit.RiskAccepted || got.Acceptance.AwaitingApproval {
			t.Errorf("without second approval: %s %+v", got.Status, got.Acceptance)
		}
	})
}

// TestScorecardTiers: each provider's scorecard carries its tier — worked
// out from the systems relying on it, or set by hand — and a supplier
// never assessed is due for review today whatever its tier.
func TestScorecardTiers(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	tierOf := func(provider string) remit.Scorecard {
		cards, err := f.svc.Scorecards(ctx, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			if c.Provider == provider {
				return c
			}
		}
		t.Fatalf("no scorecard for %s", provider)
		return remit.Scorecard{}
	}
	v, err := f.svc.Supplier(ctx, "casetrack")
	if err != nil {
		t.Fatal(err)
	}
	if c := tierOf("casetrack"); c.Tier != v.Derived || c.ReviewDue != f.clock.Now().UTC().Format("2006-01-02") {
		t.Errorf("casetrack's scorecard: tier %d (derived %d), review due %s", c.Tier, v.Derived, c.ReviewDue)
	}
	if _, err := f.svc.SetSupplier(ctx, assessor, "casetrack", remit.SupplierRecord{Tier: 3, TierReason: "Only a test"}, 0); err != nil {
		t.Fatal(err)
	}
	if c := tierOf("casetrack"); c.Tier != 3 {
		t.Errorf("a tier set by hand: %d", c.Tier)
	}
	if c := tierOf("aws"); c.Tier != 1 {
		t.Errorf("aws, relied on by most of the estate: tier %d", c.Tier)
	}
}
