"""Reading a configuration export archive safely: it is untrusted input.

The portal's export (CRM -> settings -> solution presets -> export, reference §8.7/§8.8) is a
``.zip`` or a ``.tar.gz`` of JSON files. A consultant commits it or uploads it as a CI artifact,
so it may come from anyone: this module opens it without ever extracting to disk and with bounded
memory and time. It refuses, with one clear line each:

- a file that is neither a zip nor a gzip'd tar, or a damaged one;
- more members than ``MAX_MEMBERS``, a member larger than ``MAX_MEMBER_BYTES``, more than
  ``MAX_TOTAL_BYTES`` uncompressed in all, or a member that expands more than ``MAX_RATIO`` times
  (a zip bomb) — sizes are checked while reading, not trusted from the headers;
- member names that are absolute, climb out with ``..``, hold a backslash or NUL (path traversal);
- symbolic and hard links.

Only the members the reader needs are read: ``manifest.json``, ``CRM_STATUS/*.json`` and
``BIZPROC_MAIN/*.json``; everything else (``files/…``, other entities) is listed, never read.
"""

from __future__ import annotations

import gzip
import io
import json
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from b24provision.errors import B24ProvisionError

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_TAR_STREAM_BYTES = 256 * 1024 * 1024
"""A .tar.gz is one compressed stream: skipping a member means unpacking it, so the whole stream is capped."""
MAX_RATIO = 200
"""A member may expand at most this many times (JSON compresses ~10x; DOCUMENT_FIELDS up to ~50x)."""
_RATIO_FLOOR = 1024 * 1024
"""Below this size the ratio is not checked (a tiny file of spaces compresses far beyond any ratio)."""

WANTED = ("manifest.json", "CRM_STATUS/", "BIZPROC_MAIN/")


class ExportArchiveError(B24ProvisionError):
    """The export archive cannot be read: damaged, hostile or not an export."""


@dataclass(frozen=True)
class ExportFiles:
    """The JSON members of an export that matter here, parsed, by their names in the archive."""

    path: Path
    documents: dict[str, Any]
    """``manifest.json``, ``CRM_STATUS/<ENTITY_ID>.json``, ``BIZPROC_MAIN/0.json``, ... -> parsed JSON."""
    written_at: datetime | None
    """The newest member time in the archive: when the portal wrote the export."""


