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
import operator
import re
from collections import Counter
from collections.abc import Iterable

import opencc

#: Config names shipped with OpenCC.  ``s``: simplified, ``t``: OpenCC standard traditional,
#: ``tw``/``hk``: Taiwan/Hong Kong variants, ``p`` suffix: also convert phrases (vocabulary).
OPENCC_CONFIGS = frozenset(
    "s2t t2s s2tw tw2s s2hk hk2s s2twp tw2sp t2tw tw2t t2hk hk2t s2hkp hk2sp t2jp jp2t".split()
)

#: Which config turns a document of a detected script family into each target.  Only
#: zh-TW and zh-HK have a conversion for text already in their family (regional variants).
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
        return sum(map(operator.ne, before, after))
    return sum((Counter(before) - Counter(after)).values())


#: Han characters: CJK unified ideographs (with extension A and the supplementary planes) and
#: compatibility ideographs.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SCRIPT_SPECIFIC_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))


class _CharacterSet:
    """Counts characters of a set in a text.

    ``re`` matches a class of BMP characters against a bitmap, but falls back
    to a linear scan of the class once it holds any supplementary-plane
    character, 16 times slower here; those few characters (Extension B) get
    a pattern of their own, used only on text that has such characters.
    """

    def __init__(self, characters: Iterable[str]) -> None:
        characters = list(characters)
        bmp = "".join(re.escape(ch) for ch in characters if ch <= "\uffff")
        astral = "".join(re.escape(ch) for ch in characters if ch > "\uffff")
        self._bmp = re.compile(f"[{bmp}]") if bmp else None
        self._astral = re.compile(f"[{astral}]") if astral else None

    def count(self, text: str, astral: bool) -> int:
        found = len(self._bmp.findall(text)) if self._bmp else 0
        if astral and self._astral:
            found += len(self._astral.findall(text))
        return found


@functools.lru_cache(maxsize=None)
def _script_specific() -> tuple[_CharacterSet, _CharacterSet]:
    """Characters OpenCC's t2s changes (traditional-specific) and s2t changes
    (simplified-specific), each converted alone, so that no phrase context applies.

    Built once per process from the installed backend's own dictionaries (about 0.1 s
    with the native one), so detection agrees with the conversion that follows it.
    """
    characters = [chr(c) for low, high in _SCRIPT_SPECIFIC_RANGES for c in range(low, high + 1)]
    column = "\n".join(characters)
    sets = []
    for config in ("t2s", "s2t"):
        converted = convert(column, config).split("\n")
        if len(converted) != len(characters):  # a backend that merged lines: compare one by one
            converted = [convert(ch, config) for ch in characters]
        sets.append(_CharacterSet(a for a, b in zip(characters, converted, strict=True) if a != b))
    return sets[0], sets[1]


def detect_script(text: str) -> tuple[str, dict[str, int]]:
    """Classify Chinese text as ``zh-Hans``, ``zh-Hant``, ``zh`` (no script-specific
    characters) or ``und`` (no Han characters at all).

    Characters that OpenCC's t2s would change are traditional-specific, those
    s2t would change are simplified-specific; the larger count wins.  Stray
    characters of the other script (common in scraped traditional text) do
    not flip the result, and they are reported in the counts.
    """
    han = len(_HAN.findall(text))
    if not han:
        return "und", {"han": 0, "traditional": 0, "simplified": 0}
    traditional_only, simplified_only = _script_specific()
    astral = max(text) > "\uffff"
    traditional = traditional_only.count(text, astral)
    simplified = simplified_only.count(text, astral)
    counts = {"han": han, "traditional": traditional, "simplified": simplified}
    if traditional > simplified:
        return "zh-Hant", counts
    if simplified > traditional:
        return "zh-Hans", counts
    return "zh", counts


def conversion_for(script: str, counts: dict[str, int], target: str, mixed_share: float) -> str | None:
    """The OpenCC config that brings a document to ``target`` (None: nothing to do).

    A document mostly in the other script is converted.  A document mostly in
    the target script is converted too when characters of the other script
    are more than ``mixed_share`` of its Han characters: a traditional poem
    under a simplified site header is such a document.  Below that share the
    stray characters are left alone, because running t2s over simplified text
    also changes characters that are legitimate there (黄霑 becomes 黄沾).
    """
    conversions = _CONVERSIONS.get(target)
    if conversions is None or script == "und":
        return None
    other = "zh-Hant" if target == "zh-Hans" else "zh-Hans"
    other_count = counts["traditional"] if other == "zh-Hant" else counts["simplified"]
    if script == other or other_count > mixed_share * counts["han"]:
        return conversions[other]
    return conversions.get(script)  # t2tw, t2hk: a variant within traditional script
