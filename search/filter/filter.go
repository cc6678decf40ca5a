// Package filter reads filter expressions in Meilisearch's filter
// language: conditions on fields (`author = 'Alice Chen'`, `date >
// 2023-01-01`, `date 2020 TO 2022`, `tags IN [教育, 法律]`, `tags EXISTS`,
// `author IS NULL`) combined with NOT, AND, OR and parentheses, NOT
// binding tightest and OR loosest; and the array form, an array whose
// elements are ANDed and whose inner arrays are ORed. It only parses:
// which fields and operators a search can honour is its caller's to say.
package filter

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Expr is a parsed filter: an [And], [Or], [Not] or [*Cond].
type Expr interface {
	String() string
}

// And holds when every one of its expressions does.
type And []Expr

// Or holds when one of its expressions does.
type Or []Expr

// Not holds when its expression does not.
type Not struct{ X Expr }

// Op is the operator of a condition.
type Op int

// Operators.
const (
	Eq      Op = iota // field = value
	Ne                // field != value
	Gt                // field > value
	Ge                // field >= value
	Lt                // field < value
	Le                // field <= value
	To                // field value TO to: value <= field <= to
	In                // field IN [values]
	Exists            // field EXISTS
	IsNull            // field IS NULL
	IsEmpty           // field IS EMPTY
)

var opNames = map[Op]string{Eq: "=", Ne: "!=", Gt: ">", Ge: ">=", Lt: "<", Le: "<="}

// Cond is one condition on a field.
type Cond struct {
	Field string
	Op    Op
	// Value is the value compared with (Eq to Le), or the lower bound of
	// To.
	Value string
	// Upper is the upper bound of To.
	Upper string
	// Values are the values of In.
	Values []string
	// Pos is where the field's name starts in the filter, in bytes.
	Pos int
}

func (a And) String() string { return join([]Expr(a), " AND ") }
func (o Or) String() string  { return join([]Expr(o), " OR ") }
func (n Not) String() string { return "NOT " + group(n.X) }

func join(xs []Expr, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = group(x)
	}
	return strings.Join(parts, sep)
}

// group puts x in parentheses unless it is one condition.
func group(x Expr) string {
	if _, ok := x.(*Cond); ok {
		return x.String()
	}
	return "(" + x.String() + ")"
}

// String writes the condition in the language, values quoted.
func (c *Cond) String() string {
	f := quote(c.Field)
	switch c.Op {
	case To:
		return f + " " + quote(c.Value) + " TO " + quote(c.Upper)
	case In:
		vs := make([]string, len(c.Values))
		for i, v := range c.Values {
			vs[i] = quote(v)
		}
		return f + " IN [" + strings.Join(vs, ", ") + "]"
	case Exists:
		return f + " EXISTS"
	case IsNull:
		return f + " IS NULL"
	case IsEmpty:
		return f + " IS EMPTY"
	}
	return f + " " + opNames[c.Op] + " " + quote(c.Value)
}

// quote writes v between double quotes, escaping those in it.
func quote(v string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + `"`
}

// MaxDepth bounds how deeply expressions nest, as Meilisearch does.
const MaxDepth = 200

// Error is a filter that cannot be read: what was expected, and where.
type Error struct {
	Msg string
	// Start and End are the bytes of the filter the error is about.
	Start, End int
	input      string
}

// Error gives the message, then the place as Meilisearch does: the
// column span (1-based, in characters) and the text there.
func (e *Error) Error() string {
	from := utf8.RuneCountInString(e.input[:e.Start]) + 1
	to := from + utf8.RuneCountInString(e.input[e.Start:e.End])
	return fmt.Sprintf("%s\n%d:%d %s", e.Msg, from, to, e.input[e.Start:e.End])
}

// ErrEmpty is what FromJSON returns for a filter that holds nothing.
var ErrEmpty = errors.New("empty filter")

// Parse reads a filter expression. An empty or blank one is nil.
func Parse(s string) (Expr, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	p := &parser{in: s}
	x, err := p.or(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.in) {
		return nil, p.errorAt(p.pos, len(p.in), "Found unexpected characters at the end of the filter: `%s`. You probably forgot an `OR` or an `AND` rule.", p.in[p.pos:])
	}
	return x, nil
}

