package remit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KindPortalLink is a supplier's time-limited link to answer one
// assessment's questionnaire (id the link's id; the secret is kept only
// as a hash).
const KindPortalLink Kind = "portal-link"

// PortalStatus is where a supplier's answers are.
type PortalStatus string

// A link is open until the supplier submits; the assessor then accepts
// the answers (the link is spent) or returns them (open again).
const (
	PortalOpen      PortalStatus = "open"
	PortalSubmitted PortalStatus = "submitted"
	PortalAccepted  PortalStatus = "accepted"
	PortalReturned  PortalStatus = "returned"
)

// ErrLinkClosed means a portal link no longer lets the supplier change
// anything: it expired, or the answers were submitted.
var ErrLinkClosed = errors.New("the link is closed")

// PortalLink lets a supplier, without an account, answer the
// questionnaire of one assessment and upload evidence for its offering,
// until it expires or they submit. It reaches nothing else.
type PortalLink struct {
	ID         string       `json:"id"`
	Assessment string       `json:"assessment"`
	Offering   string       `json:"offering"`
	Hash       string       `json:"hash,omitempty"`
	Expires    time.Time    `json:"expires"`
	Status     PortalStatus `json:"status"`
	Note       string       `json:"note,omitempty" doc:"Why the assessor returned the answers"`
	Submitted  *time.Time   `json:"submitted,omitempty"`
	Evidence   []string     `json:"evidence,omitempty" doc:"Evidence the supplier uploaded through the link"`
	Created    time.Time    `json:"created"`
	CreatedBy  string       `json:"created_by"`
}

// Writable reports whether the supplier may still change anything.
func (l *PortalLink) Writable(now time.Time) bool {
	return (l.Status == PortalOpen || l.Status == PortalReturned) && now.Before(l.Expires)
}

// Actor is how the audit trail names the supplier using the link.
func (l *PortalLink) Actor() string { return "supplier via portal link " + l.ID }

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreatePortalLink makes a link for an assessment in progress, lasting
// ttl, and returns it with its secret (rp_<id>_<secret>), shown once.
func CreatePortalLink(ctx context.Context, s Store, assessment string, ttl time.Duration, p Principal, now time.Time) (PortalLink, string, error) {
	if !p.May(ActSignOff, "") {
		return PortalLink{}, "", fmt.Errorf("supplier links are made by assessors, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	if ttl <= 0 || ttl > 90*24*time.Hour {
		return PortalLink{}, "", &ValidationError{Problems: []Problem{{Pointer: "/days", Message: "a link lasts from 1 to 90 days"}}}
	}
	idb, secb := make([]byte, 6), make([]byte, 24)
	if _, err := rand.Read(idb); err != nil {
		return PortalLink{}, "", err
	}
	if _, err := rand.Read(secb); err != nil {
		return PortalLink{}, "", err
	}
	id := hex.EncodeToString(idb)
	secret := "rp_" + id + "_" + base64.RawURLEncoding.EncodeToString(secb)
	var link PortalLink
	err := s.Write(ctx, func(tx Tx) error {
		a, _, err := findAssessment(ctx, tx, assessment)
		if err != nil {
			return err
		}
		if a.Status != AssessmentInProgress {
			return fmt.Errorf("assessment %s is completed: a supplier can no longer answer it: %w", assessment, ErrConflict)
		}
		link = PortalLink{ID: id, Assessment: a.ID, Offering: a.Offering, Hash: hashSecret(secret), Expires: now.Add(ttl).UTC(), Status: PortalOpen, Created: now.UTC(), CreatedBy: p.Email}
		body := mustJSON(link)
		if _, err := tx.CreateDocument(ctx, KindPortalLink, id, body, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, p.Email, "create", KindPortalLink, id, nil, body, now)
	})
	if err != nil {
		return PortalLink{}, "", fmt.Errorf("create portal link: %w", err)
	}
	return link, secret, nil
}

// OpenPortalLink finds the link a secret belongs to. A secret that does
// not match is ErrBadCredentials, whatever was wrong with it, so a guess
// learns nothing.
func OpenPortalLink(ctx context.Context, tx Tx, secret string) (PortalLink, int64, error) {
	rest, ok := strings.CutPrefix(secret, "rp_")
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 {
		return PortalLink{}, 0, ErrBadCredentials
	}
	d, err := tx.FindDocument(ctx, KindPortalLink, id)
	if errors.Is(err, ErrNotFound) {
		return PortalLink{}, 0, ErrBadCredentials
	}
	if err != nil {
		return PortalLink{}, 0, err
	}
	var l PortalLink
	if err := json.Unmarshal(d.Body, &l); err != nil {
		return PortalLink{}, 0, err
	}
	if subtle.ConstantTimeCompare([]byte(l.Hash), []byte(hashSecret(secret))) != 1 {
		return PortalLink{}, 0, ErrBadCredentials
	}
	return l, d.Version, nil
}

// changeLink applies change to a link (by secret) and the assessment it
// serves, in one transaction, if the link is still writable.
func changeLink(ctx context.Context, s Store, secret string, now time.Time, change func(tx Tx, l *PortalLink, a *SupplierAssessment) (assessmentChanged bool, err error)) (PortalLink, error) {
	var out PortalLink
	err := s.Write(ctx, func(tx Tx) error {
		l, lv, err := OpenPortalLink(ctx, tx, secret)
		if err != nil {
			return err
		}
		if !l.Writable(now) {
			return fmt.Errorf("link %s (%s, until %s): %w", l.ID, l.Status, l.Expires.Format(time.DateOnly), ErrLinkClosed)
		}
		a, ad, err := findAssessment(ctx, tx, l.Assessment)
		if err != nil {
			return err
		}
		if a.Status != AssessmentInProgress {
			return fmt.Errorf("assessment %s is completed: %w", a.ID, ErrLinkClosed)
		}
		before := mustJSON(l)
		changed, err := change(tx, &l, &a)
		if err != nil {
			return err
		}
		if changed {
			body := mustJSON(a)
			if _, err := tx.UpdateDocument(ctx, KindSupplierAssessment, a.ID, body, ad.Version, now); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, l.Actor(), "update", KindSupplierAssessment, a.ID, ad.Body, body, now); err != nil {
				return err
			}
		}
		after := mustJSON(l)
		if string(after) != string(before) {
			if _, err := tx.UpdateDocument(ctx, KindPortalLink, l.ID, after, lv, now); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, l.Actor(), "update", KindPortalLink, l.ID, before, after, now); err != nil {
				return err
			}
		}
		out = l
		return nil
	})
	return out, err
}

