package oscal

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"remit/internal/remit"
)

// familyAreas infers a Remit area from a NIST SP 800-53 family (the
// control id's prefix) where the family sits in one layer. Families that
// span layers (audit, contingency, incident response, assessment,
// planning, risk, acquisition, supply chain, maintenance, PII processing,
// programme management) are left for the user to set, and flagged.
var familyAreas = map[string]remit.Area{
	"ac": remit.AreaIdentities,
	"ia": remit.AreaIdentities,
	"at": remit.AreaPeople,
	"ps": remit.AreaPeople,
	"pe": remit.AreaPhysical,
	"sc": remit.AreaNetwork,
	"cm": remit.AreaOperatingSystem,
	"si": remit.AreaOperatingSystem,
	"mp": remit.AreaData,
	"pl": remit.AreaGovernance,
	"pm": remit.AreaGovernance,
	"ra": remit.AreaGovernance,
	"ca": remit.AreaGovernance,
	"sr": remit.AreaGovernance,
}

// CatalogueReport says what an import made of a catalog.
type CatalogueReport struct {
	Controls  int            `json:"controls"`
	Withdrawn []string       `json:"withdrawn" doc:"Withdrawn controls, not imported"`
	Areas     map[string]int `json:"areas" doc:"Controls per inferred area"`
	NoArea    []string       `json:"no_area" doc:"Controls no area could be inferred for: set one (until then the engine assumes the control is ours)"`
}

// ToCatalogue makes a Remit catalogue of an OSCAL catalog: every control
// and enhancement that is not withdrawn, with its title (an enhancement's
// prefixed by its parent's), its statement as text with parameters shown
// as [Assignment: …] or [Selection: …] (or their values when set), its
// group, and an area where the family gives one.
func ToCatalogue(c *Catalog, id string) (remit.Catalogue, CatalogueReport) {
	out := remit.Catalogue{ID: id, Title: c.Metadata.Title, Version: c.Metadata.Version,
		Source: &remit.Source{Title: c.Metadata.Title, Version: c.Metadata.Version, Date: DateOf(c.Metadata.LastModified)}}
	if d := DateOf(propValue(c.Metadata.Props, "source-last-modified")); d != "" {
		out.Source.Date = d // resolved from a profile: the profile's date
	}
	rep := CatalogueReport{Areas: map[string]int{}, Withdrawn: []string{}, NoArea: []string{}}
	params := map[string]*Param{}
	c.Walk(func(ctl *Control, _ []string, _ *Control) bool {
		for i := range ctl.Params {
			params[ctl.Params[i].ID] = &ctl.Params[i]
		}
		return true
	})
	for i := range c.Params {
		params[c.Params[i].ID] = &c.Params[i]
	}
	c.Walk(func(ctl *Control, groups []string, parent *Control) bool {
		if ctl.Withdrawn() {
			rep.Withdrawn = append(rep.Withdrawn, ctl.ID)
			return true
		}
		title := ctl.Title
		if parent != nil {
			title = parent.Title + " | " + title
		}
		if l := label(ctl.Props); l != "" {
			title = l + " " + title
		}
		rc := remit.Control{ID: ctl.ID, Title: title, Statement: statement(ctl.Parts, params)}
		if len(groups) > 0 {
			rc.Group = groups[len(groups)-1]
		}
		family, _, _ := strings.Cut(ctl.ID, "-")
		if a, ok := familyAreas[strings.ToLower(family)]; ok {
			rc.Area = a
			rep.Areas[string(a)]++
		} else {
			rep.NoArea = append(rep.NoArea, ctl.ID)
		}
		out.Controls = append(out.Controls, rc)
		return true
	})
	rep.Controls = len(out.Controls)
	return out, rep
}

// DateOf is the day (YYYY-MM-DD) of an OSCAL timestamp, or "" when it
// does not start with one.
func DateOf(ts string) string {
	if len(ts) >= 10 {
		if _, err := time.Parse(time.DateOnly, ts[:10]); err == nil {
			return ts[:10]
		}
	}
	return ""
}

// label is a control's or part's label: the plain one (no class) if
// given, else the first.
func label(props []Prop) string {
	first := ""
	for _, p := range props {
		if p.Name != "label" {
			continue
		}
		if p.Class == "" {
			return p.Value
		}
		if first == "" {
			first = p.Value
		}
	}
	return first
}

// insertParam finds parameter insertions in prose.
var insertParam = regexp.MustCompile(`{{\s*insert:\s*param,\s*([A-Za-z0-9_.\-]+)\s*}}`)

// statement writes a control's statement part as text: its prose, then
// each item on a line of its own, prefixed by its label.
func statement(parts []Part, params map[string]*Param) string {
	i := slices.IndexFunc(parts, func(p Part) bool { return p.Name == "statement" })
	if i < 0 {
		return ""
	}
	var lines []string
	var walk func(p Part, depth int)
	walk = func(p Part, depth int) {
		text := strings.TrimSpace(fillParams(p.Prose, params, 0))
		if l := label(p.Props); l != "" && text != "" {
			text = l + " " + text
		}
		if text != "" {
			lines = append(lines, strings.Repeat("  ", max(depth-1, 0))+text)
		}
		for _, q := range p.Parts {
			if q.Name == "item" || q.Name == "statement" {
				walk(q, depth+1)
			}
		}
	}
	walk(parts[i], 0)
	return strings.Join(lines, "\n")
}

// fillParams replaces parameter insertions with the parameter's values,
// its choices or its label.
func fillParams(prose string, params map[string]*Param, depth int) string {
	return insertParam.ReplaceAllStringFunc(prose, func(m string) string {
		id := insertParam.FindStringSubmatch(m)[1]
		p, ok := params[id]
		switch {
		case !ok:
			return "[Assignment: " + id + "]"
		case len(p.Values) > 0:
			return strings.Join(p.Values, ", ")
		case p.Select != nil:
			choices := make([]string, len(p.Select.Choice))
			for i, c := range p.Select.Choice {
				if depth < 3 {
					c = fillParams(c, params, depth+1)
				}
				choices[i] = c
			}
			how := ""
			if p.Select.HowMany == "one-or-more" {
				how = " (one or more)"
			}
			return fmt.Sprintf("[Selection%s: %s]", how, strings.Join(choices, "; "))
		}
		// An assignment: its label, and what its constraints require
		// (FedRAMP states its required values so: "at least every 3 years").
		what := []string{cmp.Or(strings.TrimSpace(p.Label), id)}
		for _, c := range p.Constraints {
			if d := strings.Join(strings.Fields(c.Description), " "); d != "" {
				what = append(what, d)
			}
		}
		return "[Assignment: " + strings.Join(what, "; ") + "]"
	})
}
