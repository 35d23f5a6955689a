package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/storetest"
	"remit/internal/synth"
	"remit/internal/workspace"
)

// TestImportRoundTrip imports a workspace, exports it, imports the export
// into an empty store and exports again: the files are byte-identical,
// and re-importing changes nothing.
func TestImportRoundTrip(t *testing.T) {
	for _, shape := range []string{"example", "synthetic S"} {
		t.Run(shape, func(t *testing.T) {
			if shape != "example" && testing.Short() {
				t.Skip("short mode")
			}
			eachStore(t, func(t *testing.T, st remit.Store) {
				ws := loadExample(t)
				if shape != "example" {
					ws = synth.Estate(synth.S, 1)
				}
				ctx := context.Background()
				if _, err := service.ImportWorkspace(ctx, st, admin, ws, start, false); err != nil {
					t.Fatal(err)
				}
				exported, err := service.Export(ctx, st)
				if err != nil {
					t.Fatal(err)
				}
				filesA := workspace.Files(exported)
				sameFiles(t, "what was imported", workspace.Files(ws), "its export", filesA)
				again, err := workspace.LoadFS(storetest.MapFS(filesA), "exported")
				if err != nil {
					t.Fatalf("the export does not load: %v", err)
				}
				second := stores[0].open(t)
				if _, err := service.ImportWorkspace(ctx, second, admin, again, start, false); err != nil {
					t.Fatal(err)
				}
				exported2, err := service.Export(ctx, second)
				if err != nil {
					t.Fatal(err)
				}
				sameFiles(t, "the first export", filesA, "the second", workspace.Files(exported2))
				plan, err := service.ImportWorkspace(ctx, second, admin, again, start, false)
				if err != nil {
					t.Fatal(err)
				}
				if !plan.Empty() {
					t.Errorf("re-importing the same workspace planned %d changes, want none: %+v", len(plan.Changes), plan.Changes[:min(5, len(plan.Changes))])
				}
			})
		})
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

var cmpSortChanges = cmp.Transformer("sort", func(in []service.PlanChange) map[string]string {
	out := map[string]string{}
	for _, c := range in {
		out[string(c.Kind)+"/"+c.ID] = c.Action
	}
	return out
})

// TestImportPlanAndDryRun shows the plan of an import, writes nothing on a
// dry run, applies only what changed, refuses bad input whole, and is an
// admin's alone.
func TestImportPlanAndDryRun(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := open(t, st, nil, nil)
		ws := loadExample(t)
		if _, err := f.svc.Import(ctx, editor, ws, false); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor imports a whole workspace: %v", err)
		}
		plan, err := f.svc.Import(ctx, admin, ws, true)
		if err != nil {
			t.Fatal(err)
		}
		offerings := 0
		for _, p := range ws.Providers {
			offerings += len(p.Offerings)
		}
		want := map[remit.Kind]int{service.KindWorkspace: 1, service.KindCatalogue: len(ws.Catalogues), service.KindProvider: len(ws.Providers),
			service.KindOffering: offerings, service.KindSystem: len(ws.Systems)}
		for kind, n := range want {
			if got := plan.Count(kind, "create"); got != n {
				t.Errorf("dry run plans %d %s creations, want %d", got, kind, n)
			}
		}
		if n := f.svc.Snapshot().NumSystems(); n != 0 {
			t.Errorf("a dry run shows %d systems", n)
		}
		if err := st.Read(ctx, func(tx remit.Tx) error {
			n, err := tx.Count(ctx, service.KindSystem, "")
			if n != 0 {
				t.Errorf("a dry run wrote %d systems", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Import(ctx, admin, ws, false); err != nil {
			t.Fatal(err)
		}
		if n := f.svc.Snapshot().NumSystems(); n != len(ws.Systems) {
			t.Errorf("after the import the snapshot shows %d systems, want %d", n, len(ws.Systems))
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
		plan, err = f.svc.Import(ctx, admin, &changed, false)
		if err != nil {
			t.Fatal(err)
		}
		wantChanges := []service.PlanChange{
			{Kind: service.KindSystem, ID: "new-system", Action: "create"},
			{Kind: service.KindSystem, ID: ws.Systems[0].ID, Action: "update"},
			{Kind: service.KindSystem, ID: dropped, Action: "delete"},
		}
		if diff := cmp.Diff(wantChanges, plan.Changes, cmpSortChanges); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		// Bad input is refused whole.
		bad := changed
		bad.Systems = append([]remit.System(nil), changed.Systems...)
		bad.Systems[0].Uses = []remit.Use{{Offering: "nobody/nothing"}}
		bad.Name = "Renamed"
		if _, err := f.svc.Import(ctx, admin, &bad, false); err == nil {
			t.Fatal("an invalid workspace was imported")
		}
		exported, err := f.svc.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if exported.Name != ws.Name {
			t.Errorf("a refused import changed the workspace name to %q", exported.Name)
		}
	})
}

// TestModelVersions keeps a model version per change of an offering's
// statements, never for a rename, and never rewrites history.
func TestModelVersions(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		const ref = "casetrack/casetrack-cloud"
		versions := func() []remit.OfferingVersion {
			vs, err := f.svc.OfferingVersions(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			return vs
		}
		if vs := versions(); len(vs) != 1 || vs[0].Version != 1 {
			t.Fatalf("after the first import: %d versions", len(vs))
		}
		o, v, err := f.svc.Offering(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		o.Name = "CaseTrack Cloud (renamed)"
		if v, err = f.svc.PutOffering(ctx, admin, "casetrack", o, v); err != nil {
			t.Fatal(err)
		}
		if vs := versions(); len(vs) != 1 {
			t.Errorf("a rename made %d versions, want 1", len(vs))
		}
		st0 := o.Statements[0]
		st0.Provider = "Now says something else."
		f.clock.Set(start.Add(time.Hour))
		if _, err := f.svc.SetStatement(ctx, editor, ref, st0, v); err != nil {
			t.Fatal(err)
		}
		vs := versions()
		if len(vs) != 2 || vs[1].Version != 2 || vs[1].Actor != editor.Email || vs[1].Statements[0].Provider != "Now says something else." || !vs[1].At.Equal(start.Add(time.Hour)) {
			t.Errorf("after a statement change: %+v", vs)
		}
		if vs[0].Statements[0].Provider == "Now says something else." {
			t.Error("the first version was changed: history must be kept as it was")
		}
	})
}

// TestEvidenceFiles stores evidence with a binary file, reads it back byte
// for byte with its sniffed type and hash, refuses bad evidence writing
// nothing, and never serves a file changed behind Remit's back.
func TestEvidenceFiles(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		pdf := append([]byte("%PDF-1.7\n"), 0, 0xff, 0xfe, 0, 'x')
		ev := remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO 27001", Issuer: "EY CertifyPoint", Issued: "2026-01-10", Expires: "2027-01-10",
			Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}
		if _, err := f.svc.AddEvidence(ctx, viewer, ev, "x.pdf", pdf); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("a viewer adds evidence: %v", err)
		}
		got, err := f.svc.AddEvidence(ctx, editor, ev, "C:\\certs\\aws-iso.pdf", pdf)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		want := remit.EvidenceFile{Name: "aws-iso.pdf", Size: int64(len(pdf)), Type: "application/pdf", SHA256: hex.EncodeToString(sum[:])}
		if got.File == nil || *got.File != want || !strings.HasPrefix(got.ID, "ev-") || got.AddedBy != editor.Email {
			t.Fatalf("added: %+v", got)
		}
		read, content, err := f.svc.EvidenceContent(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(content, pdf) || read.Title != ev.Title {
			t.Fatalf("read back %q (%q), want %q", content, read.Title, pdf)
		}
		if n := len(f.svc.Snapshot().AllEvidence()); n != 1 {
			t.Fatalf("the snapshot holds %d pieces of evidence, want 1", n)
		}

		// Bad evidence: every problem at once, nothing written.
		bad := remit.Evidence{Kind: "certificate", Expires: "soon"}
		_, err = f.svc.AddEvidence(ctx, editor, bad, "x.pdf", make([]byte, remit.MaxEvidenceFile+1))
		var ve *remit.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 4 {
			t.Fatalf("bad evidence: %v", err)
		}
		if err := st.Read(ctx, func(tx remit.Tx) error {
			n, err := tx.Count(ctx, service.KindEvidence, "")
			if n != 1 {
				t.Errorf("after a refused add the store holds %d pieces of evidence, want 1", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// A file changed behind Remit's back is never served.
		if err := st.Write(ctx, func(tx remit.Tx) error {
			_, err := tx.UpdateDocument(ctx, service.KindEvidenceFile, got.ID, []byte("%PDF-1.7 forged"), 1, start)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.EvidenceContent(ctx, got.ID); !errors.Is(err, remit.ErrIntegrity) {
			t.Fatalf("tampered file: %v, want ErrIntegrity", err)
		}
	})
}

// testQuestionnaire is a two-principle questionnaire for the flows.
var testQuestionnaire = &remit.Questionnaire{Template: "t", Version: 1, Title: "Test principles", Principles: []remit.Principle{
	{Control: "ncsc-csp:CSP-01", Title: "In transit", Controls: []string{"srm:SRM-15"}, Questions: []remit.Question{{ID: "01-Q1", Type: "yes-no"}, {ID: "01-Q2", Type: "choice", Options: []string{"TLS 1.3", "TLS 1.2"}}}},
	{Control: "ncsc-csp:CSP-02", Title: "Assets", Questions: []remit.Question{{ID: "02-Q1", Type: "date"}}},
}}

// TestSupplierAssessment walks an assessment's life: started, a principle
// saved (bad answers refused, nothing written), completion refused to an
// editor and while principles lack a result, completed by an assessor
// with its verdicts — which then assure the offering's obligations — and
// never changed after.
func TestSupplierAssessment(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, testQuestionnaire, nil)
		svc := f.svc
		if _, err := svc.StartAssessment(ctx, viewer, "casetrack/casetrack-cloud", ""); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("a viewer starts an assessment: %v", err)
		}
		var ve *remit.ValidationError
		if _, err := svc.StartAssessment(ctx, assessor, "casetrack/nothing", ""); !errors.As(err, &ve) || !strings.Contains(ve.Error(), `there is no offering "casetrack/nothing"`) {
			t.Fatalf("an assessment of an offering the estate lacks: %v", err)
		}
		a, err := svc.StartAssessment(ctx, assessor, "casetrack/casetrack-cloud", "")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != remit.AssessmentInProgress || len(a.Principles) != 2 {
			t.Fatalf("started: %+v", a)
		}
		bad := remit.PrincipleAssessment{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"01-Q1": "maybe", "01-Q2": "SSL 3"}, Result: remit.NotMet}
		if _, err = svc.SavePrinciple(ctx, assessor, a.ID, bad, 1); !errors.As(err, &ve) || len(ve.Problems) != 3 {
			t.Fatalf("bad answers: %v", err)
		}
		v, err := svc.SavePrinciple(ctx, editor, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-01", Answers: map[string]string{"01-Q1": "yes", "01-Q2": "TLS 1.2"}, Result: remit.Met}, 1)
		if err != nil || v != 2 {
			t.Fatalf("save: %d %v", v, err)
		}
		if _, err := svc.CompleteAssessment(ctx, editor, a.ID, "Fine.", "2027-11-29", 2); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor completes: %v", err)
		}
		if _, err := svc.CompleteAssessment(ctx, assessor, a.ID, "Fine.", "2027-11-29", 2); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "1 principles have no result yet: ncsc-csp:CSP-02") {
			t.Fatalf("complete with a principle unassessed: %v", err)
		}
		if v, err = svc.SavePrinciple(ctx, assessor, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-02", Result: remit.PartlyMet, Rationale: "No asset register."}, 2); err != nil {
			t.Fatal(err)
		}
		if v, err = svc.CompleteAssessment(ctx, assessor, a.ID, "Acceptable with one gap.", "2027-11-29", v); err != nil {
			t.Fatal(err)
		}
		got, _, err := svc.Assessment(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var verdicts []string
		for _, vd := range got.Verdicts {
			verdicts = append(verdicts, vd.Control+"="+string(vd.Result))
		}
		if got.Status != remit.AssessmentCompleted || got.SignedOffBy != assessor.Email || got.ValidUntil != "2027-11-29" ||
			!slices.Equal(verdicts, []string{"ncsc-csp:CSP-01=met", "srm:SRM-15=met", "ncsc-csp:CSP-02=partly-met"}) {
			t.Fatalf("completed: %+v (verdicts %v)", got, verdicts)
		}
		// The snapshot holds the signed-off assessment: it now assures
		// the offering's provider obligation for SRM-15.
		sn := svc.Snapshot()
		if as := sn.Assessments(); len(as) != 1 || as[0].Status != remit.AssessmentCompleted {
			t.Fatalf("the snapshot's assessments: %+v", as)
		}
		assurance := sn.Evidence().Assure(remit.ObligationRef{Control: "srm:SRM-15", Offering: "casetrack/casetrack-cloud"}, f.clock.Now())
		if assurance.Status != remit.Assured || assurance.Assessment != a.ID {
			t.Errorf("SRM-15 of casetrack after sign-off: %+v", assurance)
		}
		if _, err := svc.SavePrinciple(ctx, assessor, a.ID, remit.PrincipleAssessment{Control: "ncsc-csp:CSP-02", Result: remit.Met}, v); !errors.Is(err, remit.ErrConflict) {
			t.Fatalf("changing a completed assessment: %v", err)
		}
	})
}

// TestStandardsAssuranceTable publishes a template version that adds an
// objective (and refuses one that edits), then walks a SAT: entries saved
// all or none, sign-off refused to an editor and while objectives lack
// evidence, then completed with its verdicts and never changed after.
func TestStandardsAssuranceTable(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		v1 := &remit.SATTemplate{Template: "sat", Version: 1, Objectives: []remit.Objective{
			{ID: "SAT-01", Category: "identify", Title: "Assets", Objective: "Assets are known.", Controls: []string{"srm:SRM-25"}},
			{ID: "SAT-02", Category: "protect", Title: "Patching", Objective: "Systems are patched.", Controls: []string{"srm:SRM-03"}},
		}}
		f := withExample(t, st, nil, v1)
		svc := f.svc
		v2 := *v1
		v2.Version = 2
		v2.Objectives = append(slices.Clone(v1.Objectives), remit.Objective{ID: "SAT-40", Category: "recover", Title: "Restore", Objective: "Backups restore.", Controls: []string{"srm:SRM-21"}})
		if err := svc.PublishSATTemplate(ctx, editor, &v2); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor publishes objectives: %v", err)
		}
		if err := svc.PublishSATTemplate(ctx, assessor, &v2); err != nil {
			t.Fatal(err)
		}
		edited := v2
		edited.Version = 3
		edited.Objectives = slices.Clone(v2.Objectives)
		edited.Objectives[0].Objective = "Assets are known and owned."
		var ve *remit.ValidationError
		if err := svc.PublishSATTemplate(ctx, assessor, &edited); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "objective SAT-01 is edited in place") {
			t.Fatalf("an edit in place: %v", err)
		}
		cur, err := svc.SATTemplate(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Version != 2 || len(cur.Objectives) != 3 {
			t.Fatalf("current template: v%d with %d objectives", cur.Version, len(cur.Objectives))
		}
		sat, err := svc.StartSAT(ctx, assessor, "prison-visits")
		if err != nil || len(sat.Entries) != 3 {
			t.Fatalf("start: %v %+v", err, sat)
		}
		fifteen, eleven := 15, 11
		if _, err := svc.SaveSATEntries(ctx, assessor, sat.ID, []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: &eleven}, {Objective: "SAT-02", Evidence: "mostly", Confidence: &fifteen}}, 1); !errors.As(err, &ve) || len(ve.Problems) != 2 {
			t.Fatalf("bad entries: %v", err)
		}
		v, err := svc.SaveSATEntries(ctx, assessor, sat.ID, []remit.SATEntry{{Objective: "SAT-01", Evidence: "held", Confidence: &eleven}, {Objective: "SAT-02", Evidence: "not-held"}}, 1)
		if err != nil || v != 2 {
			t.Fatalf("save: %d %v", v, err)
		}
		if _, err := svc.CompleteSAT(ctx, editor, sat.ID, v); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor signs off: %v", err)
		}
		if _, err := svc.CompleteSAT(ctx, assessor, sat.ID, v); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "1 objectives have no evidence level yet: SAT-40") {
			t.Fatalf("incomplete: %v", err)
		}
		if v, err = svc.SaveSATEntries(ctx, assessor, sat.ID, []remit.SATEntry{{Objective: "SAT-40", Evidence: "n/a"}}, v); err != nil {
			t.Fatal(err)
		}
		if v, err = svc.CompleteSAT(ctx, assessor, sat.ID, v); err != nil {
			t.Fatal(err)
		}
		got, _, err := svc.SAT(ctx, sat.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != remit.AssessmentCompleted || got.Assessor != assessor.Email || got.Verdicts["srm:SRM-25"] != "held" || got.Verdicts["srm:SRM-03"] != "not-held" || got.Verdicts["srm:SRM-21"] != "n/a" {
			t.Fatalf("completed: %+v", got)
		}
		if sats := svc.Snapshot().SATs(); len(sats) != 1 || sats[0].Status != remit.AssessmentCompleted {
			t.Errorf("the snapshot's SATs: %+v", sats)
		}
		if _, err := svc.SaveSATEntries(ctx, assessor, sat.ID, []remit.SATEntry{{Objective: "SAT-02", Evidence: "held"}}, v); !errors.Is(err, remit.ErrConflict) {
			t.Fatalf("changing a completed SAT: %v", err)
		}
	})
}

