package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/remit"
	"remit/internal/synth"
	"remit/internal/workspace"
)

// TestEncoderMatchesEncodingJSON holds the fast encoder to the documented
// contract: for every system and every class filter, its bytes are those
// encoding/json writes for the MatrixDoc.
func TestEncoderMatchesEncodingJSON(t *testing.T) {
	example, err := workspace.Load("../../examples/justice")
	if err != nil {
		t.Fatal(err)
	}
	// Text that needs escaping, in every kind of field.
	odd := `<b>"Tom & Jerry"</b> \ café – line` + "\u2028break\tand tab"
	example.Systems[0].Name = odd
	example.Catalogues[0].Controls[0].Title = odd
	example.Providers[0].Offerings[0].Statements[0].Provider = odd
	example.Providers[0].Offerings[0].Name = odd
	small := synth.Shape{Name: "T", Systems: 40, Offerings: 12, Controls: 150, Baseline: 60, Uses: 4, Statements: 50, PerProvider: 3}
	for name, ws := range map[string]*remit.Workspace{"example": example, "synthetic": synth.Estate(small, 3)} {
		e, err := engine.New(ws, content.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		for _, class := range append([]remit.Class{""}, remit.Classes...) {
			for si := range int32(e.NumSystems()) {
				m := e.Matrix(int32(si))
				want, err := json.Marshal(Matrix(e, &m, class))
				if err != nil {
					t.Fatal(err)
				}
				if got := AppendMatrix(nil, e, &m, class); !bytes.Equal(want, got) {
					t.Fatalf("%s, system %s, class %q: AppendMatrix differs from encoding/json\nwant %.400s\ngot  %.400s", name, e.System(si).System.ID, class, want, got)
				}
			}
		}
	}
}

func BenchmarkAppendMatrix(b *testing.B) {
	e, err := engine.New(synth.Estate(synth.S, 1), content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	i := 0
	for b.Loop() {
		m := e.Matrix(int32(i % e.NumSystems()))
		buf = AppendMatrix(buf[:0], e, &m, "")
		i++
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkEncodingJSON(b *testing.B) {
	e, err := engine.New(synth.Estate(synth.S, 1), content.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		m := e.Matrix(int32(i % e.NumSystems()))
		out, _ := json.Marshal(Matrix(e, &m, ""))
		b.SetBytes(int64(len(out)))
		i++
	}
}
