"""Dedup keys: the part of a text that two copies of one document share.

Reposts of the same article differ in script (traditional/simplified), in
character width, in punctuation and in whitespace; none of that makes a new
document.  The key folds all of it away; the output keeps the original text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from corpusclean.text import chinese

# Python's \w covers letters and digits of every script (CJK included), so
# this removes punctuation, symbols, whitespace and the underscore.
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """NFKC, simplified script, case-folded, with whitespace and punctuation removed."""
    text = unicodedata.normalize("NFKC", text)
    text = chinese.convert(text, "t2s")
    return _NOT_WORD.sub("", text).casefold()


def exact_key(text: str) -> bytes:
    """A 16-byte hash of :func:`fold` of ``text``."""
    return hashlib.blake2b(fold(text).encode("utf-8"), digest_size=16).digest()
