package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// handleReadyz answers 200 once the database answers.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Service.Ready(ctx); err != nil {
		s.Log.Error("not ready", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "the database is not answering")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ready")
}

// reader returns the principal if it may read, else a 401.
func reader(ctx context.Context) (remit.Principal, error) {
	p, ok := principal(ctx)
	if !ok {
		return p, huma.Error401Unauthorized("sign in first: send Authorization: Bearer <token>, or sign in at POST /api/v1/session")
	}
	return p, nil
}

// --- sessions -------------------------------------------------------------

type signInInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"320" doc:"Your email address"`
		Password string `json:"password" maxLength:"1000" doc:"Your password"`
	}
}

type signInOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		User    remit.Principal `json:"user"`
		Token   string          `json:"token" doc:"The session secret: send it as Authorization: Bearer, or rely on the cookie"`
		Expires time.Time       `json:"expires"`
	}
}

func (s *server) handleSessionCreate(ctx context.Context, in *signInInput) (*signInOutput, error) {
	secret, u, expires, err := s.signIn(ctx, in.Body.Email, in.Body.Password)
	if err != nil {
		return nil, err
	}
	out := &signInOutput{}
	out.Body.User, out.Body.Token, out.Body.Expires = u.Principal(), secret, expires
	out.SetCookie = s.sessionCookie(secret, expires)
	return out, nil
}

// signIn checks a password, within the sign-in limits the service keeps
// (shared by every server on the database), and starts a session. Its
// errors are the API's (429 with Retry-After, 503, 401).
func (s *server) signIn(ctx context.Context, email, password string) (secret string, u accounts.User, expires time.Time, err error) {
	if s.NoPasswordSignIn && (s.BreakGlass == "" || !strings.EqualFold(strings.TrimSpace(email), s.BreakGlass)) {
		how := "single sign-on"
		if s.OIDC != nil {
			how = s.OIDC.Name()
		}
		return "", u, expires, huma.Error403Forbidden("Passwords are switched off on this server: sign in with " + how)
	}
	select {
	case s.passwordChecks <- struct{}{}:
	case <-ctx.Done():
		return "", u, expires, huma.Error503ServiceUnavailable("the server is busy: try again in a moment")
	}
	secret, u, err = s.Service.SignIn(ctx, email, password, remoteAddr(ctx), sessionTTL)
	<-s.passwordChecks
	var te *service.ThrottledError
	if errors.As(err, &te) {
		secs := int(te.RetryAfter.Round(time.Second) / time.Second)
		return "", u, expires, huma.ErrorWithHeaders(huma.Error429TooManyRequests(sentence(te.Error())), http.Header{"Retry-After": {strconv.Itoa(max(1, secs))}})
	}
	if err != nil {
		return "", u, expires, s.problem(ctx, err)
	}
	return secret, u, s.Now().Add(sessionTTL).UTC(), nil
}

// sessionCookie carries a session secret: HttpOnly, SameSite=Lax, and
// Secure unless the server runs on loopback for development.
func (s *server) sessionCookie(secret string, expires time.Time) http.Cookie {
	c := http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, Expires: expires}
	if secret == "" {
		c.Expires, c.MaxAge = time.Time{}, -1
	}
	return c
}

type signOutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *server) handleSessionDelete(ctx context.Context, _ *struct{}) (*signOutOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	if err := s.signOut(ctx); err != nil {
		return nil, s.problem(ctx, err)
	}
	return &signOutOutput{SetCookie: s.sessionCookie("", time.Time{})}, nil
}

// signOut ends the request's session, if it came with one.
func (s *server) signOut(ctx context.Context) error {
	if cred, _ := ctx.Value(credentialKey).(string); cred != "" {
		if err := s.Service.SignOut(ctx, cred, remoteAddr(ctx)); err != nil {
			return err
		}
		s.verified.forget(func(c string) bool { return c == cred })
	}
	return nil
}

type meOutput struct{ Body remit.Principal }

func (s *server) handleMe(ctx context.Context, _ *struct{}) (*meOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	return &meOutput{Body: p}, nil
}

// --- systems --------------------------------------------------------------

// SystemSummary is a system in a list.
type SystemSummary struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	Owner          string          `json:"owner,omitempty"`
	Team           string          `json:"team,omitempty"`
	Classification string          `json:"classification,omitempty"`
	Baseline       remit.Baseline  `json:"baseline"`
	Uses           []remit.Use     `json:"uses"`
	Summary        service.Summary `json:"summary"`
}

// listOutput is every list's shape: a page of items and where the next
// page starts ("" at the end).
type listOutput[T any] struct {
	Body struct {
		Items      []T    `json:"items"`
		NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last"`
	}
}

