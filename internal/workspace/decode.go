package workspace

import (
	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

// The keys each kind of object accepts, in the order the documentation and
// the JSON Schema list them.
var (
	rootKeys        = []string{"name", "organisation", "catalogues", "providers", "mappings"}
	catalogueKeys   = []string{"id", "title", "version", "source", "controls"}
	controlKeys     = []string{"id", "title", "statement", "area", "group"}
	providerKeys    = []string{"id", "name", "offerings"}
	offeringKeys    = []string{"id", "name", "service_model", "depends_on", "source", "statements"}
	statementKeys   = []string{"control", "class", "provider", "customer", "source"}
	sourceKeys      = []string{"title", "url", "version", "date"}
	systemKeys      = []string{"id", "name", "owner", "team", "classification", "baseline", "uses"}
	baselineKeys    = []string{"catalogue", "controls", "not_applicable"}
	exclusionKeys   = []string{"control", "reason"}
	useKeys         = []string{"offering", "purpose"}
	rootExpect      = "a workspace with keys " + join(rootKeys)
	catalogueExpect = "a catalogue with keys " + join(catalogueKeys)
	providerExpect  = "a provider with keys " + join(providerKeys)
	systemExpect    = "a system with keys " + join(systemKeys)
)

// root is remit.yaml.
type root struct {
	Name, Organisation string
	Catalogues         []string
	Providers          []string
	Mappings           []string
	nodes              map[string]*yaml.Node // key -> value node, for later messages
}

func (d *decoder) root(n *yaml.Node) root {
	r := root{nodes: map[string]*yaml.Node{}}
	d.fields(n, "remit.yaml", rootKeys, func(key string, v *yaml.Node) {
		r.nodes[key] = v
		switch key {
		case "name":
			r.Name = d.str(v, key)
		case "organisation":
			r.Organisation = d.str(v, key)
		case "catalogues":
			r.Catalogues = d.strs(v, key)
		case "providers":
			r.Providers = d.strs(v, key)
		case "mappings":
			r.Mappings = d.strs(v, key)
		}
	})
	return r
}

func (d *decoder) catalogue(n *yaml.Node) remit.Catalogue {
	var c remit.Catalogue
	d.fields(n, "catalogue", catalogueKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			c.ID = d.str(v, key)
		case "title":
			c.Title = d.str(v, key)
		case "version":
			c.Version = d.str(v, key)
		case "source":
			c.Source = d.source(v)
		case "controls":
			d.each(v, key, func(v *yaml.Node) { c.Controls = append(c.Controls, d.control(v)) })
		}
	})
	return c
}

func (d *decoder) control(n *yaml.Node) remit.Control {
	var c remit.Control
	d.fields(n, "control", controlKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			c.ID = d.str(v, key)
		case "title":
			c.Title = d.str(v, key)
		case "statement":
			c.Statement = d.str(v, key)
		case "area":
			c.Area = remit.Area(d.str(v, key))
		case "group":
			c.Group = d.str(v, key)
		}
	})
	return c
}

func (d *decoder) source(n *yaml.Node) *remit.Source {
	var s remit.Source
	if !d.fields(n, "source", sourceKeys, func(key string, v *yaml.Node) {
		switch key {
		case "title":
			s.Title = d.str(v, key)
		case "url":
			s.URL = d.str(v, key)
		case "version":
			s.Version = d.str(v, key)
		case "date":
			s.Date = d.str(v, key)
		}
	}) {
		return nil
	}
	return &s
}

func (d *decoder) provider(n *yaml.Node) remit.Provider {
	var p remit.Provider
	d.fields(n, "provider", providerKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			p.ID = d.str(v, key)
		case "name":
			p.Name = d.str(v, key)
		case "offerings":
			d.each(v, key, func(v *yaml.Node) { p.Offerings = append(p.Offerings, d.offering(v)) })
		}
	})
	return p
}

func (d *decoder) offering(n *yaml.Node) remit.Offering {
	var o remit.Offering
	d.fields(n, "offering", offeringKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			o.ID = d.str(v, key)
		case "name":
			o.Name = d.str(v, key)
		case "service_model":
			o.ServiceModel = remit.ServiceModel(d.str(v, key))
		case "depends_on":
			o.DependsOn = d.strs(v, key)
		case "source":
			o.Source = d.source(v)
		case "statements":
			if v.Kind == yaml.SequenceNode {
				o.Statements = make([]remit.Statement, 0, len(v.Content))
			}
			d.each(v, key, func(v *yaml.Node) { o.Statements = append(o.Statements, d.statement(v)) })
		}
	})
	return o
}

func (d *decoder) statement(n *yaml.Node) remit.Statement {
	var s remit.Statement
	d.fields(n, "statement", statementKeys, func(key string, v *yaml.Node) {
		switch key {
		case "control":
			s.Control = d.str(v, key)
		case "class":
			s.Class = remit.Class(d.str(v, key))
		case "provider":
			s.Provider = d.str(v, key)
		case "customer":
			s.Customer = d.str(v, key)
		case "source":
			s.Source = d.source(v)
		}
	})
	return s
}

func (d *decoder) system(n *yaml.Node) remit.System {
	var s remit.System
	d.fields(n, "system", systemKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			s.ID = d.str(v, key)
		case "name":
			s.Name = d.str(v, key)
		case "owner":
			s.Owner = d.str(v, key)
		case "team":
			s.Team = d.str(v, key)
		case "classification":
			s.Classification = d.str(v, key)
		case "baseline":
			s.Baseline = d.baseline(v)
		case "uses":
			d.each(v, key, func(v *yaml.Node) { s.Uses = append(s.Uses, d.use(v)) })
		}
	})
	return s
}

func (d *decoder) baseline(n *yaml.Node) remit.Baseline {
	var b remit.Baseline
	d.fields(n, "baseline", baselineKeys, func(key string, v *yaml.Node) {
		switch key {
		case "catalogue":
			b.Catalogue = d.str(v, key)
		case "controls":
			if s, ok := scalarText(v); ok && !isNull(v) {
				if s == "all" {
					b.All = true
				} else {
					d.add(v, "controls should be all or a list of control ids, not %q", s)
				}
				return
			}
			b.Controls = d.strs(v, key)
			if b.Controls == nil {
				b.Controls = []string{}
			}
		case "not_applicable":
			d.each(v, key, func(v *yaml.Node) {
				var x remit.Exclusion
				d.fields(v, "not_applicable entry", exclusionKeys, func(key string, v *yaml.Node) {
					switch key {
					case "control":
						x.Control = d.str(v, key)
					case "reason":
						x.Reason = d.str(v, key)
					}
				})
				b.NotApplicable = append(b.NotApplicable, x)
			})
		}
	})
	return b
}

func (d *decoder) use(n *yaml.Node) remit.Use {
	var u remit.Use
	d.fields(n, "uses entry", useKeys, func(key string, v *yaml.Node) {
		switch key {
		case "offering":
			u.Offering = d.str(v, key)
		case "purpose":
			u.Purpose = d.str(v, key)
		}
	})
	return u
}
