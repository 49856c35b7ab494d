"""`didhub backup` / `didhub restore`: one portable archive of a whole instance, for any backend.

The archive is a tar file (gzip-compressed when its name ends in `.gz` or `.tgz`):

    manifest.json            format and DIDHub version, migration state, and the row count and
                             SHA-256 of every table and the size and SHA-256 of every file
    tables/<table>.jsonl     one JSON object per row in primary-key order: timestamps ISO-8601
                             UTC ("2026-11-26T10:00:00.123456Z"), booleans as booleans, audit
                             details as objects: the same bytes whichever backend wrote them
    uploads/<filename>       every uploaded file, named as in `uploads.filename`

The manifest comes first, so a restore refuses a wrong format or migration state before it
reads anything else. A restore loads everything in one transaction and stages the files in a
folder inside the upload folder; only when every hash, size and count has matched does it
commit and move the files into place. Anything wrong rolls the transaction back and removes
the staged files. Both directions stream: rows are read in primary-key pages (the MySQL
driver buffers a whole result, so `db.iterate` would not stay bounded there), tables are
spooled through temporary files, and files are copied and hashed in chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import lzma
import os
import secrets
import shutil
import sys
import tarfile
import tempfile
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

import click
import msgspec

from core import __version__
from core.config import Config
from core.db import DB, utcnow
from core.migrations import Migrator
from core.services import Services

logger = logging.getLogger("didhub.backup")

FORMAT = "didhub-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_PAGE_ROWS = 1000
_CHUNK_BYTES = 1024 * 1024
# a manifest lists every file; even a million uploads need far less than this
_MAX_MANIFEST_BYTES = 512 * 1024 * 1024

Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]


# --- The archive's row format: one Struct per table, the columns of migrations 0001-0012 -----


class _Row(msgspec.Struct, forbid_unknown_fields=True):
    pass


class UserRow(_Row):
    id: int
    username: str
    username_key: str
    password_hash: str
    is_admin: bool
    is_system: bool
    is_approved: bool
    created_at: Timestamp
    updated_at: Timestamp


class SystemRow(_Row):
    id: int
    user_id: int
    name: str
    description: str | None
    created_at: Timestamp
    updated_at: Timestamp


class AlterRow(_Row):
    id: int
    system_id: int
    name: str
    description: str | None
    avatar_url: str | None
    created_at: Timestamp
    updated_at: Timestamp


class GroupRow(_Row):
    """A row of `groups`, and of `subsystems`, which has the same columns."""

    id: int
    system_id: int
    name: str
    description: str | None
    color: str | None
    created_at: Timestamp
    updated_at: Timestamp


class AlterGroupRow(_Row):
    alter_id: int
    group_id: int
    created_at: Timestamp


class SubsystemMemberRow(_Row):
    subsystem_id: int
    alter_id: int
    role: str
    created_at: Timestamp


class UploadRow(_Row):
    id: int
    user_id: int
    filename: str
    original_filename: str
    mime_type: str
    file_size: int
    alt_text: str | None
    is_public: bool
    created_at: Timestamp
    updated_at: Timestamp


class AuditLogRow(_Row):
    id: int
    user_id: int | None
    action: str
    entity_type: str | None
    entity_id: int | None
    details: dict[str, Any]
    ip_address: str | None
    user_agent: str | None
    created_at: Timestamp


class SettingRow(_Row):
    key: str
    value: str
    updated_at: Timestamp


class SystemRequestRow(_Row):
    id: int
    user_id: int
    status: str
    note: str | None
    admin_notes: str | None
    created_at: Timestamp
    updated_at: Timestamp


class ApiTokenRow(_Row):
    id: int
    user_id: int
    name: str
    token_hash: str
    scopes: str
    created_at: Timestamp
    expires_at: Timestamp
    last_used_at: Timestamp | None


@dataclass(frozen=True)
class Table:
    name: str
    row_type: type[_Row]
    # primary key columns, and the value that sorts before every key (for the first page)
    key: tuple[str, ...] = ("id",)
    before_first: tuple[Any, ...] = (0,)

    @property
    def entry(self) -> str:
        return f"tables/{self.name}.jsonl"

    def query(self, action: str) -> str:
        """The name of this table's named query in sql/<dialect>/backup.sql, e.g. "backup.dump_users"."""
        return f"backup.{action}_{self.name}"

    def after(self, row: dict[str, Any] | None) -> dict[str, Any]:
        """The keyset parameters of the page that follows `row` (the first page when None)."""
        values = self.before_first if row is None else tuple(row[column] for column in self.key)
        return {f"after_{column}": value for column, value in zip(self.key, values)}