// SavePortalAnswers records a supplier's answers, principle by principle
// (control → question id → answer). Suppliers answer; they never set a
// result or a rationale.
func SavePortalAnswers(ctx context.Context, s Store, q *Questionnaire, secret string, answers map[string]map[string]string, now time.Time) (PortalLink, error) {
	var ps []Problem
	for control, as := range answers {
		for _, p := range q.ValidatePrinciple(PrincipleAssessment{Control: control, Answers: as}) {
			p.Pointer = "/" + control + p.Pointer
			ps = append(ps, p)
		}
	}
	if len(ps) > 0 {
		return PortalLink{}, &ValidationError{Problems: ps}
	}
	return changeLink(ctx, s, secret, now, func(_ Tx, _ *PortalLink, a *SupplierAssessment) (bool, error) {
		for control, as := range answers {
			pa, ok := a.Principle(control)
			if !ok {
				return false, fmt.Errorf("principle %s: %w", control, ErrNotFound)
			}
			if pa.Answers == nil {
				pa.Answers = map[string]string{}
			}
			for k, v := range as {
				if v == "" {
					delete(pa.Answers, k)
				} else {
					pa.Answers[k] = v
				}
			}
		}
		return true, nil
	})
}

// AddPortalEvidence stores a file the supplier uploads for one principle:
// evidence supporting the link's offering, listed against the principle.
func AddPortalEvidence(ctx context.Context, s Store, secret, control string, ev Evidence, fileName string, content []byte, now time.Time) (Evidence, error) {
	var out Evidence
	_, err := changeLink(ctx, s, secret, now, func(tx Tx, l *PortalLink, a *SupplierAssessment) (bool, error) {
		pa, ok := a.Principle(control)
		if !ok {
			return false, fmt.Errorf("principle %s: %w", control, ErrNotFound)
		}
		// The supplier says what it is; what it supports is fixed: their
		// offering, and nothing else.
		ev.Supports = []Support{{On: SupportOffering, Ref: l.Offering}}
		ev.URL, ev.SOC2 = "", nil
		var err error
		if out, err = addEvidenceTx(ctx, tx, ev, fileName, content, l.Actor(), now); err != nil {
			return false, err
		}
		pa.Evidence = append(pa.Evidence, out.ID)
		l.Evidence = append(l.Evidence, out.ID)
		return true, nil
	})
	return out, err
}

// SubmitPortal ends the supplier's part: nothing changes through the link
// after, unless the assessor returns the answers.
func SubmitPortal(ctx context.Context, s Store, secret string, now time.Time) (PortalLink, error) {
	return changeLink(ctx, s, secret, now, func(_ Tx, l *PortalLink, _ *SupplierAssessment) (bool, error) {
		t := now.UTC()
		l.Status, l.Submitted = PortalSubmitted, &t
		return false, nil
	})
}

// ReviewPortal is the assessor's answer to submitted answers: accept
// (the link is spent) or return with a note (the supplier may change and
// submit again until the link expires).
func ReviewPortal(ctx context.Context, s Store, id string, accept bool, note string, p Principal, now time.Time) error {
	if !p.May(ActSignOff, "") {
		return fmt.Errorf("supplier answers are reviewed by assessors, not %s: %w", p.Role.Article(), ErrForbidden)
	}
	if !accept && strings.TrimSpace(note) == "" {
		return &ValidationError{Problems: []Problem{{Pointer: "/note", Message: "say what the supplier should change when returning their answers"}}}
	}
	return s.Write(ctx, func(tx Tx) error {
		d, err := tx.FindDocument(ctx, KindPortalLink, id)
		if err != nil {
			return fmt.Errorf("portal link %q: %w", id, err)
		}
		var l PortalLink
		if err := json.Unmarshal(d.Body, &l); err != nil {
			return err
		}
		if l.Status != PortalSubmitted {
			return fmt.Errorf("link %s is %s, not submitted: %w", id, l.Status, ErrConflict)
		}
		l.Status, l.Note = PortalAccepted, ""
		if !accept {
			l.Status, l.Note = PortalReturned, strings.TrimSpace(note)
		}
		body := mustJSON(l)
		if _, err := tx.UpdateDocument(ctx, KindPortalLink, id, body, d.Version, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, p.Email, "update", KindPortalLink, id, d.Body, body, now)
	})
}

// PortalLinks reads the links of an assessment.
func PortalLinks(ctx context.Context, tx Tx, assessment string) ([]PortalLink, error) {
	docs, err := tx.Documents(ctx, KindPortalLink, "")
	if err != nil {
		return nil, err
	}
	var out []PortalLink
	for _, d := range docs {
		var l PortalLink
		if err := json.Unmarshal(d.Body, &l); err != nil {
			return nil, err
		}
		if l.Assessment == assessment {
			l.Hash = ""
			out = append(out, l)
		}
	}
	return out, nil
}