// TestSupplierPortal walks a supplier's link: made only by an assessor; a
// wrong secret opens nothing; answers saved (never a result); evidence
// fixed to the link's offering; nothing changes after submitting or
// expiry until the assessor returns the answers; accepted, the link is
// spent.
func TestSupplierPortal(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		q := &remit.Questionnaire{Template: "t", Version: 1, Title: "Test", Principles: []remit.Principle{
			{Control: "ncsc-csp:CSP-01", Title: "In transit", Questions: []remit.Question{{ID: "01-Q1", Type: "yes-no"}, {ID: "01-Q2", Type: "text"}}},
		}}
		f := withExample(t, st, q, nil)
		svc := f.svc
		a, err := svc.StartAssessment(ctx, assessor, "casetrack/casetrack-cloud", "")
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.StartAssessment(ctx, assessor, "aws/ec2", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.CreatePortalLink(ctx, editor, a.ID, 14*24*time.Hour); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor makes a link: %v", err)
		}
		link, secret, err := svc.CreatePortalLink(ctx, assessor, a.ID, 14*24*time.Hour)
		if err != nil || !strings.HasPrefix(secret, "rp_"+link.ID+"_") {
			t.Fatalf("link: %v %q", err, secret)
		}
		for _, wrong := range []string{"", "rp_" + link.ID + "_guess", strings.Replace(secret, "rp_", "rq_", 1), "rp_ffffffffffff_" + secret[len("rp_"+link.ID+"_"):]} {
			if _, _, err := svc.PortalView(ctx, wrong); !errors.Is(err, accounts.ErrBadCredentials) {
				t.Errorf("secret %q: %v", wrong, err)
			}
		}
		if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "maybe"}}); err == nil {
			t.Error("a bad answer was taken")
		}
		if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "yes", "01-Q2": "TLS 1.3 everywhere."}}); err != nil {
			t.Fatal(err)
		}
		ev, err := svc.AddPortalEvidence(ctx, secret, "ncsc-csp:CSP-01", remit.Evidence{Kind: remit.EvidencePenTest, Title: "Our 2026 pen test", Expires: "2027-06-01",
			Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "pentest.pdf", []byte("%PDF-1.7 report"))
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Supports) != 1 || ev.Supports[0].Ref != "casetrack/casetrack-cloud" || ev.AddedBy != "supplier via portal link "+link.ID {
			t.Errorf("supplier evidence: %+v", ev)
		}
		// It is held, but counts for nothing until an assessor accepts
		// the supplier's answers.
		if all := svc.Snapshot().AllEvidence(); len(all) != 1 || all[0].ID != ev.ID || !all[0].Pending {
			t.Errorf("the supplier's evidence: %+v, want it held and pending", all)
		}
		if ev.Counts(start) {
			t.Error("the supplier's evidence counts before anyone reviewed it")
		}
		// An expiry far past what a pen test usually counts for needs a
		// reason, from the supplier too.
		var ve *remit.ValidationError
		if _, err := svc.AddPortalEvidence(ctx, secret, "ncsc-csp:CSP-01", remit.Evidence{Kind: remit.EvidencePenTest, Title: "Forever", Expires: "2099-01-01"}, "x.pdf", []byte("%PDF-1.7 x")); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/expiry_reason" {
			t.Errorf("a pen test counting until 2099: %v", err)
		}
		got, _, err := svc.Assessment(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		untouched, _, err := svc.Assessment(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		pa, _ := got.Principle("ncsc-csp:CSP-01")
		if pa.Answers["01-Q1"] != "yes" || pa.Result != "" || !slices.Equal(pa.Evidence, []string{ev.ID}) {
			t.Errorf("the assessment after the supplier's answers: %+v", pa)
		}
		if op, _ := untouched.Principle("ncsc-csp:CSP-01"); len(op.Answers) != 0 || len(op.Evidence) != 0 {
			t.Errorf("another assessment changed through the link: %+v", op)
		}
		if _, err := svc.SubmitPortal(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "no"}}); !errors.Is(err, remit.ErrLinkClosed) {
			t.Errorf("answering after submitting: %v", err)
		}
		if err := svc.ReviewPortal(ctx, assessor, link.ID, false, ""); err == nil {
			t.Error("returned without a note")
		}
		if err := svc.ReviewPortal(ctx, assessor, link.ID, false, "Please attach your ISO certificate."); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q2": "TLS 1.3; certificate attached."}}); err != nil {
			t.Errorf("answering after a return: %v", err)
		}
		f.clock.Set(start.Add(15 * 24 * time.Hour))
		if _, err := svc.SavePortalAnswers(ctx, secret, map[string]map[string]string{"ncsc-csp:CSP-01": {"01-Q1": "yes"}}); !errors.Is(err, remit.ErrLinkClosed) {
			t.Errorf("answering after expiry: %v", err)
		}
		f.clock.Set(start)
		if _, err := svc.SubmitPortal(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if err := svc.ReviewPortal(ctx, assessor, link.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SubmitPortal(ctx, secret); !errors.Is(err, remit.ErrLinkClosed) {
			t.Errorf("a spent link: %v", err)
		}
		// Accepted: the supplier's evidence counts from now on.
		if all := svc.Snapshot().AllEvidence(); len(all) != 1 || all[0].Pending || !all[0].Counts(start) {
			t.Errorf("the supplier's evidence after acceptance: %+v", all)
		}
	})
}

