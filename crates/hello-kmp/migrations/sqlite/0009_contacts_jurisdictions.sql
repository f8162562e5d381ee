-- Contacts and jurisdictions (SQLite).
--
-- What editors keep for each place beside its phone: an address note in each language, the
-- officer in charge, and the station's point (only as an operator enters it), and when it last
-- changed. `note` stays for operators only: facts still to be confirmed.
ALTER TABLE places ADD COLUMN address_bn TEXT;
ALTER TABLE places ADD COLUMN address_en TEXT;
ALTER TABLE places ADD COLUMN officer_in_charge TEXT;
ALTER TABLE places ADD COLUMN station_lat REAL;
ALTER TABLE places ADD COLUMN station_lon REAL;
ALTER TABLE places ADD COLUMN updated_at INTEGER;

-- Headquarters' address was kept in the note before there was an address field.
UPDATE places SET address_en = note, address_bn = '১৮৯ খান জাহান আলী রোড, খুলনা', note = ''
WHERE key = 'kmp_hq' AND note = '189 Khan Jahan Ali Road, Khulna';

-- Jurisdiction boundaries, as the last `hello-kmp import boundaries` left them: one row per
-- feature, its thana and its GeoJSON geometry (Polygon or MultiPolygon) as text. An import
-- replaces every row and raises `version` in the same transaction, so every server sees the new
-- set at its next look-up.
CREATE TABLE boundaries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    place_key TEXT NOT NULL REFERENCES places (key),
    label TEXT NOT NULL,
    geometry TEXT NOT NULL
);
CREATE TABLE boundary_set (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    features INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    attribution TEXT NOT NULL
);
INSERT INTO boundary_set (id, version, features, imported_at, attribution) VALUES (1, 0, 0, 0, '');
