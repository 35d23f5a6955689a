// Package report turns the engine's results into the documents Remit shows
// and exchanges: the matrix JSON contract, obligation lists, explanations,
// diffs and the supplier graph, each as a table, CSV, JSON or Markdown.
package report

import (
	"fmt"
	"slices"
	"strings"

	"remit/internal/engine"
	"remit/internal/remit"
)

// Formats lists the output formats of tabular documents.
var Formats = []string{"table", "csv", "json", "markdown"}

// MatrixDoc is the JSON contract of one system's effective responsibility
// matrix (documented in doc/engine.md; change it only compatibly).
type MatrixDoc struct {
	System  string         `json:"system"`
	Name    string         `json:"name"`
	Rows    []Row          `json:"rows"`
	Summary engine.Summary `json:"summary"`
}

// Row is one control of a system's matrix.
type Row struct {
	Control string      `json:"control"`
	Title   string      `json:"title"`
	Area    remit.Area  `json:"area,omitempty"`
	Class   remit.Class `json:"class"`
	// Assumed is true when the class rests on at least one assumed default.
	Assumed bool `json:"assumed"`
	// Mapped is true when the class rests on a mapping from statements
	// for other controls and on no assumed default (left out when false).
	Mapped bool `json:"mapped,omitempty"`
	// Reason says why a not-applicable control does not apply.
	Reason        string         `json:"reason,omitempty"`
	Ours          []Duty         `json:"ours"`
	Contributions []Contribution `json:"contributions"`
}

// Duty is one obligation of ours within a row.
type Duty struct {
	// Offering is the offering the duty arises from; "" when no offering
	// covers the control and all of it is ours.
	Offering string `json:"offering,omitempty"`
	Text     string `json:"text"`
	Assumed  bool   `json:"assumed"`
}

// Contribution is what one offering brings to a row, with its provenance.
type Contribution struct {
	Offering     string             `json:"offering"`
	Name         string             `json:"name"`
	ServiceModel remit.ServiceModel `json:"service_model"`
	Class        remit.Class        `json:"class"`
	Provider     string             `json:"provider,omitempty"`
	Customer     string             `json:"customer,omitempty"`
	Assumed      bool               `json:"assumed"`
	// Mapped says which statements for other controls answer for this one
	// through mappings, when the offering has none of its own for it.
	Mapped *MappedFrom   `json:"mapped,omitempty"`
	Source *remit.Source `json:"source,omitempty"`
	// Via lists the offerings the contributing offering relies on, nearest
	// first: fourth parties when they belong to another provider.
	Via []string `json:"via"`
}

// MappedFrom is how a contribution answers through mappings.
type MappedFrom struct {
	// Partial is set when no source covers the whole control: the class
	// is then at most shared.
	Partial bool              `json:"partial"`
	Sources []MappedSourceDoc `json:"sources"`
}

// MappedSourceDoc is one source control the offering has a statement for.
type MappedSourceDoc struct {
	Control      string             `json:"control"`
	Relationship remit.Relationship `json:"relationship"`
	Mappings     string             `json:"mappings" doc:"The mappings file that relates them"`
}

func mappedFrom(e *engine.Estate, k engine.Contribution) *MappedFrom {
	m := e.Mapped(k)
	if m == nil {
		return nil
	}
	out := &MappedFrom{Partial: m.Partial, Sources: make([]MappedSourceDoc, len(m.Sources))}
	for i, s := range m.Sources {
		out.Sources[i] = MappedSourceDoc{Control: e.Controls[s.Control].Ref, Relationship: s.Rel, Mappings: s.File}
	}
	return out
}

// Matrix builds the document for one system's matrix, keeping only rows of
// the given class when class is not "".
func Matrix(e *engine.Estate, m *engine.Matrix, class remit.Class) MatrixDoc {
	s := e.System(m.System).System
	doc := MatrixDoc{System: s.ID, Name: s.Name, Rows: []Row{}, Summary: m.Summary}
	for i := range m.Cells {
		c := &m.Cells[i]
		if class != "" && c.Class() != class {
			continue
		}
		doc.Rows = append(doc.Rows, RowOf(e, m, c))
	}
	return doc
}

