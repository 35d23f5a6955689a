package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"remit/internal/service"
)

// SearchPage lists what a search found, kind by kind.
type SearchPage struct {
	basePage
	Query  string
	Groups []searchGroup
	Total  int
	// Full says the results reached the limit: there may be more.
	Full bool
}

type searchGroup struct {
	Kind, Heading string
	Results       []searchResult
}

type searchResult struct {
	service.SearchResult
	URL string
}

// searchHeadings names each kind's group on the page.
var searchHeadings = map[string]string{
	"system": "Systems", "provider": "Providers", "offering": "Offerings", "control": "Controls", "obligation": "Obligations",
	"evidence": "Evidence", "risk": "Risks", "finding": "Findings", "supplier-assessment": "Supplier assessments",
}

// searchURL is where a result's page is.
func searchURL(r service.SearchResult) string {
	switch r.Kind {
	case "system":
		return "/systems/" + url.PathEscape(r.ID)
	case "provider":
		return "/providers/" + url.PathEscape(r.ID)
	case "offering":
		p, o, _ := strings.Cut(r.ID, "/")
		return "/providers/" + url.PathEscape(p) + "/offerings/" + url.PathEscape(o)
	case "control":
		cat, id, _ := strings.Cut(r.ID, ":")
		return "/catalogues/" + url.PathEscape(cat) + "#" + url.PathEscape(id)
	case "obligation":
		return obligationURL(r.ID)
	case "evidence":
		return "/evidence/" + url.PathEscape(r.ID)
	case "risk":
		return "/risks/" + url.PathEscape(r.ID)
	case "finding":
		return "/findings/" + url.PathEscape(r.ID)
	case "supplier-assessment":
		return "/assessments/" + url.PathEscape(r.ID)
	}
	return "/"
}

func (s *server) searchPage(r *http.Request) (*SearchPage, error) {
	p, _ := principal(r.Context())
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	pg := &SearchPage{basePage: basePage{Title: "Search"}, Query: q}
	if q != "" {
		pg.Title = "Search: " + q
	}
	results, err := s.Service.Search(r.Context(), p, q, 0)
	if err != nil {
		return nil, err
	}
	pg.Total, pg.Full = len(results), len(results) == service.SearchLimit
	for _, res := range results {
		if n := len(pg.Groups); n == 0 || pg.Groups[n-1].Kind != res.Kind {
			pg.Groups = append(pg.Groups, searchGroup{Kind: res.Kind, Heading: searchHeadings[res.Kind]})
		}
		g := &pg.Groups[len(pg.Groups)-1]
		g.Results = append(g.Results, searchResult{res, searchURL(res)})
	}
	return pg, nil
}

type searchInput struct {
	Q     string `query:"q" maxLength:"1000" doc:"Words to look for: each must begin a word of what is found"`
	Limit int    `query:"limit" minimum:"0" maximum:"100" doc:"At most this many results (0: 100)"`
}

type searchOutput struct {
	Body struct {
		Results []service.SearchResult `json:"results"`
	}
}

// handleSearch answers GET /api/v1/search.
func (s *server) handleSearch(ctx context.Context, in *searchInput) (*searchOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.Service.Search(ctx, p, in.Q, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &searchOutput{}
	out.Body.Results = rs
	if out.Body.Results == nil {
		out.Body.Results = []service.SearchResult{}
	}
	return out, nil
}
