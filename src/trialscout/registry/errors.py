"""Errors that name where bad input is: the file, the record inside it, and the field."""

from __future__ import annotations

from dataclasses import dataclass


class FieldError(ValueError):
    """A field of one record is missing, of the wrong type, or unreadable."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(slots=True, frozen=True)
class RecordError:
    """A record that could not be read; ingest reports it and carries on with the others."""

    source: str  # file (and member / line / index) the record came from
    record: str | None  # the record's ID when it could be read
    field: str | None
    message: str

    def __str__(self) -> str:
        who = f"record {self.record}" if self.record else "record"
        where = f", field {self.field}" if self.field else ""
        return f"{self.source}: {who}{where}: {self.message}"
