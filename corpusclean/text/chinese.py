"""Chinese script conversion and detection on top of OpenCC.

Both OpenCC bindings install the module ``opencc`` with the same
``opencc.OpenCC(config).convert(text)`` API: the native package (the C++
library, current dictionaries, 543/543 of OpenCC's official cases) and
opencc-python-reimplemented (pure Python, dictionaries of early 2023, about
1 MB/s).  Everything here works with either; :func:`backend` says which one
is installed so a manifest can record it.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections import Counter

import opencc

#: Config names shipped with OpenCC.  ``s``: simplified, ``t``: OpenCC standard traditional,
#: ``tw``/``hk``: Taiwan/Hong Kong variants, ``p`` suffix: also convert phrases (vocabulary).
OPENCC_CONFIGS = frozenset(
    "s2t t2s s2tw tw2s s2hk hk2s s2twp tw2sp t2tw tw2t t2hk hk2t s2hkp hk2sp t2jp jp2t".split()
)

#: Which config turns a document of a detected script family into each target.
_CONVERSIONS = {
    "zh-Hans": {"zh-Hant": "t2s"},
    "zh-Hant": {"zh-Hans": "s2t"},
    "zh-TW": {"zh-Hans": "s2tw", "zh-Hant": "t2tw"},
    "zh-HK": {"zh-Hans": "s2hk", "zh-Hant": "t2hk"},
}
TARGETS = (*_CONVERSIONS, "keep")


@functools.lru_cache(maxsize=None)
def backend() -> dict[str, str]:
    """The installed OpenCC binding: ``{"package": ..., "version": ...}``.

    The native binding exposes its C++ library as ``opencc.clib``; the
    reimplementation has no such attribute.
    """
    package = "opencc" if hasattr(opencc, "clib") else "opencc-python-reimplemented"
    try:
        version = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(opencc, "__version__", "unknown")
    return {"package": package, "version": version}


@functools.lru_cache(maxsize=None)
def converter(config: str) -> opencc.OpenCC:
    """A cached converter for an OpenCC config name such as ``t2s``."""
    return opencc.OpenCC(config)


def convert(text: str, config: str) -> str:
    return converter(config).convert(text)


def sample(text: str, size: int) -> str:
    """Up to ``size`` characters from the start, middle and end of ``text`` (all of it if short)."""
    if size <= 0 or len(text) <= size:
        return text
    third = size // 3
    middle = len(text) // 2 - third // 2
    return text[:third] + text[middle:middle + third] + text[-third:]


def changed_chars(before: str, after: str) -> int:
    """How many characters a conversion changed (a multiset difference when lengths differ)."""
    if len(before) == len(after):
        return sum(1 for a, b in zip(before, after) if a != b)
    return sum((Counter(before) - Counter(after)).values())


def detect_script(text: str) -> tuple[str, dict[str, int]]:
    """Classify Chinese text as ``zh-Hans``, ``zh-Hant``, ``zh`` (no script-specific
    characters) or ``und`` (no Han characters at all).

    Characters that OpenCC's t2s would change are traditional-specific, those
    s2t would change are simplified-specific; the larger count wins.  Stray
    characters of the other script (common in scraped traditional text) do
    not flip the result, and they are reported in the counts.
    """
    han = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000")
    if not han:
        return "und", {"han": 0, "traditional": 0, "simplified": 0}
    traditional = changed_chars(text, convert(text, "t2s"))
    simplified = changed_chars(text, convert(text, "s2t"))
    counts = {"han": han, "traditional": traditional, "simplified": simplified}
    if traditional > simplified:
        return "zh-Hant", counts
    if simplified > traditional:
        return "zh-Hans", counts
    return "zh", counts


def conversion_for(script: str, target: str) -> str | None:
    """The OpenCC config that brings a document of ``script`` to ``target`` (None: nothing to do)."""
    return _CONVERSIONS.get(target, {}).get(script)
