"""Writing an output file (``--out``): never over an existing file unless asked, never half a file.

Every command that writes a file (``plan --out``, ``export --out``, ``graph --out``, ``runbook
--out``, ``schema --out``) goes through :func:`write_output`:

* an existing regular file is replaced only with ``force`` (the CLI's ``--force``); without it the
  error says so and how — a hand-written ``blueprint.yaml`` is not lost to a typo in ``--out``;
* the text goes to a temporary file in the same directory, is flushed to disk, and is then renamed
  over the target: a reader (or a crash, or a full disk) sees the old file or the new one, never a
  part of one;
* a target that exists and is not a regular file (``/dev/stdout``, a named pipe) is written in place,
  since a rename cannot replace it;
* an ``OSError`` (a directory given, no permission, the disk full, a read-only file system) becomes
  one :class:`~b24provision.errors.OutputError` line naming the path and what to do.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from b24provision.errors import OutputError

__all__ = ["check_writable", "write_output"]

_HINTS = {
    errno.ENOSPC: "the disk is full; free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up; free some space or write elsewhere",
    errno.EACCES: "no permission to write there; choose another --out path",
    errno.EPERM: "no permission to write there; choose another --out path",
    errno.EROFS: "the file system is read-only; choose another --out path",
    errno.ENOTDIR: "a part of the path is a file, not a directory; check the --out path",
    errno.EISDIR: "it is a directory; give a file name in it",
    errno.EFBIG: "the file is larger than this system allows (a file-size limit); write elsewhere",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter --out path",
}


def check_writable(path: Path, *, force: bool) -> None:
    """Refuse, before any work is done, what :func:`write_output` would refuse up front.

    Raises:
        OutputError: ``path`` is a directory, or an existing file and ``force`` is not set.
    """
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory; give a file name in it, e.g. {path}/out")
    if not force and path.is_file():
        raise OutputError(
            f"{path} exists and was not overwritten; pass --force to replace it, or choose another --out"
        )


def write_output(path: Path, content: str | bytes, *, force: bool = False, mode: int | None = None) -> Path:
    """Write ``content`` (text as UTF-8) to ``path`` atomically; see the module docstring.

    Args:
        force: replace an existing file.
        mode: the file's permission bits (e.g. 0o600 for a secret); default: those of the file
            replaced, else what a new file gets (0666 less the umask).

    Returns:
        The path written.

    Raises:
        OutputError: the file exists (and ``force`` is not set), or it cannot be written.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    check_writable(path, force=force)
    try:
        existing: int | None = path.stat().st_mode
    except OSError:
        existing = None
    try:
        if existing is not None and not stat.S_ISREG(existing):
            with path.open("wb") as stream:  # a device or a pipe: there is nothing to rename over
                stream.write(data)
            return path
        ancestor = next((p for p in path.parents if p.exists()), None)
        if ancestor is not None and not ancestor.is_dir():  # mkdir would say "File exists"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(ancestor))
        path.parent.mkdir(parents=True, exist_ok=True)
        if mode is None:
            mode = stat.S_IMODE(existing) if existing is not None else 0o666 & ~_umask()
        _replace_atomically(path, data, mode)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_why(exc)}") from None
    return path


def _replace_atomically(path: Path, data: bytes, mode: int) -> None:
    """A temporary file beside ``path``, flushed, then renamed over it (one step for a reader)."""
    # mkstemp makes the file 0600, so a secret is never readable by others, not even for a moment.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _why(exc: OSError) -> str:
    words = exc.strerror or type(exc).__name__
    hint = _HINTS.get(exc.errno or 0, "check the --out path")
    return f"{words} — {hint}"
