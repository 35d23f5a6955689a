package web

import (
	"bytes"
	"compress/gzip"
	"sync"
	"sync/atomic"

	"remit/internal/service"
)

// Every system's full matrix, gzipped, is kept once per matrix stamp: a
// slot per system, so the cache is as large as the estate (about 16 KB a
// system: 320 MB for 20,000), never a window over part of it that random
// reads keep missing. A warmer fills it in the background after start and
// after each rebuild; a request that finds its slot empty or stale makes
// it. Rarer forms (a class filter, no gzip) use the smaller LRU cache.
type gzippedMatrices struct {
	mu    sync.RWMutex
	epoch uint64
	slots map[string]stamped
	bytes atomic.Int64
	// warming is the epoch a warmer runs for, so one runs at a time.
	warming atomic.Uint64
}

func (g *gzippedMatrices) get(sn *service.Snapshot, id string) ([]byte, error) {
	epoch, stamp, ok := sn.MatrixStamp(id)
	if !ok {
		g.drop(epoch, id) // deleted since it was kept
		return nil, nil
	}
	g.mu.RLock()
	hit, found := g.slots[id]
	current := g.epoch == epoch
	g.mu.RUnlock()
	if current && found && hit.stamp == stamp {
		return hit.body, nil
	}
	body, made, err := gzippedMatrix(sn, id)
	if err != nil {
		return nil, err
	}
	g.put(epoch, id, made, body)
	return body, nil
}

func (g *gzippedMatrices) put(epoch uint64, id string, stamp uint64, body []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.epoch < epoch || g.slots == nil:
		g.epoch, g.slots = epoch, map[string]stamped{}
		g.bytes.Store(0)
	case g.epoch > epoch:
		return // made from an older snapshot than the cache holds
	}
	if old, ok := g.slots[id]; ok {
		if old.stamp > stamp {
			return
		}
		g.bytes.Add(-int64(len(old.body)))
	}
	g.slots[id] = stamped{stamp: stamp, body: body}
	g.bytes.Add(int64(len(body)))
}

// drop forgets a system that epoch's snapshot no longer has.
func (g *gzippedMatrices) drop(epoch uint64, id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if old, ok := g.slots[id]; ok && g.epoch == epoch {
		delete(g.slots, id)
		g.bytes.Add(-int64(len(old.body)))
	}
}

// size is how many systems' matrices are kept, and their bytes.
func (g *gzippedMatrices) size() (systems int, bytes int64) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.slots), g.bytes.Load()
}

// warm fills every empty or stale slot of sn's systems, one at a time, so
// it takes no more than a core from requests; it stops early when a newer
// epoch's warmer takes over.
func (g *gzippedMatrices) warm(sn *service.Snapshot) {
	epoch := sn.Epoch()
	for {
		cur := g.warming.Load()
		if cur >= epoch {
			return
		}
		if g.warming.CompareAndSwap(cur, epoch) {
			break
		}
	}
	for x := range sn.Systems() {
		if g.warming.Load() != epoch {
			return
		}
		if _, err := g.get(sn, x.ID); err != nil {
			return
		}
	}
}

// compressors are reused: each holds about a megabyte of tables. The
// default level halves what the fastest keeps (an L system's matrix: 16 KB
// rather than 32 KB, for 2.5 ms rather than 0.9 ms of a core), and the
// cache holds every system's.
var compressors = sync.Pool{New: func() any { zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return zw }}

// encodings are reused buffers for a matrix's JSON before it is gzipped.
var encodings = sync.Pool{New: func() any { return new([]byte) }}

// gzippedMatrix encodes and gzips a system's full matrix, returning the
// stamp of the matrix it read.
func gzippedMatrix(sn *service.Snapshot, id string) ([]byte, uint64, error) {
	buf := encodings.Get().(*[]byte)
	defer encodings.Put(buf)
	raw, stamp, _ := sn.AppendMatrix((*buf)[:0], id, "")
	*buf = raw
	var out bytes.Buffer
	out.Grow(len(raw) / 12)
	zw := compressors.Get().(*gzip.Writer)
	defer compressors.Put(zw)
	zw.Reset(&out)
	if _, err := zw.Write(raw); err != nil {
		return nil, 0, err
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return bytes.Clone(out.Bytes()), stamp, nil
}
