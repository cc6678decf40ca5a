package article

import (
	"errors"
	"fmt"
)

// Errors this package returns. Match them with [errors.Is]. A rejected
// [Record]'s Err wraps one of them, except for I/O errors, and its text
// says exactly what is wrong.
var (
	// ErrNoContent means the article has neither a title nor a body.
	ErrNoContent = errors.New("no title and no body")
	// ErrTooLarge means a body, a JSON line or a text file is over the
	// limit set by [Options.MaxBodyBytes]; the error is a [*SizeError].
	ErrTooLarge = errors.New("larger than the limit")
	// ErrInvalidUTF8 means the input is not valid UTF-8; the error is a
	// [*UTF8Error].
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrInvalidJSON means the input is not well-formed JSON. The error
	// text adds the decoder's message, as in
	// "invalid JSON: unexpected end of JSON input".
	ErrInvalidJSON = errors.New("invalid JSON")
	// ErrNotObject means a JSON value is well-formed but not an object.
	ErrNotObject = errors.New("not a JSON object")
	// ErrInvalidField means a known field has a value of the wrong type,
	// such as a number for "title"; the error is a [*FieldError].
	ErrInvalidField = errors.New("invalid field")
	// ErrFrontMatter means a Markdown file's front matter cannot be read.
	ErrFrontMatter = errors.New("malformed front matter")
	// ErrUnsupported means a file's extension is not one of [Formats].
	ErrUnsupported = errors.New("unsupported file type")
	// ErrBadDate means [ParseDate] does not understand a date, or the
	// date does not exist; the error is a [*DateError].
	ErrBadDate = errors.New("unparseable date")
	// ErrBadID means an article id given explicitly cannot be used: it is
	// empty (for [CheckID]), longer than [MaxIDBytes], only white space,
	// not valid UTF-8, or holds a control character. The error text says
	// which, as in "id contains a control character (U+0000) at byte 3".
	ErrBadID = errors.New("bad id")
)

// contentErrors are the sentinels of problems with a record's content.
var contentErrors = []error{
	ErrNoContent, ErrTooLarge, ErrInvalidUTF8, ErrInvalidJSON, ErrNotObject,
	ErrInvalidField, ErrFrontMatter, ErrUnsupported, ErrBadDate, ErrBadID,
}

// Reason returns the error of this package that err wraps, which says
// what is wrong with a record's content (ErrTooLarge for "line is 3000000
// bytes, over the ..." and for "body is ..." alike), or nil when err is
// not about content: an I/O error, such as a file that cannot be read.
func Reason(err error) error {
	for _, e := range contentErrors {
		if errors.Is(err, e) {
			return e
		}
	}
	return nil
}

// SizeError reports input over a size limit. It matches [ErrTooLarge].
type SizeError struct {
	What  string // "body", "line" or "file"
	Size  int64  // bytes
	Limit int64  // bytes
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%s is %d bytes, over the %d-byte limit", e.What, e.Size, e.Limit)
}

// Unwrap returns [ErrTooLarge].
func (e *SizeError) Unwrap() error { return ErrTooLarge }

// UTF8Error reports the first byte that is not valid UTF-8. It matches
// [ErrInvalidUTF8].
type UTF8Error struct {
	// Field names the article field for input given as an [Article];
	// it is "" for raw input.
	Field string
	// Offset is the 0-based byte offset of the bad byte, from the start of
	// the record: the JSON line, the JSON array element, the whole text
	// file, or the field.
	Offset int
}

func (e *UTF8Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("invalid UTF-8 in %s at byte %d", e.Field, e.Offset)
	}
	return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
}

// Unwrap returns [ErrInvalidUTF8].
func (e *UTF8Error) Unwrap() error { return ErrInvalidUTF8 }

// FieldError reports a known field whose value has the wrong type. It
// matches [ErrInvalidField].
type FieldError struct {
	Field  string // the key as written in the input
	Reason string // e.g. "want a string, got number"
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("field %q: %s", e.Field, e.Reason)
}

// Unwrap returns [ErrInvalidField].
func (e *FieldError) Unwrap() error { return ErrInvalidField }

// DateError reports a date that [ParseDate] cannot use. It matches
// [ErrBadDate].
type DateError struct {
	Input  string // the date as given
	Reason string // why a recognised shape is impossible; "" when no shape matched
}

func (e *DateError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("unparseable date %q", e.Input)
	}
	return fmt.Sprintf("unparseable date %q: %s", e.Input, e.Reason)
}

// Unwrap returns [ErrBadDate].
func (e *DateError) Unwrap() error { return ErrBadDate }
