package accounts

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterz") || CheckPassword("not a hash", "x") {
		t.Error("password check is wrong")
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the OWASP minimum parameters", h)
	}
}

func TestTokens(t *testing.T) {
	id, secret := NewSecret()[:16], NewSecret()
	if strings.Contains(secret, "_") {
		t.Fatalf("a secret holds the separator: %q", secret)
	}
	gotID, gotSecret, ok := SplitToken(TokenString(id, secret))
	if !ok || gotID != id || gotSecret != secret {
		t.Errorf("SplitToken(TokenString(%q, %q)) = %q, %q, %v", id, secret, gotID, gotSecret, ok)
	}
	if _, _, ok := SplitToken(secret); ok {
		t.Error("a session secret reads as a token")
	}
	if !SameHash(HashSecret(secret), HashSecret(secret)) || SameHash(HashSecret(secret), HashSecret(secret+"x")) {
		t.Error("HashSecret does not tell secrets apart")
	}
}
