package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/search"
)

// A Meilisearch-compatible API, under /meili: the routes that
// Meilisearch's official clients and InstantSearch's adapter call, with
// Meilisearch's request and response shapes, error codes and statuses
// (meilisearch/specifications, the API reference at
// meilisearch.com/docs/reference/api). wensou serves one index, named by
// Options.MeiliIndex.

// meiliPrefix is where the compatible API lives; clients are given the
// host http://HOST:PORT/meili.
const meiliPrefix = "/meili"

// meiliVersion is the version of Meilisearch's API these routes follow,
// which GET /version gives as pkgVersion.
const meiliVersion = "1.12.0"

// meiliError is Meilisearch's error body.
type meiliError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

// meiliErrorKind is how an error is answered under /meili.
type meiliErrorKind struct {
	status int
	code   string
	typ    string // invalid_request, auth, internal, system
}

// errIndexNotFound names an index other than the one wensou serves.
var errIndexNotFound = errors.New("index not found")

// meiliClassify maps an error to Meilisearch's code for it.
func meiliClassify(err error) meiliErrorKind {
	var qe *search.QueryError
	switch {
	case errors.Is(err, errIndexNotFound):
		return meiliErrorKind{http.StatusNotFound, "index_not_found", "invalid_request"}
	case errors.Is(err, search.ErrBadFilter):
		return meiliErrorKind{http.StatusBadRequest, "invalid_search_filter", "invalid_request"}
	case errors.As(err, &qe), errors.Is(err, search.ErrBadRequest), errors.Is(err, errBadParam):
		return meiliErrorKind{http.StatusBadRequest, "bad_request", "invalid_request"}
	case errors.Is(err, index.ErrNotFound):
		return meiliErrorKind{http.StatusNotFound, "document_not_found", "invalid_request"}
	case errors.Is(err, errNoKey):
		return meiliErrorKind{http.StatusUnauthorized, "missing_authorization_header", "auth"}
	case errors.Is(err, errWrongKey), errors.Is(err, errWritesDisabled):
		return meiliErrorKind{http.StatusForbidden, "invalid_api_key", "auth"}
	case errors.Is(err, errNoRoute):
		return meiliErrorKind{http.StatusNotFound, "not_found", "invalid_request"}
	case errors.Is(err, errNoMethod):
		return meiliErrorKind{http.StatusMethodNotAllowed, "method_not_allowed", "invalid_request"}
	}
	k := classify(err)
	if k.status == http.StatusServiceUnavailable {
		return meiliErrorKind{k.status, "unavailable", "system"}
	}
	return meiliErrorKind{http.StatusInternalServerError, "internal", "internal"}
}

// meiliErrors answers the errors of the /meili routes in Meilisearch's
// shape, before the server's own error handler sees them.
func (s *Server) meiliErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	err := c.Errors[0].Err
	k := meiliClassify(err)
	msg := err.Error()
	switch k.code {
	case "missing_authorization_header":
		msg = "The Authorization header is missing. It must use the bearer authorization method."
	case "invalid_api_key":
		msg = "The provided API key is invalid."
	case "index_not_found":
		msg = "Index `" + c.Param("uid") + "` not found."
	case "internal", "unavailable":
		msg = publicMessage(err)
	default:
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, search.ErrBadFilter.Error()+": "), search.ErrBadRequest.Error()+": ")
	}
	c.JSON(k.status, meiliError{Message: msg, Code: k.code, Type: k.typ, Link: "https://docs.meilisearch.com/errors#" + k.code})
}

// meiliRoutes registers the compatible routes under g.
func (s *Server) meiliRoutes(g *gin.RouterGroup) {
	g.Use(s.meiliErrors)
	g.GET("/health", s.meiliHealth)
	g.GET("/version", s.meiliVersionInfo)
	g.GET("/indexes", s.meiliIndexes)
	idx := g.Group("/indexes/:uid", s.meiliIndex)
	idx.GET("", s.meiliGetIndex)
	idx.GET("/settings", s.meiliSettings)
}

// meiliNoRoute answers a path under /meili that is no route of the
// compatible API in Meilisearch's shape; false for another path.
func (s *Server) meiliNoRoute(c *gin.Context, err error) bool {
	if p := c.Request.URL.Path; p != meiliPrefix && !strings.HasPrefix(p, meiliPrefix+"/") {
		return false
	}
	k := meiliClassify(err)
	c.JSON(k.status, meiliError{Message: "Not found: " + c.Request.Method + " " + c.Request.URL.Path + " is no route of wensou's Meilisearch-compatible API.",
		Code: k.code, Type: k.typ, Link: "https://docs.meilisearch.com/errors#" + k.code})
	return true
}

func (s *Server) meiliHealth(c *gin.Context) {
	if _, err := s.current(); err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "available"})
}

func (s *Server) meiliVersionInfo(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"commitSha": "wensou", "commitDate": s.started.UTC().Format(time.RFC3339), "pkgVersion": meiliVersion})
}

// meiliIndexInfo is Meilisearch's index object for the one index.
type meiliIndexInfo struct {
	UID        string `json:"uid"`
	PrimaryKey string `json:"primaryKey"`
	CreatedAt  string `json:"createdAt"`
	UpdatedAt  string `json:"updatedAt"`
}

func (s *Server) meiliIndexInfo() meiliIndexInfo {
	// The index's times are this server's start: wensou keeps no
	// creation date of its own.
	at := s.started.UTC().Format(time.RFC3339Nano)
	return meiliIndexInfo{UID: s.opts.MeiliIndex, PrimaryKey: "id", CreatedAt: at, UpdatedAt: at}
}

func (s *Server) meiliIndexes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"results": []meiliIndexInfo{s.meiliIndexInfo()}, "offset": 0, "limit": 20, "total": 1})
}

// meiliIndex refuses an index other than wensou's own.
func (s *Server) meiliIndex(c *gin.Context) {
	if c.Param("uid") != s.opts.MeiliIndex {
		c.Error(errIndexNotFound)
		c.Abort()
		return
	}
	c.Next()
}

func (s *Server) meiliGetIndex(c *gin.Context) { c.JSON(http.StatusOK, s.meiliIndexInfo()) }

// meiliSettings describes what wensou does, in Meilisearch's settings
// object; they cannot be changed through this API.
func (s *Server) meiliSettings(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{
		"displayedAttributes":  []string{"*"},
		"searchableAttributes": []string{"title", "body", "author", "tags"},
		"filterableAttributes": search.FilterFields,
		"sortableAttributes":   []string{"date"},
		// BM25 over title and body, articles holding every word first,
		// the best re-ranked by how close the words are; sort by date.
		"rankingRules":        []string{"words", "proximity", "attribute", "sort"},
		"stopWords":           []string{},
		"nonSeparatorTokens":  []string{},
		"separatorTokens":     []string{},
		"dictionary":          []string{},
		"synonyms":            gin.H{},
		"distinctAttribute":   nil,
		"proximityPrecision":  "byWord",
		"typoTolerance":       gin.H{"enabled": true},
		"faceting":            gin.H{"maxValuesPerFacet": 100, "sortFacetValuesBy": gin.H{"*": "count"}},
		"pagination":          gin.H{"maxTotalHits": search.MaxWindow},
		"searchCutoffMs":      nil,
		"localizedAttributes": nil,
	})
}
