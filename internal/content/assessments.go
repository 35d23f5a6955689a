package content

import (
	"embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"remit/internal/remit"
)

//go:embed assessments/*.yaml
var assessmentFiles embed.FS

// Source is a public source a template draws on.
type Source struct {
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url" json:"url"`
}

// Objective is one objective of a Standards Assurance Table.
type Objective struct {
	ID        string   `yaml:"id" json:"id"`
	Category  string   `yaml:"category" json:"category"`
	Title     string   `yaml:"title" json:"title"`
	Objective string   `yaml:"objective" json:"objective"`
	Evidence  string   `yaml:"evidence" json:"evidence"`
	Controls  []string `yaml:"controls" json:"controls"`
}

// SATTemplate is a Standards Assurance Table's objectives, versioned.
type SATTemplate struct {
	Template   string      `yaml:"template" json:"template"`
	Version    int         `yaml:"version" json:"version"`
	Title      string      `yaml:"title" json:"title"`
	Sources    []Source    `yaml:"sources" json:"sources"`
	Objectives []Objective `yaml:"objectives" json:"objectives"`
}

// SupplierQuestionnaire is the built-in supplier assessment over the 14
// NCSC Cloud Security Principles, in our own words.
func SupplierQuestionnaire() *remit.Questionnaire {
	var q remit.Questionnaire
	mustLoad("assessments/ncsc-supplier-questionnaire.yaml", &q)
	return &q
}

// SATObjectives is the built-in Standards Assurance Table template.
func SATObjectives() *SATTemplate {
	var t SATTemplate
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