// page cuts one page of sorted items into a list response.
func page[T any](items []T, cursor string, limit int) (*listOutput[T], error) {
	out := &listOutput[T]{}
	var err error
	if out.Body.Items, out.Body.NextCursor, err = paginate(items, cursor, limit); err != nil {
		return nil, err
	}
	return out, nil
}

// paginate cuts one page of limit items from the sorted items, returning
// it (never nil) and the cursor of the next page ("" at the end).
func paginate[T any](items []T, cursor string, limit int) ([]T, string, error) {
	from, to, next, err := window(cursor, limit, len(items))
	if err != nil {
		return nil, "", err
	}
	return append([]T{}, items[from:to]...), next, nil
}

// window cuts one page of limit items from n sorted items; the cursor is
// an opaque offset into the same filtered, sorted list.
func window(cursor string, limit, n int) (from, to int, next string, err error) {
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return 0, 0, "", huma.Error400BadRequest("cursor is not one this API gave out: pass next_cursor from the previous page")
		}
		if from, err = strconv.Atoi(string(b)); err != nil || from < 0 {
			return 0, 0, "", huma.Error400BadRequest("cursor is not one this API gave out: pass next_cursor from the previous page")
		}
	}
	from = min(from, n)
	to = min(from+limit, n)
	if to < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(to)))
	}
	return from, to, next, nil
}

type systemListInput struct {
	Cursor         string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit          int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	Team           string `query:"team" doc:"Only this team's systems"`
	Classification string `query:"classification"`
	Provider       string `query:"provider" doc:"Only systems using an offering of this provider"`
	Sort           string `query:"sort" enum:"id,name,team" default:"id"`
}

