package report

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"remit/internal/engine"
	"remit/internal/remit"
)

// AppendMatrix appends the JSON of system m's matrix (rows of class only,
// when class is not "") to dst: byte for byte what encoding/json writes
// for Matrix(e, m, class), a test holds it to that, but written straight
// from the engine's cells without building the document or reflecting on
// it, several times faster. The API serves matrices with it.
func AppendMatrix(dst []byte, e *engine.Estate, m *engine.Matrix, class remit.Class) []byte {
	s := e.System(m.System).System
	dst = append(dst, `{"system":`...)
	dst = appendString(dst, s.ID)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, s.Name)
	dst = append(dst, `,"rows":[`...)
	first := true
	for i := range m.Cells {
		c := &m.Cells[i]
		if class != "" && c.Class() != class {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendRow(dst, e, m, c)
	}
	sum := m.Summary
	dst = append(dst, `],"summary":{"inherited":`...)
	dst = strconv.AppendInt(dst, int64(sum.Inherited), 10)
	dst = append(dst, `,"shared":`...)
	dst = strconv.AppendInt(dst, int64(sum.Shared), 10)
	dst = append(dst, `,"organisation-specific":`...)
	dst = strconv.AppendInt(dst, int64(sum.OrganisationSpecific), 10)
	dst = append(dst, `,"not-applicable":`...)
	dst = strconv.AppendInt(dst, int64(sum.NotApplicable), 10)
	dst = append(dst, `,"assumed":`...)
	dst = strconv.AppendInt(dst, int64(sum.Assumed), 10)
	dst = append(dst, `,"mapped":`...)
	dst = strconv.AppendInt(dst, int64(sum.Mapped), 10)
	return append(dst, "}}"...)
}

func appendRow(dst []byte, e *engine.Estate, m *engine.Matrix, c *engine.Cell) []byte {
	ctl := e.Controls[c.Control]
	dst = append(dst, `{"control":`...)
	dst = appendString(dst, ctl.Ref)
	dst = append(dst, `,"title":`...)
	dst = appendString(dst, ctl.Control.Title)
	if ctl.Control.Area != "" {
		dst = append(dst, `,"area":`...)
		dst = appendString(dst, string(ctl.Control.Area))
	}
	dst = append(dst, `,"class":"`...)
	dst = append(dst, c.Class()...)
	dst = append(dst, `","assumed":`...)
	dst = strconv.AppendBool(dst, c.Assumed())
	if c.Mapped() {
		dst = append(dst, `,"mapped":true`...)
	}
	if reason, ok := e.NotApplicable(m.System, c.Control); ok && reason != "" {
		dst = append(dst, `,"reason":`...)
		dst = appendString(dst, reason)
	}
	dst = append(dst, `,"ours":[`...)
	for i, o := range e.Ours(m, c) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		if !o.Whole() {
			dst = append(dst, `"offering":`...)
			dst = appendString(dst, e.Offering(o.Offering).Ref)
			dst = append(dst, ',')
		}
		dst = append(dst, `"text":`...)
		dst = appendString(dst, o.Text)
		dst = append(dst, `,"assumed":`...)
		dst = strconv.AppendBool(dst, o.Assumed)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"contributions":[`...)
	for i, k := range e.Contributions(m, c) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendContribution(dst, e, c.Control, k)
	}
	return append(dst, "]}"...)
}

func appendContribution(dst []byte, e *engine.Estate, control int32, k engine.Contribution) []byte {
	o := e.Offering(k.Offering)
	provider, customer := e.Parts(control, k)
	if k.Class() == remit.NotApplicable {
		if st := e.Statement(k); st != nil {
			provider = st.Provider // the provider's reason
		}
	}
	dst = append(dst, `{"offering":`...)
	dst = appendString(dst, o.Ref)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, o.Offering.Name)
	dst = append(dst, `,"service_model":`...)
	dst = appendString(dst, string(o.Offering.ServiceModel))
	dst = append(dst, `,"class":"`...)
	dst = append(dst, k.Class()...)
	dst = append(dst, '"')
	if provider != "" {
		dst = append(dst, `,"provider":`...)
		dst = appendString(dst, provider)
	}
	if customer != "" {
		dst = append(dst, `,"customer":`...)
		dst = appendString(dst, customer)
	}
	dst = append(dst, `,"assumed":`...)
	dst = strconv.AppendBool(dst, k.Assumed())
	if m := mappedFrom(e, k); m != nil {
		dst = append(dst, `,"mapped":{"partial":`...)
		dst = strconv.AppendBool(dst, m.Partial)
		dst = append(dst, `,"sources":[`...)
		for i, s := range m.Sources {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"control":`...)
			dst = appendString(dst, s.Control)
			dst = append(dst, `,"relationship":`...)
			dst = appendString(dst, string(s.Relationship))
			dst = append(dst, `,"mappings":`...)
			dst = appendString(dst, s.Mappings)
			dst = append(dst, '}')
		}
		dst = append(dst, "]}"...)
	}
	if src := e.Source(k); src != nil {
		dst = append(dst, `,"source":{`...)
		n := 0
		for _, f := range [...]struct{ key, value string }{{"title", src.Title}, {"url", src.URL}, {"version", src.Version}, {"date", src.Date}} {
			if f.value == "" {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = append(dst, '"')
			dst = append(dst, f.key...)
			dst = append(dst, `":`...)
			dst = appendString(dst, f.value)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"via":[`...)
	for i, v := range o.Via {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, e.Offering(v).Ref)
	}
	return append(dst, "]}"...)
}

// appendString appends s as a JSON string, escaped exactly as
// encoding/json escapes it: text needing no escape is copied as it is, and
// anything else goes through encoding/json itself.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
