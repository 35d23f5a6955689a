package matrixin

import (
	"strings"
	"testing"
)

// FuzzReadCSV: any text and mapping is read or refused with problems
// naming rows within the text; rows read become statements or problems.
func FuzzReadCSV(f *testing.F) {
	f.Add("control=A,class=B,provider=C,customer=D", "IAM-01,shared,a,b\n")
	f.Add("control=Control ID,class=Responsibility", "Control ID,Responsibility\nA&A-01,csp\n\"x,y\n")
	f.Add("control=c,class=k,sheet=s", "c,k\n,\n\xef\xbb\xbf")
	f.Fuzz(func(t *testing.T, mapping, text string) {
		m, err := ParseMapping(mapping)
		if err != nil {
			return
		}
		rows, ps := ReadCSV([]byte(text), m)
		lines := strings.Count(text, "\n") + 1
		for _, p := range ps {
			if p.Row < 0 || p.Row > lines+1 {
				t.Fatalf("problem on row %d of %d: %v", p.Row, lines, p)
			}
		}
		sts, ps := Statements(rows, ccm, strings.Contains(mapping, "caiq"))
		if len(ps) > 0 && sts != nil {
			t.Fatal("statements and problems both")
		}
		for _, st := range sts {
			if !st.Class.Valid() || !strings.HasPrefix(st.Control, "ccm:") {
				t.Fatalf("bad statement %+v", st)
			}
		}
	})
}

// FuzzReadXLSX: any bytes are read as a workbook or refused, never a
// panic.
func FuzzReadXLSX(f *testing.F) {
	f.Add(caiqBookBytes())
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, ps := ReadXLSX(data, CAIQ)
		if len(ps) == 0 {
			_, _ = Statements(rows, ccm, true)
		}
	})
}
