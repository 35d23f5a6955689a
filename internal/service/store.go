package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"remit/internal/remit"
)

// The kinds of document the store holds, each with its id scheme. This is
// the one place kinds and ids are named; doc/storage.md lists them.
const (
	KindWorkspace          remit.Kind = "workspace"           // id "workspace": name, organisation, built-in content named
	KindCatalogue          remit.Kind = "catalogue"           // catalogue id
	KindProvider           remit.Kind = "provider"            // provider id: name, built in, offering ids in order
	KindOffering           remit.Kind = "offering"            // provider/offering: the offering with its statements
	KindOfferingVersion    remit.Kind = "offering-version"    // provider/offering@NNNNNN: an immutable model version
	KindSystem             remit.Kind = "system"              // system id
	KindObligation         remit.Kind = "obligation"          // obligation id: the tracking of one of ours
	KindUser               remit.Kind = "user"                // email, lower-cased
	KindSession            remit.Kind = "session"             // SHA-256 of the session secret
	KindSignInThrottle     remit.Kind = "sign-in-throttle"    // pair:, address: or account: and a hash: failed sign-ins
	KindToken              remit.Kind = "token"               // token id
	KindEvidence           remit.Kind = "evidence"            // ev-<16 hex>
	KindEvidenceFile       remit.Kind = "evidence-file"       // the evidence's id: the file's bytes
	KindSupplierAssessment remit.Kind = "supplier-assessment" // sa-<16 hex>
	KindPortalLink         remit.Kind = "portal-link"         // <12 hex>
	KindSATTemplate        remit.Kind = "sat-template"        // NNNNNN: the template's version
	KindSAT                remit.Kind = "sat"                 // sat-<16 hex>
	KindFinding            remit.Kind = "finding"             // fi-<16 hex>
	KindRisk               remit.Kind = "risk"                // ri-<16 hex>
	KindRiskSettings       remit.Kind = "risk-settings"       // id "settings"
	KindRiskSnapshot       remit.Kind = "risk-snapshot"       // YYYY-MM-DD
	KindDismissal          remit.Kind = "proposal-dismissal"  // the proposal's id
	KindReviewCadence      remit.Kind = "review-cadence"      // provider id
	KindScorecardSnapshot  remit.Kind = "scorecard-snapshot"  // YYYY-MM-DD
	KindSweep              remit.Kind = "sweep"               // id "expiry": the day swept to
	KindCheckRun           remit.Kind = "check-run"           // cr-<16 hex>: automated check results for a system
	KindChecks             remit.Kind = "checks"              // the checks file's id: mappings of check rules to controls and systems
	KindMappings           remit.Kind = "control-mappings"    // the mappings file's id: how one catalogue's controls relate to another's
	KindProviderFindings   remit.Kind = "provider-findings"   // provider/offering/poam or …/assessment-results: the provider's own findings
)

// Kinds lists every kind, in the order doc/storage.md lists them.
var Kinds = []remit.Kind{KindWorkspace, KindCatalogue, KindProvider, KindOffering, KindSystem, KindOfferingVersion,
	KindObligation, KindUser, KindSession, KindSignInThrottle, KindToken, KindEvidence, KindEvidenceFile, KindSupplierAssessment,
	KindPortalLink, KindSATTemplate, KindSAT, KindFinding, KindRisk, KindRiskSettings, KindRiskSnapshot,
	KindDismissal, KindReviewCadence, KindScorecardSnapshot, KindSweep, KindCheckRun, KindChecks, KindMappings, KindProviderFindings,
	KindReminder, KindDelivery, KindDigest, KindReminderPrefs, KindWebhook, KindSupplier, KindQuestionnaire, KindSupplierSettings}

// WorkspaceKinds are the kinds an import replaces and an export writes, in
// the order they are applied.
var WorkspaceKinds = []remit.Kind{KindWorkspace, KindCatalogue, KindProvider, KindOffering, KindSystem, KindChecks, KindMappings}

// change is who makes a change and when: what every audit record needs.
type change struct {
	actor string
	now   time.Time
}

