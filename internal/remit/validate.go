package remit

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// idPattern is what every id must look like: no spaces, none of the
// separators used in references (":" and "/"), and short enough for an
// address; IDRule says so in words.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// IDRule is the rule every id follows, for messages.
const IDRule = "use letters, digits, '.', '_' and '-' only, starting with a letter or digit, at most 64 characters"

// ValidID reports whether id follows the one rule for ids (IDRule).
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Refs answers what validating one aggregate asks of the rest of the
// estate: whether what it refers to exists, and (for suggestions, only
// when something does not) what does.
type Refs interface {
	HasCatalogue(id string) bool
	HasControl(catalogue, id string) bool
	HasOffering(ref string) bool
	// DependsOn is what an offering depends on directly (nil if unknown).
	DependsOn(ref string) []string
	CatalogueIDs() []string
	ControlIDs(catalogue string) []string
	OfferingRefs() []string
}

// Validate checks a whole workspace and returns every problem it finds, each
// addressed by a JSON pointer into the workspace. It never stops at the first.
func Validate(ws *Workspace) []Problem {
	v := validator{ws: ws}
	v.run()
	return v.problems
}

// ValidateSystem checks one system against the estate refs describes,
// each problem addressed by a JSON pointer into the system.
func ValidateSystem(s *System, refs Refs) []Problem {
	v := validator{refs: refs}
	v.system("", s)
	return v.problems
}

// ValidateOffering checks one offering of a provider against the estate
// refs describes (which may hold the offering's earlier version), each
// problem addressed by a JSON pointer into the offering. A depends_on
// cycle is found by following refs from the offering's own depends_on.
func ValidateOffering(provider string, o *Offering, refs Refs) []Problem {
	v := validator{refs: refs}
	if !v.id("/id", "offering", o.ID) {
		return v.problems
	}
	self := OfferingRef{provider, o.ID}.String()
	v.offering("", self, o)
	// A cycle through o: some offering o depends on leads back to it.
	for k, dep := range o.DependsOn {
		if dep == self || !refs.HasOffering(dep) {
			continue // reported already
		}
		if path := findPath(dep, self, refs); path != nil {
			cycle := append([]string{self}, path...)
			v.add("/depends_on/"+strconv.Itoa(k), "depends_on cycle: %s; an offering cannot rely on itself, even through others", strings.Join(cycle, " → "))
		}
	}
	return v.problems
}

// findPath returns the offerings from from to to along depends_on (both
// included), or nil when to cannot be reached.
func findPath(from, to string, refs Refs) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for at := cur; at != ""; at = prev[at] {
				path = append([]string{at}, path...)
			}
			return path
		}
		for _, dep := range refs.DependsOn(cur) {
			if _, seen := prev[dep]; !seen {
				prev[dep] = cur
				queue = append(queue, dep)
			}
		}
	}
	return nil
}

// ValidateStatement checks one statement against the estate refs
// describes, each problem addressed by a JSON pointer into the statement.
func ValidateStatement(st *Statement, refs Refs) []Problem {
	v := validator{refs: refs}
	v.statement("", 0, st, map[string]int{})
	return v.problems
}

type validator struct {
	ws       *Workspace
	problems []Problem
	refs     Refs
	// controls maps catalogue id to its set of control ids, and offerings
	// provider/offering to its offering, when a whole workspace is checked.
	controls  map[string]map[string]bool
	offerings map[string]*Offering
	// dups holds offerings that repeat an id; they are reported once and
	// not checked further, which would only echo the duplicate.
	dups map[*Offering]bool
}

// The whole workspace's own references, once its catalogues and providers
// have been read (validator.controls and validator.offerings).

