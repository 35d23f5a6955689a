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
	"net/mail"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// User is an account.
type User struct {
	Email        string    `json:"email"`
	Name         string    `json:"name,omitempty"`
	Role         Role      `json:"role"`
	Teams        []string  `json:"teams,omitempty"`
	PasswordHash string    `json:"password_hash,omitempty"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
}

// Principal is the user as an actor.
func (u User) Principal() Principal {
	return Principal{Email: u.Email, Name: u.Name, Role: u.Role, Teams: u.Teams}
}

// argon2id parameters: the OWASP minimum for argon2id (19 MiB, two passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an encoded hash.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// AddUser creates an account. The password must be at least 12
// characters; the email is stored lower-cased.
func AddUser(ctx context.Context, s Store, u User, password, actor string, now time.Time) (User, error) {
	var ps []Problem
	addr, err := mail.ParseAddress(u.Email)
	if err != nil || addr.Address != u.Email {
		ps = append(ps, Problem{Pointer: "/email", Message: fmt.Sprintf("email %q is not an address: write it as name@example.gov.uk", u.Email)})
	}
	if !u.Role.Valid() {
		ps = append(ps, Problem{Pointer: "/role", Message: fmt.Sprintf("role %q is not known: use one of %s", u.Role, joinQuoted(stringsOf(Roles)))})
	}
	if len(password) < 12 {
		ps = append(ps, Problem{Pointer: "/password", Message: "password is too short: use at least 12 characters"})
	}
	if len(ps) > 0 {
		return User{}, &ValidationError{Problems: ps}
	}
	u.Email = strings.ToLower(u.Email)
	if u.PasswordHash, err = HashPassword(password); err != nil {
		return User{}, err
	}
	u.Created = now.UTC()
	body := mustJSON(u)
	err = s.Write(ctx, func(tx Tx) error {
		if _, err := tx.CreateDocument(ctx, KindUser, u.Email, body, now); err != nil {
			return err
		}
		redacted := u
		redacted.PasswordHash = ""
		return appendAudit(ctx, tx, actor, "create", KindUser, u.Email, nil, mustJSON(redacted), now)
	})
	if err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return u, nil
}

// FindUser reads one account.
func FindUser(ctx context.Context, tx Tx, email string) (User, error) {
	d, err := tx.FindDocument(ctx, KindUser, strings.ToLower(email))
	if err != nil {
		return User{}, err
	}
	var u User
	if err := json.Unmarshal(d.Body, &u); err != nil {
		return User{}, fmt.Errorf("read user %s: %w", email, err)
	}
	return u, nil
}

// FindUserByEmail reads one account in a transaction of its own.
func FindUserByEmail(ctx context.Context, s Store, email string) (User, error) {
	var u User
	err := s.Read(ctx, func(tx Tx) error {
		var err error
		u, err = FindUser(ctx, tx, email)
		return err
	})
	return u, err
}

// ErrBadCredentials means the email or password (or token) is wrong. It
// never says which.
var ErrBadCredentials = errors.New("the email address or password is not right")

// SignIn checks a password and opens a session, returning its secret
// token (the store keeps only its hash).
func SignIn(ctx context.Context, s Store, email, password string, ttl time.Duration, now time.Time) (string, User, error) {
	u, err := FindUserByEmail(ctx, s, email)
	if errors.Is(err, ErrNotFound) {
		CheckPassword(dummyHash, password) // spend the same time as for a real account
		return "", User{}, ErrBadCredentials
	}
	if err != nil {
		return "", User{}, err
	}
	// The password first, always: a disabled account must take as long
	// to refuse as a wrong password.
	if !CheckPassword(u.PasswordHash, password) || u.Disabled {
		return "", User{}, ErrBadCredentials
	}
	secret := randomToken()
	sess := session{Email: u.Email, Expires: now.Add(ttl).UTC()}
	err = s.Write(ctx, func(tx Tx) error {
		_, err := tx.CreateDocument(ctx, KindSession, hashToken(secret), mustJSON(sess), now)
		return err
	})
	if err != nil {
		return "", User{}, fmt.Errorf("sign in: %w", err)
	}
	return secret, u, nil
}

// dummyHash is checked against when an account does not exist.
var dummyHash, _ = HashPassword("not a real password")

type session struct {
	Email   string    `json:"email"`
	Expires time.Time `json:"expires"`
}

// SignOut ends a session.
func SignOut(ctx context.Context, s Store, secret string) error {
	return s.Write(ctx, func(tx Tx) error {
		d, err := tx.FindDocument(ctx, KindSession, hashToken(secret))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.DeleteDocument(ctx, KindSession, d.ID, d.Version)
	})
}

// Authenticate finds who a session secret or an API token belongs to.
// API tokens look like remit_<id>_<secret>.
func Authenticate(ctx context.Context, s Store, credential string, now time.Time) (Principal, error) {
	var p Principal
	err := s.Read(ctx, func(tx Tx) error {
		if id, secret, ok := splitToken(credential); ok {
			d, err := tx.FindDocument(ctx, KindToken, id)
			if err != nil {
				return err
			}
			var t Token
			if err := json.Unmarshal(d.Body, &t); err != nil {
				return err
			}
			if t.Revoked || now.After(t.Expires) || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hashToken(secret))) != 1 {
				return ErrBadCredentials
			}
			u, err := FindUser(ctx, tx, t.Email)
			if err != nil || u.Disabled {
				return ErrBadCredentials
			}
			p = u.Principal()
			// A token carries at most its user's role as it is now: if the
			// user's role has changed since, the token only reads.
			if t.Role != u.Role {
				p.Role = RoleViewer
			}
			p.Token = true
			return nil
		}
		d, err := tx.FindDocument(ctx, KindSession, hashToken(credential))
		if err != nil {
			return err
		}
		var sess session
		if err := json.Unmarshal(d.Body, &sess); err != nil {
			return err
		}
		if now.After(sess.Expires) {
			return ErrBadCredentials
		}
		u, err := FindUser(ctx, tx, sess.Email)
		if err != nil || u.Disabled {
			return ErrBadCredentials
		}
		p = u.Principal()
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrBadCredentials
	}
	return p, err
}

// Token is an API token: named, expiring, revocable, carrying at most its
// user's role. Only a hash of its secret is kept.
type Token struct {
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	Hash    string    `json:"hash,omitempty"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Revoked bool      `json:"revoked,omitempty"`
}

