package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestComponentDefinitionWhileStatementsChange reads an offering's
// component definition while its statements change. Readers once kept
// what the model handed them while a statement edit wrote into the same
// structures in place: run with -race, this test reported it.
func TestComponentDefinitionWhileStatementsChange(t *testing.T) {
	f := newFixture(t)
	const offering = "/api/v1/providers/casetrack/offerings/casetrack-cloud"
	_, h, _ := f.do("editor", "GET", offering, nil)
	etag := h.Get("ETag")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", f.server.URL+offering+"/component-definition", nil)
				req.Header.Set("Authorization", "Bearer "+f.tokens["viewer"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("component definition: %d %s", resp.StatusCode, body)
					return
				}
			}
		})
	}
	for i := range 30 {
		body := fmt.Sprintf(`{"class":"shared","provider":"Runs the platform (%d).","customer":"Configure it."}`, i)
		status, h, data := f.do("editor", "PUT", offering+"/statements/srm:SRM-0"+fmt.Sprint(1+i%5), body, "If-Match", etag)
		if status != 204 {
			t.Errorf("statement %d: %d %s", i, status, data)
			break
		}
		etag = h.Get("ETag")
	}
	close(stop)
	wg.Wait()
	_, _, data := f.do("viewer", "GET", offering+"/component-definition", nil)
	if !strings.Contains(string(data), "Runs the platform (29).") {
		t.Errorf("the component definition does not show the last statement written")
	}
}