// collection is the documents of one kind, each a T stored as JSON. It is
// the one place a value becomes a document and back: reads decode, writes
// encode, check the version quoted and append the audit record.
type collection[T any] struct {
	kind remit.Kind
	// what names one document in messages ("risk").
	what string
	// public, when set, is what the audit trail keeps of a value: the
	// stored form less its secrets (a user without the password hash).
	public func(T) any
}

func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b, nil
}

func (c collection[T]) decode(d remit.Document) (T, error) {
	var v T
	if err := json.Unmarshal(d.Body, &v); err != nil {
		return v, fmt.Errorf("read %s %q: %w", c.what, d.ID, err)
	}
	return v, nil
}

// find reads one document: ErrNotFound, named, when there is none.
func (c collection[T]) find(ctx context.Context, tx remit.Tx, id string) (T, remit.Document, error) {
	d, err := tx.FindDocument(ctx, c.kind, id)
	if err != nil {
		var zero T
		if errors.Is(err, remit.ErrNotFound) {
			return zero, d, fmt.Errorf("no %s %q: %w", c.what, id, remit.ErrNotFound)
		}
		return zero, d, err
	}
	v, err := c.decode(d)
	return v, d, err
}

// get reads one document in a transaction of its own: the value and its
// version.
func (c collection[T]) get(ctx context.Context, st remit.Store, id string) (T, int64, error) {
	var v T
	var d remit.Document
	err := st.Read(ctx, func(tx remit.Tx) error {
		var err error
		v, d, err = c.find(ctx, tx, id)
		return err
	})
	return v, d.Version, err
}

// createQuietly stores v as a new document with no audit record: for what
// is not a change to anything (a session, a count).
func (c collection[T]) createQuietly(ctx context.Context, tx remit.Tx, id string, v T, now time.Time) (remit.Document, error) {
	body, err := encode(v)
	if err != nil {
		return remit.Document{}, err
	}
	return tx.CreateDocument(ctx, c.kind, id, body, now)
}

