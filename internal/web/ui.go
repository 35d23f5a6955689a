package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/remit"
)

//go:embed templates/*.html
var templateFiles embed.FS

// basePage is what every page carries: the layout reads it.
type basePage struct {
	Title string
	// Nav is the service navigation item the page belongs to.
	Nav  string
	User *remit.Principal
	// Flash is a one-off message after a change (post-redirect-get);
	// FlashAt the anchor the change was redirected to ("" for the top).
	// A page that lists an anchor in FlashAnchors shows the banner there,
	// beside what was changed; any other shows it at the top.
	Flash, FlashAt string
	FlashAnchors   []string
	// Errors fill the GOV.UK error summary; each links to its field.
	Errors []fieldError
	// Path is the request's path, for sign-in's return address.
	Path string
	// Portal marks a supplier portal page: it never shows, nor acts as,
	// whoever may be signed in.
	Portal bool
}

func (b *basePage) base() *basePage { return b }

// pager is any page struct: it embeds basePage.
type pager interface{ base() *basePage }

// fieldError is one problem with a form, against the id of its field.
type fieldError struct {
	Field   string
	Message string
}

// errorFor returns the message for one field, "" when it has none.
func (b *basePage) ErrorFor(field string) string {
	for _, e := range b.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// CanAdmin reports whether the signed-in user administers the service.
func (b *basePage) CanAdmin() bool { return b.User != nil && b.User.May(remit.ActAdmin, "") }

// CanEditModel reports whether the user may change catalogues and provider models.
func (b *basePage) CanEditModel() bool { return b.User != nil && b.User.May(remit.ActEditModel, "") }

// ui holds the parsed templates, one set per page, and the assets.
type ui struct {
	pages  map[string]*template.Template
	assets *assets
}

// newUI parses every page template with the layout and the partials; a
// template that does not parse stops the server from starting.
func newUI() (*ui, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	u := &ui{pages: map[string]*template.Template{}, assets: a}
	funcs := template.FuncMap{
		"asset":        a.url,
		"classTag":     classTag,
		"statusTag":    statusTag,
		"assuranceTag": assuranceTag,
		"list":         func(xs ...string) []string { return xs },
		"deref":        func(p *int) int { return *p },
		"deref2":       func(t *time.Time) time.Time { return *t },
		"anchor":       anchor,
		"list1":        func(c cumulativeRow) []cumulativeRow { return []cumulativeRow{c} },
		"cumulativeArgs": func(test, caption, first string, rows []cumulativeRow, providers bool) cumulativeTable {
			return cumulativeTable{Test: test, Caption: caption, First: first, Rows: rows, Providers: providers}
		},
		"levelArgs": func(p pager, name, label string, levels []string, value int) levelSelect {
			return levelSelect{Page: p.base(), Name: name, Label: label, Levels: levels, Value: value}
		},
		"has":   func(xs []string, x string) bool { return slices.Contains(xs, x) },
		"pct":   pct,
		"query": queryWith,
		"date":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04") },
		"inc":   func(i int) int { return i + 1 },
		"sub":   func(a, b int) int { return a - b },
		"add":   func(a, b int) int { return a + b },
		"controlID": func(ref string) string {
			_, id, ok := strings.Cut(ref, ":")
			if !ok {
				return ref
			}
			return id
		},
		"words":           words,
		"linked":          linked,
		"join":            strings.Join,
		"svg":             func(s string) template.HTML { return template.HTML(s) }, // our own renderers escape their text
		"pathEscape":      url.PathEscape,
		"navItem":         navItem,
		"obligationURL":   obligationURL,
		"offeringID":      func(ref string) string { _, o, _ := strings.Cut(ref, "/"); return o },
		"assuranceCounts": countsText,
		"providerOf":      func(ref string) string { p, _, _ := strings.Cut(ref, "/"); return p },
		"coverageWords":   func(c remit.CoverageSays) string { return coverageWords[c] },
		"coverageTag":     coverageTag,
	}
	shared, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/[a-z]*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		files := append([]string{name}, shared...)
		t, err := template.New(strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")).Funcs(funcs).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		u.pages[t.Name()] = t
	}
	return u, nil
}

// render writes a page with the layout. The page is executed into a
// buffer first, so a template error never leaves half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p pager) error {
	t, ok := s.ui.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	b := p.base()
	if u, ok := principal(r.Context()); ok && !b.Portal {
		b.User = &u
	}
	b.Path = r.URL.RequestURI()
	if b.Portal {
		b.Path = ""
	}
	if b.Flash == "" {
		b.Flash, b.FlashAt = s.takeFlash(w, r)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding")
	// Once the header is written, an error (a client gone away) can only
	// be logged: there is no answering it with an error page.
	var err error
	if buf.Len() > 1024 && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(zw)
		zw.Reset(w)
		if _, err = zw.Write(buf.Bytes()); err == nil {
			err = zw.Close()
		}
	} else {
		w.WriteHeader(status)
		_, err = w.Write(buf.Bytes())
	}
	if err != nil {
		s.Log.Info("page not delivered", "request_id", requestID(r.Context()), "path", logPath(r), "err", err)
	}
	return nil
}

// Pages are rendered into pooled buffers and gzipped by pooled writers:
// a system page is a megabyte of HTML, and a fresh buffer and compressor
// per request would be most of what it allocates.
var (
	buffers     = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	gzipWriters = sync.Pool{New: func() any { zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return zw }}
)

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 16<<20 { // one huge page must not pin its buffer
		buffers.Put(b)
	}
}

