package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

//go:embed web
var webFS embed.FS

// partialHeader asks the search page for its results-and-facets fragment
// only; the fragment's response carries it too.
const partialHeader = "X-Partial"

// contentSecurityPolicy allows scripts, styles and fetches from this
// origin only, and no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// web renders the search page and the article page from embedded
// templates; its static assets are served under /static. It is safe for
// concurrent use.
type web struct {
	tmpl   *template.Template
	static fs.FS
	assets map[string]string // file name -> URL with a content hash
}

func newWeb() (*web, error) {
	static, err := fs.Sub(webFS, "web/static")
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	assets, err := assetURLs(static)
	if err != nil {
		return nil, err
	}
	w := &web{static: staticFS{fsys: static, modTime: time.Now().UTC().Truncate(time.Second)}, assets: assets}
	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": w.asset}).ParseFS(webFS, "web/templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse page templates: %w", err)
	}
	w.tmpl = tmpl
	return w, nil
}

// assetURLs gives every static file a URL that changes with its content
// (/static/style.css?v=1a2b3c4d5e6f), so a browser never keeps an old copy
// after an upgrade.
func assetURLs(static fs.FS) (map[string]string, error) {
	urls := map[string]string{}
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		urls[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static assets: %w", err)
	}
	return urls, nil
}

