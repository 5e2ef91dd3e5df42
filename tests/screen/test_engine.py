"""The graph carries the trial set and the previous run's hashes as one key each, named
without hashing their content (tokenizing 20,000 trials cost the client over a minute)."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")


class Untokenizable:
    def __dask_tokenize__(self):
        raise AssertionError("the content was hashed")


def test_shipping_a_value_does_not_hash_it():
    from trialscout.screen.engine import ship

    value = Untokenizable()
    first, second = ship(value, "trials"), ship(value, "trials")
    assert first.key.startswith("trials-") and second.key != first.key
    assert first.compute(scheduler="sync") is value
