// Package storetest is the one conformance suite every remit.Store must
// pass: the SQLite store always, the PostgreSQL store when
// REMIT_TEST_POSTGRES_URL is set.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/remit"
	"remit/internal/synth"
	"remit/internal/workspace"
)

// Harness gives the suite fresh stores and raw access to their database.
type Harness struct {
	// Open returns a new, empty store, closed when the test ends.
	Open func(t *testing.T) remit.Store
	// Exec runs raw SQL against the store's database, to play the part of
	// someone tampering with it.
	Exec func(t *testing.T, s remit.Store, query string, args ...any)
}

// ExampleDir is the example estate, relative to a store package's tests.
const ExampleDir = "../../examples/justice"

var now = time.Date(2026, 11, 29, 9, 30, 0, 123456000, time.UTC)

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	t.Run("Documents", func(t *testing.T) { testDocuments(t, h) })
	t.Run("RollbackLeavesNothing", func(t *testing.T) { testRollback(t, h) })
	t.Run("ConcurrentUpdatesOneWins", func(t *testing.T) { testConcurrentUpdates(t, h) })
	t.Run("ImportExampleRoundTrip", func(t *testing.T) { testRoundTrip(t, h, load(t)) })
	t.Run("ImportSyntheticSRoundTrip", func(t *testing.T) {
		if testing.Short() {
			t.Skip("short mode")
		}
		testRoundTrip(t, h, synth.Estate(synth.S, 1))
	})
	t.Run("ImportPlanAndDryRun", func(t *testing.T) { testPlan(t, h) })
	t.Run("ModelVersions", func(t *testing.T) { testModelVersions(t, h) })
	t.Run("AuditChain", func(t *testing.T) { testAudit(t, h) })
	t.Run("EvidenceFiles", func(t *testing.T) { testEvidence(t, h) })
	t.Run("SupplierAssessment", func(t *testing.T) { testSupplierAssessment(t, h) })
	t.Run("StandardsAssuranceTable", func(t *testing.T) { testSAT(t, h) })
	t.Run("SupplierPortal", func(t *testing.T) { testPortal(t, h) })
	t.Run("RiskLifecycle", func(t *testing.T) { testRisk(t, h) })
}