// FromJSON reads a filter in any of the forms the search parameter takes:
// a string, or an array of strings and arrays of strings, the outer one's
// elements ANDed, an inner one's ORed. nil for none.
func FromJSON(v any) (Expr, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return Parse(v)
	case []any:
		var and And
		for _, el := range v {
			switch el := el.(type) {
			case string:
				x, err := Parse(el)
				if err != nil {
					return nil, err
				}
				if x != nil {
					and = append(and, x)
				}
			case []any:
				var or Or
				for _, in := range el {
					s, ok := in.(string)
					if !ok {
						return nil, fmt.Errorf("invalid value type: expected a string in an inner array of the filter, found %s", kind(in))
					}
					x, err := Parse(s)
					if err != nil {
						return nil, err
					}
					if x != nil {
						or = append(or, x)
					}
				}
				switch len(or) {
				case 0:
				case 1:
					and = append(and, or[0])
				default:
					and = append(and, or)
				}
			default:
				return nil, fmt.Errorf("invalid value type: expected a string or an array of strings in the filter array, found %s", kind(el))
			}
		}
		switch len(and) {
		case 0:
			return nil, nil
		case 1:
			return and[0], nil
		}
		return and, nil
	}
	return nil, fmt.Errorf("invalid value type: expected an array or a string for the filter, found %s", kind(v))
}

// kind names a JSON value's type as Meilisearch's errors do.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

type parser struct {
	in  string
	pos int
}

func (p *parser) errorAt(start, end int, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Start: start, End: end, input: p.in}
}

