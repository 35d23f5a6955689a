-- A keyed MAC of each audit record's hash ("key-id:hex"), empty when the
-- server had no audit key: it anchors the chain outside the database.
ALTER TABLE audit ADD COLUMN mac TEXT NOT NULL DEFAULT '';
