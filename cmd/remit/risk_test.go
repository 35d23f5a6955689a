package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"remit/internal/accounts"
	"remit/internal/remit"
)

// TestRiskCommands drives remit risk against a database holding the
// example estate: adopting a proposal, recording a risk with bad input
// first (exit 2, nothing written), the acceptance rules (role, legal
// breach), the filters, and the exports.
func TestRiskCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", "../../examples/justice", "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	ctx := context.Background()
	svc, closeSvc := openService(t, db)
	for _, u := range []accounts.User{{Email: "ed@example.gov.uk", Role: remit.RoleEditor}, {Email: "ro@example.gov.uk", Role: remit.RoleRiskOwner}} {
		if _, err := svc.AddUser(ctx, testAdmin, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	closeSvc()
	count := func() int {
		out, _, code := cli(t, "risk", "list", "--database", db, "--format", "json")
		var risks []remit.Risk
		if code != 0 || json.Unmarshal([]byte(out), &risks) != nil {
			t.Fatalf("list json: %d %s", code, out)
		}
		return len(risks)
	}

	// Proposals: concentration on AWS is proposed; adopt it.
	out, errOut, code := cli(t, "risk", "proposals", "--database", db, "--source", "concentration")
	if code != 0 || !strings.Contains(out, "concentration:aws") || !strings.Contains(out, "3 of 8 systems rely on Amazon Web Services") {
		t.Fatalf("proposals: %d %s %s", code, out, errOut)
	}
	out, errOut, code = cli(t, "risk", "add", "--database", db, "--as", "ed@example.gov.uk", "--proposal", "concentration:aws", "--availability", "5", "--likelihood", "2", "--residual-likelihood", "2", "--residual-impact", "5", "--owner", "ro@example.gov.uk")
	if code != 0 || !strings.Contains(out, "Recorded ri-") || !strings.Contains(out, "Inherent 10, residual 10 (high): above the supplier appetite of 9") {
		t.Fatalf("adopt: %d %q %q", code, out, errOut)
	}
	adopted := strings.TrimSuffix(strings.Fields(out)[1], ":")
	if out, _, _ := cli(t, "risk", "proposals", "--database", db, "--source", "concentration"); strings.Contains(out, "concentration:aws") {
		t.Errorf("an adopted proposal is still proposed:\n%s", out)
	}
	if _, errOut, code := cli(t, "risk", "add", "--database", db, "--as", "ed@example.gov.uk", "--proposal", "concentration:aws"); code != 2 || !strings.Contains(errOut, `no open proposal "concentration:aws"`) {
		t.Errorf("adopting twice: %d %s", code, errOut)
	}

	// Bad input: every problem named, exit 2, nothing written.
	_, errOut, code = cli(t, "risk", "add", "--database", db, "--as", "ed@example.gov.uk", "--category", "weather", "--likelihood", "9", "--review", "soon")
	for _, w := range []string{"/title: ", "/category: ", "/inherent/likelihood: ", "/review: ", "nothing was written"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("bad risk: stderr lacks %q:\n%s", w, errOut)
		}
	}
	if code != 2 || count() != 1 {
		t.Errorf("bad risk: exit %d, %d risks", code, count())
	}
	if _, errOut, code := cli(t, "risk", "add", "--database", db, "--as", "ed@example.gov.uk", "--title", "x", "--category", "supplier", "--concerns", "aws"); code != 2 || !strings.Contains(errOut, `--concerns "aws" is not kind:id`) {
		t.Errorf("bad --concerns: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "risk", "add", "--database", db, "--title", "x", "--category", "supplier"); code != 2 || !strings.Contains(errOut, "--as is required") {
		t.Errorf("no --as: %d %s", code, errOut)
	}
	out, errOut, code = cli(t, "risk", "add", "--database", db, "--as", "ed@example.gov.uk", "--title", "Fines for late breach reports", "--category", "legal-regulatory", "--legal-breach",
		"--likelihood", "2", "--impact", "4", "--residual-likelihood", "1", "--residual-impact", "4", "--concerns", "system:prison-visits", "--countermeasure", "control:srm:SRM-10", "--review", "2020-01-01")
	if code != 0 {
		t.Fatalf("add: %d %s", code, errOut)
	}
	legal := strings.TrimSuffix(strings.Fields(out)[1], ":")

	// Acceptance: a risk owner only; never a legal breach.
	if _, errOut, code := cli(t, "risk", "accept", adopted, "--database", db, "--as", "ed@example.gov.uk", "--rationale", "cheap"); code != 2 || !strings.Contains(errOut, "only a risk owner accepts a risk, not an editor") {
		t.Errorf("an editor accepting: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "risk", "accept", legal, "--database", db, "--as", "ro@example.gov.uk", "--rationale", "cheap"); code != 2 || !strings.Contains(errOut, "breach of law or regulation: it cannot be accepted") {
		t.Errorf("accepting a legal breach: %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "risk", "accept", adopted, "--database", db, "--as", "ro@example.gov.uk"); code != 2 || !strings.Contains(errOut, "/rationale: the rationale is required") {
		t.Errorf("no rationale: %d %s", code, errOut)
	}
	until := time.Now().AddDate(0, 6, 0).UTC().Format(time.DateOnly)
	// Its residual score, 10, is above the supplier appetite of 9: the
	// risk owner must say they know.
	if _, errOut, code := cli(t, "risk", "accept", adopted, "--database", db, "--as", "ro@example.gov.uk", "--rationale", "A second region costs more than the outage would.", "--until", until); code != 2 || !strings.Contains(errOut, "/above_appetite: the residual score 10 is above the appetite for supplier risks (9)") {
		t.Errorf("accept above appetite without saying so: %d %s", code, errOut)
	}
	if out, errOut, code := cli(t, "risk", "accept", adopted, "--database", db, "--as", "ro@example.gov.uk", "--rationale", "A second region costs more than the outage would.", "--until", until, "--above-appetite"); code != 0 || out != "Accepted "+adopted+" by ro@example.gov.uk until "+until+"\n" {
		t.Errorf("accept: %d %q %s", code, out, errOut)
	}

	// Filters and order.
	out, _, code = cli(t, "risk", "list", "--database", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[1], adopted) || !strings.Contains(lines[1], "high (above appetite)") || !strings.Contains(lines[1], "accepted") || !strings.HasPrefix(lines[2], legal) {
		t.Errorf("list:\n%s", out)
	}
	if out, _, _ := cli(t, "risk", "list", "--database", db, "--status", "accepted"); strings.Contains(out, legal) || !strings.Contains(out, adopted) {
		t.Errorf("--status accepted:\n%s", out)
	}
	if out, errOut, code := cli(t, "risk", "list", "--database", db, "--review-overdue"); code != 1 || !strings.Contains(out, legal) || strings.Contains(out, adopted) || !strings.Contains(errOut, "1 risks are past their review date") {
		t.Errorf("--review-overdue: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "risk", "list", "--database", db, "--sort", "worst"); code != 2 || !strings.Contains(errOut, `--sort "worst" is not known`) {
		t.Errorf("bad --sort: %d %s", code, errOut)
	}

	// Exports.
	out, _, code = cli(t, "risk", "export", "--database", db, "--format", "markdown", "--category", "legal-regulatory")
	if code != 0 || !strings.HasPrefix(out, "| id | title | category |") || !strings.Contains(out, "| "+legal+" | Fines for late breach reports | legal-regulatory | open | 8 | 4 | low | false |") || strings.Contains(out, adopted) {
		t.Errorf("markdown export:\n%s", out)
	}
	if _, errOut, code := cli(t, "risk", "export", "--database", db, "--format", "xlsx"); code != 2 || !strings.Contains(errOut, "needs -o FILE") {
		t.Errorf("xlsx to a terminal: %d %s", code, errOut)
	}
	book := filepath.Join(dir, "risks.xlsx")
	if _, errOut, code := cli(t, "risk", "export", "--database", db, "--format", "xlsx", "-o", book); code != 0 || errOut != "Wrote 2 risks to "+book+"\n" {
		t.Fatalf("xlsx export: %d %s", code, errOut)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Risk register")
	if err != nil || len(rows) != 3 || rows[1][0] != adopted || rows[1][3] != "accepted" || rows[1][13] != until {
		t.Errorf("workbook rows: %v %q", err, rows)
	}

	// Dismissing a proposal: it is no longer listed.
	out, _, _ = cli(t, "risk", "proposals", "--database", db, "--format", "json")
	var open []remit.Proposal
	if err := json.Unmarshal([]byte(out), &open); err != nil || len(open) == 0 {
		t.Fatalf("proposals json: %v %s", err, out)
	}
	if _, errOut, code := cli(t, "risk", "proposals", "--database", db, "--dismiss", open[0].ID, "--as", "ed@example.gov.uk"); code != 2 || !strings.Contains(errOut, "/reason: say why") {
		t.Errorf("dismiss without a reason: %d %s", code, errOut)
	}
	if out, errOut, code := cli(t, "risk", "proposals", "--database", db, "--dismiss", open[0].ID, "--reason", "Covered by the hosting contract", "--as", "ed@example.gov.uk"); code != 0 || !strings.HasPrefix(out, "Dismissed "+open[0].ID) {
		t.Errorf("dismiss: %d %s %s", code, out, errOut)
	}
	if out, _, _ := cli(t, "risk", "proposals", "--database", db); strings.Contains(out, open[0].ID+" ") {
		t.Errorf("a dismissed proposal is still listed:\n%s", out)
	}

	// The sweep keeps the day's point of the register's trend.
	if _, errOut, code := cli(t, "assess", "sweep", "--database", db); code != 0 {
		t.Fatalf("sweep: %s", errOut)
	}
	svc, closeSvc = openService(t, db)
	defer closeSvc()
	trend, err := svc.RiskTrend(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(trend) != 1 || trend[0].Open != 2 || trend[0].Accepted != 1 || trend[0].AboveAppetite != 1 || trend[0].ReviewOverdue != 1 {
		t.Errorf("trend after the sweep: %+v", trend)
	}
}
