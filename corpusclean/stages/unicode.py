"""``unicode``: ftfy's repairs for the Latin-1/cp1252 family, at a speed a corpus can afford.

ftfy is the reference for this kind of mojibake, but run on every line it
manages a few MB/s, and two of its defaults damage Chinese text: width fixing
turns full-width punctuation ，：（） into ASCII and quote uncurling turns
“” into ".  Both are off here.

Speed comes from a prefilter: every repair ftfy can make needs at least one
character from a small set (Latin-1 and the other single-byte code-page
letters that UTF-8 lead bytes become, C1 controls, surrogates, ligatures,
HTML entities, terminal escapes).  Clean Chinese text has almost none of them,
so ftfy runs only on the lines that have one, and the rest of the document is
only NFC-normalised.  ``tests/test_unicode.py`` checks on ftfy's own cases that
the prefiltered result equals ftfy's run on every line, and, exhaustively, that
every code point and the UTF-8 mojibake of every code point in each encoding
ftfy repairs is flagged whenever ftfy would change it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from corpusclean.document import Document
from corpusclean.stages import register
from corpusclean.stages.base import Stage

# Characters common in clean CJK text that sit inside the ranges below but
# are not suspect on their own: middle dot, multiplication and division
# signs, degree, section, plus-minus, superscripts, micro, yen, copyright and
# registered signs.  Some of them (× in cp1252, ÷ and · in MacRoman, µ in
# cp437) are what a UTF-8 lead byte becomes, so mojibake can be made of them
# and other unlisted characters only (×‘ is Hebrew ב read as cp1252, µ¥⌐ a
# Chinese character read as cp437): _LEAD_PAIRS below catches those.
_HARMLESS = "\u00b7\u00d7\u00f7\u00b0\u00a7\u00b1\u00b2\u00b3\u00b5\u00b9\u00a5\u00a9\u00ae"

_SUSPECT_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x7F),  # control characters, ESC
    (0x80, 0x4FF),  # C1 controls, Latin-1, Latin Extended, Greek, Cyrillic: code-page letters
    # cp1252 and MacRoman characters that UTF-8 lead bytes become (“ ” ‘ ’ … — –, common
    # in Chinese, are cp1252 continuation bytes and MacRoman lead bytes: _LEAD_PAIRS)
    *((ord(c), ord(c)) for c in "\u201a\u201e\u2020\u2021\u2030\u2039\u203a\u20ac\u2122"),
    *((ord(c), ord(c)) for c in "\u2202\u2206\u220f\u2211\u221a\u221e\u222b\u2248\u2260\u2264\u2265\u25ca\uf8ff"),
    (0x2500, 0x259F),  # box drawing and blocks: cp437/cp850 mojibake
    (0x2028, 0x2029),  # line separators
    (0xD800, 0xDFFF),  # surrogates
    (0xFB00, 0xFB06),  # Latin ligatures
    # format characters ftfy's remove_control_chars deletes: deprecated shaping controls,
    # the byte-order mark (ZWNBSP) inside text, interlinear annotation and U+FFFC
    (0x206A, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFC),
    (0xFFFD, 0xFFFD),  # replacement character (lossy sequences)
    (ord("&"), ord("&")),  # HTML entities
)


def _character_class(ranges, excluded: str) -> str:
    """A regex character class for ``ranges`` with the ``excluded`` characters cut out."""
    points = sorted({p for lo, hi in ranges for p in range(lo, hi + 1)} - {ord(c) for c in excluded})
    spans, start = [], points[0]
    for previous, current in zip(points, points[1:] + [None]):
        if current != previous + 1:
            spans.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else ""))
            start = current
    return "[" + "".join(spans) + "]"


_SINGLE_CLASS = _character_class(_SUSPECT_RANGES, _HARMLESS)
_SINGLE = re.compile(_SINGLE_CLASS)


def _lead_pairs() -> list[tuple[str, str]]:
    """``(leads, continuations)`` character-class bodies: a UTF-8 lead byte followed by a
    continuation byte as each single-byte encoding ftfy repairs shows them, where neither
    character is suspect on its own.  Pairs are built per encoding: “…” and —— (MacRoman
    lead bytes followed by cp1252 continuation bytes) are no one encoding's mojibake and
    stay unflagged.
    """
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
    from ftfy.chardata import CHARMAP_ENCODINGS

    def unsuspected(encoding: str, first: int, last: int) -> str:
        chars = {bytes([b]).decode(encoding, errors="ignore") for b in range(first, last + 1)}
        return re.escape("".join(sorted(c for c in chars if c and not _SINGLE.match(c))))

    pairs = set()
    for encoding in CHARMAP_ENCODINGS:
        leads, continuations = unsuspected(encoding, 0xC2, 0xF4), unsuspected(encoding, 0x80, 0xBF)
        if leads and continuations:
            pairs.add((leads, continuations))
    return sorted(pairs)


_LEAD_PAIRS = _lead_pairs()

#: A character, or a lead/continuation pair, one of ftfy's fixes needs to see before it changes
#: anything.  The pattern opens with one character class (every single suspect and every pair
#: lead) so that ``re`` scans for it as fast as for a plain class; the rest runs only there.
SUSPECT = re.compile(
    "[" + _SINGLE_CLASS[1:-1] + "".join(leads for leads, _ in _LEAD_PAIRS) + "]"
    + "(?:" + "|".join([f"(?<={_SINGLE_CLASS})",
                        *(f"(?<=[{leads}])[{continuations}]" for leads, continuations in _LEAD_PAIRS)]) + ")"
)


def _recoding(explanation: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The encode/decode steps of an ftfy explanation, up to its last decode (None if none)."""
    steps = [tuple(step) for step in explanation]
    decodes = [i for i, (action, _parameter) in enumerate(steps) if action == "decode"]
    return steps[: decodes[-1] + 1] if decodes else None


