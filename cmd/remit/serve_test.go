package main

import (
	"bufio"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestGracefulShutdown stops a server while a request is in flight: the
// request finishes and the server exits 0. A request that outlasts the
// grace period is cut off, and the server still exits 0.
func TestGracefulShutdown(t *testing.T) {
	for _, c := range []struct {
		name       string
		grace      string
		trickle    time.Duration // how long the request's body takes
		wantStatus int           // 0: cut off
	}{
		// Its answer: a wrong password, after an argon2 hash that takes
		// over a second under the race detector on a busy machine.
		{"finishes within the grace", "6s", 700 * time.Millisecond, http.StatusUnauthorized},
		{"outlasts the grace", "1500ms", 3 * time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			outR, outW := io.Pipe()
			done := make(chan int, 1)
			var errOut strings.Builder
			db := filepath.Join(t.TempDir(), "remit.db")
			go func() {
				err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database", db, "--grace", c.grace}, func(string) string { return "" }, strings.NewReader(""), outW, &errOut)
				outW.Close()
				done <- exitCode(err, &errOut)
			}()
			line, err := bufio.NewReader(outR).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, outR)
			base := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
			if base == "" {
				t.Fatalf("no address in %q", line)
			}
			// A sign-in whose form arrives slowly: in flight when the
			// server is told to stop.
			body, feed := io.Pipe()
			status := make(chan int, 1)
			sent := make(chan struct{})
			go func() {
				// Stop only once the request's headers are on their way, so a
				// loaded machine cannot make it miss the server altogether.
				trace := &httptrace.ClientTrace{WroteHeaders: func() { close(sent) }}
				req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", base+"/sign-in", body)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					status <- 0
					return
				}
				resp.Body.Close()
				status <- resp.StatusCode
			}()
			io.WriteString(feed, "email="+url.QueryEscape("nobody@example.gov.uk"))
			select {
			case <-sent:
			case <-time.After(10 * time.Second):
				t.Fatal("the request was never sent")
			}
			time.Sleep(200 * time.Millisecond)
			stop()
			time.Sleep(c.trickle)
			io.WriteString(feed, "&password=x")
			feed.Close()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("the server exited %d, want 0: %s", code, errOut.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("the server did not stop")
			}
			if got := <-status; got != c.wantStatus {
				t.Errorf("the request in flight got %d, want %d", got, c.wantStatus)
			}
		})
	}
}

// TestTuneGC: commands load at fourfold growth under a limit, the server
// then serves at half growth with no limit, and GOGC or GOMEMLIMIT from
// the environment win.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cases := []struct {
		name    string
		tune    func(func(string) string)
		getenv  func(string) string
		percent int
		limit   int64
	}{
		{"loading", tuneGC, env(), 400, 768 << 20},
		{"loading with GOGC", tuneGC, env("GOGC", "100"), 100, 768 << 20},
		{"loading with GOMEMLIMIT", tuneGC, env("GOMEMLIMIT", "1GiB"), 400, 1 << 30},
		{"serving", tuneServingGC, env(), 50, math.MaxInt64},
		{"serving with GOGC", tuneServingGC, env("GOGC", "100"), 100, math.MaxInt64},
		{"serving with GOMEMLIMIT", tuneServingGC, env("GOMEMLIMIT", "1GiB"), 50, 1 << 30},
	}
	for _, c := range cases {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 30)
		c.tune(c.getenv)
		if got := debug.SetGCPercent(100); got != c.percent {
			t.Errorf("%s: GOGC %d, want %d", c.name, got, c.percent)
		}
		if got := debug.SetMemoryLimit(-1); got != c.limit {
			t.Errorf("%s: memory limit %d, want %d", c.name, got, c.limit)
		}
	}
}
