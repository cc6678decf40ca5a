package search

import (
	"errors"
	"testing"
	"time"

	"github.com/wensou/wensou/index/article"
)

func TestParseBound(t *testing.T) {
	t.Parallel()
	sh := article.DefaultLocation()
	tests := []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"", false, time.Time{}},
		{"", true, time.Time{}},
		{"2022-09-23", false, time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		{"2022-09-23", true, time.Date(2022, 9, 24, 0, 0, 0, 0, sh).Add(-time.Nanosecond)},
		{"2022年9月23日", true, time.Date(2022, 9, 24, 0, 0, 0, 0, sh).Add(-time.Nanosecond)},
		{"2022-09", true, time.Date(2022, 10, 1, 0, 0, 0, 0, sh).Add(-time.Nanosecond)},
		{"2022", true, time.Date(2023, 1, 1, 0, 0, 0, 0, sh).Add(-time.Nanosecond)},
		{"2022-09-23 08:30", true, time.Date(2022, 9, 23, 8, 30, 0, 0, sh)},
	}
	for _, tt := range tests {
		got, err := ParseBound(tt.in, sh, tt.end)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseBound(%q, end %v) = %v, %v, want %v", tt.in, tt.end, got, err, tt.want)
		}
	}
}

func TestParseBound_Error(t *testing.T) {
	t.Parallel()
	_, err := ParseBound("去年秋天", article.DefaultLocation(), false)
	if want := `bad request: date "去年秋天": unparseable date "去年秋天"`; err == nil || err.Error() != want {
		t.Errorf("ParseBound(去年秋天) = %v, want %s", err, want)
	}
	// Both the request's and the date's reasons match.
	for _, target := range []error{ErrBadRequest, article.ErrBadDate} {
		if !errors.Is(err, target) {
			t.Errorf("ParseBound(去年秋天) = %v, want an error matching %v", err, target)
		}
	}
}