func (p *parser) space() {
	for p.pos < len(p.in) {
		r, n := utf8.DecodeRuneInString(p.in[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

// keyword reports whether the next word, after spaces, is kw (as a
// whole word, in capitals), and consumes it if so.
func (p *parser) keyword(kw string) bool {
	save := p.pos
	p.space()
	if strings.HasPrefix(p.in[p.pos:], kw) {
		end := p.pos + len(kw)
		if end == len(p.in) || !isWordByte(p.in, end) {
			p.pos = end
			return true
		}
	}
	p.pos = save
	return false
}

// isWordByte reports whether the character at i may be part of a word.
func isWordByte(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || unicode.Is(unicode.Mn, r)
}

// reserved are the words a value cannot be unquoted.
var reserved = []string{"AND", "OR", "NOT", "TO", "IN", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS", "STARTS"}

func (p *parser) or(depth int) (Expr, error) {
	if depth > MaxDepth {
		return nil, p.errorAt(p.pos, p.pos, "The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.")
	}
	x, err := p.and(depth + 1)
	if err != nil {
		return nil, err
	}
	or := Or{x}
	for p.keyword("OR") {
		y, err := p.and(depth + 1)
		if err != nil {
			return nil, err
		}
		or = append(or, y)
	}
	if len(or) == 1 {
		return x, nil
	}
	return or, nil
}

func (p *parser) and(depth int) (Expr, error) {
	if depth > MaxDepth {
		return nil, p.errorAt(p.pos, p.pos, "The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.")
	}
	x, err := p.not(depth + 1)
	if err != nil {
		return nil, err
	}
	and := And{x}
	for p.keyword("AND") {
		y, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		and = append(and, y)
	}
	if len(and) == 1 {
		return x, nil
	}
	return and, nil
}

func (p *parser) not(depth int) (Expr, error) {
	if depth > MaxDepth {
		return nil, p.errorAt(p.pos, p.pos, "The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.")
	}
	if p.keyword("NOT") {
		x, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(Not); ok {
			return n.X, nil // NOT NOT x is x
		}
		return Not{x}, nil
	}
	return p.primary(depth + 1)
}

func (p *parser) primary(depth int) (Expr, error) {
	p.space()
	if p.pos < len(p.in) && p.in[p.pos] == '(' {
		open := p.pos
		p.pos++
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.in) || p.in[p.pos] != ')' {
			return nil, p.errorAt(open, p.pos, "Expression `%s` is missing the following closing delimiter: `)`.", strings.TrimSpace(p.in[open:p.pos]))
		}
		p.pos++
		return x, nil
	}
	return p.condition()
}

// condition reads field OP value, field value TO value, field [NOT] IN
// [...], field [NOT] EXISTS, field IS [NOT] NULL|EMPTY.
func (p *parser) condition() (Expr, error) {
	start := p.skipSpaceAt()
	field, err := p.value("an attribute")
	if err != nil {
		return nil, err
	}
	c := &Cond{Field: field, Pos: start}
	fieldEnd := p.pos
	p.space()
	for _, op := range []struct {
		tok string
		op  Op
	}{{">=", Ge}, {"<=", Le}, {"!=", Ne}, {"=", Eq}, {">", Gt}, {"<", Lt}} {
		if strings.HasPrefix(p.in[p.pos:], op.tok) {
			p.pos += len(op.tok)
			c.Op = op.op
			if c.Value, err = p.value("a value"); err != nil {
				return nil, err
			}
			return c, nil
		}
	}
	switch {
	case p.keyword("IN"):
		c.Op = In
		return c, p.list(c)
	case p.keyword("EXISTS"):
		c.Op = Exists
		return c, nil
	case p.keyword("IS"):
		neg := p.keyword("NOT")
		switch {
		case p.keyword("NULL"):
			c.Op = IsNull
		case p.keyword("EMPTY"):
			c.Op = IsEmpty
		default:
			p.space()
			return nil, p.errorAt(start, p.pos, "Was expecting `NULL`, `NOT NULL`, `EMPTY` or `NOT EMPTY` after `IS` at `%s`.", strings.TrimSpace(p.in[start:p.pos]))
		}
		if neg {
			return Not{c}, nil
		}
		return c, nil
	case p.keyword("NOT"):
		switch {
		case p.keyword("IN"):
			c.Op = In
			if err := p.list(c); err != nil {
				return nil, err
			}
		case p.keyword("EXISTS"):
			c.Op = Exists
		default:
			return nil, p.expectedOperation(start, fieldEnd)
		}
		return Not{c}, nil
	}
	// field value TO value
	save := p.pos
	if lo, err := p.value("a value"); err == nil && p.keyword("TO") {
		c.Op, c.Value = To, lo
		if c.Upper, err = p.value("a value"); err != nil {
			return nil, err
		}
		return c, nil
	}
	p.pos = save
	return nil, p.expectedOperation(start, fieldEnd)
}

func (p *parser) expectedOperation(start, end int) *Error {
	return p.errorAt(start, end, "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY` or `IS NOT EMPTY` at `%s`.", p.in[start:end])
}

func (p *parser) skipSpaceAt() int {
	p.space()
	return p.pos
}

// list reads IN's "[a, b, ...]" into c.Values.
func (p *parser) list(c *Cond) error {
	p.space()
	if p.pos >= len(p.in) || p.in[p.pos] != '[' {
		return p.errorAt(p.pos, p.pos, "Expected `[` after `IN` keyword.")
	}
	p.pos++
	c.Values = []string{}
	for {
		p.space()
		if p.pos < len(p.in) && p.in[p.pos] == ']' {
			p.pos++
			return nil
		}
		if p.pos >= len(p.in) {
			return p.errorAt(p.pos, p.pos, "Expected matching `]` after the list of field names given to `IN[`")
		}
		v, err := p.value("a value")
		if err != nil {
			return err
		}
		c.Values = append(c.Values, v)
		p.space()
		switch {
		case p.pos < len(p.in) && p.in[p.pos] == ',':
			p.pos++
		case p.pos < len(p.in) && p.in[p.pos] == ']':
		case p.pos >= len(p.in):
			return p.errorAt(p.pos, p.pos, "Expected matching `]` after the list of field names given to `IN[`")
		default:
			return p.errorAt(p.pos, p.pos+1, "Expected only comma-separated field names inside `IN[..]` but instead found `%s`.", p.in[p.pos:])
		}
	}
}

// value reads a word or a quoted string; what names what is expected,
// for the error.
func (p *parser) value(what string) (string, error) {
	p.space()
	start := p.pos
	if p.pos >= len(p.in) {
		return "", p.errorAt(start, start, "Was expecting %s but instead got nothing.", what)
	}
	if q := p.in[p.pos]; q == '\'' || q == '"' {
		p.pos++
		var b strings.Builder
		for p.pos < len(p.in) {
			ch := p.in[p.pos]
			switch {
			case ch == '\\' && p.pos+1 < len(p.in) && (p.in[p.pos+1] == q || p.in[p.pos+1] == '\\'):
				b.WriteByte(p.in[p.pos+1])
				p.pos += 2
			case ch == q:
				p.pos++
				return b.String(), nil
			default:
				b.WriteByte(ch)
				p.pos++
			}
		}
		return "", p.errorAt(start, p.pos, "Expression `%s` is missing the following closing delimiter: `%c`.", p.in[start:], q)
	}
	for p.pos < len(p.in) {
		r, n := utf8.DecodeRuneInString(p.in[p.pos:])
		if !isWordRune(r) {
			break
		}
		p.pos += n
	}
	w := p.in[start:p.pos]
	if w == "" {
		return "", p.errorAt(start, min(start+1, len(p.in)), "Was expecting %s but instead got `%s`.", what, p.in[start:min(start+1, len(p.in))])
	}
	for _, kw := range reserved {
		if w == kw {
			return "", p.errorAt(start, p.pos, "`%s` is a reserved keyword and thus can't be used as a value or an attribute. You can quote it: `\"%s\"`.", w, w)
		}
	}
	return w, nil
}