func (s *server) handleSystemList(ctx context.Context, in *systemListInput) (*listOutput[SystemSummary], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var items []SystemSummary
	for x, sum := range s.Service.Snapshot().Systems() {
		if (in.Team != "" && x.Team != in.Team) || (in.Classification != "" && x.Classification != in.Classification) {
			continue
		}
		if in.Provider != "" && !usesProvider(x, in.Provider) {
			continue
		}
		items = append(items, summarise(x, sum))
	}
	slices.SortStableFunc(items, func(a, b SystemSummary) int {
		switch in.Sort {
		case "name":
			return strings.Compare(a.Name, b.Name)
		case "team":
			return strings.Compare(a.Team, b.Team)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return page(items, in.Cursor, in.Limit)
}

// usesProvider reports whether a system uses an offering of a provider.
func usesProvider(x *remit.System, provider string) bool {
	return slices.ContainsFunc(x.Uses, func(u remit.Use) bool {
		ref, err := remit.ParseOfferingRef(u.Offering)
		return err == nil && ref.Provider == provider
	})
}

func summarise(x *remit.System, sum service.Summary) SystemSummary {
	uses := x.Uses
	if uses == nil {
		uses = []remit.Use{}
	}
	return SystemSummary{ID: x.ID, Name: x.Name, Owner: x.Owner, Team: x.Team, Classification: x.Classification, Baseline: x.Baseline, Uses: uses, Summary: sum}
}

type systemInput struct {
	ID string `path:"id" doc:"System id"`
}

type systemOutput struct {
	ETag string `header:"ETag"`
	Body SystemSummary
}

func (s *server) handleSystemGet(ctx context.Context, in *systemInput) (*systemOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	// The body and its ETag from one snapshot, so they always agree.
	sn := s.Service.Snapshot()
	x, sum, ok := sn.System(in.ID)
	v, held := sn.Version(service.KindSystem, in.ID)
	if !ok || !held {
		return nil, huma.Error404NotFound(fmt.Sprintf("no system %q", in.ID))
	}
	return &systemOutput{ETag: etag(v), Body: summarise(x, sum)}, nil
}

type matrixInput struct {
	ID             string `path:"id"`
	Class          string `query:"class" enum:"inherited,shared,organisation-specific,not-applicable" doc:"Only rows of this class"`
	AcceptEncoding string `header:"Accept-Encoding"`
}

// matrixOutput is the matrix document, already encoded: matrices change
// rarely and are read often, so the encoded form is kept until the model
// changes. The OpenAPI description still names the MatrixDoc schema.
type matrixOutput struct {
	ContentType     string `header:"Content-Type"`
	ContentEncoding string `header:"Content-Encoding"`
	Vary            string `header:"Vary"`
	Body            []byte
}

// encoded caches encoded matrices, each with the stamp of the matrix it
// was made from, for one epoch of the model, up to maxEncodedBytes,
// dropping the oldest first.
type encoded struct {
	mu     sync.Mutex
	epoch  uint64
	bodies map[string]stamped
	order  []string // keys, oldest first
	size   int
}

type stamped struct {
	stamp uint64
	body  []byte
}

// maxEncodedBytes bounds the cache of the rarer forms (the full gzipped
// matrices have a slot per system in gzippedMatrices).
const maxEncodedBytes = 128 << 20

// get returns the body cached under key if it was made from the matrix
// with this stamp, or makes it. make returns the body and the stamp of the
// matrix it actually read, which is what the body is kept under.
func (e *encoded) get(epoch uint64, key string, stamp uint64, make func() ([]byte, uint64, error)) ([]byte, error) {
	e.mu.Lock()
	if e.epoch != epoch || e.bodies == nil {
		e.epoch, e.bodies, e.order, e.size = epoch, map[string]stamped{}, nil, 0
	}
	hit, ok := e.bodies[key]
	e.mu.Unlock()
	if ok && hit.stamp == stamp {
		return hit.body, nil
	}
	body, made, err := make()
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.epoch != epoch {
		return body, nil
	}
	if old, ok := e.bodies[key]; ok {
		e.size -= len(old.body)
	} else {
		e.order = append(e.order, key)
	}
	e.bodies[key] = stamped{stamp: made, body: body}
	e.size += len(body)
	for e.size > maxEncodedBytes && len(e.order) > 1 {
		oldest := e.order[0]
		e.order = e.order[1:]
		e.size -= len(e.bodies[oldest].body)
		delete(e.bodies, oldest)
	}
	return body, nil
}

func (s *server) handleMatrixGet(ctx context.Context, in *matrixInput) (*matrixOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	sn := s.Service.Snapshot()
	epoch, stamp, ok := sn.MatrixStamp(in.ID)
	if !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no system %q", in.ID))
	}
	key := in.ID + "?" + in.Class
	encode := func() ([]byte, uint64, error) {
		body, made, _ := sn.AppendMatrix(nil, in.ID, remit.Class(in.Class))
		return body, made, nil
	}
	out := &matrixOutput{ContentType: "application/json", Vary: "Accept-Encoding"}
	var err error
	// A matrix is repetitive text: gzip makes it a sixteenth of the size.
	// Every system's full matrix is kept gzipped (gzippedMatrices); the
	// other forms are cached once a client has asked for them.
	switch {
	case acceptsGzip(in.AcceptEncoding) && in.Class == "":
		out.ContentEncoding = "gzip"
		if s.gzipped.warming.Load() < epoch {
			go s.gzipped.warm(sn) // the estate was rebuilt: warm it again
		}
		out.Body, err = s.gzipped.get(sn, in.ID)
	case acceptsGzip(in.AcceptEncoding):
		out.ContentEncoding = "gzip"
		out.Body, err = s.matrices.get(epoch, key+"#gzip", stamp, func() ([]byte, uint64, error) {
			body, made, err := encode()
			if err != nil {
				return nil, 0, err
			}
			zipped, err := gzipped(body)
			return zipped, made, err
		})
	default:
		out.Body, err = s.matrices.get(epoch, key, stamp, encode)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

type coverageInput struct {
	ID string `path:"id"`
}

type coverageOutput struct {
	Body []report.OfferingCoverage
}

// handleCoverage answers, per offering a system uses, how many of its
// contributions are stated for the control, mapped or assumed.
func (s *server) handleCoverage(ctx context.Context, in *coverageInput) (*coverageOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	sn := s.Service.Snapshot()
	if _, _, ok := sn.System(in.ID); !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no system %q", in.ID))
	}
	out := &coverageOutput{Body: sn.Coverage(in.ID)}
	if out.Body == nil {
		out.Body = []report.OfferingCoverage{}
	}
	return out, nil
}

type estateCoverageInput struct {
	Provider string `query:"provider" doc:"Count only this provider's offerings, over the systems that use them"`
}

type estateCoverageOutput struct {
	Body report.CoverageDoc
}

// handleEstateCoverage answers coverage over the estate, or over one
// provider's offerings.
func (s *server) handleEstateCoverage(ctx context.Context, in *estateCoverageInput) (*estateCoverageOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	sn := s.Service.Snapshot()
	if in.Provider == "" {
		return &estateCoverageOutput{Body: sn.EstateCoverage()}, nil
	}
	doc, ok := sn.ProviderCoverage(in.Provider)
	if !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no provider %q", in.Provider))
	}
	return &estateCoverageOutput{Body: doc}, nil
}

type explainInput struct {
	ID      string `path:"id"`
	Control string `query:"control" required:"true" doc:"catalogue:control"`
}

type explainOutput struct {
	Body struct {
		Sentences []string   `json:"sentences"`
		Row       report.Row `json:"row"`
	}
}

func (s *server) handleExplain(ctx context.Context, in *explainInput) (*explainOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	sn := s.Service.Snapshot()
	if _, _, ok := sn.System(in.ID); !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no system %q", in.ID))
	}
	sentences, row, ok := sn.Explain(in.ID, in.Control)
	if !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("control %q is not in the baseline of system %q", in.Control, in.ID))
	}
	out := &explainOutput{}
	out.Body.Sentences, out.Body.Row = sentences, row
	return out, nil
}

