-- Full-text search over the documents people look for (remit.SearchKinds):
-- the words of each one's string values, kept by a trigger so that a write
-- reindexes only the document it changes. The 'simple' configuration
-- lower-cases and does not stem, so a word prefix finds what it begins.
ALTER TABLE documents ADD COLUMN words tsvector;

CREATE FUNCTION documents_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment') THEN
        NEW.words := jsonb_to_tsvector('simple', convert_from(NEW.body, 'UTF8')::jsonb, '["string"]');
    ELSE
        NEW.words := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER documents_words BEFORE INSERT OR UPDATE OF body ON documents
FOR EACH ROW EXECUTE FUNCTION documents_words();

-- What is stored already.
UPDATE documents SET words = jsonb_to_tsvector('simple', convert_from(body, 'UTF8')::jsonb, '["string"]')
WHERE kind IN ('system', 'provider', 'offering', 'evidence', 'risk', 'finding', 'obligation', 'supplier-assessment');

CREATE INDEX documents_words ON documents USING gin (words);
