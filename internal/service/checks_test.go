package service_test

import (
	"context"
	"errors"
	"os"
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
	cr, err := svc.IngestChecks(ctx, editor, "prison-visits", run)
	if err != nil {
		t.Fatal(err)
	}
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

	// Nothing mapped: refused, nothing kept.
	junit := readRun(t, checks.JUnit, "conftest.junit.xml")
	_, err = svc.IngestChecks(ctx, editor, "prison-visits", junit)
	var ve *remit.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `none of the 3 results' rules ("conftest.main", "conftest.encryption", "conftest.tags") is mapped to a control`) {
		t.Errorf("unmapped run: %v", err)
	}
	if n := len(svc.Snapshot().CheckRuns()); n != 2 {
		t.Errorf("%d runs kept, want 2", n)
	}
}

func statuses(ss []remit.AssuranceStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
