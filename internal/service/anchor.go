package service

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"remit/internal/remit"
)

// Anchoring the audit trail outside the database. The hash chain proves
// the records follow one another, but whoever can write to the database
// can also rewrite the records and chain them again, or cut the tail and
// move the head back. Two anchors stop that:
//
//   - A keyed chain: every record's hash is MACed (HMAC-SHA256) with a key
//     kept outside the database (REMIT_AUDIT_KEYS or a key file); without
//     the key nobody can make a valid MAC for a rewritten record.
//   - Checkpoints: the head's sequence number and hash, MACed, appended to
//     a file outside the database (and logged) by every sweep; a trail
//     that no longer holds a checkpoint's record, or holds another there,
//     has been cut or rewritten.
//
// VerifyAudit also replays the trail: every document the service audits
// must equal the last state its records give it, so an edit made to the
// documents behind the service's back is found.

// AuditKeys are the keys that MAC the audit trail: the first signs, all
// verify (so a retired key still checks the records it signed).
type AuditKeys struct {
	keys []auditKey
}

type auditKey struct {
	id     string
	secret []byte
}

// ParseAuditKeys reads keys written "id:base64secret", separated by commas
// or lines, the signing key first; blank lines and # comments are
// skipped. Each secret is at least 32 bytes.
func ParseAuditKeys(text string) (*AuditKeys, error) {
	var ks AuditKeys
	seen := map[string]bool{}
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, secret, ok := strings.Cut(line, ":")
		if !ok || !remit.ValidID(id) {
			return nil, fmt.Errorf("audit key %q: write it as id:base64-secret (remit audit keygen makes one)", abbreviate(line))
		}
		b, err := base64.StdEncoding.DecodeString(secret)
		if err != nil || len(b) < 32 {
			return nil, fmt.Errorf("audit key %s: the secret must be at least 32 bytes, base64-encoded (remit audit keygen makes one)", id)
		}
		if seen[id] {
			return nil, fmt.Errorf("audit key %s is given twice", id)
		}
		seen[id] = true
		ks.keys = append(ks.keys, auditKey{id, b})
	}
	if len(ks.keys) == 0 {
		return nil, errors.New("no audit key given")
	}
	return &ks, nil
}

func abbreviate(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// NewAuditKey makes a fresh key line, id:base64secret.
func NewAuditKey(id string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// SigningID is the id of the key that signs.
func (ks *AuditKeys) SigningID() string { return ks.keys[0].id }

// mac is "id:hex" of HMAC-SHA256 over what, with the signing key.
func (ks *AuditKeys) mac(what string) string {
	return ks.keys[0].id + ":" + macWith(ks.keys[0].secret, what)
}

func macWith(secret []byte, what string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(what))
	return hex.EncodeToString(h.Sum(nil))
}

// check reports whether mac is a valid MAC of what under one of the keys.
func (ks *AuditKeys) check(what, mac string) error {
	id, sum, ok := strings.Cut(mac, ":")
	if !ok {
		return errors.New("it carries no MAC, though the trail is keyed")
	}
	for _, k := range ks.keys {
		if k.id == id {
			if !hmac.Equal([]byte(macWith(k.secret, what)), []byte(sum)) {
				return fmt.Errorf("its MAC (key %s) does not match: it was changed without the key", id)
			}
			return nil
		}
	}
	return fmt.Errorf("it was signed with key %s, which is not among the keys given", id)
}

// Signed wraps a store so that every audit record appended through it is
// MACed with keys: the service and the CLI write through it when a key
// is configured.
func Signed(st remit.Store, keys *AuditKeys) remit.Store {
	if keys == nil {
		return st
	}
	return &signedStore{Store: st, keys: keys}
}

type signedStore struct {
	remit.Store
	keys *AuditKeys
}

func (s *signedStore) Write(ctx context.Context, fn func(remit.Tx) error) error {
	return s.Store.Write(ctx, func(tx remit.Tx) error { return fn(&signedTx{Tx: tx, keys: s.keys}) })
}

type signedTx struct {
	remit.Tx
	keys *AuditKeys
}

func (t *signedTx) AppendAudit(ctx context.Context, r remit.AuditRecord) error {
	r.MAC = t.keys.mac(r.Hash)
	return t.Tx.AppendAudit(ctx, r)
}

// Checkpoint is the head of the audit trail at a moment, MACed when the
// trail is keyed: a line of the checkpoint file.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	MAC  string    `json:"mac,omitempty"`
}

func (c Checkpoint) signed() string {
	return fmt.Sprintf("checkpoint:%d:%s:%s", c.Seq, c.Hash, c.At.UTC().Format(time.RFC3339Nano))
}

// WriteCheckpoint appends the trail's head to the file at path (made if
// need be, only ever appended to) and returns it.
func WriteCheckpoint(ctx context.Context, st remit.Store, keys *AuditKeys, path string, now time.Time) (Checkpoint, error) {
	var c Checkpoint
	err := st.Write(ctx, func(tx remit.Tx) error {
		var err error
		c.Seq, c.Hash, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("checkpoint: %w", err)
	}
	c.At = now.UTC().Truncate(time.Second)
	if keys != nil {
		c.MAC = keys.mac(c.signed())
	}
	line, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return c, fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return c, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return c, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c, f.Close()
}

// ReadCheckpoints reads a checkpoint file, naming the line of any problem.
func ReadCheckpoints(path string) ([]Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal([]byte(line), &c); err != nil || c.Seq < 0 || c.Hash == "" && c.Seq > 0 {
			return nil, &remit.ValidationError{Problems: []remit.Problem{{File: path, Line: n, Message: "not a checkpoint: each line is {\"seq\":…,\"hash\":…,\"at\":…,\"mac\":…} as remit writes it"}}}
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// Checkpoint appends the trail's head to the checkpoint file at path,
// MACed with the service's audit key.
func (s *Service) Checkpoint(ctx context.Context, path string) (Checkpoint, error) {
	return WriteCheckpoint(ctx, s.store, s.auditKeys, path, s.now())
}