// levelSelect is a select of a scale's levels, for the risk form.
type levelSelect struct {
	Page   *basePage
	Name   string
	Label  string
	Levels []string
	Value  int
}

// uiHandler is a page handler: it writes the page or returns an error for
// handle to answer.
type uiHandler func(w http.ResponseWriter, r *http.Request) error

// show is the handler of a page that only shows what build makes (the GET
// of a form whose POST handler builds the same page).
func show[P pager](s *server, name string, build func(*http.Request) (P, error)) uiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := build(r)
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, name, p)
	}
}

// page wraps a handler that needs a signed-in user: anyone else goes to
// the sign-in page and comes back after.
func (s *server) page(h uiHandler) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if _, ok := principal(r.Context()); !ok {
			http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	})
}

// handle answers a handler's error with an error page: the status follows
// the error as in the API; only 5xx are logged.
func (s *server) handle(h uiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status, msg := statusOf(err)
		if status >= 500 {
			s.Log.Error("page failed", "request_id", requestID(r.Context()), "path", logPath(r), "err", err)
			msg = "Something went wrong on our side. The request id is " + requestID(r.Context()) + "."
		}
		p := &errorPage{basePage: basePage{Title: http.StatusText(status)}, Status: status, Message: msg}
		if err := s.render(w, r, status, "error", p); err != nil {
			s.Log.Error("render error page", "err", err)
			http.Error(w, msg, status)
		}
	}
}

// badForm is a form the UI did not send (a tampered or stale field): 400.
type badForm string

func (e badForm) Error() string { return string(e) }

// statusOf maps an error to its HTTP status and the message to show.
func statusOf(err error) (int, string) {
	var se huma.StatusError
	var ve *remit.ValidationError
	var bf badForm
	var lc linkClosed
	switch {
	case errors.As(err, &lc):
		return http.StatusGone, "This link no longer lets you change anything: " + lc.Error() + ". If you need to change your answers, ask the assessor who sent it."
	case errors.As(err, &bf):
		return http.StatusBadRequest, sentence(bf.Error()) + "."
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, ve.Error()
	case errors.Is(err, remit.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, remit.ErrForbidden):
		return http.StatusForbidden, "You do not have permission to do that: " + err.Error() + "."
	case errors.Is(err, remit.ErrConflict):
		return http.StatusConflict, "Someone else changed this since you opened the page. Go back, reload, and make your change again."
	case errors.As(err, &se) && se.GetStatus() == http.StatusConflict:
		return http.StatusConflict, "Someone else changed this since you opened the page. Go back, reload, and make your change again."
	case errors.As(err, &se):
		msg := se.Error()
		if m, ok := err.(*huma.ErrorModel); ok {
			msg = m.Detail
		}
		return se.GetStatus(), msg
	}
	return http.StatusInternalServerError, ""
}

type errorPage struct {
	basePage
	Status  int
	Message string
}

// flashCookie carries one message across a redirect.
const flashCookie = "remit_flash"

func (s *server) flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// takeFlash reads and clears the message, and the anchor it was left
// for ("#anchor\x00message" when the redirect went to an anchor).
func (s *server) takeFlash(w http.ResponseWriter, r *http.Request) (msg, at string) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return "", ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	msg, _ = url.QueryUnescape(c.Value)
	if a, m, ok := strings.Cut(msg, "\x00"); ok && strings.HasPrefix(a, "#") {
		return m, a[1:]
	}
	return msg, ""
}

// FlashTop reports whether the message goes at the top of the page (the
// page does not show it at its anchor).
func (b *basePage) FlashTop() bool {
	return b.Flash != "" && !slices.Contains(b.FlashAnchors, b.FlashAt)
}

// redirect ends a successful form post: post-redirect-get, with a message
// (kept for the anchor redirected to, if any, so the page can show it
// there).
func (s *server) redirect(w http.ResponseWriter, r *http.Request, to, msg string) error {
	if msg != "" {
		if _, anchor, ok := strings.Cut(to, "#"); ok && anchor != "" {
			msg = "#" + anchor + "\x00" + msg
		}
		s.flash(w, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// user is the signed-in principal of a page request (page ensures one).
func user(r *http.Request) remit.Principal {
	p, _ := principal(r.Context())
	return p
}

// classTag is the GOV.UK tag colour for a class.
func classTag(c remit.Class) string {
	switch c {
	case remit.Inherited:
		return "govuk-tag--green"
	case remit.Shared:
		return "govuk-tag--blue"
	case remit.OrganisationSpecific:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// statusTag is the GOV.UK tag colour for an obligation's status.
func statusTag(st remit.ObligationStatus) string {
	switch st {
	case remit.StatusImplemented:
		return "govuk-tag--green"
	case remit.StatusInProgress:
		return "govuk-tag--yellow"
	case remit.StatusNotStarted:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// assuranceTag is the GOV.UK tag colour for an assurance status.
func assuranceTag(st remit.AssuranceStatus) string {
	switch st {
	case remit.Assured:
		return "govuk-tag--green"
	case remit.AssuranceStale:
		return "govuk-tag--orange"
	case remit.Unassured:
		return "govuk-tag--yellow"
	case remit.AssuranceFailed:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// pct is part of total as a whole percentage.
func pct(part, total int) int {
	if total == 0 {
		return 0
	}
	return (part*100 + total/2) / total
}

// queryWith returns the query string q with key set to value (removed
// when value is ""), for filter and sort links.
func queryWith(q url.Values, key, value string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}
