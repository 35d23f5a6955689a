package service

import (
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/report"
)

// The read models: what the web and the CLI show, built from a snapshot.
// They speak in the vocabulary (remit) and in report's documents, so no
// caller needs the engine's indexes.

// Summary counts a matrix's cells by class.
type Summary = engine.Summary

// Reliance is how much of the estate rests on one provider.
type Reliance = engine.Reliance

// SystemDiff says how one system's responsibilities differ between two
// versions of a model.
type SystemDiff = engine.SystemDiff

// OfferingInfo is an offering of the estate as a reader sees it.
type OfferingInfo struct {
	Ref             string
	ProviderID      string
	ProviderName    string
	ProviderBuiltIn bool
	Offering        *remit.Offering
	// Users counts the systems that use it directly.
	Users int
	// Via lists the offerings it relies on (fourth parties), nearest first.
	Via []string
}

// ProviderInfo is a provider with its offerings, in order.
type ProviderInfo struct {
	ID        string
	Name      string
	BuiltIn   bool
	Offerings []OfferingInfo
}

// ControlInfo is one control of the estate.
type ControlInfo struct {
	Ref     string
	Control *remit.Control
	// Mapped lists, for a provider's control the offering answers for
	// through mappings, the source controls (ProviderControls only).
	Mapped []remit.MappedControl
}

func offeringInfo(e *engine.Estate, oi int32) OfferingInfo {
	o := e.Offering(oi)
	info := OfferingInfo{Ref: o.Ref, ProviderID: o.Provider.ID, ProviderName: o.Provider.Name, ProviderBuiltIn: o.Provider.BuiltIn, Offering: o.Offering, Users: len(e.Users(oi))}
	for _, v := range o.Via {
		info.Via = append(info.Via, e.Offering(v).Ref)
	}
	return info
}

// Header is the workspace's name, organisation and the built-in content it
// names.
func (sn *Snapshot) Header() remit.Workspace { return sn.cache.Estate.Header() }

// NumSystems is how many systems the estate has.
func (sn *Snapshot) NumSystems() int { return sn.cache.Estate.NumSystems() }

// NumOfferings is how many offerings the estate has.
func (sn *Snapshot) NumOfferings() int { return sn.cache.Estate.NumOfferings() }

// Systems yields every system with its matrix's summary (read only), in
// no particular order.
func (sn *Snapshot) Systems() iter.Seq2[*remit.System, Summary] {
	return func(yield func(*remit.System, Summary) bool) {
		for si, s := range sn.cache.Estate.Systems() {
			if !yield(s.System, sn.cache.Matrix(si).Summary) {
				return
			}
		}
	}
}

// System returns a system (read only) and its matrix's summary.
func (sn *Snapshot) System(id string) (*remit.System, Summary, bool) {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return nil, Summary{}, false
	}
	return sn.cache.Estate.System(si).System, sn.cache.Matrix(si).Summary, true
}

// Offering returns an offering of the estate.
func (sn *Snapshot) Offering(ref string) (OfferingInfo, bool) {
	oi, ok := sn.cache.Estate.OfferingIndex(ref)
	if !ok {
		return OfferingInfo{}, false
	}
	return offeringInfo(sn.cache.Estate, oi), true
}

// Offerings yields every offering, in the workspace's order.
func (sn *Snapshot) Offerings() iter.Seq[OfferingInfo] {
	return func(yield func(OfferingInfo) bool) {
		e := sn.cache.Estate
		for oi := range e.Offerings() {
			if !yield(offeringInfo(e, oi)) {
				return
			}
		}
	}
}

// Providers lists the providers with their offerings, in the workspace's
// order.
func (sn *Snapshot) Providers() []ProviderInfo {
	e := sn.cache.Estate
	out := make([]ProviderInfo, 0, len(e.Providers()))
	for _, p := range e.Providers() {
		out = append(out, sn.providerInfo(p))
	}
	return out
}

func (sn *Snapshot) providerInfo(p *engine.Provider) ProviderInfo {
	e := sn.cache.Estate
	info := ProviderInfo{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn}
	for _, o := range e.OfferingsOf(p) {
		oi, _ := e.OfferingIndex(o.Ref)
		info.Offerings = append(info.Offerings, offeringInfo(e, oi))
	}
	return info
}

