package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"remit/internal/remit"
	"remit/internal/service"
)

// TestAuditAnchors tampers with a database the ways an attacker with
// write access to it would — each of which once passed remit audit
// verify — and checks that verify, with the audit key kept outside the
// database and the checkpoint file, now finds each:
//
//   - editing a record and chaining every later record again;
//   - cutting records off the end and moving the head back;
//   - making a viewer an admin in the documents table;
//   - planting a session to sign in with;
//   - swapping an evidence file's bytes.
func TestAuditAnchors(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "audit.keys")
	if err := os.WriteFile(keyFile, []byte(service.NewAuditKey("k1")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REMIT_AUDIT_KEYS_FILE": keyFile}
	checkpoints := filepath.Join(dir, "checkpoints.log")
	fresh := func(t *testing.T) string {
		t.Helper()
		db := filepath.Join(t.TempDir(), "remit.db")
		if _, stderr, code := cliEnv(t, env, "import", example, "--database", db); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
		if _, stderr, code := cliEnv(t, env, "user", "add", "vic@example.gov.uk", "--role", "viewer", "--database", db); code != 0 {
			t.Fatalf("user add: %s", stderr)
		}
		pdf := filepath.Join(t.TempDir(), "iso.pdf")
		os.WriteFile(pdf, []byte("%PDF-1.7 certificate"), 0o644)
		if _, stderr, code := cliEnv(t, env, "evidence", "add", "--kind", "iso-27001", "--title", "ISO", "--file", pdf, "--supports", "offering:aws/ec2", "--database", db); code != 0 {
			t.Fatalf("evidence add: %s", stderr)
		}
		os.Remove(checkpoints)
		if out, stderr, code := cliEnv(t, env, "audit", "checkpoint", "--file", checkpoints, "--database", db); code != 0 || !strings.HasPrefix(out, "Checkpoint: record ") {
			t.Fatalf("checkpoint: %s%s", out, stderr)
		}
		out, stderr, code := cliEnv(t, env, "audit", "verify", "--checkpoints", checkpoints, "--database", db)
		if code != 0 || !strings.Contains(out, "Keyed: 34 records carry a valid MAC (every record from 1 on must).") || !strings.Contains(out, "Checkpoints: the trail holds all 1.") || !strings.Contains(out, "1 evidence files match their hashes") {
			t.Fatalf("verify before tampering: exit %d\n%s%s", code, out, stderr)
		}
		return db
	}
	exec := func(t *testing.T, db string, stmts ...string) {
		t.Helper()
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, q := range stmts {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	// rechain recomputes every record's hash from seq on, and the head,
	// as an attacker without the key can.
	rechain := func(t *testing.T, db string) {
		t.Helper()
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query(`SELECT seq, at, actor, action, kind, id, before, after FROM audit ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		var recs []remit.AuditRecord
		for rows.Next() {
			var r remit.AuditRecord
			var at int64
			var kind string
			rows.Scan(&r.Seq, &at, &r.Actor, &r.Action, &kind, &r.ID, &r.Before, &r.After)
			r.Kind = remit.Kind(kind)
			r.At = time.UnixMicro(at).UTC()
			recs = append(recs, r)
		}
		rows.Close()
		prev := ""
		for _, r := range recs {
			r.PrevHash = prev
			r.Hash = remit.AuditHash(r)
			if _, err := raw.Exec(`UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3`, r.PrevHash, r.Hash, r.Seq); err != nil {
				t.Fatal(err)
			}
			prev = r.Hash
		}
		if _, err := raw.Exec(`UPDATE audit_head SET seq = $1, hash = $2`, len(recs), prev); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(t *testing.T, db string, want string) {
		t.Helper()
		_, stderr, code := cliEnv(t, env, "audit", "verify", "--checkpoints", checkpoints, "--database", db)
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("verify: exit %d, %q, want exit 1 saying %q", code, stderr, want)
		}
	}

	t.Run("a record edited and the chain rebuilt", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, `UPDATE audit SET actor = 'someone-else' WHERE seq = 5`)
		rechain(t, db)
		// Without the key and the checkpoints it would pass: the chain
		// itself is whole again.
		if _, stderr, code := cli(t, "audit", "verify", "--database", db); code != 0 {
			t.Fatalf("the rebuilt chain without anchors: %d %s", code, stderr)
		}
		verify(t, db, "audit trail broken at record 5: its MAC (key k1) does not match: it was changed without the key")
	})
	t.Run("the tail cut and the head moved back", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, `DELETE FROM audit WHERE seq > 20`)
		rechain(t, db)
		verify(t, db, "records were cut from its end")
	})
	t.Run("the MACs stripped after the chain is rebuilt", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, `UPDATE audit SET actor = 'someone-else' WHERE seq = 12`, `UPDATE audit SET mac = ''`)
		rechain(t, db)
		verify(t, db, "it is not the record a checkpoint of")
	})
	t.Run("a viewer made an admin in the documents table", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, `UPDATE documents SET body = replace(body, '"role":"viewer"', '"role":"admin"') WHERE kind = 'user'`)
		verify(t, db, `user "vic@example.gov.uk" was changed outside Remit: it differs from what record`)
	})
	t.Run("a session planted", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, fmt.Sprintf(`INSERT INTO documents (kind, id, body, version, updated_at) VALUES ('session', 'planted', CAST('{"email":"vic@example.gov.uk","expires":"2099-01-01T00:00:00Z"}' AS BLOB), 1, %d)`, 4102444800000000))
		verify(t, db, `session "planted" was changed outside Remit: no recorded sign-in opened it`)
	})
	t.Run("an evidence file swapped", func(t *testing.T) {
		db := fresh(t)
		exec(t, db, `UPDATE documents SET body = CAST('%PDF-1.7 forged' AS BLOB) WHERE kind = 'evidence-file'`)
		verify(t, db, "the file no longer matches the SHA-256 its evidence recorded")
	})
}
