package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
)

func ref(s string) remit.ControlRef {
	r, err := remit.ParseControlRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// TestJudge: a control fails when any result mapped to it fails, passes
// when results were mapped and none failed, and says nothing when none
// were; skipped results and other tools' rules do not count; a pass goes
// stale after its window, a failure stays failed.
func TestJudge(t *testing.T) {
	run := read(t, SARIF, "checkov.sarif")
	maps := []Mapping{
		{Tool: "checkov", Rules: []string{"CKV_AWS_24", "CKV_AWS_25"}, Control: ref("srm:SRM-07")},
		{Tool: "Checkov", Rules: []string{"CKV_AWS_1?"}, Control: ref("srm:SRM-05"), Window: 24 * time.Hour},
		{Tool: "Prowler", Rules: []string{"*"}, Control: ref("srm:SRM-09")},
		{Rules: []string{"CKV_AWS_18"}, Control: ref("srm:SRM-10")}, // only a skipped result
	}
	received := at("2026-12-04T12:00:00Z")
	got := Judge(run, maps, received)
	observed := at("2026-12-03T10:00:00Z")
	want := []Verdict{
		{Control: ref("srm:SRM-07"), Outcome: Fail, Rules: []string{"CKV_AWS_24", "CKV_AWS_25"}, Failing: run.Results[:2], Observed: observed, Window: DefaultWindow},
		{Control: ref("srm:SRM-05"), Outcome: Pass, Rules: []string{"CKV_AWS_19"}, Observed: observed, Window: 24 * time.Hour},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		v    Verdict
		now  string
		want string
	}{
		{got[0], "2026-12-03T10:00:00Z", "failed"},
		{got[0], "2027-06-01T00:00:00Z", "failed"},
		{got[1], "2026-12-04T09:59:59Z", "assured"},
		{got[1], "2026-12-04T10:00:01Z", "stale"},
	} {
		if s := c.v.State(at(c.now)); s != c.want {
			t.Errorf("%s at %s: %s, want %s", c.v.Control, c.now, s, c.want)
		}
	}
	// A result with no time of its own (conftest's JUnit has none) is
	// taken as observed when received.
	junit := read(t, JUnit, "conftest.junit.xml")
	v := Judge(junit, []Mapping{{Tool: "conftest", Rules: []string{"conftest.main"}, Control: ref("srm:SRM-05")}}, received)
	if len(v) != 1 || v[0].Outcome != Fail || len(v[0].Failing) != 4 || !v[0].Observed.Equal(received) {
		t.Errorf("undated results: %+v", v)
	}
}

// TestReadMappings reads checks/*.yaml, and refuses each mistake naming
// its line.
func TestReadMappings(t *testing.T) {
	ms, err := ReadMappings("checks/network.yaml", strings.NewReader(`mappings:
  - tool: Checkov
    rules: [CKV_AWS_24, CKV_AWS_25]
    control: srm:SRM-07
  - rules: ec2_securitygroup_allow_ingress_from_internet_to_*
    control: srm:SRM-07
    window: 14d
  - tool: Security Hub
    rules: [EC2.13]
    control: srm:SRM-07
    window: 36h
systems:
  - system: prison-visits
    accounts: ["111122223333"]
    tags: remit-system=prison-visits
  - system: casetrack
    repositories: [https://github.com/example/casetrack]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := remit.CheckMappings{ID: "network", Mappings: []remit.CheckMapping{
		{Tool: "Checkov", Rules: []string{"CKV_AWS_24", "CKV_AWS_25"}, Control: "srm:SRM-07"},
		{Rules: []string{"ec2_securitygroup_allow_ingress_from_internet_to_*"}, Control: "srm:SRM-07", Window: "14d"},
		{Tool: "Security Hub", Rules: []string{"EC2.13"}, Control: "srm:SRM-07", Window: "36h"},
	}, Systems: []remit.CheckScope{
		{System: "prison-visits", Accounts: []string{"111122223333"}, Tags: []string{"remit-system=prison-visits"}},
		{System: "casetrack", Repositories: []string{"https://github.com/example/casetrack"}},
	}}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Fatalf("mappings (-want +got):\n%s", diff)
	}
	compiled, err := Compile(ms)
	if err != nil {
		t.Fatal(err)
	}
	wantCompiled := []Mapping{
		{Tool: "Checkov", Rules: []string{"CKV_AWS_24", "CKV_AWS_25"}, Control: ref("srm:SRM-07"), Window: DefaultWindow},
		{Rules: []string{"ec2_securitygroup_allow_ingress_from_internet_to_*"}, Control: ref("srm:SRM-07"), Window: 14 * 24 * time.Hour},
		{Tool: "Security Hub", Rules: []string{"EC2.13"}, Control: ref("srm:SRM-07"), Window: 36 * time.Hour},
	}
	if diff := cmp.Diff(wantCompiled, compiled); diff != "" {
		t.Fatalf("compiled (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ in, want string }{
		{"", "c.yaml: there are no mappings"},
		{"mappings:\n  - control: srm:SRM-07\n", "c.yaml:2: the mapping has no rules"},
		{"mappings:\n  - rules: [a]\n    control: SRM-07\n", "c.yaml:2: control:"},
		{"mappings:\n  - rules: [a]\n    control: srm:SRM-07\n    window: a week\n", `c.yaml:2: window "a week" is not a length of time: write it as 7d, 36h or 90m`},
		{"mappings:\n  - rules: [a]\n    control: srm:SRM-07\n    window: 0d\n", `window "0d" is not a length of time`},
		{"mappings:\n  - rules: ['[a']\n    control: srm:SRM-07\n", `c.yaml:2: rule "[a" is not a check id or a glob`},
		{"mappings:\n  - rules:\n      - {a: b}\n    control: srm:SRM-07\n", "c.yaml:3: a rule is a check id or a glob, not a mapping"},
		{"mappings:\n  - rules: [a]\n    control: srm:SRM-07\n    colour: red\n", "c.yaml: yaml: unmarshal errors:\n  line 4: field colour not found"},
		{"mappings: [\n", "c.yaml: yaml: line 1"},
		{"systems:\n  - system: x\n", `c.yaml:2: say which results are about system "x": accounts, repositories or tags`},
		{"systems:\n  - accounts: [1]\n", `c.yaml:2: system is required`},
		{"systems:\n  - system: x\n    tags: [novalue]\n", `c.yaml:2: tag "novalue" is not Key=Value`},
		{"systems:\n  - system: x\n    accounts: {a: b}\n", `c.yaml:3: a list of names`},
	} {
		_, err := ReadMappings("c.yaml", strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.in, err, c.want)
		}
	}
}

// FuzzReadMappings: no input panics the mappings reader, and what it
// accepts is whole.
func FuzzReadMappings(f *testing.F) {
	f.Add("mappings:\n  - tool: Checkov\n    rules: [CKV_AWS_24]\n    control: srm:SRM-07\n    window: 14d\n")
	f.Add("mappings:\n  - rules: x\n    control: a:b\n")
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ReadMappings("f.yaml", strings.NewReader(s))
		if err != nil {
			return
		}
		compiled, err := Compile(ms)
		if err != nil {
			t.Fatalf("accepted %+v from %q, which does not compile: %v", ms, s, err)
		}
		for _, m := range compiled {
			if len(m.Rules) == 0 || m.Control.Catalogue == "" || m.Window <= 0 {
				t.Fatalf("accepted %+v from %q", m, s)
			}
		}
		for _, sc := range ms.Systems {
			if sc.System == "" || len(sc.Accounts)+len(sc.Repositories)+len(sc.Tags) == 0 {
				t.Fatalf("accepted %+v from %q", sc, s)
			}
		}
	})
}

// TestRouter: results go to the system their account, repository or tag
// names, in that order; others are counted, not guessed.
func TestRouter(t *testing.T) {
	rt := NewRouter(remit.CheckMappings{ID: "x", Systems: []remit.CheckScope{
		{System: "a", Accounts: []string{"111122223333"}},
		{System: "b", Repositories: []string{"https://github.com/Example/B.git"}},
		{System: "c", Tags: []string{"remit-system=c"}},
	}})
	run := Run{Tool: "T", Results: []Result{
		{Rule: "r1", Account: "111122223333", Tags: []string{"remit-system=c"}},
		{Rule: "r2", Repository: "https://github.com/example/b/"},
		{Rule: "r3", Tags: []string{"Owner=me", "remit-system=c"}},
		{Rule: "r4", Account: "999999999999"},
		{Rule: "r5"},
	}}
	by, unrouted := rt.Split(run)
	got := map[string][]string{}
	for s, r := range by {
		for _, x := range r.Results {
			got[s] = append(got[s], x.Rule)
		}
		if r.Tool != "T" {
			t.Errorf("%s: tool %q", s, r.Tool)
		}
	}
	want := map[string][]string{"a": {"r1"}, "b": {"r2"}, "c": {"r3"}}
	if diff := cmp.Diff(want, got); diff != "" || unrouted != 2 {
		t.Errorf("split (-want +got):\n%s; unrouted %d, want 2", diff, unrouted)
	}
	if NewRouter().Empty() != true || rt.Empty() {
		t.Error("Empty")
	}
}
