package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// ssoFlags are serve's single sign-on settings (doc/operations.md): each
// flag may also come from the environment variable named beside it.
type ssoFlags struct {
	issuer, clientID, secretFile, redirect, name string
	emailClaim, groupsClaim, defaultRole         string
	scopes, roles, teams                         []string
	passwords                                    bool
	breakGlass                                   string
}

func (f *ssoFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "oidc-issuer", "", "single sign-on: the OpenID Connect provider's issuer URL (env REMIT_OIDC_ISSUER), e.g. https://login.microsoftonline.com/TENANT/v2.0")
	fl.StringVar(&f.clientID, "oidc-client-id", "", "single sign-on: the client id registered with the provider (env REMIT_OIDC_CLIENT_ID)")
	fl.StringVar(&f.secretFile, "oidc-client-secret-file", "", "single sign-on: a file holding the client secret (or env REMIT_OIDC_CLIENT_SECRET)")
	fl.StringVar(&f.redirect, "oidc-redirect-url", "", "single sign-on: this server's callback as registered with the provider (env REMIT_OIDC_REDIRECT_URL; default --public-url + /sign-in/oidc/callback)")
	fl.StringVar(&f.name, "oidc-name", "", "single sign-on: how the sign-in page names the provider, e.g. Microsoft (env REMIT_OIDC_NAME)")
	fl.StringSliceVar(&f.scopes, "oidc-scope", nil, "single sign-on: a scope to ask for besides openid (repeat; default email and profile)")
	fl.StringVar(&f.emailClaim, "oidc-email-claim", "", "single sign-on: the claim holding the email address (default email; Entra ID without it: preferred_username)")
	fl.StringVar(&f.groupsClaim, "oidc-groups-claim", "", "single sign-on: the claim listing the user's groups (default groups; Entra ID app roles: roles)")
	fl.StringArrayVar(&f.roles, "oidc-role", nil, "single sign-on: GROUP=ROLE gives members of GROUP that role (repeat, most powerful first: the first match wins; a GROUP may hold '=': the last one splits)")
	fl.StringArrayVar(&f.teams, "oidc-team", nil, "single sign-on: GROUP=TEAM puts members of GROUP in that team (repeat)")
	fl.StringVar(&f.defaultRole, "oidc-default-role", "", "single sign-on: the role of someone none of whose groups has one (default: they are refused)")
	fl.BoolVar(&f.passwords, "password-sign-in", true, "let people sign in with a password; --password-sign-in=false leaves single sign-on as the only way in, but for --break-glass")
	fl.StringVar(&f.breakGlass, "break-glass", "", "with --password-sign-in=false, the one account (an email) that may still sign in with a password, for when the identity provider is down")
}

// config builds the relying party, or nil when single sign-on is not set
// up; publicURL is the server's public address ("" when not given).
func (f *ssoFlags) config(ctx context.Context, getenv func(string) string, publicURL string, now func() time.Time) (*accounts.OIDC, error) {
	or := func(v *string, env string) {
		if *v == "" {
			*v = getenv(env)
		}
	}
	or(&f.issuer, "REMIT_OIDC_ISSUER")
	or(&f.clientID, "REMIT_OIDC_CLIENT_ID")
	or(&f.redirect, "REMIT_OIDC_REDIRECT_URL")
	or(&f.name, "REMIT_OIDC_NAME")
	if !f.passwords && f.issuer == "" {
		return nil, usagef("--password-sign-in=false needs single sign-on (--oidc-issuer): otherwise nobody could sign in")
	}
	if f.breakGlass != "" && f.passwords {
		return nil, usagef("--break-glass names the one account that may use a password when passwords are off: give it with --password-sign-in=false")
	}
	if f.issuer == "" {
		if f.clientID != "" || len(f.roles) > 0 || len(f.teams) > 0 {
			return nil, usagef("single sign-on needs --oidc-issuer (the provider's issuer URL)")
		}
		return nil, nil
	}
	secret := getenv("REMIT_OIDC_CLIENT_SECRET")
	if f.secretFile != "" {
		data, err := os.ReadFile(f.secretFile)
		if err != nil {
			return nil, usagef("--oidc-client-secret-file: %v", err)
		}
		secret = strings.TrimSpace(string(data))
	}
	if f.clientID == "" {
		return nil, usagef("single sign-on needs --oidc-client-id (the client registered with %s)", f.issuer)
	}
	m := accounts.ClaimMapping{DefaultRole: remit.Role(f.defaultRole)}
	if f.defaultRole != "" && !m.DefaultRole.Valid() {
		return nil, usagef("--oidc-default-role %q is not a role: use viewer, editor, assessor, risk-owner or admin", f.defaultRole)
	}
	for _, s := range f.roles {
		gr, err := accounts.ParseGroupRole(s)
		if err != nil {
			return nil, usagef("--oidc-role %v", err)
		}
		m.Roles = append(m.Roles, gr)
	}
	for _, s := range f.teams {
		gt, err := accounts.ParseGroupTeam(s)
		if err != nil {
			return nil, usagef("--oidc-team %v", err)
		}
		m.Teams = append(m.Teams, gt)
	}
	if len(m.Roles) == 0 && m.DefaultRole == "" {
		return nil, usagef("single sign-on needs at least one --oidc-role GROUP=ROLE or an --oidc-default-role: otherwise nobody could sign in with it")
	}
	if f.redirect == "" {
		if publicURL == "" {
			return nil, usagef("single sign-on needs --oidc-redirect-url, or --public-url to make it from")
		}
		f.redirect = strings.TrimSuffix(publicURL, "/") + "/sign-in/oidc/callback"
	}
	discover, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	o, err := accounts.NewOIDC(discover, accounts.OIDCConfig{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: secret, RedirectURL: f.redirect,
		Scopes: f.scopes, Name: f.name, EmailClaim: f.emailClaim, GroupsClaim: f.groupsClaim, Mapping: m, Now: now})
	if err != nil {
		return nil, fmt.Errorf("%w (check --oidc-issuer)", err)
	}
	return o, nil
}
