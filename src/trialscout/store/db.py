"""The one place that opens SQLite connections, runs migrations and owns transactions.

Everything else receives a `Database` and asks it for `transaction()`; nothing else calls
`sqlite3.connect`. WAL mode keeps readers unblocked during ingest and makes a killed process
leave the file consistent (the last uncommitted batch is simply gone).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import platformdirs

ENV_VAR = "TRIALSCOUT_DB"


class StoreError(RuntimeError):
    """The database cannot be opened or is not a trialscout database."""


def default_db_path() -> Path:
    """`TRIALSCOUT_DB`, else trialscout.db in the user's data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("trialscout")) / "trialscout.db"


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every file in store/migrations, in order."""
    found = []
    for entry in resources.files("trialscout.store.migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name[:-4], entry.read_text(encoding="utf-8")))
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise StoreError(f"two migrations share a number: {sorted(numbers)}")
    return sorted(found)


class Database:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else str(default_db_path())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
            # search counts facets over up to every trial: keep the narrow tables in memory
            # (the default 2 MB cache re-reads them from the OS for every broad query)
            self.conn.execute("PRAGMA cache_size=-65536")
            self.conn.execute("PRAGMA mmap_size=1073741824")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable trialscout database ({exc})") from None

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        for number, name, sql in migrations():
            if number in done:
                continue
            with self.transaction() as conn:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, utcnow())
                )

    def applied_migrations(self) -> list[tuple[int, str]]:
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT version, name FROM schema_migrations ORDER BY version"
            )
        ]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception. Nested calls use savepoints."""
        if self.conn.in_transaction:
            with self.savepoint():
                yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def savepoint(self, name: str = "sp") -> Iterator[sqlite3.Connection]:
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def size_bytes(self) -> int:
        if self.path == ":memory:":
            return 0
        return sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _statements(sql: str) -> list[str]:
    """Split a migration file on ';' at line ends (triggers use 'END;' on their own line)."""
    statements, current = [], []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and sqlite3.complete_statement("\n".join(current)):
            statements.append("\n".join(current))
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current))
    return [
        s
        for s in statements
        if s.strip()
        and not all(ln.strip().startswith("--") or not ln.strip() for ln in s.splitlines())
    ]
