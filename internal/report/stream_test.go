package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"remit/internal/content"
	"remit/internal/engine"
	"remit/internal/synth"
)

// TestStreamedObligationsAreByteIdentical writes the S estate's
// obligations, ours and the providers', in every format, streamed and as
// the collected list was written before: the bytes must be the same.
func TestStreamedObligationsAreByteIdentical(t *testing.T) {
	ws := synth.Estate(synth.S, 1)
	e, err := engine.New(ws, content.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	// Forty systems of it, so the test stays quick under the race
	// detector; the code paths are the same for every system.
	some := make([]int32, 40)
	for i := range some {
		some[i] = int32(i * 7)
	}
	for _, party := range []Party{PartyOurs, PartyProviders} {
		all := Obligations(e, some, party)
		if got := slices.Collect(EachObligation(e, some, party)); !slices.Equal(got, all) {
			t.Fatalf("%s: EachObligation yields %d obligations, Obligations lists %d", party, len(got), len(all))
		}
		for _, format := range Formats {
			var want, got bytes.Buffer
			if err := WriteObligations(&want, all, format); err != nil {
				t.Fatal(err)
			}
			if err := StreamObligations(&got, EachObligation(e, some, party), format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Errorf("%s, %s: streamed output (%d bytes) differs from the collected list's (%d bytes)", party, format, got.Len(), want.Len())
			}
		}
		var want, got bytes.Buffer
		WriteObligations(&want, []ObligationDoc{}, "json")
		StreamObligations(&got, EachObligation(e, []int32{}, party), "json")
		if want.String() != got.String() {
			t.Errorf("no obligations as JSON: %q, want %q", got.String(), want.String())
		}
	}
}

// FuzzObligationJSON: any texts encode to the bytes encoding/json writes.
func FuzzObligationJSON(f *testing.F) {
	f.Add("a/b", "sys", "", "srm:SRM-01", "Title", "ours", "", "Do \"it\"\n\t\x01\u2028 <b>&", true, false)
	f.Add("x", "\xff\xfe", "team", "c", "t", "aws", "aws/ec2", "", false, true)
	f.Fuzz(func(t *testing.T, id, system, team, control, title, party, offering, text string, assumed, mapped bool) {
		o := ObligationDoc{ID: id, System: system, Team: team, Control: control, Title: title, Party: party, Offering: offering, Text: text, Assumed: assumed, Mapped: mapped}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("  ", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(o); err != nil {
			t.Fatal(err)
		}
		if got := appendObligationJSON(nil, o); string(got)+"\n" != want.String() {
			t.Fatalf("got  %q\nwant %q", got, want.String())
		}
	})
}