// --- obligations ----------------------------------------------------------

// Obligation is one obligation with, for ours, its tracking.
type Obligation = service.Obligation

// assure derives each obligation's assurance today.
func (s *server) assure(obs []Obligation) { s.Service.Snapshot().Assure(obs, s.Now()) }

type obligationListInput struct {
	Cursor string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	System string `query:"system"`
	Team   string `query:"team"`
	Status string `query:"status" enum:"not-started,in-progress,implemented,not-applicable"`
	Class  string `query:"class" enum:"inherited,shared,organisation-specific"`
	Party  string `query:"party" enum:"ours,providers" default:"ours"`
	Sort   string `query:"sort" enum:"id,due,status" default:"id"`
}

func (s *server) handleObligationList(ctx context.Context, in *obligationListInput) (*listOutput[Obligation], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	seq := s.Service.Snapshot().SortedObligations(func(x *remit.System) bool {
		return (in.System == "" || x.ID == in.System) && (in.Team == "" || x.Team == in.Team)
	}, report.Party(in.Party), func(o Obligation) bool {
		return (in.Status == "" || (o.Tracking != nil && string(o.Tracking.Status) == in.Status)) && (in.Class == "" || string(o.Class) == in.Class)
	}, service.ObligationSort(in.Sort))
	out, err := pageSeq(seq, in.Cursor, in.Limit)
	if err == nil {
		s.assure(out.Body.Items)
	}
	return out, err
}

