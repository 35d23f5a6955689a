package oscal

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkReadModerate reads NIST's MODERATE resolved catalogue (3.9 MB)
// and reports the heap it allocates: an upper bound on its peak above the
// baseline.
func BenchmarkReadModerate(b *testing.B) {
	path, data := nist(b, "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var keep *Catalog
	b.ResetTimer()
	for range b.N {
		c, err := ReadCatalog(path, data)
		if err != nil {
			b.Fatal(err)
		}
		keep = c
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
	runtime.KeepAlive(keep)
}

// BenchmarkReadModerateYAML reads the same catalogue in OSCAL's YAML form
// (turned into JSON, then read as JSON), and writes it as YAML.
func BenchmarkReadModerateYAML(b *testing.B) {
	path, data := nist(b, "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	y, err := ToYAML(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := ReadCatalog(path+".yaml", y); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := ToYAML(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkResolveHigh resolves NIST's HIGH profile (370 controls) against
// the HIGH resolved catalogue, reading the profile each time.
func BenchmarkResolveHigh(b *testing.B) {
	path, data := nist(b, "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json")
	high, err := ReadCatalog(path, data)
	if err != nil {
		b.Fatal(err)
	}
	ppath, pdata := nist(b, "NIST_SP-800-53_rev5_HIGH-baseline_profile.json")
	now := time.Now()
	b.ResetTimer()
	for range b.N {
		p, err := ReadProfile(ppath, pdata)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Resolve(p, func(string) (*Catalog, error) { return high, nil }, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportModerate reads NIST's MODERATE resolved catalogue and
// makes it a Remit catalogue (what remit catalogue import does before
// writing), reporting the heap it allocates.
func BenchmarkImportModerate(b *testing.B) {
	path, data := nist(b, "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		c, err := ReadCatalog(path, data)
		if err != nil {
			b.Fatal(err)
		}
		if _, rep := ToCatalogue(c, "nist-moderate"); rep.Controls != 287 {
			b.Fatal(rep.Controls)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
}