func (v *validator) HasCatalogue(id string) bool { _, ok := v.controls[id]; return ok }
func (v *validator) HasControl(catalogue, id string) bool {
	return v.controls[catalogue][id]
}
func (v *validator) HasOffering(ref string) bool { return v.offerings[ref] != nil }
func (v *validator) DependsOn(ref string) []string {
	if o := v.offerings[ref]; o != nil {
		return o.DependsOn
	}
	return nil
}
func (v *validator) CatalogueIDs() []string               { return mapKeys(v.controls) }
func (v *validator) ControlIDs(catalogue string) []string { return mapKeys(v.controls[catalogue]) }
func (v *validator) OfferingRefs() []string               { return mapKeys(v.offerings) }

func (v *validator) add(pointer, format string, args ...any) {
	v.problems = append(v.problems, Problem{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) run() {
	if strings.TrimSpace(v.ws.Name) == "" {
		v.add("/name", "name is required: give the workspace a name, such as the estate it describes")
	}
	v.text("", "/name", "name", v.ws.Name, MaxName)
	v.text("", "/organisation", "organisation", v.ws.Organisation, MaxName)
	v.catalogues()
	v.providers()
	v.refs = v
	v.offeringsOf()
	v.dependencyCycles()
	v.systems()
	v.checks()
	v.mappings()
}

// id checks an id field that must be present and well formed.
func (v *validator) id(pointer, what, id string) bool {
	switch {
	case id == "":
		v.add(pointer, "%s id is required", what)
		return false
	case !idPattern.MatchString(id):
		v.add(pointer, "%s id %q is not valid: %s", what, id, IDRule)
		return false
	}
	return true
}

func (v *validator) required(pointer, what, value string) {
	if strings.TrimSpace(value) == "" {
		v.add(pointer, "%s is required", what)
	}
	v.text(pointer, "", what, value, MaxName)
}

// The longest texts the model holds, in characters: one rule for every
// way in (workspace files, the API, the UI, the CLI), so what is accepted
// can always be exported and shown.
const (
	// MaxName is a name or title: of a workspace, catalogue, control,
	// provider, offering or system; also an owner, team or
	// classification, a version, a source's title.
	MaxName = 300
	// MaxNote is a short explanation: a purpose, a reason a control does
	// not apply, a control's group.
	MaxNote = 2000
	// MaxText is what a statement says the provider or the customer
	// does.
	MaxText = 10_000
	// MaxControlText is a control's statement, as a catalogue words it
	// (NIST's longest, with its parameters, run to a few thousand).
	MaxControlText = 50_000
	// MaxURL is a web address.
	MaxURL = 2000
	// MaxDetail is a paragraph: a threat, a vulnerability, a scope.
	MaxDetail = 4000
)

// field is a text and its limit, for lengthProblems.
type field struct {
	pointer, what, value string
	max                  int
}

// lengthProblems reports every text over its limit: the same rule as the
// workspace validator's, for the register's aggregates (risks, evidence,
// findings, SAT entries), whatever the way in.
func lengthProblems(fs ...field) []Problem {
	var ps []Problem
	for _, f := range fs {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			ps = append(ps, Problem{Pointer: f.pointer, Message: fmt.Sprintf("%s is %d characters long, over the limit of %d: shorten it", f.what, n, f.max)})
		}
	}
	return ps
}

// text checks a field's length; its pointer is base+field, joined only
// when there is a problem (the check runs for every field of an estate).
func (v *validator) text(base, field, what, value string, max int) {
	if len(value) <= max {
		return // a rune is at least a byte
	}
	if n := utf8.RuneCountInString(value); n > max {
		v.add(base+field, "%s is %d characters long, over the limit of %d: shorten it", what, n, max)
	}
}

func (v *validator) source(pointer string, s *Source) {
	if s == nil {
		return
	}
	if s.Title == "" && s.URL == "" {
		v.add(pointer, "source needs a title or a url saying where the statement was published")
	}
	if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
		v.add(pointer+"/url", "source url %q is not a web address: it should start with https://", s.URL)
	}
	v.text(pointer, "/title", "source title", s.Title, MaxName)
	v.text(pointer, "/url", "source url", s.URL, MaxURL)
	v.text(pointer, "/version", "source version", s.Version, MaxName)
	if s.Date != "" {
		if _, err := time.Parse(time.DateOnly, s.Date); err != nil {
			v.add(pointer+"/date", "source date %q is not a date: write it as YYYY-MM-DD", s.Date)
		}
	}
}