// Provider returns one provider with its offerings.
func (sn *Snapshot) Provider(id string) (ProviderInfo, bool) {
	p, ok := sn.cache.Estate.Provider(id)
	if !ok {
		return ProviderInfo{}, false
	}
	return sn.providerInfo(p), true
}

// Catalogues lists the catalogues (read only).
func (sn *Snapshot) Catalogues() []remit.Catalogue { return sn.cache.Estate.Catalogues() }

// Catalogue returns one catalogue (read only).
func (sn *Snapshot) Catalogue(id string) (*remit.Catalogue, bool) {
	return sn.cache.Estate.Catalogue(id)
}

// Controls yields every control of every catalogue, in order.
func (sn *Snapshot) Controls() iter.Seq[ControlInfo] {
	return func(yield func(ControlInfo) bool) {
		for _, c := range sn.cache.Estate.Controls {
			if !yield(ControlInfo{Ref: c.Ref, Control: c.Control}) {
				return
			}
		}
	}
}

// Control returns one control by reference (catalogue:control).
func (sn *Snapshot) Control(ref string) (ControlInfo, bool) {
	ci, ok := sn.cache.Estate.ControlIndex(ref)
	if !ok {
		return ControlInfo{}, false
	}
	c := sn.cache.Estate.Controls[ci]
	return ControlInfo{Ref: c.Ref, Control: c.Control}, true
}

// UsersOf lists the systems that use an offering directly (read only).
func (sn *Snapshot) UsersOf(ref string) []*remit.System {
	e := sn.cache.Estate
	oi, ok := e.OfferingIndex(ref)
	if !ok {
		return nil
	}
	out := make([]*remit.System, 0, len(e.Users(oi)))
	for _, si := range e.Users(oi) {
		out = append(out, e.System(si).System)
	}
	return out
}

// Chain lists the fourth parties (provider/offering) an offering's
// obligation for a control rests on: those it runs on whose own model
// gives their provider a part of the control, nearest first.
func (sn *Snapshot) Chain(offering, control string) []string {
	return sn.cache.Estate.Chain(offering, control)
}

// ProviderControls lists the controls an offering's provider owes a part
// of to the systems relying on it, in control order.
func (sn *Snapshot) ProviderControls(ref string) []ControlInfo {
	e := sn.cache.Estate
	oi, ok := e.OfferingIndex(ref)
	if !ok {
		return nil
	}
	var out []ControlInfo
	for _, ci := range e.ProviderControls(oi) {
		out = append(out, ControlInfo{Ref: e.Controls[ci].Ref, Control: e.Controls[ci].Control, Mapped: e.MappedFrom(oi, ci)})
	}
	return out
}

// RelyingSystem is a system that relies on a provider or offering, and
// how.
type RelyingSystem struct {
	ID, Name, Team, Classification string
	// Via names the offering through which it relies, when not directly.
	Via     string
	Through []string
}

