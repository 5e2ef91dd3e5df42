"""Small normalizers shared by the source readers: typed getters, dates, ages, enum spellings."""

from __future__ import annotations

import math
import re
import textwrap
from datetime import date
from decimal import Decimal
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


def _at(path: str, key: str) -> str:
    """The JSON path of a field, for messages: 'a.b' (no leading dot at the top level)."""
    return f"{path}.{key}" if path else key


def get_str(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    raise FieldError(_at(path, key), f"expected text, got {type(value).__name__} {value!r:.40}")


def get_dict(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise FieldError(_at(path, key), f"expected an object, got {type(value).__name__}")


def get_list(obj: dict[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise FieldError(_at(path, key), f"expected a list, got {type(value).__name__}")


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
    raise FieldError(_at(path, key), f"expected true/false, got {value!r:.40}")


# Counts (enrollment) are stored as SQLite integers and canonical JSON: a value past this is
# a typo or an attack, never a trial. Ages past this many years are not a limit anyone sets.
MAX_COUNT = 10**9
MAX_AGE_YEARS = 150.0
_DIGITS_RE = re.compile(r"^[0-9]+$")


def get_int(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_count(value, _at(path, key))


def parse_count(value: Any, field: str) -> int:
    """A whole number 0..MAX_COUNT from JSON (int, integral float, digit string) or XML text.
    ASCII digits only ('²' is a digit to `str.isdigit`), length checked before `int()`."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and math.isfinite(value):
        if abs(value) > MAX_COUNT:  # compared before int(): 1E+999999999 has a billion digits
            raise FieldError(field, f"out of range: {value!r:.40} (expected 0 to {MAX_COUNT:,})")
        number = int(value) if value == int(value) else None
    elif isinstance(value, str) and _DIGITS_RE.match(value.strip()):
        digits = value.strip().lstrip("0") or "0"
        if len(digits) > 18:  # int() of thousands of digits is slow, and refused past 4,300
            raise FieldError(field, f"out of range: a {len(digits)}-digit number")
        number = int(digits)
    if number is None:
        raise FieldError(field, f"expected a whole number, got {value!r:.40}")
    if not 0 <= number <= MAX_COUNT:
        raise FieldError(field, f"out of range: {_short(number)} (expected 0 to {MAX_COUNT:,})")
    return number


def _short(number: int) -> str:
    """A number for a message, without converting a 5,000-digit int to text in full."""
    if number.bit_length() > 64:
        return f"{'-' if number < 0 else ''}a {number.bit_length()}-bit number"
    return str(number)


def get_float(obj: dict[str, Any], key: str, path: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value))
        except ValueError:
            raise FieldError(_at(path, key), f"expected a number, got {value!r:.40}") from None
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
    m = _AGE_RE.match(value) if len(value) <= 40 else None
    if m:
        unit = m.group(2).lower().rstrip("s")
        if unit in _AGE_UNITS:
            years = round(float(m.group(1)) * _AGE_UNITS[unit], 4)
            if not years <= MAX_AGE_YEARS:  # also catches inf from a 400-digit number
                raise FieldError(field, f"age out of range: {value[:40]!r}")
            return years
    raise FieldError(field, f"unreadable age {value[:40]!r} (expected e.g. '18 Years')")


def check_age_range(low: float | None, high: float | None, field: str) -> None:
    """A minimum above the maximum admits nobody: a data error, not an eligibility rule."""
    if low is not None and high is not None and low > high:
        raise FieldError(field, f"minimum age ({low:g} years) is above the maximum ({high:g})")


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
