// Package notify sends what Remit has to tell people: daily digests by
// email (SMTP) and signed webhooks shaped for Slack's and Microsoft
// Teams' incoming webhooks, or as Remit's own JSON.
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"remit/internal/remit"
)

// SMTP sends mail through one server.
type SMTP struct {
	// Addr is host:port.
	Addr string
	// From is the sender's address.
	From string
	// Username and Password authenticate (PLAIN, only over TLS) when set.
	Username, Password string
	// Timeout bounds one message (30 s unless set).
	Timeout time.Duration
}

// Send sends one message to the addresses given: STARTTLS when the server
// offers it, authentication when a username is set.
func (m SMTP) Send(ctx context.Context, to []string, subject, body string) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp %s: starttls: %w", m.Addr, err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("smtp %s: auth: %w", m.Addr, err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return fmt.Errorf("smtp %s: from %s: %w", m.Addr, m.From, err)
	}
	for _, t := range to {
		if err := c.Rcpt(t); err != nil {
			return fmt.Errorf("smtp %s: to %s: %w", m.Addr, t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	if _, err := w.Write(Message(m.From, to, subject, body, time.Now())); err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	return c.Quit()
}

// Message is an RFC 5322 message of plain text, quoted-printable, with the
// subject encoded when it is not ASCII.
func Message(from string, to []string, subject, body string, at time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n",
		from, strings.Join(to, ", "), mime.QEncoding.Encode("utf-8", subject), at.UTC().Format(time.RFC1123Z))
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

// Digest is the subject and body of one person's email: the reminders,
// kind by kind, each with its link (base is Remit's public address).
func Digest(rs []remit.Reminder, base string) (subject, body string) {
	subject = fmt.Sprintf("Remit: %d %s for you", len(rs), plural(len(rs), "reminder", "reminders"))
	var b strings.Builder
	b.WriteString("What Remit found that is yours to act on:\n")
	for _, k := range remit.ReminderKinds {
		first := true
		for _, r := range rs {
			if r.Kind != k.Kind {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", k.Says)
				first = false
			}
			fmt.Fprintf(&b, "- %s: %s\n  %s%s\n", r.Title, r.Detail, strings.TrimRight(base, "/"), r.Path)
		}
	}
	b.WriteString("\nChange which reminders you get at " + strings.TrimRight(base, "/") + "/reminders\n")
	return subject, b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Payload is the body a webhook of format f is sent for r: Slack's
// incoming webhooks take {"text": …} with mrkdwn links; Teams' take a
// MessageCard; json is the reminder itself.
func Payload(f remit.WebhookFormat, r remit.Reminder, base string) ([]byte, error) {
	link := strings.TrimRight(base, "/") + r.Path
	switch f {
	case remit.WebhookSlack:
		return json.Marshal(map[string]string{"text": fmt.Sprintf("*%s*: <%s|%s>\n%s", says(r.Kind), link, slackEscape(r.Title), slackEscape(r.Detail))})
	case remit.WebhookTeams:
		return json.Marshal(map[string]any{
			"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": r.Title, "themeColor": "1D70B8",
			"title": says(r.Kind) + ": " + r.Title, "text": r.Detail,
			"potentialAction": []any{map[string]any{"@type": "OpenUri", "name": "Open in Remit", "targets": []any{map[string]string{"os": "default", "uri": link}}}},
		})
	default:
		return json.Marshal(struct {
			remit.Reminder
			URL string `json:"url"`
		}{r, link})
	}
}

func says(k remit.ReminderKind) string {
	for _, x := range remit.ReminderKinds {
		if x.Kind == k {
			return x.Says
		}
	}
	return string(k)
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Post sends body to a webhook, signed with its secret: X-Remit-Signature
// is sha256= and the HMAC-SHA256 of the body, X-Remit-Delivery the
// delivery's id. Anything but a 2xx answer is an error (to retry).
func Post(ctx context.Context, client *http.Client, w remit.Webhook, delivery string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Remit")
	req.Header.Set("X-Remit-Delivery", delivery)
	if w.Secret != "" {
		req.Header.Set("X-Remit-Signature", remit.Sign(w.Secret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.Name, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %s: %s", w.Name, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
