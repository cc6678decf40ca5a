package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// Errors the handlers report; the table below gives their status.
var (
	errNoRoute        = errors.New("no such page or API route")
	errNoMethod       = errors.New("method not allowed on this route")
	errBadParam       = errors.New("bad parameter")
	errNoKey          = errors.New("this request needs the admin key: send it as \"Authorization: Bearer KEY\"")
	errWrongKey       = errors.New("the admin key is wrong")
	errWritesDisabled = errors.New("writes are disabled: start wensou serve with --admin-key KEY or WENSOU_ADMIN_KEY=KEY to allow them")
	errIDMismatch     = errors.New("the article's id differs from the id in the URL")
	errTimeout        = errors.New("the search took too long; try a narrower query")
)

// statusClientClosed is nginx's status for a request whose client left
// before the answer.
const statusClientClosed = 499

// errorKind is one row of the error table: how an error is answered.
type errorKind struct {
	match  func(error) bool
	status int
	code   string
	public bool // the error's own message may be shown
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func as[T error]() func(error) bool {
	return func(err error) bool {
		var t T
		return errors.As(err, &t)
	}
}

// errorTable maps errors to statuses, first match wins; anything else is
// a 500 whose details stay in the log.
var errorTable = []errorKind{
	{as[*search.QueryError](), http.StatusBadRequest, "bad_query", true},
	{is(search.ErrBadRequest), http.StatusBadRequest, "bad_request", true},
	{is(errBadParam), http.StatusBadRequest, "bad_request", true},
	{is(errIDMismatch), http.StatusBadRequest, "bad_request", true},
	{isArticleError, http.StatusBadRequest, "bad_article", true},
	{is(errNoKey), http.StatusUnauthorized, "unauthorized", true},
	{is(errWrongKey), http.StatusForbidden, "forbidden", true},
	{is(errWritesDisabled), http.StatusForbidden, "writes_disabled", true},
	{is(errBadSource), http.StatusBadRequest, "bad_request", true},
	{is(errNoSources), http.StatusBadRequest, "no_sources", true},
	{is(errRebuilding), http.StatusConflict, "rebuild_running", true},
	{is(errNoRebuild), http.StatusNotImplemented, "not_implemented", true},
	{is(errNotCluster), http.StatusNotImplemented, "not_implemented", true},
	{is(errSnapshotBusy), http.StatusServiceUnavailable, "busy", true},
	{is(index.ErrNotFound), http.StatusNotFound, "not_found", true},
	{is(ErrNoShard), http.StatusNotFound, "not_found", true},
	{is(errNoRoute), http.StatusNotFound, "not_found", true},
	{is(errNoMethod), http.StatusMethodNotAllowed, "method_not_allowed", true},
	{as[*http.MaxBytesError](), http.StatusRequestEntityTooLarge, "too_large", true},
	{is(ErrWriteTooLarge), http.StatusRequestEntityTooLarge, "too_large", true},
	{is(errMediaType), http.StatusUnsupportedMediaType, "unsupported_media_type", true},
	// Storage faults: the write changed nothing, and searches go on.
	{is(index.ErrDiskFull), http.StatusInsufficientStorage, "insufficient_storage", true},
	{is(index.ErrReadOnly), http.StatusServiceUnavailable, "read_only", true},
	{is(index.ErrGone), http.StatusServiceUnavailable, "index_gone", true},
	{as[*index.StorageError](), http.StatusInternalServerError, "storage_error", true},
	{is(ErrNoQuorum), http.StatusServiceUnavailable, "no_quorum", true},
	{is(ErrIncomplete), http.StatusServiceUnavailable, "incomplete", true},
	{is(errUnavailable), http.StatusServiceUnavailable, "unavailable", true},
	{is(store.ErrUnavailable), http.StatusServiceUnavailable, "unavailable", true},
	{is(index.ErrClosed), http.StatusServiceUnavailable, "unavailable", false},
	// The segmenter loads with the index: analyze waits for it too.
	{is(zh.ErrNotLoaded), http.StatusServiceUnavailable, "unavailable", false},
	// Not public: the search's own error (wrapped) may hold internals.
	{is(errTimeout), http.StatusServiceUnavailable, "timeout", false},
	{is(context.DeadlineExceeded), http.StatusServiceUnavailable, "timeout", false},
	// The client went away: nobody reads the answer; not a server fault.
	{is(context.Canceled), statusClientClosed, "canceled", true},
}

// isArticleError reports a record the article package could not read.
func isArticleError(err error) bool { return article.Reason(err) != nil }

// classify returns how to answer err.
func classify(err error) errorKind {
	for _, k := range errorTable {
		if k.match(err) {
			return k
		}
	}
	return errorKind{status: http.StatusInternalServerError, code: "internal"}
}

// apiError is the one JSON error shape.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// message is what the client is told about err.
func message(c *gin.Context, k errorKind, err error) string {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge): // its own text is "http: request body too large"
		return fmt.Sprintf("the request body is larger than the limit of %d bytes", tooLarge.Limit)
	case k.public:
		return publicMessage(err)
	case k.code == "timeout":
		return errTimeout.Error()
	case k.code == "unavailable":
		return errUnavailable.Error()
	}
	return fmt.Sprintf("internal error; the server log has the details (request id %s)", requestIDOf(c))
}

// publicMessage drops the sentinel prefix that wrapping adds
// ("bad request: size must be …").
func publicMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{search.ErrBadRequest.Error() + ": ", errBadParam.Error() + ": "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}

// errors is the middleware that answers the first error a handler
// reported, as JSON under /api and as a page elsewhere. 5xx errors are
// logged with their details.
func (s *Server) errors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 {
		return
	}
	err := c.Errors[0].Err
	k := classify(err)
	if k.status >= 500 {
		s.log.Error("request failed", "err", err, "request_id", requestIDOf(c), "route", c.FullPath())
	}
	if c.Writer.Written() {
		return
	}
	if k.status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	if k.status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="wensou"`)
	}
	msg := message(c, k, err)
	if wantsHTML(c) {
		s.web.errorPage(c, k.status, msg)
		return
	}
	c.JSON(k.status, apiError{errorBody{Code: k.code, Message: msg}})
}

// wantsHTML reports whether the request is for a page rather than the API.
func wantsHTML(c *gin.Context) bool {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" || p == "/healthz" || p == "/metrics" {
		return false
	}
	return strings.Contains(c.GetHeader("Accept"), "text/html") || c.Request.Method == http.MethodGet
}
