package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"remit/internal/matrixin"
	"remit/internal/oscal"
	"remit/internal/remit"
)

// sendDocument answers a document as a download.
// sendOSCAL answers an OSCAL document as a download, declaring the OSCAL
// version ?oscal_version= asks for (1.1.3 by default), as JSON or, with
// ?format=yaml or xml, YAML or XML.
func (s *server) sendOSCAL(w http.ResponseWriter, r *http.Request, doc []byte, name string) error {
	q := r.URL.Query()
	doc, err := oscal.Render(doc, q.Get("oscal_version"), q.Get("format"))
	if err != nil {
		return badForm(err.Error())
	}
	switch q.Get("format") {
	case "yaml":
		return s.sendDocument(w, doc, "application/yaml", strings.TrimSuffix(name, ".json")+".yaml")
	case "xml":
		return s.sendDocument(w, doc, "application/xml", strings.TrimSuffix(name, ".json")+".xml")
	}
	return s.sendDocument(w, doc, "application/json", name)
}

func (s *server) sendDocument(w http.ResponseWriter, data []byte, mediaType, name string) error {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	h.Set("Cache-Control", "private, no-store")
	_, err := w.Write(data)
	return err
}

func (s *server) day() string { return s.Now().UTC().Format(time.DateOnly) }

func (s *server) handleSSPExport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	doc, err := s.Service.Snapshot().SSP(id, s.Now())
	if err != nil {
		return err
	}
	return s.sendOSCAL(w, r, doc, fmt.Sprintf("ssp-%s-%s.json", id, s.day()))
}

func (s *server) handleCRMExport(w http.ResponseWriter, r *http.Request) error {
	id, format := r.PathValue("id"), r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		return badForm(fmt.Sprintf("format %q is not known: use xlsx or csv", format))
	}
	data, typ, ext, err := s.Service.Snapshot().CRM(id, format, s.Now())
	if err != nil {
		return err
	}
	return s.sendDocument(w, data, typ, fmt.Sprintf("responsibility-matrix-%s-%s.%s", id, s.day(), ext))
}

func (s *server) handleComponentDefinitionExport(w http.ResponseWriter, r *http.Request) error {
	ref := remit.OfferingRef{Provider: r.PathValue("provider"), Offering: r.PathValue("offering")}.String()
	doc, err := s.Service.Snapshot().ComponentDefinition(ref, s.Now())
	if err != nil {
		return err
	}
	return s.sendOSCAL(w, r, doc, fmt.Sprintf("component-definition-%s-%s.json", strings.ReplaceAll(ref, "/", "-"), s.day()))
}

func (s *server) handleAssessmentResultsExport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	doc, err := s.Service.AssessmentResults(r.Context(), id, s.Now())
	if err != nil {
		return err
	}
	return s.sendOSCAL(w, r, doc, fmt.Sprintf("assessment-results-%s.json", id))
}

func (s *server) handlePOAMExport(w http.ResponseWriter, r *http.Request) error {
	system := r.URL.Query().Get("system")
	doc, err := s.Service.POAM(r.Context(), system, s.Now())
	if err != nil {
		return err
	}
	name := "poam-" + s.day() + ".json"
	if system != "" {
		name = "poam-" + system + "-" + s.day() + ".json"
	}
	return s.sendOSCAL(w, r, doc, name)
}

// handleOfferingImport makes an offering's statements those of a
// provider's matrix sent as the body: ?format=oscal-ssp|component-
// definition|csv|xlsx|caiq, &catalogue=, &map= for csv and xlsx, and for a
// new offering &service_model=, &name=, &provider_name=. If-Match is the
// offering's ETag, or "0" to create it.
func (s *server) handleOfferingImport(w http.ResponseWriter, r *http.Request) error {
	p := user(r)
	if !p.May(remit.ActEditModel, "") {
		return fmt.Errorf("%s may not change provider models: %w", p.Role.Article(), remit.ErrForbidden)
	}
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"format", "catalogue", "map", "service_model", "name", "provider_name"}, k) {
			return badForm(fmt.Sprintf("query parameter %q is not known: use format, catalogue, map, service_model, name and provider_name", k))
		}
	}
	format := q.Get("format")
	if !slices.Contains(matrixin.Formats, format) {
		return badForm(fmt.Sprintf("format %q is not known: use %s", format, strings.Join(matrixin.Formats, ", ")))
	}
	var m matrixin.Mapping
	switch {
	case matrixin.NeedsMapping(format):
		var err error
		if m, err = matrixin.ParseMapping(q.Get("map")); err != nil {
			return badForm(strings.TrimPrefix(err.Error(), "--"))
		}
	case format == "component-definition":
		var err error
		if m, err = matrixin.ParseComponentMapping(q.Get("map")); err != nil {
			return badForm(strings.TrimPrefix(err.Error(), "--"))
		}
	}
	version, err := ifMatch(r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	data, err := readBody(w, r, maxMatrix, "a provider's matrix")
	if err != nil {
		return err
	}
	ref := remit.OfferingRef{Provider: r.PathValue("provider"), Offering: r.PathValue("offering")}.String()
	var cat remit.Catalogue
	if matrixin.NeedsCatalogue(format) || q.Get("catalogue") != "" {
		c, ok := s.Service.Snapshot().Catalogue(q.Get("catalogue"))
		if !ok {
			return badForm(fmt.Sprintf("catalogue %q is not known: name the catalogue the matrix's controls are in", q.Get("catalogue")))
		}
		cat = *c
	}
	sts, assumed, err := matrixin.Read(format, "body", data, m, cat, s.Service.DefaultClasses(ref, remit.ServiceModel(q.Get("service_model"))))
	if err != nil {
		return err
	}
	_, v, err := s.Service.ImportOffering(r.Context(), p, ref, sts, remit.NewOffering{ProviderName: q.Get("provider_name"), Name: q.Get("name"), ServiceModel: remit.ServiceModel(q.Get("service_model"))}, version, false)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(v))
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"offering": ref, "statements": len(sts), "assumed": assumed})
}

// importProblem answers a matrix's or document's problems as a 422 with
// each named.
func importProblem(w http.ResponseWriter, err error) bool {
	var me *matrixin.Error
	var oe *oscal.Error
	var list []map[string]string
	switch {
	case errors.As(err, &me):
		for _, p := range me.Problems {
			list = append(list, map[string]string{"location": "body", "message": p.String()})
		}
	case errors.As(err, &oe):
		list = append(list, map[string]string{"location": "body", "message": oe.Error()})
	default:
		return false
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": "Unprocessable Entity", "status": 422, "detail": "the matrix has problems; each is listed with where it is; nothing was written", "errors": list})
	return true
}

// readBody reads a request's body of at most limit bytes: a body too big
// is 413 naming what is expected (what), one that cannot be read 400.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d MiB: %s is far smaller", limit>>20, what))
		}
		return nil, badForm("the body could not be read: " + err.Error())
	}
	return data, nil
}
