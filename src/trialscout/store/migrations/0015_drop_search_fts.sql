-- Issue 13: search ranks, filters and counts with the tantivy index kept beside the database
-- (search/fulltext.py, built by ingest's `fulltext` index step); the FTS5 table and its copy
-- of every trial's text (3.6 GB of 7.6 GB at 500,000 trials) are no longer written or read.
DROP TABLE IF EXISTS search_fts;
