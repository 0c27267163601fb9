"""The ordered list of stages a document flows through.

:class:`Pipeline` splits the configured stages into *segments*: runs of
per-document stages, which an engine may spread over workers, separated by
corpus-level stages, which see the ordered stream in one place.  The corpus
stage's ``prepare`` (hashing, say) is run at the end of the segment before
it, so that expensive per-document work still happens in the workers.

The pipeline also does what every stage would otherwise repeat: it skips
documents that are already dropped, drops documents a stage left empty
(reason ``empty``, charged to that stage),
turns an exception in a stage into a ``failed`` record instead of a crashed
run, and counts, per stage, documents in and out, changes, drops by reason
and time spent.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpusclean import config as config_module
from corpusclean.document import FAILED, Document
from corpusclean.stages import REGISTRY
from corpusclean.stages.base import CorpusStage, Stage


@dataclass
class StageStats:
    """What one stage did over a run."""

    documents_in: int = 0
    documents_out: int = 0
    changed: int = 0
    dropped: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    chars_in: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "in": self.documents_in,
            "out": self.documents_out,
            "changed": self.changed,
            "dropped": dict(sorted(self.dropped.items())),
            "failed": dict(sorted(self.failed.items())),
            "seconds": round(self.seconds, 3),
            "chars_in": self.chars_in,
        }


@dataclass
class _Segment:
    stages: list[Stage]
    corpus: CorpusStage | None  # the corpus stage that follows, whose prepare runs here


def _is_blank(text: str | None) -> bool:
    return text is not None and (not text or text.isspace())


class Pipeline:
    """Build the configured stages once; run documents through them.

    ``config`` is a resolved :class:`corpusclean.config.Config`, a dict shaped
    like the TOML file, or None for the defaults.
    """

    def __init__(self, config: config_module.Config | dict | None = None) -> None:
        if not isinstance(config, config_module.Config):
            config = config_module.resolve(config or {})
        self.config = config
        self.stages: list[Stage | CorpusStage] = [REGISTRY[name](config.section(name)) for name in config.stages]
        self.segments: list[_Segment] = []
        current: list[Stage] = []
        for stage in self.stages:
            if isinstance(stage, CorpusStage):
                self.segments.append(_Segment(current, stage))
                current = []
            else:
                current.append(stage)
        self.segments.append(_Segment(current, None))
        self.stats: dict[str, StageStats] = {stage.name: StageStats() for stage in self.stages}
        self._decodes = "decode" in config.stages

    @property
    def corpus_stages(self) -> list[CorpusStage]:
        return [stage for stage in self.stages if isinstance(stage, CorpusStage)]

    def new_state(self) -> dict[str, Any]:
        """Empty corpus memory for every corpus-level stage."""
        return {stage.name: stage.new_state() for stage in self.corpus_stages}

    # -- per-document work (runs in workers) ---------------------------------

    def run_segment(self, index: int, doc: Document) -> Document:
        """Run segment ``index``'s per-document stages on ``doc``, then the next corpus stage's prepare."""
        segment = self.segments[index]
        if index == 0 and not self._decodes:
            self._require_text(doc)
        timings = doc.scratch.setdefault("timings", [])
        for stage in segment.stages:
            if doc.dropped:
                break
            before = doc.text if doc.text is not None else doc.raw
            chars = len(before) if before is not None else 0
            started = time.perf_counter()
            try:
                doc = stage(doc)
            except Exception as error:  # a bug or an input no stage foresaw: record it, keep running
                doc.fail(stage.name, "error", _describe(error))
            if not doc.dropped and _is_blank(doc.text):
                doc.drop(stage.name, "empty")
            after = doc.text if doc.text is not None else doc.raw
            timings.append((stage.name, time.perf_counter() - started, chars, after is not before))
        if segment.corpus is not None and not doc.dropped:
            started = time.perf_counter()
            try:
                segment.corpus.prepare(doc)
            except Exception as error:
                doc.fail(segment.corpus.name, "error", _describe(error))
            # the corpus stage's own pass counts its documents; only the time is added here
            timings.append((segment.corpus.name, time.perf_counter() - started, 0, False))
        return doc

    def _require_text(self, doc: Document) -> None:
        """Without a ``decode`` stage, bytes must be UTF-8: say so rather than guess."""
        if doc.text is None and doc.raw is not None and not doc.dropped:
            try:
                doc.text = doc.raw.decode("utf-8")
                doc.chars_in = len(doc.text)
                doc.raw = None
            except UnicodeDecodeError:
                doc.drop("pipeline", "undecodable", detail="not UTF-8 and no decode stage selected")

    def run_segment_batch(self, index: int, docs: list[Document]) -> list[Document]:
        return [self.run_segment(index, doc) for doc in docs]

    # -- the whole stream ----------------------------------------------------

    def process(self, docs: Iterable[Document], state: dict[str, Any] | None = None,
                engine: Any = None) -> Iterator[Document]:
        """Run ``docs`` through every stage, in order; yield each document, kept or not.

        ``state`` is the corpus memory (from :meth:`new_state` or a parent
        version); pass the same dict to later calls to deduplicate a batch
        against earlier ones.  ``engine`` spreads per-document segments over
        workers; without one everything runs in this process.
        """
        if state is None:
            state = self.new_state()
        stream: Iterable[Document] = docs
        for index, segment in enumerate(self.segments):
            if not segment.stages and segment.corpus is None:
                continue  # the empty tail after a final corpus stage: nothing to send to workers
            if engine is None:
                stream = self._map_here(index, stream)
            else:
                stream = engine.map_segment(self, index, stream)
            stream = self._account(stream, segment.stages)
            if segment.corpus is not None:
                stream = self._run_corpus_stage(segment.corpus, stream, state[segment.corpus.name])
        for doc in stream:
            doc.scratch.clear()
            yield doc

    def _map_here(self, index: int, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self.run_segment(index, doc)

    def _account(self, docs: Iterable[Document], stages: list[Stage]) -> Iterator[Document]:
        names = {stage.name for stage in stages}
        for doc in docs:
            for name, seconds, chars, changed in doc.scratch.pop("timings", ()):
                stats = self.stats[name]
                stats.seconds += seconds
                if name in names:
                    stats.documents_in += 1
                    stats.chars_in += chars
                    stats.changed += bool(changed)
            if doc.dropped and doc.trace and doc.trace[-1]["stage"] in names:
                stage_stats = self.stats[doc.trace[-1]["stage"]]
                (stage_stats.failed if doc.status == FAILED else stage_stats.dropped)[doc.reason] += 1
            yield doc
        for stage in stages:
            stats = self.stats[stage.name]
            stats.documents_out = stats.documents_in - sum(stats.dropped.values()) - sum(stats.failed.values())

    def _run_corpus_stage(self, stage: CorpusStage, docs: Iterable[Document], state: Any) -> Iterator[Document]:
        stats = self.stats[stage.name]
        incoming = _Counted(docs)
        busy = 0.0  # time inside the stage's own pass, including the wait for upstream documents
        started = time.perf_counter()
        for doc in stage.process(incoming, state):
            busy += time.perf_counter() - started
            if doc.dropped and doc.trace and doc.trace[-1]["stage"] == stage.name:
                (stats.failed if doc.status == FAILED else stats.dropped)[doc.reason] += 1
            yield doc
            started = time.perf_counter()
        stats.seconds += max(0.0, busy - incoming.waited)
        stats.documents_in = incoming.live
        stats.chars_in = incoming.chars
        stats.documents_out = incoming.live - sum(stats.dropped.values()) - sum(stats.failed.values())

    def stats_dict(self) -> dict[str, dict[str, Any]]:
        return {name: self.stats[name].to_dict() for name in self.config.stages}


class _Counted:
    """Iterate documents, counting the live ones and the time spent waiting for them upstream."""

    def __init__(self, docs: Iterable[Document]) -> None:
        self._docs = iter(docs)
        self.live = 0
        self.chars = 0
        self.waited = 0.0

    def __iter__(self) -> Iterator[Document]:
        while True:
            started = time.perf_counter()
            doc = next(self._docs, None)
            self.waited += time.perf_counter() - started
            if doc is None:
                return
            if not doc.dropped:
                self.live += 1
                self.chars += len(doc.text or "")
            yield doc


def _describe(error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(error).__name__}: {error}{where}"[:500]
