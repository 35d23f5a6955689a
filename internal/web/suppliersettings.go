package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"remit/internal/remit"
)

type supplierSettingsOutput struct {
	ETag string `header:"ETag"`
	Body remit.SupplierSettings
}

func (s *server) handleSupplierSettingsGet(ctx context.Context, _ *struct{}) (*supplierSettingsOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	st, v, err := s.Service.SupplierSettings(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &supplierSettingsOutput{ETag: etag(v), Body: st}, nil
}

type supplierSettingsPutInput struct {
	IfMatch string `header:"If-Match" doc:"The ETag the settings were read with (\"0\" while the defaults apply)"`
	Body    remit.SupplierSettings
}

func (s *server) handleSupplierSettingsPut(ctx context.Context, in *supplierSettingsPutInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.SetSupplierSettings(ctx, p, in.Body, version)
	return s.etagOf(ctx, v, err)
}

// SupplierSettingsPage shows, and to admins changes, how each tier is
// reassessed.
type SupplierSettingsPage struct {
	basePage
	Tiers         []tierRow
	Version       int64
	CanSet        bool
	Templates     []option
	EvidenceKinds []option
}

type tierRow struct {
	remit.TierPolicy
	MonthsText string
	// Title names its questionnaire.
	Title string
	Held  map[string]bool
}

func (s *server) supplierSettingsPage(r *http.Request) (*SupplierSettingsPage, error) {
	st, v, err := s.Service.SupplierSettings(r.Context())
	if err != nil {
		return nil, err
	}
	qs, err := s.Service.Questionnaires(r.Context())
	if err != nil {
		return nil, err
	}
	p := &SupplierSettingsPage{basePage: basePage{Title: "Rules for suppliers", Nav: "providers"}, Version: v, CanSet: user(r).May(remit.ActSetRiskSettings, "")}
	for _, q := range qs {
		p.Templates = append(p.Templates, option{q.Template, q.Title})
	}
	for _, k := range remit.EvidenceKinds {
		p.EvidenceKinds = append(p.EvidenceKinds, option{string(k.Kind), k.Name})
	}
	for tier := 1; tier <= 3; tier++ {
		pol := st.Policy(tier)
		row := tierRow{TierPolicy: pol, MonthsText: strconv.Itoa(pol.Months), Title: pol.Questionnaire, Held: map[string]bool{}}
		for _, q := range qs {
			if q.Template == pol.Questionnaire {
				row.Title = q.Title
			}
		}
		for _, k := range pol.Evidence {
			row.Held[string(k)] = true
		}
		p.Tiers = append(p.Tiers, row)
	}
	return p, nil
}

func (s *server) handleSupplierSettingsPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.supplierSettingsPage(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	var st remit.SupplierSettings
	for i := range p.Tiers {
		tier := i + 1
		key := func(k string) string { return fmt.Sprintf("tier%d_%s", tier, k) }
		row := &p.Tiers[i]
		row.Questionnaire, row.MonthsText = strings.TrimSpace(r.PostFormValue(key("questionnaire"))), strings.TrimSpace(r.PostFormValue(key("months")))
		row.Months, err = strconv.Atoi(row.MonthsText)
		if err != nil {
			row.Months = 0
		}
		row.Evidence, row.Held = nil, map[string]bool{}
		for _, k := range r.PostForm[key("evidence")] {
			row.Evidence = append(row.Evidence, remit.EvidenceKind(k))
			row.Held[k] = true
		}
		st.Tiers = append(st.Tiers, remit.TierPolicy{Tier: tier, Questionnaire: row.Questionnaire, Months: row.Months, Evidence: row.Evidence})
	}
	_, err = s.Service.SetSupplierSettings(r.Context(), user(r), st, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			// /tiers/N/field → tierN+1_field
			parts := strings.Split(strings.TrimPrefix(pr.Pointer, "/"), "/")
			field := "tier1_months"
			if len(parts) >= 3 {
				n, _ := strconv.Atoi(parts[1])
				field = fmt.Sprintf("tier%d_%s", n+1, parts[2])
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "suppliersettings", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/suppliers/settings", "Rules for suppliers saved: every supplier's next assessment follows them")
}
