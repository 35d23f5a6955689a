package service_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/content"
	"remit/internal/memstore"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/sqlite"
	"remit/internal/workspace"
)

// exampleDir is the example estate, relative to this package.
const exampleDir = "../../examples/justice"

// clock is a settable time for a service under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

var start = time.Date(2026, 11, 29, 9, 30, 0, 123456000, time.UTC)

// stores gives each flow a fresh store: in memory (fast) and SQLite on a
// file (the store the service meets in production), so a flow that
// passes on one and not the other points at the store.
var stores = []struct {
	name string
	open func(t *testing.T) remit.Store
}{
	{"memory", func(*testing.T) remit.Store { return memstore.New() }},
	{"sqlite", func(t *testing.T) remit.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "remit.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// eachStore runs a flow on each kind of store.
func eachStore(t *testing.T, flow func(t *testing.T, st remit.Store)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { flow(t, s.open(t)) })
	}
}

// fixture is a service over a store, with its clock.
type fixture struct {
	svc   *service.Service
	store remit.Store
	clock *clock
}

// open starts a service over st, with the built-in questionnaire and SAT
// template unless q or t are given.
func open(t testing.TB, st remit.Store, q *remit.Questionnaire, tmpl *remit.SATTemplate) *fixture {
	t.Helper()
	if q == nil {
		q = content.SupplierQuestionnaire()
	}
	if tmpl == nil {
		tmpl = content.SATObjectives()
	}
	c := &clock{now: start}
	svc, err := service.Open(context.Background(), service.Config{Store: st, Defaults: content.Defaults(), Questionnaire: q, SATTemplate: tmpl, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, store: st, clock: c}
}

// loadExample reads the example estate.
func loadExample(t testing.TB) *remit.Workspace {
	t.Helper()
	ws, err := workspace.Load(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// withExample is open with the example estate imported.
func withExample(t *testing.T, st remit.Store, q *remit.Questionnaire, tmpl *remit.SATTemplate) *fixture {
	t.Helper()
	f := open(t, st, q, tmpl)
	if _, err := f.svc.Import(context.Background(), admin, loadExample(t), false); err != nil {
		t.Fatal(err)
	}
	return f
}

// The principals the flows act as.
var (
	admin    = remit.Principal{Email: "admin@example.gov.uk", Role: remit.RoleAdmin}
	editor   = remit.Principal{Email: "eddie@example.gov.uk", Role: remit.RoleEditor, Teams: []string{"visits-team"}}
	outsider = remit.Principal{Email: "olga@example.gov.uk", Role: remit.RoleEditor, Teams: []string{"platform-team"}}
	assessor = remit.Principal{Email: "ash@example.gov.uk", Role: remit.RoleAssessor}
	owner    = remit.Principal{Email: "rita@example.gov.uk", Role: remit.RoleRiskOwner}
	viewer   = remit.Principal{Email: "vic@example.gov.uk", Role: remit.RoleViewer}
)

// addUsers makes an account for each principal.
func (f *fixture) addUsers(t *testing.T, ps ...remit.Principal) {
	t.Helper()
	for _, p := range ps {
		if _, err := f.svc.AddUser(context.Background(), admin, accounts.User{Email: p.Email, Role: p.Role, Teams: p.Teams}, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
}

// memstoreOf is a fresh in-memory store.
func memstoreOf(*testing.T) remit.Store { return memstore.New() }

// mustProvider finds a provider in the current snapshot.
func mustProvider(t *testing.T, f *fixture, id string) service.ProviderInfo {
	t.Helper()
	p, ok := f.svc.Snapshot().Provider(id)
	if !ok {
		t.Fatalf("no provider %s", id)
	}
	return p
}
