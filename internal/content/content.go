// Package content holds Remit's built-in content: catalogues, provider
// models and the service-model defaults. All of it is written in our own
// words; every summary cites the public source it draws on.
package content

import (
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"

	"remit/internal/checks"
	"remit/internal/remit"
)

//go:embed catalogues/*.yaml providers/*.yaml checks/*.yaml mappings/*.yaml
var files embed.FS

// FS is the built-in content as files: catalogues/<id>.yaml,
// providers/<id>.yaml and mappings/<id>.yaml, in the workspace format.
func FS() fs.FS { return files }

// CatalogueIDs lists the ids of the built-in catalogues, sorted.
func CatalogueIDs() []string { return ids("catalogues") }

// ProviderIDs lists the ids of the built-in provider models, sorted.
func ProviderIDs() []string { return ids("providers") }

// MappingIDs lists the ids of the built-in control mappings, sorted.
func MappingIDs() []string { return ids("mappings") }

func ids(dir string) []string {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		panic("content: embedded folder missing: " + dir) // a build defect, caught by every test
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	slices.Sort(out)
	return out
}

// CheckMappings are the built-in mappings of common checks (Checkov,
// Prowler, Security Hub) onto the built-in catalogues (doc/checks.md),
// one set per file of internal/content/checks.
func CheckMappings() []remit.CheckMappings {
	names, _ := fs.Glob(files, "checks/*.yaml")
	var out []remit.CheckMappings
	for _, n := range names {
		f, err := files.Open(n)
		if err != nil {
			panic("content: " + err.Error())
		}
		ms, err := checks.ReadMappings(n, f)
		f.Close()
		if err != nil {
			panic("content: " + err.Error()) // embedded: TestCheckMappings catches it
		}
		out = append(out, ms)
	}
	return out
}
