package server

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/search"
)

// Suggester is a backend that completes what a person types:
// [index.Index] is one. A backend that lends its live index, as a
// [search.Source] does (the command serves a store, which does),
// completes through that index; one that does neither answers no
// suggestions.
type Suggester interface {
	Suggest(ctx context.Context, prefix string, n int) ([]index.Suggestion, error)
}

// lentSuggester completes with the index a source lends.
type lentSuggester struct{ src search.Source }

func (l lentSuggester) Suggest(ctx context.Context, prefix string, n int) ([]index.Suggestion, error) {
	var out []index.Suggestion
	err := l.src.With(func(ix *index.Index) error {
		var err error
		out, err = ix.Suggest(ctx, prefix, n)
		return err
	})
	return out, err
}

// suggesterOf returns b's way to complete, if it has one.
func suggesterOf(b Backend) (Suggester, bool) {
	switch v := b.(type) {
	case Suggester:
		return v, true
	case search.Source:
		return lentSuggester{v}, true
	}
	return nil, false
}

// suggestResult is the answer of GET /api/suggest.
type suggestResult struct {
	Query       string           `json:"query"`
	Suggestions []suggestionJSON `json:"suggestions"`
}

// suggestionJSON is a suggestion on the wire.
type suggestionJSON struct {
	Text      string `json:"text"`
	Kind      string `json:"kind"`
	Count     uint64 `json:"count"`
	Highlight string `json:"highlight"`
	ID        string `json:"id,omitempty"`
}

func toSuggestionsJSON(ss []index.Suggestion) []suggestionJSON {
	out := make([]suggestionJSON, len(ss))
	for i, s := range ss {
		out[i] = suggestionJSON{Text: s.Text, Kind: string(s.Kind), Count: s.Count, Highlight: s.Highlight, ID: s.ID}
	}
	return out
}

// suggestParams reads the parameters of GET /api/suggest: q, required
// (it may be empty) and at most search.MaxQueryLength characters, and
// size, 1 to index.MaxSuggestions.
func suggestParams(c *gin.Context) (string, int, error) {
	q, ok := c.GetQuery("q")
	if !ok {
		return "", 0, fmt.Errorf("%w: q is required", errBadParam)
	}
	if n := utf8.RuneCountInString(q); n > search.MaxQueryLength {
		return "", 0, fmt.Errorf("%w: q is %d characters long, the limit is %d", errBadParam, n, search.MaxQueryLength)
	}
	size := index.DefaultSuggestions
	if _, ok := c.GetQuery("size"); ok {
		var err error
		if size, err = wholeNumber(c, "size"); err != nil {
			return "", 0, err
		}
		if size < 1 || size > index.MaxSuggestions {
			return "", 0, fmt.Errorf("%w: size must be between 1 and %d", errBadParam, index.MaxSuggestions)
		}
	}
	return q, size, nil
}

// apiSuggest completes what was typed: words, phrases and titles of the
// index, ranked by the number of articles holding them.
func (s *Server) apiSuggest(c *gin.Context) {
	q, size, err := suggestParams(c)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	res := suggestResult{Query: q, Suggestions: []suggestionJSON{}}
	if sg, ok := suggesterOf(b); ok {
		ss, err := sg.Suggest(c.Request.Context(), q, size)
		if err != nil {
			c.Error(searchError(c, err))
			return
		}
		res.Suggestions = toSuggestionsJSON(ss)
	}
	c.PureJSON(http.StatusOK, res)
}
