"""Ingest (issue 13): the stage that owns the pipeline, from registry files to a searchable,
fully indexed store. `store/` only stores; this package composes registry reading, storing
and the derived indexes."""