// Relying lists the systems using an offering that match picks, directly
// or through the offerings it runs on (fourth parties), by name.
func (sn *Snapshot) Relying(match func(o OfferingInfo) bool) []RelyingSystem {
	e := sn.cache.Estate
	matched := make(map[int32]bool)
	for oi := range e.Offerings() {
		if match(offeringInfo(e, oi)) {
			matched[oi] = true
		}
	}
	var out []RelyingSystem
	for _, sys := range e.Systems() {
		var direct, via []string
		for _, oi := range sys.Uses {
			o := e.Offering(oi)
			if matched[oi] {
				direct = append(direct, o.Ref)
				continue
			}
			if slices.ContainsFunc(o.Via, func(v int32) bool { return matched[v] }) {
				via = append(via, o.Ref)
			}
		}
		switch {
		case len(direct) > 0:
			out = append(out, RelyingSystem{ID: sys.System.ID, Name: sys.System.Name, Team: sys.System.Team, Classification: sys.System.Classification, Through: direct})
		case len(via) > 0:
			out = append(out, RelyingSystem{ID: sys.System.ID, Name: sys.System.Name, Team: sys.System.Team, Classification: sys.System.Classification, Via: strings.Join(via, ", ")})
		}
	}
	slices.SortFunc(out, func(a, b RelyingSystem) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TopAssumed sums every system's matrix and lists the n systems with the
// most cells resting on assumed defaults, most first.
func (sn *Snapshot) TopAssumed(n int) (Summary, []*remit.System) {
	c := sn.cache
	var total Summary
	var top []int32
	for si := range int32(c.Estate.NumSystems()) {
		sum := c.Matrix(si).Summary
		total.Inherited += sum.Inherited
		total.Shared += sum.Shared
		total.OrganisationSpecific += sum.OrganisationSpecific
		total.NotApplicable += sum.NotApplicable
		total.Assumed += sum.Assumed
		if k := sum.Assumed; k > 0 {
			// Insert after every system with as many or more.
			i := len(top)
			for i > 0 && c.Matrix(top[i-1]).Summary.Assumed < k {
				i--
			}
			if i < n {
				top = slices.Insert(top, i, si)
				top = top[:min(len(top), n)]
			}
		}
	}
	out := make([]*remit.System, len(top))
	for i, si := range top {
		out[i] = c.Estate.System(si).System
	}
	return total, out
}

// --- obligations ---------------------------------------------------------

// Obligation is one obligation with, for ours, its tracking.
type Obligation struct {
	report.ObligationDoc
	Class    remit.Class     `json:"class"`
	Tracking *remit.Tracking `json:"tracking,omitempty"`
	Version  int64           `json:"version" doc:"The tracking's version, for If-Match (0: never tracked)"`
	// Assurance is derived today from the evidence that supports it.
	Assurance *remit.Assurance `json:"assurance,omitempty"`
	// mapped lists, for a provider's obligation the offering answers for
	// through mappings, the source controls (assurance follows them).
	mapped []remit.MappedControl
}

// Ref is what assurance needs to know of the obligation.
func (o *Obligation) Ref() remit.ObligationRef {
	return remit.ObligationRef{ID: o.ID, System: o.System, Control: o.Control, Offering: o.Offering, Ours: o.Party == "ours", Tracking: o.Tracking, Mapped: o.mapped}
}

// Assure derives each obligation's assurance on day now.
func (sn *Snapshot) Assure(obs []Obligation, now time.Time) {
	for i := range obs {
		a := sn.index.Assure(obs[i].Ref(), now)
		obs[i].Assurance = &a
	}
}

// Obligations lists the obligations of the systems pick accepts (all,
// when pick is nil), with tracking for ours, keeping those keep accepts.
func (sn *Snapshot) Obligations(pick func(*remit.System) bool, party report.Party, keep func(Obligation) bool) []Obligation {
	c := sn.cache
	var out []Obligation
	for si, sys := range c.Estate.Systems() {
		if pick != nil && !pick(sys.System) {
			continue
		}
		m := c.Matrix(si)
		for i := range m.Cells {
			out = sn.cellObligations(out, m, &m.Cells[i], party, keep)
		}
	}
	return out
}

// cellObligations appends the obligations of one cell that keep accepts.
func (sn *Snapshot) cellObligations(out []Obligation, m *engine.Matrix, cell *engine.Cell, party report.Party, keep func(Obligation) bool) []Obligation {
	e := sn.cache.Estate
	obs := e.Ours(m, cell)
	if party == report.PartyProviders {
		obs = e.Theirs(m, cell)
	}
	for _, o := range obs {
		if d := sn.obligationOf(m, cell, o); keep == nil || keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// obligationOf describes one obligation of a cell, with its tracking if
// it is ours.
func (sn *Snapshot) obligationOf(m *engine.Matrix, cell *engine.Cell, o engine.Obligation) Obligation {
	e := sn.cache.Estate
	s := e.System(m.System).System
	ctl := e.Controls[o.Control]
	d := Obligation{ObligationDoc: report.ObligationDoc{ID: e.Key(o), System: s.ID, Team: s.Team, Control: ctl.Ref, Title: ctl.Control.Title, Party: "ours", Text: o.Text, Assumed: o.Assumed, Mapped: o.Mapped}, Class: cell.Class()}
	if !o.Whole() {
		d.Offering = e.Offering(o.Offering).Ref
	}
	if o.Ours {
		t := remit.DefaultTracking
		if tr, ok := sn.tracking.Get(d.ID); ok {
			t, d.Version = tr.Tracking, tr.Version
		}
		d.Tracking = &t
	} else {
		d.Party = e.Offering(o.Offering).Provider.ID
		d.mapped = e.MappedFrom(o.Offering, o.Control)
	}
	return d
}

// Obligation finds one obligation by id.
func (sn *Snapshot) Obligation(id string) (Obligation, bool) {
	oid, err := remit.ParseObligationID(id)
	if err != nil {
		return Obligation{}, false
	}
	m, cell, ok := sn.Cell(oid)
	if !ok {
		return Obligation{}, false
	}
	party := report.PartyOurs
	if !oid.Ours {
		party = report.PartyProviders
	}
	found := sn.cellObligations(nil, m, cell, party, func(o Obligation) bool { return o.ID == id })
	if len(found) == 0 {
		return Obligation{}, false
	}
	return found[0], true
}

// Explained says, in sentences, where an obligation's cell comes from,
// with the system it is in.
func (sn *Snapshot) Explained(id string) ([]string, *remit.System, bool) {
	oid, err := remit.ParseObligationID(id)
	if err != nil {
		return nil, nil, false
	}
	m, cell, ok := sn.Cell(oid)
	if !ok {
		return nil, nil, false
	}
	return report.Explain(sn.cache.Estate, m, cell), sn.cache.Estate.System(m.System).System, true
}

// OursPage is one page of a system's obligations of ours, with counts.
type OursPage struct {
	// Total counts them all, Open those not yet implemented, Shown those of
	// the status asked for.
	Total, Open, Shown int
	Page               []Obligation
	// Areas lists the areas of the system's baseline.
	Areas []string
	// The whole list summed up: by status; open past their due day;
	// with an owner named (the rest fall to the system's team, or to no
	// one); and by assurance today.
	ByStatus    map[remit.ObligationStatus]int
	Overdue     int
	Named       int
	ByAssurance map[remit.AssuranceStatus]int
	// Owners lists the owners named, each once, in order.
	Owners []string
}

// OursOf lists a system's obligations of ours (of one status, or all),
// describing only the page window picks once it knows how many there are.
// OursFilter picks which of a system's obligations of ours a page shows:
// of a status ("" any), and of an owner ("" anyone; OwnerNone those with
// no owner named, which the system's team answers for).
type OursFilter struct {
	Status, Owner string
	// Sort orders them: by control ("", the matrix's order), "owner" (the
	// named owner, those with none last), "due" (soonest first, none
	// last) or "status" (not started first).
	Sort string
}

// OursSorts are the orders OursFilter.Sort takes.
var OursSorts = []string{"", "owner", "due", "status"}

// OwnerNone is the owner filter for obligations with no owner named.
const OwnerNone = "\x00none"

func (sn *Snapshot) OursOf(id string, f OursFilter, now time.Time, window func(shown int) (from, to int)) (OursPage, bool) {
	c := sn.cache
	e := c.Estate
	si, ok := e.SystemIndex(id)
	if !ok {
		return OursPage{}, false
	}
	m := c.Matrix(si)
	type ref struct {
		cell int
		o    engine.Obligation
		t    remit.Tracking
	}
	out := OursPage{ByStatus: map[remit.ObligationStatus]int{}, ByAssurance: map[remit.AssuranceStatus]int{}}
	var shown []ref
	areas := map[string]bool{}
	day := now.UTC().Format(time.DateOnly)
	sys := e.System(si).System
	for i := range m.Cells {
		cell := &m.Cells[i]
		if a := e.Controls[cell.Control].Control.Area; a != "" {
			areas[string(a)] = true
		}
		for _, o := range e.Ours(m, cell) {
			t := remit.DefaultTracking
			key := e.Key(o)
			if tr, ok := sn.tracking.Get(key); ok {
				t = tr.Tracking
			}
			st := t.Status
			out.Total++
			out.ByStatus[st]++
			if o := strings.TrimSpace(t.Owner); o != "" {
				out.Named++
				if !slices.Contains(out.Owners, o) {
					out.Owners = append(out.Owners, o)
				}
			}
			if t.Open() {
				out.Open++
			}
			if t.Overdue(day) {
				out.Overdue++
			}
			or := remit.ObligationRef{ID: key, System: sys.ID, Control: e.Controls[o.Control].Ref, Ours: true, Tracking: &t}
			if !o.Whole() {
				or.Offering = e.Offering(o.Offering).Ref
			}
			out.ByAssurance[sn.index.Assure(or, now).Status]++
			owner := strings.TrimSpace(t.Owner)
			if (f.Status == "" || string(st) == f.Status) && (f.Owner == "" || f.Owner == owner || (f.Owner == OwnerNone && owner == "")) {
				shown = append(shown, ref{i, o, t})
			}
		}
	}
	out.Shown = len(shown)
	switch f.Sort {
	case "owner":
		slices.SortStableFunc(shown, func(a, b ref) int {
			return emptyLast(strings.ToLower(strings.TrimSpace(a.t.Owner)), strings.ToLower(strings.TrimSpace(b.t.Owner)))
		})
	case "due":
		slices.SortStableFunc(shown, func(a, b ref) int { return emptyLast(a.t.Due, b.t.Due) })
	case "status":
		slices.SortStableFunc(shown, func(a, b ref) int {
			return slices.Index(remit.ObligationStatuses, a.t.Status) - slices.Index(remit.ObligationStatuses, b.t.Status)
		})
	}
	from, to := window(len(shown))
	for _, r := range shown[from:to] {
		out.Page = append(out.Page, sn.obligationOf(m, &m.Cells[r.cell], r.o))
	}
	for a := range areas {
		out.Areas = append(out.Areas, a)
	}
	slices.Sort(out.Areas)
	slices.Sort(out.Owners)
	return out, true
}

// Coverage counts, per offering a system uses, how many of its
// contributions to the baseline are stated for the control, mapped from
// another catalogue's, or assumed.
func (sn *Snapshot) Coverage(id string) []report.OfferingCoverage {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return nil
	}
	return report.Coverage(sn.cache.Estate, sn.cache.Matrix, []int32{si}, nil).Offerings
}

// EstateCoverage counts coverage over every system.
func (sn *Snapshot) EstateCoverage() report.CoverageDoc {
	e := sn.cache.Estate
	systems := make([]int32, e.NumSystems())
	for i := range systems {
		systems[i] = int32(i)
	}
	return report.Coverage(e, sn.cache.Matrix, systems, nil)
}

// ProviderCoverage counts coverage of one provider's offerings over the
// systems that use them (false when there is no such provider).
func (sn *Snapshot) ProviderCoverage(provider string) (report.CoverageDoc, bool) {
	e := sn.cache.Estate
	if _, ok := e.Provider(provider); !ok {
		return report.CoverageDoc{}, false
	}
	mine := map[int32]bool{}
	users := map[int32]bool{}
	for oi, o := range e.Offerings() {
		if o.Provider.ID != provider {
			continue
		}
		mine[oi] = true
		for _, si := range e.Users(oi) {
			users[si] = true
		}
	}
	doc := report.Coverage(e, sn.cache.Matrix, slices.Sorted(maps.Keys(users)), func(oi int32) bool { return mine[oi] })
	doc.Provider = provider
	return doc, true
}

// SystemControls lists the controls of a system's baseline
// (catalogue:control), in its matrix's order.
func (sn *Snapshot) SystemControls(id string) []string {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return nil
	}
	m := sn.cache.Matrix(si)
	out := make([]string, len(m.Cells))
	for i := range m.Cells {
		out[i] = sn.cache.Estate.Controls[m.Cells[i].Control].Ref
	}
	return out
}

// CountOurs counts a system's obligations of ours.
func (sn *Snapshot) CountOurs(id string) int {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return 0
	}
	return sn.cache.Estate.CountOurs(sn.cache.Matrix(si))
}

// --- matrices ---------------------------------------------------------------

// AppendMatrix appends the matrix document of a system (rows of class only,
// when class is not "") to dst, with the stamp of the matrix it was made
// from.
func (sn *Snapshot) AppendMatrix(dst []byte, id string, class remit.Class) ([]byte, uint64, bool) {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return dst, 0, false
	}
	return report.AppendMatrix(dst, sn.cache.Estate, sn.cache.Matrix(si), class), sn.cache.Stamp(si), true
}