func (v *validator) catalogues() {
	v.controls = make(map[string]map[string]bool, len(v.ws.Catalogues))
	for i := range v.ws.Catalogues {
		c := &v.ws.Catalogues[i]
		p := "/catalogues/" + strconv.Itoa(i)
		if v.id(p+"/id", "catalogue", c.ID) {
			if _, dup := v.controls[c.ID]; dup {
				v.add(p+"/id", "catalogue id %q is used twice: catalogue ids must be unique", c.ID)
			}
		}
		v.required(p+"/title", "catalogue title", c.Title)
		v.text(p, "/version", "catalogue version", c.Version, MaxName)
		v.source(p+"/source", c.Source)
		ids := make(map[string]bool, len(c.Controls))
		if len(c.Controls) == 0 {
			v.add(p+"/controls", "catalogue %q has no controls: list at least one", c.ID)
		}
		for j := range c.Controls {
			ctl := &c.Controls[j]
			cp := p + "/controls/" + strconv.Itoa(j)
			if v.id(cp+"/id", "control", ctl.ID) {
				if ids[ctl.ID] {
					v.add(cp+"/id", "control id %q is used twice in catalogue %q: control ids must be unique in a catalogue", ctl.ID, c.ID)
				}
				ids[ctl.ID] = true
			}
			v.required(cp+"/title", "control title", ctl.Title)
			v.text(cp, "/statement", "control statement", ctl.Statement, MaxControlText)
			v.text(cp, "/group", "control group", ctl.Group, MaxNote)
			if ctl.Area != "" && !ctl.Area.Valid() {
				v.add(cp+"/area", "area %q is not known: use one of %s%s", ctl.Area, joinAreas(), suggest(string(ctl.Area), areaStrings()))
			}
		}
		if prev, dup := v.controls[c.ID]; dup {
			// Merge, so references to either copy are not reported too.
			for id := range ids {
				prev[id] = true
			}
		} else {
			v.controls[c.ID] = ids
		}
	}
}

func (v *validator) providers() {
	v.offerings = make(map[string]*Offering)
	// dups holds offerings that repeat an id; they are reported once and
	// not checked further, which would only echo the duplicate.
	dups := make(map[*Offering]bool)
	seen := make(map[string]bool, len(v.ws.Providers))
	// First pass: register every offering so references can be checked in any order.
	for i := range v.ws.Providers {
		pr := &v.ws.Providers[i]
		p := "/providers/" + strconv.Itoa(i)
		if v.id(p+"/id", "provider", pr.ID) {
			if seen[pr.ID] {
				v.add(p+"/id", "provider id %q is used twice: provider ids must be unique", pr.ID)
			}
			seen[pr.ID] = true
		}
		v.required(p+"/name", "provider name", pr.Name)
		for j := range pr.Offerings {
			o := &pr.Offerings[j]
			op := p + "/offerings/" + strconv.Itoa(j)
			if !v.id(op+"/id", "offering", o.ID) {
				continue
			}
			ref := OfferingRef{Provider: pr.ID, Offering: o.ID}.String()
			if _, dup := v.offerings[ref]; dup {
				v.add(op+"/id", "offering %q is defined twice: offering ids must be unique within a provider", ref)
				dups[o] = true
				continue
			}
			v.offerings[ref] = o
		}
	}
	v.dups = dups
}

// offeringsOf checks every offering of the workspace.
func (v *validator) offeringsOf() {
	for i := range v.ws.Providers {
		pr := &v.ws.Providers[i]
		for j := range pr.Offerings {
			o := &pr.Offerings[j]
			if v.dups[o] {
				continue
			}
			v.offering("/providers/"+strconv.Itoa(i)+"/offerings/"+strconv.Itoa(j), OfferingRef{Provider: pr.ID, Offering: o.ID}.String(), o)
		}
	}
}