// CreateToken makes a token for p, returning it with its secret, which is
// shown once. role must be p's own role or viewer.
func CreateToken(ctx context.Context, s Store, p Principal, name string, role Role, ttl time.Duration, now time.Time) (Token, string, error) {
	if p.Token {
		// Else a leaked short-lived token could mint a long-lived one.
		return Token{}, "", fmt.Errorf("tokens are created from a signed-in session, not with another token: %w", ErrForbidden)
	}
	var ps []Problem
	if strings.TrimSpace(name) == "" {
		ps = append(ps, Problem{Pointer: "/name", Message: "name is required: say what the token is for"})
	}
	if role != p.Role && role != RoleViewer {
		ps = append(ps, Problem{Pointer: "/role", Message: fmt.Sprintf("a token carries at most its user's role: use %q or %q", p.Role, RoleViewer)})
	}
	if ttl <= 0 || ttl > 366*24*time.Hour {
		ps = append(ps, Problem{Pointer: "/expires_in_days", Message: "a token lives between 1 and 366 days"})
	}
	if len(ps) > 0 {
		return Token{}, "", &ValidationError{Problems: ps}
	}
	id, secret := randomToken()[:16], randomToken()
	t := Token{ID: id, Email: p.Email, Name: name, Role: role, Hash: hashToken(secret), Created: now.UTC(), Expires: now.Add(ttl).UTC()}
	err := s.Write(ctx, func(tx Tx) error {
		if _, err := tx.CreateDocument(ctx, KindToken, id, mustJSON(t), now); err != nil {
			return err
		}
		shown := t
		shown.Hash = ""
		return appendAudit(ctx, tx, p.Email, "create", KindToken, id, nil, mustJSON(shown), now)
	})
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	t.Hash = ""
	return t, "remit_" + id + "_" + secret, nil
}

// RevokeToken revokes a token; only its owner or an admin may.
func RevokeToken(ctx context.Context, s Store, p Principal, id string, now time.Time) error {
	return s.Write(ctx, func(tx Tx) error {
		d, err := tx.FindDocument(ctx, KindToken, id)
		if err != nil {
			return err
		}
		var t Token
		if err := json.Unmarshal(d.Body, &t); err != nil {
			return err
		}
		if t.Email != p.Email && !p.May(ActAdmin, "") {
			return fmt.Errorf("token %s belongs to someone else: %w", id, ErrForbidden)
		}
		t.Revoked = true
		body := mustJSON(t)
		if _, err := tx.UpdateDocument(ctx, KindToken, id, body, d.Version, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, p.Email, "update", KindToken, id, nil, []byte(`{"revoked":true}`), now)
	})
}

func splitToken(s string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(s, "remit_")
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "_")
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("remit: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(b), "_", "-")
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// readAll decodes every document of a kind.
func readAll[T any](ctx context.Context, s Store, kind Kind) ([]T, error) {
	var out []T
	err := s.Read(ctx, func(tx Tx) error {
		docs, err := tx.Documents(ctx, kind, "")
		if err != nil {
			return err
		}
		out = make([]T, len(docs))
		for i, d := range docs {
			if err := json.Unmarshal(d.Body, &out[i]); err != nil {
				return fmt.Errorf("read %s %s: %w", kind, d.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// Users lists every account, without password hashes, by email.
func Users(ctx context.Context, s Store) ([]User, error) {
	users, err := readAll[User](ctx, s, KindUser)
	for i := range users {
		users[i].PasswordHash = ""
	}
	return users, err
}

// Tokens lists one user's API tokens, without their hashes.
func Tokens(ctx context.Context, s Store, email string) ([]Token, error) {
	all, err := readAll[Token](ctx, s, KindToken)
	var out []Token
	for _, t := range all {
		if t.Email == email {
			t.Hash = ""
			out = append(out, t)
		}
	}
	return out, err
}