def _apply_known_plan(line: str, plans: list[list[tuple[str, str]]]) -> str | None:
    """``line`` re-decoded by the first plan that decodes it strictly into text that no
    longer looks like mojibake, or None."""
    for plan in plans:
        try:
            fixed = ftfy.apply_plan(line, plan)
        except (UnicodeError, ValueError):
            continue
        if fixed != line and not is_bad(fixed):
            return fixed
    return None


@register
class Unicode(Stage):
    """Fix mojibake and Unicode damage with ftfy, leaving CJK punctuation alone; normalise to NFC."""

    name = "unicode"

    @dataclasses.dataclass(frozen=True)
    class Config:
        #: Unicode normal form of the output.  NFC keeps full-width punctuation; NFKC would not.
        normalization: str = "NFC"
        #: Decode HTML entities (``&amp;``) in documents that contain no ``<``, as ftfy does.
        unescape_html: bool = True
        #: Run ftfy on every line instead of only on lines the prefilter flags (slow; for checking).
        prefilter: bool = True

        def __post_init__(self) -> None:
            if self.normalization not in ("NFC", "NFKC", "NFD", "NFKD", "none"):
                raise ValueError(f"normalization: expected NFC, NFKC, NFD, NFKD or none, got {self.normalization!r}")

    def setup(self) -> None:
        normalization = None if self.config.normalization == "none" else self.config.normalization
        self._ftfy_config = ftfy.TextFixerConfig(
            fix_character_width=False,
            uncurl_quotes=False,
            unescape_html=self.config.unescape_html,
            normalization=normalization,
            explain=True,
        )
        self._normalization = normalization

    def fix(self, text: str) -> tuple[str, int, int]:
        """Return the repaired text, the lines ftfy changed, and the lines repaired by
        reusing a re-decoding ftfy found for other lines of the same document.

        ftfy leaves very short lines alone (``ç¾…éš±``, the two-character name
        羅隱 read as cp1252, is too little evidence on its own).  When other
        lines of the document needed a given re-decoding, the same mistake was
        made over the whole document, so the same re-decoding is tried on the
        flagged lines ftfy left alone; it is kept when it decodes strictly and
        the result no longer looks like mojibake.
        """
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        config = self._ftfy_config
        if config.unescape_html and "<" in text:
            config = config._replace(unescape_html=False)  # markup: leave entities alone, as ftfy does
        repaired: dict[tuple[int, int], str] = {}
        left_alone: list[tuple[int, int]] = []
        plans: list[list[tuple[str, str]]] = []
        for span in self._lines_to_fix(text):
            line = text[span[0]:span[1]]
            fixed, explanation = ftfy.fix_and_explain(line, config)
            if fixed == line:
                left_alone.append(span)
                continue
            repaired[span] = fixed
            plan = _recoding(explanation or [])
            if plan and plan not in plans:
                plans.append(plan)
        by_plan = 0
        for span in left_alone if plans else ():
            fixed = _apply_known_plan(text[span[0]:span[1]], plans)
            if fixed is not None:
                repaired[span] = fixed
                by_plan += 1
        if repaired:
            pieces, done = [], 0
            for (start, end), fixed in sorted(repaired.items()):
                pieces.append(text[done:start])
                pieces.append(fixed)
                done = end
            pieces.append(text[done:])
            text = "".join(pieces)
        if self._normalization and not unicodedata.is_normalized(self._normalization, text):
            text = unicodedata.normalize(self._normalization, text)
        return text, len(repaired) - by_plan, by_plan

    def _lines_to_fix(self, text: str):
        """``(start, end)`` of each line ftfy should see, in order."""
        if not self.config.prefilter:
            start = 0
            for line in text.split("\n"):
                yield start, start + len(line)
                start += len(line) + 1
            return
        position = 0
        while (match := SUSPECT.search(text, position)) is not None:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            end = len(text) if end < 0 else end
            yield start, end
            position = end + 1

    def process(self, doc: Document) -> Document:
        if doc.text is None:
            return doc
        fixed, lines_fixed, lines_fixed_by_document = self.fix(doc.text)
        if fixed != doc.text:
            doc.record(self.name, lines_fixed=lines_fixed, lines_fixed_by_document=lines_fixed_by_document,
                       chars_before=len(doc.text), chars_after=len(fixed))
            doc.text = fixed
        return doc
