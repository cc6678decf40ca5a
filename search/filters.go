package search

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/search/filter"
)

// ErrBadFilter marks a Request.Filter that cannot be read or applied; it
// is a bad request too.
var ErrBadFilter = fmt.Errorf("%w: filter", ErrBadRequest)

// FilterFields are the fields a filter may name.
var FilterFields = []string{"author", "tags", "date"}

// filterQuery compiles a filter expression (package filter) into the
// bleve query a search requires beside its own: author and tags match
// exactly (tags in any case), dates compare as instants, a date without a
// time standing for its whole day (or month, or year) in loc, a number
// for Unix seconds. nil for no filter.
func filterQuery(src string, loc *time.Location) (query.Query, error) {
	x, err := filter.Parse(src)
	if err != nil || x == nil {
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrBadFilter, err)
		}
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return compileFilter(x, loc)
}

func compileFilter(x filter.Expr, loc *time.Location) (query.Query, error) {
	switch x := x.(type) {
	case filter.And:
		qs, err := compileAll(x, loc)
		if err != nil {
			return nil, err
		}
		return query.NewConjunctionQuery(qs), nil
	case filter.Or:
		qs, err := compileAll(x, loc)
		if err != nil {
			return nil, err
		}
		return query.NewDisjunctionQuery(qs), nil
	case filter.Not:
		q, err := compileFilter(x.X, loc)
		if err != nil {
			return nil, err
		}
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{q}), nil
	case *filter.Cond:
		return compileCond(x, loc)
	}
	return nil, fmt.Errorf("%w: %T", ErrBadFilter, x)
}

func compileAll(xs []filter.Expr, loc *time.Location) ([]query.Query, error) {
	qs := make([]query.Query, len(xs))
	for i, x := range xs {
		q, err := compileFilter(x, loc)
		if err != nil {
			return nil, err
		}
		qs[i] = q
	}
	return qs, nil
}

// noneQuery matches nothing: IN [] holds for no article.
func noneQuery() query.Query { return query.NewDisjunctionQuery(nil) }

func compileCond(c *filter.Cond, loc *time.Location) (query.Query, error) {
	unsupported := func() error {
		return fmt.Errorf("%w: `%s` cannot be used on `%s`: %s", ErrBadFilter, opName(c.Op), c.Field, map[string]string{
			"author": "authors are compared with =, !=, IN and NOT IN",
			"tags":   "tags are compared with =, !=, IN and NOT IN",
			"date":   "dates are compared with =, !=, >, >=, <, <= and TO",
		}[c.Field])
	}
	switch c.Field {
	case "author", "tags":
		field, norm := index.FieldAuthor, func(s string) string { return s }
		if c.Field == "tags" {
			field, norm = index.FieldTags, func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
		}
		switch c.Op {
		case filter.Eq:
			return termQuery(field, norm(c.Value), 0), nil
		case filter.Ne:
			return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{termQuery(field, norm(c.Value), 0)}), nil
		case filter.In:
			if len(c.Values) == 0 {
				return noneQuery(), nil
			}
			qs := make([]query.Query, len(c.Values))
			for i, v := range c.Values {
				qs[i] = termQuery(field, norm(v), 0)
			}
			return query.NewDisjunctionQuery(qs), nil
		}
		return nil, unsupported()
	case "date":
		var lo, hi time.Time
		var err error
		switch c.Op {
		case filter.Eq, filter.Ne:
			if lo, hi, err = dateSpan(c.Value, loc); err != nil {
				return nil, err
			}
			q := dateRange(lo, hi, true, true)
			if c.Op == filter.Ne {
				return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{q}), nil
			}
			return q, nil
		case filter.Gt, filter.Ge, filter.Lt, filter.Le:
			if lo, hi, err = dateSpan(c.Value, loc); err != nil {
				return nil, err
			}
			switch c.Op {
			case filter.Gt:
				return dateRange(hi, time.Time{}, false, false), nil
			case filter.Ge:
				return dateRange(lo, time.Time{}, true, false), nil
			case filter.Lt:
				return dateRange(time.Time{}, lo, false, false), nil
			default:
				return dateRange(time.Time{}, hi, false, true), nil
			}
		case filter.To:
			if lo, _, err = dateSpan(c.Value, loc); err != nil {
				return nil, err
			}
			if _, hi, err = dateSpan(c.Upper, loc); err != nil {
				return nil, err
			}
			return dateRange(lo, hi, true, true), nil
		case filter.In:
			qs := make([]query.Query, 0, len(c.Values))
			for _, v := range c.Values {
				if lo, hi, err = dateSpan(v, loc); err != nil {
					return nil, err
				}
				qs = append(qs, dateRange(lo, hi, true, true))
			}
			if len(qs) == 0 {
				return noneQuery(), nil
			}
			return query.NewDisjunctionQuery(qs), nil
		}
		return nil, unsupported()
	}
	return nil, fmt.Errorf("%w: attribute `%s` is not filterable; the filterable attributes are `%s`", ErrBadFilter, c.Field, strings.Join(FilterFields, "`, `"))
}

// dateSpan reads a date value: the first and last instants it stands
// for (a day, a month, a year, or one instant: a time, or a number of
// Unix seconds).
func dateSpan(v string, loc *time.Location) (time.Time, time.Time, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "-/") && len(v) > 4 {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: date %q is not a number of seconds", ErrBadFilter, v)
		}
		sec, frac := math.Modf(f)
		t := time.Unix(int64(sec), int64(frac*1e9)).In(loc)
		return t, t, nil
	}
	lo, err := ParseBound(v, loc, false)
	if err == nil {
		var hi time.Time
		if hi, err = ParseBound(v, loc, true); err == nil {
			return lo, hi, nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w: date %q: give a date (2023-05-01, 2023-05, 2023), a time (RFC 3339) or Unix seconds", ErrBadFilter, v)
}

// dateRange matches dates between lo and hi, either open when zero.
func dateRange(lo, hi time.Time, loIn, hiIn bool) query.Query {
	q := query.NewDateRangeInclusiveQuery(lo, hi, &loIn, &hiIn)
	q.SetField(index.FieldDate)
	return q
}

func opName(op filter.Op) string {
	return map[filter.Op]string{filter.Eq: "=", filter.Ne: "!=", filter.Gt: ">", filter.Ge: ">=", filter.Lt: "<", filter.Le: "<=",
		filter.To: "TO", filter.In: "IN", filter.Exists: "EXISTS", filter.IsNull: "IS NULL", filter.IsEmpty: "IS EMPTY"}[op]
}

// IsFilterError reports whether err is a filter's.
func IsFilterError(err error) bool { return errors.Is(err, ErrBadFilter) }