// TestRiskLifecycle walks a risk: recorded (not by a viewer, never as
// accepted, its owner a risk owner), rescored with its history kept,
// accepted only by a risk owner with a rationale and a future review day,
// never when it is a legal breach, and treated again (which ends the
// acceptance).
func TestRiskLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		svc := f.svc
		f.addUsers(t, editor, owner)
		r := remit.Risk{Title: "CaseTrack unassured for access control", Category: "supplier", Confidentiality: 4, Inherent: remit.Score{Likelihood: 3, Impact: 4}, Residual: remit.Score{Likelihood: 2, Impact: 4}, Treatment: "reduce", Owner: owner.Email}
		for who, want := range map[string]string{editor.Email: "is an editor, not a risk owner", "nobody@example.gov.uk": "is not an account"} {
			bad := r
			bad.Owner = who
			var ve *remit.ValidationError
			if _, err := svc.AddRisk(ctx, editor, bad); !errors.As(err, &ve) || ve.Problems[0].Pointer != "/owner" || !strings.Contains(ve.Error(), want) {
				t.Fatalf("owner %s: %v", who, err)
			}
		}
		if _, err := svc.AddRisk(ctx, viewer, r); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("a viewer records a risk: %v", err)
		}
		accepted := r
		accepted.Status = remit.RiskAccepted
		var ve *remit.ValidationError
		if _, err := svc.AddRisk(ctx, editor, accepted); !errors.As(err, &ve) {
			t.Fatalf("recorded as accepted: %v", err)
		}
		r, err := svc.AddRisk(ctx, editor, r)
		if err != nil {
			t.Fatal(err)
		}
		// The score history keeps the inherent score as it is worked out
		// (the highest CIA impact when given), so it reads as the score does.
		cia, err := svc.AddRisk(ctx, editor, remit.Risk{Title: "Integrity of case files", Category: "supplier", Integrity: 3, Inherent: remit.Score{Likelihood: 4}, Owner: owner.Email})
		if err != nil {
			t.Fatal(err)
		}
		if h := cia.History[0].Inherent; h != (remit.Score{Likelihood: 4, Impact: 3}) || h.Value() != cia.InherentScore() {
			t.Fatalf("history %+v beside inherent score %d", h, cia.InherentScore())
		}
		r.Residual = remit.Score{Likelihood: 1, Impact: 4}
		f.clock.Set(start.Add(time.Hour))
		v, err := svc.UpdateRisk(ctx, editor, r, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptRisk(ctx, editor, r.ID, "Tolerable until the new supplier contract.", "2027-06-01", false, v); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an editor accepts: %v", err)
		}
		if _, err := svc.AcceptRisk(ctx, admin, r.ID, "Tolerable until the new supplier contract.", "2027-06-01", false, v); !errors.Is(err, remit.ErrForbidden) {
			t.Fatalf("an admin accepts (a risk owner's decision alone): %v", err)
		}
		if _, err := svc.AcceptRisk(ctx, owner, r.ID, " ", "2020-01-01", false, v); !errors.As(err, &ve) || len(ve.Problems) != 2 {
			t.Fatalf("accept without a rationale, until a past day: %v", err)
		}
		if v, err = svc.AcceptRisk(ctx, owner, r.ID, "Tolerable until the new supplier contract.", "2027-06-01", false, v); err != nil {
			t.Fatal(err)
		}
		got, _, err := svc.Risk(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != remit.RiskAccepted || got.Acceptance == nil || got.Acceptance.By != owner.Email || len(got.History) != 2 || got.History[1].Residual.Likelihood != 1 {
			t.Fatalf("accepted: %+v", got)
		}
		if held, _ := svc.Snapshot().Risks(); len(held) != 2 || !slices.ContainsFunc(held, func(x *remit.Risk) bool { return x.ID == r.ID && x.Status == remit.RiskAccepted }) {
			t.Errorf("the snapshot's register: %+v", held)
		}
		// Legal breaches are never accepted.
		breach := remit.Risk{Title: "Personal data kept past its legal limit", Category: "legal-regulatory", LegalBreach: true, Inherent: remit.Score{Likelihood: 2, Impact: 5}}
		if breach, err = svc.AddRisk(ctx, editor, breach); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptRisk(ctx, owner, breach.ID, "Costly to fix.", "2027-06-01", false, 1); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "cannot be accepted") {
			t.Fatalf("accepting a legal breach: %v", err)
		}
		// Flagging an accepted risk as a legal breach is refused unless
		// its acceptance ends too.
		flagged := got
		flagged.LegalBreach = true
		if _, err := svc.UpdateRisk(ctx, editor, flagged, v); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "cannot stay accepted") {
			t.Fatalf("an accepted risk flagged as a legal breach: %v", err)
		}
		// Treating it again ends the acceptance.
		got.Status = remit.RiskTreating
		if _, err := svc.UpdateRisk(ctx, editor, got, v); err != nil {
			t.Fatal(err)
		}
		if got, _, err = svc.Risk(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if got.Acceptance != nil || got.Status != remit.RiskTreating {
			t.Fatalf("treated again: %+v", got)
		}
	})
}

