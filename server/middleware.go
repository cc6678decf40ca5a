package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
)

const requestIDKey = "request_id"

// requestID gives every request an id: the client's X-Request-ID when it
// is short and plain, else a new one. It is echoed in the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) {
		var b [8]byte
		if _, err := rand.Read(b[:]); err == nil {
			id = hex.EncodeToString(b[:])
		}
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }

// recovery turns a panic into a 500 and logs the stack. A panic skips
// what the access log and metrics middleware do after c.Next, so it does
// that for them.
func (s *Server) recovery(c *gin.Context) {
	start := time.Now()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "panic", fmt.Sprint(v), "request_id", requestIDOf(c), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{errorBody{
					Code:    "internal",
					Message: fmt.Sprintf("internal error; the server log has the details (request id %s)", requestIDOf(c)),
				}})
			}
			s.logRequest(c, start)
			s.metrics.observe(c, start)
		}
	}()
	c.Next()
}

// accessLog writes one line per request, at a level by status, skipping
// health checks and metrics scrapes. The query string is logged only at
// debug level; the Authorization header never.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.logRequest(c, start)
}

// accessLoggedKey marks a request whose access log line is written.
const accessLoggedKey = "wensou.access_logged"

// logRequest writes the request's access log line, once.
func (s *Server) logRequest(c *gin.Context, start time.Time) {
	if c.GetBool(accessLoggedKey) {
		return
	}
	c.Set(accessLoggedKey, true)
	if p := c.Request.URL.Path; p == "/healthz" || p == "/metrics" {
		return
	}
	status := c.Writer.Status()
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", c.FullPath()),
		slog.Int("status", status),
		slog.Float64("took_ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int("bytes", c.Writer.Size()),
		slog.String("client", c.ClientIP()),
		slog.String("request_id", requestIDOf(c)),
	}
	if s.log.Enabled(c.Request.Context(), slog.LevelDebug) {
		attrs = append(attrs, slog.String("query", c.Request.URL.RawQuery))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// cors answers cross-origin requests from the configured origins; with
// none configured it does nothing, and browsers refuse cross-origin reads.
func (s *Server) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" || len(s.opts.CORSOrigins) == 0 {
		c.Next()
		return
	}
	c.Header("Vary", "Origin")
	allowed := slices.Contains(s.opts.CORSOrigins, "*") || slices.Contains(s.opts.CORSOrigins, origin)
	if !allowed {
		c.Next()
		return
	}
	c.Header("Access-Control-Allow-Origin", origin)
	c.Header("Access-Control-Expose-Headers", "X-Request-ID")
	if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
		c.Header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
		c.Header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-ID")
		c.Header("Access-Control-Max-Age", "600")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// withTimeout bounds a search by the configured timeout.
func (s *Server) withTimeout(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// admin lets a request through only with the admin key, compared in
// constant time.
func (s *Server) admin(c *gin.Context) {
	if s.opts.AdminKey == "" {
		c.Error(errWritesDisabled)
		c.Abort()
		return
	}
	// The scheme is case-insensitive (RFC 9110, section 11.1).
	scheme, key, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		c.Error(errNoKey)
		c.Abort()
		return
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(key)), []byte(s.opts.AdminKey)) != 1 {
		c.Error(errWrongKey)
		c.Abort()
		return
	}
	c.Next()
}

// bodyLimit caps the request body; reading past it fails with a
// *http.MaxBytesError (413). A declared length over the cap is refused
// at once.
func (s *Server) bodyLimit(c *gin.Context) {
	if c.Request.ContentLength > s.opts.MaxBodyBytes {
		c.Error(&http.MaxBytesError{Limit: s.opts.MaxBodyBytes})
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
	c.Next()
}

// healthz says whether the server has an index to serve, and whether it
// takes writes: "ok"; "degraded" (200) when searches are answered but
// writes are refused (a full or read-only disk), with the problem as an
// API error; "starting" or "down" (503) when searches cannot be answered.
func (s *Server) healthz(c *gin.Context) {
	h, hasHealth := s.health()
	var problem *errorBody
	if hasHealth && h.Problem != nil {
		problem = &errorBody{Code: classify(h.Problem).code, Message: publicMessage(h.Problem)}
	}
	n, ok := s.count()
	var cluster *ClusterStatus
	if st, isNode := s.clusterStatus(); isNode {
		cluster = &st
	}
	switch {
	case ok && cluster != nil && cluster.CatchingUp:
		c.JSON(http.StatusServiceUnavailable, healthBody{Status: "catching_up", Documents: &n, Cluster: cluster})
		return
	case !ok && problem != nil:
		c.JSON(http.StatusServiceUnavailable, healthBody{Status: "down", Problem: problem, FreeBytes: freeBytes(h)})
	case !ok:
		c.JSON(http.StatusServiceUnavailable, healthBody{Status: "starting"})
	case problem != nil:
		c.JSON(http.StatusOK, healthBody{Status: "degraded", Documents: &n, Problem: problem, FreeBytes: freeBytes(h), Cluster: cluster})
	default:
		c.JSON(http.StatusOK, healthBody{Status: "ok", Documents: &n, FreeBytes: freeBytes(h), Cluster: cluster})
	}
}

// healthBody is the answer of /healthz.
type healthBody struct {
	Status    string     `json:"status"`
	Documents *uint64    `json:"documents,omitempty"`
	Problem   *errorBody `json:"problem,omitempty"`
	FreeBytes *int64     `json:"free_bytes,omitempty"`
	// Cluster is a cluster node's place in the log.
	Cluster *ClusterStatus `json:"cluster,omitempty"`
}

func freeBytes(h index.Health) *int64 {
	if h.FreeBytes < 0 {
		return nil
	}
	return &h.FreeBytes
}
