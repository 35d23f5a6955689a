package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"remit/internal/checks"
	"remit/internal/remit"
)

// IngestChecks keeps a run of automated check results for one system: its
// results are mapped to controls (the service's check mappings), each
// mapped control gets the run's verdict, and from then on that verdict
// assures or fails our obligations for the control in the system — never
// a provider's (remit.AutomatedResult). Editors of the system's team,
// assessors and admins may hand results in. A run none of whose rules is
// mapped is refused: it could assure nothing.
func (s *Service) IngestChecks(ctx context.Context, p remit.Principal, system string, run checks.Run) (remit.CheckRun, error) {
	now := s.now()
	verdicts := checks.Judge(run, s.checkMappings, now)
	pass, fail, skip := run.Counts()
	cr := remit.CheckRun{ID: newID("cr-"), System: system, Tool: run.Tool, Format: string(run.Format), Received: now.UTC(), By: p.Email, Pass: pass, Fail: fail, Skip: skip}
	for _, r := range run.Results {
		if r.Outcome != checks.Skip && !slices.ContainsFunc(verdicts, func(v checks.Verdict) bool { return slices.Contains(v.Rules, r.Rule) }) {
			cr.Unmapped++
		}
	}
	if len(verdicts) == 0 {
		return remit.CheckRun{}, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/results",
			Message: fmt.Sprintf("none of the %d results' rules (%s) is mapped to a control, so they could assure nothing: add a mapping (doc/checks.md)", len(run.Results), sampleRules(run))}}}
	}
	for _, v := range verdicts {
		r := remit.AutomatedResult{System: system, Control: v.Control.String(), Failed: v.Outcome == checks.Fail, Tool: run.Tool, Rules: v.Rules, Window: v.Window, Observed: v.Observed.UTC(), Run: cr.ID}
		for _, f := range v.Failing {
			r.Failing = append(r.Failing, f.Rule+": "+f.Resource)
		}
		cr.Verdicts = append(cr.Verdicts, r)
	}
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		if _, _, ok := sn.System(system); !ok {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/system", Message: fmt.Sprintf("there is no system %q", system)}}}
		}
		if err := mayForSystem(p, remit.ActSubmitChecks, sn, system); err != nil {
			return nil, err
		}
		if _, err := checkRuns.create(ctx, tx, change{p.Email, now}, cr.ID, cr); err != nil {
			return nil, err
		}
		return func(next *Snapshot) error { next.putCheckRuns(cr); return nil }, nil
	})
	if err != nil {
		return remit.CheckRun{}, fmt.Errorf("ingest checks: %w", err)
	}
	return cr, nil
}

// sampleRules names a few of a run's rules, for a message.
func sampleRules(run checks.Run) string {
	var rules []string
	for _, r := range run.Results {
		if !slices.Contains(rules, r.Rule) {
			rules = append(rules, r.Rule)
		}
	}
	quoted := make([]string, 0, 3)
	for _, r := range rules[:min(3, len(rules))] {
		quoted = append(quoted, fmt.Sprintf("%q", r))
	}
	if len(rules) > 3 {
		quoted = append(quoted, "…")
	}
	return strings.Join(quoted, ", ")
}