// offering checks one offering, self (provider/offering), at pointer op.
func (v *validator) offering(op, self string, o *Offering) {
	v.required(op+"/name", "offering name", o.Name)
	switch {
	case o.ServiceModel == "":
		v.add(op+"/service_model", "service_model is required: use one of %s", joinModels())
	case !o.ServiceModel.Valid():
		v.add(op+"/service_model", "service_model %q is not known: use one of %s%s", o.ServiceModel, joinModels(), suggest(string(o.ServiceModel), modelStrings()))
	}
	for k, dep := range o.DependsOn {
		dp := op + "/depends_on/" + strconv.Itoa(k)
		switch {
		case dep == self:
			v.add(dp, "offering %q depends on itself: remove it from depends_on", self)
		case !v.refs.HasOffering(dep):
			v.add(dp, "depends_on %q is not a known offering: write provider/offering%s", dep, suggest(dep, v.refs.OfferingRefs()))
		case slices.Index(o.DependsOn, dep) < k:
			v.add(dp, "depends_on lists %q twice", dep)
		}
	}
	v.source(op+"/source", o.Source)
	first := make(map[string]int, len(o.Statements))
	for k := range o.Statements {
		v.statement(op+"/statements/"+strconv.Itoa(k), k, &o.Statements[k], first)
	}
}

func (v *validator) statement(p string, index int, s *Statement, first map[string]int) {
	if v.controlRef(p+"/control", s.Control) {
		if at, dup := first[s.Control]; dup {
			v.add(p+"/control", "conflicting statements: %q already has a statement in this offering (statement %d); keep one statement per control", s.Control, at+1)
		} else {
			first[s.Control] = index
		}
	}
	switch {
	case s.Class == "":
		v.add(p+"/class", "class is required: use one of %s", joinClasses())
	case !s.Class.Valid():
		v.add(p+"/class", "class %q is not known: use one of %s%s", s.Class, joinClasses(), suggest(string(s.Class), classStrings()))
	case s.Class.ProviderPart() && strings.TrimSpace(s.Provider) == "":
		v.add(p, "a %s statement must say what the provider does: add provider", s.Class)
	case s.Class.CustomerPart() && strings.TrimSpace(s.Customer) == "":
		v.add(p, "a %s statement must say what the customer must do: add customer", s.Class)
	case s.Class == Inherited && strings.TrimSpace(s.Customer) != "":
		v.add(p+"/customer", "an inherited statement leaves nothing to the customer: remove customer, or make the class shared")
	}
	v.text(p, "/provider", "what the provider does", s.Provider, MaxText)
	v.text(p, "/customer", "what the customer must do", s.Customer, MaxText)
	v.source(p+"/source", s.Source)
}

// controlRef checks a catalogue:control reference and reports whether it
// resolves.
func (v *validator) controlRef(p, ref string) bool {
	cr, err := ParseControlRef(ref)
	switch {
	case ref == "":
		v.add(p, "control is required: write catalogue:control, such as srm:SRM-01")
		return false
	case err != nil:
		v.add(p, "control %q is not a reference: write catalogue:control, such as srm:SRM-01", ref)
		return false
	}
	cat, ctl := cr.Catalogue, cr.Control
	if !v.refs.HasCatalogue(cat) {
		v.add(p, "control %q names catalogue %q, which is not loaded%s", ref, cat, suggest(cat, v.refs.CatalogueIDs()))
		return false
	}
	if !v.refs.HasControl(cat, ctl) {
		v.add(p, "control %q is not in catalogue %q%s", ref, cat, suggest(ctl, v.refs.ControlIDs(cat)))
		return false
	}
	return true
}

