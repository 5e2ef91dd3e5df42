-- Search at scale (issue 13): every filter and facet column of an indexed trial in one narrow
-- table (tens of bytes a row, so counting facets over 100,000 matches stays in the page cache
-- and never reads the wide trials rows), and one row per (trial, country) for the country facet.
-- Keyed by doc_id like the other search tables; filled for existing databases below.
CREATE TABLE search_facets (
    doc_id INTEGER PRIMARY KEY,  -- = trials.rowid = search_fts.rowid
    overall_status TEXT,
    phases TEXT,
    study_type TEXT,
    sex TEXT,
    min_age_years REAL,
    max_age_years REAL,
    healthy_volunteers INTEGER,
    has_results INTEGER NOT NULL DEFAULT 0,
    last_update_posted TEXT,
    countries TEXT NOT NULL DEFAULT '',  -- '|china|united states|', as search_docs.countries
    cities TEXT NOT NULL DEFAULT ''
);
CREATE INDEX search_facets_update ON search_facets (last_update_posted);

CREATE TABLE search_countries (
    doc_id INTEGER NOT NULL,
    country_key TEXT NOT NULL,
    PRIMARY KEY (doc_id, country_key)
) WITHOUT ROWID;

INSERT INTO search_facets
SELECT d.doc_id, t.overall_status, t.phases, t.study_type, t.sex, t.min_age_years,
       t.max_age_years, t.healthy_volunteers, t.has_results, t.last_update_posted,
       d.countries, d.cities
FROM search_docs d JOIN trials t ON t.rowid = d.doc_id;

INSERT OR IGNORE INTO search_countries
SELECT DISTINCT doc_id, country_key FROM search_sites WHERE country_key != '';