// list reads every document whose id starts with prefix, by id.
func (c collection[T]) list(ctx context.Context, tx remit.Tx, prefix string) ([]T, error) {
	docs, err := tx.Documents(ctx, c.kind, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		if out[i], err = c.decode(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// audited is the form of v the audit trail keeps.
func (c collection[T]) audited(v T, body []byte) ([]byte, error) {
	if c.public == nil {
		return body, nil
	}
	return encode(c.public(v))
}

// create stores v as a new document, with its audit record.
func (c collection[T]) create(ctx context.Context, tx remit.Tx, ch change, id string, v T) (remit.Document, error) {
	body, err := encode(v)
	if err != nil {
		return remit.Document{}, err
	}
	d, err := tx.CreateDocument(ctx, c.kind, id, body, ch.now)
	if err != nil {
		if errors.Is(err, remit.ErrConflict) {
			return d, fmt.Errorf("%s %q already exists: %w", c.what, id, remit.ErrConflict)
		}
		return d, err
	}
	after, err := c.audited(v, body)
	if err != nil {
		return d, err
	}
	return d, appendAudit(ctx, tx, ch, "create", c.kind, id, nil, after)
}

// update replaces a document with v if it is still at version, with its
// audit record (action "update" unless given). It returns the document
// before and after.
func (c collection[T]) update(ctx context.Context, tx remit.Tx, ch change, id string, v T, version int64, action ...string) (old, d remit.Document, err error) {
	old, err = tx.FindDocument(ctx, c.kind, id)
	if err != nil {
		if errors.Is(err, remit.ErrNotFound) {
			return old, d, fmt.Errorf("no %s %q: %w", c.what, id, remit.ErrNotFound)
		}
		return old, d, err
	}
	if old.Version != version {
		return old, d, stale(c.what, id, old.Version, version)
	}
	body, err := encode(v)
	if err != nil {
		return old, d, err
	}
	if d, err = tx.UpdateDocument(ctx, c.kind, id, body, version, ch.now); err != nil {
		return old, d, err
	}
	var was T
	if was, err = c.decode(old); err != nil {
		return old, d, err
	}
	before, err := c.audited(was, old.Body)
	if err != nil {
		return old, d, err
	}
	after, err := c.audited(v, body)
	if err != nil {
		return old, d, err
	}
	act := "update"
	if len(action) > 0 {
		act = action[0]
	}
	return old, d, appendAudit(ctx, tx, ch, act, c.kind, id, before, after)
}

// put creates the document (version 0) or updates it (at version).
func (c collection[T]) put(ctx context.Context, tx remit.Tx, ch change, id string, v T, version int64) (remit.Document, error) {
	if version == 0 {
		d, err := c.create(ctx, tx, ch, id, v)
		if errors.Is(err, remit.ErrConflict) {
			return d, fmt.Errorf("%s %q already exists, so version 0 (create) is stale: read it and quote its version: %w", c.what, id, remit.ErrConflict)
		}
		return d, err
	}
	_, d, err := c.update(ctx, tx, ch, id, v, version)
	return d, err
}

// upsert stores v whatever is stored now (settings, cadences, marks):
// for documents nobody edits from a version they read.
func (c collection[T]) upsert(ctx context.Context, tx remit.Tx, ch change, id string, v T) (remit.Document, error) {
	old, err := tx.FindDocument(ctx, c.kind, id)
	switch {
	case errors.Is(err, remit.ErrNotFound):
		return c.create(ctx, tx, ch, id, v)
	case err != nil:
		return old, err
	}
	_, d, err := c.update(ctx, tx, ch, id, v, old.Version)
	return d, err
}

// delete removes a document if it is still at version, with its audit
// record.
func (c collection[T]) delete(ctx context.Context, tx remit.Tx, ch change, id string, version int64) error {
	old, err := tx.FindDocument(ctx, c.kind, id)
	if err != nil {
		if errors.Is(err, remit.ErrNotFound) {
			return fmt.Errorf("no %s %q: %w", c.what, id, remit.ErrNotFound)
		}
		return err
	}
	if old.Version != version {
		return stale(c.what, id, old.Version, version)
	}
	if err := tx.DeleteDocument(ctx, c.kind, id, version); err != nil {
		return err
	}
	was, err := c.decode(old)
	if err != nil {
		return err
	}
	before, err := c.audited(was, old.Body)
	if err != nil {
		return err
	}
	return appendAudit(ctx, tx, ch, "delete", c.kind, id, before, nil)
}

// stale is the conflict of a version quoted that is no longer stored.
func stale(what, id string, have, quoted int64) error {
	return fmt.Errorf("%s %q is at version %d, not %d: someone changed it first: %w", what, id, have, quoted, remit.ErrConflict)
}

// appendAudit adds one record to the trail, chained to the last.
func appendAudit(ctx context.Context, tx remit.Tx, ch change, action string, kind remit.Kind, id string, before, after []byte) error {
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return err
	}
	r := remit.AuditRecord{Seq: seq + 1, At: ch.now.UTC().Truncate(time.Microsecond), Actor: ch.actor, Action: action, Kind: kind, ID: id, Before: before, After: after, PrevHash: prev}
	r.Hash = remit.AuditHash(r)
	return tx.AppendAudit(ctx, r)
}

// The aggregates' collections.
var (
	systems      = collection[remit.System]{kind: KindSystem, what: "system"}
	catalogues   = collection[remit.Catalogue]{kind: KindCatalogue, what: "catalogue"}
	providers    = collection[providerDoc]{kind: KindProvider, what: "provider"}
	offerings    = collection[remit.Offering]{kind: KindOffering, what: "offering"}
	modelVersion = collection[remit.OfferingVersion]{kind: KindOfferingVersion, what: "model version"}
	headers      = collection[headerDoc]{kind: KindWorkspace, what: "workspace"}
	trackings    = collection[remit.Tracking]{kind: KindObligation, what: "tracking of obligation"}
	evidenceDocs = collection[remit.Evidence]{kind: KindEvidence, what: "evidence"}
	assessments  = collection[remit.SupplierAssessment]{kind: KindSupplierAssessment, what: "assessment"}
	portalLinks  = collection[remit.PortalLink]{kind: KindPortalLink, what: "portal link"}
	satTemplates = collection[remit.SATTemplate]{kind: KindSATTemplate, what: "SAT template version"}
	satDocs      = collection[remit.SAT]{kind: KindSAT, what: "SAT"}
	checkRuns    = collection[remit.CheckRun]{kind: KindCheckRun, what: "check run"}
	checkFiles   = collection[remit.CheckMappings]{kind: KindChecks, what: "checks file"}
	mappingFiles = collection[remit.ControlMappings]{kind: KindMappings, what: "mappings file"}
	findingDocs  = collection[remit.Finding]{kind: KindFinding, what: "finding"}
	measuredDocs = collection[remit.ProviderFindings]{kind: KindProviderFindings, what: "provider's findings"}
	riskDocs     = collection[remit.Risk]{kind: KindRisk, what: "risk"}
	riskSettings = collection[remit.RiskSettings]{kind: KindRiskSettings, what: "risk settings"}
	riskTrend    = collection[remit.RiskSnapshot]{kind: KindRiskSnapshot, what: "risk snapshot"}
	dismissals   = collection[remit.Dismissal]{kind: KindDismissal, what: "dismissal"}
	cadences     = collection[cadenceDoc]{kind: KindReviewCadence, what: "review cadence"}
	scoreTrend   = collection[remit.ScorecardSnapshot]{kind: KindScorecardSnapshot, what: "scorecard snapshot"}
	sweeps       = collection[sweepDoc]{kind: KindSweep, what: "sweep mark"}
)

// headerDoc is the stored form of the workspace's header.
type headerDoc struct {
	Name         string   `json:"name"`
	Organisation string   `json:"organisation,omitempty"`
	CatalogueIDs []string `json:"catalogue_ids,omitempty"`
	ProviderIDs  []string `json:"provider_ids,omitempty"`
	MappingIDs   []string `json:"mapping_ids,omitempty"`
}

func (h headerDoc) workspace() *remit.Workspace {
	return &remit.Workspace{Name: h.Name, Organisation: h.Organisation, CatalogueIDs: h.CatalogueIDs, ProviderIDs: h.ProviderIDs, MappingIDs: h.MappingIDs}
}

// workspaceID is the id of the one KindWorkspace document.
const workspaceID = "workspace"

// providerDoc is the stored form of a provider: its offerings are
// documents of their own, but their order is kept here.
type providerDoc struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	BuiltIn   bool     `json:"built_in,omitempty"`
	Offerings []string `json:"offerings"`
}

type cadenceDoc struct {
	Months int `json:"months"`
}

type sweepDoc struct {
	Day string `json:"day"`
}

// versionID is the document id of one model version: the offering
// reference, "@" and the version zero-padded so ids sort in order.
func versionID(ref string, v int) string { return fmt.Sprintf("%s@%06d", ref, v) }

// recordModelVersion appends a new model version of an offering when its
// statements differ from before (or it is new).
func recordModelVersion(ctx context.Context, tx remit.Tx, ch change, ref string, before *remit.Offering, after *remit.Offering) error {
	if before != nil {
		a, err1 := encode(after.Statements)
		b, err2 := encode(before.Statements)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if bytes.Equal(a, b) {
			return nil
		}
	}
	n, err := countVersions(ctx, tx, ref)
	if err != nil {
		return err
	}
	v := remit.OfferingVersion{Offering: ref, Version: n + 1, At: ch.now.UTC(), Actor: ch.actor, Statements: after.Statements}
	if v.Statements == nil {
		v.Statements = []remit.Statement{}
	}
	body, err := encode(v)
	if err != nil {
		return err
	}
	// Model versions are history, not changes of their own: the change to
	// the offering is the audit record.
	_, err = tx.CreateDocument(ctx, KindOfferingVersion, versionID(ref, v.Version), body, ch.now)
	return err
}

// countVersions is how many model versions an offering has: they are
// numbered from 1 and never deleted, so counting them (ids only, no
// bodies) gives the last number.
func countVersions(ctx context.Context, tx remit.Tx, ref string) (int, error) {
	return tx.Count(ctx, KindOfferingVersion, ref+"@")
}
