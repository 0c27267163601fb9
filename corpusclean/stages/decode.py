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
3. the page's own declaration (``<meta charset>``, ``http-equiv``, or an XML
   declaration as RSS feeds have), decoded strictly, with GB2312/GBK widened
   to their superset GB18030, Big5 to Big5-HKSCS and EUC-KR to CP949, and
   Shift_JIS that does not decode strictly read as CP932 (Windows extensions),
   as browsers do.  A UTF-16/32 declaration in bytes where it could be read
   as ASCII cannot be true and is ignored;
4. charset-normalizer, first restricted to the likely codecs (much faster and,
   on CJK text, as accurate), then unrestricted if that finds nothing; a CJK
   codec wins a tie on chaos against a single-byte code page (a Big5 feed
   that is mostly English otherwise reads as cp1252);
5. as a last resort, text in one of the likely CJK codecs with a few invalid
   bytes (a download cut inside a character, a stray byte), like damaged
   UTF-8 above, or with none but more chaos than the detector accepts.

7-bit ISO-2022 text (Japanese mail-style pages, Korean) is valid ASCII and
so valid UTF-8; its escape sequences are read before the UTF-8 shortcut.

Bytes that decode to mostly control characters are binary, not text: they
are dropped as ``undecodable`` rather than passed on as garbage.
"""

from __future__ import annotations

import codecs
import dataclasses
import re

import charset_normalizer
from charset_normalizer.md import mess_ratio
from charset_normalizer.utils import is_multi_byte_encoding

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
_XML_DECLARATION = re.compile(
    rb"""\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)

#: An escape sequence that designates a CJK character set in 7-bit ISO-2022 text, and the codecs to try.
_ISO2022 = (
    (b"\x1b$)C", ("iso2022_kr",)),
    (b"\x1b$", ("iso2022_jp", "iso2022_jp_2", "iso2022_jp_ext")),
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
    "euc-kr": "cp949",  # an exact superset (checked over every byte pair)
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "windows-949": "cp949",
    "x-sjis": "shift_jis",  # labels Python does not know
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}

#: Codecs to fall back on when a declared codec does not decode strictly: Shift_JIS pages
#: use the Windows extensions (NEC/IBM characters) that browsers accept.  CP932 maps six
#: Shift_JIS characters differently (〜 as ～ ...), so it is not a plain superset.
_FALLBACKS = {"shift_jis": "cp932"}

#: Declarations that cannot be true in bytes where the declaration itself reads as ASCII.
_IMPOSSIBLE_DECLARATIONS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})

_REPLACEMENTS = re.compile("\ufffd+")

