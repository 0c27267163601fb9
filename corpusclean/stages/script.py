"""``script``: detect each document's Chinese script and convert it with OpenCC.

The default target is simplified Chinese (``zh-Hans``), what most Chinese
training corpora use.  A document is converted only when a sample of it
(start, middle and end) would change under the conversion, so documents
already in the target cost one small conversion, not a full one.
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

        def __post_init__(self) -> None:
            if self.target not in chinese.TARGETS:
                raise ValueError(f"target: expected one of {', '.join(chinese.TARGETS)}, got {self.target!r}")
            name = self.opencc.removesuffix(".json")
            if self.opencc and name not in chinese.OPENCC_CONFIGS:
                known = ", ".join(sorted(chinese.OPENCC_CONFIGS))
                raise ValueError(f"opencc: unknown OpenCC config {self.opencc!r} (known: {known})")
            if self.sample_chars < 0:
                raise ValueError("sample_chars must be >= 0")

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
        config = self._fixed_config or chinese.conversion_for(script, self.config.target)
        if config is None or chinese.convert(sample, config) == sample:
            doc.record(self.name, script=script, **counts, converted=None)
            return doc
        converted = chinese.convert(doc.text, config)
        doc.record(self.name, script=script, **counts, converted=config,
                   chars_converted=chinese.changed_chars(doc.text, converted))
        doc.text = converted
        return doc
