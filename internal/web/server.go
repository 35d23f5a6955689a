// Package web is Remit's HTTP server: the JSON API under /api/v1 (with
// its OpenAPI 3.1 description), the HTML UI, the supplier portal, health,
// readiness and metrics. routes.go lists every route. Each handler parses
// the request, calls one method of internal/service (which authorises,
// validates and writes) and renders what it answers: the package holds no
// store and no business rule, and reads only through service.Snapshot.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// Config is what a Server needs.
type Config struct {
	// Service runs every use-case: the server parses, calls it and renders.
	Service *service.Service
	Log     *slog.Logger
	// Secure marks cookies Secure (off only on loopback development).
	Secure bool
	// Registry receives the server's metrics.
	Registry *prometheus.Registry
	// HeavySlots is how many imports, exports and uploads run at once (the
	// number of cores unless set); HeavyQueue how many more may wait, each
	// at most HeavyWait, before the rest are answered 503 (a negative
	// HeavyQueue: none wait).
	HeavySlots, HeavyQueue int
	HeavyWait              time.Duration
	// TrustedProxies are the reverse proxies in front of the server: a
	// request from one of them is taken to come from the last address in
	// X-Forwarded-For that is not itself a trusted proxy. Without them,
	// X-Forwarded-For is ignored (anyone can send it).
	TrustedProxies []netip.Prefix
	// OIDC signs people in with an identity provider (nil: no single
	// sign-on).
	OIDC *accounts.OIDC
	// NoPasswordSignIn switches passwords off, but for the BreakGlass
	// account's (an email; "" for none), kept for when the identity
	// provider is down.
	NoPasswordSignIn bool
	BreakGlass       string
	// Email says a mail server is set up for reminders' digests (the
	// outbox page says so).
	Email bool
	// PublicURL is the address people reach the server at (behind a
	// proxy, the proxy's): links handed out (supplier portal links) use
	// it, and an https one turns on HSTS. Nil: the request's own.
	PublicURL *url.URL
}

// publicBase is the scheme and host links to this server start with.
func (s *server) publicBase(r *http.Request) string {
	if s.PublicURL != nil {
		return strings.TrimSuffix(s.PublicURL.String(), "/")
	}
	scheme := "https"
	if r.TLS == nil && !s.Secure {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// server holds what the handlers share.
type server struct {
	Config
	metrics  *metrics
	matrices encoded
	// gzipped holds every system's full matrix, gzipped.
	gzipped  gzippedMatrices
	verified verified
	// passwordChecks bounds the password checks running at once.
	passwordChecks chan struct{}
	// heavy bounds imports, exports and uploads running at once.
	heavy *heavy
	// handler is the whole of it, middleware and all.
	handler http.Handler
	ui      *ui
	// pageParts keeps rendered parts of pages, like matrices.
	pageParts encoded
}

// verified remembers credentials that checked out, for at most
// verifiedFor, so that a burst of requests does not read the database for
// each. Signing out or revoking a token here forgets it at once; another
// server sharing the database stops accepting it within verifiedFor.
type verified struct {
	mu      sync.Mutex
	entries map[string]verifiedEntry
}

type verifiedEntry struct {
	p       remit.Principal
	expires time.Time
}

const verifiedFor = time.Second

func (v *verified) get(credential string, now time.Time) (remit.Principal, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.entries[credential]
	if !ok || !now.Before(e.expires) {
		return remit.Principal{}, false
	}
	return e.p, true
}

func (v *verified) put(credential string, p remit.Principal, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entries == nil || len(v.entries) > 10000 {
		v.entries = map[string]verifiedEntry{} // bounded: start again
	}
	v.entries[credential] = verifiedEntry{p: p, expires: now.Add(verifiedFor)}
}

// forget drops every remembered credential for which match is true.
func (v *verified) forget(match func(credential string) bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for c := range v.entries {
		if match(c) {
			delete(v.entries, c)
		}
	}
}

// Now is the service's clock.
func (s *server) Now() time.Time { return s.Service.Now() }

// NewServer returns the whole HTTP handler.
func NewServer(cfg Config) http.Handler { return newServer(cfg).handler }

// newServer builds the server and its handler.
func newServer(cfg Config) *server {
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &server{Config: cfg, metrics: newMetrics(cfg.Registry),
		// Each password check takes 19 MiB and tens of milliseconds:
		// a few at a time, so sign-ins cannot exhaust the server.
		passwordChecks: make(chan struct{}, 4)}
	if cfg.HeavyWait == 0 {
		cfg.HeavyWait = 10 * time.Second
	}
	if cfg.HeavyQueue == 0 {
		cfg.HeavyQueue = 8
	}
	s.heavy = newHeavy(cfg.HeavySlots, cfg.HeavyQueue, cfg.HeavyWait)
	u, err := newUI()
	if err != nil {
		panic("web: " + err.Error()) // the templates are embedded: tests catch this
	}
	if missing := u.assets.missing(); len(missing) > 0 {
		cfg.Log.Error("web assets are missing: run make assets", "missing", missing)
	}
	s.ui = u
	// Count every system's obligations now, not on the first dashboard
	// (seconds on a 20,000-system estate).
	go s.Service.WarmTallies()
	// And encode every matrix, so the first reader of each need not.
	go s.gzipped.warm(s.Service.Snapshot())
	cfg.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "remit_matrix_cache_systems", Help: "Systems whose full matrix is kept gzipped."},
			func() float64 { n, _ := s.gzipped.size(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "remit_matrix_cache_bytes", Help: "Bytes of the gzipped full matrices kept."},
			func() float64 { _, b := s.gzipped.size(); return float64(b) }))
	mux := http.NewServeMux()
	s.routes(mux)
	var h http.Handler = mux
	h = s.authenticate(h)
	h = http.NewCrossOriginProtection().Handler(h)
	s.handler = s.observe(h, mux)
	return s
}

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
	credentialKey
	addrKey
)

