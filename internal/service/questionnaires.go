package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"remit/internal/matrixin"
	"remit/internal/remit"
	"remit/internal/workspace"
)

// KindQuestionnaire is a version of a supplier questionnaire template
// (listed in Kinds and doc/storage.md).
const KindQuestionnaire remit.Kind = "questionnaire" // template/NNNNNN: the template and its version

var questionnaires = collection[remit.Questionnaire]{kind: KindQuestionnaire, what: "questionnaire version"}

func questionnaireKey(template string, version int) string {
	return fmt.Sprintf("%s/%06d", template, version)
}

// QuestionnaireInfo is one questionnaire template as lists show it: its
// current version, how many questions, and how many assessments used it.
type QuestionnaireInfo struct {
	Template  string `json:"template"`
	Version   int    `json:"version"`
	Title     string `json:"title"`
	Questions int    `json:"questions"`
	Used      int    `json:"used" doc:"Assessments that follow any version of it"`
	BuiltIn   bool   `json:"built_in" doc:"Shipped with Remit and not yet changed"`
}

// Questionnaires lists every questionnaire template at its current
// version, the built-in one first, then by title.
func (s *Service) Questionnaires(ctx context.Context) ([]QuestionnaireInfo, error) {
	current := map[string]*remit.Questionnaire{s.questionnaire.Template: s.questionnaire}
	err := s.read(ctx, func(tx remit.Tx) error {
		docs, err := tx.Documents(ctx, KindQuestionnaire, "")
		for _, d := range docs { // in id order: the last of a template is its current version
			q, err := questionnaires.decode(d)
			if err != nil {
				return err
			}
			current[q.Template] = &q
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	used := s.Snapshot().templatesUsed()
	out := make([]QuestionnaireInfo, 0, len(current))
	for _, q := range current {
		out = append(out, QuestionnaireInfo{Template: q.Template, Version: q.Version, Title: q.Title, Questions: q.Questions(), Used: used[q.Template], BuiltIn: q == s.questionnaire})
	}
	slices.SortFunc(out, func(a, b QuestionnaireInfo) int {
		if c := trueFirst(a.Template == s.questionnaire.Template, b.Template == s.questionnaire.Template); c != 0 {
			return c
		}
		return strings.Compare(a.Title, b.Title)
	})
	return out, nil
}

func (sn *Snapshot) templatesUsed() map[string]int {
	used := map[string]int{}
	for _, a := range sn.assessments {
		used[a.Template]++
	}
	return used
}

// Questionnaire reads one version of a questionnaire template, or its
// current version when version is 0.
func (s *Service) QuestionnaireVersion(ctx context.Context, template string, version int) (*remit.Questionnaire, error) {
	var q *remit.Questionnaire
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		q, err = s.questionnaireIn(ctx, tx, template, version)
		return err
	})
	return q, err
}

// questionnaireIn reads a template's version within tx (0: the current
// one). The built-in template is its version 1 until another is kept.
func (s *Service) questionnaireIn(ctx context.Context, tx remit.Tx, template string, version int) (*remit.Questionnaire, error) {
	builtIn := template == s.questionnaire.Template
	if version == 0 {
		docs, err := tx.Documents(ctx, KindQuestionnaire, template+"/")
		if err != nil {
			return nil, err
		}
		if len(docs) == 0 {
			if builtIn {
				return s.questionnaire, nil
			}
			return nil, fmt.Errorf("no questionnaire %q: %w", template, remit.ErrNotFound)
		}
		q, err := questionnaires.decode(docs[len(docs)-1])
		return &q, err
	}
	q, _, err := questionnaires.find(ctx, tx, questionnaireKey(template, version))
	if errors.Is(err, remit.ErrNotFound) && builtIn && version == s.questionnaire.Version {
		return s.questionnaire, nil
	}
	if err != nil {
		return nil, fmt.Errorf("questionnaire %s version %d: %w", template, version, err)
	}
	return &q, nil
}

// PublishQuestionnaire keeps q as a new template (version 1) or as the
// next version of one. Once any assessment has used the template, a new
// version may only add principles and questions or reorder them:
// answered questions are never deleted or changed.
func (s *Service) PublishQuestionnaire(ctx context.Context, p remit.Principal, q *remit.Questionnaire) error {
	if !p.May(remit.ActSignOff, "") {
		return fmt.Errorf("questionnaires are published by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	return s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		return nil, s.publishIn(ctx, tx, sn, p, q)
	})
}

// ReviseQuestionnaire publishes the next version of a template as revise
// leaves a copy of its current one, if that is still version: an
// assessor's edit on the template's page (add a question, move one).
func (s *Service) ReviseQuestionnaire(ctx context.Context, p remit.Principal, template string, version int, revise func(next *remit.Questionnaire) error) (*remit.Questionnaire, error) {
	if !p.May(remit.ActSignOff, "") {
		return nil, fmt.Errorf("questionnaires are published by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	var next *remit.Questionnaire
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		cur, err := s.questionnaireIn(ctx, tx, template, 0)
		if err != nil {
			return nil, err
		}
		if cur.Version != version {
			return nil, fmt.Errorf("questionnaire %s is at version %d, not %d: reload it and try again: %w", template, cur.Version, version, remit.ErrConflict)
		}
		next = cur.Clone()
		next.Version++
		if err := revise(next); err != nil {
			return nil, err
		}
		return nil, s.publishIn(ctx, tx, sn, p, next)
	})
	return next, err
}

// publishIn validates q and keeps it, within tx, as a new template or the
// next version of one (add-only once used).
func (s *Service) publishIn(ctx context.Context, tx remit.Tx, sn *Snapshot, p remit.Principal, q *remit.Questionnaire) error {
	if ps := remit.ValidateQuestionnaire(q); len(ps) > 0 {
		return &remit.ValidationError{Problems: ps}
	}
	cur, err := s.questionnaireIn(ctx, tx, q.Template, 0)
	switch {
	case errors.Is(err, remit.ErrNotFound):
		if q.Version != 1 {
			return &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/version", Message: fmt.Sprintf("a new questionnaire starts at version 1, not %d", q.Version)}}}
		}
	case err != nil:
		return err
	default:
		if ps := remit.CheckQuestionnaireEvolution(cur, q, sn.templatesUsed()[q.Template] > 0); len(ps) > 0 {
			return &remit.ValidationError{Problems: ps}
		}
	}
	_, err = questionnaires.create(ctx, tx, change{p.Email, s.now()}, questionnaireKey(q.Template, q.Version), *q)
	return err
}

// assessmentTemplate is the questionnaire version an assessment follows.
func (s *Service) assessmentTemplate(ctx context.Context, tx remit.Tx, a *remit.SupplierAssessment) (*remit.Questionnaire, error) {
	return s.questionnaireIn(ctx, tx, cmp.Or(a.Template, s.questionnaire.Template), cmp.Or(a.TemplateVersion, s.questionnaire.Version))
}

// AssessmentTemplate is the questionnaire version an assessment follows.
func (s *Service) AssessmentTemplate(ctx context.Context, a *remit.SupplierAssessment) (*remit.Questionnaire, error) {
	var q *remit.Questionnaire
	err := s.read(ctx, func(tx remit.Tx) error {
		var err error
		q, err = s.assessmentTemplate(ctx, tx, a)
		return err
	})
	return q, err
}

// Questionnaire formats ImportQuestionnaire reads.
const (
	QuestionnaireYAML = "yaml"
	QuestionnaireCAIQ = "caiq"
)

// ImportQuestionnaire reads a questionnaire template from a file — YAML
// in the built-in template's form, or the question set of a CSA CAIQ v4
// workbook, kept as template with title — and publishes it: version 1 of
// a new template, or the next version of one (add-only once used). For a
// YAML file, template and title come from the file, its version is set.
func (s *Service) ImportQuestionnaire(ctx context.Context, p remit.Principal, format, file string, data []byte, template, title string) (*remit.Questionnaire, error) {
	if !p.May(remit.ActSignOff, "") {
		return nil, fmt.Errorf("questionnaires are published by an assessor, not %s: %w", p.Role.Article(), remit.ErrForbidden)
	}
	var q *remit.Questionnaire
	switch format {
	case QuestionnaireYAML:
		var err error
		if q, err = workspace.ReadQuestionnaire(file, data); err != nil {
			return nil, err
		}
	case QuestionnaireCAIQ:
		var ps []remit.Problem
		if !remit.ValidID(template) {
			ps = append(ps, remit.Problem{Pointer: "/template", Message: fmt.Sprintf("template %q is not an id: %s", template, remit.IDRule)})
		}
		if strings.TrimSpace(title) == "" {
			ps = append(ps, remit.Problem{Pointer: "/title", Message: "give the questionnaire a title, such as CSA CAIQ v4.0.3"})
		}
		if len(ps) > 0 {
			return nil, &remit.ValidationError{Problems: ps}
		}
		var problems []matrixin.Problem
		if q, problems = matrixin.CAIQQuestionnaire(data, template, strings.TrimSpace(title)); len(problems) > 0 {
			for _, mp := range problems {
				ps = append(ps, remit.Problem{File: file, Message: mp.String()})
			}
			return nil, &remit.ValidationError{Problems: ps}
		}
	default:
		return nil, &remit.ValidationError{Problems: []remit.Problem{{Pointer: "/format", Message: fmt.Sprintf("format %q is not known: use yaml or caiq", format)}}}
	}
	// The version is the next of what the store holds, read in the same
	// transaction as the write.
	err := s.write(ctx, func(tx remit.Tx, sn *Snapshot) (func(*Snapshot) error, error) {
		cur, err := s.questionnaireIn(ctx, tx, q.Template, 0)
		switch {
		case errors.Is(err, remit.ErrNotFound):
			q.Version = 1
		case err != nil:
			return nil, err
		default:
			q.Version = cur.Version + 1
		}
		return nil, s.publishIn(ctx, tx, sn, p, q)
	})
	return q, err
}
