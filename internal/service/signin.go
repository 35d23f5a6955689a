package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// Sign-in throttling. Failed sign-ins slow further attempts down rather
// than lock anyone out, and the counts live in the database, so every
// server sharing it applies the same limits:
//
//   - one account from one address: 5 attempts free, then a delay that
//     doubles with each failure, from 1 second up to 15 minutes;
//   - one address, whatever account: 20 attempts free, then the same
//     doubling up to 15 minutes (one address guessing many accounts);
//   - one account, from any address: 20 attempts free, then a doubling
//     delay of at most 1 minute — enough to make guessing from many
//     addresses slow, never enough to lock the account's owner out.
//
// Counts are forgotten an hour after the last failure; a correct password
// clears its account's and its pair's.
type throttleRule struct {
	prefix string
	free   int
	most   time.Duration
}

var (
	pairRule    = throttleRule{"pair:", 5, 15 * time.Minute}
	addressRule = throttleRule{"address:", 20, 15 * time.Minute}
	accountRule = throttleRule{"account:", 20, time.Minute}
)

// throttleWindow is how long a failure is remembered.
const throttleWindow = time.Hour

// throttle is one key's count of failed sign-ins.
type throttle struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"last"`
	Until    time.Time `json:"until"`
}

var throttles = collection[throttle]{kind: KindSignInThrottle, what: "sign-in throttle"}

// ThrottledError is a sign-in refused, before the password is checked,
// because too many failed: try again after RetryAfter.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins for this account or from this address: try again in %s", e.RetryAfter.Round(time.Second))
}

// delay is how long a key with n failures waits before the next attempt:
// nothing for the first free failures, then 1 second, doubling with each
// failure up to the rule's most.
func (r throttleRule) delay(n int) time.Duration {
	if n < r.free {
		return 0
	}
	d := time.Second << min(n-r.free, 20)
	return min(d, r.most)
}

// throttleKeys are the ids of the three counts an attempt touches (the
// email and address hashed: the store never holds who tried what).
func throttleKeys(email, addr string) map[throttleRule]string {
	h := func(parts ...string) string {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return hex.EncodeToString(sum[:16])
	}
	email = strings.ToLower(email)
	return map[throttleRule]string{pairRule: pairRule.prefix + h(email, addr), addressRule: addressRule.prefix + h(addr), accountRule: accountRule.prefix + h(email)}
}

// reserve counts an attempt against every key before the password is
// checked, so parallel guesses cannot slip past the limits; an attempt
// that must wait is refused and counts nothing.
func (s *Service) reserve(ctx context.Context, keys map[throttleRule]string, now time.Time) error {
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		held := map[throttleRule]throttle{}
		versions := map[throttleRule]int64{}
		var wait time.Duration
		for rule, id := range keys {
			t, d, err := throttles.find(ctx, tx, id)
			if err != nil && !errors.Is(err, remit.ErrNotFound) {
				return nil, err
			}
			if now.Sub(t.Last) > throttleWindow {
				t = throttle{}
			}
			if now.Before(t.Until) {
				wait = max(wait, t.Until.Sub(now))
			}
			held[rule], versions[rule] = t, d.Version
		}
		if wait > 0 {
			return nil, &ThrottledError{RetryAfter: wait}
		}
		for rule, id := range keys {
			t := held[rule]
			t.Failures++
			t.Last, t.Until = now.UTC(), now.Add(rule.delay(t.Failures)).UTC()
			if err := putQuietly(ctx, tx, id, t, versions[rule], now); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

// putQuietly writes a throttle count, with no audit record: a count is
// not a change to anything (the sign-in's own record is).
func putQuietly(ctx context.Context, tx remit.Tx, id string, t throttle, version int64, now time.Time) error {
	body, err := encode(t)
	if err != nil {
		return err
	}
	if version == 0 {
		_, err = tx.CreateDocument(ctx, KindSignInThrottle, id, body, now)
	} else {
		_, err = tx.UpdateDocument(ctx, KindSignInThrottle, id, body, version, now)
	}
	return err
}

// signedIn clears the counts a correct password proves were the owner's
// (the pair's and the account's) and takes back the address's attempt.
func signedIn(ctx context.Context, tx remit.Tx, keys map[throttleRule]string, now time.Time) error {
	for rule, id := range keys {
		t, d, err := throttles.find(ctx, tx, id)
		if errors.Is(err, remit.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if rule == addressRule {
			t.Failures = max(0, t.Failures-1)
			t.Until = t.Last.Add(rule.delay(t.Failures))
			if err := putQuietly(ctx, tx, id, t, d.Version, now); err != nil {
				return err
			}
			continue
		}
		if err := tx.DeleteDocument(ctx, KindSignInThrottle, id, d.Version); err != nil {
			return err
		}
	}
	return nil
}

// signInRecord is what the audit trail keeps of a sign-in, a failed one
// or a sign-out: from where (never the password nor the secret).
type signInRecord struct {
	Address string `json:"address,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Session is the id of the session a sign-in opened (the hash of its
	// secret, as the store keeps it), so every session can be traced to
	// the sign-in that opened it.
	Session string `json:"session,omitempty"`
	// SSO is the identity provider that vouched for a single sign-on.
	SSO string `json:"sso,omitempty"`
}

