package policy

import (
	"os"
	"testing"
)

func BenchmarkParsePlan(b *testing.B) {
	data, err := os.ReadFile("/tmp/plan10k.json")
	if err != nil {
		b.Skip(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := ParseInput("plan.json", "", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseJSONOnly(b *testing.B) {
	data, err := os.ReadFile("/tmp/plan10k.json")
	if err != nil {
		b.Skip(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := parseJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWhole(b *testing.B) {
	data, err := os.ReadFile("/tmp/plan10k.json")
	if err != nil {
		b.Skip(err)
	}
	b.ResetTimer()
	for b.Loop() {
		in, err := ParseInput("plan.json", "", data)
		if err != nil {
			b.Fatal(err)
		}
		e, err := Load(b.Context(), Options{Policies: []string{"../../examples/policy/policy"}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Check(b.Context(), []Input{in}, nil, true); err != nil {
			b.Fatal(err)
		}
	}
}
