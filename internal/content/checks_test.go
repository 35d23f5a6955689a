package content_test

import (
	"os"
	"testing"
	"time"

	"remit/internal/checks"
	"remit/internal/content"
)

// TestCheckMappings: every built-in mapping names a control of a built-in
// catalogue, and the sample outputs of Checkov, Prowler and Security Hub
// (internal/checks/testdata) give the verdicts the policy's examples
// expect: security groups open to the internet fail network access
// control, encrypted buckets, root MFA and blocked public access pass.
func TestCheckMappings(t *testing.T) {
	ms := content.CheckMappings()
	if len(ms) < 15 {
		t.Fatalf("%d built-in mappings", len(ms))
	}
	controls := map[string]bool{}
	for _, c := range loadBuiltins(t).Catalogues {
		for _, ctl := range c.Controls {
			controls[c.ID+":"+ctl.ID] = true
		}
	}
	for _, m := range ms {
		if !controls[m.Control.String()] {
			t.Errorf("mapping of %s %v names %s, which no built-in catalogue has", m.Tool, m.Rules, m.Control)
		}
	}
	for _, c := range []struct {
		format checks.Format
		file   string
		want   map[string]checks.Outcome
	}{
		{checks.SARIF, "checkov.sarif", map[string]checks.Outcome{"srm:SRM-09": checks.Fail, "srm:SRM-14": checks.Pass}},
		{checks.OCSF, "prowler.ocsf.json", map[string]checks.Outcome{"srm:SRM-09": checks.Fail, "srm:SRM-12": checks.Pass}},
		{checks.ASFF, "securityhub.asff.json", map[string]checks.Outcome{"srm:SRM-09": checks.Fail, "srm:SRM-17": checks.Pass}},
	} {
		f, err := os.Open("../checks/testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		run, err := checks.Read(c.format, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]checks.Outcome{}
		for _, v := range checks.Judge(run, ms, time.Now()) {
			got[v.Control.String()] = v.Outcome
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: verdicts %v, want %v", c.file, got, c.want)
		}
		for k, w := range c.want {
			if got[k] != w {
				t.Errorf("%s: %s is %q, want %q", c.file, k, got[k], w)
			}
		}
	}
}
