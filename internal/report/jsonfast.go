package report

import (
	"strconv"
	"unicode/utf8"
)

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it with HTML escaping off: quotes and backslashes escaped, the
// five short escapes for \b \f \n \r \t, \u00XX for other control
// characters, \ufffd for invalid UTF-8, and U+2028 and U+2029 escaped.
// Streaming a whole estate's obligations spends most of its time here,
// so it avoids reflection.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendObligationJSON appends o as encoding/json writes it indented by
// two spaces under a two-space prefix, the way StreamObligations lays out
// its array: the same bytes, without reflection.
func appendObligationJSON(dst []byte, o ObligationDoc) []byte {
	field := func(name, value string) {
		dst = append(dst, "\n    \""...)
		dst = append(dst, name...)
		dst = append(dst, "\": "...)
		dst = appendJSONString(dst, value)
		dst = append(dst, ',')
	}
	dst = append(dst, '{')
	field("id", o.ID)
	field("system", o.System)
	if o.Team != "" {
		field("team", o.Team)
	}
	field("control", o.Control)
	field("title", o.Title)
	field("party", o.Party)
	if o.Offering != "" {
		field("offering", o.Offering)
	}
	field("text", o.Text)
	dst = append(dst, "\n    \"assumed\": "...)
	dst = strconv.AppendBool(dst, o.Assumed)
	if o.Mapped {
		dst = append(dst, ",\n    \"mapped\": true"...)
	}
	return append(dst, "\n  }"...)
}
