package remit

import (
	"fmt"
	"slices"
	"strings"
)

// NewOffering names what a matrix import needs to create an offering (and
// its provider) that the workspace does not have yet.
type NewOffering struct {
	ProviderName string
	Name         string
	ServiceModel ServiceModel
}

// PutStatements makes sts the statements of the offering ref
// (provider/offering), creating the provider and offering from n when
// they are new; a built-in model becomes the workspace's own.
func (ws *Workspace) PutStatements(ref string, sts []Statement, n NewOffering) error {
	or, err := ParseOfferingRef(ref)
	if err != nil {
		return &ValidationError{Problems: []Problem{{Pointer: "/offering", Message: err.Error()}}}
	}
	pid, oid := or.Provider, or.Offering
	pi := slices.IndexFunc(ws.Providers, func(p Provider) bool { return p.ID == pid })
	if pi < 0 {
		if strings.TrimSpace(n.ProviderName) == "" {
			return &ValidationError{Problems: []Problem{{Pointer: "/provider_name", Message: fmt.Sprintf("provider %q is new: give its name", pid)}}}
		}
		ws.Providers = append(ws.Providers, Provider{ID: pid, Name: n.ProviderName})
		pi = len(ws.Providers) - 1
	}
	prov := &ws.Providers[pi]
	if prov.BuiltIn {
		prov.BuiltIn = false
		ws.ProviderIDs = slices.DeleteFunc(ws.ProviderIDs, func(id string) bool { return id == pid })
	}
	oi := slices.IndexFunc(prov.Offerings, func(o Offering) bool { return o.ID == oid })
	if oi < 0 {
		if n.ServiceModel == "" {
			return &ValidationError{Problems: []Problem{{Pointer: "/service_model", Message: fmt.Sprintf("offering %q is new: give its service model (iaas, paas or saas)", ref)}}}
		}
		name := n.Name
		if name == "" {
			name = oid
		}
		prov.Offerings = append(prov.Offerings, Offering{ID: oid, Name: name, ServiceModel: n.ServiceModel})
		oi = len(prov.Offerings) - 1
	}
	prov.Offerings[oi].Statements = sts
	return nil
}
