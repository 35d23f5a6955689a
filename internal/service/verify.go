package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// AuditCheck is what VerifyAudit checks besides the chain: the records'
// MACs when keys are given, and checkpoints written outside the database.
type AuditCheck struct {
	Keys        *AuditKeys
	Checkpoints []Checkpoint
}

// AuditReport says what VerifyAudit checked.
type AuditReport struct {
	Records     int   // records in the chain
	Keyed       int   // of which with a MAC that checks out
	KeyedFrom   int64 // the first record that must carry a MAC (with keys)
	Checkpoints int   // checkpoints the trail still holds
	Documents   int   // documents equal to the replay of their records
	Files       int   // evidence files matching their recorded hashes
}

// TamperedError is a document that differs from what the audit trail
// says it should hold: someone changed the database behind the service.
type TamperedError struct {
	Kind   remit.Kind
	ID     string
	Reason string
}

func (e *TamperedError) Error() string {
	return fmt.Sprintf("%s %q was changed outside Remit: %s", e.Kind, e.ID, e.Reason)
}

// auditedKinds are the kinds every change of which is in the audit trail,
// with the form the trail keeps of a document (its body, unless the
// collection keeps a public form without its secrets).
var auditedKinds = map[remit.Kind]func(remit.Document) ([]byte, error){
	KindWorkspace: rawBody, KindCatalogue: rawBody, KindProvider: rawBody, KindOffering: rawBody, KindSystem: rawBody,
	KindObligation: rawBody, KindEvidence: rawBody, KindSupplierAssessment: rawBody, KindPortalLink: rawBody,
	KindSATTemplate: rawBody, KindSAT: rawBody, KindFinding: rawBody, KindRisk: rawBody, KindRiskSettings: rawBody,
	KindDismissal: rawBody, KindReviewCadence: rawBody, KindCheckRun: rawBody, KindChecks: rawBody, KindMappings: rawBody, KindProviderFindings: rawBody,
	KindSupplier: rawBody, KindQuestionnaire: rawBody, KindSupplierSettings: rawBody,
	KindUser:  auditForm(users),
	KindToken: auditForm(tokens),
}

func rawBody(d remit.Document) ([]byte, error) { return d.Body, nil }

func auditForm[T any](c collection[T]) func(remit.Document) ([]byte, error) {
	return func(d remit.Document) ([]byte, error) {
		v, err := c.decode(d)
		if err != nil {
			return nil, err
		}
		return c.audited(v, d.Body)
	}
}

// events are audit actions that record something that happened, not a
// document's new state.
var events = []string{"sign-in", "sign-in-failed", "sign-in-refused", "sign-out"}

