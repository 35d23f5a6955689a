package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	requests *prometheus.HistogramVec
	// busy counts heavy requests refused with 503.
	busy prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "remit_http_request_duration_seconds",
		Help:    "HTTP requests by route pattern, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "method", "status"}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "remit_http_busy_total",
			Help: "Imports, exports and other heavy requests refused with 503 because the server was busy.",
		})}
	reg.MustRegister(m.requests, m.busy, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one request. The labels come from fixed sets only —
// the route patterns in routes.go, the standard methods, the status — so
// that made-up methods and paths cannot add series without end.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	if _, pattern, ok := strings.Cut(route, " "); ok {
		route = pattern // the method has a label of its own
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	if status < 100 || status > 599 {
		status = 0
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}