// TestChangingAnAcceptedRiskEndsItsAcceptance: an acceptance records what
// the risk owner accepted; rescoring, renaming or re-scoping the risk
// afterwards returns it to treating, to be accepted again, while a new
// review day or owner keeps it accepted.
func TestChangingAnAcceptedRiskEndsItsAcceptance(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	f.addUsers(t, editor, owner)
	r, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "Mail relay unassured", Category: "supplier", Inherent: remit.Score{Likelihood: 3, Impact: 3}, Residual: remit.Score{Likelihood: 3, Impact: 3}, Owner: owner.Email})
	if err != nil {
		t.Fatal(err)
	}
	accept := func() (remit.Risk, int64) {
		t.Helper()
		_, v, _ := f.svc.Risk(ctx, r.ID)
		// (Rescored, it is above appetite: the risk owner says they know.)
		if _, err := f.svc.AcceptRisk(ctx, owner, r.ID, "Tolerable for a year.", "2027-06-01", true, v); err != nil {
			t.Fatal(err)
		}
		got, v, _ := f.svc.Risk(ctx, r.ID)
		return got, v
	}
	got, v := accept()
	if got.Acceptance.Terms == nil || got.Acceptance.Terms.Residual != (remit.Score{Likelihood: 3, Impact: 3}) || got.Acceptance.Terms.Title != "Mail relay unassured" {
		t.Fatalf("the acceptance does not record what was accepted: %+v", got.Acceptance)
	}
	// A new review day keeps the acceptance.
	same := got
	same.Review = "2027-03-01"
	if v, err = f.svc.UpdateRisk(ctx, editor, same, v); err != nil {
		t.Fatal(err)
	}
	if kept, _, _ := f.svc.Risk(ctx, r.ID); kept.Status != remit.RiskAccepted || kept.Acceptance == nil {
		t.Errorf("a new review day ended the acceptance: %+v", kept)
	}
	for name, change := range map[string]func(*remit.Risk){
		"rescored":   func(x *remit.Risk) { x.Residual = remit.Score{Likelihood: 5, Impact: 5} },
		"renamed":    func(x *remit.Risk) { x.Title = "Something milder" },
		"re-scoped":  func(x *remit.Risk) { x.Concerns = []remit.Ref{{Kind: "system", ID: "prison-visits"}} },
		"re-treated": func(x *remit.Risk) { x.Treatment = "reduce" },
	} {
		got, v := accept()
		changed := got
		change(&changed)
		if _, err := f.svc.UpdateRisk(ctx, editor, changed, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after, _, _ := f.svc.Risk(ctx, r.ID)
		if after.Status != remit.RiskTreating || after.Acceptance != nil {
			t.Errorf("%s after it was accepted: status %s, acceptance %+v; want treating and none", name, after.Status, after.Acceptance)
		}
	}
}

