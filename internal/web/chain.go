package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
	"remit/internal/service"
)

// --- the chain of reliance: the API ---------------------------------------

type coverageDecisionInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The evidence's ETag"`
	Body    remit.CoverageDecision
}

// handleCoveragePut records an assessor's decision on whether evidence
// covers a fourth party it neither includes nor carves out.
func (s *server) handleCoveragePut(ctx context.Context, in *coverageDecisionInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.DecideCoverage(ctx, p, in.ID, in.Body, version)
	return s.etagOf(ctx, v, err)
}

type coverageDeleteInput struct {
	ID       string `path:"id"`
	Offering string `query:"offering" required:"true" doc:"The fourth party, as provider/offering"`
	IfMatch  string `header:"If-Match" doc:"The evidence's ETag"`
}

// handleCoverageDelete withdraws a decision: the evidence is silent on
// the fourth party again.
func (s *server) handleCoverageDelete(ctx context.Context, in *coverageDeleteInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.WithdrawCoverage(ctx, p, in.ID, in.Offering, version)
	return s.etagOf(ctx, v, err)
}

// chainLinkJSON is one link of the chain of reliance as the API gives it.
type chainLinkJSON struct {
	Offering         string                        `json:"offering" doc:"The offering resting on the other (provider/offering)"`
	RestsOn          string                        `json:"rests_on" doc:"The offering it rests on: a fourth party to its customers"`
	Controls         []string                      `json:"controls" doc:"The controls whose obligations rest on it"`
	Coverage         remit.CoverageSays            `json:"coverage" enum:"included,named-in-scope,decided-covered,carved-out,decided-not-covered,silent,no-evidence" doc:"What the offering's current evidence says of the one it rests on"`
	CoverageEvidence string                        `json:"coverage_evidence,omitempty" doc:"The evidence that says it"`
	Decision         *remit.CoverageDecision       `json:"decision,omitempty" doc:"The assessor's decision it rests on, if any"`
	Own              map[remit.AssuranceStatus]int `json:"own" doc:"The assurance of the lower offering's own obligations for those controls, by status"`
	LeftNotAssured   int                           `json:"left_not_assured" doc:"The offering's obligations for those controls that the lower offering's own lapse leaves not assured (unassured, stale or failed)"`
	Systems          int                           `json:"systems" doc:"Systems using the offering directly"`
}

type chainOutput struct {
	Body struct {
		Offering   string          `json:"offering"`
		RestsOn    []chainLinkJSON `json:"rests_on" doc:"The offerings it runs on and rests on for some control"`
		ReliedOnBy []chainLinkJSON `json:"relied_on_by" doc:"The offerings that run on it and rest on it for some control"`
	}
}

type offeringPath struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
}

// handleChainGet gives an offering's chain of reliance, both ways.
func (s *server) handleChainGet(ctx context.Context, in *offeringPath) (*chainOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	ref := remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
	sn := s.Service.Snapshot()
	if _, ok := sn.Offering(ref); !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no offering %q", ref))
	}
	c := sn.OfferingChain(ref, s.Now())
	out := &chainOutput{}
	out.Body.Offering = ref
	out.Body.RestsOn, out.Body.ReliedOnBy = linksJSON(c.RestsOn), linksJSON(c.ReliedOnBy)
	return out, nil
}

func linksJSON(ls []service.ChainLink) []chainLinkJSON {
	out := make([]chainLinkJSON, 0, len(ls))
	for _, l := range ls {
		j := chainLinkJSON{Offering: l.Upper.Ref, RestsOn: l.Lower.Ref, Controls: l.Controls, Coverage: l.Coverage.Says, Decision: l.Coverage.Decision,
			Own: l.Own, LeftNotAssured: l.Short, Systems: l.Systems}
		if l.Coverage.Evidence != nil {
			j.CoverageEvidence = l.Coverage.Evidence.ID
		}
		out = append(out, j)
	}
	return out
}

// --- the chain of reliance: pages -----------------------------------------

// coverageWords says what evidence says of a fourth party, in words.
var coverageWords = map[remit.CoverageSays]string{
	remit.CoverIncluded:   "included",
	remit.CoverNamed:      "named in its scope",
	remit.CoverDecided:    "covered",
	remit.CoverCarvedOut:  "carved out",
	remit.CoverDecidedNot: "not covered",
	remit.CoverSilent:     "coverage unknown",
	remit.CoverNoEvidence: "no current evidence",
}

