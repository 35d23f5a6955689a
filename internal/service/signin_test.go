package service_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// TestSignInThrottling: failed sign-ins slow the next attempts down, by
// account and address together, by address and (more gently) by account
// alone; the owner signing in from elsewhere is never locked out; two
// services on one database count together; every sign-in, failure and
// sign-out is in the audit trail; expired sessions are purged.
func TestSignInThrottling(t *testing.T) {
	for name, pair := range twoStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := open(t, pair[0], nil, nil)
			b := open(t, pair[1], nil, nil)
			a.addUsers(t, admin)
			b.svc.Refresh(ctx)
			const good = "correct horse battery"
			signIn := func(f *fixture, addr, password string) error {
				_, _, err := f.svc.SignIn(ctx, admin.Email, password, addr, time.Hour)
				return err
			}
			// Five wrong passwords from one address, on two servers.
			for i := range 5 {
				f := []*fixture{a, b}[i%2]
				if err := signIn(f, "203.0.113.9", fmt.Sprint("guess ", i)); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("guess %d: %v", i, err)
				}
			}
			// The next from that address waits, even with the right
			// password, on either server.
			var te *service.ThrottledError
			if err := signIn(b, "203.0.113.9", good); !errors.As(err, &te) || te.RetryAfter != time.Second {
				t.Errorf("a sixth attempt from the same address: %v, want a 1 s wait", err)
			}
			// The owner, from their own address, is not locked out.
			if err := signIn(a, "198.51.100.7", good); err != nil {
				t.Errorf("the owner from another address: %v", err)
			}
			// A second later the address may try again.
			a.clock.Set(a.clock.Now().Add(time.Second))
			if err := signIn(a, "203.0.113.9", good); err != nil {
				t.Errorf("after the wait: %v", err)
			}
			// Guesses from twenty addresses slow the account down, by a
			// minute at most: never a lockout.
			for i := range 20 {
				if err := signIn(a, fmt.Sprintf("192.0.2.%d", i), "guess"); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("spread guess %d: %v", i, err)
				}
			}
			if err := signIn(a, "192.0.2.200", good); !errors.As(err, &te) || te.RetryAfter > time.Minute {
				t.Errorf("after 20 guesses from 20 addresses: %v, want a wait of at most a minute", err)
			}
			a.clock.Set(a.clock.Now().Add(time.Minute))
			secret, _, err := a.svc.SignIn(ctx, admin.Email, good, "192.0.2.200", time.Hour)
			if err != nil {
				t.Fatalf("a minute later: %v", err)
			}
			if err := a.svc.SignOut(ctx, secret, "192.0.2.200"); err != nil {
				t.Fatal(err)
			}
			recs, err := a.svc.Audit(ctx, remit.AuditFilter{Kind: service.KindUser, ID: admin.Email})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, r := range recs {
				count[r.Action]++
			}
			if count["sign-in-failed"] != 25 || count["sign-in"] != 3 || count["sign-out"] != 1 || count["sign-in-refused"] != 2 {
				t.Errorf("audit of sign-ins: %v", count)
			}
			// A session past its expiry is purged.
			if _, _, err := a.svc.SignIn(ctx, admin.Email, good, "192.0.2.200", time.Minute); err != nil {
				t.Fatal(err)
			}
			a.clock.Set(a.clock.Now().Add(2 * time.Hour))
			n, err := a.svc.PurgeExpired(ctx)
			if err != nil || n < 2 {
				t.Errorf("purged %d (%v), want the expired sessions and the idle counts", n, err)
			}
		})
	}
}
