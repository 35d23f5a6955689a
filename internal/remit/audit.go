package remit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// OfferingVersion is one published version of an offering's model.
type OfferingVersion struct {
	Offering   string      `json:"offering"`
	Version    int         `json:"version"`
	At         time.Time   `json:"at"`
	Actor      string      `json:"actor"`
	Statements []Statement `json:"statements"`
}

// AuditHash is the hash of a record: SHA-256 over its previous hash and
// every field, each length-prefixed so no two records share an encoding.
func AuditHash(r AuditRecord) string {
	h := sha256.New()
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.Actor, r.Action, string(r.Kind), r.ID, string(r.Before), string(r.After)} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditBrokenError names the first record where the audit chain breaks.
type AuditBrokenError struct {
	Seq    int64
	Reason string
}

func (e *AuditBrokenError) Error() string {
	return fmt.Sprintf("audit trail broken at record %d: %s", e.Seq, e.Reason)
}
