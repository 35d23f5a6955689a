package service_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"remit/internal/checks"
	"remit/internal/content"
	"remit/internal/memstore"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

func readRun(t *testing.T, f checks.Format, file string) checks.Run {
	t.Helper()
	r, err := os.Open("../checks/testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	run, err := checks.Read(f, r)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestIngestChecks: a run handed in for a system fails or assures our
// obligations for the controls its rules map to, leaves the providers'
// obligations as they were, is audited and survives a restart; a later
// passing run assures what failed; editors of other teams and runs that
// map to nothing are refused.
func TestIngestChecks(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	c := &clock{now: start}
	cfg := service.Config{Store: st, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), Now: c.Now, CheckMappings: content.CheckMappings()}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, admin, loadExample(t), false); err != nil {
		t.Fatal(err)
	}
	assurance := func(svc *service.Service, control string) (ours, theirs []remit.AssuranceStatus) {
		sn := svc.Snapshot()
		for _, party := range []report.Party{report.PartyOurs, report.PartyProviders} {
			obs := sn.Obligations(func(x *remit.System) bool { return x.ID == "prison-visits" }, party, func(o service.Obligation) bool { return o.Control == control })
			sn.Assure(obs, c.Now())
			for _, o := range obs {
				if party == report.PartyOurs {
					ours = append(ours, o.Assurance.Status)
				} else {
					theirs = append(theirs, o.Assurance.Status)
				}
			}
		}
		return ours, theirs
	}
	_, theirsBefore := assurance(svc, "srm:SRM-09")

	run := readRun(t, checks.SARIF, "checkov.sarif")
	if _, err := svc.IngestChecks(ctx, outsider, "prison-visits", run); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("an editor of another team: %v", err)
	}
	got, err := svc.IngestChecks(ctx, editor, "prison-visits", run)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Runs) != 1 || got.Unrouted != 0 {
		t.Fatalf("ingest %+v", got)
	}
	cr := got.Runs[0]
	if cr.Pass != 1 || cr.Fail != 2 || cr.Skip != 1 || cr.Unmapped != 0 || len(cr.Verdicts) != 2 || cr.Tool != "Checkov" || cr.By != editor.Email {
		t.Errorf("run %+v", cr)
	}
	ours, theirs := assurance(svc, "srm:SRM-09")
	if len(ours) == 0 || len(theirs) == 0 {
		t.Fatalf("prison-visits has ours %v and theirs %v for SRM-09", ours, theirs)
	}
	for _, s := range ours {
		if s != remit.AssuranceFailed {
			t.Errorf("our SRM-09 obligation is %s after failing checks", s)
		}
	}
	if strings.Join(statuses(theirs), ",") != strings.Join(statuses(theirsBefore), ",") {
		t.Errorf("the providers' SRM-09 obligations changed: %v -> %v", theirsBefore, theirs)
	}
	if ours, _ := assurance(svc, "srm:SRM-14"); len(ours) == 0 || ours[0] != remit.Assured {
		t.Errorf("our SRM-14 obligation after passing checks: %v", ours)
	}

	// Each failing rule and resource is proposed as a finding, once;
	// raising the finding takes the proposal.
	checkProps := func() []remit.Proposal {
		open, err := svc.OpenProposals(ctx, c.Now())
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(open, func(p remit.Proposal) bool { return p.Source != "checks" })
	}
	props := checkProps()
	if len(props) != 2 || props[0].Title != "Prison visits booking: Checkov fails CKV_AWS_24 on network/bastion.tf:12" && props[1].Title != "Prison visits booking: Checkov fails CKV_AWS_24 on network/bastion.tf:12" {
		t.Fatalf("proposed findings: %+v", props)
	}
	if _, err := svc.AddFinding(ctx, assessor, remit.Finding{Title: props[0].Title, Severity: "high", Status: "open", Source: props[0].ID}); err != nil {
		t.Fatal(err)
	}
	if left := checkProps(); len(left) != 1 || left[0].ID != props[1].ID {
		t.Errorf("after raising one as a finding: %+v", left)
	}

	// A restart reads the run back.
	again, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ours, _ := assurance(again, "srm:SRM-09"); len(ours) == 0 || ours[0] != remit.AssuranceFailed {
		t.Errorf("after a restart: %v", ours)
	}
	recs, err := svc.Audit(ctx, remit.AuditFilter{Kind: service.KindCheckRun, ID: cr.ID})
	if err != nil || len(recs) != 1 || recs[0].Actor != editor.Email {
		t.Errorf("audit of the run: %+v %v", recs, err)
	}

	// The tool's next run passes: assured again.
	fixed := run
	fixed.Results = append([]checks.Result(nil), run.Results...)
	for i := range fixed.Results[:2] {
		fixed.Results[i].Outcome = checks.Pass
		fixed.Results[i].Observed = fixed.Results[i].Observed.Add(24 * 60 * 60 * 1e9)
	}
	if _, err := svc.IngestChecks(ctx, editor, "prison-visits", fixed); err != nil {
		t.Fatal(err)
	}
	if ours, _ := assurance(svc, "srm:SRM-09"); len(ours) == 0 || ours[0] != remit.Assured {
		t.Errorf("after a passing run: %v", ours)
	}
	if left := checkProps(); len(left) != 0 {
		t.Errorf("proposals left after a passing run: %+v", left)
	}

	// Nothing mapped: refused, nothing kept.
	junit := readRun(t, checks.JUnit, "conftest.junit.xml")
	_, err = svc.IngestChecks(ctx, editor, "prison-visits", junit)
	var ve *remit.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `none of the 19 results' rules ("conftest.main") is mapped to a control`) {
		t.Errorf("unmapped run: %v", err)
	}
	if n := svc.Snapshot().NumCheckRuns(); n != 2 {
		t.Errorf("%d runs kept, want 2", n)
	}
	if r, ok := svc.Snapshot().CheckRun(cr.ID); !ok || r.System != "prison-visits" {
		t.Errorf("run %s: %+v", cr.ID, r)
	}
}