# C0 controls other than tab, newline, carriage return and form feed, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_cjk_multi_byte(encoding: str) -> bool:
    """A legacy multi-byte codec (GB18030, Big5, Shift_JIS, EUC-*), not a UTF."""
    return is_multi_byte_encoding(encoding) and not codecs.lookup(encoding).name.startswith("utf")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page (``<meta>``) or XML document declares in its first 4 KB, as a Python codec name."""
    match = _DECLARED_CHARSET.search(data[:4096]) or _XML_DECLARATION.match(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    label = _SUPERSETS.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return None if codec in _IMPOSSIBLE_DECLARATIONS else codec


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
        """UTF-8 with a few invalid sequences, or None if there are too many to be UTF-8.

        A byte lost or inserted inside a character costs up to four U+FFFD,
        so when there are more U+FFFD than allowed, the damaged *places*
        (runs of U+FFFD, four to a place) are counted instead, provided the
        rest of the text proves it is UTF-8: valid multi-byte characters,
        which text in a legacy encoding does not produce, outnumber the
        losses twenty to one.
        """
        text = data.decode("utf-8", errors="replace")
        genuine = data.count(b"\xef\xbf\xbd")
        errors = text.count("\ufffd") - genuine
        allowed = max(1.0, self.config.max_utf8_errors * len(text))
        if errors > allowed:
            places = sum(-(-len(run) // 4) for run in _REPLACEMENTS.findall(text)) - genuine
            multi_byte = len(text) - len(text.encode("ascii", "ignore")) - errors - genuine
            if places > allowed or multi_byte < 20 * errors:
                return None
        if not self._is_text(text):
            return None
        return text, "utf-8", round(1.0 - errors / max(len(text), 1), 4), "utf-8-damaged"

    def _iso2022(self, data: bytes) -> tuple[str, str, float, str] | None:
        """7-bit ISO-2022 text, recognised by its escape sequences, or None."""
        if b"\x1b$" not in data or not data.isascii():
            return None
        for escape, candidates in _ISO2022:
            if escape in data:
                for codec in candidates:
                    try:
                        text = data.decode(codec)
                    except UnicodeDecodeError:
                        continue
                    if self._is_text(text):
                        return text, codecs.lookup(codec).name, 1.0, "iso-2022"
                return None
        return None

    def _detected(self, data: bytes, best: charset_normalizer.CharsetMatch) -> tuple[str, str, float, str] | None:
        codec = _SUPERSETS.get(best.encoding, best.encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            codec, text = best.encoding, str(best)
        if not self._is_text(text):
            return None
        return text, codecs.lookup(codec).name, round(1.0 - float(best.chaos), 3), "detected"

    def decode_bytes(self, data: bytes, html: bool = False) -> tuple[str, str, float, str] | None:
        """Return ``(text, codec, confidence, method)``, or None when no codec fits."""
        for bom, codec in _BOMS:
            if data.startswith(bom):
                try:
                    return data.decode(codec), codecs.lookup(codec).name, 1.0, "bom"
                except UnicodeDecodeError:
                    break  # a BOM followed by garbage: let detection decide
        iso2022 = self._iso2022(data)
        if iso2022 is not None:
            return iso2022
        try:
            text = data.decode("utf-8")
            if self._is_text(text):
                return text, "utf-8", 1.0, "utf-8"
        except UnicodeDecodeError:
            lossy = self._damaged_utf8(data)
            if lossy is not None:
                return lossy
        if self.config.use_declared and (html or data.lstrip()[:1] == b"<"):
            declared = declared_charset(data)
            for codec in filter(None, (declared, _FALLBACKS.get(declared))):
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    continue  # not this codec: its fallback, or detection
                if self._is_text(text):
                    return text, codec, 0.99, "declared"
                break
        for isolation in (list(self.config.likely_encodings), None):
            results = charset_normalizer.from_bytes(data, cp_isolation=isolation)
            best = results.best()
            if best is None:
                continue
            if not is_multi_byte_encoding(best.encoding):
                # cp1252 and cp1251 decode almost any bytes, and win ties on the coherence of
                # the English around a little Chinese: a CJK codec that reads the bytes with
                # no more chaos is the better answer
                best = next((m for m in results if _is_cjk_multi_byte(m.encoding) and m.chaos <= best.chaos), best)
            detected = self._detected(data, best)
            if detected is not None:
                return detected
        return self._damaged_legacy(data)

    def _damaged_legacy(self, data: bytes) -> tuple[str, str, float, str] | None:
        """Text in a likely CJK codec that the detector gave up on, or None.

        A download cut inside a character or one stray byte makes a GBK or
        Big5 page fail every strict decode, so the detector finds nothing
        (method ``damaged``); and some intact pages (arrows, ～, empty
        brackets) look too chaotic to it in every codec (method
        ``lenient``).  As with UTF-8, up to ``max_utf8_errors`` lost bytes
        are allowed (at least three: one stray byte can cost GB18030, with
        its four-byte sequences, three characters) and stay visible as
        U+FFFD.  Among the codecs that qualify the text charset-normalizer
        finds least chaotic wins, if it is below its usual 0.2 (GBK read as
        Big5 scores 0.4 and more, Big5 read as GB18030 over 1.5).
        """
        best = None
        for codec in self.config.likely_encodings:
            if not _is_cjk_multi_byte(codec):
                continue
            text = data.decode(codec, errors="replace")
            errors = text.count("\ufffd")
            if errors > max(3.0, self.config.max_utf8_errors * len(text)) or not self._is_text(text):
                continue
            chaos = mess_ratio(text, maximum_threshold=1.0)
            if best is None or chaos < best[0]:
                best = (chaos, text, codec, errors)
        if best is None or best[0] > 0.2:
            return None
        chaos, text, codec, errors = best
        confidence = round((1.0 - chaos) * (1.0 - errors / max(len(text), 1)), 3)
        return text, codecs.lookup(codec).name, confidence, "damaged" if errors else "lenient"
