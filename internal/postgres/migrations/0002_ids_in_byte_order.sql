-- Ids compare byte by byte, whatever the database's locale: prefix ranges
-- (provider/offering@…) and ordering must not depend on a collation.
ALTER TABLE documents ALTER COLUMN kind TYPE TEXT COLLATE "C";
ALTER TABLE documents ALTER COLUMN id TYPE TEXT COLLATE "C";
