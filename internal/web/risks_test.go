package web

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/report"
)

// TestRiskFlow records, scores, accepts and lets an acceptance expire,
// through the API and the pages, with every refusal the rules call for.
func TestRiskFlow(t *testing.T) {
	f := newFixture(t)
	risk := map[string]any{"title": "CaseTrack access control unassured", "category": "supplier", "confidentiality": 4, "status": "open",
		"inherent": map[string]int{"likelihood": 4, "impact": 0}, "residual": map[string]int{"likelihood": 3, "impact": 4}, "treatment": "reduce",
		"concerns": []map[string]string{{"kind": "offering", "id": "casetrack/casetrack-cloud"}}, "owner": "risk@example.gov.uk"}
	if status, _, body := f.do("viewer", "POST", "/api/v1/risks", risk); status != http.StatusForbidden {
		t.Fatalf("viewer records: %d %s", status, body)
	}
	if status, _, body := f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "x", "category": "cyber", "status": "accepted"}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), `category \"cyber\" is not known`) || !strings.Contains(string(body), "a risk is accepted by its risk owner") {
		t.Fatalf("bad risk: %d %s", status, body)
	}
	if status, _, body := f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "x", "category": "supplier", "owner": "editor@example.gov.uk"}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), `"location":"body.owner"`) || !strings.Contains(string(body), "owner editor@example.gov.uk is an editor, not a risk owner") {
		t.Fatalf("an editor as the risk's owner: %d %s", status, body)
	}
	status, hdr, body := f.do("editor", "POST", "/api/v1/risks", risk)
	var it RiskItem
	if status != http.StatusCreated || json.Unmarshal(body, &it) != nil {
		t.Fatalf("record: %d %s", status, body)
	}
	if it.InherentScore != 16 || it.ResidualScore != 12 || it.Band != "high" || !it.AboveAppetite || it.Now != remit.RiskOpen {
		t.Errorf("recorded: %+v", it)
	}
	version := hdr.Get("ETag")
	accept := func(who, rationale, until string) (int, string) {
		// (Its residual score, 12, is above the supplier appetite of 9.)
		status, hdr, body := f.do(who, "POST", "/api/v1/risks/"+it.ID+"/accept", map[string]any{"rationale": rationale, "until": until, "above_appetite": true}, "If-Match", version)
		if status < 300 {
			version = hdr.Get("ETag")
		}
		return status, string(body)
	}
	if status, body := accept("editor", "Fine.", "2027-03-01"); status != http.StatusForbidden {
		t.Errorf("an editor accepts: %d %s", status, body)
	}
	if status, body := accept("admin", "Fine.", "2027-03-01"); status != http.StatusForbidden {
		t.Errorf("an admin accepts (only a risk owner may): %d %s", status, body)
	}
	if status, body := accept("risk", "", "2020-01-01"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "the rationale is required") || !strings.Contains(body, "is not in the future") {
		t.Errorf("accept without a rationale: %d %s", status, body)
	}
	if status, body := accept("risk", "Tolerable until the contract renews.", "2027-03-01"); status >= 300 {
		t.Fatalf("accept: %d %s", status, body)
	}
	list := func(query string) []RiskItem {
		status, _, body := f.do("viewer", "GET", "/api/v1/risks"+query, nil)
		var out struct{ Items []RiskItem }
		if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
			t.Fatalf("GET risks%s: %d %s", query, status, body)
		}
		return out.Items
	}
	if got := list("?status=accepted&above_appetite=true"); len(got) != 1 || got[0].Acceptance == nil || got[0].Acceptance.By != "risk@example.gov.uk" {
		t.Errorf("accepted above appetite: %+v", got)
	}
	// The acceptance expires: the risk returns for review that day.
	f.setNow(time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	f.freshToken("viewer", remit.RoleViewer)
	if got := list("?status=review-due"); len(got) != 1 || got[0].ID != it.ID {
		t.Errorf("review due after the acceptance expired: %+v", got)
	}
	if got := list("?status=accepted"); len(got) != 0 {
		t.Errorf("still accepted after expiry: %+v", got)
	}
	f.setNow(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))

	// A legal breach is never accepted, through the page either.
	status, _, body = f.do("editor", "POST", "/api/v1/risks", map[string]any{"title": "Records kept past their legal limit", "category": "legal-regulatory", "status": "open", "legal_breach": true,
		"inherent": map[string]int{"likelihood": 2, "impact": 5}})
	var breach RiskItem
	if status != http.StatusCreated || json.Unmarshal(body, &breach) != nil {
		t.Fatalf("record breach: %d %s", status, body)
	}
	resp, page := f.page("risk", "POST", "/risks/"+breach.ID+"/accept", url.Values{"version": {"1"}, "rationale": {"Costly to fix."}, "until": {"2027-06-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "it cannot be accepted; reduce, transfer or avoid it") {
		t.Errorf("accepting a legal breach on the page: %d", resp.StatusCode)
	}

	// The register and the form.
	_, page = f.page("viewer", "GET", "/risks", nil)
	for _, want := range []string{`data-testid="heatmap"`, "CaseTrack access control unassured", "above appetite", "<svg"} {
		if !strings.Contains(page, want) {
			t.Errorf("the register lacks %s", want)
		}
	}
	resp, page = f.page("editor", "POST", "/risks", url.Values{"title": {""}, "category": {"supplier"}, "status": {"open"}, "inherent_likelihood": {"9"}, "review": {"soon"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `<a href="#title">Title is required`) || !strings.Contains(page, `<a href="#inherent_likelihood">Likelihood 9 is outside the scale`) || !strings.Contains(page, `<a href="#review">Review &#34;soon&#34; is not a date`) {
		t.Errorf("bad risk form: %d", resp.StatusCode)
	}
	resp, _ = f.page("editor", "POST", "/risks", url.Values{"title": {"Laptop theft"}, "category": {"information-security"}, "status": {"open"}, "confidentiality": {"3"}, "inherent_likelihood": {"3"}, "residual_likelihood": {"2"}, "residual_impact": {"3"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/risks/ri-") {
		t.Fatalf("record through the form: %d", resp.StatusCode)
	}
	if resp, _ := f.page("viewer", "POST", "/risks", url.Values{"title": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer records through the form: %d", resp.StatusCode)
	}
}

// TestRiskRegisterOrder pages through the register in every sort and
// filter and checks it against a plain sort of the same risks: the order,
// ties broken by id, and that pages neither skip nor repeat a risk.
func TestRiskRegisterOrder(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 8))
	cats := []string{"information-security", "supplier", "operational", "legal-regulatory"}
	risks := make([]remit.Risk, 300)
	for i := range risks {
		review := ""
		if rng.IntN(4) > 0 {
			review = fmt.Sprintf("2027-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
		}
		risks[i] = remit.Risk{ID: fmt.Sprintf("ri-%05d", i*7919%100000), Title: fmt.Sprintf("Risk %c", 'A'+rng.IntN(20)), Category: cats[rng.IntN(len(cats))],
			Status: remit.RiskOpen, Review: review, Inherent: remit.Score{Likelihood: 1 + rng.IntN(5), Impact: 1 + rng.IntN(5)}, Residual: remit.Score{Likelihood: rng.IntN(6), Impact: 1 + rng.IntN(5)}}
	}
	f.seedRisks(risks)
	all, settings := f.svc.Snapshot().Risks()
	for _, q := range []struct {
		query string
		keep  func(*remit.Risk) bool
		cmp   func(a, b *remit.Risk) int
	}{
		{"sort=residual", nil, func(a, b *remit.Risk) int { return b.Residual.Value() - a.Residual.Value() }},
		{"sort=inherent", nil, func(a, b *remit.Risk) int { return b.InherentScore() - a.InherentScore() }},
		{"sort=title", nil, func(a, b *remit.Risk) int { return strings.Compare(a.Title, b.Title) }},
		{"sort=review", nil, func(a, b *remit.Risk) int { return remit.CompareDates(a.Review, b.Review) }},
		{"sort=residual&category=supplier&above_appetite=true", func(r *remit.Risk) bool { return r.Category == "supplier" && r.AboveAppetite(settings) },
			func(a, b *remit.Risk) int { return b.Residual.Value() - a.Residual.Value() }},
	} {
		var want []string
		sorted := slices.Clone(all)
		slices.SortFunc(sorted, func(a, b *remit.Risk) int {
			if c := q.cmp(a, b); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		for _, r := range sorted {
			if strings.HasPrefix(r.ID, "ri-") && len(r.ID) == 8 && (q.keep == nil || q.keep(r)) {
				want = append(want, r.ID)
			}
		}
		var got []string
		cursor := ""
		for page := 0; ; page++ {
			status, _, data := f.do("viewer", "GET", "/api/v1/risks?limit=37&"+q.query+"&cursor="+cursor, nil)
			if status != 200 || page > 20 {
				t.Fatalf("%s: status %d on page %d: %s", q.query, status, page, data)
			}
			var body struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor string `json:"next_cursor"`
			}
			if err := json.Unmarshal(data, &body); err != nil {
				t.Fatal(err)
			}
			for _, it := range body.Items {
				if strings.HasPrefix(it.ID, "ri-") && len(it.ID) == 8 {
					got = append(got, it.ID)
				}
			}
			if cursor = body.NextCursor; cursor == "" {
				break
			}
		}
		if len(want) < 20 {
			t.Fatalf("%s: only %d risks to order: the test data is too thin", q.query, len(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: order differs from a plain sort\n got %v\nwant %v", q.query, got, want)
		}
	}
}

// TestRiskPageWhole: a risk's page shows the whole risk without opening
// its form — owner, treatment, review, description, what it concerns in
// words with links — and its history as a timeline: recorded, changed
// (what changed), accepted (until when, why).
func TestRiskPageWhole(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r, err := f.svc.AddRisk(ctx, testAdmin, remit.Risk{Title: "Visits data in one region", Category: "operational", Description: "A regional outage stops bookings.",
		Inherent: remit.Score{Likelihood: 2, Impact: 3}, Residual: remit.Score{Likelihood: 2, Impact: 3}, Treatment: "accept", Owner: "risk@example.gov.uk",
		Concerns: []remit.Ref{{Kind: "system", ID: "prison-visits"}, {Kind: "offering", ID: "aws/s3"}}})
	if err != nil {
		t.Fatal(err)
	}
	changed := r
	changed.Review = "2027-01-15"
	if _, err := f.svc.UpdateRisk(ctx, testAdmin, changed, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcceptRisk(ctx, remit.Principal{Email: "risk@example.gov.uk", Role: remit.RoleRiskOwner}, r.ID, "Cheaper than a second region.", "2027-06-01", false, 2); err != nil {
		t.Fatal(err)
	}
	_, body := f.page("viewer", "GET", "/risks/"+r.ID, nil)
	summary := section(t, body, `data-testid="risk-summary"`, "</dl>")
	for _, want := range []string{"risk@example.gov.uk", "A regional outage stops bookings.", "2027-01-15", `<a class="govuk-link" href="/systems/prison-visits">Prison visits booking</a>`,
		`href="/providers/aws/offerings/s3">Amazon S3 (Amazon Web Services)</a>`, "Cheaper than a second region."} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary)
		}
	}
	timeline := section(t, body, `data-testid="risk-timeline"`, "</main>")
	titles := regexp.MustCompile(`moj-timeline__title">([^<]+)<`).FindAllStringSubmatch(timeline, -1)
	if len(titles) != 3 || titles[0][1] != "Accepted" || titles[1][1] != "Changed" || titles[2][1] != "Recorded" {
		t.Errorf("the timeline: %v", titles)
	}
	if !strings.Contains(timeline, "until 2027-06-01: Cheaper than a second region.") || !strings.Contains(timeline, "review: 2027-01-15") {
		t.Errorf("the timeline says:\n%s", timeline)
	}
}

// TestPickers: forms that once needed an id typed offer a list to pick
// from by name — what a risk concerns, what evidence supports, which of
// our obligations carries out a CUEC — and what is picked is saved as if
// typed.
func TestPickers(t *testing.T) {
	f := newFixture(t)
	at := f.withEvidence()
	_, body := f.page("editor", "GET", "/risks/new", nil)
	choices := section(t, body, `<datalist id="concern-choices">`, "</datalist>")
	for _, want := range []string{`<option value="system:prison-visits">System: Prison visits booking</option>`, `<option value="offering:aws/ec2">Offering: Amazon EC2 (Amazon Web Services)</option>`,
		`<option value="control:srm:SRM-03">Control: Patching of guest operating systems</option>`} {
		if !strings.Contains(choices, want) {
			t.Errorf("the risk form's choices lack %s", want)
		}
	}
	if strings.Contains(choices, "system:delivery-pipelines") {
		t.Error("an editor is offered another team's system")
	}
	resp, _ := f.page("editor", "POST", "/risks", url.Values{"title": {"Picked"}, "category": {"supplier"}, "status": {"open"}, "inherent_likelihood": {"2"}, "inherent_impact": {"2"},
		"residual_likelihood": {"2"}, "residual_impact": {"2"}, "concerns": {"offering:aws/ec2"}, "concern_pick": {"system:prison-visits"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("recording with a picked concern: %d", resp.StatusCode)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/risks/")
	r, _, err := f.svc.Risk(t.Context(), id)
	if err != nil || len(r.Concerns) != 2 || r.Concerns[1] != (remit.Ref{Kind: "system", ID: "prison-visits"}) {
		t.Errorf("concerns %+v (%v)", r.Concerns, err)
	}
	_, body = f.page("editor", "GET", "/evidence/new", nil)
	if !strings.Contains(section(t, body, `<datalist id="ref-choices">`, "</datalist>"), `<option value="aws/ec2">Offering: Amazon EC2 (Amazon Web Services)</option>`) || !strings.Contains(body, `list="ref-choices"`) {
		t.Error("the evidence form offers no offerings to pick")
	}
	if !strings.Contains(section(t, body, `<datalist id="control-choices">`, "</datalist>"), `<option value="srm:SRM-03">Patching of guest operating systems</option>`) || !strings.Contains(body, `list="control-choices"`) {
		t.Error("the evidence form offers no controls to pick")
	}
	_, body = f.page("editor", "GET", at("/evidence/{ev}"), nil)
	if ours := section(t, body, `<datalist id="ours-choices">`, "</datalist>"); !strings.Contains(ours, "/ours\">") || !strings.Contains(ours, " in ") {
		t.Errorf("the CUEC picker:\n%.500s", ours)
	}
}

// TestSecondApprovalPage: a second risk owner finds the acceptance
// waiting on the risk's page and approves it there; the one who accepted
// it is offered no approval.
func TestSecondApprovalPage(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, err := f.svc.AddUser(ctx, testAdmin, accounts.User{Email: "sam@example.gov.uk", Role: remit.RoleRiskOwner}, password)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := f.svc.CreateToken(ctx, u.Principal(), "tests", u.Role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["sam"] = secret
	settings := remit.DefaultRiskSettings()
	settings.SecondApproval = true
	v, _ := f.svc.RiskSettingsVersion(ctx)
	if _, err := f.svc.SetRiskSettings(ctx, testAdmin, settings, v); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.AddRisk(ctx, testAdmin, remit.Risk{Title: "Above appetite", Category: "supplier", Inherent: remit.Score{Likelihood: 4, Impact: 4}, Residual: remit.Score{Likelihood: 3, Impact: 4}, Owner: "risk@example.gov.uk"})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := f.page("risk", "POST", "/risks/"+r.ID+"/accept", url.Values{"version": {"1"}, "rationale": {"No alternative."}, "until": {"2027-06-01"}, "above_appetite": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting: %d", resp.StatusCode)
	}
	_, body := f.page("risk", "GET", "/risks/"+r.ID, nil)
	if strings.Contains(body, `id="approval"`) || !strings.Contains(section(t, body, `data-testid="risk-acceptance"`, "</dd>"), "waiting for a second risk owner") {
		t.Error("the risk owner who accepted it: no waiting shown, or offered the approval")
	}
	_, body = f.page("sam", "GET", "/", nil)
	if !strings.Contains(section(t, body, `data-testid="work-decisions"`, "</table>"), "accepted it above appetite: it waits for a second risk owner") {
		t.Error("the second risk owner's work does not ask for the approval")
	}
	_, body = f.page("sam", "GET", "/risks/"+r.ID, nil)
	if !strings.Contains(body, `id="approval"`) {
		t.Fatal("the second risk owner is offered no approval")
	}
	resp, _ = f.page("sam", "POST", "/risks/"+r.ID+"/approval", url.Values{"version": {"2"}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving: %d", resp.StatusCode)
	}
	_, body = f.page("viewer", "GET", "/risks/"+r.ID, nil)
	if !strings.Contains(section(t, body, `data-testid="risk-acceptance"`, "</dd>"), "Approved by sam@example.gov.uk") || !strings.Contains(body, "Acceptance approved by a second risk owner") {
		t.Error("the approval is not shown")
	}
}

// TestObligationPickers: a finding's obligations and a risk's
// countermeasures are picked from our obligations by name, and saved as
// if typed.
func TestObligationPickers(t *testing.T) {
	f := newFixture(t)
	ours := f.svc.Snapshot().Obligations(func(s *remit.System) bool { return s.ID == "prison-visits" }, report.PartyOurs, nil)
	_, body := f.page("editor", "GET", "/findings", nil)
	list := section(t, body, `<datalist id="obligation-choices">`, "</datalist>")
	if !strings.Contains(list, `<option value="`+ours[0].ID+`">`+ours[0].Control+" "+ours[0].Title+" in Prison visits booking") || strings.Contains(list, "delivery-pipelines/") {
		t.Errorf("the finding form's obligations:\n%.600s", list)
	}
	resp, _ := f.page("editor", "POST", "/findings", url.Values{"title": {"Picked"}, "severity": {"low"}, "status": {"open"}, "obligation_pick": {ours[0].ID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("raising with a picked obligation: %d", resp.StatusCode)
	}
	fi, _, err := f.svc.Finding(t.Context(), strings.TrimPrefix(resp.Header.Get("Location"), "/findings/"))
	if err != nil || len(fi.Obligations) != 1 || fi.Obligations[0] != ours[0].ID {
		t.Errorf("the finding's obligations %v (%v)", fi.Obligations, err)
	}
	_, body = f.page("editor", "GET", "/risks/new", nil)
	if !strings.Contains(section(t, body, `<datalist id="counter-choices">`, "</datalist>"), `value="obligation:`+ours[0].ID+`"`) {
		t.Error("the risk form offers no countermeasures to pick")
	}
}