// auditSignIn appends the record of a sign-in event for email.
func auditSignIn(ctx context.Context, tx remit.Tx, action, email, addr, reason string, now time.Time) error {
	return auditSignInRecord(ctx, tx, action, email, signInRecord{Address: addr, Reason: reason}, now)
}

func auditSignInRecord(ctx context.Context, tx remit.Tx, action, email string, rec signInRecord, now time.Time) error {
	body, err := encode(rec)
	if err != nil {
		return err
	}
	email = strings.ToLower(email)
	if len(email) > 254 {
		email = email[:254]
	}
	return appendAudit(ctx, tx, change{actor: email, now: now}, action, KindUser, email, nil, body)
}

// SignIn checks a password, within the throttling limits, and opens a
// session for ttl, returning its secret (the store keeps only its hash).
// addr is where the attempt comes from. Every sign-in and every failed one
// is in the audit trail.
func (s *Service) SignIn(ctx context.Context, email, password, addr string, ttl time.Duration) (string, accounts.User, error) {
	now := s.now()
	keys := throttleKeys(email, addr)
	if err := s.reserve(ctx, keys, now); err != nil {
		var te *ThrottledError
		if errors.As(err, &te) {
			_ = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
				return nil, auditSignIn(ctx, tx, "sign-in-refused", email, addr, "throttled", now)
			})
		}
		return "", accounts.User{}, err
	}
	u, err := s.checkPassword(ctx, email, password)
	if err != nil {
		if errors.Is(err, accounts.ErrBadCredentials) {
			if werr := s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
				return nil, auditSignIn(ctx, tx, "sign-in-failed", email, addr, "", now)
			}); werr != nil {
				return "", accounts.User{}, werr
			}
		}
		return "", accounts.User{}, err
	}
	secret := accounts.NewSecret()
	err = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		if err := signedIn(ctx, tx, keys, now); err != nil {
			return nil, err
		}
		id := accounts.HashSecret(secret)
		if _, err := sessions.createQuietly(ctx, tx, id, accounts.Session{Email: u.Email, Expires: now.Add(ttl).UTC()}, now); err != nil {
			return nil, err
		}
		return nil, auditSignInRecord(ctx, tx, "sign-in", u.Email, signInRecord{Address: addr, Session: id}, now)
	})
	if err != nil {
		return "", accounts.User{}, fmt.Errorf("sign in: %w", err)
	}
	return secret, u, nil
}

// checkPassword finds the account and checks its password, spending the
// same time whether or not the account exists or is disabled.
func (s *Service) checkPassword(ctx context.Context, email, password string) (accounts.User, error) {
	r, _, err := users.get(ctx, s.store, strings.ToLower(email))
	if errors.Is(err, remit.ErrNotFound) {
		accounts.CheckAbsent(password)
		return accounts.User{}, accounts.ErrBadCredentials
	}
	if err != nil {
		return accounts.User{}, err
	}
	if r.PasswordHash == "" { // an account made by single sign-on
		accounts.CheckAbsent(password)
		return accounts.User{}, accounts.ErrBadCredentials
	}
	// The password first, always: a disabled account must take as long
	// to refuse as a wrong password.
	if !accounts.CheckPassword(r.PasswordHash, password) || r.Disabled {
		return accounts.User{}, accounts.ErrBadCredentials
	}
	return r.User, nil
}

// SignOut ends a session, with an audit record.
func (s *Service) SignOut(ctx context.Context, secret, addr string) error {
	now := s.now()
	return s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		sess, d, err := sessions.find(ctx, tx, accounts.HashSecret(secret))
		if errors.Is(err, remit.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if err := tx.DeleteDocument(ctx, KindSession, d.ID, d.Version); err != nil {
			return nil, err
		}
		return nil, auditSignIn(ctx, tx, "sign-out", sess.Email, addr, "", now)
	})
}