// RowOf builds the row for one cell of a matrix.
func RowOf(e *engine.Estate, m *engine.Matrix, c *engine.Cell) Row {
	ctl := e.Controls[c.Control]
	r := Row{Control: ctl.Ref, Title: ctl.Control.Title, Area: ctl.Control.Area, Class: c.Class(), Assumed: c.Assumed(), Mapped: c.Mapped(),
		Ours: []Duty{}, Contributions: []Contribution{}}
	if reason, ok := e.NotApplicable(m.System, c.Control); ok {
		r.Reason = reason
	}
	for _, o := range e.Ours(m, c) {
		d := Duty{Text: o.Text, Assumed: o.Assumed}
		if !o.Whole() {
			d.Offering = e.Offering(o.Offering).Ref
		}
		r.Ours = append(r.Ours, d)
	}
	for _, k := range e.Contributions(m, c) {
		r.Contributions = append(r.Contributions, contributionOf(e, c.Control, k))
	}
	return r
}

// contributionOf describes what one offering brings to one control.
func contributionOf(e *engine.Estate, control int32, k engine.Contribution) Contribution {
	o := e.Offering(k.Offering)
	provider, customer := e.Parts(control, k)
	if k.Class() == remit.NotApplicable {
		if st := e.Statement(k); st != nil {
			provider = st.Provider // the provider's reason
		}
	}
	via := make([]string, len(o.Via))
	for i, v := range o.Via {
		via[i] = e.Offering(v).Ref
	}
	return Contribution{
		Offering: o.Ref, Name: o.Offering.Name, ServiceModel: o.Offering.ServiceModel, Class: k.Class(),
		Provider: provider, Customer: customer, Assumed: k.Assumed(), Mapped: mappedFrom(e, k), Source: e.Source(k), Via: via,
	}
}

// ObligationDoc is one obligation in an estate-wide list.
type ObligationDoc struct {
	ID      string `json:"id"`
	System  string `json:"system"`
	Team    string `json:"team,omitempty"`
	Control string `json:"control"`
	Title   string `json:"title"`
	// Party is "ours" or the provider's id.
	Party    string `json:"party"`
	Offering string `json:"offering,omitempty"`
	Text     string `json:"text"`
	Assumed  bool   `json:"assumed"`
	// Mapped is set when the obligation arises from a control mapping: the
	// offering answers for the control through statements for controls
	// mapped to it (left out when false).
	Mapped bool `json:"mapped,omitempty"`
}

// Party selects whose obligations to list.
type Party string

// The parties.
const (
	PartyOurs      Party = "ours"
	PartyProviders Party = "providers"
)

// Obligations lists the obligations of the given party for the given
// systems (all when systems is nil), in system then catalogue order.
func Obligations(e *engine.Estate, systems []int32, party Party) []ObligationDoc {
	out := []ObligationDoc{}
	for d := range EachObligation(e, systems, party) {
		out = append(out, d)
	}
	return out
}

