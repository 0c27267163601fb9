"""One-call cleaning for ETL jobs: ``corpusclean.clean(text_or_bytes)``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from corpusclean.document import KEPT, Document
from corpusclean.pipeline import Pipeline


@dataclass
class CleanResult:
    """The outcome of cleaning one document.

    ``text`` is None when the document was dropped; ``dropped`` then holds the
    reason code (``undecodable``, ``empty``, ``error``, ...).
    """

    text: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    trace: list[dict[str, Any]] = field(default_factory=list)
    dropped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "meta": self.meta, "trace": self.trace, "dropped": self.dropped}


@functools.lru_cache(maxsize=16)
def _cached_pipeline(config_json: str) -> Pipeline:
    return Pipeline(json.loads(config_json))


def pipeline_for(config: dict[str, Any] | None) -> Pipeline:
    """A pipeline for ``config``, built once and reused: converters and parsers are costly to set up."""
    return _cached_pipeline(json.dumps(config or {}, sort_keys=True))


def clean(content: str | bytes, config: dict[str, Any] | None = None, *, id: str = "document",
          format: str | None = None, url: str | None = None) -> CleanResult:
    """Clean one document with the default stages (or those of ``config``, a dict shaped like the TOML).

    ``content`` may be bytes in any encoding or already-decoded text.
    ``format="html"`` marks HTML explicitly (otherwise HTML is recognised by
    its markup).  Corpus-level stages see this document alone, so dedup
    never drops it; use :class:`corpusclean.Pipeline` for batches.
    """
    pipeline = pipeline_for(config)
    doc = Document(id=id, source=id)
    if isinstance(content, bytes):
        doc.raw = content
    else:
        doc.text = content
        doc.chars_in = len(content)
    if format:
        doc.meta["format"] = format
    if url:
        doc.meta["url"] = url
    (doc,) = pipeline.process([doc])
    kept = doc.status == KEPT
    return CleanResult(text=doc.text if kept else None, meta=doc.meta, trace=doc.trace,
                       dropped=None if kept else doc.reason)
