package remit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ReminderKind is what a reminder is about.
type ReminderKind string

// The reminders Remit sends.
const (
	RemindEvidence30        ReminderKind = "evidence-expiring-30"
	RemindEvidence7         ReminderKind = "evidence-expiring-7"
	RemindAcceptance        ReminderKind = "acceptance-expiring"
	RemindReviewDue         ReminderKind = "review-due"
	RemindReviewOverdue     ReminderKind = "review-overdue"
	RemindObligationOverdue ReminderKind = "obligation-overdue"
	RemindFindingOverdue    ReminderKind = "finding-overdue"
	RemindModelChange       ReminderKind = "model-change"
	RemindPortalSubmission  ReminderKind = "portal-submission"
	RemindAboveAppetite     ReminderKind = "accepted-above-appetite"
	RemindSupplierReview    ReminderKind = "supplier-review"
	RemindFourthParty       ReminderKind = "fourth-party-lapse"
)

// ReminderKinds lists every kind, in the order a digest lists them, with
// what each is in words.
var ReminderKinds = []struct {
	Kind ReminderKind
	Says string
}{
	{RemindObligationOverdue, "Obligations past their due date"},
	{RemindFindingOverdue, "Findings past their due date"},
	{RemindEvidence7, "Evidence that stops counting within 7 days"},
	{RemindEvidence30, "Evidence that stops counting within 30 days"},
	{RemindAboveAppetite, "Risks accepted above appetite"},
	{RemindAcceptance, "Risk acceptances ending within 30 days"},
	{RemindReviewOverdue, "Risk reviews overdue"},
	{RemindReviewDue, "Risk reviews due within 7 days"},
	{RemindModelChange, "Provider model changes that move your systems' obligations"},
	{RemindPortalSubmission, "Suppliers' answers submitted for review"},
	{RemindSupplierReview, "Supplier reviews due within 30 days or overdue"},
	{RemindFourthParty, "Fourth parties whose lapse leaves obligations resting on them not assured"},
}

// Valid reports whether k is a known kind.
func (k ReminderKind) Valid() bool {
	return slices.ContainsFunc(ReminderKinds, func(x struct {
		Kind ReminderKind
		Says string
	}) bool {
		return x.Kind == k
	})
}

// Reminder is one event someone should hear of: its Key is the same
// every time the same event is found, so it is sent once.
type Reminder struct {
	Key  string       `json:"key"`
	Kind ReminderKind `json:"kind"`
	// Title names what it is about; Detail says what happened or is due.
	Title  string `json:"title"`
	Detail string `json:"detail"`
	// Path is its page in Remit ("/risks/ri-…").
	Path string `json:"path"`
	// To lists the accounts (emails) it is for.
	To []string `json:"to"`
}

// ReminderPrefs is what one person wants to hear of: nothing by email
// when Digest is off, and none of the kinds in Off.
type ReminderPrefs struct {
	Digest bool           `json:"digest"`
	Off    []ReminderKind `json:"off,omitempty"`
}

// DefaultReminderPrefs is what someone who never said gets: the daily
// digest, every kind.
var DefaultReminderPrefs = ReminderPrefs{Digest: true}

// Wants reports whether the prefs let a reminder of kind k through.
func (p ReminderPrefs) Wants(k ReminderKind) bool { return p.Digest && !slices.Contains(p.Off, k) }

// Validate reports every problem with p.
func (p ReminderPrefs) Validate() []Problem {
	var ps []Problem
	for i, k := range p.Off {
		if !k.Valid() {
			ps = append(ps, Problem{Pointer: fmt.Sprintf("/off/%d", i), Message: fmt.Sprintf("%q is not a kind of reminder", k)})
		}
	}
	return ps
}

// WebhookFormat is the shape of the body a webhook is sent.
type WebhookFormat string

// The webhook formats: Slack's and Microsoft Teams' incoming webhooks,
// and Remit's own JSON.
const (
	WebhookSlack WebhookFormat = "slack"
	WebhookTeams WebhookFormat = "teams"
	WebhookJSON  WebhookFormat = "json"
)

// Webhook is somewhere every reminder is posted, signed.
type Webhook struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	URL    string        `json:"url"`
	Format WebhookFormat `json:"format"`
	// Secret signs each body (X-Remit-Signature: sha256=HMAC).
	Secret  string    `json:"secret,omitempty"`
	Created time.Time `json:"created"`
}

// Validate reports every problem with w.
func (w Webhook) Validate() []Problem {
	var ps []Problem
	if strings.TrimSpace(w.Name) == "" || len(w.Name) > MaxName {
		ps = append(ps, Problem{Pointer: "/name", Message: "name is required (at most 300 characters): say where it posts, such as \"#security-alerts\""})
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(w.URL) > 2000 {
		ps = append(ps, Problem{Pointer: "/url", Message: fmt.Sprintf("url %q is not a web address: give the webhook's full https:// address", w.URL)})
	}
	if w.Format != WebhookSlack && w.Format != WebhookTeams && w.Format != WebhookJSON {
		ps = append(ps, Problem{Pointer: "/format", Message: fmt.Sprintf("format %q is not known: use slack, teams or json", w.Format)})
	}
	return ps
}

// Sign is the signature of body under secret, as the X-Remit-Signature
// header carries it: "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Delivery is one reminder on its way to one place: an account's email
// digest or a webhook. Its id (the reminder's key and where it goes) is
// made once, so nothing is sent twice.
type Delivery struct {
	ID       string    `json:"id"`
	Reminder Reminder  `json:"reminder"`
	Channel  string    `json:"channel" enum:"email,webhook"`
	To       string    `json:"to" doc:"The email address, or the webhook's id"`
	Status   string    `json:"status" enum:"pending,sent,failed"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error,omitempty"`
	Created  time.Time `json:"created"`
	Sent     time.Time `json:"sent,omitzero"`
}

// The delivery states.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)
