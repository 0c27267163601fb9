"""The unit that flows through a pipeline.

A :class:`Document` starts life as raw bytes read from a scrape and leaves as
clean text (or as a recorded drop).  Every stage that touches it appends an
entry to :attr:`Document.trace`, so the journey of any document can be audited
from the version's ``records.jsonl.gz`` without re-running anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: ``Document.status`` values, as written to ``records.jsonl.gz``.
KEPT = "kept"
DROPPED = "dropped"
FAILED = "failed"


@dataclass
class Document:
    """One document: an id, its content (bytes before decoding, text after), and its history.

    ``raw`` holds the undecoded bytes until the ``decode`` stage replaces them
    with ``text``; a document built from a ``str`` starts with ``text`` set.
    ``meta`` carries facts about the document that go to the output
    (encoding, script, title, ...); ``scratch`` carries per-run values that
    corpus-level stages compute in the workers (dedup keys) and that are never
    written out.
    """

    id: str
    text: str | None = None
    raw: bytes | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    trace: list[dict[str, Any]] = field(default_factory=list)
    status: str = KEPT
    reason: str | None = None
    duplicate_of: str | None = None
    chars_in: int = 0
    scratch: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dropped(self) -> bool:
        return self.status != KEPT

    def record(self, stage: str, **changes: Any) -> None:
        """Append what ``stage`` did to this document to its trace."""
        self.trace.append({"stage": stage, **changes})

    def drop(self, stage: str, reason: str, **details: Any) -> Document:
        """Mark the document as dropped by ``stage`` with a machine-readable ``reason`` code."""
        self.status = DROPPED
        self.reason = reason
        self.record(stage, dropped=reason, **details)
        return self

    def fail(self, stage: str, reason: str, error: str) -> Document:
        """Mark the document as failed: an input or stage error, not a cleaning decision."""
        self.status = FAILED
        self.reason = reason
        self.record(stage, failed=reason, error=error)
        return self

    def output_record(self) -> dict[str, Any]:
        """The line written to the version's data shards for a kept document."""
        return {"id": self.id, "text": self.text, "source": self.source, "meta": self.meta}

    def audit_record(self) -> dict[str, Any]:
        """The line written to ``records.jsonl.gz``: what happened to this input, kept or not."""
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "duplicate_of": self.duplicate_of,
            "chars_in": self.chars_in,
            "chars_out": len(self.text) if self.status == KEPT and self.text is not None else 0,
            "trace": self.trace,
        }