// dependencyCycles reports each depends_on cycle once, at the edge that
// closes it.
func (v *validator) dependencyCycles() {
	const (
		unvisited = iota
		active
		done
	)
	state := make(map[string]int, len(v.offerings))
	where := make(map[string]string, len(v.offerings)) // ref -> pointer of its offering
	for i := range v.ws.Providers {
		for j := range v.ws.Providers[i].Offerings {
			ref := OfferingRef{Provider: v.ws.Providers[i].ID, Offering: v.ws.Providers[i].Offerings[j].ID}.String()
			if _, ok := where[ref]; !ok {
				where[ref] = "/providers/" + strconv.Itoa(i) + "/offerings/" + strconv.Itoa(j)
			}
		}
	}
	var path []string
	var visit func(ref string)
	visit = func(ref string) {
		state[ref] = active
		path = append(path, ref)
		o := v.offerings[ref]
		for k, dep := range o.DependsOn {
			if v.offerings[dep] == nil || dep == ref {
				continue // reported already
			}
			switch state[dep] {
			case active:
				start := slices.Index(path, dep)
				cycle := append(slices.Clone(path[start:]), dep)
				v.add(where[ref]+"/depends_on/"+strconv.Itoa(k), "depends_on cycle: %s; an offering cannot rely on itself, even through others", strings.Join(cycle, " → "))
			case unvisited:
				visit(dep)
			}
		}
		path = path[:len(path)-1]
		state[ref] = done
	}
	for _, ref := range sortedKeys(v.offerings) {
		if state[ref] == unvisited {
			visit(ref)
		}
	}
}

func (v *validator) systems() {
	seen := make(map[string]bool, len(v.ws.Systems))
	for i := range v.ws.Systems {
		s := &v.ws.Systems[i]
		p := "/systems/" + strconv.Itoa(i)
		if v.id(p+"/id", "system", s.ID) && seen[s.ID] {
			v.add(p+"/id", "system id %q is used twice: system ids must be unique", s.ID)
		}
		seen[s.ID] = true
		v.system(p, s)
	}
}

// system checks one system at pointer p, all but the uniqueness of its id.
func (v *validator) system(p string, s *System) {
	if v.ws == nil {
		v.id(p+"/id", "system", s.ID)
	}
	v.required(p+"/name", "system name", s.Name)
	v.text(p, "/owner", "owner", s.Owner, MaxName)
	v.text(p, "/team", "team", s.Team, MaxName)
	v.text(p, "/classification", "classification", s.Classification, MaxName)
	v.baseline(p+"/baseline", &s.Baseline)
	uses := make(map[string]bool, len(s.Uses))
	for j, u := range s.Uses {
		up := p + "/uses/" + strconv.Itoa(j) + "/offering"
		switch {
		case u.Offering == "":
			v.add(up, "offering is required: write provider/offering, such as aws/ec2")
		case !v.refs.HasOffering(u.Offering):
			v.add(up, "offering %q is not a known offering: write provider/offering%s", u.Offering, suggest(u.Offering, v.refs.OfferingRefs()))
		case uses[u.Offering]:
			v.add(up, "system uses %q twice: list each offering once", u.Offering)
		}
		uses[u.Offering] = true
		if utf8.RuneCountInString(u.Purpose) > MaxNote {
			v.text(p+"/uses/"+strconv.Itoa(j), "/purpose", "purpose", u.Purpose, MaxNote)
		}
	}
}

