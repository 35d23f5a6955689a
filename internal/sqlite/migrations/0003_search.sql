-- Full-text search over the documents people look for (remit.SearchKinds):
-- the text of each one's string values, kept by triggers so that a write
-- reindexes only the document it changes. search_keys gives each indexed
-- document a number, the FTS5 row it is found under.
CREATE TABLE search_keys (
    n    INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE VIRTUAL TABLE search USING fts5(words, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER search_insert AFTER INSERT ON documents
WHEN NEW.kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment')
BEGIN
    INSERT INTO search_keys (kind, id) VALUES (NEW.kind, NEW.id);
    INSERT INTO search (rowid, words) VALUES (
        (SELECT n FROM search_keys WHERE kind = NEW.kind AND id = NEW.id),
        (SELECT group_concat(value, ' ') FROM json_tree(CAST(NEW.body AS TEXT)) WHERE type = 'text'));
END;

CREATE TRIGGER search_update AFTER UPDATE OF body ON documents
WHEN NEW.kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment')
BEGIN
    UPDATE search SET words = (SELECT group_concat(value, ' ') FROM json_tree(CAST(NEW.body AS TEXT)) WHERE type = 'text')
    WHERE rowid = (SELECT n FROM search_keys WHERE kind = NEW.kind AND id = NEW.id);
END;

CREATE TRIGGER search_delete AFTER DELETE ON documents
WHEN OLD.kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment')
BEGIN
    DELETE FROM search WHERE rowid = (SELECT n FROM search_keys WHERE kind = OLD.kind AND id = OLD.id);
    DELETE FROM search_keys WHERE kind = OLD.kind AND id = OLD.id;
END;

-- What is stored already.
INSERT INTO search_keys (kind, id)
SELECT kind, id FROM documents
WHERE kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment');
INSERT INTO search (rowid, words)
SELECT k.n, (SELECT group_concat(value, ' ') FROM json_tree(CAST(d.body AS TEXT)) WHERE type = 'text')
FROM search_keys k JOIN documents d ON d.kind = k.kind AND d.id = k.id;
