package report

import (
	"encoding/json"
	"strings"
	"testing"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
)

// TestMappedExplainAndJSON: a cell answered through a mapping says so in
// explain (naming the source control, the relationship and the mappings
// file) and in the matrix JSON (row mapped, the contribution's sources),
// and the fast encoder writes exactly what encoding/json does.
func TestMappedExplainAndJSON(t *testing.T) {
	ws := &remit.Workspace{Name: "t",
		Catalogues: []remit.Catalogue{
			{ID: "nist", Title: "NIST", Controls: []remit.Control{{ID: "SI-2", Title: "Flaw remediation", Area: remit.AreaOperatingSystem}}},
			{ID: "ncsc", Title: "NCSC", Controls: []remit.Control{{ID: "P3", Title: "Patching", Statement: "Patch what runs.", Area: remit.AreaOperatingSystem}}},
		},
		Providers: []remit.Provider{{ID: "acme", Name: "Acme", Offerings: []remit.Offering{{ID: "cloud", Name: "Acme Cloud", ServiceModel: remit.PaaS,
			Statements: []remit.Statement{{Control: "nist:SI-2", Class: remit.Inherited, Provider: "Acme patches the platform."}}}}}},
		Systems:  []remit.System{{ID: "s", Name: "S", Baseline: remit.Baseline{Catalogue: "ncsc", All: true}, Uses: []remit.Use{{Offering: "acme/cloud"}}}},
		Mappings: []remit.ControlMappings{{ID: "nist-ncsc", From: "nist", To: "ncsc", Pairs: []remit.ControlPair{{From: "SI-2", To: "P3", Relationship: remit.SubsetOf}}}},
	}
	if ps := remit.Validate(ws); len(ps) > 0 {
		t.Fatal(ps)
	}
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	m := e.Matrix(0)
	got := strings.Join(Explain(e, &m, &m.Cells[0]), "\n")
	for _, want := range []string{
		"ncsc:P3 (Patching) for s (S) is shared, derived through a mapping from statements for other controls.",
		"acme/cloud (Acme Cloud, paas) has published no statement for this control; its statements for nist:SI-2 (subset-of, by mappings/nist-ncsc) are mapped to it, so it is shared, at most shared because they cover it only in part.",
		"The rest of ncsc:P3, which the mapped controls cover only in part: Patch what runs.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain:\n%s\nwant %q", got, want)
		}
	}
	doc := Matrix(e, &m, "")
	want, _ := json.Marshal(doc)
	if fast := AppendMatrix(nil, e, &m, ""); string(fast) != string(want) {
		t.Errorf("fast encoder:\n%s\nencoding/json:\n%s", fast, want)
	}
	if r := doc.Rows[0]; !r.Mapped || r.Assumed || r.Contributions[0].Mapped == nil || r.Contributions[0].Mapped.Sources[0] != (MappedSourceDoc{Control: "nist:SI-2", Relationship: remit.SubsetOf, Mappings: "nist-ncsc"}) || doc.Summary.Mapped != 1 {
		t.Errorf("row %+v", r)
	}
}
