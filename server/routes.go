package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes registers every route, in one place.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery, s.requestID, s.accessLog, s.metrics.middleware, s.cors, s.errors)

	e.GET("/healthz", s.healthz)
	e.GET("/metrics", gin.WrapH(s.metrics.handler()))

	api := e.Group("/api")
	api.GET("/search", s.withTimeout, s.apiSearch)
	api.GET("/suggest", s.withTimeout, s.apiSuggest)
	api.GET("/articles/:id", s.apiGetArticle)
	api.POST("/articles", s.admin, s.withWriteID, s.bodyLimit, s.apiPostArticles)
	api.PUT("/articles/:id", s.admin, s.withWriteID, s.bodyLimit, s.apiPutArticle)
	api.DELETE("/articles/:id", s.admin, s.withWriteID, s.apiDeleteArticle)
	api.GET("/analyze", s.apiAnalyze)
	api.GET("/cluster", s.apiCluster)
	api.GET("/cluster/snapshot", s.peer, s.apiClusterSnapshot)
	api.POST("/admin/reindex", s.admin, s.bodyLimit, s.apiStartReindex)
	api.GET("/admin/reindex", s.admin, s.apiReindexStatus)
	api.GET("/openapi.json", s.apiOpenAPI)

	e.GET("/", s.withTimeout, s.web.searchPage(s))
	e.GET("/articles/:id", s.web.articlePage(s))
	static := e.Group("/static", cacheStatic)
	static.StaticFS("/", http.FS(s.web.static))

	s.meiliRoutes(e.Group(meiliPrefix))

	e.NoRoute(func(c *gin.Context) {
		if !s.meiliNoRoute(c, errNoRoute) {
			c.Error(errNoRoute)
		}
	})
	e.NoMethod(func(c *gin.Context) {
		if !s.meiliNoRoute(c, errNoMethod) {
			c.Error(errNoMethod)
		}
	})
}

// cacheStatic lets browsers keep versioned assets (linked with ?v=hash)
// for a year; others are revalidated.
func cacheStatic(c *gin.Context) {
	if c.Query("v") != "" {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Next()
}
