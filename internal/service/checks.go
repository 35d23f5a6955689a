package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"remit/internal/checks"
	"remit/internal/remit"
)

// checkRules are the check mappings in force — built-in, then the
// workspace's checks files — and the router the files' systems make.
type checkRules struct {
	files    []remit.CheckMappings
	mappings []checks.Mapping
	router   *checks.Router
}

func newCheckRules(builtIn, own []remit.CheckMappings) (*checkRules, error) {
	ms, err := checks.Compile(append(slices.Clip(builtIn), own...)...)
	if err != nil {
		return nil, err
	}
	return &checkRules{files: own, mappings: ms, router: checks.NewRouter(own...)}, nil
}

// CheckFiles are the workspace's checks files (checks/*.yaml).
func (sn *Snapshot) CheckFiles() []remit.CheckMappings {
	if sn.checks == nil {
		return nil
	}
	return sn.checks.files
}

// Ingest is what handing in one results file kept: a run per system it
// was about, and how many results were about no known system.
type Ingest struct {
	Runs []remit.CheckRun `json:"runs"`
	// Unrouted counts the results about no system the checks files name
	// (only when the run named no system).
	Unrouted int `json:"unrouted"`
}

// IngestChecks keeps a run of automated check results: for the system
// named, or — when system is "" — for each system the workspace's checks
// files say its results are about (by account, repository or tag). Each
// system's results are mapped to controls, each mapped control gets the
// run's verdict, and from then on that verdict assures or fails our
// obligations for the control in the system — never a provider's
// (remit.AutomatedResult). Editors of the systems' teams, assessors and
// admins may hand results in; all the systems must be theirs, or nothing
// is kept. A run none of whose rules is mapped is refused: it could
// assure nothing. It costs the results and the systems they are about,
// not the estate.
func (s *Service) IngestChecks(ctx context.Context, p remit.Principal, system string, run checks.Run) (Ingest, error) {
	now := s.now()
	var out Ingest
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		out = Ingest{}
		bySystem := map[string]checks.Run{system: run}
		if system == "" {
			if sn.checks.router.Empty() {
				return nil, invalid("/system", "name the system the results are about, or say in the workspace's checks/*.yaml which accounts, repositories or tags are whose (doc/checks.md)")
			}
			bySystem, out.Unrouted = sn.checks.router.Split(run)
			if len(bySystem) == 0 {
				return nil, invalid("/results", fmt.Sprintf("none of the %d results is about a system the checks files name (%s): add the account, repository or tag to checks/*.yaml, or name the system", len(run.Results), sampleScopes(run)))
			}
		}
		ids := slices.Sorted(maps.Keys(bySystem))
		for _, id := range ids {
			if _, _, ok := sn.System(id); !ok {
				return nil, invalid("/system", fmt.Sprintf("there is no system %q", id))
			}
			if err := mayForSystem(p, remit.ActSubmitChecks, sn, id); err != nil {
				return nil, err
			}
		}
		ch := change{p.Email, now}
		for _, id := range ids {
			cr, ok := judge(id, bySystem[id], sn.checks.mappings, p.Email, now)
			if !ok {
				continue
			}
			if _, err := checkRuns.create(ctx, tx, ch, cr.ID, cr); err != nil {
				return nil, err
			}
			out.Runs = append(out.Runs, cr)
		}
		if len(out.Runs) == 0 {
			return nil, invalid("/results", fmt.Sprintf("none of the %d results' rules (%s) is mapped to a control, so they could assure nothing: add a mapping (doc/checks.md)", len(run.Results), sampleRules(run)))
		}
		return func(next *Snapshot) error { next.putCheckRuns(out.Runs...); return nil }, nil
	})
	if err != nil {
		return Ingest{}, fmt.Errorf("ingest checks: %w", err)
	}
	return out, nil
}

// judge makes the run kept for one system, and whether any of its rules
// is mapped.
func judge(system string, run checks.Run, maps []checks.Mapping, by string, now time.Time) (remit.CheckRun, bool) {
	verdicts := checks.Judge(run, maps, now)
	if len(verdicts) == 0 {
		return remit.CheckRun{}, false
	}
	pass, fail, skip := run.Counts()
	cr := remit.CheckRun{ID: newID("cr-"), System: system, Tool: run.Tool, Format: string(run.Format), Received: now.UTC(), By: by, Pass: pass, Fail: fail, Skip: skip}
	mapped := map[string]bool{}
	for _, v := range verdicts {
		for _, r := range v.Rules {
			mapped[r] = true
		}
		r := remit.AutomatedResult{System: system, Control: v.Control.String(), Failed: v.Outcome == checks.Fail, Tool: run.Tool, Rules: v.Rules, Window: v.Window, Observed: v.Observed.UTC(), Run: cr.ID}
		for _, f := range v.Failing {
			r.Failing = append(r.Failing, f.Rule+": "+f.Resource)
		}
		cr.Verdicts = append(cr.Verdicts, r)
	}
	for _, r := range run.Results {
		if r.Outcome != checks.Skip && !mapped[r.Rule] {
			cr.Unmapped++
		}
	}
	return cr, true
}

func invalid(pointer, msg string) error {
	return &remit.ValidationError{Problems: []remit.Problem{{Pointer: pointer, Message: msg}}}
}

// sampleRules names a few of a run's rules, for a message.
func sampleRules(run checks.Run) string {
	return sample(run, func(r checks.Result) string { return r.Rule })
}

// sampleScopes names a few of the accounts, repositories and tags a run's
// results are about, for a message.
func sampleScopes(run checks.Run) string {
	s := sample(run, func(r checks.Result) string {
		switch {
		case r.Account != "":
			return "account " + r.Account
		case r.Repository != "":
			return "repository " + r.Repository
		case len(r.Tags) > 0:
			return "tags " + strings.Join(r.Tags, ", ")
		}
		return ""
	})
	if s == "" {
		return "the results name no account, repository or tag"
	}
	return s
}

// sample quotes up to three distinct non-empty values of a run's results.
func sample(run checks.Run, of func(checks.Result) string) string {
	var seen []string
	more := false
	for _, r := range run.Results {
		v := of(r)
		if v == "" || slices.Contains(seen, v) {
			continue
		}
		if len(seen) == 3 {
			more = true
			break
		}
		seen = append(seen, v)
	}
	quoted := make([]string, 0, 4)
	for _, v := range seen {
		quoted = append(quoted, fmt.Sprintf("%q", v))
	}
	if more {
		quoted = append(quoted, "…")
	}
	return strings.Join(quoted, ", ")
}
