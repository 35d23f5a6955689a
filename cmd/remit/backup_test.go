package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// exportOf exports a database's workspace and returns every file's bytes.
func exportOf(t *testing.T, db string) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	if _, stderr, code := cli(t, "export", dir, "--database", db); code != 0 {
		t.Fatalf("export %s: %s", db, stderr)
	}
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[rel] = string(b)
		}
		return nil
	})
	return files
}

func sameExport(t *testing.T, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("exports hold %d and %d files", len(a), len(b))
	}
	for name, body := range a {
		if b[name] != body {
			t.Errorf("%s differs after the round trip", name)
		}
	}
}

// TestBackupRestore backs up a SQLite database while others write to it;
// the backup restores into a database that verifies and exports
// byte-identically; nothing is ever overwritten, and bad input is refused.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "remit.db")
	if _, stderr, code := cli(t, "import", example, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	// Writers carry on while the backup is taken.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, stderr, code := cliIn(t, "a long enough password", "user", "add", fmt.Sprintf("user%d@example.gov.uk", i), "--role", "viewer", "--database", db); code != 0 {
				t.Errorf("a write during the backup: %s", stderr)
				return
			}
		}
	})
	time.Sleep(100 * time.Millisecond)
	busy := filepath.Join(dir, "during.db")
	out, stderr, code := cli(t, "backup", "-o", busy, "--database", db)
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup while writing: %d %s", code, stderr)
	}
	restored := filepath.Join(dir, "restored-during.db")
	if _, stderr, code := cli(t, "restore", busy, "--database", restored); code != 0 {
		t.Fatal(stderr)
	}
	if out, stderr, code := cli(t, "audit", "verify", "--database", restored); code != 0 {
		t.Fatalf("verify the backup taken while writing: %s%s", out, stderr)
	}

	// Quiet: the restored database exports exactly what the original does.
	quiet := filepath.Join(dir, "quiet.db")
	if _, stderr, code := cli(t, "backup", "-o", quiet, "--database", db); code != 0 {
		t.Fatal(stderr)
	}
	again := filepath.Join(dir, "restored.db")
	if _, stderr, code := cli(t, "restore", quiet, "--database", again); code != 0 {
		t.Fatal(stderr)
	}
	sameExport(t, exportOf(t, db), exportOf(t, again))

	notRemit := filepath.Join(dir, "other.db")
	if err := os.WriteFile(notRemit, []byte("SQLite format 3\x00 but not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "-o", quiet, "--database", db}, "the file exists: give a new file"},
		{[]string{"backup", "--database", db}, "-o is required"},
		{[]string{"backup", "-o", filepath.Join(dir, "x.db"), "--database", filepath.Join(dir, "missing.db")}, "there is no database at"},
		{[]string{"backup", "-o", "x.dump", "--database", "postgres://db.example/remit"}, "use pg_dump --format=custom"},
		{[]string{"restore", quiet, "--database", db}, "a database is there already: move it aside first"},
		{[]string{"restore", notRemit, "--database", filepath.Join(dir, "new.db")}, "other.db is not"},
		{[]string{"restore", quiet, "--database", "postgres://db.example/remit"}, "use pg_restore"},
	} {
		_, stderr, code := cli(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); !os.IsNotExist(err) {
		t.Error("a refused restore left a file behind")
	}
}

// TestPostgresDumpRestore: pg_dump of a Remit database restores with
// pg_restore into one that verifies and exports byte-identically (the
// procedure doc/operations.md gives).
func TestPostgresDumpRestore(t *testing.T) {
	base := os.Getenv("REMIT_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("REMIT_TEST_POSTGRES_URL is not set")
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed beside PostgreSQL for this test: %v", tool, err)
		}
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	suffix := fmt.Sprint(time.Now().UnixNano())
	dbURL := func(name string) string {
		u, _ := url.Parse(base)
		u.Path = "/" + name
		return u.String()
	}
	var names []string
	for _, n := range []string{"remit_dump_src_", "remit_dump_dst_"} {
		name := n + suffix
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	t.Cleanup(func() {
		for _, n := range names {
			admin.Exec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
		}
	})
	src, dst := dbURL(names[0]), dbURL(names[1])
	if _, stderr, code := cli(t, "import", example, "--database", src); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := cliIn(t, "a long enough password", "user", "add", "someone@example.gov.uk", "--role", "editor", "--database", src); code != 0 {
		t.Fatal(stderr)
	}
	dump := filepath.Join(t.TempDir(), "remit.dump")
	var errOut bytes.Buffer
	cmd := exec.CommandContext(context.Background(), "pg_dump", "--format=custom", "--no-owner", "--file="+dump, src)
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pg_dump: %v %s", err, errOut.String())
	}
	cmd = exec.CommandContext(context.Background(), "pg_restore", "--no-owner", "--dbname="+dst, dump)
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pg_restore: %v %s", err, errOut.String())
	}
	if out, stderr, code := cli(t, "audit", "verify", "--database", dst); code != 0 {
		t.Fatalf("verify the restored database: %s%s", out, stderr)
	}
	sameExport(t, exportOf(t, src), exportOf(t, dst))
}
