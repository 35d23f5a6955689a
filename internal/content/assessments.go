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
