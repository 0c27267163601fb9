"""What produced a version: the code and the library versions that shape the output.

Two runs with equal provenance and equal config give equal data, so a run
whose provenance or config differs from the latest version's rebuilds in
full instead of appending to it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import platform
from pathlib import Path

from corpusclean.text import chinese

_PACKAGE_DIR = Path(__file__).resolve().parent
_LIBRARIES = ("ftfy", "charset-normalizer", "beautifulsoup4", "lxml")


@functools.lru_cache(maxsize=None)
def code_sha256() -> str:
    """Hash of every source and data file of the installed corpusclean package."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.lru_cache(maxsize=None)
def tools() -> dict[str, object]:
    """Versions of corpusclean, its code, Python and every library that changes the output."""
    from corpusclean import __version__

    return {
        "corpusclean": __version__,
        "code_sha256": code_sha256(),
        "python": platform.python_version(),
        **{library: _version(library) for library in _LIBRARIES},
        "opencc": chinese.backend(),
    }


def output_fingerprint() -> dict[str, object]:
    """The part of :func:`tools` that decides whether old output is still valid.

    Python's patch level does not change text processing, its minor version
    can (its Unicode database), so only ``major.minor`` counts.
    """
    fingerprint = dict(tools())
    fingerprint["python"] = ".".join(platform.python_version_tuple()[:2])
    return fingerprint
