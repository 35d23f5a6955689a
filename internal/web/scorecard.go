package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"remit/internal/remit"

	"github.com/danielgtaylor/huma/v2"
)

// ScorecardsPage shows every provider's scorecard.
type ScorecardsPage struct {
	basePage
	Cards []remit.Scorecard
	Today string
}

func (s *server) scorecardsPage(r *http.Request) (*ScorecardsPage, error) {
	cards, err := s.Service.Scorecards(r.Context(), s.Now())
	if err != nil {
		return nil, err
	}
	return &ScorecardsPage{basePage: basePage{Title: "Supplier scorecards", Nav: "scorecards"}, Cards: cards, Today: s.Now().UTC().Format(time.DateOnly)}, nil
}

// ScorecardPage drills into one offering: its obligations with their
// assurance, filtered by status, and the trend of snapshots.
type ScorecardPage struct {
	basePage
	Card     remit.Scorecard
	Status   string
	Statuses []remit.AssuranceStatus
	Lines    []scoreLine
	Trend    []trendPoint
	Own      *ownFindingsView
}

type scoreLine struct {
	Control, Title string
	Assurance      remit.Assurance
}

type trendPoint struct {
	Day              string
	Assured, Of      int
	Stale, Unassured int
	Failed           int
}

func (s *server) scorecardPage(r *http.Request) (*ScorecardPage, error) {
	ref := r.PathValue("provider") + "/" + r.PathValue("offering")
	cards, err := s.Service.Scorecards(r.Context(), s.Now())
	if err != nil {
		return nil, err
	}
	p := &ScorecardPage{basePage: basePage{Nav: "scorecards"}, Status: r.URL.Query().Get("status"), Statuses: remit.AssuranceStatuses}
	found := false
	for _, c := range cards {
		for _, o := range c.Offerings {
			if o.Offering == ref {
				p.Card, found = o, true
			}
		}
	}
	if !found {
		return nil, notFound("offering", ref)
	}
	p.Title = "Scorecard: " + p.Card.Name
	sn, now := s.Service.Snapshot(), s.Now()
	p.Own = ownFindings(sn, ref, now)
	for _, ctl := range sn.ProviderControls(ref) {
		a := sn.Evidence().Assure(remit.ObligationRef{Control: ctl.Ref, Offering: ref, Mapped: ctl.Mapped}, now)
		if p.Status == "" || string(a.Status) == p.Status {
			p.Lines = append(p.Lines, scoreLine{Control: ctl.Ref, Title: ctl.Control.Title, Assurance: a})
		}
	}
	snaps, err := s.Service.ScorecardTrend(r.Context(), 12)
	for _, sn := range snaps {
		if c, ok := sn.Offerings[ref]; ok {
			p.Trend = append(p.Trend, trendPoint{Day: sn.Day, Assured: c[string(remit.Assured)] + c[string(remit.AssuranceUnnecessary)], Of: sumCounts(c),
				Stale: c[string(remit.AssuranceStale)], Unassured: c[string(remit.Unassured)], Failed: c[string(remit.AssuranceFailed)]})
		}
	}
	return p, err
}

func sumCounts(c map[string]int) int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// --- API ------------------------------------------------------------------

type scorecardListOutput struct {
	Body struct {
		Items []remit.Scorecard `json:"items"`
	}
}

func (s *server) handleScorecardList(ctx context.Context, _ *struct{}) (*scorecardListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	cards, err := s.Service.Scorecards(ctx, s.Now())
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &scorecardListOutput{}
	out.Body.Items = cards
	if out.Body.Items == nil {
		out.Body.Items = []remit.Scorecard{}
	}
	return out, nil
}

type reviewCadenceInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The ETag the cadence was read with (\"0\" while the default applies)"`
	Body    struct {
		Months int `json:"months" minimum:"1" maximum:"36"`
	}
}

func (s *server) handleReviewCadencePut(ctx context.Context, in *reviewCadenceInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.SetReviewCadence(ctx, p, in.ID, in.Body.Months, version)
	return s.etagOf(ctx, v, err)
}

type reviewCadenceOutput struct {
	ETag string `header:"ETag"`
	Body struct {
		Months int `json:"months" doc:"How often the provider is reviewed: as set, else by its tier (the supplier settings: by default tier 1 every 12 months, tier 2 every 24, tier 3 every 36)"`
	}
}

func (s *server) handleReviewCadenceGet(ctx context.Context, in *systemInput) (*reviewCadenceOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	if _, ok := s.Service.Snapshot().Provider(in.ID); !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no provider %q", in.ID))
	}
	set, err := s.Service.ReviewCadences(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &reviewCadenceOutput{ETag: etag(set[in.ID].Version)}
	if c, ok := set[in.ID]; ok {
		out.Body.Months = c.Months
	} else {
		v, err := s.Service.Supplier(ctx, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body.Months = v.Schedule.Months
	}
	return out, nil
}

func (s *server) handleReviewCadencePost(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	months, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("months")))
	if err != nil {
		months = 0
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	if _, err := s.Service.SetReviewCadence(r.Context(), user(r), provider, months, version); err != nil {
		var ve *remit.ValidationError
		if errors.As(err, &ve) {
			return badForm(ve.Problems[0].Message)
		}
		return err
	}
	return s.redirect(w, r, "/providers/"+url.PathEscape(provider), fmt.Sprintf("Reviewed every %d months from now on", months))
}
