package remit

// NewOffering names what a matrix import needs to create an offering (and
// its provider) that the workspace does not have yet.
type NewOffering struct {
	ProviderName string
	Name         string
	ServiceModel ServiceModel
}
