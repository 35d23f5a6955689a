package remit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseObligationID(t *testing.T) {
	tests := []struct {
		in      string
		want    ObligationID
		wantErr string
	}{
		{in: "prison-visits/srm:SRM-03/aws/ec2/ours", want: ObligationID{System: "prison-visits", Control: ControlRef{"srm", "SRM-03"}, Offering: OfferingRef{"aws", "ec2"}, Ours: true}},
		{in: "prison-visits/srm:SRM-03/aws/ec2/provider", want: ObligationID{System: "prison-visits", Control: ControlRef{"srm", "SRM-03"}, Offering: OfferingRef{"aws", "ec2"}}},
		{in: "legacy-fines/srm:SRM-01/*/ours", want: ObligationID{System: "legacy-fines", Control: ControlRef{"srm", "SRM-01"}, Ours: true}},
		{in: "legacy-fines/srm:SRM-01/*/provider", wantErr: "is a provider's obligation with no offering"},
		{in: "s/srm:SRM-01/aws/ec2/theirs", wantErr: `ends with neither "ours" nor "provider"`},
		{in: "s/SRM-01/aws/ec2/ours", wantErr: "names no control"},
		{in: "s/srm:SRM-01/aws/ours", wantErr: "has the wrong number of parts"},
		{in: "/srm:SRM-01/aws/ec2/ours", wantErr: "names no system"},
		{in: "s/srm:SRM-01//ec2/ours", wantErr: "names no offering"},
		{in: "", wantErr: "has the wrong number of parts"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseObligationID(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseObligationID(%q) = %v, %v; want an error saying %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseRefs(t *testing.T) {
	for _, bad := range []string{"", "aws", "/ec2", "aws/", "aws/ec2/x"} {
		if _, err := ParseOfferingRef(bad); err == nil || !strings.Contains(err.Error(), "is not provider/offering") {
			t.Errorf("ParseOfferingRef(%q): %v, want refused", bad, err)
		}
	}
	for _, bad := range []string{"", "srm", ":SRM-01", "srm:"} {
		if _, err := ParseControlRef(bad); err == nil || !strings.Contains(err.Error(), "is not catalogue:control") {
			t.Errorf("ParseControlRef(%q): %v, want refused", bad, err)
		}
	}
	if r, err := ParseControlRef("nist:ac-2:1"); err != nil || r != (ControlRef{"nist", "ac-2:1"}) {
		t.Errorf("ParseControlRef(nist:ac-2:1) = %v, %v", r, err)
	}
}

// FuzzParseIDs checks that whatever each parser accepts it writes back
// exactly as it read it, so one id never has two spellings.
func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"aws/ec2", "srm:SRM-01", "prison-visits/srm:SRM-03/aws/ec2/ours", "a/b:c/*/ours", "a/b:c/d/e/provider", "x//y", "::", "*/*/*/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseOfferingRef(s); err == nil && r.String() != s {
			t.Errorf("offering %q read as %#v, written %q", s, r, r.String())
		}
		if r, err := ParseControlRef(s); err == nil && r.String() != s {
			t.Errorf("control %q read as %#v, written %q", s, r, r.String())
		}
		if id, err := ParseObligationID(s); err == nil && id.String() != s {
			t.Errorf("obligation %q read as %#v, written %q", s, id, id.String())
		}
	})
}
