package remit

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Proposal is a risk Remit suggests from a gap it can see: it is never a
// risk until someone adopts it. Its Cause fingerprints what gave rise to
// it, so a dismissed proposal returns only when its cause changes.
type Proposal struct {
	ID          string `json:"id"`
	Source      string `json:"source" enum:"ours,assurance,principle,sat,concentration,checks,fourth-party"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Concerns    []Ref  `json:"concerns"`
	// Suggested is a starting score, for the adopter to judge.
	Suggested Score  `json:"suggested"`
	Cause     string `json:"cause" doc:"A fingerprint of what gave rise to it"`
}

// Risk is the proposal pre-filled as a risk to adopt: linked to it, with
// its title, description, category, what it concerns and its suggested
// score as the inherent one.
func (p Proposal) Risk() Risk {
	return Risk{Title: p.Title, Description: p.Description, Category: p.Category, Concerns: slices.Clone(p.Concerns), Inherent: p.Suggested, Proposal: p.ID}
}

// Fingerprint makes a short, stable fingerprint of a cause's facts.
func Fingerprint(facts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(facts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// Dismissal is someone's decision that a proposal is not a risk worth
// recording, for as long as its cause is what it was.
type Dismissal struct {
	Proposal string    `json:"proposal"`
	Cause    string    `json:"cause"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// Open keeps the proposals that are neither adopted (a risk names them)
// nor dismissed for their present cause.
func Open(proposals []Proposal, risks []Risk, dismissed map[string]Dismissal) []Proposal {
	adopted := map[string]bool{}
	for _, r := range risks {
		if r.Proposal != "" {
			adopted[r.Proposal] = true
		}
	}
	var out []Proposal
	for _, p := range proposals {
		if adopted[p.ID] {
			continue
		}
		if d, ok := dismissed[p.ID]; ok && d.Cause == p.Cause {
			continue
		}
		out = append(out, p)
	}
	return out
}
