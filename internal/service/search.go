package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"remit/internal/remit"
)

// SearchResult is one thing found: what kind of thing, its id, its name
// and, when the words were found in its text rather than its name, a
// little of that text.
type SearchResult struct {
	Kind   string `json:"kind" doc:"system, provider, offering, control, obligation, evidence, risk, finding or supplier-assessment"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty" doc:"Where it is (the system an obligation is in) or the words around what matched"`
}

// SearchKindOrder is the order results are listed in, kind by kind.
var SearchKindOrder = []string{"system", "provider", "offering", "control", "obligation", "evidence", "risk", "finding", "supplier-assessment"}

// SearchLimit is the most results a search returns.
const SearchLimit = 100

// Search finds what q names across the estate, for anyone who may read
// it. Names and ids of systems, providers, offerings and controls
// (built-in ones too) are matched in the snapshot; the text of what is
// stored (systems, offerings' statements, evidence, risks, findings,
// obligations' notes and owners, supplier assessments) by the store's
// full-text search. Every word typed must begin a word of the thing
// found. At most limit results (SearchLimit when 0 or more), kind by kind.
func (s *Service) Search(ctx context.Context, p remit.Principal, q string, limit int) ([]SearchResult, error) {
	if !p.May(remit.ActRead, "") {
		return nil, fmt.Errorf("search: %w", remit.ErrForbidden)
	}
	if limit <= 0 || limit > SearchLimit {
		limit = SearchLimit
	}
	terms := remit.SearchTerms(q)
	if len(terms) == 0 {
		return nil, nil
	}
	sn := s.Snapshot()
	matches := func(texts ...string) bool {
		var words []string
		for _, t := range texts {
			words = append(words, remit.Words(t)...)
		}
		return !slices.ContainsFunc(terms, func(t string) bool {
			return !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) })
		})
	}
	var out []SearchResult
	seen := map[string]bool{}
	add := func(r SearchResult) {
		if key := r.Kind + "\x00" + r.ID; !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	// Names and ids, from the snapshot.
	for sys := range sn.Systems() {
		if len(out) >= limit {
			break
		}
		if matches(sys.ID, sys.Name, sys.Owner, sys.Team) {
			add(SearchResult{Kind: "system", ID: sys.ID, Title: sys.Name})
		}
	}
	for _, pr := range sn.Providers() {
		if matches(pr.ID, pr.Name) {
			add(SearchResult{Kind: "provider", ID: pr.ID, Title: pr.Name})
		}
		for _, o := range pr.Offerings {
			if o.Offering != nil && matches(o.Ref, o.Offering.Name, pr.Name) {
				add(SearchResult{Kind: "offering", ID: o.Ref, Title: o.Offering.Name, Detail: "from " + pr.Name})
			}
		}
	}
	for c := range sn.Controls() {
		if matches(c.Ref, c.Control.Title) {
			add(SearchResult{Kind: "control", ID: c.Ref, Title: c.Control.Title, Detail: c.Ref})
		}
	}
	// Text, from the store.
	if se, ok := s.store.(remit.Searcher); ok {
		hits, err := se.Search(ctx, remit.SearchQuery{Terms: terms, Limit: limit})
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if r, ok := s.describeHit(ctx, sn, h, terms); ok {
				add(r)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b SearchResult) int {
		return slices.Index(SearchKindOrder, a.Kind) - slices.Index(SearchKindOrder, b.Kind)
	})
	return out[:min(len(out), limit)], nil
}

