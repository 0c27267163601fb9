"""``exact_dedup``: drop documents whose folded text was already seen.

Two documents are exact duplicates when their dedup keys
(:func:`corpusclean.text.keys.fold`: NFKC, simplified script, no whitespace
or punctuation) are equal.  The first in the stable input order survives;
in an incremental run every document of the parent version comes first.
Keys are hashed in the workers; the main process only looks them up.  The
state (16 bytes of hash and the surviving id per kept document) is saved in
the version so the next run deduplicates against the whole corpus without
reading its text again.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpusclean.document import Document
from corpusclean.io.writers import gzip_writer
from corpusclean.stages import register
from corpusclean.stages.base import CorpusStage
from corpusclean.text.keys import exact_key

_STATE_FILE = "exact_dedup.tsv.gz"


@register
class ExactDedup(CorpusStage):
    """Keep the first of each group of documents with the same dedup key."""

    name = "exact_dedup"

    def prepare(self, doc: Document) -> None:
        if not doc.dropped and doc.text is not None:
            doc.scratch["exact_key"] = exact_key(doc.text)

    def new_state(self) -> dict[bytes, str]:
        return {}

    def process(self, docs: Iterable[Document], state: dict[bytes, str]) -> Iterator[Document]:
        for doc in docs:
            if doc.dropped or doc.text is None:
                yield doc
                continue
            key = doc.scratch.pop("exact_key", None) or exact_key(doc.text)
            first = state.get(key)
            if first is None:
                state[key] = doc.id
            else:
                doc.duplicate_of = first
                doc.drop(self.name, "exact_duplicate", duplicate_of=first)
            yield doc

    def load_state(self, directory: Path) -> dict[bytes, str]:
        path = directory / _STATE_FILE
        state = self.new_state()
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    key, doc_id = line.rstrip("\n").split("\t", 1)
                    state[bytes.fromhex(key)] = json.loads(doc_id)
        return state

    def save_state(self, state: dict[bytes, str], directory: Path) -> list[Path]:
        path = directory / _STATE_FILE
        with gzip_writer(path) as handle:
            for key in sorted(state):
                handle.write(f"{key.hex()}\t{json.dumps(state[key], ensure_ascii=False)}\n".encode("utf-8"))
        return [path]
