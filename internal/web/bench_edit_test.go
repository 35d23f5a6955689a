package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchEdit sends one request built by next per iteration, one after
// another, each quoting the ETag the last answer gave, and reports the
// 50th and 99th percentile latency. Allocation figures (-benchmem) cover
// the client and the server alike: both run in this process.
func benchEdit(b *testing.B, next func(i int, etag string) *http.Request, etag string) {
	client := &http.Client{}
	latencies := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := next(i, etag)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		latencies = append(latencies, time.Since(t0))
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, body)
		}
		etag = resp.Header.Get("ETag")
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
	b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
}

// benchGet reads a resource and returns its body and ETag.
func benchGet(b *testing.B, bs *benchServer, path string) ([]byte, string) {
	req, _ := http.NewRequest("GET", bs.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+bs.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body, resp.Header.Get("ETag")
}

func (bs *benchServer) request(method, path, etag, body string) *http.Request {
	req, _ := http.NewRequest(method, bs.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bs.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", etag)
	return req
}

// BenchmarkSystemPut changes one system's owner through the API, again and
// again: validated, stored with its audit record, its matrix recomputed.
func BenchmarkSystemPut(b *testing.B) {
	bs := startBench(b)
	id := bs.systems[len(bs.systems)/2]
	body, etag := benchGet(b, bs, "/api/v1/systems/"+id)
	var sys map[string]any
	if err := json.Unmarshal(body, &sys); err != nil {
		b.Fatal(err)
	}
	for _, k := range []string{"summary", "$schema"} {
		delete(sys, k)
	}
	benchEdit(b, func(i int, etag string) *http.Request {
		sys["owner"] = fmt.Sprintf("Owner %d", i)
		out, _ := json.Marshal(sys)
		return bs.request("PUT", "/api/v1/systems/"+id, etag, string(out))
	}, etag)
}

// BenchmarkUseAttach attaches an offering to one system and detaches it
// again, in turn.
func BenchmarkUseAttach(b *testing.B) {
	bs := startBench(b)
	id := bs.systems[len(bs.systems)/3]
	body, etag := benchGet(b, bs, "/api/v1/systems/"+id)
	var sys struct {
		Uses []struct{ Offering string } `json:"uses"`
	}
	if err := json.Unmarshal(body, &sys); err != nil {
		b.Fatal(err)
	}
	// An offering the system does not use yet.
	off := ""
	for _, o := range bs.offerings {
		if !slices.ContainsFunc(sys.Uses, func(u struct{ Offering string }) bool { return u.Offering == o }) {
			off = o
			break
		}
	}
	benchEdit(b, func(i int, etag string) *http.Request {
		method := "PUT"
		if i%2 == 1 {
			method = "DELETE"
		}
		return bs.request(method, "/api/v1/systems/"+id+"/uses/"+off, etag, `{"purpose":"benchmark"}`)
	}, etag)
}

// BenchmarkStatementPut changes one statement of an offering many systems
// use: stored with its audit record and a new model version, and the
// systems using the offering recomputed.
func BenchmarkStatementPut(b *testing.B) {
	bs := startBench(b)
	prov, offID, _ := strings.Cut(bs.offerings[0], "/")
	path := "/api/v1/providers/" + prov + "/offerings/" + offID
	body, etag := benchGet(b, bs, path)
	var o struct {
		Statements []struct {
			Control string `json:"control"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(body, &o); err != nil {
		b.Fatal(err)
	}
	ctl := o.Statements[0].Control
	benchEdit(b, func(i int, etag string) *http.Request {
		st := fmt.Sprintf(`{"class":"shared","provider":"The provider runs it (%d).","customer":"We configure it."}`, i)
		return bs.request("PUT", path+"/statements/"+ctl, etag, st)
	}, etag)
}