// Explain describes, in plain sentences, how one cell of a system came to
// be what it is.
func Explain(e *engine.Estate, m *engine.Matrix, c *engine.Cell) []string {
	s := e.System(m.System).System
	ctl := e.Controls[c.Control]
	row := RowOf(e, m, c)
	var out []string
	head := fmt.Sprintf("%s (%s) for %s (%s) is %s", ctl.Ref, ctl.Control.Title, s.ID, s.Name, c.Class())
	switch {
	case c.Class() == remit.NotApplicable:
		out = append(out, head+": the system's baseline marks it not applicable because: "+row.Reason)
		return out
	case c.Assumed():
		head += ", resting on at least one assumed default that no provider has confirmed."
	case c.Mapped():
		head += ", derived through a mapping from statements for other controls."
	default:
		head += "."
	}
	out = append(out, head)
	if ctl.Control.Area != "" {
		out = append(out, fmt.Sprintf("The control's area is %s.", ctl.Control.Area))
	} else {
		out = append(out, "The control has no area, so no service-model default can speak for it.")
	}
	if len(row.Contributions) == 0 {
		out = append(out, "The system uses no offering, so the whole control is ours.")
	}
	for _, k := range row.Contributions {
		out = append(out, contributionSentence(e, k))
		if len(k.Via) > 0 {
			out = append(out, viaSentence(e, k))
		}
	}
	if len(row.Contributions) > 0 && !c.Covered() {
		out = append(out, "No offering covers the control, so the whole control is ours.")
	}
	if len(row.Ours) == 0 {
		out = append(out, "Nothing of it is ours.")
	}
	for i, d := range row.Ours {
		from := "the whole control, as nothing covers it"
		if d.Offering != "" {
			from = "under " + d.Offering
		}
		tail := ""
		if d.Assumed {
			tail = " (assumed)"
		}
		out = append(out, fmt.Sprintf("Ours %d, %s: %s%s", i+1, from, d.Text, tail))
	}
	return out
}

func contributionSentence(e *engine.Estate, k Contribution) string {
	name := fmt.Sprintf("%s (%s, %s)", k.Offering, k.Name, k.ServiceModel)
	switch {
	case k.Class == remit.NotApplicable:
		return fmt.Sprintf("%s states the control is not applicable (%s), so it contributes nothing.", name, k.Provider)
	case k.Assumed:
		s := fmt.Sprintf("%s has published no statement for this control, so Remit assumes the %s default for its area: %s.", name, k.ServiceModel, k.Class)
		return s + parts(k) + " Not confirmed by the provider."
	case k.Mapped != nil:
		var from []string
		for _, m := range k.Mapped.Sources {
			from = append(from, fmt.Sprintf("%s (%s, by mappings/%s)", m.Control, m.Relationship, m.Mappings))
		}
		s := fmt.Sprintf("%s has published no statement for this control; its statements for %s are mapped to it, so it is %s", name, strings.Join(from, " and "), k.Class)
		if k.Mapped.Partial {
			s += ", at most shared because they cover it only in part"
		}
		return s + "." + parts(k) + " Mapped, not confirmed for this control."
	}
	s := fmt.Sprintf("%s states %s", name, k.Class)
	if k.Source != nil {
		s += " in " + describeSource(k.Source)
	}
	return s + "." + parts(k)
}

func parts(k Contribution) string {
	s := ""
	if k.Provider != "" {
		s += " Provider's part: " + k.Provider
	}
	if k.Customer != "" {
		s += " Our part: " + k.Customer
	}
	return s
}

func describeSource(src *remit.Source) string {
	s := fmt.Sprintf("%q", src.Title)
	var bits []string
	if src.Version != "" {
		bits = append(bits, "version "+src.Version)
	}
	if src.Date != "" {
		bits = append(bits, src.Date)
	}
	if src.URL != "" {
		bits = append(bits, src.URL)
	}
	if len(bits) > 0 {
		s += " (" + joinComma(bits) + ")"
	}
	return s
}

func viaSentence(e *engine.Estate, k Contribution) string {
	oi, _ := e.OfferingIndex(k.Offering)
	own := e.Offering(oi).Provider.ID
	var names []string
	for _, v := range k.Via {
		vi, _ := e.OfferingIndex(v)
		p := e.Offering(vi).Provider
		if p.ID != own {
			names = append(names, fmt.Sprintf("%s (%s, a fourth party)", v, p.Name))
		} else {
			names = append(names, v)
		}
	}
	return fmt.Sprintf("%s relies on %s; fourth parties add no obligations of ours but the offering's part rests on them.", k.Offering, joinComma(names))
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// ValidFormat reports whether f is one of the given formats.
func ValidFormat(f string, formats []string) bool { return slices.Contains(formats, f) }
