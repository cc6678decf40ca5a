package article

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      string
		wantErr string // "" for none
	}{
		{"plain", "cwe-1", ""},
		{"number", "12345", ""},
		{"Chinese", "新闻-2022-第1号", ""},
		{"spaces inside", "Reuters 1987 12", ""},
		{"spaces around are kept as given", " 42 ", ""},
		{"punctuation", "https://example.com/a?b=c#d", ""},
		{"emoji", "🙂", ""},
		{"no-break space inside", "a\u00a0b", ""},
		{"at the limit", strings.Repeat("x", MaxIDBytes), ""},
		{"at the limit in Chinese", strings.Repeat("字", MaxIDBytes/3), ""},
		{"derived", "a0123456789abcdef", ""},
		{"empty", "", "id is empty"},
		{"over the limit", strings.Repeat("x", 5000), "id is 5000 bytes long; the limit is 512"},
		{"one byte over", strings.Repeat("x", MaxIDBytes+1), "id is 513 bytes long; the limit is 512"},
		{"over the limit in Chinese", strings.Repeat("字", MaxIDBytes/3+1), "id is 513 bytes long; the limit is 512"},
		{"only spaces", "   ", "id is only white space"},
		{"only ideographic space and tab", "\u3000\t", "id is only white space"},
		{"only line breaks", "\r\n", "id is only white space"},
		{"NUL", "abc\x00", "id contains a control character (U+0000) at byte 3"},
		{"tab inside", "a\tb", "id contains a control character (U+0009) at byte 1"},
		{"newline at the end", "ab\n", "id contains a control character (U+000A) at byte 2"},
		{"escape", "\x1b[31mred", "id contains a control character (U+001B) at byte 0"},
		{"DEL", "a\x7f", "id contains a control character (U+007F) at byte 1"},
		{"C1 control", "字\u0085", "id contains a control character (U+0085) at byte 3"},
		{"last C1 control", "\u009f", "id contains a control character (U+009F) at byte 0"},
		{"invalid UTF-8", "ab\xff", "invalid UTF-8 in id at byte 2"},
		{"truncated UTF-8", "字\xe5\xad", "invalid UTF-8 in id at byte 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckID(tt.id)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("CheckID(%q) = %v, want nil", tt.id, err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("CheckID(%q) = %v, want %s", tt.id, err, tt.wantErr)
			}
			if !errors.Is(err, ErrBadID) {
				t.Errorf("CheckID(%q) = %v, want an error wrapping ErrBadID", tt.id, err)
			}
		})
	}
}
