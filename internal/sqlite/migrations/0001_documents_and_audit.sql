-- Every aggregate is a document: its canonical JSON body, kept byte for
-- byte, and the version each update must quote.
CREATE TABLE documents (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    body       BLOB    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, -- microseconds since 1970, UTC
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- The audit trail: each record's hash covers it and the one before.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    id        TEXT    NOT NULL,
    before    BLOB,
    after     BLOB,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_kind_id ON audit (kind, id);
CREATE INDEX audit_actor ON audit (actor);

-- The end of the trail, one row, updated with every append so writers
-- take turns.
CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '');