// coverageTag is the tag colour for what evidence says of a fourth
// party: green when it covers it, red when it excludes it, yellow when
// silent, grey when there is no current evidence.
func coverageTag(c remit.CoverageSays) string {
	switch {
	case c.Covers():
		return "govuk-tag--green"
	case c == remit.CoverCarvedOut || c == remit.CoverDecidedNot:
		return "govuk-tag--red"
	case c == remit.CoverSilent:
		return "govuk-tag--yellow"
	}
	return "govuk-tag--grey"
}

// handleCoveragePost records the decision from the evidence page's form:
// every problem against its field, nothing kept until there are none.
func (s *server) handleCoveragePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.evidencePage(r)
	if err != nil {
		return err
	}
	if !p.CanDecide {
		return fmt.Errorf("coverage is decided by assessors and admins: %w", remit.ErrForbidden)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	f := strings.TrimSpace(r.PostFormValue("offering"))
	d := remit.CoverageDecision{Offering: f, Rationale: r.PostFormValue("rationale")}
	var ps []remit.Problem
	switch r.PostFormValue("covered") {
	case "yes":
		d.Covered = true
	case "no":
	default:
		// Said with whatever else is wrong, before anything is sent on.
		ps = append([]remit.Problem{{Pointer: "/covered", Message: "Say whether the evidence covers " + s.offeringName(f)}}, d.Validate()...)
	}
	if len(ps) == 0 {
		_, err = s.Service.DecideCoverage(r.Context(), user(r), p.Item.ID, d, version)
		var ve *remit.ValidationError
		if !errors.As(err, &ve) {
			if err != nil {
				return err
			}
			what := "covers"
			if !d.Covered {
				what = "does not cover"
			}
			return s.redirect(w, r, "/evidence/"+url.PathEscape(p.Item.ID)+"#fourth-parties", fmt.Sprintf("Recorded: %s %s %s", p.Item.Title, what, s.offeringName(f)))
		}
		ps = ve.Problems
	}
	for _, pr := range ps {
		p.Errors = append(p.Errors, fieldError{coverageField(f, strings.TrimPrefix(pr.Pointer, "/")), sentence(pr.Message)})
	}
	p.Drafts = map[string]*coverageDraft{f: {Rationale: r.PostFormValue("rationale"), Covered: r.PostFormValue("covered")}}
	return s.render(w, r, http.StatusUnprocessableEntity, "evidence", p)
}

// coverageDraft is a decision sent back with a problem, to show again.
type coverageDraft struct {
	Rationale, Covered string
}

// coverageField is the id of a field of the decision form for fourth
// party f (the form repeats for each).
func coverageField(f, field string) string {
	if field == "offering" {
		field = "rationale" // the fourth party is fixed by the form: say it by the rationale
	}
	return "coverage-" + strings.ReplaceAll(f, "/", "-") + "-" + field
}

// handleCoverageWithdrawPost withdraws a decision, once confirmed.
func (s *server) handleCoverageWithdrawPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.evidencePage(r)
	if err != nil {
		return err
	}
	if !p.CanDecide {
		return fmt.Errorf("coverage is decided by assessors and admins: %w", remit.ErrForbidden)
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	f := strings.TrimSpace(r.PostFormValue("offering"))
	back := "/evidence/" + url.PathEscape(p.Item.ID)
	if ok, err := s.confirmed(w, r, &ConfirmPage{basePage: basePage{Title: "Withdraw the decision on " + s.offeringName(f) + "?", Nav: "evidence"}, Caption: p.Item.Title,
		Warning: "Remit goes back to what the evidence itself says: unless its scope names this offering, its coverage is unknown again, and the obligations resting on it are assured only while it has current assurance of its own.",
		Action:  r.URL.Path, Button: "Withdraw the decision", Cancel: back + "#fourth-parties", Fields: []option{{"version", strconv.FormatInt(version, 10)}, {"offering", f}}}); !ok {
		return err
	}
	if _, err := s.Service.WithdrawCoverage(r.Context(), user(r), p.Item.ID, f, version); err != nil {
		return err
	}
	return s.redirect(w, r, back+"#fourth-parties", "The decision on "+s.offeringName(f)+" is withdrawn")
}