// describeHit names a document the store found, from the snapshot where
// it is held; false when it no longer is (a tracking left by an
// obligation that is gone, say).
func (s *Service) describeHit(ctx context.Context, sn *Snapshot, h remit.SearchHit, terms []string) (SearchResult, bool) {
	r := SearchResult{Kind: string(h.Kind), ID: h.ID}
	switch h.Kind {
	case KindSystem:
		sys, _, ok := sn.System(h.ID)
		if !ok {
			return r, false
		}
		r.Title = sys.Name
	case KindProvider:
		pr, ok := sn.Provider(h.ID)
		if !ok {
			return r, false
		}
		r.Title = pr.Name
	case KindOffering:
		o, ok := sn.Offering(h.ID)
		if !ok || o.Offering == nil {
			return r, false
		}
		r.Title, r.Detail = o.Offering.Name, "from "+o.ProviderName
		var texts []string
		for _, st := range o.Offering.Statements {
			texts = append(texts, st.Provider, st.Customer)
		}
		if x := excerpt(terms, texts...); x != "" {
			r.Detail = x
		}
	case KindObligation:
		o, ok := sn.Obligation(h.ID)
		if !ok {
			return r, false
		}
		name := o.System
		if sys, _, ok := sn.System(o.System); ok {
			name = sys.Name
		}
		r.Title, r.Detail = o.Title, "in "+name
		if x := excerpt(terms, o.Tracking.Notes, o.Tracking.Owner); x != "" {
			r.Detail += ": " + x
		}
	case KindEvidence:
		ev := sn.index.Find(h.ID)
		if ev == nil {
			return r, false
		}
		r.Title, r.Detail = ev.Title, excerpt(terms, ev.Issuer, ev.Scope)
	case KindRisk:
		risks, _ := sn.Risks()
		i := slices.IndexFunc(risks, func(x *remit.Risk) bool { return x.ID == h.ID })
		if i < 0 {
			return r, false
		}
		x := risks[i]
		r.Title, r.Detail = x.Title, excerpt(terms, x.Description, x.Threat, x.Vulnerability)
	case KindFinding:
		f, _, err := s.Finding(ctx, h.ID)
		if err != nil {
			return r, false
		}
		r.Title, r.Detail = f.Title, excerpt(terms, f.Description, f.Owner, f.Source)
	case KindSupplierAssessment:
		i := slices.IndexFunc(sn.Assessments(), func(a remit.SupplierAssessment) bool { return a.ID == h.ID })
		if i < 0 {
			return r, false
		}
		a := sn.Assessments()[i]
		r.Title, r.Detail = "Supplier assessment of "+sn.offeringName(a.Offering), excerpt(terms, a.Conclusion)
	default:
		return r, false
	}
	return r, true
}

// excerpt is a little of the first text holding a word that begins with
// a term: up to 60 characters either side, cut at spaces ("" when none
// does).
func excerpt(terms []string, texts ...string) string {
	for _, t := range texts {
		lower := strings.ToLower(t)
		if len(lower) != len(t) { // a letter whose lower case is longer or shorter
			t = lower
		}
		for _, term := range terms {
			at := -1
			for i := strings.Index(lower, term); i >= 0; {
				if i == 0 || !isWordRune(lower[:i]) {
					at = i
					break
				}
				j := strings.Index(lower[i+1:], term)
				if j < 0 {
					break
				}
				i += 1 + j
			}
			if at < 0 {
				continue
			}
			from, to := max(0, at-60), min(len(t), at+len(term)+60)
			for from > 0 && !utf8.RuneStart(t[from]) {
				from++
			}
			for to < len(t) && !utf8.RuneStart(t[to]) {
				to++
			}
			if from > 0 {
				if k := strings.IndexByte(t[from:at], ' '); k >= 0 {
					from += k + 1
				}
			}
			if to < len(t) {
				if k := strings.LastIndexByte(t[at:to], ' '); k > 0 {
					to = at + k
				}
			}
			x := strings.Join(strings.Fields(t[from:to]), " ")
			if from > 0 {
				x = "…" + x
			}
			if to < len(t) {
				x += "…"
			}
			return x
		}
	}
	return ""
}

// isWordRune reports whether s ends in a letter or digit (so a match
// after it is inside a word).
func isWordRune(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
