"""Small normalizers shared by the source readers: typed getters, dates, ages, enum spellings."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from typing import Any

from trialscout.registry.errors import FieldError

NCT_RE = re.compile(r"^NCT\d{8}$")
OTHER_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{2,63}$")

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TEXT_DATE_RE = re.compile(r"^([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})$")
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")
_AGE_UNITS = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / (365.25 * 24),
    "minute": 1 / (365.25 * 24 * 60),
}


def get_str(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    raise FieldError(f"{path}.{key}", f"expected text, got {type(value).__name__} {value!r:.40}")


def get_dict(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise FieldError(f"{path}.{key}", f"expected an object, got {type(value).__name__}")


def get_list(obj: dict[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise FieldError(f"{path}.{key}", f"expected a list, got {type(value).__name__}")


def get_str_list(obj: dict[str, Any], key: str, path: str) -> list[str]:
    out = []
    for i, item in enumerate(get_list(obj, key, path)):
        if not isinstance(item, str):
            raise FieldError(f"{path}.{key}[{i}]", f"expected text, got {type(item).__name__}")
        if item.strip():
            out.append(item.strip())
    return out


def get_bool(obj: dict[str, Any], key: str, path: str) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "false", "no"}:
        return value.strip().lower() in {"true", "yes"}
    raise FieldError(f"{path}.{key}", f"expected true/false, got {value!r:.40}")


def get_int(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(f"{path}.{key}", f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise FieldError(f"{path}.{key}", f"expected a whole number, got {value!r:.40}")


def get_float(obj: dict[str, Any], key: str, path: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value))
        except ValueError:
            raise FieldError(f"{path}.{key}", f"expected a number, got {value!r:.40}") from None
    return float(value)


def parse_date(value: str | None, field: str) -> str | None:
    """Registry dates to ISO, keeping their precision: '2024-02', 'June 2005' -> '2005-06'."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    m = _ISO_RE.match(text)
    if m:
        year, month, day = m.groups()
        _check_date(int(year), int(month or 1), int(day or 1), field, text)
        return text
    m = _TEXT_DATE_RE.match(text)
    if m and m.group(1).lower() in _MONTHS:
        month = _MONTHS[m.group(1).lower()]
        year = int(m.group(3))
        if m.group(2):
            day = int(m.group(2))
            _check_date(year, month, day, field, text)
            return f"{year:04d}-{month:02d}-{day:02d}"
        _check_date(year, month, 1, field, text)
        return f"{year:04d}-{month:02d}"
    raise FieldError(
        field, f"unreadable date {text!r} (expected YYYY-MM-DD, YYYY-MM or 'June 2005')"
    )


def _check_date(year: int, month: int, day: int, field: str, text: str) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise FieldError(field, f"impossible date {text!r}") from None
    if not 1900 <= year <= 2100:
        raise FieldError(field, f"date {text!r} is out of range")


def parse_age(value: str | None, field: str) -> float | None:
    """'18 Years' -> 18.0, '6 Months' -> 0.5; 'N/A' and blanks mean no limit."""
    if value is None or value.strip().upper() in {"", "N/A", "NA", "NONE"}:
        return None
    m = _AGE_RE.match(value)
    if m:
        unit = m.group(2).lower().rstrip("s")
        if unit in _AGE_UNITS:
            return round(float(m.group(1)) * _AGE_UNITS[unit], 4)
    raise FieldError(field, f"unreadable age {value!r} (expected e.g. '18 Years')")


def enum_name(value: str | None) -> str | None:
    """Legacy spellings to API v2 enums: 'Active, not recruiting' -> 'ACTIVE_NOT_RECRUITING'."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    special = {"unknown status": "UNKNOWN", "n/a": "NA"}
    if text.lower() in special:
        return special[text.lower()]
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def clean_text(value: str | None) -> str | None:
    """Registry text blocks: drop CRs and the common indentation, keep paragraphs."""
    if value is None:
        return None
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value[:1] in (" ", "\t", "\n"):  # indented blocks (legacy XML); API v2 text is not
        value = textwrap.dedent(value)
    return value.strip() or None


def check_trial_id(value: str, field: str) -> str:
    if NCT_RE.match(value) or OTHER_ID_RE.match(value):
        return value
    raise FieldError(field, f"not a trial identifier: {value!r:.40}")
