package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// searchParams are the query parameters of GET /api/search (and of the
// search page). Page and Size are bound too, but [Server.request] reads
// them first, so that the binder only ever sees good numbers.
type searchParams struct {
	Q      string   `form:"q"`
	Author []string `form:"author"`
	Tag    []string `form:"tag"`
	From   string   `form:"from"`
	To     string   `form:"to"`
	Sort   string   `form:"sort"`
	Page   int      `form:"page"`
	Size   int      `form:"size"`
	After  string   `form:"after"`
	Typos  string   `form:"typos"`
	// WaitFor is read by waitFor, before the search.
	WaitFor string `form:"wait_for"`
	// Complete asks a cluster of several shards to fail (503) rather
	// than answer without shards it cannot reach.
	Complete string `form:"complete"`
	// Filter is a filter expression in Meilisearch's language.
	Filter string `form:"filter"`
}

// request binds and checks the search parameters.
func (s *Server) request(c *gin.Context) (search.Request, error) {
	// Read the numbers first: the binder's error (strconv.ParseInt:
	// parsing "two": invalid syntax) does not say which parameter is wrong.
	page, err := wholeNumber(c, "page")
	if err != nil {
		return search.Request{}, err
	}
	// Past the window whatever the size; refused here because page*size
	// could overflow in the window check.
	if page > search.MaxWindow {
		return search.Request{}, fmt.Errorf("%w: page %d goes past result %d; narrow the search or page with the after cursor", errBadParam, page, search.MaxWindow)
	}
	size, err := wholeNumber(c, "size")
	if err != nil {
		return search.Request{}, err
	}
	var p searchParams
	if err := c.ShouldBindQuery(&p); err != nil {
		// Not expected: page and size were read above, the rest is text.
		return search.Request{}, fmt.Errorf("%w: %w", errBadParam, err)
	}
	req := search.Request{Query: p.Q, Tags: p.Tag, Sort: search.Sort(p.Sort), Page: page, Size: size, After: p.After, WaitFor: p.WaitFor, Filter: p.Filter}
	typos, err := boolParam("typos", p.Typos, true)
	if err != nil {
		return req, err
	}
	req.NoTypos = !typos
	if req.Complete, err = boolParam("complete", p.Complete, false); err != nil {
		return req, err
	}
	for _, a := range p.Author {
		if a = strings.TrimSpace(a); a != "" {
			req.Authors = append(req.Authors, a)
		}
	}
	if req.From, err = search.ParseBound(strings.TrimSpace(p.From), s.opts.Location, false); err != nil {
		return req, badBound("from", err)
	}
	if req.To, err = search.ParseBound(strings.TrimSpace(p.To), s.opts.Location, true); err != nil {
		return req, badBound("to", err)
	}
	if err := req.Validate(); err != nil {
		return req, err
	}
	return req, nil
}

// boolParam reads the query parameter name, whose value is v; def when
// it is absent.
func boolParam(name, v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "true", "1", "on":
		return true, nil
	case "false", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%w: %s must be true or false, not %q", errBadParam, name, v)
}

// badBound explains a from or to date that could not be read, without
// the "bad request: " that ParseBound's error starts with.
func badBound(name string, err error) error {
	return fmt.Errorf("%w: %s: %s", errBadParam, name, strings.TrimPrefix(err.Error(), search.ErrBadRequest.Error()+": "))
}

// wholeNumber reads the query parameter name as an int; 0 when it is
// absent or empty.
func wholeNumber(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a whole number, not %q", errBadParam, name, v)
	}
	return n, nil
}

func (s *Server) apiSearch(c *gin.Context) {
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	req, err := s.request(c)
	if err != nil {
		c.Error(err)
		return
	}
	if err := s.waitFor(c, b); err != nil {
		c.Error(err)
		return
	}
	res, err := b.Search(c.Request.Context(), req)
	if err != nil {
		c.Error(searchError(c, err))
		return
	}
	c.PureJSON(http.StatusOK, res)
}