// pageSeq cuts one page of limit items from a sorted sequence, reading it
// only as far as the page's end (and one more, to know whether there is a
// next page): a page of a long list costs what the items before it and
// the page do, never the whole list.
func pageSeq[T any](seq iter.Seq[T], cursor string, limit int) (*listOutput[T], error) {
	from, _, _, err := window(cursor, limit, math.MaxInt)
	if err != nil {
		return nil, err
	}
	out := &listOutput[T]{}
	out.Body.Items = []T{}
	i := 0
	for item := range seq {
		switch {
		case i < from:
		case len(out.Body.Items) < limit:
			out.Body.Items = append(out.Body.Items, item)
		default:
			out.Body.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(from + limit)))
			return out, nil
		}
		i++
	}
	return out, nil
}

type obligationInput struct {
	ID string `path:"id" doc:"Obligation id, system/catalogue:control/provider/offering/party (URL-encode the slashes)"`
}

type obligationOutput struct {
	ETag string `header:"ETag"`
	Body Obligation
}

func (s *server) handleObligationGet(ctx context.Context, in *obligationInput) (*obligationOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	o, ok := s.findObligation(in.ID)
	if !ok {
		return nil, huma.Error404NotFound(fmt.Sprintf("no obligation %q", in.ID))
	}
	obs := []Obligation{o}
	s.assure(obs)
	return &obligationOutput{ETag: etag(o.Version), Body: obs[0]}, nil
}

func (s *server) findObligation(id string) (Obligation, bool) {
	return s.Service.Snapshot().Obligation(id)
}

func etag(version int64) string { return strconv.Quote(strconv.FormatInt(version, 10)) }

// ifMatch reads the version an update quotes; a change without one is
// refused, so nobody overwrites what they have not seen.
func ifMatch(h string) (int64, error) {
	if h == "" {
		return 0, huma.NewError(http.StatusPreconditionRequired, "If-Match is required: send the ETag you read, so you never overwrite a change you have not seen")
	}
	if strings.HasPrefix(h, "W/") {
		// RFC 9110: If-Match compares strongly, and a weak validator
		// never matches.
		return 0, huma.NewError(http.StatusPreconditionFailed, fmt.Sprintf("If-Match %s is a weak validator, which never matches a change: send the ETag as this API gave it, such as \"3\"", h))
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 0 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) {
		return 0, huma.Error400BadRequest(fmt.Sprintf("If-Match %q is not an ETag this API gave out", h))
	}
	return v, nil
}

type trackingInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The ETag of the obligation you read"`
	Body    remit.Tracking
}

func (s *server) handleTrackingPut(ctx context.Context, in *trackingInput) (*obligationOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	t, err := s.Service.Track(ctx, p, in.ID, in.Body, version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	// The answer is this write's tracking and version, even when another
	// writer has changed the obligation since: an ETag of theirs would let
	// this client overwrite a change it has not seen.
	o, _ := s.findObligation(in.ID)
	o.Tracking, o.Version = &t.Tracking, t.Version
	return &obligationOutput{ETag: etag(o.Version), Body: o}, nil
}

type graphOutput struct {
	Body struct {
		Providers []service.Reliance `json:"providers"`
	}
}

func (s *server) handleGraph(ctx context.Context, _ *struct{}) (*graphOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	out := &graphOutput{}
	rels, err := s.Service.Concentration(ctx, s.Service.Snapshot())
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out.Body.Providers = rels
	return out, nil
}

// --- models ---------------------------------------------------------------

type catalogueListInput struct {
	Cursor string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	Sort   string `query:"sort" enum:"id,title" default:"id"`
}

// CatalogueSummary is a catalogue in a list.
type CatalogueSummary struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Version  string `json:"version,omitempty"`
	BuiltIn  bool   `json:"built_in"`
	Controls int    `json:"controls"`
}

