"""Named queries kept in `.sql` files, one folder per dialect (the aiosql idea, made small).

A file `sql/<dialect>/alters.sql` holds blocks that start with `-- name: get`; the query is
then called as "alters.get". Every query name must exist in every dialect: a missing one
stops startup with a message naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

DIALECTS = ("sqlite", "postgres", "mysql")
_NAME_LINE = re.compile(r"^--\s*name:\s*([A-Za-z0-9_]+)\s*$", re.MULTILINE)


class QueryError(Exception):
    """The SQL folders are inconsistent (a name missing in one dialect, or defined twice)."""


def parse_sql_file(text: str, namespace: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    matches = list(_NAME_LINE.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end]
        # leading comment lines are the query's description
        lines = [line for line in body.strip().splitlines()]
        while lines and lines[0].lstrip().startswith("--"):
            lines.pop(0)
        sql = "\n".join(lines).strip().rstrip(";").strip()
        key = f"{namespace}.{match.group(1)}"
        if key in queries:
            raise QueryError(f"query {key} is defined twice")
        if not sql:
            raise QueryError(f"query {key} is empty")
        queries[key] = sql
    return queries


def read_dialect(folder: Path, dialect: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    dialect_folder = folder / dialect
    for path in sorted(dialect_folder.glob("*.sql")):
        for key, sql in parse_sql_file(path.read_text(encoding="utf-8"), path.stem).items():
            if key in queries:
                raise QueryError(f"query {key} is defined twice ({path})")
            queries[key] = sql
    return queries


def check_same_names(folder: Path) -> None:
    """Raise naming every query that one dialect of `folder` has and another lacks."""
    names = {dialect: set(read_dialect(folder, dialect)) for dialect in DIALECTS}
    everything = set().union(*names.values())
    missing = [
        f"{key} (missing in {dialect})"
        for dialect in DIALECTS
        for key in sorted(everything - names[dialect])
    ]
    if missing:
        raise QueryError(f"SQL in {folder} differs between dialects: " + ", ".join(missing))


class Queries(Mapping[str, str]):
    """Every query of one dialect, from the core's folder and the plugins' folders."""

    def __init__(self, dialect: str, folders: Iterable[Path]) -> None:
        self.dialect = dialect
        self._queries: dict[str, str] = {}
        for folder in folders:
            check_same_names(folder)
            for key, sql in read_dialect(folder, dialect).items():
                if key in self._queries:
                    raise QueryError(f"query {key} is defined by two SQL folders (again in {folder})")
                self._queries[key] = sql

    def __getitem__(self, key: str) -> str:
        try:
            return self._queries[key]
        except KeyError:
            raise KeyError(f"no query named {key!r} for {self.dialect}") from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)
