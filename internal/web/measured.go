package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
)

// handleProviderFindingsGet lists what the provider's own POA&M and
// assessment results say of an offering, each with its version (quote it
// as If-Match to import the next one).
func (s *server) handleProviderFindingsGet(w http.ResponseWriter, r *http.Request) error {
	ref := remit.OfferingRef{Provider: r.PathValue("provider"), Offering: r.PathValue("offering")}.String()
	sn := s.Service.Snapshot()
	if _, ok := sn.Offering(ref); !ok {
		return fmt.Errorf("offering %q: %w", ref, remit.ErrNotFound)
	}
	type doc struct {
		*remit.ProviderFindings
		Version int64 `json:"version"`
	}
	out := struct {
		Offering  string                 `json:"offering"`
		Open      map[remit.Severity]int `json:"open"`
		Documents []doc                  `json:"documents"`
	}{Offering: ref, Open: sn.OpenProviderFindings(ref), Documents: []doc{}}
	for _, pf := range sn.ProviderFindings(ref) {
		v, _ := sn.Version(service.KindProviderFindings, pf.ID())
		out.Documents = append(out.Documents, doc{pf, v})
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(out)
}

// handleProviderFindingsImport measures an offering's provider by its own
// OSCAL POA&M or assessment results sent as the body (JSON or YAML):
// ?catalogue= the controls' catalogue, ?control=ITEM-UUID=CONTROL[,…]
// (repeated) for items naming none, ?dry_run=true for the plan alone.
// If-Match is the version of the offering's findings of that model, or
// "0" for the first import.
func (s *server) handleProviderFindingsImport(w http.ResponseWriter, r *http.Request) error {
	p := user(r)
	if !p.May(remit.ActAssess, "") {
		return fmt.Errorf("%s may not measure a provider: %w", p.Role.Article(), remit.ErrForbidden)
	}
	in, err := readImport(w, r, "an OSCAL document", "catalogue", "control")
	if err != nil {
		return err
	}
	q, dryRun, version, data := in.query, in.dryRun, in.version, in.body
	controls := map[string][]string{}
	for _, c := range q["control"] {
		uuid, list, ok := strings.Cut(c, "=")
		if !ok || uuid == "" || strings.Trim(list, ", ") == "" {
			return badForm(fmt.Sprintf("control %q: write ITEM-UUID=CONTROL[,CONTROL]", c))
		}
		for _, id := range strings.Split(list, ",") {
			if id = strings.TrimSpace(id); id != "" {
				controls[uuid] = append(controls[uuid], id)
			}
		}
	}
	ref := remit.OfferingRef{Provider: r.PathValue("provider"), Offering: r.PathValue("offering")}.String()
	m, err := oscal.ReadMeasured("body", data, controls)
	if err != nil {
		return err
	}
	plan, err := s.Service.ImportProviderFindings(r.Context(), p, ref, q.Get("catalogue"), m, version, dryRun)
	if err != nil {
		return err
	}
	if !dryRun {
		w.Header().Set("ETag", etag(plan.Version))
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(plan)
}

// handleSystemSSPImport makes a system of the estate from its own OSCAL
// SSP sent as the body (JSON or YAML), under the path's id:
// ?catalogue=, ?team=, ?offering=COMPONENT=PROVIDER/OFFERING (repeated),
// ?dry_run=true for the plan alone. If-Match is the system's ETag, or "0"
// to create it.
func (s *server) handleSystemSSPImport(w http.ResponseWriter, r *http.Request) error {
	p := user(r)
	if !p.MayAny(remit.ActEditSystem) {
		return fmt.Errorf("%s may not change systems: %w", p.Role.Article(), remit.ErrForbidden)
	}
	req, err := readImport(w, r, "a system security plan", "catalogue", "team", "offering")
	if err != nil {
		return err
	}
	q, dryRun, version, data := req.query, req.dryRun, req.version, req.body
	in := service.SSPImport{ID: r.PathValue("id"), Team: q.Get("team"), Catalogue: q.Get("catalogue"), Offerings: map[string]string{}}
	for _, o := range q["offering"] {
		title, ref, ok := strings.Cut(o, "=")
		if _, err := remit.ParseOfferingRef(ref); !ok || title == "" || err != nil {
			return badForm(fmt.Sprintf("offering %q: write COMPONENT=PROVIDER/OFFERING, the component's title and the offering it is", o))
		}
		in.Offerings[title] = ref
	}
	l, err := oscal.ReadLeveraging("body", data)
	if err != nil {
		return err
	}
	plan, err := s.Service.ImportSystemSSP(r.Context(), p, l, in, version, dryRun)
	if err != nil {
		return err
	}
	if !dryRun {
		w.Header().Set("ETag", etag(plan.Version))
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(plan)
}

// importRequest is what an import route reads before its own work: the
// query (only the parameters named, and dry_run), whether it is a dry run,
// the version quoted (If-Match, not needed on a dry run) and the body.
type importRequest struct {
	query   url.Values
	dryRun  bool
	version int64
	body    []byte
}

func readImport(w http.ResponseWriter, r *http.Request, what string, params ...string) (importRequest, error) {
	q := r.URL.Query()
	params = append(params, "dry_run")
	for k := range q {
		if !slices.Contains(params, k) {
			return importRequest{}, badForm(fmt.Sprintf("query parameter %q is not known: use %s", k, strings.Join(params, ", ")))
		}
	}
	in := importRequest{query: q, dryRun: q.Get("dry_run") == "true"}
	if d := q.Get("dry_run"); d != "" && d != "true" && d != "false" {
		return importRequest{}, badForm(fmt.Sprintf("dry_run %q: use true or false", d))
	}
	var err error
	if !in.dryRun {
		if in.version, err = ifMatch(r.Header.Get("If-Match")); err != nil {
			return importRequest{}, err
		}
	}
	in.body, err = readBody(w, r, maxMatrix, what)
	return in, err
}
