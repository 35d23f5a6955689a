package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/content"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/web"
)

// TestImportsWhileServerEdits runs the CLI's catalogue and offering
// imports against a database a server is editing at the same time. The
// imports once exported the workspace, edited it and imported it back in
// separate transactions, so whatever the server wrote in between was
// reverted. Now each import is one change through the service, and every
// change the server accepted is still there afterwards, as are the
// imports.
func TestImportsWhileServerEdits(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, errOut, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	openService := func(st remit.Store) *service.Service {
		svc, err := service.Open(ctx, service.Config{Store: st, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives()})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := openService(st)
	admin := remit.Principal{Email: "test", Role: remit.RoleAdmin}
	u, err := svc.AddUser(ctx, admin, accounts.User{Email: "ed@example.gov.uk", Name: "Ed", Role: remit.RoleAdmin}, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.CreateToken(ctx, u.Principal(), "test", u.Role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(web.NewServer(web.Config{Service: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer server.Close()
	call := func(method, path, body, ifMatch string) (int, http.Header, []byte) {
		req, _ := http.NewRequest(method, server.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil, nil
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, data
	}

	// The server renames a system again and again, each time quoting the
	// version it read, until the imports are done.
	const system = "/api/v1/systems/prison-visits"
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var lastName string
	renamed := 0
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				if renamed >= 3 {
					return
				}
			default:
			}
			status, h, data := call("GET", system, "", "")
			if status != 200 {
				t.Errorf("GET: %d %s", status, data)
				return
			}
			var sys remit.System
			if err := json.Unmarshal(data, &sys); err != nil {
				t.Error(err)
				return
			}
			sys.Name = fmt.Sprintf("Prison visits (%d)", i)
			body, _ := json.Marshal(sys)
			status, _, data = call("PUT", system, string(body), h.Get("ETag"))
			switch status {
			case 200, 204:
				lastName = sys.Name
				renamed++
			case 409, 412:
			default:
				t.Errorf("PUT: %d %s", status, data)
				return
			}
		}
	})

	catalog := filepath.Join(dir, "small.json")
	csv := filepath.Join(dir, "matrix.csv")
	if err := os.WriteFile(catalog, []byte(smallCatalog), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csv, []byte("Control,Who,Acme does,We do\nSRM-01,provider,Guards the data centres.,\nSRM-03,shared,Patches the hosts.,Patch our guests.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the server's edits begin
	if _, errOut, code := cli(t, "catalogue", "import", catalog, "--database", db); code != 0 {
		t.Errorf("catalogue import: %s", errOut)
	}
	if _, errOut, code := cli(t, "offering", "import", "acme/hosting", csv, "--map", "control=Control,class=Who,provider=Acme does,customer=We do", "--catalogue", "srm", "--service-model", "iaas", "--provider-name", "Acme", "--name", "Acme Hosting", "--database", db); code != 0 {
		t.Errorf("offering import: %s", errOut)
	}
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}

	// Read afresh from the database: the server's last rename and both
	// imports are all there.
	fresh, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	sn := openService(fresh).Snapshot()
	if sys, _, ok := sn.System("prison-visits"); !ok || sys.Name != lastName {
		t.Errorf("prison-visits is named %q, the server's last accepted rename was %q: a change was lost", sys.Name, lastName)
	}
	if _, ok := sn.Catalogue("small"); !ok {
		t.Error("the imported catalogue is missing")
	}
	if _, ok := sn.Offering("acme/hosting"); !ok {
		t.Error("the imported offering is missing")
	}
	// The server, following the database, sees the imports too.
	if _, err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := svc.Snapshot().Offering("acme/hosting"); !ok {
		t.Error("the server does not see the imported offering after refreshing")
	}
	t.Logf("the server renamed the system %d times while the CLI imported", renamed)
}
