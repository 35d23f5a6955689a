package oscal

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Profile is an OSCAL profile: controls selected from catalogs (import),
// arranged (merge) and tailored (modify).
type Profile struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Imports    []Import    `json:"imports"`
	Merge      *Merge      `json:"merge,omitempty"`
	Modify     *Modify     `json:"modify,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// Import selects controls from one catalog or profile.
type Import struct {
	Href            string       `json:"href"`
	IncludeAll      *struct{}    `json:"include-all,omitempty"`
	IncludeControls []SelectCtls `json:"include-controls,omitempty"`
	ExcludeControls []SelectCtls `json:"exclude-controls,omitempty"`
}

// SelectCtls names controls by id or by id pattern (a glob: * and ?),
// optionally with all their descendants.
type SelectCtls struct {
	WithChildControls string   `json:"with-child-controls,omitempty"`
	WithIDs           []string `json:"with-ids,omitempty"`
	Matching          []struct {
		Pattern string `json:"pattern"`
	} `json:"matching,omitempty"`
}

// Merge says how the selected controls are arranged.
type Merge struct {
	Combine *struct {
		Method string `json:"method,omitempty"`
	} `json:"combine,omitempty"`
	AsIs   bool            `json:"as-is,omitempty"`
	Flat   *struct{}       `json:"flat,omitempty"`
	Custom json.RawMessage `json:"custom,omitempty"`
}

// Modify tailors the selected controls.
type Modify struct {
	SetParameters []SetParameter `json:"set-parameters,omitempty"`
	Alters        []Alter        `json:"alters,omitempty"`
}

// SetParameter changes a parameter: each field given replaces the
// parameter's (props and links are added).
type SetParameter struct {
	ParamID string `json:"param-id"`
	ParamFields
}

// Alter adds to and removes from one control.
type Alter struct {
	ControlID string   `json:"control-id"`
	Removes   []Remove `json:"removes,omitempty"`
	Adds      []Add    `json:"adds,omitempty"`
}

// Remove takes away the parts, props or links matching every criterion
// given.
type Remove struct {
	ByName     string `json:"by-name,omitempty"`
	ByClass    string `json:"by-class,omitempty"`
	ByID       string `json:"by-id,omitempty"`
	ByItemName string `json:"by-item-name,omitempty"`
	ByNS       string `json:"by-ns,omitempty"`
}

// Add puts params, props, links and parts into a control or one of its
// parts: at its start or end, or before or after the part by-id names.
type Add struct {
	Position string  `json:"position,omitempty"`
	ByID     string  `json:"by-id,omitempty"`
	Title    string  `json:"title,omitempty"`
	Params   []Param `json:"params,omitempty"`
	Props    []Prop  `json:"props,omitempty"`
	Links    []Link  `json:"links,omitempty"`
	Parts    []Part  `json:"parts,omitempty"`
}

// ReadProfile reads an OSCAL JSON profile.
func ReadProfile(file string, data []byte) (*Profile, error) {
	var p Profile
	if err := decode(file, data, KindProfile, &p); err != nil {
		return nil, err
	}
	if len(p.Imports) == 0 {
		return nil, &Error{File: file, Path: "profile.imports", Message: "a profile imports at least one catalog or profile"}
	}
	for i, im := range p.Imports {
		at := fmt.Sprintf("profile.imports[%d]", i)
		if im.IncludeAll == nil && len(im.IncludeControls) == 0 {
			return nil, &Error{File: file, Path: at, Message: "an import needs include-all or include-controls"}
		}
		for j, s := range append(slices.Clone(im.IncludeControls), im.ExcludeControls...) {
			if s.WithChildControls != "" && s.WithChildControls != "yes" && s.WithChildControls != "no" {
				return nil, &Error{File: file, Path: fmt.Sprintf("%s selection %d", at, j), Message: fmt.Sprintf("with-child-controls %q must be yes or no", s.WithChildControls)}
			}
			for _, m := range s.Matching {
				if _, err := path.Match(m.Pattern, ""); err != nil {
					return nil, &Error{File: file, Path: at, Message: fmt.Sprintf("pattern %q is not a valid pattern (use * and ?)", m.Pattern)}
				}
			}
		}
	}
	if m := p.Merge; m != nil {
		if len(m.Custom) > 0 {
			return nil, &Error{File: file, Path: "profile.merge.custom", Message: "custom merge is not supported by Remit: use as-is or flat"}
		}
		if m.Combine != nil && m.Combine.Method != "" && !slices.Contains([]string{"use-first", "merge", "keep"}, m.Combine.Method) {
			return nil, &Error{File: file, Path: "profile.merge.combine", Message: fmt.Sprintf("method %q is not use-first, merge or keep", m.Combine.Method)}
		}
	}
	if p.Modify != nil {
		for i, a := range p.Modify.Alters {
			for j, ad := range a.Adds {
				if ad.Position != "" && !slices.Contains([]string{"before", "after", "starting", "ending"}, ad.Position) {
					return nil, &Error{File: file, Path: fmt.Sprintf("profile.modify.alters[%d].adds[%d]", i, j), Message: fmt.Sprintf("position %q is not before, after, starting or ending", ad.Position)}
				}
			}
		}
	}
	return &p, nil
}

// Source finds what an import's href names: Resolve asks it for each
// import, with the href as written.
type Source func(href string) (*Catalog, error)

// ResolveError is a profile that cannot be resolved against its
// catalogs: a control or parameter it names is not there.
type ResolveError struct{ Problems []string }

func (e *ResolveError) Error() string {
	return "the profile does not resolve: " + strings.Join(e.Problems, "; ")
}

// Resolve resolves a profile into a catalog: the controls its imports
// select (include, then exclude; with-child-controls yes takes every
// descendant), arranged as merge says (as-is keeps the source's groups
// and nesting, dropping what holds nothing selected; an unselected
// control with selected children is kept as their parent; flat lists every control
// at the top; a control imported twice is kept once with use-first or
// merge, and refused with keep), then modified (set-parameters, alters).
// The back matter keeps the resources the result refers to. now stamps
// the metadata.
func Resolve(p *Profile, src Source, now time.Time) (*Catalog, error) {
	var problems []string
	out := &Catalog{Metadata: p.Metadata}
	out.Metadata.LastModified = now.UTC().Format(time.RFC3339)
	out.Metadata.OSCALVersion = Version
	out.Metadata.Props = append(slices.Clone(out.Metadata.Props), Prop{Name: "resolution-tool", Value: "Remit"})
	if p.Metadata.LastModified != "" {
		// The resolved catalog is dated now; the profile's own date is
		// what a catalogue imported from it is sourced at.
		out.Metadata.Props = append(out.Metadata.Props, Prop{Name: "source-last-modified", NS: NS, Value: p.Metadata.LastModified})
	}
	sum := sha256.Sum256([]byte(p.UUID + now.UTC().Format(time.RFC3339Nano)))
	out.UUID = uuidFrom(sum[:])
	flat := p.Merge != nil && p.Merge.Flat != nil
	method := "use-first"
	if p.Merge != nil && p.Merge.Combine != nil && p.Merge.Combine.Method != "" {
		method = p.Merge.Combine.Method
	}
	have := map[string]bool{}
	resources := map[string]Resource{}
	var order []string
	for i, im := range p.Imports {
		cat, err := src(im.Href)
		if err != nil {
			if _, ok := err.(*Error); ok {
				return nil, err
			}
			return nil, fmt.Errorf("import %d (%s): %w", i, im.Href, err)
		}
		if cat.BackMatter != nil {
			for _, r := range cat.BackMatter.Resources {
				if _, ok := resources[r.UUID]; !ok {
					resources[r.UUID] = r
					order = append(order, r.UUID)
				}
			}
		}
		sel, missing := selection(cat, im)
		for _, id := range missing {
			problems = append(problems, fmt.Sprintf("import %d selects control %q, which %s does not have", i, id, im.Href))
		}
		keep := func(c *Control) bool {
			if !sel[c.ID] {
				return false
			}
			if have[c.ID] {
				if method == "keep" {
					problems = append(problems, fmt.Sprintf("control %q is imported twice, and merge combine keep refuses duplicates", c.ID))
				}
				return false
			}
			have[c.ID] = true
			return true
		}
		if flat {
			cat.Walk(func(c *Control, _ []string, _ *Control) bool {
				if keep(c) {
					cp := *c
					cp.Controls = nil
					out.Controls = append(out.Controls, cp)
				}
				return true
			})
			continue
		}
		out.Controls = append(out.Controls, pruneControls(cat.Controls, keep)...)
		out.Groups = append(out.Groups, pruneGroups(cat.Groups, keep)...)
		out.Params = append(out.Params, cat.Params...)
	}
	if p.Modify != nil {
		// The selection shares its parameters and parts with the source
		// catalogs: tailor a copy, so a catalog can serve many profiles.
		var err error
		if out, err = deepCopy(out); err != nil {
			return nil, err
		}
		problems = append(problems, modify(out, p.Modify)...)
	}
	if len(problems) > 0 {
		return nil, &ResolveError{Problems: problems}
	}
	// Keep the resources the result refers to, from the catalogs and the
	// profile (whose import resources are used up by resolution).
	refs := referenced(out)
	var kept []Resource
	for _, id := range order {
		if refs[id] {
			kept = append(kept, resources[id])
		}
	}
	if p.BackMatter != nil {
		for _, r := range p.BackMatter.Resources {
			if _, dup := resources[r.UUID]; !dup && refs[r.UUID] {
				kept = append(kept, r)
			}
		}
	}
	if len(kept) > 0 {
		out.BackMatter = &BackMatter{Resources: kept}
	}
	return out, nil
}

// deepCopy copies a catalog through its JSON form.
func deepCopy(c *Catalog) (*Catalog, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var out Catalog
	return &out, json.Unmarshal(b, &out)
}

// selection works out which controls of cat an import selects, and which
// ids it names that cat does not have.
func selection(cat *Catalog, im Import) (map[string]bool, []string) {
	all := map[string]*Control{}
	cat.Walk(func(c *Control, _ []string, _ *Control) bool { all[c.ID] = c; return true })
	mark := func(into map[string]bool, ss []SelectCtls) []string {
		var missing []string
		for _, s := range ss {
			var hits []*Control
			for _, id := range s.WithIDs {
				if c, ok := all[id]; ok {
					hits = append(hits, c)
				} else {
					missing = append(missing, id)
				}
			}
			for _, m := range s.Matching {
				cat.Walk(func(c *Control, _ []string, _ *Control) bool {
					if ok, _ := path.Match(m.Pattern, c.ID); ok {
						hits = append(hits, c)
					}
					return true
				})
			}
			for _, c := range hits {
				into[c.ID] = true
				if s.WithChildControls == "yes" {
					descend(c, func(d *Control) { into[d.ID] = true })
				}
			}
		}
		return missing
	}
	sel := map[string]bool{}
	var missing []string
	if im.IncludeAll != nil {
		for id := range all {
			sel[id] = true
		}
	}
	missing = append(missing, mark(sel, im.IncludeControls)...)
	excluded := map[string]bool{}
	missing = append(missing, mark(excluded, im.ExcludeControls)...)
	for id := range excluded {
		delete(sel, id)
	}
	return sel, missing
}

func descend(c *Control, fn func(*Control)) {
	for i := range c.Controls {
		fn(&c.Controls[i])
		descend(&c.Controls[i], fn)
	}
}

// pruneControls keeps the controls keep accepts, in order and nesting; an
// unkept control's kept descendants take its place.
func pruneControls(cs []Control, keep func(*Control) bool) []Control {
	if len(cs) == 0 {
		return nil
	}
	out := make([]Control, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		kids := pruneControls(c.Controls, keep)
		if keep(c) || len(kids) > 0 {
			// A control not selected whose children are stays as their
			// parent, as NIST's resolver keeps it (its resolved PRIVACY
			// baseline selects enhancements alone and keeps their parents).
			cp := *c
			cp.Controls = kids
			out = append(out, cp)
		}
	}
	return out
}

// pruneGroups keeps the groups that still hold a control.
func pruneGroups(gs []Group, keep func(*Control) bool) []Group {
	var out []Group
	for _, g := range gs {
		g.Controls = pruneControls(g.Controls, keep)
		g.Groups = pruneGroups(g.Groups, keep)
		if len(g.Controls) > 0 || len(g.Groups) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// modify applies set-parameters and alters, returning what it could not
// find.
func modify(c *Catalog, m *Modify) []string {
	var problems []string
	controls := map[string]*Control{}
	params := map[string]*Param{}
	for i := range c.Params {
		params[c.Params[i].ID] = &c.Params[i]
	}
	var groupParams func(gs []Group)
	groupParams = func(gs []Group) {
		for i := range gs {
			for j := range gs[i].Params {
				params[gs[i].Params[j].ID] = &gs[i].Params[j]
			}
			groupParams(gs[i].Groups)
		}
	}
	groupParams(c.Groups)
	c.Walk(func(ctl *Control, _ []string, _ *Control) bool {
		controls[ctl.ID] = ctl
		for i := range ctl.Params {
			params[ctl.Params[i].ID] = &ctl.Params[i]
		}
		return true
	})
	for _, sp := range m.SetParameters {
		p, ok := params[sp.ParamID]
		if !ok {
			problems = append(problems, fmt.Sprintf("set-parameters names %q, which no selected control has", sp.ParamID))
			continue
		}
		setParam(p, sp)
	}
	for _, a := range m.Alters {
		ctl, ok := controls[a.ControlID]
		if !ok {
			problems = append(problems, fmt.Sprintf("alters names control %q, which is not selected", a.ControlID))
			continue
		}
		for _, r := range a.Removes {
			remove(ctl, r)
		}
		for _, ad := range a.Adds {
			if !add(ctl, ad) {
				problems = append(problems, fmt.Sprintf("alters of %s adds by-id %q, which the control has no part with", a.ControlID, ad.ByID))
			}
		}
	}
	return problems
}

func setParam(p *Param, sp SetParameter) {
	if sp.Class != "" {
		p.Class = sp.Class
	}
	if sp.DependsOn != "" {
		p.DependsOn = sp.DependsOn
	}
	if sp.Label != "" {
		p.Label = sp.Label
	}
	if sp.Usage != "" {
		p.Usage = sp.Usage
	}
	if sp.Constraints != nil {
		p.Constraints = sp.Constraints
	}
	if sp.Guidelines != nil {
		p.Guidelines = sp.Guidelines
	}
	if sp.Values != nil {
		p.Values, p.Select = sp.Values, nil
	}
	if sp.Select != nil {
		p.Select, p.Values = sp.Select, nil
	}
	p.Props = append(p.Props, sp.Props...)
	p.Links = append(p.Links, sp.Links...)
}

// remove takes out of a control (and all its parts, at any depth) the
// parts, props and links matching r.
func remove(c *Control, r Remove) {
	matchPart := func(p *Part) bool {
		return (r.ByName == "" || p.Name == r.ByName) && (r.ByClass == "" || p.Class == r.ByClass) && (r.ByID == "" || p.ID == r.ByID) &&
			(r.ByNS == "" || p.NS == r.ByNS) && (r.ByItemName == "" || r.ByItemName == "part")
	}
	matchProp := func(p Prop) bool {
		return (r.ByName == "" || p.Name == r.ByName) && (r.ByClass == "" || p.Class == r.ByClass) && r.ByID == "" &&
			(r.ByNS == "" || p.NS == r.ByNS) && (r.ByItemName == "" || r.ByItemName == "prop")
	}
	matchLink := func(l Link) bool {
		return r.ByName == "" && r.ByClass == "" && r.ByID == "" && r.ByNS == "" && r.ByItemName == "link"
	}
	var parts func(ps []Part) []Part
	parts = func(ps []Part) []Part {
		ps = slices.DeleteFunc(ps, func(p Part) bool { return matchPart(&p) })
		for i := range ps {
			ps[i].Props = slices.DeleteFunc(ps[i].Props, matchProp)
			ps[i].Links = slices.DeleteFunc(ps[i].Links, matchLink)
			ps[i].Parts = parts(ps[i].Parts)
		}
		return ps
	}
	c.Parts = parts(c.Parts)
	c.Props = slices.DeleteFunc(c.Props, matchProp)
	c.Links = slices.DeleteFunc(c.Links, matchLink)
	if r.ByID != "" && (r.ByItemName == "" || r.ByItemName == "param") {
		c.Params = slices.DeleteFunc(c.Params, func(p Param) bool { return p.ID == r.ByID })
	}
}

// add puts an Add's content into the control (no by-id) or beside or
// inside the part by-id names; it reports whether that part was found.
func add(c *Control, a Add) bool {
	pos := a.Position
	if pos == "" {
		pos = "ending"
	}
	if a.ByID == "" || a.ByID == c.ID {
		if a.Title != "" {
			c.Title = a.Title
		}
		if pos == "starting" || pos == "before" {
			c.Params = append(slices.Clone(a.Params), c.Params...)
			c.Props = append(slices.Clone(a.Props), c.Props...)
			c.Links = append(slices.Clone(a.Links), c.Links...)
			c.Parts = append(slices.Clone(a.Parts), c.Parts...)
		} else {
			c.Params = append(c.Params, a.Params...)
			c.Props = append(c.Props, a.Props...)
			c.Links = append(c.Links, a.Links...)
			c.Parts = append(c.Parts, a.Parts...)
		}
		return true
	}
	var in func(ps *[]Part) bool
	in = func(ps *[]Part) bool {
		for i := range *ps {
			p := &(*ps)[i]
			if p.ID == a.ByID {
				switch pos {
				case "before":
					*ps = slices.Insert(*ps, i, a.Parts...)
				case "after":
					*ps = slices.Insert(*ps, i+1, a.Parts...)
				case "starting":
					p.Props = append(slices.Clone(a.Props), p.Props...)
					p.Links = append(slices.Clone(a.Links), p.Links...)
					p.Parts = append(slices.Clone(a.Parts), p.Parts...)
				default:
					p.Props = append(p.Props, a.Props...)
					p.Links = append(p.Links, a.Links...)
					p.Parts = append(p.Parts, a.Parts...)
				}
				return true
			}
			if in(&p.Parts) {
				return true
			}
		}
		return false
	}
	return in(&c.Parts)
}

// proseRef finds Markdown links to back matter in prose: [text](#uuid).
var proseRef = regexp.MustCompile(`\]\(#([^)\s]+)\)`)

// referenced collects the back-matter uuids a catalog refers to: links
// ("#uuid") and Markdown links in prose.
// hrefRef finds a fragment href ("#uuid") in JSON.
var hrefRef = regexp.MustCompile(`"href":\s*"#([^"]+)"`)

func referenced(c *Catalog) map[string]bool {
	refs := map[string]bool{}
	// The metadata's links, parties (logos) and roles refer to resources
	// too: whatever its JSON points at with "#uuid" is kept.
	if meta, err := json.Marshal(c.Metadata); err == nil {
		for _, m := range hrefRef.FindAllSubmatch(meta, -1) {
			refs[string(m[1])] = true
		}
	}
	prose := func(s string) {
		for _, m := range proseRef.FindAllStringSubmatch(s, -1) {
			refs[m[1]] = true
		}
	}
	linkRefs := func(ls []Link) {
		for _, l := range ls {
			if strings.HasPrefix(l.Href, "#") {
				refs[l.Href[1:]] = true
			}
		}
	}
	var parts func(ps []Part)
	parts = func(ps []Part) {
		for _, p := range ps {
			linkRefs(p.Links)
			prose(p.Prose)
			parts(p.Parts)
		}
	}
	var ctls func(cs []Control)
	ctls = func(cs []Control) {
		for _, c := range cs {
			linkRefs(c.Links)
			parts(c.Parts)
			for _, p := range c.Params {
				linkRefs(p.Links)
				for _, g := range p.Guidelines {
					prose(g.Prose)
				}
			}
			ctls(c.Controls)
		}
	}
	var groups func(gs []Group)
	groups = func(gs []Group) {
		for _, g := range gs {
			linkRefs(g.Links)
			parts(g.Parts)
			ctls(g.Controls)
			groups(g.Groups)
		}
	}
	ctls(c.Controls)
	groups(c.Groups)
	linkRefs(c.Metadata.Links)
	return refs
}

// uuidFrom makes a version-4-shaped UUID from 16 bytes.
func uuidFrom(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
