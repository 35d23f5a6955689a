package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"testing"

	"remit/internal/service"
)

// TestGzippedMatrices: the warmer keeps every system's full matrix, each
// the gzip of exactly the documented JSON; a change to a system replaces
// its matrix on the next read (and a reader of an older snapshot does not
// put the old one back), a deleted system's is dropped, and the bytes
// counted are the bytes kept.
func TestGzippedMatrices(t *testing.T) {
	f := newFixture(t)
	var g gzippedMatrices
	sn := f.svc.Snapshot()
	g.warm(sn)
	systems := 0
	for range sn.Systems() {
		systems++
	}
	n, size := g.size()
	if n != systems || systems == 0 {
		t.Fatalf("warm kept %d matrices of %d systems", n, systems)
	}
	var sum int64
	for id, slot := range g.slots {
		sum += int64(len(slot.body))
		want, _, _ := sn.AppendMatrix(nil, id, "")
		if got := gunzip(t, slot.body); !bytes.Equal(got, want) {
			t.Fatalf("%s: kept matrix differs from the documented JSON", id)
		}
	}
	if sum != size {
		t.Errorf("counted %d bytes, kept %d", size, sum)
	}

	// A system changes: the next read makes its matrix again.
	before, err := g.get(sn, "prison-visits")
	if err != nil {
		t.Fatal(err)
	}
	x, _, ok := sn.System("prison-visits")
	if !ok {
		t.Fatal("no prison-visits")
	}
	changed := *x
	changed.Uses = changed.Uses[:len(changed.Uses)-1]
	v, _ := sn.Version(service.KindSystem, "prison-visits")
	if _, err := f.svc.PutSystem(context.Background(), testAdmin, changed, v); err != nil {
		t.Fatal(err)
	}
	next := f.svc.Snapshot()
	after, err := g.get(next, "prison-visits")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := next.AppendMatrix(nil, "prison-visits", "")
	if bytes.Equal(before, after) || !bytes.Equal(gunzip(t, after), want) {
		t.Error("the kept matrix did not follow the change")
	}
	if _, err := g.get(sn, "prison-visits"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.slots["prison-visits"].body, after) {
		t.Error("a reader of an older snapshot put its older matrix back")
	}

	// A deleted system's matrix is dropped when it is next asked for.
	v, _ = next.Version(service.KindSystem, "prison-visits")
	if err := f.svc.DeleteSystem(context.Background(), testAdmin, "prison-visits", v); err != nil {
		t.Fatal(err)
	}
	if body, err := g.get(f.svc.Snapshot(), "prison-visits"); err != nil || body != nil {
		t.Fatalf("deleted system: %d bytes, %v", len(body), err)
	}
	n, size = g.size()
	if _, kept := g.slots["prison-visits"]; kept || n != systems-1 || size != sum-int64(len(before)) {
		t.Errorf("after the delete: %d matrices, %d bytes, want %d and %d (kept: %v)", n, size, systems-1, sum-int64(len(before)), kept)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
