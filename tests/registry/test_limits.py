"""The streaming limit checks agree with a real JSON parser, however the bytes are split."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscout.registry import limits

tricky = st.text(alphabet='ab"\\[]{}\n\u00e9', max_size=12)
values = st.recursive(
    st.one_of(tricky, st.integers(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(tricky, inner, max_size=4)
    ),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


def _feed(data: bytes, cuts: list[int]) -> limits.JsonScanner:
    scanner = limits.JsonScanner()
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:], strict=False):
        scanner.feed(data[a:b])
    return scanner


@settings(max_examples=300, deadline=None)
@given(value=values, cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_scanner_tracks_depth_and_strings_like_a_parser(value, cuts):
    data = json.dumps(value, ensure_ascii=False).encode()
    scanner = _feed(data, cuts)
    assert scanner.depth == 0 and not scanner.in_string and scanner.carry == b""


@settings(max_examples=100, deadline=None)
@given(depth=st.integers(1, 120), cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_depth_limit_is_exact(depth, cuts):
    value: object = 'x\\"]'
    for _ in range(depth):
        value = [value]
    data = json.dumps(value).encode()
    assert _depth(value) == depth
    if depth <= limits.MAX_DEPTH:
        assert _feed(data, cuts).depth == 0
    else:
        with pytest.raises(limits.LimitExceeded, match="nested more than"):
            _feed(data, cuts)