// TestTeamScopeCoversEvidenceAndSATs: an editor of another team can
// neither make evidence assure a system that is not theirs (or its
// obligations), nor re-point that team's evidence, nor start or fill its
// Standards Assurance Table; evidence for a supplier (no team's) and the
// team's own editor and assessors are unaffected.
func TestTeamScopeCoversEvidenceAndSATs(t *testing.T) {
	ctx := context.Background()
	f := withExample(t, memstoreOf(t), nil, nil)
	ev := func(on, ref string) remit.Evidence {
		return remit.Evidence{Kind: remit.EvidencePolicy, Title: "Patching policy", URL: "https://example.gov.uk/policy", Supports: []remit.Support{{On: on, Ref: ref}}}
	}
	const obligation = "prison-visits/srm:SRM-03/aws/ec2/ours"
	for _, c := range []struct {
		who     remit.Principal
		on, ref string
		allowed bool
	}{
		{outsider, remit.SupportSystem, "prison-visits", false},
		{outsider, remit.SupportObligation, obligation, false},
		{outsider, remit.SupportSystem, "no-such-system", false},
		{outsider, remit.SupportOffering, "aws/ec2", true},
		{editor, remit.SupportControl, "srm:SRM-03", false},
		{assessor, remit.SupportControl, "srm:SRM-03", true},
		{editor, remit.SupportSystem, "prison-visits", true},
		{assessor, remit.SupportObligation, obligation, true},
	} {
		_, err := f.svc.AddEvidence(ctx, c.who, ev(c.on, c.ref), "", nil)
		if c.allowed && err != nil || !c.allowed && err == nil {
			t.Errorf("%s adds evidence for %s %s: %v", c.who.Email, c.on, c.ref, err)
		}
	}
	theirs, err := f.svc.AddEvidence(ctx, editor, ev(remit.SupportObligation, obligation), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	repointed := theirs
	repointed.Supports = []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}
	if _, err := f.svc.UpdateEvidence(ctx, outsider, repointed, 1); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("another team's editor re-points the team's evidence: %v", err)
	}

	if _, err := f.svc.StartSAT(ctx, outsider, "prison-visits"); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("another team's editor starts its SAT: %v", err)
	}
	sat, err := f.svc.StartSAT(ctx, editor, "prison-visits")
	if err != nil {
		t.Fatal(err)
	}
	entry := []remit.SATEntry{{Objective: sat.Entries[0].Objective, Evidence: remit.SATEvidenceLevels[0]}}
	if _, err := f.svc.SaveSATEntries(ctx, outsider, sat.ID, entry, 1); !errors.Is(err, remit.ErrForbidden) {
		t.Errorf("another team's editor fills its SAT: %v", err)
	}
	if _, err := f.svc.SaveSATEntries(ctx, assessor, sat.ID, entry, 1); err != nil {
		t.Errorf("an assessor fills it: %v", err)
	}
}