// clientAddr is where a request comes from: its peer, or, when the peer
// is a trusted proxy, the nearest address in X-Forwarded-For that is not.
func (s *server) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	trusted := func(a string) bool {
		ip, err := netip.ParseAddr(strings.TrimSpace(a))
		if err != nil {
			return false
		}
		for _, p := range s.TrustedProxies {
			if p.Contains(ip.Unmap()) {
				return true
			}
		}
		return false
	}
	if !trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // not an address: trust nothing further out
		}
		if !trusted(hop) {
			return hop
		}
	}
	return peer
}

// remoteAddr is the client's address without its port; an IPv6 address
// stands for its /64, which one client can easily hop within.
func remoteAddr(ctx context.Context) string {
	a, _ := ctx.Value(addrKey).(string)
	host, _, err := net.SplitHostPort(a)
	if err != nil {
		host = a
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// principal returns who is making the request, if anyone signed in.
func principal(ctx context.Context) (remit.Principal, bool) {
	p, ok := ctx.Value(principalKey).(remit.Principal)
	return p, ok
}

// sessionCookie holds the session secret of a signed-in browser.
const sessionCookie = "remit_session"

// authenticate resolves a bearer token or session cookie to a principal.
// A credential that does not check out is a 401 at once; no credential
// leaves the request anonymous, for each route to refuse or serve.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var credential string
		fromCookie := false
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				writeProblem(w, http.StatusUnauthorized, "Authorization must be: Bearer <token>")
				return
			}
			credential = token
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			credential, fromCookie = c.Value, true
		}
		if credential != "" {
			now := s.Now()
			p, ok := s.verified.get(credential, now)
			var err error
			if !ok {
				if p, err = s.Service.Authenticate(r.Context(), credential); err == nil {
					s.verified.put(credential, p, now)
				}
			}
			if err != nil {
				if !errors.Is(err, accounts.ErrBadCredentials) {
					s.Log.Error("authenticate", "err", err, "request_id", requestID(r.Context()))
				}
				if fromCookie && !strings.HasPrefix(r.URL.Path, "/api/") {
					// A page: forget the stale cookie and carry on
					// signed out, so the page can offer to sign in.
					c := s.sessionCookie("", time.Time{})
					http.SetCookie(w, &c)
					next.ServeHTTP(w, r)
					return
				}
				writeProblem(w, http.StatusUnauthorized, "the session or token is not valid (expired, revoked or unknown): sign in again")
				return
			}
			if p.Scope != "" && !(p.Scope == remit.ScopeChecks && r.Method == http.MethodPost && checksRoute.MatchString(r.URL.Path)) {
				writeProblem(w, http.StatusForbidden, "this token may only hand in automated check results (POST /api/v1/checks or /api/v1/systems/{id}/checks)")
				return
			}
			ctx := context.WithValue(r.Context(), principalKey, p)
			r = r.WithContext(context.WithValue(ctx, credentialKey, credential))
		}
		next.ServeHTTP(w, r)
	})
}

// checksRoute is the one route a checks-scoped token may use.
var checksRoute = regexp.MustCompile(`^/api/v1/(systems/[^/]+/)?checks$`)

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"title":%q,"status":%d,"detail":%q}`, http.StatusText(status), status, detail)
}

// observe gives every request an id, security headers, a log line and
// metrics, and turns a panic into a 500.
func (s *server) observe(next http.Handler, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		// Nothing but the static assets may be kept by a browser or a
		// proxy: API answers and pages carry what only their reader may
		// see, and the sign-in answer carries the session's secret.
		// Handlers that serve assets set their own.
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.TLS != nil || (s.PublicURL != nil && s.PublicURL.Scheme == "https") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), addrKey, s.clientAddr(r))
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic", "request_id", id, "panic", v, "stack", string(debug.Stack()))
				if !rec.wrote {
					writeProblem(rec, http.StatusInternalServerError, "something went wrong on our side; the request id is "+id)
				}
			}
			d := time.Since(start)
			_, pattern := mux.Handler(r)
			s.metrics.observe(pattern, r.Method, rec.status, d)
			s.Log.Info("request", "request_id", id, "method", r.Method, "path", redactedPath(r.URL.Path, pattern), "status", rec.status, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

func requestID(ctx context.Context) string { id, _ := ctx.Value(requestIDKey).(string); return id }

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// problem maps a domain error to the API's problem JSON: validation
// problems name their field; sentinel errors map to their status; anything
// else is a 500, logged once here.
func (s *server) problem(ctx context.Context, err error) error {
	var ve *remit.ValidationError
	switch {
	case errors.As(err, &ve):
		details := make([]error, len(ve.Problems))
		for i, p := range ve.Problems {
			details[i] = &huma.ErrorDetail{Message: p.Message, Location: "body" + strings.ReplaceAll(p.Pointer, "/", ".")}
		}
		return huma.Error422UnprocessableEntity("the request has problems; each is listed with where it is", details...)
	case errors.Is(err, remit.ErrNotFound):
		return huma.Error404NotFound(err.Error())
	case errors.Is(err, remit.ErrConflict):
		return huma.Error409Conflict(err.Error() + "; read it again and retry with the new ETag")
	case errors.Is(err, remit.ErrForbidden):
		return huma.Error403Forbidden(err.Error())
	case errors.Is(err, accounts.ErrBadCredentials):
		return huma.Error401Unauthorized(err.Error())
	}
	s.Log.Error("request failed", "request_id", requestID(ctx), "err", err)
	return huma.Error500InternalServerError("something went wrong on our side; the request id is " + requestID(ctx))
}
