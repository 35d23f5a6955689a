package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
)

// myWorkShown is how many open obligations "my work" lists; the counts
// and the list by system cover them all.
const myWorkShown = 20

// MyWorkPage is what falls to the person signed in: the landing page for
// everyone who does more than read.
type MyWorkPage struct {
	basePage
	service.MyWork
	// Evidence is the evidence listed, with days left.
	Evidence []EvidenceItem
	// Statuses names the columns of the counts.
	Statuses []remit.ObligationStatus
	// FindingItems are the findings listed, FindingsOverdue how many of
	// them are past their due day.
	FindingItems    []FindingItem
	FindingsOverdue int
	// DecisionTable and ReviewTable list the risks, each with why it is
	// there.
	DecisionTable, ReviewTable workRisks
	// Assessor is set for those who assess, RiskOwner for those who
	// decide on risks (admins do both).
	Assessor, RiskOwner bool
	// Soon is how many days ahead (and back) evidence is looked at.
	Soon int
}

// workRisks is a table of risks on "my work".
type workRisks struct {
	Test, Caption string
	Rows          []workRisk
}

type workRisk struct {
	Risk *remit.Risk
	Why  string
}

// whyWaiting says why a risk waits for its owner on day now.
func whyWaiting(r *remit.Risk, st remit.RiskSettings, now time.Time) string {
	day := now.UTC().Format(time.DateOnly)
	var why string
	switch {
	case r.Acceptance != nil && r.Acceptance.AwaitingApproval:
		why = r.Acceptance.By + " accepted it above appetite: it waits for a second risk owner's approval"
	case r.StatusOn(day) == remit.RiskReviewDue:
		why = "Its acceptance ended on " + r.Acceptance.Until + ": accept it again or treat it"
	case r.Treatment == "accept" && r.Status != remit.RiskAccepted:
		why = "Its treatment is to accept it, and nobody has yet"
	case r.Status == remit.RiskAccepted && r.Acceptance != nil && r.Acceptance.Until <= now.UTC().AddDate(0, 0, service.WorkSoon).Format(time.DateOnly):
		why = "Its acceptance ends on " + r.Acceptance.Until
	case r.ReviewOverdue(now):
		why = "Its review was due on " + r.Review
	default:
		why = "Its review is due on " + r.Review
	}
	if r.AboveAppetite(st) {
		why += fmt.Sprintf("; its residual score %d is above the appetite of %d for %s", r.Residual.Value(), st.Appetite[r.Category], r.Category)
	}
	return why
}

// handleHome is the landing page: my work for everyone but viewers, who
// see the estate dashboard.
func (s *server) handleHome(w http.ResponseWriter, r *http.Request) error {
	if p, _ := principal(r.Context()); p.Role == remit.RoleViewer {
		return s.handleDashboard(w, r)
	}
	return show(s, "my-work", s.myWorkPage)(w, r)
}

func (s *server) myWorkPage(r *http.Request) (*MyWorkPage, error) {
	p, _ := principal(r.Context())
	now := s.Now()
	work, err := s.Service.MyWork(r.Context(), s.Service.Snapshot(), p, now, myWorkShown)
	if err != nil {
		return nil, err
	}
	pg := &MyWorkPage{basePage: basePage{Title: "My work", Nav: "my-work"}, MyWork: work, Statuses: remit.ObligationStatuses,
		Assessor: p.Role == remit.RoleAssessor || p.Role == remit.RoleAdmin, RiskOwner: p.Role == remit.RoleRiskOwner || p.Role == remit.RoleAdmin, Soon: service.WorkSoon}
	for _, ev := range work.Evidence {
		pg.Evidence = append(pg.Evidence, evidenceItem(ev, now))
	}
	for _, f := range work.Findings {
		it := FindingItem{Finding: f, Overdue: f.Overdue(now)}
		pg.FindingItems = append(pg.FindingItems, it)
		if it.Overdue {
			pg.FindingsOverdue++
		}
	}
	_, settings := s.Service.Snapshot().Risks()
	pg.DecisionTable = workRisks{Test: "work-decisions", Caption: "Risks awaiting your decision"}
	for _, r := range work.Decisions {
		pg.DecisionTable.Rows = append(pg.DecisionTable.Rows, workRisk{r, whyWaiting(r, settings, now)})
	}
	pg.ReviewTable = workRisks{Test: "work-reviews", Caption: "Risks whose review or acceptance falls due"}
	for _, r := range work.Reviews {
		pg.ReviewTable.Rows = append(pg.ReviewTable.Rows, workRisk{r, whyWaiting(r, settings, now)})
	}
	return pg, nil
}

type myWorkInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"5000" default:"100" doc:"Describe only the first this many open obligations; the counts cover them all"`
}

type myWorkOutput struct{ Body service.MyWork }

// handleMyWork answers GET /api/v1/my-work: the same lists, whole.
func (s *server) handleMyWork(ctx context.Context, in *myWorkInput) (*myWorkOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	work, err := s.Service.MyWork(ctx, s.Service.Snapshot(), p, s.Now(), in.Limit)
	if err != nil {
		return nil, err
	}
	return &myWorkOutput{Body: work}, nil
}
