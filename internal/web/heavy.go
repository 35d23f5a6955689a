package web

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// Body limits, each what real documents need with room to spare.
const (
	// maxOSCAL is the largest OSCAL document the API takes: NIST's whole
	// SP 800-53 rev5 catalog is about 10 MiB. A profile resolved with its
	// catalog sends both, in the same limit.
	maxOSCAL = 16 << 20
	// maxMatrix is the largest provider's matrix (CSV, XLSX, OSCAL SSP or
	// component definition): the CSA CAIQ is about 1 MiB.
	maxMatrix = 8 << 20
	// maxSATWorkbook is the largest SAT workbook upload: Remit's own
	// export is tens of kilobytes.
	maxSATWorkbook = 4 << 20
)

// heavy bounds the work that costs far more than a page — imports,
// profile resolution, evidence uploads, document exports — so that a few
// large requests cannot take the server's memory and cores. At most
// slots run at once; up to queue more wait, each for at most wait; the
// rest are told to come back later (503 with Retry-After).
type heavy struct {
	slots   chan struct{}
	waiting atomic.Int32
	queue   int32
	wait    time.Duration
}

// retryAfter is what a refused request is told, in seconds.
const retryAfter = 5

func newHeavy(slots, queue int, wait time.Duration) *heavy {
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0))
	}
	if queue < 0 {
		queue = 0
	}
	return &heavy{slots: make(chan struct{}, slots), queue: int32(queue), wait: wait}
}

// acquire takes a slot, waiting if the queue has room; ok is false when
// the caller must be refused.
func (h *heavy) acquire(ctx context.Context) (release func(), ok bool) {
	release = func() { <-h.slots }
	select {
	case h.slots <- struct{}{}:
		return release, true
	default:
	}
	if h.waiting.Add(1) > h.queue {
		h.waiting.Add(-1)
		return nil, false
	}
	defer h.waiting.Add(-1)
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

const busyMessage = "the server is busy with other imports and exports: try again in a few seconds"

// heavyHandler runs h in a heavy slot, or answers 503 with Retry-After.
func (s *server) heavyHandler(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		release, ok := s.heavy.acquire(r.Context())
		if !ok {
			s.metrics.busy.Inc()
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
			writeProblem(w, http.StatusServiceUnavailable, busyMessage)
			return
		}
		defer release()
		h(w, r)
	}
}

// heavyMiddleware is heavyHandler for an operation of the API.
func (s *server) heavyMiddleware(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		release, ok := s.heavy.acquire(ctx.Context())
		if !ok {
			s.metrics.busy.Inc()
			ctx.SetHeader("Retry-After", strconv.Itoa(retryAfter))
			_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, busyMessage)
			return
		}
		defer release()
		next(ctx)
	}
}
