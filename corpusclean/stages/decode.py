"""``decode``: raw bytes to text, with the encoding and how sure we are recorded in ``meta``.

Order of evidence, strongest first:

1. a byte-order mark;
2. strict UTF-8: multi-byte text in any other encoding almost never
   validates as UTF-8 by accident, and pages that declare ``gb2312`` while
   serving UTF-8 are common after site migrations, so a successful strict
   decode beats a declaration;
   then UTF-8 with a few lost bytes (a truncated last character, a stray
   byte): when one character or at most ``max_utf8_errors`` of them are invalid the
   text is UTF-8, and the lost bytes stay visible as U+FFFD for the repair
   stage; text in a legacy encoding has invalid sequences everywhere;
3. the page's own declaration (``<meta charset>`` or ``http-equiv``), decoded
   strictly, with GB2312/GBK widened to their superset GB18030 and Big5 to
   Big5-HKSCS;
4. charset-normalizer, first restricted to the likely codecs (much faster and,
   on CJK text, as accurate), then unrestricted if that finds nothing.

Bytes that decode to mostly control characters are binary, not text: they
are dropped as ``undecodable`` rather than passed on as garbage.
"""

from __future__ import annotations

import codecs
import dataclasses
import re

import charset_normalizer

from corpusclean.document import Document
from corpusclean.stages import register
from corpusclean.stages.base import Stage

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)

#: Declared labels decoded with a superset codec, as browsers do (WHATWG Encoding).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}

# C0 controls other than tab, newline, carriage return and form feed, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, as a Python codec name."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


@register
class Decode(Stage):
    """Turn ``doc.raw`` bytes into ``doc.text``; drop what is not text."""

    name = "decode"

    @dataclasses.dataclass(frozen=True)
    class Config:
        #: Codecs charset-normalizer tries first; the unrestricted detector runs only if none fits.
        likely_encodings: tuple[str, ...] = (
            "gb18030", "big5hkscs", "utf_16", "shift_jis", "euc_jp", "euc_kr", "cp1252", "cp1251",
        )
        #: Honour ``<meta charset>`` declarations in HTML.
        use_declared: bool = True
        #: Share of control characters above which decoded bytes are treated as binary.
        max_control_ratio: float = 0.05
        #: Share of invalid sequences up to which bytes are still read as (damaged) UTF-8.
        max_utf8_errors: float = 0.001

        def __post_init__(self) -> None:
            for name in self.likely_encodings:
                try:
                    codecs.lookup(name)
                except LookupError:
                    raise ValueError(f"likely_encodings: unknown codec {name!r}") from None
            if not 0.0 <= self.max_control_ratio <= 1.0:
                raise ValueError("max_control_ratio must be between 0 and 1")
            if not 0.0 <= self.max_utf8_errors <= 1.0:
                raise ValueError("max_utf8_errors must be between 0 and 1")

    def process(self, doc: Document) -> Document:
        if doc.raw is None:
            if doc.text is None:
                return doc.drop(self.name, "empty")
            return doc  # already text: nothing to decode
        data = doc.raw
        doc.raw = None
        decoded = self.decode_bytes(data, html=doc.meta.get("format") == "html")
        if decoded is None:
            return doc.drop(self.name, "undecodable", bytes=len(data))
        text, encoding, confidence, method = decoded
        doc.text = text
        doc.chars_in = len(text)
        doc.meta["encoding"] = encoding
        doc.meta["encoding_confidence"] = confidence
        doc.record(self.name, encoding=encoding, confidence=confidence, method=method, bytes=len(data))
        return doc

    def _is_text(self, text: str) -> bool:
        """False for bytes that 'decode' but are binary: control characters everywhere."""
        return len(_CONTROL.findall(text)) <= self.config.max_control_ratio * len(text)

    def _damaged_utf8(self, data: bytes) -> tuple[str, str, float, str] | None:
        """UTF-8 with a few invalid sequences, or None if there are too many to be UTF-8."""
        text = data.decode("utf-8", errors="replace")
        errors = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        if errors > max(1.0, self.config.max_utf8_errors * len(text)) or not self._is_text(text):
            return None
        return text, "utf-8", round(1.0 - errors / max(len(text), 1), 4), "utf-8-damaged"

    def decode_bytes(self, data: bytes, html: bool = False) -> tuple[str, str, float, str] | None:
        """Return ``(text, codec, confidence, method)``, or None when no codec fits."""
        for bom, codec in _BOMS:
            if data.startswith(bom):
                try:
                    return data.decode(codec), codecs.lookup(codec).name, 1.0, "bom"
                except UnicodeDecodeError:
                    break  # a BOM followed by garbage: let detection decide
        try:
            text = data.decode("utf-8")
            if self._is_text(text):
                return text, "utf-8", 1.0, "utf-8"
        except UnicodeDecodeError:
            lossy = self._damaged_utf8(data)
            if lossy is not None:
                return lossy
        if self.config.use_declared and (html or data.lstrip()[:1] == b"<"):
            codec = declared_charset(data)
            if codec:
                try:
                    text = data.decode(codec)
                    if self._is_text(text):
                        return text, codec, 0.99, "declared"
                except UnicodeDecodeError:
                    pass
        for isolation in (list(self.config.likely_encodings), None):
            best = charset_normalizer.from_bytes(data, cp_isolation=isolation).best()
            if best is not None:
                codec = _SUPERSETS.get(best.encoding, best.encoding)
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    codec, text = best.encoding, str(best)
                if self._is_text(text):
                    confidence = round(1.0 - float(best.chaos), 3)
                    return text, codecs.lookup(codec).name, confidence, "detected"
        return None