// TestAcceptAboveAppetite: a risk whose residual score (12) is above its
// category's appetite (9) is accepted only when the risk owner says they
// know; the acceptance records it, and the audit trail names it
// accept-above-appetite for admins to find.
func TestAcceptAboveAppetite(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := withExample(t, st, nil, nil)
		f.addUsers(t, editor, owner)
		r, err := f.svc.AddRisk(ctx, editor, remit.Risk{Title: "CaseTrack hosting unaudited", Category: "supplier", Confidentiality: 4,
			Inherent: remit.Score{Likelihood: 4}, Residual: remit.Score{Likelihood: 3, Impact: 4}, Treatment: "reduce", Owner: owner.Email})
		if err != nil {
			t.Fatal(err)
		}
		var ve *remit.ValidationError
		_, err = f.svc.AcceptRisk(ctx, owner, r.ID, "Tolerable for a quarter.", "2027-03-01", false, 1)
		if !errors.As(err, &ve) || ve.Problems[0].Pointer != "/above_appetite" || ve.Problems[0].Message != "the residual score 12 is above the appetite for supplier risks (9): say that you accept a risk above appetite, or reduce it first" {
			t.Fatalf("accepted above appetite without saying so: %v", err)
		}
		if _, err := f.svc.AcceptRisk(ctx, owner, r.ID, "Tolerable for a quarter.", "2027-03-01", true, 1); err != nil {
			t.Fatal(err)
		}
		got, _, err := f.svc.Risk(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Acceptance == nil || !got.Acceptance.AboveAppetite || got.Acceptance.Appetite != 9 {
			t.Fatalf("acceptance %+v", got.Acceptance)
		}
		recs, err := f.svc.Audit(ctx, remit.AuditFilter{Kind: service.KindRisk, ID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(recs, func(a remit.AuditRecord) bool { return a.Action == "accept-above-appetite" && a.Actor == owner.Email }) {
			t.Errorf("the audit trail does not name the decision: %+v", recs)
		}
	})
}
