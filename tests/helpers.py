"""Small helpers shared by tests (not fixtures)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.conftest import RAW


def copy_raw(target: Path) -> Path:
    """A private copy of the sample scrapes, so a test can add files without touching raw/."""
    shutil.copytree(RAW, target)
    return target


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def data_hashes(version: Path) -> dict[str, str]:
    """sha256 of a version's data shards and records: the files that must be deterministic."""
    files = sorted(version.glob("data/*.jsonl.gz")) + [version / "records.jsonl.gz"]
    return {p.relative_to(version).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
