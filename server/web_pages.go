package server

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

// The pages are server-rendered HTML that works without JavaScript:
// every state of the search page (query, authors, dates, sort, page) is
// in its URL, which uses the parameters of GET /api/search. With
// JavaScript on, web/static/search.js fetches the same URL with the
// header X-Partial: 1 and swaps in the fragment it gets back.
//
// Only the highlighted title and snippets of a hit are inserted as
// template.HTML (search.Highlight is escaped text with <mark> as its only
// markup); everything else goes through html/template's escaping.

// partialHeader asks the search page for its results-and-facets fragment
// only; the fragment's response carries it too.
const partialHeader = "X-Partial"

// contentSecurityPolicy allows scripts, styles and fetches from this
// origin only, and no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// render writes a page with the headers every HTML response gets. It
// renders into a buffer first, so that a template error leaves nothing
// written and can be answered with a clean 500.
func (w *web) render(c *gin.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := w.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	// Pages change with the index: revalidate. The page and its fragment
	// share a URL, so caches must keep them apart.
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	h.Add("Vary", partialHeader)
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// pageHead is what every page's <head> needs.
type pageHead struct {
	Title  string
	Script bool // load search.js
}

// searchPageData is the search page, and its fragment.
type searchPageData struct {
	pageHead
	State   pageState
	Sorts   []sortOption
	Browse  string // the heading when there is no query ("最新文章 · Newest articles"), else ""
	Status  int
	Error   string // set when the search could not run
	Heading string // bilingual heading of the error

	Total     uint64
	TotalText string // Total with thousands separators
	First     int    // position of the first hit shown
	Last      int    // position of the last hit shown
	Took      string // "1.7 ms"
	Partial   bool
	// Corrected is the query as searched when typo tolerance read words
	// of it otherwise; Instead links to the search of the words as typed.
	Corrected string
	Instead   string
	// Suggestion is a better query ("did you mean"), SuggestURL its search.
	Suggestion string
	SuggestURL string
	Hits       []hitView
	Authors    []facetOption
	Years      []facetOption
	Months     []facetOption
	Dates      dateFilter
	Chips      []chip
	ClearAll   string // URL without filters; "" when there are none
	Pager      pager
	// FirstPage links back to page 1 when the page asked for is past
	// the results.
	FirstPage string
}

// searchPage serves / : the search form, results and facets, or with
// the X-Partial header only the results and facets.
func (w *web) searchPage(s *Server) gin.HandlerFunc {
	return func(c *gin.Context) {
		partial := c.GetHeader(partialHeader) == "1"
		if to, ok := canonicalURL(c.Request.URL.Query()); ok && !partial {
			c.Redirect(http.StatusSeeOther, to)
			return
		}
		st := stateOf(c.Request.URL.Query())
		res, req, err := runSearch(c, s, &st)
		data := newSearchPageData(st, req, res, err)
		if err != nil {
			// The error middleware logs it if it is a 5xx; the page
			// shows it.
			c.Error(err)
			k := classify(err)
			data.Status, data.Heading, data.Error = k.status, errorHeading(k.status), message(c, k, err)
			if k.status == http.StatusServiceUnavailable {
				c.Header("Retry-After", "5")
			}
		}
		if partial {
			// Never stored: a browser going back must not show a
			// fragment as the page.
			c.Header(partialHeader, "1")
			c.Header("Cache-Control", "no-store")
			if err := w.render(c, data.Status, "area", data); err != nil {
				c.Error(err)
			}
			return
		}
		if err := w.render(c, data.Status, "search.html", data); err != nil {
			c.Error(err)
		}
	}
}

// runSearch binds the request as GET /api/search does, shows the newest
// articles first when there is no query and no sort, and searches. It
// writes the dates as the search read them back into st.
func runSearch(c *gin.Context, s *Server, st *pageState) (*search.Result, search.Request, error) {
	req, err := s.request(c)
	if err != nil {
		return nil, req, err
	}
	req.Sort = effectiveSort(st.Q, st.Sort)
	st.From, st.To = dateValue(req.From, st.From), dateValue(req.To, st.To)
	b, err := s.current()
	if err != nil {
		return nil, req, err
	}
	res, err := b.Search(c.Request.Context(), req)
	if err != nil {
		return nil, req, searchError(c, err)
	}
	return res, req, nil
}

// newSearchPageData lays out a result (nil when the search failed).
func newSearchPageData(st pageState, req search.Request, res *search.Result, err error) searchPageData {
	d := searchPageData{
		pageHead: pageHead{Title: pageTitle(st.Q), Script: true},
		State:    st,
		Sorts:    sortOptions(st.Q, st.Sort),
		Browse:   browseHeading(st.Q, st.Sort),
		Status:   http.StatusOK,
		Dates:    newDateFilter(st),
		Chips:    chips(st),
		ClearAll: clearAllURL(st),
		// Until there are counts, the selected authors stay ticked so
		// that the form keeps them.
		Authors: authorOptions(nil, st.Authors),
	}
	if err != nil || res == nil {
		return d
	}
	d.Total, d.TotalText = res.Total, groupDigits(res.Total)
	d.Took, d.Partial = formatTook(res.TookMs), res.Partial
	if len(res.Corrected) > 0 {
		d.Corrected = search.Rewrite(st.Q, res.Corrected)
		d.Instead = st.withQuery(st.Q, true).URL()
	}
	if res.Suggestion != "" {
		d.Suggestion, d.SuggestURL = res.Suggestion, st.withQuery(res.Suggestion, false).URL()
	}
	if len(res.Hits) > 0 {
		d.First = (res.Page-1)*res.Size + 1
		d.Last = d.First + len(res.Hits) - 1
	}
	for _, h := range res.Hits {
		d.Hits = append(d.Hits, newHitView(h, st))
	}
	d.Authors = authorOptions(res.Facets.Author, st.Authors)
	d.Years = yearOptions(res.Facets.Year, st)
	d.Months = monthOptions(res.Facets.Month, st)
	d.Pager = paginate(st, req.Page, req.Size, res.Total)
	if len(res.Hits) == 0 && res.Total > 0 {
		d.FirstPage = st.withPage(1).URL()
	}
	return d
}

// articlePageData is the article page.
type articlePageData struct {
	pageHead
	Article    article.Article
	Date       string // 2006-01-02, "" when unknown
	URL        string // the original, when it is a web address
	Authors    []link
	Tags       []link
	Paragraphs []string
	Back       string // the search page the reader came from, or /
}

// articlePage serves /articles/:id, the whole article as text.
func (w *web) articlePage(s *Server) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.article(c)
		if err != nil {
			c.Error(err)
			return
		}
		if err := w.render(c, http.StatusOK, "article.html", newArticlePageData(a, s.opts.Location, c.Request.Referer(), c.Request.Host)); err != nil {
			c.Error(err)
		}
	}
}

