package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"remit/internal/remit"
)

// FuzzRequestParts feeds arbitrary text to everything the server parses
// out of a request by hand: If-Match, cursors, Accept-Encoding and the
// client's address. None may panic; each accepts only what it documents.
func FuzzRequestParts(f *testing.F) {
	for _, s := range []string{`"3"`, `W/"0"`, "", "-1", "MTA", "gzip;q=0", "br, gzip", "[::1]:80", "10.0.0.1:1", `"9223372036854775808"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ifMatch(s); err == nil && (v < 0 || !strings.Contains(s, strconv.FormatInt(v, 10))) {
			t.Errorf("ifMatch(%q) = %d", s, v)
		}
		if from, to, next, err := window(s, 50, 120); err == nil {
			if from < 0 || to > 120 || from > to || (next != "" && to == 120) {
				t.Errorf("window(%q) = %d, %d, %q", s, from, to, next)
			}
		}
		_ = acceptsGzip(s)
		_ = remoteAddr(context.WithValue(context.Background(), addrKey, s))
	})
}

// FuzzObligationID looks up arbitrary obligation ids in the example
// estate: a lookup either finds the cell the id names or nothing, and
// never panics.
func FuzzObligationID(f *testing.F) {
	f.Add(obligationID)
	f.Add("prison-visits/srm:SRM-99/aws/ec2/ours")
	f.Add("legacy-fines/srm:SRM-01/*/ours")
	f.Add("/")
	f.Add("")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, id string) {
		sn := fx.svc.Snapshot()
		if o, ok := sn.Obligation(id); ok && o.ID != id {
			t.Errorf("Obligation(%q) found %q", id, o.ID)
		}
		if explain, x, ok := sn.Explained(id); ok {
			oid, err := remit.ParseObligationID(id)
			if err != nil || x.ID != oid.System || len(explain) == 0 || !strings.HasPrefix(explain[0], oid.Control.String()+" ") {
				t.Errorf("Explained(%q) is of %s: %q (%v)", id, x.ID, explain, err)
			}
		}
		_, _ = sn.ObligationTeam(id)
	})
}

// FuzzSafeNext holds the sign-in return address to this site: whatever a
// link carries, the redirect goes to a path here, never to another host.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/systems?team=a", "//evil.example", "/\\evil.example", "https://evil.example", "/sign-in", "", "javascript:alert(1)", "/%2F%2Fevil", "/\t/evil.example", "/%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("safeNext(%q) = %q: not a path on this site", next, got)
		}
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: a safe path must be kept as it is", next, got)
		}
	})
}

// FuzzCompareControls holds the matrix's natural order of control ids to
// being an order: antisymmetric and equal only for equal ids.
func FuzzCompareControls(f *testing.F) {
	f.Add("SRM-2", "SRM-10")
	f.Add("ac-2.1", "ac-2")
	f.Add("a00", "a0")
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := compareControls(a, b), compareControls(b, a)
		if (ab < 0) != (ba > 0) || (ab == 0) != (ba == 0) {
			t.Fatalf("compareControls(%q, %q) = %d but reversed = %d", a, b, ab, ba)
		}
	})
}

// FuzzRiskForm feeds arbitrary text and numbers to what the risk form
// parses: the lines of references (each kind:id, trimmed, blank lines
// skipped, written back and read again unchanged; a bad one is kept for
// validation to name) and the risk's
// validation, which must name a problem for exactly the values outside
// the scale and accept the rest.
func FuzzRiskForm(f *testing.F) {
	f.Add("system:prison-visits\n\n control:srm:SRM-01 \nbogus", "Outage", "supplier", 3, 4, 2, 5, 0)
	f.Add("", "", "weather", -1, 6, 0, 0, 26)
	f.Add("obligation:a/b:c/d/e/ours\r\n:", " ", "legal-regulatory", 0, 0, 5, 5, 25)
	s := remit.DefaultRiskSettings()
	f.Fuzz(func(t *testing.T, refs, title, category string, l, i, rl, ri, target int) {
		parsed := parseRefs(refs)
		for _, r := range parsed {
			if r.Kind != strings.TrimSpace(r.Kind) || r.ID != strings.TrimSpace(r.ID) || strings.Contains(r.Kind, ":") {
				t.Fatalf("parseRefs(%q) gave %+v", refs, r)
			}
		}
		if again := parseRefs(refsText(parsed)); !slices.Equal(again, parsed) {
			t.Fatalf("refs do not read back: %+v then %+v", parsed, again)
		}
		r := remit.Risk{Title: title, Category: category, Inherent: remit.Score{Likelihood: l, Impact: i}, Residual: remit.Score{Likelihood: rl, Impact: ri}, Target: target, Status: remit.RiskOpen}
		ps := r.Validate(s)
		in := func(v, n int) bool { return v >= 0 && v <= n }
		_, known := s.Appetite[category]
		good := strings.TrimSpace(title) != "" && known && in(l, 5) && in(i, 5) && in(rl, 5) && in(ri, 5) && in(target, 25)
		if good != (len(ps) == 0) {
			t.Fatalf("risk %+v: problems %v", r, ps)
		}
	})
}
