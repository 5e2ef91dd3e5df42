"""Excerpts of real records for the sentence classes of issue 11 (filled below)."""

DEV: dict = {}
TEST: dict = {}
