package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wensou/wensou/index"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(count func() (uint64, bool), health func() (index.Health, bool), cluster func() (ClusterStatus, bool)) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wensou_http_requests_total",
		Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "wensou_http_request_duration_seconds",
		Help:    "HTTP request latency by route, method and status.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})
	docs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wensou_index_documents",
		Help: "Articles in the index being served.",
	}, func() float64 {
		n, ok := count()
		if !ok {
			return 0
		}
		return float64(n)
	})
	writable := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wensou_storage_writable",
		Help: "1 when the index's storage takes writes, 0 when it refuses them (a full or read-only disk, files removed).",
	}, func() float64 {
		if h, ok := health(); ok && h.Problem == nil {
			return 1
		}
		return 0
	})
	free := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wensou_storage_free_bytes",
		Help: "Free space on the file system holding the index (-1 when unknown).",
	}, func() float64 {
		h, _ := health()
		return float64(h.FreeBytes)
	})
	applied := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wensou_cluster_applied_sequence",
		Help: "On a cluster node, the last sequence of the log applied to its index (0 on a standalone server).",
	}, func() float64 {
		st, _ := cluster()
		return float64(st.Applied)
	})
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wensou_cluster_lag",
		Help: "On a cluster node, the entries of the log it has still to apply (0 on a standalone server).",
	}, func() float64 {
		st, _ := cluster()
		return float64(st.Lag)
	})
	m.reg.MustRegister(m.requests, m.latency, docs, writable, free, applied, lag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware counts and times every request by its route pattern (not
// its path, so an article id does not make a new series).
func (m *metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	m.observe(c, start)
}

// observedKey marks a request that has been counted.
const observedKey = "wensou.observed"

// observe counts and times the request, once.
func (m *metrics) observe(c *gin.Context, start time.Time) {
	if c.GetBool(observedKey) {
		return
	}
	c.Set(observedKey, true)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := strconv.Itoa(c.Writer.Status())
	m.requests.WithLabelValues(route, c.Request.Method, status).Inc()
	m.latency.WithLabelValues(route, c.Request.Method, status).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
