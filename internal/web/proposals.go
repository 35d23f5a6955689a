package web

import (
	"context"
	"errors"
	"net/http"

	"remit/internal/remit"
)

// openProposals lists the proposals neither adopted nor dismissed.
func (s *server) openProposals(ctx context.Context) ([]remit.Proposal, error) {
	return s.Service.OpenProposals(ctx, s.Now())
}

func (s *server) findProposal(ctx context.Context, id string) (remit.Proposal, error) {
	return s.Service.FindProposal(ctx, id, s.Now())
}

type proposalListOutput struct {
	Body struct {
		Items []remit.Proposal `json:"items"`
	}
}

func (s *server) handleProposalList(ctx context.Context, _ *struct{}) (*proposalListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	open, err := s.openProposals(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &proposalListOutput{}
	out.Body.Items = append([]remit.Proposal{}, open...)
	return out, nil
}

type proposalDismissInput struct {
	ID   string `path:"id"`
	Body struct {
		Reason string `json:"reason" maxLength:"4000"`
	}
}

func (s *server) handleProposalDismiss(ctx context.Context, in *proposalDismissInput) (*struct{}, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Service.DismissProposal(ctx, p, in.ID, in.Body.Reason); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

// ProposalsPage lists the open proposals, to adopt or dismiss.
type ProposalsPage struct {
	basePage
	Items   []remit.Proposal
	Source  string
	Sources []string
	CanAct  bool
	// CanRaise: may raise findings (a failing check is proposed as one).
	CanRaise bool
	Pager    pageLinks
	Total    int
}

func (s *server) proposalsPage(r *http.Request) (*ProposalsPage, error) {
	q := filterValues(r.URL.Query(), "source", "page")
	p := &ProposalsPage{basePage: basePage{Title: "Proposed risks", Nav: "risks"}, Source: q.Get("source"), Sources: []string{"ours", "assurance", "principle", "sat", "concentration", "checks", "fourth-party"}, CanAct: user(r).May(remit.ActEditRisk, ""), CanRaise: user(r).May(remit.ActAssess, "")}
	open, err := s.openProposals(r.Context())
	if err != nil {
		return nil, err
	}
	var kept []remit.Proposal
	for _, pr := range open {
		if p.Source == "" || pr.Source == p.Source {
			kept = append(kept, pr)
		}
	}
	p.Total = len(kept)
	var from, to int
	p.Pager, from, to = newPager(q, len(kept))
	p.Items = kept[from:to]
	return p, nil
}

func (s *server) handleProposalDismissPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.Service.DismissProposal(r.Context(), user(r), id, r.PostFormValue("reason"))
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p, perr := s.proposalsPage(r)
		if perr != nil {
			return perr
		}
		p.Errors = append(p.Errors, fieldError{"reason-" + anchor(id), sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "proposals", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/risks/proposals", "Proposal dismissed: it returns only if its cause changes")
}

// prefill fills a new risk's form from a proposal being adopted.
func (s *server) prefill(r *http.Request, p *RiskFormPage) error {
	id := r.URL.Query().Get("proposal")
	if id == "" {
		return nil
	}
	pr, err := s.findProposal(r.Context(), id)
	if err != nil {
		return err
	}
	form := pr.Risk()
	form.Status, form.Treatment = p.Form.Status, p.Form.Treatment
	p.Form = form
	p.Concerns = refsText(pr.Concerns)
	return nil
}