// searchError maps a search that ran out of time to errTimeout.
func searchError(c *gin.Context, err error) error {
	if errors.Is(c.Request.Context().Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", errTimeout, err)
	}
	return err
}

// articleJSON is an article on the wire.
type articleJSON struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Author []string `json:"author"`
	Date   string   `json:"date,omitempty"` // RFC 3339
	URL    string   `json:"url,omitempty"`
	Source string   `json:"source,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

func toJSON(a article.Article, loc *time.Location) articleJSON {
	out := articleJSON{ID: a.ID, Title: a.Title, Body: a.Body, Author: a.Authors, URL: a.URL, Source: a.Source, Tags: a.Tags}
	if out.Author == nil {
		out.Author = []string{}
	}
	if !a.Date.IsZero() {
		out.Date = a.Date.In(loc).Format(time.RFC3339)
	}
	return out
}

// articleID returns the route's :id, or a bad_request error when it
// cannot be an article's id (too long, control characters).
func articleID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if err := article.CheckID(id); err != nil {
		return "", fmt.Errorf("%w: %w", errBadParam, err)
	}
	return id, nil
}

// article returns the article the route's :id names.
func (s *Server) article(c *gin.Context) (article.Article, error) {
	id, err := articleID(c)
	if err != nil {
		return article.Article{}, err
	}
	b, err := s.current()
	if err != nil {
		return article.Article{}, err
	}
	return b.Get(c.Request.Context(), id)
}

func (s *Server) apiGetArticle(c *gin.Context) {
	a, err := s.article(c)
	if err != nil {
		c.Error(err)
		return
	}
	c.PureJSON(http.StatusOK, toJSON(a, s.opts.Location))
}

// rejection is a record of a write that was not indexed.
type rejection struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// writeResult answers POST /api/articles.
type writeResult struct {
	Indexed  int         `json:"indexed"`
	IDs      []string    `json:"ids"`
	Rejected []rejection `json:"rejected"`
	Warnings []string    `json:"warnings"`
	Errors   bool        `json:"errors"`
	// Pending: a cluster's log holds the write, and this node has not
	// applied it yet (202); a search with wait_for=Token sees it.
	Pending bool   `json:"pending,omitempty"`
	Token   string `json:"token,omitempty"`
}

// pendingJSON answers a write of one article that a cluster's log holds
// and this node has not applied yet.
type pendingJSON struct {
	ID      string `json:"id"`
	Pending bool   `json:"pending"`
	Token   string `json:"token"`
}

// errMediaType is a write whose Content-Type is neither JSON nor (where
// the route reads them) JSON Lines.
var errMediaType = errors.New("unsupported Content-Type")

// jsonLinesTypes are the media types read as JSON Lines; the first is
// the one the API documents.
var jsonLinesTypes = []string{"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"}

// bodyFormat is what a write's Content-Type says its body is.
type bodyFormat int

const (
	sniffedBody   bodyFormat = iota // no Content-Type: the body tells
	jsonBody                        // application/json or application/*+json
	jsonLinesBody                   // one of jsonLinesTypes
)

// bodyFormatOf reads the Content-Type of a write, whose parameters (such
// as charset=utf-8) are ignored. JSON Lines are accepted only when lines
// is set; any other type is errMediaType.
func bodyFormatOf(contentType string, lines bool) (bodyFormat, error) {
	if strings.TrimSpace(contentType) == "" {
		return sniffedBody, nil
	}
	// With malformed parameters, the type is still returned and read.
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter):
		mt = contentType // not a media type: named as sent
	case mt == "application/json", strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
		return jsonBody, nil
	case lines && slices.Contains(jsonLinesTypes, mt):
		return jsonLinesBody, nil
	}
	accepted := "send JSON as application/json"
	if lines {
		n := len(jsonLinesTypes)
		accepted += ", or JSON Lines as " + strings.Join(jsonLinesTypes[:n-1], ", ") + " or " + jsonLinesTypes[n-1]
	}
	return 0, fmt.Errorf("%w %q: %s", errMediaType, mt, accepted)
}

// apiPostArticles indexes one article (a JSON object), several (a JSON
// array) or many (JSON Lines, by Content-Type application/x-ndjson or
// when the body is not one JSON value); any other Content-Type is
// errMediaType. Bad records are reported by line and the rest are
// indexed, in one batch.
func (s *Server) apiPostArticles(c *gin.Context) {
	// Checked before the index: no retry would make the type right.
	format, err := bodyFormatOf(c.GetHeader("Content-Type"), true)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		c.Error(err)
		return
	}
	opts := article.Options{Location: s.opts.Location}
	res := writeResult{IDs: []string{}, Rejected: []rejection{}, Warnings: []string{}}
	var (
		arts     []article.Article
		firstErr error // of the first rejected record
	)
	add := func(r article.Record) error {
		if r.Err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("line %d: %w", r.Line, r.Err)
			}
			res.Rejected = append(res.Rejected, rejection{Line: r.Line, Error: r.Err.Error()})
			return nil
		}
		for _, w := range r.Warnings {
			res.Warnings = append(res.Warnings, fmt.Sprintf("line %d: %s", r.Line, w))
		}
		arts = append(arts, r.Article)
		return nil
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		c.Error(fmt.Errorf("%w: the body is empty; send an article as JSON, or JSON Lines", errBadParam))
		return
	case format == jsonLinesBody || !json.Valid(trimmed):
		err = article.ReadJSONLines(c.Request.Context(), bytes.NewReader(body), "body", opts, add)
	case trimmed[0] == '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			c.Error(fmt.Errorf("%w: %w", article.ErrInvalidJSON, err))
			return
		}
		for i, raw := range raws {
			a, warns, perr := article.Parse(raw, opts)
			if err = add(article.Record{Article: a, Line: i + 1, Err: perr, Warnings: warns}); err != nil {
				break
			}
		}
	default:
		a, warns, perr := article.Parse(trimmed, opts)
		if perr != nil {
			c.Error(perr)
			return
		}
		err = add(article.Record{Article: a, Line: 1, Warnings: warns})
	}
	if err != nil {
		c.Error(err)
		return
	}
	switch {
	case len(arts) == 0 && firstErr != nil:
		// Answered as the record's error (bad_article), like one bad object.
		c.Error(fmt.Errorf("no article could be read: %w", firstErr))
		return
	case len(arts) == 0:
		c.Error(fmt.Errorf("%w: no articles in the body", errBadParam))
		return
	}
	err = b.Put(c.Request.Context(), arts)
	p := asPending(err)
	if err != nil && p == nil {
		c.Error(err)
		return
	}
	for _, a := range arts {
		res.IDs = append(res.IDs, a.ID)
	}
	res.Indexed = len(arts)
	res.Errors = len(res.Rejected) > 0
	status := http.StatusCreated
	switch {
	case p != nil:
		res.Pending, res.Token = true, p.Token
		status = http.StatusAccepted
	case res.Errors:
		status = http.StatusOK
	}
	c.PureJSON(status, res)
}

// apiPutArticle creates or replaces the article with the URL's id. The
// body is JSON, with that Content-Type or none.
func (s *Server) apiPutArticle(c *gin.Context) {
	if _, err := bodyFormatOf(c.GetHeader("Content-Type"), false); err != nil {
		c.Error(err)
		return
	}
	id, err := articleID(c)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		c.Error(err)
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			c.Error(fmt.Errorf("%w (got %s)", article.ErrNotObject, typeErr.Value))
			return
		}
		c.Error(fmt.Errorf("%w: %w", article.ErrInvalidJSON, err))
		return
	}
	if fields == nil { // the body is null
		c.Error(fmt.Errorf("%w (got null)", article.ErrNotObject))
		return
	}
	if raw, ok := fields["id"]; ok {
		// A number keeps its text, as article.Parse reads it.
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var bodyID any
		if err := dec.Decode(&bodyID); err == nil && bodyID != nil && fmt.Sprint(bodyID) != id {
			c.Error(fmt.Errorf("%w: %q in the body, %q in the URL", errIDMismatch, fmt.Sprint(bodyID), id))
			return
		}
	}
	idJSON, err := json.Marshal(id)
	if err != nil {
		c.Error(err)
		return
	}
	fields["id"] = idJSON
	raw, err := json.Marshal(fields)
	if err != nil {
		c.Error(err)
		return
	}
	a, _, err := article.Parse(raw, article.Options{Location: s.opts.Location})
	if err != nil {
		c.Error(err)
		return
	}
	_, getErr := b.Get(c.Request.Context(), id)
	created := errors.Is(getErr, index.ErrNotFound)
	if err := b.Put(c.Request.Context(), []article.Article{a}); err != nil {
		if p := asPending(err); p != nil {
			c.PureJSON(http.StatusAccepted, pendingJSON{ID: a.ID, Pending: true, Token: p.Token})
			return
		}
		c.Error(err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.PureJSON(status, toJSON(a, s.opts.Location))
}

func (s *Server) apiDeleteArticle(c *gin.Context) {
	id, err := articleID(c)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	if _, err := b.Get(c.Request.Context(), id); err != nil {
		c.Error(err)
		return
	}
	if err := b.Delete(c.Request.Context(), id); err != nil {
		if p := asPending(err); p != nil {
			c.PureJSON(http.StatusAccepted, pendingJSON{ID: id, Pending: true, Token: p.Token})
			return
		}
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

// maxAnalyzeText caps /api/analyze's text, in characters.
const maxAnalyzeText = 10000

func (s *Server) apiAnalyze(c *gin.Context) {
	text := c.Query("text")
	if text == "" {
		c.Error(fmt.Errorf("%w: text is required", errBadParam))
		return
	}
	if n := utf8.RuneCountInString(text); n > maxAnalyzeText {
		c.Error(fmt.Errorf("%w: text is %d characters long, the limit is %d", errBadParam, n, maxAnalyzeText))
		return
	}
	mode, err := zh.ParseMode(c.Query("mode"))
	if err != nil {
		c.Error(fmt.Errorf("%w: %w", errBadParam, err))
		return
	}
	toks, syns, err := s.tokens(mode, text)
	if err != nil {
		c.Error(err)
		return
	}
	name := "index"
	if mode == zh.Accurate {
		name = "query"
	}
	c.PureJSON(http.StatusOK, gin.H{"text": text, "mode": name, "tokens": toks, "synonyms": syns})
}

// expander is a backend that expands synonyms (a [search.Searcher]).
type expander interface {
	Expand(seg *zh.Segmenter, text string) []search.Expansion
}

// tokens analyses text with the live index's segmenter, whose dictionary
// is what searches use, or with the process's when the backend has none;
// and returns the stretches of text that synonyms expand in a query.
func (s *Server) tokens(mode zh.Mode, text string) ([]zh.Token, []search.Expansion, error) {
	syns := []search.Expansion{}
	if b, err := s.current(); err == nil {
		if sb, ok := b.(interface{ Segmenter() (*zh.Segmenter, error) }); ok {
			seg, err := sb.Segmenter()
			if err != nil {
				return nil, nil, err
			}
			toks, err := seg.Tokens(mode, text)
			if ex, ok := b.(expander); ok && err == nil {
				syns = ex.Expand(seg, text)
			}
			return toks, syns, err
		}
	}
	toks, err := zh.Tokens(mode, text)
	return toks, syns, err
}

func (s *Server) apiOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openAPI)
}
