"""``html``: HTML to plain text, one line per block, page furniture removed.

Parsing is beautifulsoup4 on the lxml parser (tolerant of the broken markup
scrapes are full of).  Elements that are never article text (scripts, styles,
navigation, headers, footers, asides, forms) are removed before text is
taken; block elements become line breaks, inline ones do not, and whitespace
inside a block collapses as a browser collapses it.  A line break in the
source between two CJK characters disappears instead of becoming a space
(CSS Text 3 segment-break rule), since Chinese has no spaces between words.
"""

from __future__ import annotations

import dataclasses
import re

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction
from bs4 import Declaration, CData

from corpusclean.document import Document
from corpusclean.stages import register
from corpusclean.stages.base import Stage

_BLOCK_TAGS = frozenset(
    "address article blockquote body br caption dd details div dl dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr html li main ol p pre section summary table tbody td tfoot th thead tr ul "
    "center dir menu option".split()
)
_NON_TEXT = (Comment, Doctype, ProcessingInstruction, Declaration, CData)
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:!doctype\s+html|html|head|body|div|p|br|table|span|meta|title|a\s)[\s>/]", re.IGNORECASE
)
_LINE_SEPARATOR = "\ue000"  # private-use sentinel between blocks; never left in the output
_WHITESPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")


def looks_like_html(text: str) -> bool:
    """True when the start of ``text`` is HTML markup rather than prose."""
    head = text[:2048].lstrip()
    return head.startswith("<") and _LOOKS_LIKE_HTML.search(head) is not None


@register
class Html(Stage):
    """Extract block-structured text from HTML documents; ``<title>`` goes to ``meta.title``."""

    name = "html"

    @dataclasses.dataclass(frozen=True)
    class Config:
        #: ``auto``: HTML files plus text documents that start with HTML markup; ``html``: only
        #: documents read from .html/.htm files (or marked so in JSONL); ``all``: every document.
        apply_to: str = "auto"
        #: Elements removed with everything inside them before text is taken.
        remove_tags: tuple[str, ...] = (
            "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
            "nav", "header", "footer", "aside", "form", "button", "select", "input", "textarea",
            "rt", "rp",  # ruby pronunciation glosses (furigana, zhuyin, pinyin) over the base text
        )

        def __post_init__(self) -> None:
            if self.apply_to not in ("auto", "html", "all"):
                raise ValueError(f"apply_to: expected 'auto', 'html' or 'all', got {self.apply_to!r}")

    def applies_to(self, doc: Document) -> bool:
        mode = self.config.apply_to
        if mode == "all" or doc.meta.get("format") == "html":
            return True
        return mode == "auto" and doc.text is not None and looks_like_html(doc.text)

    def process(self, doc: Document) -> Document:
        if doc.text is None or not self.applies_to(doc):
            return doc
        title, lang, text = self.extract(doc.text)
        if title:
            doc.meta["title"] = title
        if lang:
            doc.meta["lang"] = lang
        doc.meta["format"] = "html"
        doc.record(self.name, chars_before=len(doc.text), chars_after=len(text), lines=text.count("\n") + bool(text))
        doc.text = text
        return doc

    def extract(self, markup: str) -> tuple[str | None, str | None, str]:
        """Return ``(title, lang, text)`` of an HTML page."""
        soup = BeautifulSoup(markup.replace(_LINE_SEPARATOR, ""), "lxml")
        title_tag = soup.find("title")
        title = _WHITESPACE.sub(" ", title_tag.get_text()).strip() if title_tag else None
        html_tag = soup.find("html")
        lang = html_tag.get("lang") if html_tag is not None else None
        lang = lang.strip() if isinstance(lang, str) and lang.strip() else None
        for tag in soup.find_all(["head", "title", *self.config.remove_tags]):
            tag.decompose()
        parts: list[str] = []
        for node in soup.descendants:
            if isinstance(node, NavigableString):
                if not isinstance(node, _NON_TEXT):
                    parts.append(str(node))
            elif node.name in _BLOCK_TAGS:
                parts.append(_LINE_SEPARATOR)
                if node.name != "br":
                    # close the block after its last descendant
                    node.append(NavigableString(_LINE_SEPARATOR))
        flat = _BREAK_BETWEEN_CJK.sub("", "".join(parts))
        lines = (_WHITESPACE.sub(" ", line).strip() for line in flat.split(_LINE_SEPARATOR))
        return title or None, lang, "\n".join(line for line in lines if line)
