"""Deterministic gzip JSONL writers.

gzip headers normally carry a timestamp and a file name, which would make two
runs over the same input differ byte for byte; here both are zeroed, so equal
documents give equal files whatever the machine, time or worker count.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def gzip_writer(path: Path, level: int = 6, append: bool = False) -> Iterator[IO[bytes]]:
    """Open ``path`` for writing gzip with no timestamp or name in the header.

    With ``append`` a new gzip member is added after the existing ones;
    readers see one continuous stream.
    """
    with open(path, "ab" if append else "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0, filename="") as out:
        yield out


def json_line(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no ASCII escaping, key order as given."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Shard:
    """A closed shard: its path and what is in it."""

    path: Path
    documents: int
    bytes: int  # uncompressed JSONL bytes


class ShardedWriter:
    """Write JSON lines to ``part-00000.jsonl.gz``, ``part-00001.jsonl.gz``, ... in ``directory``.

    A shard closes when it reaches ``max_documents`` documents or
    ``max_bytes`` uncompressed bytes, so no output file grows without bound.
    """

    def __init__(self, directory: Path, max_documents: int, max_bytes: int, level: int = 6,
                 first_index: int = 0) -> None:
        self.directory = directory
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self.level = level
        self.shards: list[Shard] = []
        self._index = first_index
        self._stack: contextlib.ExitStack | None = None
        self._handle: IO[bytes] | None = None
        self._current: Shard | None = None

    def write(self, record: dict[str, Any]) -> None:
        line = json_line(record)
        if self._current is not None and (
            self._current.documents >= self.max_documents or self._current.bytes + len(line) > self.max_bytes
        ):
            self._close_shard()
        if self._current is None:
            self._open_shard()
        assert self._handle is not None and self._current is not None
        self._handle.write(line)
        self._current.documents += 1
        self._current.bytes += len(line)

    def _open_shard(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"part-{self._index:05d}.jsonl.gz"
        self._index += 1
        self._stack = contextlib.ExitStack()
        self._handle = self._stack.enter_context(gzip_writer(path, self.level))
        self._current = Shard(path, 0, 0)

    def _close_shard(self) -> None:
        if self._stack is not None and self._current is not None:
            self._stack.close()
            self.shards.append(self._current)
        self._stack = self._handle = self._current = None

    def close(self) -> list[Shard]:
        self._close_shard()
        return self.shards

    def __enter__(self) -> ShardedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
