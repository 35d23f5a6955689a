package web

import (
	"encoding/json"
	"fmt"
	"net/http"
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
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"catalogue", "control", "dry_run"}, k) {
			return badForm(fmt.Sprintf("query parameter %q is not known: use catalogue, control and dry_run", k))
		}
	}
	dryRun := q.Get("dry_run") == "true"
	if d := q.Get("dry_run"); d != "" && d != "true" && d != "false" {
		return badForm(fmt.Sprintf("dry_run %q: use true or false", d))
	}
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
	var version int64
	if !dryRun {
		var err error
		if version, err = ifMatch(r.Header.Get("If-Match")); err != nil {
			return err
		}
	}
	data, err := readBody(w, r, maxMatrix, "an OSCAL document")
	if err != nil {
		return err
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
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"catalogue", "team", "offering", "dry_run"}, k) {
			return badForm(fmt.Sprintf("query parameter %q is not known: use catalogue, team, offering and dry_run", k))
		}
	}
	dryRun := q.Get("dry_run") == "true"
	if d := q.Get("dry_run"); d != "" && d != "true" && d != "false" {
		return badForm(fmt.Sprintf("dry_run %q: use true or false", d))
	}
	in := service.SSPImport{ID: r.PathValue("id"), Team: q.Get("team"), Catalogue: q.Get("catalogue"), Offerings: map[string]string{}}
	for _, o := range q["offering"] {
		title, ref, ok := strings.Cut(o, "=")
		if _, err := remit.ParseOfferingRef(ref); !ok || title == "" || err != nil {
			return badForm(fmt.Sprintf("offering %q: write COMPONENT=PROVIDER/OFFERING, the component's title and the offering it is", o))
		}
		in.Offerings[title] = ref
	}
	var version int64
	if !dryRun {
		var err error
		if version, err = ifMatch(r.Header.Get("If-Match")); err != nil {
			return err
		}
	}
	data, err := readBody(w, r, maxMatrix, "a system security plan")
	if err != nil {
		return err
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