func (v *validator) baseline(p string, b *Baseline) {
	if b.Catalogue == "" {
		v.add(p+"/catalogue", "baseline catalogue is required: name the catalogue whose controls apply%s", suggest("", v.refs.CatalogueIDs()))
		return
	}
	if !v.refs.HasCatalogue(b.Catalogue) {
		v.add(p+"/catalogue", "baseline catalogue %q is not loaded%s", b.Catalogue, suggest(b.Catalogue, v.refs.CatalogueIDs()))
		return
	}
	// in reports whether a control is in the baseline.
	in := func(id string) bool { return v.refs.HasControl(b.Catalogue, id) }
	if b.All && len(b.Controls) > 0 {
		v.add(p+"/controls", "baseline says all controls and also lists some: write controls: all, or the list, not both")
	}
	if !b.All {
		if len(b.Controls) == 0 {
			v.add(p+"/controls", "baseline is empty: list the controls of %q that apply, or write controls: all", b.Catalogue)
			return
		}
		listed := make(map[string]bool, len(b.Controls))
		for j, id := range b.Controls {
			switch {
			case !v.refs.HasControl(b.Catalogue, id):
				v.add(p+"/controls/"+strconv.Itoa(j), "control %q is not in catalogue %q%s", id, b.Catalogue, suggest(id, v.refs.ControlIDs(b.Catalogue)))
			case listed[id]:
				v.add(p+"/controls/"+strconv.Itoa(j), "control %q is listed twice in the baseline", id)
			}
			listed[id] = true
		}
		in = func(id string) bool { return listed[id] }
	}
	excluded := make(map[string]bool, len(b.NotApplicable))
	for j, x := range b.NotApplicable {
		xp := p + "/not_applicable/" + strconv.Itoa(j)
		switch {
		case !in(x.Control):
			ids := b.Controls
			if b.All {
				ids = v.refs.ControlIDs(b.Catalogue)
			}
			v.add(xp+"/control", "control %q is not in this baseline, so it cannot be marked not applicable%s", x.Control, suggest(x.Control, ids))
		case excluded[x.Control]:
			v.add(xp+"/control", "control %q is marked not applicable twice", x.Control)
		}
		excluded[x.Control] = true
		if strings.TrimSpace(x.Reason) == "" {
			v.add(xp+"/reason", "reason is required: say why the control does not apply")
		}
		v.text(xp, "/reason", "reason", x.Reason, MaxNote)
	}
}

func joinClasses() string { return joinQuoted(classStrings()) }
func joinModels() string  { return joinQuoted(modelStrings()) }
func joinAreas() string   { return joinQuoted(areaStrings()) }

func classStrings() []string { return stringsOf(Classes) }
func modelStrings() []string { return stringsOf(ServiceModels) }
func areaStrings() []string  { return stringsOf(Areas) }

func stringsOf[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	keys := mapKeys(m)
	slices.Sort(keys)
	return keys
}

// Owners rewrites problems addressed into a workspace so each names the
// object it is in ("system prison-visits: …") and points into that
// object alone, as an API client that changed one object expects.
func Owners(ws *Workspace, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		segs := strings.SplitN(strings.TrimPrefix(p.Pointer, "/"), "/", 3)
		owner := ""
		if len(segs) >= 2 {
			n, err := strconv.Atoi(segs[1])
			switch {
			case err != nil:
			case segs[0] == "catalogues" && n < len(ws.Catalogues):
				owner = "catalogue " + ws.Catalogues[n].ID
			case segs[0] == "providers" && n < len(ws.Providers):
				owner = "provider " + ws.Providers[n].ID
				// A problem inside an offering belongs to the offering.
				if sub := strings.SplitN(strings.Join(segs[2:], "/"), "/", 3); len(sub) >= 2 && sub[0] == "offerings" {
					if m, err := strconv.Atoi(sub[1]); err == nil && m < len(ws.Providers[n].Offerings) {
						owner = "offering " + OfferingRef{Provider: ws.Providers[n].ID, Offering: ws.Providers[n].Offerings[m].ID}.String()
						segs = []string{"", "", strings.Join(sub[2:], "/")}
					}
				}
			case segs[0] == "systems" && n < len(ws.Systems):
				owner = "system " + ws.Systems[n].ID
			}
		}
		if owner != "" {
			rest := ""
			if len(segs) == 3 && segs[2] != "" {
				rest = "/" + segs[2]
			}
			p.Message = owner + ": " + p.Message
			p.Pointer = rest
		}
		out[i] = p
	}
	return out
}
