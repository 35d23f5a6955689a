package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"remit/internal/remit"
	"remit/internal/service"
)

type supplierOutput struct {
	ETag string `header:"ETag"`
	Body service.SupplierView
}

// handleSupplierGet answers GET /api/v1/providers/{id}/supplier: the
// provider's supplier record and its tier, derived or set.
func (s *server) handleSupplierGet(ctx context.Context, in *systemInput) (*supplierOutput, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	v, err := s.Service.Supplier(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &supplierOutput{ETag: etag(v.Version), Body: v}, nil
}

type supplierInput struct {
	ID      string `path:"id"`
	IfMatch string `header:"If-Match" doc:"The ETag the record was read with (\"0\" while none is kept)"`
	Body    remit.SupplierRecord
}

// handleSupplierPut answers PUT /api/v1/providers/{id}/supplier.
func (s *server) handleSupplierPut(ctx context.Context, in *supplierInput) (*versionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := s.Service.SetSupplier(ctx, p, in.ID, in.Body, version)
	return s.etagOf(ctx, v, err)
}

// SupplierFormPage changes a provider's supplier record.
type SupplierFormPage struct {
	basePage
	Provider  ProviderSummary
	View      service.SupplierView
	Form      remit.SupplierRecord
	Contract  remit.Contract
	Locations string // one per line
	Contacts  string // "name | email | role" per line
	// SubProcessors is "name | provider | purpose | location" per line.
	SubProcessors string
	Providers     []option
	Renewals      []string
}

func (s *server) supplierForm(r *http.Request) (*SupplierFormPage, error) {
	pr, v, err := s.keptSupplier(r)
	if err != nil {
		return nil, err
	}
	p := &SupplierFormPage{basePage: basePage{Title: "Supplier record: " + pr.Name, Nav: "providers"}, Provider: pr, View: v, Form: v.Record, Renewals: remit.Renewals}
	if v.Record.Contract != nil {
		p.Contract = *v.Record.Contract
	}
	p.Locations = strings.Join(v.Record.DataLocations, "\n")
	var lines []string
	for _, c := range v.Record.Contacts {
		lines = append(lines, strings.TrimRight(c.Name+" | "+c.Email+" | "+c.Role, " |"))
	}
	p.Contacts = strings.Join(lines, "\n")
	lines = nil
	for _, sp := range v.Record.SubProcessors {
		lines = append(lines, strings.TrimRight(strings.Join([]string{sp.Name, sp.Provider, sp.Purpose, sp.Location}, " | "), " |"))
	}
	p.SubProcessors = strings.Join(lines, "\n")
	for _, o := range s.Service.Snapshot().Providers() {
		if o.ID != pr.ID {
			p.Providers = append(p.Providers, option{o.ID, o.Name})
		}
	}
	return p, nil
}

// keptSupplier reads the supplier a form keeps (the path's provider),
// for assessors and admins only.
func (s *server) keptSupplier(r *http.Request) (ProviderSummary, service.SupplierView, error) {
	id := r.PathValue("provider")
	if !user(r).May(remit.ActSignOff, "") {
		return ProviderSummary{}, service.SupplierView{}, fmt.Errorf("supplier records are kept by assessors and admins: %w", remit.ErrForbidden)
	}
	pr, ok := s.Service.Snapshot().Provider(id)
	if !ok {
		return ProviderSummary{}, service.SupplierView{}, notFound("provider", id)
	}
	v, err := s.Service.Supplier(r.Context(), id)
	return ProviderSummary{ID: pr.ID, Name: pr.Name, BuiltIn: pr.BuiltIn}, v, err
}

// pipeFields splits a "a | b | c" line into at most n trimmed fields, the
// last taking what is left.
func pipeFields(line string, n int) []string {
	parts := strings.SplitN(line, "|", n)
	out := make([]string, n)
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out
}

// handleSupplierPost saves the record from the form: every problem shown
// against its field at once, nothing kept until there are none.
func (s *server) handleSupplierPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.supplierForm(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return badForm("the form's version is missing: reload the page and try again")
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	rec := remit.SupplierRecord{TierReason: v("tier_reason")}
	if t := v("tier"); t != "" {
		if rec.Tier, err = strconv.Atoi(t); err != nil {
			rec.Tier = -1
		}
	}
	for _, l := range strings.Split(r.PostFormValue("data_locations"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			rec.DataLocations = append(rec.DataLocations, l)
		}
	}
	for _, l := range strings.Split(r.PostFormValue("contacts"), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		parts := strings.Split(l, "|")
		c := remit.SupplierContact{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			c.Email = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			c.Role = strings.TrimSpace(strings.Join(parts[2:], "|"))
		}
		rec.Contacts = append(rec.Contacts, c)
	}
	for _, l := range strings.Split(r.PostFormValue("sub_processors"), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		f := pipeFields(l, 4)
		rec.SubProcessors = append(rec.SubProcessors, remit.SubProcessor{Name: f[0], Provider: f[1], Purpose: f[2], Location: f[3]})
	}
	// The clauses are kept on their own forms: the record keeps them.
	rec.Clauses = p.View.Record.Clauses
	c := remit.Contract{Reference: v("contract_reference"), Start: v("contract_start"), End: v("contract_end"), Renewal: v("contract_renewal")}
	if n := v("contract_notice_days"); n != "" {
		if c.NoticeDays, err = strconv.Atoi(n); err != nil {
			c.NoticeDays = -1
		}
	}
	if c != (remit.Contract{}) {
		rec.Contract = &c
	}
	p.Form, p.Contract, p.Locations, p.Contacts, p.SubProcessors = rec, c, r.PostFormValue("data_locations"), r.PostFormValue("contacts"), r.PostFormValue("sub_processors")
	_, err = s.Service.SetSupplier(r.Context(), user(r), p.Provider.ID, rec, version)
	var ve *remit.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			field := strings.TrimPrefix(pr.Pointer, "/")
			switch {
			case strings.HasPrefix(field, "contacts"):
				field = "contacts"
			case strings.HasPrefix(field, "data_locations"):
				field = "data_locations"
			case strings.HasPrefix(field, "sub_processors"):
				field = "sub_processors"
			case strings.HasPrefix(field, "contract/"):
				field = "contract_" + strings.TrimPrefix(field, "contract/")
			}
			p.Errors = append(p.Errors, fieldError{field, sentence(pr.Message)})
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "supplier", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/providers/"+url.PathEscape(p.Provider.ID)+"#supplier", "Supplier record for "+p.Provider.Name+" saved")
}