// VerifyAudit walks the whole trail and checks every link: sequence
// numbers without gaps, each record's previous hash equal to the hash
// before it, each hash matching the record's content, and the head. With
// keys, every record's MAC; with checkpoints, that the trail still holds
// each one's record. Then it replays the trail: every audited document
// must equal its last recorded state, no document may be there that the
// trail deleted or never made, every session must come from a recorded
// sign-in, and every evidence file must match its recorded hash. The
// first problem is a *remit.AuditBrokenError (the chain) or a
// *TamperedError (a document).
func VerifyAudit(ctx context.Context, st remit.Store, check AuditCheck) (AuditReport, error) {
	var rep AuditReport
	var records []remit.AuditRecord
	var headSeq int64
	var headHash string
	docs := map[remit.Kind][]remit.Document{}
	var sessionDocs []remit.Document
	files := map[string][]byte{}
	// A write transaction, to read the head of the trail with the lock
	// every appender takes: the records, the head and the documents are
	// one snapshot.
	if err := st.Write(ctx, func(tx remit.Tx) error {
		var err error
		if headSeq, headHash, err = tx.AuditHead(ctx); err != nil {
			return err
		}
		if records, err = tx.AuditRecords(ctx, remit.AuditFilter{}); err != nil {
			return err
		}
		for kind := range auditedKinds {
			if docs[kind], err = tx.Documents(ctx, kind, ""); err != nil {
				return err
			}
		}
		if sessionDocs, err = tx.Documents(ctx, KindSession, ""); err != nil {
			return err
		}
		fs, err := tx.Documents(ctx, KindEvidenceFile, "")
		for _, f := range fs {
			files[f.ID] = f.Body
		}
		return err
	}); err != nil {
		return rep, fmt.Errorf("verify audit: %w", err)
	}

	// Records are keyed from the first that carries a MAC, or from just
	// after the first keyed checkpoint (the server had its key then):
	// from there on every record must carry a valid one, so stripping
	// MACs off rewritten records does not pass. Older records may predate
	// the key.
	keyedFrom := int64(len(records)) + 1
	if check.Keys != nil {
		for _, r := range records {
			if r.MAC != "" {
				keyedFrom = r.Seq
				break
			}
		}
		for _, c := range check.Checkpoints {
			if c.MAC != "" && c.Seq+1 < keyedFrom {
				keyedFrom = c.Seq + 1
			}
		}
		rep.KeyedFrom = keyedFrom
	}
	prev := ""
	for i, r := range records {
		switch {
		case r.Seq != int64(i+1):
			return rep, &remit.AuditBrokenError{Seq: int64(i + 1), Reason: fmt.Sprintf("record %d is missing (the next is %d)", i+1, r.Seq)}
		case r.PrevHash != prev:
			return rep, &remit.AuditBrokenError{Seq: r.Seq, Reason: "it does not follow the record before it"}
		case remit.AuditHash(r) != r.Hash:
			return rep, &remit.AuditBrokenError{Seq: r.Seq, Reason: "its content does not match its hash"}
		}
		if check.Keys != nil && r.Seq >= keyedFrom {
			if err := check.Keys.check(r.Hash, r.MAC); err != nil {
				return rep, &remit.AuditBrokenError{Seq: r.Seq, Reason: err.Error()}
			}
			rep.Keyed++
		}
		prev = r.Hash
		rep.Records++
	}
	if int64(len(records)) != headSeq || prev != headHash {
		return rep, &remit.AuditBrokenError{Seq: int64(len(records)) + 1, Reason: fmt.Sprintf("the trail ends at record %d but %d were written", len(records), headSeq)}
	}
	for _, c := range check.Checkpoints {
		if check.Keys != nil {
			if err := check.Keys.check(c.signed(), c.MAC); err != nil {
				return rep, &remit.AuditBrokenError{Seq: c.Seq, Reason: "the checkpoint of " + c.At.Format("2006-01-02 15:04") + " is not genuine: " + err.Error()}
			}
		}
		switch {
		case c.Seq > int64(len(records)):
			return rep, &remit.AuditBrokenError{Seq: c.Seq, Reason: fmt.Sprintf("a checkpoint of %s saw record %d, but the trail now ends at %d: records were cut from its end", c.At.Format("2006-01-02 15:04"), c.Seq, len(records))}
		case c.Seq > 0 && records[c.Seq-1].Hash != c.Hash:
			return rep, &remit.AuditBrokenError{Seq: c.Seq, Reason: fmt.Sprintf("it is not the record a checkpoint of %s saw: the trail was rewritten", c.At.Format("2006-01-02 15:04"))}
		}
		rep.Checkpoints++
	}

	// Replay: the last state each record gives each audited document.
	type key struct {
		kind remit.Kind
		id   string
	}
	last := map[key]*remit.AuditRecord{}
	signIns := map[string]bool{}
	for i := range records {
		r := &records[i]
		if slices.Contains(events, r.Action) {
			if r.Action == "sign-in" {
				var sr signInRecord
				if json.Unmarshal(r.After, &sr) == nil && sr.Session != "" {
					signIns[sr.Session] = true
				}
			}
			continue
		}
		if _, ok := auditedKinds[r.Kind]; ok {
			last[key{r.Kind, r.ID}] = r
		}
	}
	for kind, form := range auditedKinds {
		for _, d := range docs[kind] {
			r := last[key{kind, d.ID}]
			delete(last, key{kind, d.ID})
			if r == nil {
				return rep, &TamperedError{kind, d.ID, "the audit trail never recorded it"}
			}
			if r.After == nil {
				return rep, &TamperedError{kind, d.ID, fmt.Sprintf("record %d deleted it, yet it is there", r.Seq)}
			}
			got, err := form(d)
			if err != nil {
				return rep, &TamperedError{kind, d.ID, "it cannot be read: " + err.Error()}
			}
			if !bytes.Equal(got, r.After) && !sameLegacy(kind, got, r.After) {
				return rep, &TamperedError{kind, d.ID, fmt.Sprintf("it differs from what record %d left it as", r.Seq)}
			}
			rep.Documents++
		}
	}
	for k, r := range last {
		if r.After != nil {
			return rep, &TamperedError{k.kind, k.id, fmt.Sprintf("record %d left it in place, yet it is gone", r.Seq)}
		}
	}
	// Every session comes from a recorded sign-in.
	for _, d := range sessionDocs {
		if !signIns[d.ID] {
			return rep, &TamperedError{KindSession, d.ID, "no recorded sign-in opened it"}
		}
	}
	// Evidence files match the hashes their evidence recorded.
	for _, d := range docs[KindEvidence] {
		ev, err := evidenceDocs.decode(d)
		if err != nil || ev.File == nil {
			continue
		}
		sum := sha256.Sum256(files[ev.ID])
		if hex.EncodeToString(sum[:]) != ev.File.SHA256 {
			return rep, &TamperedError{KindEvidenceFile, ev.ID, "the file no longer matches the SHA-256 its evidence recorded"}
		}
		rep.Files++
	}
	return rep, nil
}

// sameLegacy accepts an account or token recorded before the trail kept
// its secret's fingerprint: equal but for that.
func sameLegacy(kind remit.Kind, got, recorded []byte) bool {
	if kind != KindUser && kind != KindToken {
		return false
	}
	var a, b map[string]any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal(recorded, &b) != nil {
		return false
	}
	if _, ok := b["secret"]; ok {
		return false
	}
	delete(a, "secret")
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// fingerprint is what the audit trail keeps of a stored secret's hash:
// enough to see that it changed, nothing to guess it from.
func fingerprint(hash string) string {
	if hash == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(hash))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// auditedAccount is what the trail keeps of an account.
type auditedAccount struct {
	accounts.User
	Secret string `json:"secret,omitempty"`
}

// auditedToken is what the trail keeps of a token.
type auditedToken struct {
	accounts.Token
	Secret string `json:"secret,omitempty"`
}
