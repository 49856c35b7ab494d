"""Where the SQL and migration folders are: inside the installed wheel, or in a checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """`name` is a top-level data folder of the project, e.g. "sql" or "migrations_mysql"."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name
