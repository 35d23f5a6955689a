package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// The supplier portal: a supplier with a link answers one assessment's
// questionnaire and uploads evidence for their offering, without an
// account. Its pages are reached only by the link's secret, show nothing
// but that assessment's questions and their own answers and uploads, and
// never act as a signed-in user, even if one opens them.

// PortalPage is what the supplier sees.
type PortalPage struct {
	basePage
	Link       remit.PortalLink
	Secret     string
	Name       string
	Principles []remit.Principle
	Answers    map[string]map[string]string
	Writable   bool
	Kinds      []option
}

// portalErr answers a link that opens nothing.
func portalErr(err error) error {
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		return fmt.Errorf("this link is not valid: check it was copied whole, or ask the assessor who sent it for a new one: %w", remit.ErrNotFound)
	case errors.Is(err, remit.ErrLinkClosed):
		return linkClosed(err.Error())
	}
	return err
}

// linkClosed is a link that no longer lets the supplier change anything: 410.
type linkClosed string

func (e linkClosed) Error() string { return string(e) }

func (s *server) portalPage(r *http.Request) (*PortalPage, error) {
	secret := r.PathValue("secret")
	link, a, err := s.Service.PortalView(r.Context(), secret)
	if err != nil {
		return nil, portalErr(err)
	}
	q, err := s.Service.AssessmentTemplate(r.Context(), &a)
	if err != nil {
		return nil, err
	}
	p := &PortalPage{basePage: basePage{Title: "Security questions", Portal: true}, Link: link, Secret: secret, Name: link.Offering, Principles: q.Principles,
		Answers: map[string]map[string]string{}, Writable: link.Writable(s.Now()) && a.Status == remit.AssessmentInProgress}
	for _, pa := range a.Principles {
		p.Answers[pa.Control] = pa.Answers
	}
	p.Name = s.offeringName(link.Offering)
	for _, k := range remit.EvidenceKinds {
		p.Kinds = append(p.Kinds, option{string(k.Kind), k.Name})
	}
	return p, nil
}

func (s *server) portalBack(w http.ResponseWriter, r *http.Request, msg string) error {
	return s.redirect(w, r, "/portal/"+url.PathEscape(r.PathValue("secret")), msg)
}

func (s *server) handlePortalAnswersPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.portalPage(r)
	if err != nil {
		return err
	}
	answers := map[string]map[string]string{}
	for _, pr := range p.Principles {
		answers[pr.Control] = map[string]string{}
		for _, q := range pr.Questions {
			answers[pr.Control][q.ID] = strings.TrimSpace(r.PostFormValue("q-" + q.ID))
		}
	}
	_, err = s.Service.SavePortalAnswers(r.Context(), p.Secret, answers)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p.Answers = answers
		for _, pr := range ve.Problems {
			field := pr.Pointer[strings.LastIndex(pr.Pointer, "/")+1:]
			p.Errors = append(p.Errors, fieldError{"q-" + field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", p)
	}
	if err != nil {
		return portalErr(err)
	}
	return s.portalBack(w, r, "Your answers are saved. You can change them until you submit.")
}

func (s *server) handlePortalEvidencePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.portalPage(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, remit.MaxEvidenceFile+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		p.Errors = append(p.Errors, fieldError{"file", "The file could not be read: it must be at most 20 MiB"})
		return s.render(w, r, http.StatusRequestEntityTooLarge, "portal", p)
	}
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	ev := remit.Evidence{Kind: remit.EvidenceKind(v("kind")), Title: v("title"), Issuer: v("issuer"), Issued: v("issued"), Expires: v("expires"), ExpiryReason: v("expiry_reason")}
	var name string
	var content []byte
	if f, h, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if content, err = io.ReadAll(f); err != nil {
			return badForm("the file could not be read: " + err.Error())
		}
		name = h.Filename
		if len(content) == 0 {
			content = nil
		}
	}
	added, err := s.Service.AddPortalEvidence(r.Context(), p.Secret, v("principle"), ev, name, content)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			p.Errors = append(p.Errors, fieldError{evidenceField(pr.Pointer), sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", p)
	}
	if err != nil {
		return portalErr(err)
	}
	return s.portalBack(w, r, "Your file "+added.Title+" is uploaded.")
}

func (s *server) handlePortalSubmitPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.portalPage(r)
	if err != nil {
		return err
	}
	if _, err := s.Service.SubmitPortal(r.Context(), p.Secret); err != nil {
		return portalErr(err)
	}
	return s.portalBack(w, r, "Your answers are submitted. The assessor will review them; you cannot change them now.")
}

// --- the assessor's side --------------------------------------------------

// portalLinks lists an assessment's links for its page.
func (s *server) portalLinks(r *http.Request, id string) ([]remit.PortalLink, error) {
	return s.Service.PortalLinks(r.Context(), id)
}

func (s *server) handlePortalLinkPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.assessmentPage(r)
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		days = 0
	}
	link, secret, err := s.Service.CreatePortalLink(r.Context(), user(r), p.A.ID, time.Duration(days)*24*time.Hour)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p.Errors = append(p.Errors, fieldError{"days", sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "assessment", p)
	}
	if err != nil {
		return err
	}
	if p, err = s.assessmentPage(r); err != nil {
		return err
	}
	p.NewLink = s.publicBase(r) + "/portal/" + secret
	p.NewLinkExpires = link.Expires
	return s.render(w, r, http.StatusCreated, "assessment", p)
}

func (s *server) handlePortalReviewPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.assessmentPage(r)
	if err != nil {
		return err
	}
	accept := r.PostFormValue("decision") == "accept"
	err = s.Service.ReviewPortal(r.Context(), user(r), r.PathValue("link"), accept, r.PostFormValue("note"))
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		p.Errors = append(p.Errors, fieldError{"note-" + r.PathValue("link"), sentence(ve.Problems[0].Message)})
		return s.render(w, r, http.StatusUnprocessableEntity, "assessment", p)
	}
	if err != nil {
		return err
	}
	msg := "The supplier's answers are accepted"
	if !accept {
		msg = "The supplier's answers are returned to them with your note"
	}
	return s.redirect(w, r, "/assessments/"+url.PathEscape(p.A.ID)+"#portal", msg)
}
