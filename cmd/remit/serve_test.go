package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemo runs `remit serve --demo` on port 0, waits for /healthz,
// signs in with a printed demo account, reads a matrix, and shuts down
// gracefully when the context ends.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	}()
	urlPattern := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := urlPattern.FindStringSubmatch(out.String()); m != nil {
			if resp, err := http.Get(m[1] + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					base = m[1]
					break
				}
			}
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not come up; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	password := regexp.MustCompile(`admin@example\.gov\.uk\s+password (\S+)`).FindStringSubmatch(out.String())
	if password == nil {
		t.Fatalf("no admin password printed:\n%s", out.String())
	}
	body, _ := json.Marshal(map[string]string{"email": "admin@example.gov.uk", "password": password[1]})
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var session struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/v1/systems/prison-visits/matrix?class=inherited", nil)
	req.Header.Set("Authorization", "Bearer "+session.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"summary":{"inherited":5,"shared":19,"organisation-specific":3,"not-applicable":1,"assumed":5}`) {
		t.Errorf("matrix: %d %.300s", resp.StatusCode, data)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(errOut.String(), `"msg":"shutting down"`) {
		t.Errorf("no shutdown in the log:\n%s", errOut.String())
	}
}
