package remit

// DefaultRule says, for one area, which class a control of that area takes
// under each service model when a provider has published nothing about it,
// and what each side is then assumed to do.
type DefaultRule struct {
	Area  Area
	Title string
	// Provider and Customer describe the assumed split in plain words.
	Provider string
	Customer string
	Classes  map[ServiceModel]Class
}

// Defaults is the table area × service model → class used for assumed
// cells, with the public sources it is drawn from.
type Defaults struct {
	Rules   []DefaultRule
	Sources []Source
}

// Rule returns the rule for an area; ok is false for an unknown or empty
// area, for which callers assume the control is the organisation's.
func (d *Defaults) Rule(a Area) (DefaultRule, bool) {
	for _, r := range d.Rules {
		if r.Area == a {
			return r, true
		}
	}
	return DefaultRule{}, false
}
