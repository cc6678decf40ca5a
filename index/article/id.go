package article

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIDBytes is the longest article id accepted, in bytes: Elasticsearch's
// limit for a document _id.
const MaxIDBytes = 512

// idError is a reason an id is refused. It matches [ErrBadID].
type idError string

func (e idError) Error() string { return string(e) }

// Unwrap returns [ErrBadID].
func (e idError) Unwrap() error { return ErrBadID }

// CheckID returns an error wrapping [ErrBadID] when id cannot be an
// article's id: it is empty, longer than [MaxIDBytes] bytes, not valid
// UTF-8, only white space, or holds a control character (U+0000 to
// U+001F, U+007F or U+0080 to U+009F; tabs and line breaks included).
// Other characters, spaces inside the id among them, are fine.
//
// CheckID takes the id as it is: [Article.Normalize] first trims white
// space around a given id and then applies the same rules. Callers that
// get an id from outside a record, such as a URL path, check it with
// CheckID before looking it up. Ids derived from the content always pass.
func CheckID(id string) error {
	if id == "" {
		return idError("id is empty")
	}
	if trimSpace(id) == "" {
		// Before the length: "only white space" is the better reason.
		return idError("id is only white space")
	}
	return checkID(id, 0)
}

// checkID checks a non-blank id that starts at byte base of the id as
// given, so positions in the error refer to the latter.
func checkID(id string, base int) error {
	if len(id) > MaxIDBytes {
		return idError(fmt.Sprintf("id is %d bytes long; the limit is %d", len(id), MaxIDBytes))
	}
	if !utf8.ValidString(id) {
		return idError(fmt.Sprintf("invalid UTF-8 in id at byte %d", base+invalidUTF8At([]byte(id))))
	}
	for i, r := range id {
		if unicode.IsControl(r) {
			return idError(fmt.Sprintf("id contains a control character (%U) at byte %d", r, base+i))
		}
	}
	return nil
}

// normalizeID returns the given id trimmed, with any line separators in
// it turned into a space as in other one-line fields, or an error
// wrapping [ErrBadID]. A missing id ("") is left for [Article.deriveID].
func normalizeID(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	trimmed := trimSpace(id)
	if trimmed == "" {
		return "", CheckID(id)
	}
	base := len(id) - len(strings.TrimLeftFunc(id, isSpace))
	if err := checkID(trimmed, base); err != nil {
		return "", err
	}
	// Only U+2028 and U+2029 can still break the line: the other line
	// breaks are control characters.
	return oneLine(trimmed), nil
}
