package search

import (
	"fmt"
	"strings"
	"time"

	"github.com/wensou/wensou/index/article"
)

// ParseBound reads a date range bound typed by a person (2022-09-23,
// 2022年9月23日, RFC 3339 and the other shapes articles use) in loc. For
// the end of a range (end set) a date without a time of day means the
// end of that day, so ranges are inclusive. An empty string gives the
// zero time (no bound).
func ParseBound(s string, loc *time.Location, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := article.ParseDate(s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date %q: %w", ErrBadRequest, s, err)
	}
	if !end || !t.Equal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())) {
		return t, nil
	}
	// A bound without a day (2022, 2022-09) ends with its year or month.
	switch s = strings.TrimSpace(s); {
	case len(s) == 4:
		return t.AddDate(1, 0, 0).Add(-time.Nanosecond), nil
	case len(s) <= 7 && !strings.ContainsAny(s, "日号"):
		return t.AddDate(0, 1, 0).Add(-time.Nanosecond), nil
	}
	return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
}
