"""Find input files and turn them into :class:`Document` objects, bytes still undecoded.

Supported: ``.txt``, ``.html``/``.htm`` (one document per file, optionally
gzip-compressed as ``.gz``), and ``.jsonl`` / ``.jsonl.gz`` / ``.jsonl.zst``
(one document per line).  Reading never raises on bad input: an unreadable
file, a corrupt archive, a line that is not JSON or a document over the size
limit becomes a document with status ``failed`` and a reason, so it is
accounted for in the version's records like every other input.

Ids are stable across runs: the source path relative to the input directory
for single-document files; for JSONL, the record's own id if it has one,
else ``<path>:<line>``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from corpusclean.config import InputConfig
from corpusclean.document import Document

_SINGLE_DOCUMENT = {".txt": "text", ".html": "html", ".htm": "html"}


def input_kind(name: str) -> tuple[str, str | None] | None:
    """``(container, format)`` for a file name, or None if the type is not supported.

    container is ``jsonl`` or ``file``; compression is handled separately.
    """
    lower = name.lower()
    for suffix in (".gz", ".zst"):
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            if suffix == ".zst" and not lower.endswith(".jsonl"):
                return None
            break
    if lower.endswith(".jsonl"):
        return "jsonl", None
    for suffix, fmt in _SINGLE_DOCUMENT.items():
        if lower.endswith(suffix):
            return "file", fmt
    if name.lower().endswith(".gz") and "." not in lower.rsplit("/", 1)[-1]:
        return "file", None  # a bare .gz of unknown text: decode decides
    return None


@dataclass
class InputFile:
    """One input file: where it is, how it is named in the corpus, and its fingerprint."""

    path: Path
    source: str  # posix path relative to its input root: stable across machines
    size: int | None = None
    sha256: str | None = None
    error: str | None = None  # why it could not be read, if it could not
    supported: bool = True

    def manifest_entry(self) -> dict:
        entry = {"path": self.source, "sha256": self.sha256, "bytes": self.size}
        if not self.supported:
            entry["skipped"] = "unsupported_type"
        if self.error:
            entry["error"] = self.error
        return entry


def discover(inputs: list[Path]) -> list[InputFile]:
    """Every file under ``inputs`` (directories recursively), in a stable order, hashed.

    Hidden files and folders (names starting with ``.``) are not inputs.
    Files of an unsupported type are returned with ``supported=False`` so the
    manifest can say they were seen and skipped.
    """
    found: list[InputFile] = []
    seen: set[Path] = set()
    for root in inputs:
        if root.is_dir():
            paths = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                paths.extend(Path(dirpath) / f for f in filenames if not f.startswith("."))
            entries = [(p, p.relative_to(root).as_posix()) for p in paths]
        elif root.exists() or root.is_symlink():
            entries = [(root, _file_source(root))]
        else:
            raise FileNotFoundError(f"input not found: {root}")
        for path, source in sorted(entries, key=lambda entry: entry[1]):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            found.append(_fingerprint(InputFile(path, source, supported=input_kind(path.name) is not None)))
    return found


def _file_source(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def _fingerprint(item: InputFile) -> InputFile:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(item.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    except OSError as error:
        item.error = f"{type(error).__name__}: {error.strerror or error}"
        return item
    item.size, item.sha256 = size, digest.hexdigest()
    return item


def _open(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)
    return open(path, "rb")


_READ_ERRORS = (OSError, EOFError, zlib.error, ValueError)


def read_documents(item: InputFile, config: InputConfig) -> Iterator[Document]:
    """The documents in one input file; failures become failed documents, never exceptions."""
    kind = input_kind(item.path.name)
    if kind is None:
        return
    if item.error:
        yield Document(id=item.source, source=item.source).fail("read", "unreadable", item.error)
        return
    container, fmt = kind
    if container == "file":
        yield _read_single(item, fmt, config)
    else:
        yield from _read_jsonl(item, config)


def _read_single(item: InputFile, fmt: str | None, config: InputConfig) -> Document:
    doc = Document(id=item.source, source=item.source)
    if fmt:
        doc.meta["format"] = fmt
    try:
        with _open(item.path) as handle:
            data = handle.read(config.max_document_bytes + 1)
    except _READ_ERRORS as error:
        return doc.fail("read", "unreadable", f"{type(error).__name__}: {error}")
    if len(data) > config.max_document_bytes:
        return doc.fail("read", "too_large", f"larger than input.max_document_bytes={config.max_document_bytes}")
    doc.raw = data
    return doc


def _read_jsonl(item: InputFile, config: InputConfig) -> Iterator[Document]:
    limit = config.max_document_bytes
    line_number = 0
    try:
        with _open(item.path) as raw_handle:
            handle = io.BufferedReader(raw_handle) if not hasattr(raw_handle, "peek") else raw_handle
            while True:
                line = handle.readline(limit + 1)
                if not line:
                    break
                line_number += 1
                where = f"{item.source}:{line_number}"
                if len(line) > limit and not line.endswith(b"\n"):
                    while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                    yield Document(id=where, source=where).fail(
                        "read", "too_large", f"line longer than input.max_document_bytes={limit}")
                    continue
                if not line.strip():
                    continue
                yield _jsonl_document(line, where, config)
    except _READ_ERRORS as error:
        where = f"{item.source}:{line_number + 1}"
        yield Document(id=where, source=where).fail("read", "unreadable", f"{type(error).__name__}: {error}")


def _jsonl_document(line: bytes, where: str, config: InputConfig) -> Document:
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        return Document(id=where, source=where).fail("read", "bad_json", str(error)[:200])
    if not isinstance(record, dict):
        return Document(id=where, source=where).fail("read", "bad_json", "a JSONL line must be an object")
    record_id = record.get(config.id_field)
    doc_id = str(record_id) if isinstance(record_id, (str, int)) and str(record_id) else where
    doc = Document(id=doc_id, source=where)
    text = record.get(config.text_field)
    if not isinstance(text, str):
        return doc.fail("read", "missing_text", f"field {config.text_field!r} is missing or not a string")
    doc.text = text
    doc.chars_in = len(text)
    url = record.get(config.url_field)
    if isinstance(url, str) and url:
        doc.meta["url"] = url
    return doc
