package web

import (
	"fmt"
	"html/template"
	"regexp"
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
	"yes-no":                  "yes or no",
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

// linkPattern finds web addresses in generated sentences: up to a space,
// or a closing bracket or comma that ends the sentence's clause.
var linkPattern = regexp.MustCompile(`https?://[^\s()<>"]+[^\s()<>",.;:]`)

// linked is a sentence as HTML, escaped, with its web addresses as
// links.
func linked(sentence string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(sentence, -1) {
		b.WriteString(template.HTMLEscapeString(sentence[last:m[0]]))
		u := template.HTMLEscapeString(sentence[m[0]:m[1]])
		b.WriteString(`<a class="govuk-link" href="` + u + `" rel="noreferrer noopener">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(sentence[last:]))
	return template.HTML(b.String())
}
