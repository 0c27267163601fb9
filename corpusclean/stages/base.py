"""The two kinds of stage and their shared contract.

A :class:`Stage` sees one document at a time and is what workers run in
parallel.  A :class:`CorpusStage` sees the whole stream of documents in a
stable order (deduplication needs to know what came before) and keeps its
memory of the corpus in an explicit state object, so that a run can start from
the state saved in a parent version and save its own for the next run.

Both are built from one config section, a dataclass named ``Config`` nested
in the stage class.  Building from config is the only way in: the same code
path serves the CLI, the TOML file and ``Stage(key=value)`` from Python.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from corpusclean.document import Document


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """Config for a stage that has no options."""


class _Configured:
    """Shared construction: ``Stage(config)`` or ``Stage(**options)``."""

    name: ClassVar[str]
    Config: ClassVar[type] = NoOptions

    def __init__(self, config: Any = None, **options: Any) -> None:
        from corpusclean.config import build_section

        if config is None or isinstance(config, dict):
            config = build_section(self.name, self.Config, {**(config or {}), **options})
        elif options:
            config = dataclasses.replace(config, **options)
        self.config = config
        self.setup()

    def setup(self) -> None:
        """Prepare expensive helpers (converters, regexes) once per process."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"


class Stage(_Configured):
    """A per-document stage: ``stage(doc)`` returns the document, changed or dropped."""

    def __call__(self, doc: Document) -> Document:
        if doc.dropped:
            return doc
        return self.process(doc)

    def process(self, doc: Document) -> Document:
        raise NotImplementedError


class CorpusStage(_Configured):
    """A stage that needs to see the corpus as a whole, in a stable order.

    ``prepare`` runs in the workers, per document, to compute whatever the
    corpus pass needs (a hash, a signature) where it parallelises;
    ``process`` then runs once over the ordered stream in the main process,
    reading and updating ``state``.
    """

    def prepare(self, doc: Document) -> None:
        """Per-document work done in parallel before the corpus pass (optional)."""

    def new_state(self) -> Any:
        """An empty memory of the corpus."""
        return None

    def process(self, docs: Iterable[Document], state: Any) -> Iterator[Document]:
        raise NotImplementedError

    def load_state(self, directory: Path) -> Any:
        """The state saved by :meth:`save_state` in a parent version (empty if none was saved)."""
        return self.new_state()

    def save_state(self, state: Any, directory: Path) -> list[Path]:
        """Persist ``state`` under ``directory``; return the files written."""
        return []
