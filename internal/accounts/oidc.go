package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"remit/internal/remit"
)

// OIDCConfig says how to sign users in with an OpenID Connect provider
// (Entra ID, Google Workspace, Okta, Keycloak, Dex, …).
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are the client registered with it.
	ClientID, ClientSecret string
	// RedirectURL is this server's callback, registered with the
	// provider: https://remit.example.gov.uk/sign-in/oidc/callback.
	RedirectURL string
	// Scopes are asked for besides openid (default: email, profile).
	Scopes []string
	// Name is how the sign-in page names the provider ("Microsoft").
	Name string
	// EmailClaim names the claim that holds the account's email (default
	// "email"; Entra ID without the email claim: "preferred_username").
	EmailClaim string
	// GroupsClaim names the claim that lists the user's groups or roles
	// (default "groups"; Entra app roles: "roles").
	GroupsClaim string
	// Mapping turns groups into a role and teams.
	Mapping ClaimMapping
	// Now is the clock the ID token's expiry is checked against (time.Now
	// when nil).
	Now func() time.Time
}

// ClaimMapping turns the groups an identity provider vouches for into a
// Remit role and teams. Roles are tried in order and the first whose
// group the user is in wins (list the most powerful first); with none,
// DefaultRole applies, and with no default the sign-in is refused. Every
// team whose group the user is in is theirs.
type ClaimMapping struct {
	Roles       []GroupRole
	DefaultRole remit.Role
	Teams       []GroupTeam
}

// GroupRole gives members of Group the role Role.
type GroupRole struct {
	Group string
	Role  remit.Role
}

// GroupTeam puts members of Group in team Team.
type GroupTeam struct {
	Group, Team string
}

// ErrNoRole means the identity provider vouched for someone none of
// whose groups maps to a role.
var ErrNoRole = errors.New("none of your groups is given a role in Remit")

// Apply maps groups to a role and teams.
func (m ClaimMapping) Apply(groups []string) (remit.Role, []string, error) {
	role := m.DefaultRole
	for _, gr := range m.Roles {
		if slices.Contains(groups, gr.Group) {
			role = gr.Role
			break
		}
	}
	if role == "" {
		return "", nil, ErrNoRole
	}
	var teams []string
	for _, gt := range m.Teams {
		if slices.Contains(groups, gt.Group) && !slices.Contains(teams, gt.Team) {
			teams = append(teams, gt.Team)
		}
	}
	slices.Sort(teams)
	return role, teams, nil
}

// cutLast splits GROUP=VALUE at the last "=": a group may hold "=" (an
// LDAP name such as cn=admins,ou=groups), a role or a team never does.
func cutLast(s string) (group, value string, ok bool) {
	i := strings.LastIndexByte(s, '=')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// ParseGroupRole reads GROUP=ROLE (a flag's value).
func ParseGroupRole(s string) (GroupRole, error) {
	group, role, ok := cutLast(s)
	if !ok || group == "" || !remit.Role(role).Valid() {
		return GroupRole{}, fmt.Errorf("%q is not GROUP=ROLE with ROLE one of viewer, editor, assessor, risk-owner, admin", s)
	}
	return GroupRole{Group: group, Role: remit.Role(role)}, nil
}

// ParseGroupTeam reads GROUP=TEAM (a flag's value).
func ParseGroupTeam(s string) (GroupTeam, error) {
	group, team, ok := cutLast(s)
	if !ok || group == "" || !remit.ValidID(team) {
		return GroupTeam{}, fmt.Errorf("%q is not GROUP=TEAM: for TEAM, %s", s, remit.IDRule)
	}
	return GroupTeam{Group: group, Team: team}, nil
}

// Identity is who the identity provider vouched for, after its ID token
// has been verified.
type Identity struct {
	Issuer, Subject string
	Email, Name     string
	Groups          []string
}

// OIDC is a relying party: it sends people to the provider and checks
// what comes back.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewOIDC reads the provider's discovery document (and so fails at once
// if the issuer is wrong or unreachable).
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("single sign-on needs an issuer, a client id and a redirect URL")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("redirect URL %q is not an absolute http(s) URL", cfg.RedirectURL)
	}
	if cfg.EmailClaim == "" {
		cfg.EmailClaim = "email"
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"email", "profile"}
	}
	if cfg.Name == "" {
		cfg.Name = "your organisation's account"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: read the discovery document of %s: %w", cfg.Issuer, err)
	}
	return &OIDC{
		cfg: cfg, provider: provider,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, cfg.Scopes...)},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
	}, nil
}

