-- Every aggregate is a document: its canonical JSON body, kept byte for
-- byte, and the version each update must quote.
CREATE TABLE documents (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    body       BYTEA    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at BIGINT  NOT NULL, -- microseconds since 1970, UTC
    PRIMARY KEY (kind, id)
);

-- The audit trail: each record's hash covers it and the one before.
CREATE TABLE audit (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT  NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    id        TEXT    NOT NULL,
    before    BYTEA,
    after     BYTEA,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_kind_id ON audit (kind, id);
CREATE INDEX audit_actor ON audit (actor);

-- The end of the trail, one row, updated with every append so writers
-- take turns.
CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '');
