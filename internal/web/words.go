package web

import (
	"fmt"
	"strings"
)

// vocabulary is how pages say the product's tokens: one table, so a
// status or a service model reads the same everywhere ("Not started",
// "IaaS"), while the API and files keep the tokens.
var vocabulary = map[string]string{
	"not-started":             "not started",
	"in-progress":             "in progress",
	"implemented":             "implemented",
	"not-applicable":          "not applicable",
	"organisation-specific":   "organisation-specific",
	"iaas":                    "IaaS",
	"paas":                    "PaaS",
	"saas":                    "SaaS",
	"managed-service":         "managed service",
	"on-premises":             "on premises",
	"review-due":              "review due",
	"deviation-approved":      "deviation approved",
	"iso-27001":               "ISO 27001",
	"soc2-type-2":             "SOC 2 Type II",
	"cyber-essentials-plus":   "Cyber Essentials Plus",
	"pci-dss":                 "PCI DSS",
	"csa-star":                "CSA STAR",
	"penetration-test":        "penetration test",
	"security-aspects-letter": "security aspects letter",
}

// words says a token in words: the vocabulary's, else the token with
// its hyphens as spaces.
func words(token any) string {
	s := strings.TrimSpace(toString(token))
	if w, ok := vocabulary[s]; ok {
		return w
	}
	return strings.ReplaceAll(s, "-", " ")
}

func toString(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return fmt.Sprint(v)
}
