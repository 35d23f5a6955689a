package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"remit/internal/engine"
	"remit/internal/live"
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
		fx.model.View(func(c *engine.Cache, _ map[string]remit.TrackedObligation) {
			m, cell, ok := live.Cell(c, id)
			if !ok {
				return
			}
			sysID, rest, _ := strings.Cut(id, "/")
			ctl, _, _ := strings.Cut(rest, "/")
			if c.Estate.Systems[m.System].System.ID != sysID || c.Estate.Controls[cell.Control].Ref != ctl {
				t.Errorf("Cell(%q) found %s %s", id, c.Estate.Systems[m.System].System.ID, c.Estate.Controls[cell.Control].Ref)
			}
		})
		_, _ = fx.model.ObligationTeam(id)
	})
}
