package synth

import (
	"testing"

	"remit/internal/remit"
)

func TestEstateIsValidAndShaped(t *testing.T) {
	small := Shape{Name: "T", Systems: 50, Offerings: 20, Controls: 120, Baseline: 30, Uses: 3, Statements: 40, PerProvider: 4}
	ws := Estate(small, 1)
	if ps := remit.Validate(ws); len(ps) > 0 {
		t.Fatalf("generated estate is invalid:\n%s", (&remit.ValidationError{Problems: ps}).Error())
	}
	offerings, statements, fourth := 0, 0, 0
	for _, p := range ws.Providers {
		for _, o := range p.Offerings {
			offerings++
			statements += len(o.Statements)
			fourth += len(o.DependsOn)
		}
	}
	if offerings != small.Offerings || statements != small.Offerings*small.Statements || len(ws.Systems) != small.Systems || len(ws.Providers) != 5 {
		t.Errorf("got %d offerings, %d statements, %d systems, %d providers", offerings, statements, len(ws.Systems), len(ws.Providers))
	}
	if fourth == 0 {
		t.Error("no offering depends on another: fourth parties are not exercised")
	}
	for _, s := range ws.Systems {
		if len(s.Baseline.Controls) != small.Baseline || len(s.Uses) != small.Uses {
			t.Fatalf("system %s has %d controls and %d uses", s.ID, len(s.Baseline.Controls), len(s.Uses))
		}
	}
	// Same seed, same estate.
	again := Estate(small, 1)
	if again.Systems[7].Uses[1] != ws.Systems[7].Uses[1] || again.Providers[2].Offerings[1].Statements[5] != ws.Providers[2].Offerings[1].Statements[5] {
		t.Error("the same seed gave a different estate")
	}
}
