"""Immutable, atomically written corpus versions.

Layout of an output root (``clean/`` by default)::

    clean/
      .lock                      held by the run that is writing
      v0001/
        manifest.json            what the version is and how it was made
        data/part-00000.jsonl.gz kept documents
        records.jsonl.gz         one line per input document: kept, dropped or failed, and why
        state/                   what the next run needs to deduplicate against this corpus

A version is built in a hidden temporary directory next to its final place
and renamed into place when complete; rename is atomic on one filesystem, so a
crash leaves either the whole version or none (the leftover temporary
directory is removed by the next run).  Versions are never modified after the
rename.  One run at a time holds ``.lock``; a second run fails at once with a
clear message, or waits for it with ``wait=True``.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_VERSION_NAME = re.compile(r"^v(\d{4,})$")
_TEMP_PREFIX = ".tmp-"
MANIFEST = "manifest.json"


class StoreError(RuntimeError):
    """The store cannot be used as asked (locked, missing version, damaged manifest)."""


class VersionStore:
    """The versions under one output root."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.is_dir() and _VERSION_NAME.match(p.name)]
        return sorted(names, key=lambda name: int(name[1:]))

    def latest(self) -> str | None:
        versions = self.versions()
        return versions[-1] if versions else None

    def next_name(self) -> str:
        latest = self.latest()
        return f"v{(int(latest[1:]) if latest else 0) + 1:04d}"

    def path(self, name: str) -> Path:
        return self.root / name

    def manifest(self, name: str) -> dict[str, Any]:
        path = self.root / name / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{path} is missing: {name} is not a complete version") from None
        except ValueError as error:
            raise StoreError(f"{path} is not valid JSON: {error}") from None

    @contextlib.contextmanager
    def lock(self, wait: bool = False, poll_seconds: float = 0.5) -> Iterator[None]:
        """Hold the store's write lock; fail with :class:`StoreError` if another run has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / ".lock", "a+")
        try:
            while not _try_lock(handle):
                if not wait:
                    raise StoreError(
                        f"another corpusclean run is writing to {self.root} (it holds {self.root / '.lock'}); "
                        "wait for it to finish or pass --wait"
                    )
                time.sleep(poll_seconds)
            self._remove_abandoned_builds()
            yield
        finally:
            _unlock(handle)
            handle.close()

    def _remove_abandoned_builds(self) -> None:
        """Temporary directories left by a run that crashed: never a version, safe to delete."""
        for path in self.root.iterdir():
            if path.is_dir() and path.name.startswith(_TEMP_PREFIX):
                shutil.rmtree(path, ignore_errors=True)

    def new_build(self, name: str) -> Path:
        """An empty temporary directory to build version ``name`` in (hold the lock)."""
        build = self.root / f"{_TEMP_PREFIX}{name}-{os.getpid()}"
        build.mkdir(parents=True)
        return build

    def commit(self, build: Path, name: str) -> Path:
        """Move a finished build into place as version ``name``: atomic, and never over an existing one."""
        final = self.root / name
        if final.exists():
            raise StoreError(f"{final} already exists; versions are never overwritten")
        _fsync_tree(build)
        os.rename(build, final)
        _fsync_directory(self.root)
        return final


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for filename in filenames:
            with open(os.path.join(dirpath, filename), "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_directory(Path(dirpath))


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def resolve_version(path: str | Path) -> Path:
    """A version directory from its own path, or the latest version under an output root."""
    path = Path(path)
    if (path / MANIFEST).is_file():
        return path
    latest = VersionStore(path).latest()
    if latest is None:
        raise StoreError(f"{path} is neither a version (no {MANIFEST}) nor an output root with versions")
    return path / latest


def open_version(path: str | Path) -> Iterator[dict[str, Any]]:
    """Iterate the documents of a version (``{"id", "text", "source", "meta"}`` dicts), in order.

    ``path`` is a version directory (``clean/v0002``) or an output root, in
    which case the latest version is read.
    """
    version = resolve_version(path)
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["outputs"]["data"]:
        shard = version / entry["path"]
        if not shard.is_file():
            raise StoreError(f"{shard} listed in the manifest is missing")
        with gzip.open(shard, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Iterate a version's records: one per input document, kept, dropped or failed."""
    version = resolve_version(path)
    with gzip.open(version / "records.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