// MatrixDoc is a system's matrix document (rows of class only, when class
// is not ""), as `remit matrix --format json` writes it.
func (sn *Snapshot) MatrixDoc(id string, class remit.Class) (report.MatrixDoc, bool) {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return report.MatrixDoc{}, false
	}
	return report.Matrix(sn.cache.Estate, sn.cache.Matrix(si), class), true
}

// Explain says, in sentences and as a row, where one cell of a system
// comes from; ok is false when the system has no such control.
func (sn *Snapshot) Explain(id, control string) ([]string, report.Row, bool) {
	si, ok := sn.cache.Estate.SystemIndex(id)
	if !ok {
		return nil, report.Row{}, false
	}
	m := sn.cache.Matrix(si)
	for i := range m.Cells {
		if sn.cache.Estate.Controls[m.Cells[i].Control].Ref == control {
			return report.Explain(sn.cache.Estate, m, &m.Cells[i]), report.RowOf(sn.cache.Estate, m, &m.Cells[i]), true
		}
	}
	return nil, report.Row{}, false
}

// MatrixFilter picks rows of a matrix: by class, by the status of our
// obligations under it, by area, and only assumed ones; "" means any.
type MatrixFilter struct {
	Class, Status, Area string
	Assumed             bool
}

// MatrixRow is one control of a system's matrix with its explanation, the
// number of our obligations under it and its assurance: its weakest
// obligation's, ours and the providers'.
type MatrixRow struct {
	report.Row
	Explain   []string
	Ours      int
	Assurance remit.Assurance
}

