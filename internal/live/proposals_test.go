package live

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

// TestProposals holds proposals to their causes: each appears while its
// cause is there and goes when it goes; a dismissed one stays dismissed
// until its cause changes; an adopted one is not proposed again.
func TestProposals(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "remit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := workspace.Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remit.Import(ctx, s, ws, "test", now, false); err != nil {
		t.Fatal(err)
	}
	m, err := Open(ctx, s, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	open := func() []string {
		var risks []remit.Risk
		var dismissed map[string]remit.Dismissal
		if err := s.Read(ctx, func(tx remit.Tx) error {
			var err error
			if risks, err = remit.Risks(ctx, tx); err != nil {
				return err
			}
			dismissed, err = remit.Dismissals(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range remit.Open(m.Proposals(now), risks, dismissed) {
			ids = append(ids, p.ID)
		}
		return ids
	}
	has := func(ids []string, id string) bool { return slices.Contains(ids, id) }
	ids := open()
	for _, want := range []string{"ours:prison-visits", "assurance:aws/ec2", "concentration:microsoft", "concentration:aws"} {
		if !has(ids, want) {
			t.Errorf("no proposal %s at the start; have %v", want, ids)
		}
	}
	if has(ids, "concentration:google") {
		t.Error("Google (one system) is proposed as a concentration")
	}

	// Own and implement every obligation of ours in prison-visits: its
	// proposal goes.
	var ours []string
	m.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
		si, _ := c.Estate.SystemIndex("prison-visits")
		mx := c.Matrix(si)
		for i := range mx.Cells {
			for _, o := range c.Estate.Ours(mx, &mx.Cells[i]) {
				ours = append(ours, c.Estate.Key(o))
			}
		}
	})
	p := remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}
	for i, id := range ours {
		if _, err := m.Track(ctx, p, id, remit.Tracking{Owner: "Visits team", Status: remit.StatusImplemented}, 0, now); err != nil {
			t.Fatal(err)
		}
		if i == 0 && !has(open(), "ours:prison-visits") {
			t.Error("the proposal went before every obligation was handled")
		}
	}
	if has(open(), "ours:prison-visits") {
		t.Error("ours:prison-visits is still proposed with every obligation owned and implemented")
	}

	// Evidence for EC2: its assurance proposal goes.
	if _, err := m.AddEvidence(ctx, remit.Evidence{Kind: remit.EvidenceISO27001, Title: "EC2 ISO", URL: "https://aws.amazon.com/compliance/", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}}}, "", nil, "test", now); err != nil {
		t.Fatal(err)
	}
	if has(open(), "assurance:aws/ec2") {
		t.Error("assurance:aws/ec2 is still proposed with every obligation assured")
	}

	// Dismiss the AWS concentration: gone, until its cause changes.
	var aws remit.Proposal
	for _, pr := range m.Proposals(now) {
		if pr.ID == "concentration:aws" {
			aws = pr
		}
	}
	if err := remit.DismissProposal(ctx, s, aws, "", p, now); err == nil {
		t.Error("dismissed without a reason")
	}
	if err := remit.DismissProposal(ctx, s, aws, "Spread over three regions.", p, now); err != nil {
		t.Fatal(err)
	}
	if has(open(), "concentration:aws") {
		t.Error("a dismissed proposal is still open")
	}
	sys := ws.Systems[0]
	sys.ID, sys.Name, sys.Uses = "parole", "Parole", []remit.Use{{Offering: "aws/s3"}}
	if _, err := m.Change(ctx, p, remit.KindSystem, "parole", 0, now, func(w *remit.Workspace) error { w.Systems = append(w.Systems, sys); return nil }, func(_, _ *remit.Workspace) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !has(open(), "concentration:aws") {
		t.Error("the dismissed proposal did not return when its cause changed (a fourth system relies on AWS)")
	}

	// Adopt the Microsoft concentration: not proposed again.
	var ms remit.Proposal
	for _, pr := range m.Proposals(now) {
		if pr.ID == "concentration:microsoft" {
			ms = pr
		}
	}
	if _, err := remit.AddRisk(ctx, s, remit.Risk{Title: ms.Title, Category: ms.Category, Proposal: ms.ID, Concerns: ms.Concerns}, p, now); err != nil {
		t.Fatal(err)
	}
	if has(open(), "concentration:microsoft") {
		t.Error("an adopted proposal is still open")
	}
	if !strings.HasPrefix(ms.Title, "4 of 9 systems rely on Microsoft") {
		t.Errorf("title: %q", ms.Title)
	}
}