func (s *server) handleCatalogueList(ctx context.Context, in *catalogueListInput) (*listOutput[CatalogueSummary], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var items []CatalogueSummary
	for _, cat := range s.Service.Snapshot().Catalogues() {
		items = append(items, CatalogueSummary{ID: cat.ID, Title: cat.Title, Version: cat.Version, BuiltIn: cat.BuiltIn, Controls: len(cat.Controls)})
	}
	slices.SortStableFunc(items, func(a, b CatalogueSummary) int {
		if in.Sort == "title" {
			return strings.Compare(a.Title, b.Title)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return page(items, in.Cursor, in.Limit)
}

type catalogueOutput struct {
	ETag string `header:"ETag"`
	Body remit.Catalogue
}

func (s *server) handleCatalogueGet(ctx context.Context, in *systemInput) (*catalogueOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	sn := s.Service.Snapshot()
	cat, ok := sn.Catalogue(in.ID)
	v, held := sn.Version(service.KindCatalogue, in.ID)
	if !ok || !held {
		return nil, huma.Error404NotFound(fmt.Sprintf("no catalogue %q", in.ID))
	}
	return &catalogueOutput{ETag: etag(v), Body: *cat}, nil
}

type providerListInput struct {
	Cursor       string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit        int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	ServiceModel string `query:"service_model" enum:"iaas,paas,saas,managed-service,on-premises" doc:"Only providers with an offering of this service model"`
	Sort         string `query:"sort" enum:"id,name" default:"id"`
}

// ProviderSummary is a provider in a list.
type ProviderSummary struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	BuiltIn   bool              `json:"built_in"`
	Offerings []OfferingSummary `json:"offerings"`
}

// OfferingSummary is an offering in a list.
type OfferingSummary struct {
	Ref          string             `json:"ref"`
	Name         string             `json:"name"`
	ServiceModel remit.ServiceModel `json:"service_model"`
	DependsOn    []string           `json:"depends_on"`
	Statements   int                `json:"statements"`
	Systems      int                `json:"systems" doc:"Systems that use it directly"`
	// RunsOn names DependsOn in words, for pages.
	RunsOn []string `json:"-"`
}

func (s *server) handleProviderList(ctx context.Context, in *providerListInput) (*listOutput[ProviderSummary], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var items []ProviderSummary
	for _, p := range s.Service.Snapshot().Providers() {
		if in.ServiceModel != "" && !slices.ContainsFunc(p.Offerings, func(o service.OfferingInfo) bool { return string(o.Offering.ServiceModel) == in.ServiceModel }) {
			continue
		}
		ps := ProviderSummary{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []OfferingSummary{}}
		for _, o := range p.Offerings {
			deps := o.Offering.DependsOn
			if deps == nil {
				deps = []string{}
			}
			ps.Offerings = append(ps.Offerings, OfferingSummary{Ref: o.Ref, Name: o.Offering.Name, ServiceModel: o.Offering.ServiceModel, DependsOn: deps,
				Statements: len(o.Offering.Statements), Systems: o.Users})
		}
		items = append(items, ps)
	}
	slices.SortStableFunc(items, func(a, b ProviderSummary) int {
		if in.Sort == "name" {
			return strings.Compare(a.Name, b.Name)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return page(items, in.Cursor, in.Limit)
}

type offeringInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
}

func (in *offeringInput) ref() string {
	return remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
}
func (in *diffInput) ref() string {
	return remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
}
func (in *statementInput) ref() string {
	return remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
}
func (in *statementDeleteInput) ref() string {
	return remit.OfferingRef{Provider: in.Provider, Offering: in.Offering}.String()
}

type offeringOutput struct {
	ETag string `header:"ETag"`
	Body remit.Offering
}

func (s *server) handleOfferingGet(ctx context.Context, in *offeringInput) (*offeringOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	o, v, err := s.Service.Offering(ctx, in.ref())
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &offeringOutput{ETag: etag(v), Body: o}, nil
}

type versionListOutput struct {
	Body struct {
		Items []remit.OfferingVersion `json:"items"`
	}
}

func (s *server) versions(ctx context.Context, ref string) ([]remit.OfferingVersion, error) {
	vs, err := s.Service.OfferingVersions(ctx, ref)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	if len(vs) == 0 {
		return nil, huma.Error404NotFound(fmt.Sprintf("no offering %q", ref))
	}
	return vs, nil
}

func (s *server) handleVersionList(ctx context.Context, in *offeringInput) (*versionListOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	vs, err := s.versions(ctx, in.ref())
	if err != nil {
		return nil, err
	}
	out := &versionListOutput{}
	out.Body.Items = vs
	return out, nil
}

type diffInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	From     int    `query:"from" minimum:"1" required:"true" doc:"The older version"`
	To       int    `query:"to" minimum:"1" required:"true" doc:"The newer version"`
}

type diffOutput struct {
	Body struct {
		Offering string               `json:"offering"`
		From     int                  `json:"from"`
		To       int                  `json:"to"`
		Systems  []service.SystemDiff `json:"systems"`
	}
}

// handleVersionDiff compares two versions of one offering's model.
func (s *server) handleVersionDiff(ctx context.Context, in *diffInput) (*diffOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	diffs, err := s.Service.DiffVersions(ctx, in.ref(), in.From, in.To)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &diffOutput{}
	out.Body.Offering, out.Body.From, out.Body.To, out.Body.Systems = in.ref(), in.From, in.To, diffs
	return out, nil
}

type statementInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	Control  string `path:"control" doc:"catalogue:control"`
	IfMatch  string `header:"If-Match" doc:"The ETag of the offering you read"`
	Body     struct {
		Class    remit.Class   `json:"class" enum:"inherited,shared,organisation-specific,not-applicable"`
		Provider string        `json:"provider,omitempty" maxLength:"4000"`
		Customer string        `json:"customer,omitempty" maxLength:"4000"`
		Source   *remit.Source `json:"source,omitempty"`
	}
}

type statementDeleteInput struct {
	Provider string `path:"provider"`
	Offering string `path:"offering"`
	Control  string `path:"control"`
	IfMatch  string `header:"If-Match"`
}

type versionOutput struct {
	ETag string `header:"ETag"`
}

func (s *server) handleStatementPut(ctx context.Context, in *statementInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	st := remit.Statement{Control: in.Control, Class: in.Body.Class, Provider: in.Body.Provider, Customer: in.Body.Customer, Source: in.Body.Source}
	v, err := s.Service.SetStatement(ctx, p, in.ref(), st, version)
	return s.etagOf(ctx, v, err)
}

func (s *server) handleStatementDelete(ctx context.Context, in *statementDeleteInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.SetStatement(ctx, p, in.ref(), remit.Statement{Control: in.Control}, version)
	return s.etagOf(ctx, v, err)
}

// --- audit, tokens, users -------------------------------------------------

type auditInput struct {
	Kind   string `query:"kind"`
	ID     string `query:"id"`
	Actor  string `query:"actor"`
	After  int64  `query:"after" minimum:"0" doc:"Only records after this sequence number"`
	Cursor string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

// handleAuditList pages through the trail by sequence number: the cursor
// is the last record's, so pages never shift as records are added.
func (s *server) handleAuditList(ctx context.Context, in *auditInput) (*listOutput[remit.AuditRecord], error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	after := in.After
	if in.Cursor != "" {
		seq, err := strconv.ParseInt(in.Cursor, 10, 64)
		if err != nil || seq < 0 {
			return nil, huma.Error400BadRequest("cursor is not one this API gave out: pass next_cursor from the previous page")
		}
		after = max(after, seq)
	}
	out := &listOutput[remit.AuditRecord]{}
	var err error
	if out.Body.Items, err = s.Service.Audit(ctx, remit.AuditFilter{Kind: remit.Kind(in.Kind), ID: in.ID, Actor: in.Actor, AfterSeq: after, Limit: in.Limit}); err != nil {
		return nil, s.problem(ctx, err)
	}
	if out.Body.Items == nil {
		out.Body.Items = []remit.AuditRecord{}
	}
	if n := len(out.Body.Items); n == in.Limit {
		out.Body.NextCursor = strconv.FormatInt(out.Body.Items[n-1].Seq, 10)
	}
	return out, nil
}

type pageInput struct {
	Cursor string `query:"cursor" doc:"Where the previous page ended (its next_cursor)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
}

func (s *server) handleTokenList(ctx context.Context, in *pageInput) (*listOutput[accounts.Token], error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.Service.Tokens(ctx, p, p.Email)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return page(items, in.Cursor, in.Limit)
}

type tokenCreateInput struct {
	Body struct {
		Name          string     `json:"name" maxLength:"200" doc:"What the token is for"`
		Role          remit.Role `json:"role,omitempty" enum:"viewer,editor,assessor,risk-owner,admin" doc:"At most your own role; viewer for read-only"`
		ExpiresInDays int        `json:"expires_in_days" minimum:"1" maximum:"366" default:"90"`
		Scope         string     `json:"scope,omitempty" enum:"checks" doc:"checks: the token may only hand in automated check results (for a pipeline); leave out for your role's whole reach"`
	}
}

type tokenCreateOutput struct {
	Body struct {
		Token  accounts.Token `json:"token"`
		Secret string         `json:"secret" doc:"Shown once: send it as Authorization: Bearer"`
	}
}

func (s *server) handleTokenCreate(ctx context.Context, in *tokenCreateInput) (*tokenCreateOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	role := in.Body.Role
	if role == "" {
		role = p.Role
	}
	t, secret, err := s.Service.CreateScopedToken(ctx, p, in.Body.Name, role, time.Duration(in.Body.ExpiresInDays)*24*time.Hour, in.Body.Scope)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &tokenCreateOutput{}
	out.Body.Token, out.Body.Secret = t, secret
	return out, nil
}

type tokenInput struct {
	ID string `path:"id"`
}

func (s *server) handleTokenRevoke(ctx context.Context, in *tokenInput) (*struct{}, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Service.RevokeToken(ctx, p, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	s.verified.forget(func(c string) bool { return strings.HasPrefix(c, "remit_"+in.ID+"_") })
	return nil, nil
}

func (s *server) handleUserList(ctx context.Context, in *pageInput) (*listOutput[accounts.User], error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActAdmin, "") {
		return nil, huma.Error403Forbidden("only an admin can list users")
	}
	items, err := s.Service.Users(ctx, p)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return page(items, in.Cursor, in.Limit)
}

type userCreateInput struct {
	Body struct {
		Email    string     `json:"email" maxLength:"320"`
		Name     string     `json:"name,omitempty" maxLength:"200"`
		Role     remit.Role `json:"role" enum:"viewer,editor,assessor,risk-owner,admin"`
		Teams    []string   `json:"teams,omitempty" maxItems:"100"`
		Password string     `json:"password" minLength:"12" maxLength:"1000"`
	}
}

type userOutput struct{ Body accounts.User }

func (s *server) handleUserCreate(ctx context.Context, in *userCreateInput) (*userOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !p.May(remit.ActAdmin, "") {
		return nil, huma.Error403Forbidden("only an admin can create users")
	}
	u, err := s.Service.AddUser(ctx, p, accounts.User{Email: in.Body.Email, Name: in.Body.Name, Role: in.Body.Role, Teams: in.Body.Teams}, in.Body.Password)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(name, "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func gzipped(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := compressors.Get().(*gzip.Writer)
	defer compressors.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type assignOwnerInput struct {
	Body struct {
		Owner       string               `json:"owner" maxLength:"200" doc:"An account's email, a team, or the name of someone without an account; empty so the system's team answers for them"`
		Obligations []service.Assignment `json:"obligations" minItems:"1" maxItems:"500" doc:"Each obligation with the tracking version read (0: never tracked)"`
	}
}

type assignOwnerOutput struct {
	Body struct {
		Changed int `json:"changed" doc:"How many obligations had another owner before"`
	}
}

// handleAssignOwner gives many obligations one owner, all or none.
func (s *server) handleAssignOwner(ctx context.Context, in *assignOwnerInput) (*assignOwnerOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.Service.AssignOwner(ctx, p, in.Body.Owner, in.Body.Obligations)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &assignOwnerOutput{}
	out.Body.Changed = n
	return out, nil
}
