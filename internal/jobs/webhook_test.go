package jobs

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// TestWebhooksRetriedByRiver: the sweep finds a reminder and queues a
// River job to post it; the webhook answers 503 twice, River tries again
// after each, and the third post is taken: the delivery is sent, after
// three attempts, and nothing is posted twice. On SQLite, and PostgreSQL
// when REMIT_TEST_POSTGRES_URL is set.
func TestWebhooksRetriedByRiver(t *testing.T) {
	for name, database := range databases(t, "remit_webhooks") {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
			svc := openService(t, name, database, func() time.Time { return now })
			admin := remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}
			if _, err := svc.AddUser(ctx, admin, accounts.User{Email: "rita@example.gov.uk", Role: remit.RoleRiskOwner}, "correct horse battery"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddRisk(ctx, admin, remit.Risk{Title: "Single region", Category: "operational", Inherent: remit.Score{Likelihood: 2, Impact: 3},
				Residual: remit.Score{Likelihood: 2, Impact: 3}, Owner: "rita@example.gov.uk", Review: "2026-11-01"}); err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int32
			taken := make(chan []byte, 4)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if calls.Add(1) <= 2 {
					http.Error(w, "busy", http.StatusServiceUnavailable)
					return
				}
				taken <- body
			}))
			defer hook.Close()
			wh, err := svc.AddWebhook(ctx, admin, remit.Webhook{Name: "chat", URL: hook.URL, Format: remit.WebhookTeams})
			if err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Timeout: 5 * time.Second}
			r, err := Start(ctx, Config{Database: database, Every: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Sweep: func(ctx context.Context) error {
					_, err := svc.Remind(ctx, now)
					return err
				},
				Webhooks: func(ctx context.Context) ([]string, error) { return svc.PendingWebhooks(ctx, now) },
				Deliver: func(ctx context.Context, id string) error {
					return svc.DeliverWebhook(ctx, client, id, "https://remit.example.gov.uk")
				},
				RetryAfter: func(int) time.Duration { return 200 * time.Millisecond },
			})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				_ = r.Stop(stopCtx)
			}()
			var body []byte
			select {
			case body = <-taken:
			case <-time.After(30 * time.Second):
				t.Fatalf("no post was taken within 30 s (%d calls)", calls.Load())
			}
			if !strings.Contains(string(body), `"@type":"MessageCard"`) || !strings.Contains(string(body), "https://remit.example.gov.uk/risks/ri-") {
				t.Errorf("the Teams card: %s", body)
			}
			// Let River settle the job, then look at the outbox.
			deadline := time.Now().Add(10 * time.Second)
			for {
				box, err := svc.Outbox(ctx, admin)
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(box, func(d remit.Delivery) bool { return d.Channel == "webhook" })
				if i >= 0 && box[i].Status == remit.DeliverySent {
					if box[i].Attempts != 3 || box[i].Reminder.Kind != remit.RemindReviewOverdue || box[i].To != wh.ID {
						t.Errorf("the delivery: %+v", box[i])
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the outbox: %+v", box)
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond)
			if n := calls.Load(); n != 3 {
				t.Errorf("%d posts, want 3 (two refused, one taken)", n)
			}
		})
	}
}