// TestIngestRoutedChecks: a run handed in without naming a system goes
// to the systems the workspace's checks files name by account (and not
// to others); results about no named system are counted, not kept; a
// run about none of them, or when no file names any, is refused; every
// system must be one the person may hand results in for; the workspace's
// own mappings (conftest rules in examples/justice/checks) count along
// with the built-in ones; and another instance over the same store
// follows the runs.
func TestIngestRoutedChecks(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	c := &clock{now: start}
	cfg := service.Config{Store: st, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), Now: c.Now, CheckMappings: content.CheckMappings()}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	follower, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws := loadExample(t)
	if _, err := svc.Import(ctx, admin, ws, false); err != nil {
		t.Fatal(err)
	}
	if files := svc.Snapshot().CheckFiles(); len(files) != 1 || files[0].ID != "estate" {
		t.Fatalf("checks files %+v", files)
	}
	if _, err := follower.Refresh(ctx); err != nil || len(follower.Snapshot().CheckFiles()) != 1 {
		t.Fatalf("the follower has checks files %+v (%v)", follower.Snapshot().CheckFiles(), err)
	}
	hub := readRun(t, checks.ASFF, "securityhub.asff.json") // all in account 111122223333
	other := hub.Results[0]
	other.Account = "444455556666" // court-case-tracking's
	stray := hub.Results[0]
	stray.Account = "000000000000"
	hub.Results = append(hub.Results, other, stray)

	// An editor of prison-visits' team may not hand in court-case-tracking's.
	if _, err := svc.IngestChecks(ctx, editor, "", hub); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("an editor for another team's system too: %v", err)
	}
	if n := svc.Snapshot().NumCheckRuns(); n != 0 {
		t.Fatalf("%d runs kept after a refusal", n)
	}
	got, err := svc.IngestChecks(ctx, assessor, "", hub)
	if err != nil {
		t.Fatal(err)
	}
	var systems []string
	for _, r := range got.Runs {
		systems = append(systems, r.System)
	}
	if strings.Join(systems, ",") != "court-case-tracking,prison-visits" || got.Unrouted != 1 {
		t.Errorf("runs for %v, unrouted %d; want court-case-tracking, prison-visits and 1", systems, got.Unrouted)
	}
	if got.Runs[0].Fail != 1 || got.Runs[1].Fail != 1 || got.Runs[1].Pass != 1 {
		t.Errorf("split wrongly: %+v", got.Runs)
	}

	// Nothing about a named system: refused, naming the accounts seen.
	stray.Account = "000000000001"
	_, err = svc.IngestChecks(ctx, assessor, "", checks.Run{Format: checks.ASFF, Tool: "Security Hub", Results: []checks.Result{stray}})
	if err == nil || !strings.Contains(err.Error(), `none of the 1 results is about a system the checks files name ("account 000000000001")`) {
		t.Errorf("a run about no known system: %v", err)
	}

	// The workspace's own mappings: conftest's security group rule.
	cf := checks.Run{Format: checks.JUnit, Tool: "conftest", Results: []checks.Result{{Rule: "conftest.aws.security_groups", Resource: "plan.json - aws.security_groups - sg web open on 22", Outcome: checks.Fail}}}
	got, err = svc.IngestChecks(ctx, editor, "prison-visits", cf)
	if err != nil || len(got.Runs) != 1 || got.Runs[0].Verdicts[0].Control != "srm:SRM-09" || !got.Runs[0].Verdicts[0].Failed {
		t.Fatalf("a workspace mapping: %+v %v", got, err)
	}

	// The other instance follows the runs.
	if _, err := follower.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := follower.Snapshot().NumCheckRuns(); n != 3 {
		t.Errorf("the follower holds %d runs, want 3", n)
	}

	// Without checks files naming systems, a system must be named.
	ws.Checks = nil
	if _, err := svc.Import(ctx, admin, ws, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IngestChecks(ctx, assessor, "", hub); err == nil || !strings.Contains(err.Error(), "name the system the results are about") {
		t.Errorf("no checks files: %v", err)
	}
	if _, err := svc.IngestChecks(ctx, editor, "prison-visits", cf); err == nil || !strings.Contains(err.Error(), "is mapped to a control") {
		t.Errorf("the workspace's mapping outlived its file: %v", err)
	}

	// The other instance follows the checks files too.
	if _, err := follower.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n, m := follower.Snapshot().NumCheckRuns(), svc.Snapshot().NumCheckRuns(); n != 3 || m != 3 {
		t.Errorf("the follower holds %d runs, the writer %d; want 3", n, m)
	}
	if len(follower.Snapshot().CheckFiles()) != 0 {
		t.Errorf("the follower still holds the removed checks file")
	}
}

func statuses(ss []remit.AssuranceStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