// PurgeExpired deletes sessions past their expiry and sign-in counts
// idle for longer than they are remembered. It returns how many went.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := s.store.Write(ctx, func(tx remit.Tx) error {
		var err error
		n, err = deleteSessions(ctx, tx, func(sess accounts.Session) bool { return now.After(sess.Expires) })
		if err != nil {
			return err
		}
		all, err := tx.Documents(ctx, KindSignInThrottle, "")
		if err != nil {
			return err
		}
		for _, d := range all {
			t, err := throttles.decode(d)
			if err != nil {
				return err
			}
			if now.Sub(t.Last) > throttleWindow && !now.Before(t.Until) {
				if err := tx.DeleteDocument(ctx, KindSignInThrottle, d.ID, d.Version); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// Sweep is the background work the server does every hour (and remit
// assess sweep does at once): record evidence that has lapsed, purge
// expired sessions and idle sign-in counts, and keep the day's snapshots
// of the scorecards and the risk register.
func (s *Service) Sweep(ctx context.Context) (lapses []remit.Lapse, purged int, err error) {
	if lapses, err = s.SweepExpiry(ctx); err != nil {
		return nil, 0, err
	}
	if purged, err = s.PurgeExpired(ctx); err != nil {
		return lapses, 0, err
	}
	return lapses, purged, s.KeepTrends(ctx, s.now())
}

// SignInSSO signs in someone an identity provider has vouched for (its ID
// token verified): their groups are mapped to a role and teams, the
// account is made on their first sign-in and brought in line with the
// mapping at every later one (each change audited), and a session is
// opened for ttl. A disabled account, or one none of whose groups maps to
// a role, is refused (and the refusal audited). The last admin keeps the
// admin role even if the provider's groups would take it away, so that
// someone can always manage Remit.
func (s *Service) SignInSSO(ctx context.Context, id accounts.Identity, m accounts.ClaimMapping, addr string, ttl time.Duration) (string, accounts.User, error) {
	now := s.now()
	role, teams, err := m.Apply(id.Groups)
	if err != nil {
		_ = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
			return nil, auditSignIn(ctx, tx, "sign-in-refused", id.Email, addr, "no role for the groups "+strings.Join(id.Groups, ", "), now)
		})
		return "", accounts.User{}, fmt.Errorf("%w: ask an admin to map one of your groups to a role: %w", err, remit.ErrForbidden)
	}
	secret := accounts.NewSecret()
	var u accounts.User
	disabled := false
	err = s.write(ctx, func(tx remit.Tx, _ *Snapshot) (func(*Snapshot) error, error) {
		who := change{id.Email, now}
		r, d, err := users.find(ctx, tx, id.Email)
		switch {
		case errors.Is(err, remit.ErrNotFound):
			r = accounts.Record{User: accounts.User{Email: id.Email, Name: id.Name, Role: role, Teams: teams, Created: now.UTC(), SSO: id.Issuer}}
			if _, err := users.create(ctx, tx, who, id.Email, r); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, err
		case r.Disabled:
			disabled = true // the refusal is recorded: the write commits
			return nil, auditSignIn(ctx, tx, "sign-in-refused", id.Email, addr, "disabled", now)
		default:
			next := r
			next.Role, next.Teams, next.SSO = role, teams, id.Issuer
			if id.Name != "" {
				next.Name = id.Name
			}
			if r.Role == remit.RoleAdmin && role != remit.RoleAdmin {
				if last, err := lastAdmin(ctx, tx, r.Email); err != nil {
					return nil, err
				} else if last {
					next.Role = remit.RoleAdmin
				}
			}
			if !sameAccount(r.User, next.User) {
				if _, _, err := users.update(ctx, tx, who, id.Email, next, d.Version); err != nil {
					return nil, err
				}
			}
			r = next
		}
		u = r.User
		sid := accounts.HashSecret(secret)
		if _, err := sessions.createQuietly(ctx, tx, sid, accounts.Session{Email: u.Email, Expires: now.Add(ttl).UTC()}, now); err != nil {
			return nil, err
		}
		return nil, auditSignInRecord(ctx, tx, "sign-in", u.Email, signInRecord{Address: addr, Session: sid, SSO: id.Issuer}, now)
	})
	if err != nil {
		return "", accounts.User{}, fmt.Errorf("sign in: %w", err)
	}
	if disabled {
		return "", accounts.User{}, fmt.Errorf("your account is disabled: ask an admin: %w", remit.ErrForbidden)
	}
	return secret, u, nil
}

// sameAccount reports whether two accounts show the same.
func sameAccount(a, b accounts.User) bool {
	return a.Name == b.Name && a.Role == b.Role && slices.Equal(a.Teams, b.Teams) && a.SSO == b.SSO && a.Disabled == b.Disabled
}

// lastAdmin reports whether email is the only enabled admin.
func lastAdmin(ctx context.Context, tx remit.Tx, email string) (bool, error) {
	all, err := users.list(ctx, tx, "")
	if err != nil {
		return false, err
	}
	for _, r := range all {
		if r.Email != email && r.Role == remit.RoleAdmin && !r.Disabled {
			return false, nil
		}
	}
	return true, nil
}
