package content

import (
	"embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

//go:embed assessments/*.yaml
var assessmentFiles embed.FS

// SupplierQuestionnaire is the built-in supplier assessment over the 14
// NCSC Cloud Security Principles, in our own words.
func SupplierQuestionnaire() *remit.Questionnaire {
	var q remit.Questionnaire
	mustLoad("assessments/ncsc-supplier-questionnaire.yaml", &q)
	return &q
}

// SATObjectives is the built-in Standards Assurance Table template.
func SATObjectives() *remit.SATTemplate {
	var t remit.SATTemplate
	mustLoad("assessments/sat-objectives.yaml", &t)
	return &t
}

func mustLoad(name string, v any) {
	data, err := assessmentFiles.ReadFile(name)
	if err == nil {
		err = yaml.Unmarshal(data, v)
	}
	if err != nil {
		panic(fmt.Sprintf("content: %s: %v", name, err)) // embedded: every test catches it
	}
}

// ClauseSet is a built-in set of supplier obligations: the clauses of a
// standard document, with the public sources they draw on.
type ClauseSet struct {
	Template string         `json:"template" yaml:"template"`
	Title    string         `json:"title" yaml:"title"`
	Sources  []remit.Source `json:"sources" yaml:"sources"`
	Clauses  []remit.Clause `json:"clauses" yaml:"clauses"`
}

// SecurityAspectsLetter is the department's standard security aspects
// letter as clauses, in our own words.
func SecurityAspectsLetter() *ClauseSet {
	var s ClauseSet
	mustLoad("assessments/security-aspects-letter.yaml", &s)
	return &s
}
