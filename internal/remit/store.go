package remit

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Kind names a kind of stored document. The service names the kinds it
// stores and their id schemes (service.KindSystem and the rest).
type Kind string

// Document is one stored aggregate: its canonical JSON body and the version
// that every update must quote (optimistic concurrency).
type Document struct {
	Kind      Kind
	ID        string
	Body      []byte
	Version   int64
	UpdatedAt time.Time
}

// Store is Remit's persistence: documents with versions, and the audit
// trail, changed only inside transactions. Implementations hold SQL and
// nothing else; the rules live in this package's use-cases.
type Store interface {
	// Read runs fn in a read-only transaction.
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a read-write transaction, committed only if fn
	// returns nil: a failure (or a crash) leaves nothing behind.
	Write(ctx context.Context, fn func(Tx) error) error
	// Close releases the store's connections.
	Close() error
}

// Tx is one transaction. Methods return ErrNotFound for a missing
// document and ErrConflict for a stale or duplicate one.
type Tx interface {
	// Documents returns the documents of a kind whose id starts with
	// prefix ("" for all), ordered by id.
	Documents(ctx context.Context, kind Kind, prefix string) ([]Document, error)
	// Count returns how many documents of a kind have an id starting with
	// prefix ("" for all), without reading them.
	Count(ctx context.Context, kind Kind, prefix string) (int, error)
	// FindDocument returns one document.
	FindDocument(ctx context.Context, kind Kind, id string) (Document, error)
	// CreateDocument inserts a new document at version 1; ErrConflict if
	// one with that kind and id exists. Like every conflict, it leaves the
	// transaction usable.
	CreateDocument(ctx context.Context, kind Kind, id string, body []byte, now time.Time) (Document, error)
	// UpdateDocument replaces a document's body if its version is still
	// version, and bumps the version; ErrConflict if the version is stale.
	UpdateDocument(ctx context.Context, kind Kind, id string, body []byte, version int64, now time.Time) (Document, error)
	// DeleteDocument removes a document if its version is still version.
	DeleteDocument(ctx context.Context, kind Kind, id string, version int64) error
	// AuditHead locks the end of the audit trail for this transaction
	// and returns its sequence number and hash (0 and "" when empty).
	AuditHead(ctx context.Context) (seq int64, hash string, err error)
	// AppendAudit appends a record whose Seq follows the head's.
	AppendAudit(ctx context.Context, r AuditRecord) error
	// AuditSeq returns the sequence number of the last audit record (0
	// when there is none), without locking anything.
	AuditSeq(ctx context.Context) (int64, error)
	// AuditRecords returns the trail in order, filtered.
	AuditRecords(ctx context.Context, f AuditFilter) ([]AuditRecord, error)
}

// AuditRecord is one change: who, when, what, before and after. Hash
// covers every other field and the previous record's hash, so editing or
// removing any record breaks the chain from there on.
type AuditRecord struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"` // create, update, delete
	Kind     Kind      `json:"kind"`
	ID       string    `json:"id"`
	Before   []byte    `json:"before,omitempty"`
	After    []byte    `json:"after,omitempty"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
	// MAC is a keyed MAC of Hash ("key-id:hex"), made with a key kept
	// outside the database; empty when none was configured.
	MAC string `json:"mac,omitempty"`
}

// AuditFilter narrows an audit listing. Zero values match everything.
type AuditFilter struct {
	Kind     Kind
	ID       string
	Actor    string
	Since    time.Time
	AfterSeq int64
	// BeforeSeq, when set, keeps only records before this sequence number.
	BeforeSeq int64
	// Newest lists the latest records first (and Limit keeps the latest).
	Newest bool
	Limit  int
}

// Searcher is a store that finds documents by the words in them: the
// text of their string values (not their keys), each term matching the
// start of a word, every term needed. SQLite does it with FTS5,
// PostgreSQL with its full-text search; only the kinds in SearchKinds are
// indexed.
type Searcher interface {
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
}

// SearchKinds are the kinds of document a store indexes for search, as
// the service names them. The stores' migrations list the same kinds.
var SearchKinds = []Kind{"system", "provider", "offering", "evidence", "risk", "finding", "obligation", "supplier-assessment"}

// SearchQuery is what to look for: the terms (from SearchTerms), of which
// kinds (none: every kind indexed), and at most how many hits.
type SearchQuery struct {
	Terms []string
	Kinds []Kind
	Limit int
}

// SearchHit is one document found, best first.
type SearchHit struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
}

// MaxSearchTerms and MaxSearchTerm bound a query: more terms, or longer
// ones, are dropped or cut.
const (
	MaxSearchTerms = 8
	MaxSearchTerm  = 40
)

// Words splits text into the words search matches: runs of letters and
// digits, lower-cased.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// SearchTerms splits what someone typed into search terms: its Words,
// each at most MaxSearchTerm runes, at most MaxSearchTerms of them, each
// once. Anything else (quotes, operators, punctuation) separates terms,
// so a term never carries a query language's syntax into a store.
func SearchTerms(q string) []string {
	var out []string
	for _, f := range Words(q) {
		if r := []rune(f); len(r) > MaxSearchTerm {
			f = string(r[:MaxSearchTerm])
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
		if len(out) == MaxSearchTerms {
			break
		}
	}
	return out
}
