"""Local engine: per-document segments on a pool of worker processes.

Documents are sent to workers in batches (to amortise inter-process
traffic) and results are taken back strictly in submission order, so the
output is the same for any number of workers.  At most ``2 x workers``
batches are in flight: reading never runs ahead of processing, and memory
stays flat however large the corpus is.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from corpusclean.document import Document

_WORKER_PIPELINE: Any = None


def _start_worker(config_dict: dict[str, Any]) -> None:
    global _WORKER_PIPELINE
    from corpusclean.pipeline import Pipeline

    _WORKER_PIPELINE = Pipeline(config_dict)


def _run_batch(index: int, batch: list[Document]) -> list[Document]:
    return _WORKER_PIPELINE.run_segment_batch(index, batch)


def _batches(docs: Iterable[Document], max_docs: int, max_bytes: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        content = doc.raw if doc.raw is not None else doc.text
        size += len(content) if content is not None else 0
        if len(batch) >= max_docs or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class LocalEngine:
    """Run per-document segments on ``workers`` processes (1: in this process, no pool)."""

    def __init__(self, workers: int | None = None, batch_documents: int = 64,
                 batch_bytes: int = 4 * 1024 * 1024) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.batch_documents = batch_documents
        self.batch_bytes = batch_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._pool_config: dict[str, Any] | None = None

    def _executor(self, config_dict: dict[str, Any]) -> ProcessPoolExecutor:
        if self._pool is None or self._pool_config != config_dict:
            self.close()
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_start_worker, initargs=(config_dict,))
            self._pool_config = config_dict
        return self._pool

    def map_segment(self, pipeline: Any, index: int, docs: Iterable[Document]) -> Iterator[Document]:
        """Yield ``docs`` after segment ``index`` of ``pipeline``, in input order."""
        if self.workers == 1:
            for doc in docs:
                yield pipeline.run_segment(index, doc)
            return
        pool = self._executor(pipeline.config.to_dict())
        pending: deque[Future] = deque()
        for batch in _batches(docs, self.batch_documents, self.batch_bytes):
            pending.append(pool.submit(_run_batch, index, batch))
            while len(pending) >= 2 * self.workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