// MatrixRows lists the rows of a system's matrix f picks, in control order,
// with how many rows the matrix has and the stamp of the matrix.
func (sn *Snapshot) MatrixRows(id string, f MatrixFilter, now time.Time) (rows []MatrixRow, total int, stamp uint64, ok bool) {
	c := sn.cache
	si, ok := c.Estate.SystemIndex(id)
	if !ok {
		return nil, 0, 0, false
	}
	e, m := c.Estate, c.Matrix(si)
	for i := range m.Cells {
		cell := &m.Cells[i]
		row := report.RowOf(e, m, cell)
		if (f.Class != "" && string(row.Class) != f.Class) || (f.Area != "" && string(row.Area) != f.Area) || (f.Assumed && !row.Assumed) {
			continue
		}
		ours := sn.cellObligations(nil, m, cell, report.PartyOurs, nil)
		if f.Status != "" && !slices.ContainsFunc(ours, func(o Obligation) bool { return string(o.Tracking.Status) == f.Status }) {
			continue
		}
		theirs := sn.cellObligations(nil, m, cell, report.PartyProviders, nil)
		as := make([]remit.Assurance, 0, len(ours)+len(theirs))
		for _, o := range append(ours, theirs...) {
			as = append(as, sn.index.Assure(o.Ref(), now))
		}
		rows = append(rows, MatrixRow{Row: row, Explain: report.Explain(e, m, cell), Ours: len(ours), Assurance: remit.Combine(as)})
	}
	return rows, len(m.Cells), c.Stamp(si), true
}

