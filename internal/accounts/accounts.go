// Package accounts holds what signing in needs and the vocabulary must not
// carry: password hashing (argon2id), the secrets of sessions and API
// tokens, and the stored forms of accounts, sessions and tokens, kept apart
// from the forms shown to anyone so that a hash cannot leave by accident.
// It does no I/O but for the OpenID Connect relying party (oidc.go), which
// talks to the identity provider: the service stores what it makes.
package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"remit/internal/remit"
)

// ErrBadCredentials means the email or password (or token) is wrong. It
// never says which.
var ErrBadCredentials = errors.New("the email address or password is not right")

// User is an account as shown: never with its password hash.
type User struct {
	Email    string     `json:"email"`
	Name     string     `json:"name,omitempty"`
	Role     remit.Role `json:"role"`
	Teams    []string   `json:"teams,omitempty"`
	Disabled bool       `json:"disabled,omitempty"`
	Created  time.Time  `json:"created"`
	// SSO is the identity provider (its issuer) the account was made by
	// or last signed in with; its role and teams follow the provider's
	// groups at every sign-in.
	SSO string `json:"sso,omitempty"`
}

// Principal is the user as an actor.
func (u User) Principal() remit.Principal {
	return remit.Principal{Email: u.Email, Name: u.Name, Role: u.Role, Teams: u.Teams}
}

// Record is an account as stored: the user and its password hash.
type Record struct {
	User
	PasswordHash string `json:"password_hash,omitempty"`
}

// Session is a signed-in browser or client, stored under the hash of its
// secret.
type Session struct {
	Email   string    `json:"email"`
	Expires time.Time `json:"expires"`
}

// Token is an API token as shown: named, expiring, revocable, carrying at
// most its user's role; never with the hash of its secret.
type Token struct {
	ID      string     `json:"id"`
	Email   string     `json:"email"`
	Name    string     `json:"name"`
	Role    remit.Role `json:"role"`
	Created time.Time  `json:"created"`
	Expires time.Time  `json:"expires"`
	Revoked bool       `json:"revoked,omitempty"`
	// Scope narrows what the token may do (remit.ScopeChecks: only hand
	// in check results); "" is its role's whole reach.
	Scope string `json:"scope,omitempty"`
}

// TokenRecord is an API token as stored: the token and its secret's hash.
type TokenRecord struct {
	Token
	Hash string `json:"hash,omitempty"`
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

// dummyHash is checked against when an account does not exist, so that
// refusing an unknown email takes as long as a wrong password. It is made
// on first use: a command that never signs anyone in never pays for it.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not a real password")
	if err != nil {
		panic("accounts: " + err.Error()) // crypto/rand does not fail on Linux
	}
	return h
})

// CheckAbsent spends the time checking a password takes, for an account
// that does not exist.
func CheckAbsent(password string) { CheckPassword(dummyHash(), password) }

// NewSecret returns 24 random bytes, URL-safe, with no underscore (which
// separates a token's parts).
func NewSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("accounts: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(b), "_", "-")
}

// HashSecret is how a session's or token's secret is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SameHash compares two hashes in constant time.
func SameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// TokenString is how a token is given to its user: remit_<id>_<secret>.
func TokenString(id, secret string) string { return "remit_" + id + "_" + secret }

// SplitToken reads remit_<id>_<secret>; ok is false for anything else
// (a session's secret).
func SplitToken(s string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(s, "remit_")
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "_")
}
