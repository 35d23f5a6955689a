package accounts

import (
	"context"
	"errors"

	"golang.org/x/oauth2"
)

// ExchangeRaw trades a code and returns the raw ID token, for tests that
// tamper with it.
func ExchangeRaw(ctx context.Context, o *OIDC, a Attempt, code string) (string, error) {
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return "", err
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", errors.New("no id_token")
	}
	return raw, nil
}
