package oscal

import (
	"os"
	"slices"
	"strings"
	"testing"

	"remit/internal/remit"
)

func readMeasuredFile(t *testing.T, name string, controls map[string][]string) *Measured {
	t.Helper()
	data, err := os.ReadFile("testdata/measured/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMeasured(name, data, controls)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// item finds an item by the end of its uuid.
func item(t *testing.T, m *Measured, suffix string) remit.ProviderFinding {
	t.Helper()
	for _, it := range m.Items {
		if strings.HasSuffix(it.UUID, suffix) {
			return it
		}
	}
	t.Fatalf("no item …%s in %v", suffix, m.Items)
	return remit.ProviderFinding{}
}

func TestReadMeasuredPOAM(t *testing.T) {
	m := readMeasuredFile(t, "poam-2026-10.json", nil)
	if m.Model != remit.MeasuredPOAM || m.Dated != "2026-10-31" || len(m.Items) != 5 {
		t.Fatalf("read %s dated %s with %d items", m.Model, m.Dated, len(m.Items))
	}
	for _, c := range []struct {
		suffix   string
		controls string
		severity remit.Severity
		status   remit.ProviderFindingStatus
		deadline string
	}{
		{"0001", "pe-3", remit.SeverityHigh, remit.ProviderFindingOpen, "2026-12-31"},
		// likelihood moderate, impact high: moderate (SP 800-30 at three levels)
		{"0002", "si-2", remit.SeverityMedium, remit.ProviderFindingOpen, "2026-11-15"},
		{"0003", "sc-8", remit.SeverityLow, remit.ProviderFindingOpen, "2027-03-31"},
		{"0004", "ac-2", remit.SeverityMedium, remit.ProviderFindingDeviation, ""},
		// names a risk the file does not hold, and no control
		{"0005", "", remit.SeverityMedium, remit.ProviderFindingOpen, ""},
	} {
		it := item(t, m, c.suffix)
		if got := strings.Join(it.Controls, ","); got != c.controls || it.Severity != c.severity || it.Status != c.status || it.Deadline != c.deadline {
			t.Errorf("item %s: controls %q severity %s (%s) status %s (%s) deadline %q; want %q %s %s %q",
				c.suffix, got, it.Severity, it.SeverityFrom, it.Status, it.StatusFrom, it.Deadline, c.controls, c.severity, c.status, c.deadline)
		}
	}
	if len(m.Notes) != 1 || !strings.Contains(m.Notes[0], "names risk 1a2b3c4d-0000-4a00-8a00-000000000009, which the file does not hold") {
		t.Errorf("notes %q", m.Notes)
	}
	if it := item(t, m, "0005"); it.SeverityFrom != "no severity stated: taken as medium" {
		t.Errorf("severity of an item with nothing said: %q", it.SeverityFrom)
	}
	// --control names the controls of an item that names none.
	m = readMeasuredFile(t, "poam-2026-10.json", map[string][]string{"2c000000-0000-4000-8000-000000000005": {"ir-6"}})
	if it := item(t, m, "0005"); strings.Join(it.Controls, ",") != "ir-6" {
		t.Errorf("--control gave %v", it.Controls)
	}
}

func TestReadMeasuredResults(t *testing.T) {
	m := readMeasuredFile(t, "results.json", nil)
	if m.Model != remit.MeasuredResults || m.Dated != "2026-09-28" || len(m.Items) != 2 {
		t.Fatalf("read %s dated %s with %d items", m.Model, m.Dated, len(m.Items))
	}
	if it := item(t, m, "00f1"); it.Severity != remit.SeverityHigh || it.Status != remit.ProviderFindingOpen || strings.Join(it.Controls, ",") != "pe-3" || it.Observed != "2026-09-28" {
		t.Errorf("open finding read as %+v", it)
	}
	if it := item(t, m, "00f2"); it.Status != remit.ProviderFindingClosed || it.StatusFrom != "its target is satisfied" {
		t.Errorf("satisfied finding read as %+v", it)
	}
}

func TestReadMeasuredYAML(t *testing.T) {
	m := readMeasuredFile(t, "poam-srm.yaml", nil)
	if len(m.Items) != 2 || strings.Join(item(t, m, "00b1").Controls, ",") != "SRM-01" || item(t, m, "00b2").Severity != remit.SeverityMedium {
		t.Fatalf("read %+v", m.Items)
	}
}

func TestReadMeasuredRefuses(t *testing.T) {
	cat, err := os.ReadFile("testdata/measured/poam-2026-10.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, data string
		controls   map[string][]string
		want       string
	}{
		{"catalogue.json", `{"catalog":{"uuid":"x","metadata":{"title":"t"}}}`, nil, "catalog.json: this is an OSCAL catalog: a provider is measured by its assessment results or its plan of action and milestones (POA&M)"},
		{"empty.json", `{"assessment-results":{"uuid":"u-1","metadata":{"title":"t"},"results":[]}}`, nil, "empty.json:1:24: assessment-results.results: the assessment results hold no result"},
		{"bad.json", "{\"plan-of-action-and-milestones\":{\"poam-items\":[{\"uuid\":1}]}}", nil, "bad.json:1:57: plan-of-action-and-milestones.poam-items.uuid: plan-of-action-and-milestones.poam-items.uuid is a JSON number where OSCAL has a string"},
		{"poam.json", string(cat), map[string][]string{"2c000000-0000-4000-8000-00000000dead": {"ac-1"}}, "poam.json: --control names item 2c000000-0000-4000-8000-00000000dead, which is not in the file"},
	} {
		_, err := ReadMeasured(c.name, []byte(c.data), c.controls)
		if err == nil || !strings.HasPrefix(err.Error(), strings.Replace(c.want, "catalog.json", c.name, 1)) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
}

func TestSeverityCombination(t *testing.T) {
	for _, c := range []struct {
		l, i, want remit.Severity
	}{
		{remit.SeverityLow, remit.SeverityHigh, remit.SeverityLow},
		{remit.SeverityMedium, remit.SeverityHigh, remit.SeverityMedium},
		{remit.SeverityHigh, remit.SeverityHigh, remit.SeverityHigh},
		{remit.SeverityHigh, remit.SeverityCritical, remit.SeverityCritical},
		{remit.SeverityHigh, remit.SeverityLow, remit.SeverityLow},
		{remit.SeverityMedium, remit.SeverityMedium, remit.SeverityMedium},
	} {
		if got := combine(c.l, c.i); got != c.want {
			t.Errorf("likelihood %s, impact %s: %s, want %s", c.l, c.i, got, c.want)
		}
	}
}

// FuzzReadMeasured: any bytes give measurements that hold together or an
// *Error naming the file, never a panic.
func FuzzReadMeasured(f *testing.F) {
	for _, name := range []string{"poam-2026-10.json", "results.json", "poam-srm.yaml"} {
		data, err := os.ReadFile("testdata/measured/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"plan-of-action-and-milestones":{"poam-items":[{"uuid":"a","related-findings":[{"finding-uuid":"b"}]}],"findings":[{"uuid":"b","target":{"target-id":"AC-2(1)"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMeasured("f.json", data, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not an *Error: %T %v", err, err)
			}
			return
		}
		for _, it := range m.Items {
			pf := remit.ProviderFindings{Model: m.Model, Items: []remit.ProviderFinding{it}}
			if ps := pf.Validate(); len(ps) > 0 && it.Title != "" && len(it.Title) < remit.MaxName && len(it.Description) < remit.MaxText {
				t.Fatalf("item %+v does not validate: %v", it, ps)
			}
			if !slices.Contains(remit.Severities, it.Severity) || it.Status == "" {
				t.Fatalf("item %+v has no severity or status", it)
			}
		}
	})
}
