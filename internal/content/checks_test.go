package content_test

import (
	"os"
	"testing"
	"time"

	"remit/internal/checks"
	"remit/internal/content"
	"remit/internal/remit"
)

// TestCheckMappings: every built-in mapping names a control of a built-in
// catalogue, and the sample outputs of Checkov, Prowler and Security Hub
// (internal/checks/testdata) give the verdicts the policy's examples
// expect: security groups open to the internet fail network access
// control, encrypted buckets, root MFA and blocked public access pass.
func TestCheckMappings(t *testing.T) {
	files := content.CheckMappings()
	ms, err := checks.Compile(files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 15 {
		t.Fatalf("%d built-in mappings", len(ms))
	}
	// Every mapping names a control of a built-in catalogue, by the same
	// rule a workspace's checks files are held to.
	ws := loadBuiltins(t)
	ws.Checks = files
	for _, p := range remit.Validate(ws) {
		t.Errorf("built-in mappings: %s", p)
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