# Foreign-key order: every table comes after the tables it refers to. Deletion is the reverse.
TABLES = (
    Table("users", UserRow),
    Table("systems", SystemRow),
    Table("alters", AlterRow),
    Table("groups", GroupRow),
    Table("subsystems", GroupRow),
    Table("alter_groups", AlterGroupRow, ("alter_id", "group_id"), (0, 0)),
    Table("subsystem_members", SubsystemMemberRow, ("subsystem_id", "alter_id"), (0, 0)),
    Table("uploads", UploadRow),
    Table("audit_logs", AuditLogRow),
    Table("settings", SettingRow, ("key",), ("",)),
    Table("system_requests", SystemRequestRow),
    Table("api_tokens", ApiTokenRow),
)
TABLE = {table.name: table for table in TABLES}
# what a damaged or truncated archive raises while it is read
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError)


class TableEntry(msgspec.Struct, forbid_unknown_fields=True):
    rows: int
    sha256: str


class FileEntry(msgspec.Struct, forbid_unknown_fields=True):
    size: int
    sha256: str


class _ManifestHeader(msgspec.Struct):
    """What any version of the format keeps, read before the rest is trusted."""

    format: str
    format_version: int


class Manifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    didhub_version: str
    created_at: Timestamp
    source_dialect: str
    # the applied migration ids; a restore target must have exactly these after migrating
    migrations: list[str]
    tables: dict[str, TableEntry]
    files: dict[str, FileEntry]

    @property
    def row_count(self) -> int:
        return sum(entry.rows for entry in self.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(entry.size for entry in self.files.values())


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


@dataclass
class BackupResult:
    manifest: Manifest
    # upload rows whose file was not on disk (the archive holds the row without the file)
    missing_files: list[str] = field(default_factory=list)


# --- Small pieces -----------------------------------------------------------------------------


class Progress:
    """A progress bar on standard error when it is a terminal; nothing at all otherwise."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    @contextlib.contextmanager
    def bar(self, label: str, length: int) -> Iterator[Callable[[int], None]]:
        if not self.enabled or length <= 0:
            yield lambda _steps: None
            return
        # redraw about a thousand times in all, not once per row
        with click.progressbar(length=length, label=label, file=sys.stderr, update_min_steps=max(1, length // 1000)) as bar:
            yield bar.update


def is_plain_file_name(name: str) -> bool:
    """A name that stays inside the folder it is joined to: no separators, no dot-names."""
    return (
        bool(name)
        and not name.startswith(".")
        and not any(character in name for character in "/\\\x00")
        and PurePosixPath(name).name == name
    )


def _applied_migrations(migrator: Migrator) -> list[str]:
    return [migration_id for _, migration_id, applied in migrator.status() if applied]


async def _total_rows(db: DB) -> int:
    return sum([int(await db.fetch_val(table.query("count"))) for table in TABLES])


@contextlib.asynccontextmanager
async def _connected(config: Config) -> AsyncIterator[tuple[Services, Migrator]]:
    """The database and the migrations, without the plugins' startup hooks.

    Startup would, for instance, create the bootstrap admin in a database about to be restored.
    """
    from core.app import build_services

    services, migrator = build_services(config)
    await services.db.connect()
    try:
        yield services, migrator
    finally:
        await services.db.disconnect()


class _HashingReader:
    """A file object that hashes what is read through it (tarfile copies from it in chunks)."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.on_read(len(data))
        return data


def _hash_file(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(size=size, sha256=digest.hexdigest())


def _write_mode(archive: Path) -> str:
    return "w:gz" if archive.name.endswith((".gz", ".tgz")) else "w"


# --- Backup -----------------------------------------------------------------------------------


async def _dump_table(
    db: DB, table: Table, out: IO[bytes], step: Callable[[int], None], on_row: Callable[[dict[str, Any]], None]
) -> TableEntry:
    # deterministic: audit details come out with sorted keys, whatever order the backend kept
    encoder = msgspec.json.Encoder(order="deterministic")
    digest = hashlib.sha256()
    rows = 0
    after = table.after(None)
    while True:
        page = await db.fetch_all(table.query("dump"), limit=_PAGE_ROWS, **after)
        for row in page:
            line = encoder.encode(msgspec.convert(row, table.row_type)) + b"\n"
            digest.update(line)
            out.write(line)
            on_row(row)
        rows += len(page)
        step(len(page))
        if len(page) < _PAGE_ROWS:
            return TableEntry(rows=rows, sha256=digest.hexdigest())
        after = table.after(page[-1])


async def _dump_tables(db: DB, folder: Path, progress: Progress) -> tuple[dict[str, TableEntry], list[str]]:
    """Every table into `folder/<table>.jsonl`, all read in one snapshot; and the upload file names."""
    entries: dict[str, TableEntry] = {}
    filenames: list[str] = []

    def note_upload(row: dict[str, Any]) -> None:
        filenames.append(row["filename"])

    async with db.database.connection():
        # one connection, one read-only snapshot: a backup taken while DIDHub serves is consistent
        await db.execute("backup.begin_snapshot")
        try:
            with progress.bar("tables", await _total_rows(db)) as step:
                for table in TABLES:
                    with (folder / f"{table.name}.jsonl").open("wb") as out:
                        on_row = note_upload if table.name == "uploads" else _ignore
                        entries[table.name] = await _dump_table(db, table, out, step, on_row)
        finally:
            await db.execute("backup.end_snapshot")
    return entries, filenames


def _ignore(_: Any) -> None:
    pass


def _write_archive(
    archive: Path, manifest: Manifest, tables_folder: Path, upload_dir: Path, progress: Progress
) -> None:
    """Manifest, tables, files; written under a temporary name and renamed only when complete."""
    partial = archive.with_name(archive.name + ".partial")
    mtime = int(manifest.created_at.timestamp())

    def member(name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, mtime, 0o600
        return info

    try:
        with tarfile.open(partial, _write_mode(archive)) as tar:
            data = msgspec.json.format(msgspec.json.encode(manifest))
            tar.addfile(member(MANIFEST_NAME, len(data)), io.BytesIO(data))
            for table in TABLES:
                path = tables_folder / f"{table.name}.jsonl"
                with path.open("rb") as source:
                    tar.addfile(member(table.entry, path.stat().st_size), source)
            with progress.bar("uploads", manifest.file_bytes) as step:
                for name, entry in manifest.files.items():
                    with (upload_dir / name).open("rb") as source:
                        reader = _HashingReader(source, step)
                        tar.addfile(member(f"uploads/{name}", entry.size), reader)
                    if reader.digest.hexdigest() != entry.sha256:
                        raise BackupError(f"upload {name} changed while it was being backed up; run the backup again")
        os.replace(partial, archive)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


async def backup(config: Config, archive: Path, progress: Progress | None = None) -> BackupResult:
    """Write the instance's tables and uploads to `archive` (replaced only once it is complete)."""
    progress = progress or Progress()
    upload_dir = Path(config.upload_dir)
    archive = archive.absolute()
    if not archive.parent.is_dir():
        raise BackupError(f"{archive.parent} is not a folder")
    async with _connected(config) as (services, migrator):
        pending = await asyncio.to_thread(migrator.pending)
        if pending:
            raise BackupError(f"{pending} migrations are pending on {services.db.url.display}; run `didhub migrate up` first")
        migrations = await asyncio.to_thread(_applied_migrations, migrator)
        # table spools next to the archive: that disk has room for the archive anyway
        with tempfile.TemporaryDirectory(prefix=".didhub-backup-", dir=archive.parent) as spool:
            tables, filenames = await _dump_tables(services.db, Path(spool), progress)
            result = BackupResult(
                Manifest(
                    didhub_version=__version__,
                    created_at=utcnow(),
                    source_dialect=services.db.dialect,
                    migrations=migrations,
                    tables=tables,
                    files={},
                )
            )

            def hash_files() -> None:
                with progress.bar("hashing", len(filenames)) as step:
                    for name in filenames:
                        path = upload_dir / name
                        if is_plain_file_name(name) and path.is_file():
                            result.manifest.files[name] = _hash_file(path)
                        else:
                            result.missing_files.append(name)
                        step(1)

            # the manifest goes first in the archive, so the files are hashed before they are written
            await asyncio.to_thread(hash_files)
            await asyncio.to_thread(_write_archive, archive, result.manifest, Path(spool), upload_dir, progress)
    for name in result.missing_files:
        logger.warning("upload %r has a row but no file in %s; the archive holds the row only", name, upload_dir)
    return result


# --- Restore ----------------------------------------------------------------------------------


class _ArchiveReader:
    """The archive's entries in order, each checked; a damaged archive becomes a BackupError."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        try:
            # "r|*": one forward pass (compressed or not), never seeking, in bounded memory
            self.tar = tarfile.open(archive, "r|*")
        except FileNotFoundError:
            raise BackupError(f"{archive}: no such file") from None
        except _READ_ERRORS as exc:
            raise self.damaged(exc) from None
        self._members = iter(self.tar)

    def damaged(self, exc: BaseException) -> BackupError:
        return BackupError(f"{self.archive}: damaged or not a DIDHub backup ({exc or type(exc).__name__}); nothing was restored")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.tar.close()

    def next(self) -> tarfile.TarInfo | None:
        try:
            member = next(self._members, None)
        except _READ_ERRORS as exc:
            raise self.damaged(exc) from None
        if member is not None:
            self._check(member)
        return member

    def _check(self, member: tarfile.TarInfo) -> None:
        name = member.name
        path = PurePosixPath(name)
        if name.startswith("/") or "\\" in name or ".." in path.parts or "\x00" in name:
            raise BackupError(f"{self.archive}: entry {name!r} points outside the upload folder; refused, nothing was restored")
        if not member.isreg():
            raise BackupError(f"{self.archive}: entry {name!r} is not a regular file (a link or a folder); refused, nothing was restored")

    def copy(self, member: tarfile.TarInfo, out: IO[bytes], step: Callable[[int], None]) -> FileEntry:
        """Copy the entry's bytes to `out`, hashing them (errors writing `out` are not damage)."""
        digest = hashlib.sha256()
        size = 0
        try:
            source = self.tar.extractfile(member)
        except _READ_ERRORS as exc:
            raise self.damaged(exc) from None
        assert source is not None  # a regular file, checked by next()
        while True:
            try:
                chunk = source.read(_CHUNK_BYTES)
            except _READ_ERRORS as exc:
                raise self.damaged(exc) from None
            if not chunk:
                return FileEntry(size=size, sha256=digest.hexdigest())
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            step(len(chunk))

    def manifest(self) -> Manifest:
        member = self.next()
        if member is None or member.name != MANIFEST_NAME:
            raise BackupError(f"{self.archive}: not a DIDHub backup (it does not start with {MANIFEST_NAME}); nothing was restored")
        if member.size > _MAX_MANIFEST_BYTES:
            raise BackupError(f"{self.archive}: {MANIFEST_NAME} is implausibly large; refused, nothing was restored")
        buffer = io.BytesIO()
        self.copy(member, buffer, _ignore)
        data = buffer.getvalue()
        try:
            header = msgspec.json.decode(data, type=_ManifestHeader)
        except msgspec.DecodeError as exc:
            raise BackupError(f"{self.archive}: {MANIFEST_NAME} cannot be read ({exc}); nothing was restored") from None
        if header.format != FORMAT:
            raise BackupError(f"{self.archive}: not a DIDHub backup (format {header.format!r}); nothing was restored")
        if header.format_version != FORMAT_VERSION:
            raise BackupError(
                f"{self.archive}: backup format version {header.format_version}, but this DIDHub ({__version__}) "
                f"reads version {FORMAT_VERSION}; restore it with the DIDHub that wrote it; nothing was restored"
            )
        try:
            manifest = msgspec.json.decode(data, type=Manifest)
        except msgspec.DecodeError as exc:
            raise BackupError(f"{self.archive}: {MANIFEST_NAME} is not valid ({exc}); nothing was restored") from None
        if set(manifest.tables) != {table.name for table in TABLES}:
            raise BackupError(f"{self.archive}: {MANIFEST_NAME} does not list the tables this DIDHub has; nothing was restored")
        for name in manifest.files:
            if not is_plain_file_name(name):
                raise BackupError(f"{self.archive}: file {name!r} would be written outside the upload folder; refused, nothing was restored")
        return manifest


async def _restore_table(
    db: DB, reader: _ArchiveReader, member: tarfile.TarInfo, table: Table, entry: TableEntry, staging: Path, step: Callable[[int], None]
) -> None:
    archive = reader.archive
    with tempfile.TemporaryFile(dir=staging) as spool:
        # spool and check first: rows are parsed only from bytes whose hash matched
        copied = await asyncio.to_thread(reader.copy, member, spool, _ignore)
        if copied.sha256 != entry.sha256:
            raise BackupError(f"{archive}: {table.entry} does not match its SHA-256 in the manifest (damaged); nothing was restored")
        spool.seek(0)
        decoder = msgspec.json.Decoder(table.row_type)
        rows = 0
        batch: list[dict[str, Any]] = []
        for line in spool:
            rows += 1
            try:
                batch.append(msgspec.structs.asdict(decoder.decode(line)))
            except msgspec.DecodeError as exc:
                raise BackupError(f"{archive}: {table.entry} line {rows}: {exc}; nothing was restored") from None
            if len(batch) == _PAGE_ROWS:
                await _insert(db, table, batch, rows, archive)
                step(len(batch))
                batch = []
        await _insert(db, table, batch, rows, archive)
        step(len(batch))
    if rows != entry.rows:
        raise BackupError(f"{archive}: {table.entry} holds {rows} rows, the manifest says {entry.rows}; nothing was restored")


async def _insert(db: DB, table: Table, batch: list[dict[str, Any]], last_line: int, archive: Path) -> None:
    try:
        await db.execute_many(table.query("restore"), batch)
    except Exception as exc:
        reason = getattr(exc, "detail", None) or str(exc)
        lines = f"lines {last_line - len(batch) + 1}-{last_line}"
        raise BackupError(f"{archive}: {table.entry} {lines} cannot be restored ({reason}); nothing was restored") from exc


async def _current_filenames(db: DB, into: IO[str]) -> None:
    """The upload names the database holds now, one a line (--force replaces them)."""
    uploads = TABLE["uploads"]
    after = uploads.after(None)
    while page := await db.fetch_all("backup.dump_uploads", limit=_PAGE_ROWS, **after):
        into.writelines(f"{row['filename']}\n" for row in page)
        after = uploads.after(page[-1])


async def restore(config: Config, archive: Path, *, force: bool = False, progress: Progress | None = None) -> Manifest:
    """Load `archive` into the configured database (empty, or emptied with `force`) and upload folder.

    Nothing changes unless everything matched: rows go in inside one transaction, files into a
    staging folder; both are kept only after every hash, size and count was checked.
    """
    progress = progress or Progress()
    upload_dir = Path(config.upload_dir).absolute()
    reader = _ArchiveReader(archive)
    try:
        manifest = reader.manifest()
        async with _connected(config) as (services, migrator):
            db = services.db
            await asyncio.to_thread(migrator.up)
            applied = await asyncio.to_thread(_applied_migrations, migrator)
            if set(applied) != set(manifest.migrations):
                only_archive = sorted(set(manifest.migrations) - set(applied))
                only_here = sorted(set(applied) - set(manifest.migrations))
                raise BackupError(
                    f"{archive}: made by DIDHub {manifest.didhub_version} at another migration state than this database "
                    f"(only in the backup: {', '.join(only_archive) or 'none'}; only here: {', '.join(only_here) or 'none'}); "
                    f"restore it with the DIDHub version that wrote it, then upgrade; nothing was restored"
                )
            present = await _total_rows(db)
            if present and not force:
                raise BackupError(
                    f"{db.url.display} is not empty ({present} rows); restore into an empty database, "
                    f"or pass --force to replace everything in it; nothing was restored"
                )
            upload_dir.mkdir(parents=True, exist_ok=True)
            staging = upload_dir / f".didhub-restore-{secrets.token_hex(8)}"
            staging.mkdir()
            keep_staging = False
            try:
                with tempfile.TemporaryFile("w+", dir=staging) as replaced:
                    if force:
                        await _current_filenames(db, replaced)
                    await _load(db, reader, manifest, staging, force, progress)
                    # committed: the files take their places, then the replaced instance's files go
                    try:
                        for name in manifest.files:
                            os.replace(staging / name, upload_dir / name)
                    except OSError as exc:
                        keep_staging = True
                        raise BackupError(
                            f"the rows are restored, but moving the files from {staging} into {upload_dir} failed ({exc}); "
                            f"move the rest by hand"
                        ) from exc
                    replaced.seek(0)
                    for line in replaced:
                        name = line.rstrip("\n")
                        if name not in manifest.files and is_plain_file_name(name):
                            (upload_dir / name).unlink(missing_ok=True)
            finally:
                if not keep_staging:
                    shutil.rmtree(staging, ignore_errors=True)
    finally:
        reader.close()
    return manifest


async def _load(db: DB, reader: _ArchiveReader, manifest: Manifest, staging: Path, force: bool, progress: Progress) -> None:
    """Every row and file of the archive, checked, in one transaction that commits only if all matched."""
    archive = reader.archive
    async with db.transaction():
        if force:
            for table in reversed(TABLES):
                await db.execute(table.query("empty"))
        with progress.bar("tables", manifest.row_count) as step:
            for table in TABLES:
                member = reader.next()
                if member is None or member.name != table.entry:
                    found = "the end of the archive" if member is None else repr(member.name)
                    raise BackupError(f"{archive}: expected {table.entry} but found {found} (truncated or damaged); nothing was restored")
                await _restore_table(db, reader, member, table, manifest.tables[table.name], staging, step)
        seen: set[str] = set()
        with progress.bar("uploads", manifest.file_bytes) as step:
            while (member := reader.next()) is not None:
                folder, _, name = member.name.partition("/")
                if folder != "uploads" or name not in manifest.files or name in seen:
                    raise BackupError(f"{archive}: unexpected entry {member.name!r} (not in the manifest); refused, nothing was restored")
                with (staging / name).open("wb") as out:
                    copied = await asyncio.to_thread(reader.copy, member, out, step)
                if copied != manifest.files[name]:
                    raise BackupError(f"{archive}: {member.name} does not match its size and SHA-256 in the manifest (damaged); nothing was restored")
                seen.add(name)
        missing = len(manifest.files) - len(seen)
        if missing:
            raise BackupError(f"{archive}: {missing} files listed in the manifest are missing (truncated or damaged); nothing was restored")
        await db.fetch_val("backup.restart_ids")