// OfferingReliance is what a system relies on one offering's provider
// for, and how much of that is assured — assurance that is reused by
// every system relying on the offering.
type OfferingReliance struct {
	Offering, Name, ProviderID, OfferingID string
	Obligations                            int
	Counts                                 map[string]int
	// Evidence lists the titles of the evidence that assures them.
	Evidence []string
	// Others counts the other systems that use the offering directly and
	// so rely on the same assurance.
	Others int
}

// Reliance sums up, per offering, the providers' obligations a system
// relies on and their assurance on day now.
func (sn *Snapshot) Reliance(id string, now time.Time) []OfferingReliance {
	c := sn.cache
	e := c.Estate
	si, ok := e.SystemIndex(id)
	if !ok {
		return nil
	}
	m := c.Matrix(si)
	x := sn.index
	byRef := map[string]*OfferingReliance{}
	var order []string
	for i := range m.Cells {
		cell := &m.Cells[i]
		for _, o := range e.Theirs(m, cell) {
			off := e.Offering(o.Offering)
			r := byRef[off.Ref]
			if r == nil {
				r = &OfferingReliance{Offering: off.Ref, Name: off.Offering.Name, ProviderID: off.Provider.ID, OfferingID: off.Offering.ID, Counts: map[string]int{}, Others: len(e.Users(o.Offering)) - 1}
				byRef[off.Ref] = r
				order = append(order, off.Ref)
			}
			d := sn.obligationOf(m, cell, o)
			a := x.Assure(d.Ref(), now)
			r.Obligations++
			r.Counts[string(a.Status)]++
			for _, id := range a.Evidence {
				if ev := x.Find(id); ev != nil && !slices.Contains(r.Evidence, ev.Title) {
					r.Evidence = append(r.Evidence, ev.Title)
				}
			}
			// Assurance from a supplier assessment names the assessment.
			if id := a.Assessment; id != "" && (a.Status == remit.Assured || a.Status == remit.AssuranceFailed) && !slices.Contains(r.Evidence, "supplier assessment "+id) {
				r.Evidence = append(r.Evidence, "supplier assessment "+id)
			}
		}
	}
	out := make([]OfferingReliance, 0, len(order))
	for _, ref := range order {
		out = append(out, *byRef[ref])
	}
	slices.SortFunc(out, func(a, b OfferingReliance) int { return strings.Compare(a.Offering, b.Offering) })
	return out
}

