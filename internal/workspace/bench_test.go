package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"remit/internal/synth"
)

// BenchmarkLoadS loads and validates the synthetic S estate (300 systems,
// 150 offerings with 300 statements each, 1,200 controls) from YAML files.
func BenchmarkLoadS(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "s")
	ws := synth.Estate(synth.S, 1)
	if err := Write(dir, ws); err != nil {
		b.Fatal(err)
	}
	var bytes int64
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			bytes += info.Size()
		}
		return nil
	})
	b.SetBytes(bytes)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
