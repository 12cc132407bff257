// Package jsonscan is a small, strict reader of flat JSON objects for the JWT hot path: it
// walks an object's members without reflection, hands each key to the caller, and lets the
// caller read the value as a string, a number, a list of strings, or skip it.
//
// It is stricter than encoding/json where JOSE asks for it: member names are compared
// exactly (encoding/json matches them case-insensitively), strings must be valid UTF-8
// without raw control characters, and nesting is bounded. Callers reject duplicate members
// they care about (RFC 7515 §4, RFC 7519 §4).
package jsonscan

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrSyntax reports input that is not the JSON the caller asked for.
var ErrSyntax = errors.New("jsonscan: malformed JSON")

// maxDepth bounds the nesting of skipped values.
const maxDepth = 32

// Scanner reads one JSON value from a byte slice.
type Scanner struct {
	b []byte
	i int
}

// New returns a Scanner over b.
func New(b []byte) *Scanner { return &Scanner{b: b} }

func (s *Scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *Scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// Object reads a whole JSON object followed only by whitespace, calling member for each
// member with the member's name (valid until member returns); member must consume the value
// with one of the value methods.
func (s *Scanner) Object(member func(name []byte) error) error {
	if s.peek() != '{' {
		return ErrSyntax
	}
	s.i++
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			if s.peek() != '"' {
				return ErrSyntax
			}
			name, err := s.rawString()
			if err != nil {
				return err
			}
			if s.peek() != ':' {
				return ErrSyntax
			}
			s.i++
			if err := member(name); err != nil {
				return err
			}
			c := s.peek()
			s.i++
			if c == '}' {
				break
			}
			if c != ',' {
				return ErrSyntax
			}
		}
	}
	if s.peek() != 0 || s.i != len(s.b) {
		return ErrSyntax
	}
	return nil
}

// IsNull consumes a null and reports true, or leaves the input alone and reports false.
func (s *Scanner) IsNull() bool {
	if s.peek() == 'n' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// String reads a string value.
func (s *Scanner) String() (string, error) {
	if s.peek() != '"' {
		return "", ErrSyntax
	}
	b, err := s.rawString()
	return string(b), err
}

// rawString reads a string at s.i (an opening quote) and returns its decoded bytes, which
// alias the input when the string has no escapes.
func (s *Scanner) rawString() ([]byte, error) {
	s.i++ // the opening quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			out := s.b[start:s.i]
			s.i++
			if !utf8.Valid(out) {
				return nil, ErrSyntax
			}
			return out, nil
		case c == '\\':
			return s.escapedString(start)
		case c < 0x20:
			return nil, ErrSyntax
		}
		s.i++
	}
	return nil, ErrSyntax
}

// escapedString finishes a string that has escapes, from start.
func (s *Scanner) escapedString(start int) ([]byte, error) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !utf8.Valid(out) {
				return nil, ErrSyntax
			}
			return out, nil
		case c < 0x20:
			return nil, ErrSyntax
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return nil, ErrSyntax
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, ErrSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					var ok2 bool
					if r2, ok2 = s.hex4(); !ok2 {
						return nil, ErrSyntax
					}
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					return nil, ErrSyntax // a lone surrogate
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, ErrSyntax
		}
	}
	return nil, ErrSyntax
}

func (s *Scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.i += 4
	return r, true
}

// Number reads a number value (RFC 8259 §6 grammar).
func (s *Scanner) Number() (float64, error) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return 0, ErrSyntax
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return 0, ErrSyntax
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return 0, ErrSyntax
		}
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil {
		return 0, ErrSyntax
	}
	return f, nil
}

func (s *Scanner) digits() int {
	n := 0
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// Strings reads an array of strings.
func (s *Scanner) Strings() ([]string, error) {
	if s.peek() != '[' {
		return nil, ErrSyntax
	}
	s.i++
	out := []string{}
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		v, err := s.String()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		c := s.peek()
		s.i++
		if c == ']' {
			return out, nil
		}
		if c != ',' {
			return nil, ErrSyntax
		}
	}
}

// Skip reads and discards any value, checking its syntax.
func (s *Scanner) Skip() error { return s.skip(0) }

func (s *Scanner) skip(depth int) error {
	if depth > maxDepth {
		return ErrSyntax
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.rawString()
		return err
	case c == '{':
		s.i++
		if s.peek() == '}' {
			s.i++
			return nil
		}
		for {
			if s.peek() != '"' {
				return ErrSyntax
			}
			if _, err := s.rawString(); err != nil {
				return err
			}
			if s.peek() != ':' {
				return ErrSyntax
			}
			s.i++
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			c := s.peek()
			s.i++
			if c == '}' {
				return nil
			}
			if c != ',' {
				return ErrSyntax
			}
		}
	case c == '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for {
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			c := s.peek()
			s.i++
			if c == ']' {
				return nil
			}
			if c != ',' {
				return ErrSyntax
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		_, err := s.Number()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return ErrSyntax
}

func (s *Scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return ErrSyntax
	}
	s.i += len(lit)
	return nil
}

// Peek returns the next byte that is not whitespace, without consuming it, or 0 at the end.
func (s *Scanner) Peek() byte { return s.peek() }

// Bool reads true or false.
func (s *Scanner) Bool() (bool, error) {
	switch s.peek() {
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	}
	return false, ErrSyntax
}

// Raw reads any value, checking its syntax as Skip does, and returns its JSON text, which
// aliases the input.
func (s *Scanner) Raw() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(0); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// Reset makes s a Scanner over b, as New does, for a Scanner kept as a value (on the stack).
func (s *Scanner) Reset(b []byte) { *s = Scanner{b: b} }
