package remit

import (
	"errors"
	"time"
)

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