// ObligationSort is the order SortedObligations yields in.
type ObligationSort string

// The orders: by id; by due day (obligations with one first, soonest
// first, then the rest by id); by status (tracked obligations in the
// order of remit.ObligationStatuses, then the untracked by id).
const (
	SortByID     ObligationSort = "id"
	SortByDue    ObligationSort = "due"
	SortByStatus ObligationSort = "status"
)

// SortedObligations yields, in order, the obligations of the systems pick
// accepts that keep accepts — without building the list: it walks the
// systems in id order, holding one system's obligations at a time (and,
// for due and status, the tracked obligations, which are what people
// have recorded). A page of a whole estate's obligations costs a page.
func (sn *Snapshot) SortedObligations(pick func(*remit.System) bool, party report.Party, keep func(Obligation) bool, order ObligationSort) iter.Seq[Obligation] {
	return func(yield func(Obligation) bool) {
		var first []Obligation // tracked, for due and status
		if order == SortByDue || order == SortByStatus {
			for id, t := range sn.tracking.All() {
				o, ok := sn.Obligation(id)
				if !ok || (order == SortByDue && t.Tracking.Due == "") {
					continue
				}
				if x, _, _ := sn.System(o.System); x == nil || (pick != nil && !pick(x)) || (keep != nil && !keep(o)) {
					continue
				}
				first = append(first, o)
			}
			slices.SortFunc(first, func(a, b Obligation) int {
				if order == SortByDue {
					if c := remit.CompareDates(a.Tracking.Due, b.Tracking.Due); c != 0 {
						return c
					}
				} else if c := slices.Index(remit.ObligationStatuses, a.Tracking.Status) - slices.Index(remit.ObligationStatuses, b.Tracking.Status); c != 0 {
					return c
				}
				return strings.Compare(a.ID, b.ID)
			})
			for _, o := range first {
				if !yield(o) {
					return
				}
			}
		}
		done := make(map[string]bool, len(first))
		for _, o := range first {
			done[o.ID] = true
		}
		c := sn.cache
		var obs []Obligation
		for _, si := range sn.systemsByID() {
			x := c.Estate.System(si).System
			if pick != nil && !pick(x) {
				continue
			}
			m := c.Matrix(si)
			obs = obs[:0]
			for i := range m.Cells {
				obs = sn.cellObligations(obs, m, &m.Cells[i], party, keep)
			}
			slices.SortFunc(obs, func(a, b Obligation) int { return strings.Compare(a.ID, b.ID) })
			for _, o := range obs {
				if done[o.ID] {
					continue
				}
				if !yield(o) {
					return
				}
			}
		}
	}
}

// systemsByID is the snapshot's system indexes in the order of their
// obligations' ids (a system's id and a slash), sorted once per snapshot.
func (sn *Snapshot) systemsByID() []int32 {
	sn.byID.once.Do(func() {
		e := sn.cache.Estate
		idx := make([]int32, e.NumSystems())
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortFunc(idx, func(a, b int32) int {
			return strings.Compare(e.System(a).System.ID+"/", e.System(b).System.ID+"/")
		})
		sn.byID.list = idx
	})
	return sn.byID.list
}

// emptyLast orders two strings with "" after every other: an owner or a
// due day not yet set comes last.
func emptyLast(a, b string) int {
	if (a == "") != (b == "") {
		if a == "" {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

// trueFirst orders true before false.
func trueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}
