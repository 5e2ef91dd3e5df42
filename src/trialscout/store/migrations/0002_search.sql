-- Search (issue 3): full-text index, per-trial search metadata, sites with coordinates, and the
-- gazetteer built from the sites. Every row is keyed by trials.rowid (doc_id), which is stable
-- because trials rows are updated in place, never replaced.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, conditions, keywords, interventions, summary, inclusion, exclusion,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE search_docs (
    doc_id INTEGER PRIMARY KEY,  -- = trials.rowid = search_fts.rowid
    trial_id TEXT NOT NULL UNIQUE,
    conditions TEXT NOT NULL,  -- JSON list, as registered (for display)
    interventions TEXT NOT NULL,  -- JSON list of intervention names and synonyms
    countries TEXT NOT NULL,  -- '|china|united states|' (normalized keys, for filters and facets)
    cities TEXT NOT NULL  -- '|ningbo|hangzhou|'
);

CREATE TABLE search_sites (
    doc_id INTEGER NOT NULL,
    facility TEXT,
    city TEXT,
    state TEXT,
    country TEXT,
    city_key TEXT NOT NULL,
    state_key TEXT NOT NULL,
    country_key TEXT NOT NULL,
    lat REAL,
    lon REAL,
    geo_source TEXT  -- registry | gazetteer | NULL (unknown)
);
CREATE INDEX search_sites_doc ON search_sites (doc_id);
CREATE INDEX search_sites_lat ON search_sites (lat, lon);

CREATE TABLE search_places (
    city_key TEXT NOT NULL,
    state_key TEXT NOT NULL,
    country_key TEXT NOT NULL,
    city TEXT,
    state TEXT,
    country TEXT,
    lat_sum REAL NOT NULL,
    lon_sum REAL NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (city_key, state_key, country_key)
) WITHOUT ROWID;
CREATE INDEX search_places_state ON search_places (state_key, country_key);
CREATE INDEX search_places_country ON search_places (country_key);
