"""``script``: detect each document's Chinese script and convert it with OpenCC.

The default target is simplified Chinese (``zh-Hans``), what most Chinese
training corpora use.  Detection counts script-specific characters in a
sample of the document (start, middle and end) against tables built from
OpenCC's own dictionaries, so a document already in the target costs a
regex scan, not a conversion.  Regional variants (t2tw, t2hk) and explicit
``opencc`` configs are applied when they change the sample.
"""

from __future__ import annotations

import dataclasses

from corpusclean.document import Document
from corpusclean.stages import register
from corpusclean.stages.base import Stage
from corpusclean.text import chinese


@register
class Script(Stage):
    """Record ``meta.script`` and convert the text to the target script."""

    name = "script"

    @dataclasses.dataclass(frozen=True)
    class Config:
        #: Output script: ``zh-Hans``, ``zh-Hant`` (OpenCC standard), ``zh-TW``, ``zh-HK``, or
        #: ``keep`` to only detect.
        target: str = "zh-Hans"
        #: An OpenCC config name (``s2twp``, ``hk2s``, ...) applied to every document instead of
        #: a conversion chosen from ``target`` and the detected script.  Empty: use ``target``.
        opencc: str = ""
        #: Characters (from start, middle and end) used to detect the script and decide whether
        #: a conversion would change anything; 0 reads the whole document.
        sample_chars: int = 6000
        #: A document mostly in the target script is still converted when characters of the
        #: other script exceed this share of its Han characters (mixed documents).
        mixed_share: float = 0.05

        def __post_init__(self) -> None:
            if self.target not in chinese.TARGETS:
                raise ValueError(f"target: expected one of {', '.join(chinese.TARGETS)}, got {self.target!r}")
            name = self.opencc.removesuffix(".json")
            if self.opencc and name not in chinese.OPENCC_CONFIGS:
                known = ", ".join(sorted(chinese.OPENCC_CONFIGS))
                raise ValueError(f"opencc: unknown OpenCC config {self.opencc!r} (known: {known})")
            if self.sample_chars < 0:
                raise ValueError("sample_chars must be >= 0")
            if not 0.0 <= self.mixed_share <= 1.0:
                raise ValueError("mixed_share must be between 0 and 1")

    def setup(self) -> None:
        self._fixed_config = self.config.opencc.removesuffix(".json") or None
        if self._fixed_config:
            chinese.converter(self._fixed_config)  # fail now, not on the first document

    def process(self, doc: Document) -> Document:
        if doc.text is None:
            return doc
        sample = chinese.sample(doc.text, self.config.sample_chars)
        script, counts = chinese.detect_script(sample)
        doc.meta["script"] = script
        config = self._conversion(script, counts, sample)
        if config is None:
            doc.record(self.name, script=script, **counts, converted=None)
            return doc
        converted = chinese.convert(doc.text, config)
        changed = chinese.changed_chars(doc.text, converted)
        doc.record(self.name, script=script, **counts, converted=config if changed else None,
                   chars_converted=changed)
        doc.text = converted
        return doc

    def _conversion(self, script: str, counts: dict[str, int], sample: str) -> str | None:
        if self._fixed_config:
            config = self._fixed_config
        else:
            config = chinese.conversion_for(script, counts, self.config.target, self.config.mixed_share)
        if config is None:
            return None
        if config in ("t2s", "s2t") and not self._fixed_config:
            return config  # detection already counted what these change
        return config if chinese.convert(sample, config) != sample else None
