"""Where two versions of a text differ, in a short window: a change deep inside a long title is
shown around the change, not cut to the same first 60 characters on both sides."""

from __future__ import annotations

import os


def where_differ(old: str, new: str, width: int = 60, context: int = 15) -> tuple[str, str]:
    """Both texts cut to at most `width` characters around their first difference, with '…'
    where something was left out."""
    if len(old) <= width and len(new) <= width:
        return old, new
    prefix = len(os.path.commonprefix([old, new]))
    rest = min(len(old), len(new)) - prefix
    suffix = len(os.path.commonprefix([old[::-1], new[::-1]]))
    suffix = min(suffix, rest)
    start = max(0, prefix - context)
    return _window(old, start, len(old) - suffix, width), _window(
        new, start, len(new) - suffix, width
    )


def _window(text: str, start: int, end: int, width: int) -> str:
    stop = min(len(text), max(end, start + 1) + 15, start + width)
    shown = text[start:stop]
    return ("…" if start > 0 else "") + shown + ("…" if stop < len(text) else "")