def read_export_files(path: Path) -> ExportFiles:
    """Open the export at ``path`` and parse its wanted JSON members (see the module docstring).

    Raises:
        ExportArchiveError: one line saying what is wrong with the file and what to do.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExportArchiveError(
            f"{path}: cannot read the export: {exc.strerror} — give the portal's configuration export "
            "with --export ZIP (or --robots-from ZIP); an administrator downloads it in the portal "
            "(CRM -> settings -> solution presets -> export)"
        ) from None
    if size > MAX_ARCHIVE_BYTES:
        raise _bad(path, f"the file is {size // (1024 * 1024)} MB, more than an export can be")
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head.startswith(b"PK"):
            members = _zip_members(path)
        elif head.startswith(b"\x1f\x8b"):
            members = _tar_members(path)
        else:
            raise _bad(path, "it is neither a .zip nor a .tar.gz file")
        documents: dict[str, Any] = {}
        newest: datetime | None = None
        total = 0
        for name, when, read in members:
            newest = when if newest is None or (when is not None and when > newest) else newest
            if not name.endswith(".json") or not name.startswith(WANTED):
                continue
            data = read()
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise _bad(path, f"it unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB")
            documents[name] = _parse_json(path, name, data)
    except (
        zipfile.BadZipFile,
        tarfile.TarError,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        OverflowError,
        NotImplementedError,
        RuntimeError,  # zipfile: an encrypted member
    ) as exc:
        raise _bad(path, f"the archive is damaged ({type(exc).__name__}: {exc})") from None
    if "manifest.json" not in documents:
        raise _bad(path, "it has no manifest.json")
    return ExportFiles(path=path, documents=documents, written_at=newest)


# ----------------------------------------------------------------------------------- formats

Member = tuple[str, datetime | None, Any]


def _zip_members(path: Path) -> Iterator[Member]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        _check_count(path, len(infos))
        for info in infos:
            name = _safe_name(path, info.filename)
            if info.is_dir():
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _bad(path, f"member {name!r} is a symbolic link")
            when = datetime(*info.date_time)

            def read(info: zipfile.ZipInfo = info, name: str = name) -> bytes:
                with archive.open(info) as stream:
                    return _read_capped(path, name, stream, info.compress_size)

            yield name, when, read


class _CappedStream(io.RawIOBase):
    """The decompressed .tar.gz stream, refusing to give more than MAX_TAR_STREAM_BYTES."""

    def __init__(self, path: Path, inner: gzip.GzipFile) -> None:
        self.path, self.inner, self.total = path, inner, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        self.total += len(data)
        if self.total > MAX_TAR_STREAM_BYTES:
            raise _bad(self.path, f"it unpacks to more than {MAX_TAR_STREAM_BYTES // (1024 * 1024)} MB")
        buffer[: len(data)] = data
        return len(data)


def _tar_members(path: Path) -> Iterator[Member]:
    # Stream mode ("r|"): members are read once, in order, as they come out of the capped stream.
    with gzip.open(path, "rb") as unpacked:
        stream = io.BufferedReader(_CappedStream(path, unpacked))
        archive = tarfile.open(None, "r|", stream)
        try:
            yield from _tar_entries(path, archive)
        finally:
            archive.close()


def _tar_entries(path: Path, archive: tarfile.TarFile) -> Iterator[Member]:
    count = 0
    for info in archive:  # streamed: the member list is not trusted to be small
        count += 1
        _check_count(path, count)
        name = _safe_name(path, info.name)
        if info.issym() or info.islnk():
            raise _bad(path, f"member {name!r} is a link")
        if info.isdir():
            continue
        if not info.isfile():
            raise _bad(path, f"member {name!r} is not a regular file")
        when = datetime.fromtimestamp(info.mtime) if info.mtime else None

        def read(info: tarfile.TarInfo = info, name: str = name) -> bytes:
            stream = archive.extractfile(info)
            if stream is None:
                raise _bad(path, f"member {name!r} cannot be read")
            with stream:
                # A tar's compression is over the whole stream: no per-member ratio to check.
                return _read_capped(path, name, stream, None)

        yield name, when, read


# ------------------------------------------------------------------------------------ checks


def _check_count(path: Path, count: int) -> None:
    if count > MAX_MEMBERS:
        raise _bad(path, f"it holds more than {MAX_MEMBERS} files")


def _safe_name(path: Path, raw: str) -> str:
    if "\\" in raw or "\x00" in raw:
        raise _bad(path, f"member name {raw!r} holds a backslash or NUL")
    pure = PurePosixPath(raw)
    if pure.is_absolute() or ".." in pure.parts:
        raise _bad(path, f"member name {raw!r} points outside the archive")
    return str(pure).removeprefix("./")


def _read_capped(path: Path, name: str, stream: IO[bytes], compressed: int | None) -> bytes:
    """Read at most MAX_MEMBER_BYTES, in chunks, checking size and expansion as it goes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_MEMBER_BYTES:
            raise _bad(path, f"member {name!r} unpacks to more than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
        if compressed is not None and size > _RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
            raise _bad(path, f"member {name!r} expands more than {MAX_RATIO} times (a zip bomb?)")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(path: Path, name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise _bad(path, f"member {name!r} is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"member {name!r} is not valid JSON ({exc})") from None


def _bad(path: Path, why: str) -> ExportArchiveError:
    return ExportArchiveError(
        f"{path}: not a readable configuration export: {why} — make a new export in the portal "
        "(CRM -> settings -> solution presets -> export) and use that file"
    )