// asset is the template function giving a static file's URL.
func (w *web) asset(name string) (string, error) {
	u, ok := w.assets[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return u, nil
}

// staticFS serves the embedded assets: files only (no directory
// listings), stamped with the time the server started so that
// http.FileServer sends Last-Modified and answers revalidations with 304.
// Pages link to assets by URLs carrying a content hash, so a cached copy
// is never stale.
type staticFS struct {
	fsys    fs.FS
	modTime time.Time
}

func (s staticFS) Open(name string) (fs.File, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return stampedFile{File: f, modTime: s.modTime}, nil
}

type stampedFile struct {
	fs.File
	modTime time.Time
}

func (f stampedFile) Stat() (fs.FileInfo, error) {
	st, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return stampedInfo{FileInfo: st, modTime: f.modTime}, nil
}

// Seek is what http.FileServer needs to serve ranges and sizes; embedded
// files have it.
func (f stampedFile) Seek(offset int64, whence int) (int64, error) {
	s, ok := f.File.(io.Seeker)
	if !ok {
		return 0, errors.New("static file cannot seek")
	}
	return s.Seek(offset, whence)
}

type stampedInfo struct {
	fs.FileInfo
	modTime time.Time
}

func (i stampedInfo) ModTime() time.Time { return i.modTime }

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
	Hits      []hitView
	Authors   []facetOption
	Years     []facetOption
	Months    []facetOption
	Dates     dateFilter
	Chips     []chip
	ClearAll  string // URL without filters; "" when there are none
	Pager     pager
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

// pageState is the search page's state, read from its URL. Dates and
// sort are kept as given so links reproduce them; the search itself is
// bound by [Server.request].
type pageState struct {
	Q       string
	Authors []string
	Tags    []string
	From    string
	To      string
	Sort    string // "" for the default order
	Page    int    // 0 or 1 for the first page
	Size    int    // 0 for the default size
}

// stateOf reads the page state from a query string. Numbers that do not
// parse read as 0; the search reports them.
func stateOf(v url.Values) pageState {
	st := pageState{
		Q:    v.Get("q"),
		From: strings.TrimSpace(v.Get("from")),
		To:   strings.TrimSpace(v.Get("to")),
		Sort: strings.TrimSpace(v.Get("sort")),
	}
	st.Authors = cleanList(v["author"])
	st.Tags = cleanList(v["tag"])
	st.Page, _ = strconv.Atoi(v.Get("page"))
	st.Size, _ = strconv.Atoi(v.Get("size"))
	return st
}

// cleanList trims values and drops empty and repeated ones.
func cleanList(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// URL is the search page's URL for the state, with its parameters in a
// fixed order and defaults left out.
func (st pageState) URL() string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() == 0 {
			b.WriteString("/?")
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	if st.Q != "" {
		add("q", st.Q)
	}
	for _, a := range st.Authors {
		add("author", a)
	}
	for _, t := range st.Tags {
		add("tag", t)
	}
	if st.From != "" {
		add("from", st.From)
	}
	if st.To != "" {
		add("to", st.To)
	}
	if st.Sort != "" {
		add("sort", st.Sort)
	}
	if st.Page > 1 {
		add("page", strconv.Itoa(st.Page))
	}
	if st.Size > 0 {
		add("size", strconv.Itoa(st.Size))
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// clone copies the state for a link to another state: the lists are
// copied, and the page goes back to the first.
func (st pageState) clone() pageState {
	st.Authors = slices.Clone(st.Authors)
	st.Tags = slices.Clone(st.Tags)
	st.Page = 0
	return st
}

// toggleAuthor is the state with the author selected, or unselected if
// it was.
func (st pageState) toggleAuthor(a string) pageState {
	n := st.clone()
	if i := slices.Index(n.Authors, a); i >= 0 {
		n.Authors = slices.Delete(n.Authors, i, i+1)
	} else {
		n.Authors = append(n.Authors, a)
	}
	return n
}

func (st pageState) withoutTag(t string) pageState {
	n := st.clone()
	n.Tags = slices.DeleteFunc(n.Tags, func(x string) bool { return x == t })
	return n
}

func (st pageState) withDates(from, to string) pageState {
	n := st.clone()
	n.From, n.To = from, to
	return n
}

func (st pageState) withPage(p int) pageState {
	st.Page = p
	return st
}

// effectiveSort is the order a search uses: the one asked for, else the
// newest first when there is no query (browsing), else relevance.
func effectiveSort(q, sort string) search.Sort {
	switch {
	case sort != "":
		return search.Sort(sort)
	case strings.TrimSpace(q) == "":
		return search.SortNewest
	}
	return search.SortRelevance
}

// sortOption is one choice of the sort select.
type sortOption struct {
	Value    string // "" for the default order, so a new query gets its own default
	Label    string
	Selected bool
}

// sortOptions are the sort choices. The default order of the current
// query (newest when browsing, else relevance) has the value "" so that
// the form, submitted with another query, does not carry it over.
func sortOptions(q, sort string) []sortOption {
	def := effectiveSort(q, "")
	cur := effectiveSort(q, sort)
	var out []sortOption
	for _, o := range []struct {
		sort  search.Sort
		label string
	}{
		{search.SortRelevance, "相关度 Relevance"},
		{search.SortNewest, "最新 Newest"},
		{search.SortOldest, "最早 Oldest"},
	} {
		v := string(o.sort)
		if o.sort == def {
			v = ""
		}
		out = append(out, sortOption{Value: v, Label: o.label, Selected: o.sort == cur})
	}
	return out
}

// canonicalURL is where to send a request whose query string holds empty
// parameters, as a form submitted without JavaScript does (from=&to=),
// so that the address to share is the short one. ok is false when the
// query string needs no change or has an after cursor (which pages do
// not carry).
func canonicalURL(v url.Values) (to string, ok bool) {
	if v.Has("after") {
		return "", false
	}
	for _, k := range []string{"q", "author", "tag", "from", "to", "sort", "page", "size"} {
		for _, x := range v[k] {
			if x == "" {
				return stateOf(v).URL(), true
			}
		}
	}
	return "", false
}

// dateValue writes a date bound the search understood as YYYY-MM-DD, the
// form of <input type="date">; a bound it did not read stays as given.
func dateValue(t time.Time, raw string) string {
	if t.IsZero() {
		return raw
	}
	return t.Format(time.DateOnly)
}

// browseHeading is the heading of the page without a query, by its
// order; "" when there is a query.
func browseHeading(q, sort string) string {
	if strings.TrimSpace(q) != "" {
		return ""
	}
	switch effectiveSort(q, sort) {
	case search.SortNewest:
		return "最新文章 · Newest articles"
	case search.SortOldest:
		return "最早的文章 · Oldest articles"
	}
	return "全部文章 · All articles"
}

// groupDigits writes n with thousands separators: 12,345.
func groupDigits(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func pageTitle(q string) string {
	if q = strings.TrimSpace(q); q != "" {
		return q + " - 文搜 wensou"
	}
	return "文搜 wensou · 文章搜索 Article search"
}

// formatTook writes a search time: "0.42 ms", "1.7 ms", "12 ms".
func formatTook(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
}

// link is a labelled URL.
type link struct {
	Label string
	Href  string
}

// hitView is one result as the page shows it.
type hitView struct {
	ID       string
	Href     string // the original when it is a web address, else the article page
	Local    string // the article page, when Href is the original
	Host     string // the original's host
	Title    template.HTML
	Snippets []template.HTML
	Authors  []link
	Date     string
}

// newHitView lays out a hit. Its highlight strings are the only HTML
// the page takes from a search result.
func newHitView(h search.Hit, st pageState) hitView {
	v := hitView{
		ID:    h.ID,
		Href:  articleURL(h.ID),
		Title: template.HTML(h.Highlight.Title),
		Date:  h.Date,
	}
	if webURL(h.URL) {
		v.Local, v.Href = v.Href, h.URL
		if u, err := url.Parse(h.URL); err == nil {
			v.Host = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	for _, s := range h.Highlight.Body {
		v.Snippets = append(v.Snippets, template.HTML(s))
	}
	for _, a := range h.Author {
		v.Authors = append(v.Authors, link{Label: a, Href: pageState{Q: st.Q, Authors: []string{a}, Size: st.Size}.URL()})
	}
	return v
}

// articleURL is the article page of an id.
func articleURL(id string) string { return "/articles/" + url.PathEscape(id) }

// webURL reports whether an article's url is an http(s) address worth
// linking to.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// facetOption is one value of a facet.
type facetOption struct {
	Value  string
	Label  string
	Count  int
	Active bool
	Href   string // the page with the option toggled
}

// authorOptions are the author checkboxes: the facet's authors, then any
// selected author the facet does not list (so it can be unticked).
func authorOptions(buckets []search.Bucket, selected []string) []facetOption {
	var out []facetOption
	for _, b := range buckets {
		out = append(out, facetOption{Value: b.Value, Label: b.Value, Count: b.Count, Active: slices.Contains(selected, b.Value)})
	}
	for _, a := range selected {
		if !slices.ContainsFunc(buckets, func(b search.Bucket) bool { return b.Value == a }) {
			out = append(out, facetOption{Value: a, Label: a, Active: true})
		}
	}
	return out
}

// yearRange is the first and last day of a year ("2022").
func yearRange(y string) (from, to string) { return y + "-01-01", y + "-12-31" }

// monthRange is the first and last day of a month ("2022-09"), or ""s
// when the month cannot be read.
func monthRange(m string) (from, to string) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "", ""
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// yearOptions are the year links: each selects its year, or clears the
// dates when it is the selected one.
func yearOptions(buckets []search.Bucket, st pageState) []facetOption {
	var out []facetOption
	for _, b := range buckets {
		from, to := yearRange(b.Value)
		out = append(out, dateOption(b, b.Value, from, to, st))
	}
	return out
}

// monthOptions are the month links. When a year or a month of a year is
// selected, only that year's months are offered (if the facet has any).
func monthOptions(buckets []search.Bucket, st pageState) []facetOption {
	year := selectedYear(st)
	var out []facetOption
	for _, b := range buckets {
		if year != "" && !strings.HasPrefix(b.Value, year+"-") {
			continue
		}
		from, to := monthRange(b.Value)
		if from == "" {
			continue
		}
		out = append(out, dateOption(b, b.Value, from, to, st))
	}
	if len(out) == 0 && year != "" {
		return monthOptions(buckets, pageState{})
	}
	return out
}

func dateOption(b search.Bucket, label, from, to string, st pageState) facetOption {
	active := st.From == from && st.To == to
	next := st.withDates(from, to)
	if active {
		next = st.withDates("", "")
	}
	return facetOption{Value: b.Value, Label: label, Count: b.Count, Active: active, Href: next.URL()}
}

// selectedYear is the year whose range, or one of whose months' range,
// is selected; "" otherwise.
func selectedYear(st pageState) string {
	if len(st.From) < 4 || !strings.HasPrefix(st.To, st.From[:4]) {
		return ""
	}
	y := st.From[:4]
	if from, to := yearRange(y); st.From == from && st.To == to {
		return y
	}
	if len(st.From) >= 7 {
		if from, to := monthRange(st.From[:7]); st.From == from && st.To == to {
			return y
		}
	}
	return ""
}

// dateFilter is the date range part of the sidebar.
type dateFilter struct {
	From   string
	To     string
	Active bool
	Label  string // "2022", "2022-09", "2022-01-05 – 2022-03-01", "2022-01-05 起"
	Clear  string // the page without dates
}

func newDateFilter(st pageState) dateFilter {
	d := dateFilter{From: st.From, To: st.To, Active: st.From != "" || st.To != ""}
	if d.Active {
		d.Label = dateLabel(st.From, st.To)
		d.Clear = st.withDates("", "").URL()
	}
	return d
}

// dateLabel describes a date range briefly.
func dateLabel(from, to string) string {
	if len(from) >= 4 {
		if f, t := yearRange(from[:4]); from == f && to == t {
			return from[:4]
		}
	}
	if len(from) >= 7 {
		if f, t := monthRange(from[:7]); from == f && to == t {
			return from[:7]
		}
	}
	switch {
	case to == "":
		return from + " 起 onwards"
	case from == "":
		return "至 until " + to
	}
	return from + " – " + to
}

// chip is an active filter with a link that removes it.
type chip struct {
	Kind   string // "作者 Author", …
	Label  string
	Remove string
}

func chips(st pageState) []chip {
	var out []chip
	for _, a := range st.Authors {
		out = append(out, chip{Kind: "作者 Author", Label: a, Remove: st.toggleAuthor(a).URL()})
	}
	for _, t := range st.Tags {
		out = append(out, chip{Kind: "标签 Tag", Label: t, Remove: st.withoutTag(t).URL()})
	}
	if st.From != "" || st.To != "" {
		out = append(out, chip{Kind: "日期 Date", Label: dateLabel(st.From, st.To), Remove: st.withDates("", "").URL()})
	}
	return out
}

// clearAllURL is the page with the query and sort but no filters, or ""
// when no filter is set.
func clearAllURL(st pageState) string {
	if len(st.Authors)+len(st.Tags) == 0 && st.From == "" && st.To == "" {
		return ""
	}
	return pageState{Q: st.Q, Sort: st.Sort, Size: st.Size}.URL()
}

// pager is the pagination bar.
type pager struct {
	Prev   string // "" on the first page
	Next   string // "" on the last reachable page
	Pages  []pageLink
	Capped bool // there are results past the deepest reachable page
}

// pageLink is a page number, or a gap (…) between numbers.
type pageLink struct {
	Number  int
	Href    string
	Current bool
	Gap     bool
}

// paginate lays out the pagination bar: the first and last pages, and
// two on each side of the current one. It never links past
// [search.MaxWindow] results, the deepest a page can reach.
func paginate(st pageState, page, size int, total uint64) pager {
	if size <= 0 {
		size = search.DefaultSize
	}
	page = max(page, 1)
	last := int(min(total, uint64(search.MaxWindow)) / uint64(size))
	if min(total, uint64(search.MaxWindow))%uint64(size) != 0 {
		last++
	}
	var p pager
	if maxPage := search.MaxWindow / size; last > maxPage {
		last = maxPage
	}
	p.Capped = total > uint64(last*size)
	if last <= 1 && page <= 1 {
		return p
	}
	if page > 1 {
		p.Prev = st.withPage(min(page-1, max(last, 1))).URL()
	}
	if page < last {
		p.Next = st.withPage(page + 1).URL()
	}
	shown := []int{1}
	for n := max(page-2, 2); n <= min(page+2, last-1); n++ {
		shown = append(shown, n)
	}
	if last > 1 {
		shown = append(shown, last)
	}
	for i, n := range shown {
		switch {
		case i == 0:
		case n == shown[i-1]+2:
			// A gap of one page: show the page instead.
			p.Pages = append(p.Pages, pageLink{Number: n - 1, Href: st.withPage(n - 1).URL()})
		case n > shown[i-1]+2:
			p.Pages = append(p.Pages, pageLink{Gap: true})
		}
		p.Pages = append(p.Pages, pageLink{Number: n, Href: st.withPage(n).URL(), Current: n == page})
	}
	return p
}

// paragraphs splits an article body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// backURL is the search page a reader came from (by the Referer, when it
// is this site's search page), so "back" keeps the search; else /.
func backURL(referer, host string) string {
	u, err := url.Parse(referer)
	if err != nil || referer == "" || u.Host != host || u.Path != "/" {
		return "/"
	}
	return stateOf(u.Query()).URL()
}