func newArticlePageData(a article.Article, loc *time.Location, referer, host string) articlePageData {
	title := a.Title
	if title == "" {
		title = "无标题 Untitled"
	}
	d := articlePageData{
		pageHead:   pageHead{Title: title + " - 文搜 wensou"},
		Article:    a,
		Paragraphs: paragraphs(a.Body),
		Back:       backURL(referer, host),
	}
	if !a.Date.IsZero() {
		d.Date = a.Date.In(loc).Format(time.DateOnly)
	}
	if webURL(a.URL) {
		d.URL = a.URL
	}
	for _, name := range a.Authors {
		d.Authors = append(d.Authors, link{Label: name, Href: pageState{Authors: []string{name}}.URL()})
	}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, link{Label: t, Href: pageState{Tags: []string{t}}.URL()})
	}
	return d
}

// errorPageData is the error page.
type errorPageData struct {
	pageHead
	Status  int
	Heading string
	Message string
}

// errorPage answers a failed page request (the error middleware calls it
// for every route outside /api).
func (w *web) errorPage(c *gin.Context, status int, msg string) {
	heading := errorHeading(status)
	if status == http.StatusNotFound && c.FullPath() == "/articles/:id" {
		heading = "找不到文章 · Article not found"
	}
	err := w.render(c, status, "error.html", errorPageData{
		pageHead: pageHead{Title: fmt.Sprintf("%d %s - 文搜 wensou", status, heading)},
		Status:   status,
		Heading:  heading,
		Message:  msg,
	})
	if err != nil {
		// Nothing was written; the error middleware called this, so
		// answer plainly rather than report again.
		c.String(status, "%d %s\n%s\n", status, heading, msg)
	}
}

// errorHeading names an HTTP status in Chinese and English.
func errorHeading(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "请求有误 · Bad request"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "没有权限 · Not allowed"
	case http.StatusNotFound:
		return "找不到页面 · Page not found"
	case http.StatusMethodNotAllowed:
		return "不支持的请求方法 · Method not allowed"
	case http.StatusRequestEntityTooLarge:
		return "请求太大 · Request too large"
	case http.StatusServiceUnavailable:
		return "暂时无法服务 · Temporarily unavailable"
	}
	if status >= 500 {
		return "服务器出错 · Something went wrong"
	}
	return "请求失败 · Request failed"
}