func load(t *testing.T) *remit.Workspace {
	t.Helper()
	ws, err := workspace.Load(ExampleDir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func testDocuments(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	err := s.Write(ctx, func(tx remit.Tx) error {
		for _, id := range []string{"b", "a", "c"} {
			d, err := tx.CreateDocument(ctx, remit.KindSystem, id, []byte(`{"id":"`+id+`"}`), now)
			if err != nil {
				return err
			}
			if d.Version != 1 {
				t.Errorf("created %s at version %d, want 1", id, d.Version)
			}
		}
		if _, err := tx.CreateDocument(ctx, remit.KindSystem, "a", []byte(`{}`), now); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("creating a duplicate: %v, want ErrConflict", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, remit.KindSystem, "")
		if err != nil {
			return err
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
			t.Errorf("documents in id order (-want +got):\n%s", diff)
		}
		if !docs[0].UpdatedAt.Equal(now) {
			t.Errorf("updated_at = %v, want %v exactly", docs[0].UpdatedAt, now)
		}
		d, err := tx.UpdateDocument(ctx, remit.KindSystem, "a", []byte(`{"id":"a","name":"A"}`), 1, now)
		if err != nil {
			return err
		}
		if d.Version != 2 {
			t.Errorf("updated to version %d, want 2", d.Version)
		}
		if _, err := tx.UpdateDocument(ctx, remit.KindSystem, "a", []byte(`{}`), 1, now); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("update with a stale version: %v, want ErrConflict", err)
		}
		if _, err := tx.UpdateDocument(ctx, remit.KindSystem, "zz", []byte(`{}`), 1, now); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("update of a missing document: %v, want ErrNotFound", err)
		}
		if err := tx.DeleteDocument(ctx, remit.KindSystem, "b", 7); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("delete with a stale version: %v, want ErrConflict", err)
		}
		if err := tx.DeleteDocument(ctx, remit.KindSystem, "b", 1); err != nil {
			return err
		}
		if _, err := tx.FindDocument(ctx, remit.KindSystem, "b"); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("find after delete: %v, want ErrNotFound", err)
		}
		got, err := tx.FindDocument(ctx, remit.KindSystem, "a")
		if err != nil {
			return err
		}
		if string(got.Body) != `{"id":"a","name":"A"}` || got.Version != 2 {
			t.Errorf("found %s at version %d", got.Body, got.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testRollback(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx remit.Tx) error {
		if _, err := tx.CreateDocument(ctx, remit.KindSystem, "x", []byte(`{}`), now); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the function's error", err)
	}
	_ = s.Read(ctx, func(tx remit.Tx) error {
		if _, err := tx.FindDocument(ctx, remit.KindSystem, "x"); !errors.Is(err, remit.ErrNotFound) {
			t.Errorf("a document written in a failed transaction is there: %v", err)
		}
		return nil
	})
}

func testConcurrentUpdates(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	if err := s.Write(ctx, func(tx remit.Tx) error {
		_, err := tx.CreateDocument(ctx, remit.KindObligation, "o", []byte(`{}`), now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Write(ctx, func(tx remit.Tx) error {
				_, err := tx.UpdateDocument(ctx, remit.KindObligation, "o", []byte(fmt.Sprintf(`{"writer":%d}`, i)), 1, now)
				return err
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, remit.ErrConflict):
			t.Errorf("a losing writer got %v, want ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d writers quoting version 1 succeeded, want exactly 1", won)
	}
}

// testRoundTrip imports a workspace, exports it, imports the export into
// an empty store and exports again: the files are byte-identical, and
// re-importing changes nothing.
func testRoundTrip(t *testing.T, h Harness, ws *remit.Workspace) {
	ctx := context.Background()
	first := h.Open(t)
	if _, err := remit.Import(ctx, first, ws, "tester", now, false); err != nil {
		t.Fatal(err)
	}
	exported, err := remit.Export(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	filesA := workspace.Files(exported)
	sameFiles(t, "what was imported", workspace.Files(ws), "its export", filesA)
	again, err := workspace.LoadFS(mapFS(filesA), "exported")
	if err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	second := h.Open(t)
	if _, err := remit.Import(ctx, second, again, "tester", now, false); err != nil {
		t.Fatal(err)
	}
	exported2, err := remit.Export(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "the first export", filesA, "the second", workspace.Files(exported2))
	plan, err := remit.Import(ctx, second, again, "tester", now, false)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("re-importing the same workspace planned %d changes, want none: %+v", len(plan.Changes), plan.Changes[:min(5, len(plan.Changes))])
	}
}

func testPlan(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ws := load(t)
	plan, err := remit.Import(ctx, s, ws, "tester", now, true)
	if err != nil {
		t.Fatal(err)
	}
	offerings := 0
	for _, p := range ws.Providers {
		offerings += len(p.Offerings)
	}
	want := map[remit.Kind]int{remit.KindWorkspace: 1, remit.KindCatalogue: len(ws.Catalogues), remit.KindProvider: len(ws.Providers),
		remit.KindOffering: offerings, remit.KindSystem: len(ws.Systems)}
	for kind, n := range want {
		if got := plan.Count(kind, "create"); got != n {
			t.Errorf("dry run plans %d %s creations, want %d", got, kind, n)
		}
	}
	if err := s.Read(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, remit.KindSystem, "")
		if len(docs) != 0 {
			t.Errorf("a dry run wrote %d systems", len(docs))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := remit.Import(ctx, s, ws, "tester", now, false); err != nil {
		t.Fatal(err)
	}
	// Change one system, drop another, add a third.
	changed := *ws
	changed.Systems = append([]remit.System(nil), ws.Systems...)
	changed.Systems[0].Owner = "Someone Else"
	dropped := changed.Systems[1].ID
	changed.Systems = append(changed.Systems[:1], changed.Systems[2:]...)
	added := changed.Systems[0]
	added.ID = "new-system"
	changed.Systems = append(changed.Systems, added)
	plan, err = remit.Import(ctx, s, &changed, "tester", now, false)
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := []remit.PlanChange{
		{Kind: remit.KindSystem, ID: "new-system", Action: "create"},
		{Kind: remit.KindSystem, ID: ws.Systems[0].ID, Action: "update"},
		{Kind: remit.KindSystem, ID: dropped, Action: "delete"},
	}
	if diff := cmp.Diff(wantChanges, plan.Changes, cmpSortChanges); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	// Bad input is refused whole.
	bad := changed
	bad.Systems = append([]remit.System(nil), changed.Systems...)
	bad.Systems[0].Uses = []remit.Use{{Offering: "nobody/nothing"}}
	bad.Name = "Renamed"
	if _, err := remit.Import(ctx, s, &bad, "tester", now, false); err == nil {
		t.Fatal("an invalid workspace was imported")
	}
	exported, err := remit.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if exported.Name != ws.Name {
		t.Errorf("a refused import changed the workspace name to %q", exported.Name)
	}
}

var cmpSortChanges = cmp.Transformer("sort", func(in []remit.PlanChange) map[string]string {
	out := map[string]string{}
	for _, c := range in {
		out[string(c.Kind)+"/"+c.ID] = c.Action
	}
	return out
})

func testModelVersions(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ws := load(t)
	if _, err := remit.Import(ctx, s, ws, "tester", now, false); err != nil {
		t.Fatal(err)
	}
	versions := func(ref string) []remit.OfferingVersion {
		var vs []remit.OfferingVersion
		if err := s.Read(ctx, func(tx remit.Tx) error {
			var err error
			vs, err = remit.OfferingVersions(ctx, tx, ref)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return vs
	}
	if vs := versions("casetrack/casetrack-cloud"); len(vs) != 1 || vs[0].Version != 1 {
		t.Fatalf("after the first import: %d versions", len(vs))
	}
	// Renaming the offering is not a new model version; changing a
	// statement is.
	changed := *ws
	changed.Providers = append([]remit.Provider(nil), ws.Providers...)
	for i, p := range changed.Providers {
		if p.ID != "casetrack" {
			continue
		}
		p.Offerings = append([]remit.Offering(nil), p.Offerings...)
		p.Offerings[0].Name = "CaseTrack Cloud (renamed)"
		changed.Providers[i] = p
	}
	if _, err := remit.Import(ctx, s, &changed, "tester", now, false); err != nil {
		t.Fatal(err)
	}
	if vs := versions("casetrack/casetrack-cloud"); len(vs) != 1 {
		t.Errorf("a rename made %d versions, want 1", len(vs))
	}
	for i, p := range changed.Providers {
		if p.ID != "casetrack" {
			continue
		}
		st := append([]remit.Statement(nil), p.Offerings[0].Statements...)
		st[0].Provider = "Now says something else."
		p.Offerings[0].Statements = st
		changed.Providers[i] = p
	}
	if _, err := remit.Import(ctx, s, &changed, "editor", now.Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	vs := versions("casetrack/casetrack-cloud")
	if len(vs) != 2 || vs[1].Version != 2 || vs[1].Actor != "editor" || vs[1].Statements[0].Provider != "Now says something else." {
		t.Errorf("after a statement change: %+v", vs)
	}
	if vs[0].Statements[0].Provider == "Now says something else." {
		t.Error("the first version was changed: history must be kept as it was")
	}
}

func testAudit(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ws := load(t)
	if _, err := remit.Import(ctx, s, ws, "alice@example.gov.uk", now, false); err != nil {
		t.Fatal(err)
	}
	n, err := remit.VerifyAudit(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if n < len(ws.Systems) {
		t.Fatalf("verified %d records, want at least one per system", n)
	}
	var recs []remit.AuditRecord
	if err := s.Read(ctx, func(tx remit.Tx) error {
		var err error
		recs, err = tx.AuditRecords(ctx, remit.AuditFilter{Kind: remit.KindSystem, ID: "legacy-fines"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != "create" || recs[0].Actor != "alice@example.gov.uk" || !recs[0].At.Equal(now.Truncate(time.Microsecond)) || len(recs[0].After) == 0 || recs[0].Before != nil {
		t.Fatalf("audit for legacy-fines: %+v", recs)
	}
	seq := recs[0].Seq

	// Newest first, before a sequence number, limited: the page before
	// seq, latest first.
	var page []remit.AuditRecord
	if err := s.Read(ctx, func(tx remit.Tx) error {
		var err error
		page, err = tx.AuditRecords(ctx, remit.AuditFilter{BeforeSeq: seq, Newest: true, Limit: 3})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, r := range page {
		seqs = append(seqs, r.Seq)
	}
	if want := []int64{seq - 1, seq - 2, seq - 3}; seq > 3 && !slices.Equal(seqs, want) {
		t.Fatalf("newest 3 before %d: got seqs %v, want %v", seq, seqs, want)
	}

	// Editing a record's content is detected at that record.
	h.Exec(t, s, `UPDATE audit SET actor = 'mallory' WHERE seq = $1`, seq)
	_, err = remit.VerifyAudit(ctx, s)
	var broken *remit.AuditBrokenError
	if !errors.As(err, &broken) || broken.Seq != seq || broken.Reason != "its content does not match its hash" {
		t.Fatalf("after editing record %d: %v", seq, err)
	}
	h.Exec(t, s, `UPDATE audit SET actor = 'alice@example.gov.uk' WHERE seq = $1`, seq)
	if _, err := remit.VerifyAudit(ctx, s); err != nil {
		t.Fatalf("after restoring record %d: %v", seq, err)
	}
	// Deleting a record is detected where the gap is.
	h.Exec(t, s, `DELETE FROM audit WHERE seq = $1`, seq)
	_, err = remit.VerifyAudit(ctx, s)
	if !errors.As(err, &broken) || broken.Seq != seq {
		t.Fatalf("after deleting record %d: %v", seq, err)
	}
}

// sameFiles fails unless two sets of workspace files are byte-identical,
// showing the first differing file as text.
func sameFiles(t *testing.T, aName string, a map[string][]byte, bName string, b map[string][]byte) {
	t.Helper()
	for name, x := range a {
		y, ok := b[name]
		switch {
		case !ok:
			t.Fatalf("%s has %s, %s does not", aName, name, bName)
		case !bytes.Equal(x, y):
			t.Fatalf("%s differs between %s and %s (-%s +%s):\n%s", name, aName, bName, aName, bName, cmp.Diff(string(x), string(y)))
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Fatalf("%s has %s, %s does not", bName, name, aName)
		}
	}
}

// testEvidence stores evidence with a binary file (NUL bytes, invalid
// UTF-8), reads it back byte for byte with its sniffed type and hash,
// refuses bad evidence writing nothing, and detects a file changed behind
// Remit's back.
func testEvidence(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	pdf := append([]byte("%PDF-1.7\n"), 0, 0xff, 0xfe, 0, 'x')
	ev := remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO 27001", Issuer: "EY CertifyPoint", Issued: "2026-01-10", Expires: "2027-01-10",
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}
	got, err := remit.AddEvidence(ctx, s, ev, "C:\\certs\\aws-iso.pdf", pdf, "alice@example.gov.uk", now)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	want := remit.EvidenceFile{Name: "aws-iso.pdf", Size: int64(len(pdf)), Type: "application/pdf", SHA256: hex.EncodeToString(sum[:])}
	if got.File == nil || *got.File != want || !strings.HasPrefix(got.ID, "ev-") || got.AddedBy != "alice@example.gov.uk" {
		t.Fatalf("added: %+v", got)
	}
	read, content, err := remit.EvidenceContent(ctx, s, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, pdf) || read.Title != ev.Title {
		t.Fatalf("read back %q (%q), want %q", content, read.Title, pdf)
	}

	// Bad evidence: every problem at once, nothing written.
	bad := remit.Evidence{Kind: "certificate", Expires: "soon"}
	_, err = remit.AddEvidence(ctx, s, bad, "x.pdf", make([]byte, remit.MaxEvidenceFile+1), "alice@example.gov.uk", now)
	var ve *remit.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 4 {
		t.Fatalf("bad evidence: %v", err)
	}
	var all []remit.Evidence
	if err := s.Read(ctx, func(tx remit.Tx) error { all, err = remit.AllEvidence(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("after a refused add there are %d pieces of evidence, want 1", len(all))
	}

	// A file changed behind Remit's back is never served.
	h.Exec(t, s, `UPDATE documents SET body = $1 WHERE kind = 'evidence-file' AND id = $2`, []byte("%PDF-1.7 forged"), got.ID)
	if _, _, err := remit.EvidenceContent(ctx, s, got.ID); !errors.Is(err, remit.ErrIntegrity) {
		t.Fatalf("tampered file: %v, want ErrIntegrity", err)
	}
}

// testSupplierAssessment walks an assessment's life: started, a principle
// saved (bad answers refused, nothing written), completion refused to an
// editor and while principles lack a result, completed by an assessor
// with its verdicts, and never changed after.
func testSupplierAssessment(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	q := &remit.Questionnaire{Template: "t", Version: 1, Title: "Test principles", Principles: []remit.Principle{
		{Control: "ncsc-csp:CSP-01", Title: "In transit", Controls: []string{"srm:SRM-15"}, Questions: []remit.Question{{ID: "01-Q1", Type: "yes-no"}, {ID: "01-Q2", Type: "choice", Options: []string{"TLS 1.3", "TLS 1.2"}}}},
		{Control: "ncsc-csp:CSP-02", Title: "Assets", Questions: []remit.Question{{ID: "02-Q1", Type: "date"}}},
	}}
	a, err := remit.StartSupplierAssessment(ctx, s, q, "casetrack/casetrack-cloud", "alice@example.gov.uk", now)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != remit.AssessmentInProgress || len(a.Principles) != 2 {
		t.Fatalf("started: %+v", a)
	}
	bad := remit.PrincipleAssessment{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"01-Q1": "maybe", "01-Q2": "SSL 3"}, Result: remit.NotMet}
	_, err = remit.SaveAssessedPrinciple(ctx, s, q, a.ID, bad, 1, "alice@example.gov.uk", now)
	var ve *remit.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("bad answers: %v", err)
	}
	v, err := remit.SaveAssessedPrinciple(ctx, s, q, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"01-Q1": "yes", "01-Q2": "TLS 1.2"}, Result: remit.Met}, 1, "alice@example.gov.uk", now)
	if err != nil || v != 2 {
		t.Fatalf("save: %d %v", v, err)
	}
	editor := remit.Principal{Email: "eddie@example.gov.uk", Role: remit.RoleEditor}
	assessor := remit.Principal{Email: "ash@example.gov.uk", Role: remit.RoleAssessor}
	if _, err := remit.CompleteSupplierAssessment(ctx, s, q, a.ID, editor, "Fine.", "2027-11-29", 2, now); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("an editor completes: %v", err)
	}
	if _, err := remit.CompleteSupplierAssessment(ctx, s, q, a.ID, assessor, "Fine.", "2027-11-29", 2, now); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "1 principles have no result yet: ncsc-csp:CSP-02") {
		t.Fatalf("complete with a principle unassessed: %v", err)
	}
	if v, err = remit.SaveAssessedPrinciple(ctx, s, q, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-02", Result: remit.PartlyMet, Rationale: "No asset register."}, 2, "alice@example.gov.uk", now); err != nil {
		t.Fatal(err)
	}
	if v, err = remit.CompleteSupplierAssessment(ctx, s, q, a.ID, assessor, "Acceptable with one gap.", "2027-11-29", v, now); err != nil {
		t.Fatal(err)
	}
	var got remit.SupplierAssessment
	if err := s.Read(ctx, func(tx remit.Tx) error { got, _, err = remit.FindSupplierAssessment(ctx, tx, a.ID); return err }); err != nil {
		t.Fatal(err)
	}
	var verdicts []string
	for _, vd := range got.Verdicts {
		verdicts = append(verdicts, vd.Control+"="+string(vd.Result))
	}
	if got.Status != remit.AssessmentCompleted || got.SignedOffBy != "ash@example.gov.uk" || got.ValidUntil != "2027-11-29" ||
		!slices.Equal(verdicts, []string{"ncsc-csp:CSP-01=met", "srm:SRM-15=met", "ncsc-csp:CSP-02=partly-met"}) {
		t.Fatalf("completed: %+v (verdicts %v)", got, verdicts)
	}
	if _, err := remit.SaveAssessedPrinciple(ctx, s, q, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-02", Result: remit.Met}, v, "alice@example.gov.uk", now); !errors.Is(err, remit.ErrConflict) {
		t.Fatalf("changing a completed assessment: %v", err)
	}
}

// testSAT publishes a template version that adds an objective (and
// refuses one that edits), then walks a SAT: entries saved all or none,
// sign-off refused to an editor and while objectives lack evidence, then
// completed with its verdicts and never changed after.
func testSAT(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	v1 := &remit.SATTemplate{Template: "sat", Version: 1, Objectives: []remit.Objective{
		{ID: "SAT-01", Category: "identify", Title: "Assets", Objective: "Assets are known.", Controls: []string{"srm:SRM-25"}},
		{ID: "SAT-02", Category: "protect", Title: "Patching", Objective: "Systems are patched.", Controls: []string{"srm:SRM-03"}},
	}}
	v2 := *v1
	v2.Version = 2
	v2.Objectives = append(slices.Clone(v1.Objectives), remit.Objective{ID: "SAT-40", Category: "recover", Title: "Restore", Objective: "Backups restore.", Controls: []string{"srm:SRM-21"}})
	if err := remit.PublishSATTemplate(ctx, s, v1, &v2, "alice@example.gov.uk", now); err != nil {
		t.Fatal(err)
	}
	edited := v2
	edited.Version = 3
	edited.Objectives = slices.Clone(v2.Objectives)
	edited.Objectives[0].Objective = "Assets are known and owned."
	var ve *remit.ValidationError
	if err := remit.PublishSATTemplate(ctx, s, v1, &edited, "alice@example.gov.uk", now); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "objective SAT-01 is edited in place") {
		t.Fatalf("an edit in place: %v", err)
	}
	var cur *remit.SATTemplate
	if err := s.Read(ctx, func(tx remit.Tx) error { var err error; cur, err = remit.CurrentSATTemplate(ctx, tx, v1); return err }); err != nil {
		t.Fatal(err)
	}
	if cur.Version != 2 || len(cur.Objectives) != 3 {
		t.Fatalf("current template: v%d with %d objectives", cur.Version, len(cur.Objectives))
	}

	sat, err := remit.StartSAT(ctx, s, cur, "prison-visits", "alice@example.gov.uk", now)
	if err != nil || len(sat.Entries) != 3 {
		t.Fatalf("start: %v %+v", err, sat)
	}
	fifteen, eleven := 15, 11
	if _, err := remit.SaveSATEntries(ctx, s, cur, sat.ID, []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: &eleven}, {Objective: "SAT-02", Evidence: "mostly", Confidence: &fifteen}}, 1, "alice@example.gov.uk", now); !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("bad entries: %v", err)
	}
	v, err := remit.SaveSATEntries(ctx, s, cur, sat.ID, []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: &eleven}, {Objective: "SAT-02", Evidence: "not-held"}}, 1, "alice@example.gov.uk", now)
	if err != nil || v != 2 {
		t.Fatalf("save: %d %v", v, err)
	}
	if _, err := remit.CompleteSAT(ctx, s, cur, sat.ID, remit.Principal{Email: "e@example.gov.uk", Role: remit.RoleEditor}, v, now); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("an editor signs off: %v", err)
	}
	assessor := remit.Principal{Email: "ash@example.gov.uk", Role: remit.RoleAssessor}
	if _, err := remit.CompleteSAT(ctx, s, cur, sat.ID, assessor, v, now); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "1 objectives have no evidence level yet: SAT-40") {
		t.Fatalf("incomplete: %v", err)
	}
	if v, err = remit.SaveSATEntries(ctx, s, cur, sat.ID, []remit.SATEntry{{Objective: "SAT-40", Evidence: "n/a"}}, v, "alice@example.gov.uk", now); err != nil {
		t.Fatal(err)
	}
	if v, err = remit.CompleteSAT(ctx, s, cur, sat.ID, assessor, v, now); err != nil {
		t.Fatal(err)
	}
	var got remit.SAT
	if err := s.Read(ctx, func(tx remit.Tx) error { got, _, err = remit.FindSAT(ctx, tx, sat.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Status != remit.AssessmentCompleted || got.Assessor != "ash@example.gov.uk" || got.Verdicts["srm:SRM-25"] != "held" || got.Verdicts["srm:SRM-03"] != "not-held" || got.Verdicts["srm:SRM-21"] != "n/a" {
		t.Fatalf("completed: %+v", got)
	}
	if _, err := remit.SaveSATEntries(ctx, s, cur, sat.ID, []remit.SATEntry{{Objective: "SAT-02", Evidence: "held"}}, v, "alice@example.gov.uk", now); !errors.Is(err, remit.ErrConflict) {
		t.Fatalf("changing a completed SAT: %v", err)
	}
}

// testPortal walks a supplier's link: made only by an assessor; a wrong
// secret opens nothing; answers saved (never a result); evidence fixed to
// the link's offering; nothing changes after submitting or expiry until
// the assessor returns the answers; accepted, the link is spent.
func testPortal(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	q := &remit.Questionnaire{Template: "t", Version: 1, Title: "Test", Principles: []remit.Principle{
		{Control: "ncsc-csp:CSP-01", Title: "In transit", Questions: []remit.Question{{ID: "01-Q1", Type: "yes-no"}, {ID: "01-Q2", Type: "text"}}},
	}}
	a, err := remit.StartSupplierAssessment(ctx, s, q, "casetrack/casetrack-cloud", "ash@example.gov.uk", now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := remit.StartSupplierAssessment(ctx, s, q, "aws/ec2", "ash@example.gov.uk", now)
	if err != nil {
		t.Fatal(err)
	}
	assessor := remit.Principal{Email: "ash@example.gov.uk", Role: remit.RoleAssessor}
	if _, _, err := remit.CreatePortalLink(ctx, s, a.ID, 14*24*time.Hour, remit.Principal{Email: "e@example.gov.uk", Role: remit.RoleEditor}, now); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("an editor makes a link: %v", err)
	}
	link, secret, err := remit.CreatePortalLink(ctx, s, a.ID, 14*24*time.Hour, assessor, now)
	if err != nil || !strings.HasPrefix(secret, "rp_"+link.ID+"_") {
		t.Fatalf("link: %v %q", err, secret)
	}
	for _, wrong := range []string{"", "rp_" + link.ID + "_guess", strings.Replace(secret, "rp_", "rq_", 1), "rp_ffffffffffff_" + secret[len("rp_"+link.ID+"_"):]} {
		if err := s.Read(ctx, func(tx remit.Tx) error { _, _, err := remit.OpenPortalLink(ctx, tx, wrong); return err }); !errors.Is(err, remit.ErrBadCredentials) {
			t.Errorf("secret %q: %v", wrong, err)
		}
	}
	if _, err := remit.SavePortalAnswers(ctx, s, q, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "maybe"}}, now); err == nil {
		t.Error("a bad answer was taken")
	}
	if _, err := remit.SavePortalAnswers(ctx, s, q, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "yes", "01-Q2": "TLS 1.3 everywhere."}}, now); err != nil {
		t.Fatal(err)
	}
	ev, err := remit.AddPortalEvidence(ctx, s, secret, "ncsc-csp:CSP-01", remit.Evidence{Kind: remit.EvidencePenTest, Title: "Our 2026 pen test", Expires: "2027-06-01",
		Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "pentest.pdf", []byte("%PDF-1.7 report"), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Supports) != 1 || ev.Supports[0].Ref != "casetrack/casetrack-cloud" || ev.AddedBy != "supplier via portal link "+link.ID {
		t.Errorf("supplier evidence: %+v", ev)
	}
	var got, untouched remit.SupplierAssessment
	read := func() {
		if err := s.Read(ctx, func(tx remit.Tx) error {
			var err error
			if got, _, err = remit.FindSupplierAssessment(ctx, tx, a.ID); err != nil {
				return err
			}
			untouched, _, err = remit.FindSupplierAssessment(ctx, tx, other.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	read()
	pa, _ := got.Principle("ncsc-csp:CSP-01")
	if pa.Answers["01-Q1"] != "yes" || pa.Result != "" || !slices.Equal(pa.Evidence, []string{ev.ID}) {
		t.Errorf("the assessment after the supplier's answers: %+v", pa)
	}
	if op, _ := untouched.Principle("ncsc-csp:CSP-01"); len(op.Answers) != 0 || len(op.Evidence) != 0 {
		t.Errorf("another assessment changed through the link: %+v", op)
	}
	if _, err := remit.SubmitPortal(ctx, s, secret, now); err != nil {
		t.Fatal(err)
	}
	if _, err := remit.SavePortalAnswers(ctx, s, q, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "no"}}, now); !errors.Is(err, remit.ErrLinkClosed) {
		t.Errorf("answering after submitting: %v", err)
	}
	if err := remit.ReviewPortal(ctx, s, link.ID, false, "", assessor, now); err == nil {
		t.Error("returned without a note")
	}
	if err := remit.ReviewPortal(ctx, s, link.ID, false, "Please attach your ISO certificate.", assessor, now); err != nil {
		t.Fatal(err)
	}
	if _, err := remit.SavePortalAnswers(ctx, s, q, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q2": "TLS 1.3; certificate attached."}}, now); err != nil {
		t.Errorf("answering after a return: %v", err)
	}
	if _, err := remit.SavePortalAnswers(ctx, s, q, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "yes"}}, now.Add(15*24*time.Hour)); !errors.Is(err, remit.ErrLinkClosed) {
		t.Errorf("answering after expiry: %v", err)
	}
	if _, err := remit.SubmitPortal(ctx, s, secret, now); err != nil {
		t.Fatal(err)
	}
	if err := remit.ReviewPortal(ctx, s, link.ID, true, "", assessor, now); err != nil {
		t.Fatal(err)
	}
	if _, err := remit.SubmitPortal(ctx, s, secret, now); !errors.Is(err, remit.ErrLinkClosed) {
		t.Errorf("a spent link: %v", err)
	}
}

// testRisk walks a risk: recorded (not by a viewer, never as accepted),
// rescored with its history kept, accepted only by a risk owner with a
// rationale and a future review day, never when it is a legal breach,
// and treated again (which ends the acceptance).
func testRisk(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	editor := remit.Principal{Email: "eddie@example.gov.uk", Role: remit.RoleEditor}
	owner := remit.Principal{Email: "rita@example.gov.uk", Role: remit.RoleRiskOwner}
	for _, u := range []remit.User{{Email: editor.Email, Role: editor.Role}, {Email: owner.Email, Role: owner.Role}} {
		if _, err := remit.AddUser(ctx, s, u, "correct horse battery", "test", now); err != nil {
			t.Fatal(err)
		}
	}
	r := remit.Risk{Title: "CaseTrack unassured for access control", Category: "supplier", Confidentiality: 4, Inherent: remit.Score{Likelihood: 3, Impact: 4}, Residual: remit.Score{Likelihood: 2, Impact: 4}, Treatment: "reduce", Owner: owner.Email}
	// Its owner must be an account with the risk-owner role.
	for owner, want := range map[string]string{editor.Email: "is an editor, not a risk owner", "nobody@example.gov.uk": "is not an account"} {
		bad := r
		bad.Owner = owner
		var ve *remit.ValidationError
		if _, err := remit.AddRisk(ctx, s, bad, editor, now); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/owner" || !strings.Contains(ve.Error(), want) {
			t.Fatalf("owner %s: %v", owner, err)
		}
	}
	if _, err := remit.AddRisk(ctx, s, r, remit.Principal{Email: "v@example.gov.uk", Role: remit.RoleViewer}, now); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("a viewer records a risk: %v", err)
	}
	accepted := r
	accepted.Status = remit.RiskAccepted
	var ve *remit.ValidationError
	if _, err := remit.AddRisk(ctx, s, accepted, editor, now); !errors.As(err, &ve) {
		t.Fatalf("recorded as accepted: %v", err)
	}
	r, err := remit.AddRisk(ctx, s, r, editor, now)
	if err != nil {
		t.Fatal(err)
	}
	r.Residual = remit.Score{Likelihood: 1, Impact: 4}
	v, err := remit.UpdateRisk(ctx, s, r, 1, editor, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remit.AcceptRisk(ctx, s, r.ID, "Tolerable until the new supplier contract.", "2027-06-01", v, editor, now); !errors.Is(err, remit.ErrForbidden) {
		t.Fatalf("an editor accepts: %v", err)
	}
	if _, err := remit.AcceptRisk(ctx, s, r.ID, " ", "2020-01-01", v, owner, now); !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("accept without a rationale, until a past day: %v", err)
	}
	if v, err = remit.AcceptRisk(ctx, s, r.ID, "Tolerable until the new supplier contract.", "2027-06-01", v, owner, now); err != nil {
		t.Fatal(err)
	}
	var got remit.Risk
	if err := s.Read(ctx, func(tx remit.Tx) error { got, _, err = remit.FindRisk(ctx, tx, r.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Status != remit.RiskAccepted || got.Acceptance == nil || got.Acceptance.By != owner.Email || len(got.History) != 2 || got.History[1].Residual.Likelihood != 1 {
		t.Fatalf("accepted: %+v", got)
	}
	// Legal breaches are never accepted.
	breach := remit.Risk{Title: "Personal data kept past its legal limit", Category: "legal-regulatory", LegalBreach: true, Inherent: remit.Score{Likelihood: 2, Impact: 5}}
	if breach, err = remit.AddRisk(ctx, s, breach, editor, now); err != nil {
		t.Fatal(err)
	}
	if _, err := remit.AcceptRisk(ctx, s, breach.ID, "Costly to fix.", "2027-06-01", 1, owner, now); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "cannot be accepted") {
		t.Fatalf("accepting a legal breach: %v", err)
	}
	// Flagging an accepted risk as a legal breach is refused unless its
	// acceptance ends too.
	flagged := got
	flagged.LegalBreach = true
	if _, err := remit.UpdateRisk(ctx, s, flagged, v, editor, now); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "cannot stay accepted") {
		t.Fatalf("an accepted risk flagged as a legal breach: %v", err)
	}
	// Treating it again ends the acceptance.
	got.Status = remit.RiskTreating
	if _, err := remit.UpdateRisk(ctx, s, got, v, editor, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Read(ctx, func(tx remit.Tx) error { got, _, err = remit.FindRisk(ctx, tx, r.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Acceptance != nil || got.Status != remit.RiskTreating {
		t.Fatalf("treated again: %+v", got)
	}
}