// Name is how the sign-in page names the provider.
func (o *OIDC) Name() string { return o.cfg.Name }

// Mapping is the configured mapping of groups to roles and teams.
func (o *OIDC) Mapping() ClaimMapping { return o.cfg.Mapping }

// Attempt is what one sign-in keeps between sending the person to the
// provider and their coming back: the state that ties the two, the nonce
// the ID token must carry, and the PKCE verifier.
type Attempt struct {
	State, Nonce, Verifier string
}

// NewAttempt makes fresh, unguessable values for one sign-in.
func NewAttempt() Attempt {
	return Attempt{State: NewSecret(), Nonce: NewSecret(), Verifier: oauth2.GenerateVerifier()}
}

// AuthURL is where to send the person: the provider's authorisation
// endpoint with the code flow, PKCE (S256), the state and the nonce.
func (o *OIDC) AuthURL(a Attempt) string {
	return o.oauth.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
}

// Exchange trades the code the provider sent back for tokens and checks
// the ID token: its signature against the provider's keys, its issuer,
// audience and expiry, and that it carries the attempt's nonce. It
// returns who it vouches for.
func (o *OIDC) Exchange(ctx context.Context, a Attempt, code string) (Identity, error) {
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("the identity provider refused the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, errors.New("the identity provider sent no ID token")
	}
	id, err := o.Verify(ctx, a, raw)
	if err != nil {
		return Identity{}, err
	}
	if id.Email == "" || id.Groups == nil {
		// Some providers keep the email or the groups to the userinfo
		// endpoint: ask it, for the same subject.
		info, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("the identity provider's userinfo: %w", err)
		}
		if info.Subject != id.Subject {
			return Identity{}, errors.New("the identity provider's userinfo is about someone else")
		}
		var claims map[string]any
		if err := info.Claims(&claims); err != nil {
			return Identity{}, fmt.Errorf("the identity provider's userinfo: %w", err)
		}
		if id.Email == "" {
			if err := o.readEmail(&id, claims); err != nil {
				return Identity{}, err
			}
		}
		if id.Groups == nil {
			id.Groups = o.groups(claims)
		}
		if id.Name == "" {
			id.Name, _ = claims["name"].(string)
		}
	}
	if id.Email == "" {
		return Identity{}, fmt.Errorf("the identity provider gave no %q claim: Remit needs an email address (set --oidc-email-claim)", o.cfg.EmailClaim)
	}
	return id, nil
}

// Verify checks an ID token (see Exchange) and reads the identity from
// its claims.
func (o *OIDC) Verify(ctx context.Context, a Attempt, raw string) (Identity, error) {
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("the ID token is not valid: %w", err)
	}
	if idt.Nonce == "" || !SameHash(nonceHash(idt.Nonce), nonceHash(a.Nonce)) {
		return Identity{}, errors.New("the ID token is not valid: it was not issued for this sign-in (nonce)")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("the ID token's claims: %w", err)
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	if err := o.readEmail(&id, claims); err != nil {
		return Identity{}, err
	}
	id.Name, _ = claims["name"].(string)
	id.Groups = o.groups(claims)
	return id, nil
}

// readEmail takes the email from claims, refusing one the provider says
// it has not verified.
func (o *OIDC) readEmail(id *Identity, claims map[string]any) error {
	email, _ := claims[o.cfg.EmailClaim].(string)
	if v, ok := claims["email_verified"].(bool); ok && !v && o.cfg.EmailClaim == "email" && email != "" {
		return errors.New("the identity provider has not verified your email address")
	}
	id.Email = strings.ToLower(strings.TrimSpace(email))
	return nil
}

// groups reads the groups claim: a list, or a space-separated string
// (nil when there is no such claim).
func (o *OIDC) groups(claims map[string]any) []string {
	switch g := claims[o.cfg.GroupsClaim].(type) {
	case []any:
		out := []string{}
		for _, v := range g {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Fields(g)
	}
	return nil
}

// nonceHash compares nonces in constant time whatever their lengths.
func nonceHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
