"""``corpusclean run``: inputs in, one new immutable version out (or nothing, if up to date).

Deciding what to build:

* no version yet, or ``rebuild=True``: build everything from the inputs;
* the latest version was made with another config or another tool version
  (code, libraries, Python minor version): rebuild in full, recording why;
* an input file the latest version already holds has changed: rebuild in full;
* otherwise only the new input files are processed, deduplicated against
  the corpus state saved in the latest version, and the new version holds the
  parent's shards (hard-linked, not copied) plus the new ones;
* no new input files: the latest version is up to date; nothing is written.

Input files the parent holds but that are no longer present stay in the
corpus: a version adds to its parent, it never silently loses documents.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpusclean import provenance
from corpusclean.config import Config
from corpusclean.document import DROPPED, KEPT, Document
from corpusclean.engines.local import LocalEngine
from corpusclean.io.readers import InputFile, discover, read_documents
from corpusclean.io.writers import ShardedWriter, file_sha256, gzip_writer, json_line
from corpusclean.pipeline import Pipeline
from corpusclean.store.versions import MANIFEST, VersionStore

FORMAT_VERSION = 1
_IDS_FILE = "ids.jsonl.gz"


@dataclass
class RunResult:
    """What a run did: ``written`` a new version, or found the latest ``up_to_date``."""

    status: str
    version: Path
    manifest: dict[str, Any]
    messages: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    parent: str | None
    parent_manifest: dict[str, Any] | None
    rebuild: bool
    reason: str | None
    to_process: list[InputFile]


def _plan(store: VersionStore, inputs: list[InputFile], config: Config, force_rebuild: bool) -> _Plan | None:
    """What the next version must contain; None when the latest version is up to date."""
    latest = store.latest()
    if latest is None:
        return _Plan(None, None, False, None, inputs)
    manifest = store.manifest(latest)
    reason = None
    if force_rebuild:
        reason = "rebuild requested"
    elif manifest.get("config_sha256") != config.sha256:
        reason = "config changed"
    elif manifest.get("fingerprint") != provenance.output_fingerprint():
        changed = sorted(k for k, v in provenance.output_fingerprint().items() if manifest.get("fingerprint", {}).get(k) != v)
        reason = "tool version changed: " + ", ".join(changed)
    else:
        known = {entry["path"]: entry.get("sha256") for entry in manifest["inputs"]}
        modified = [item.source for item in inputs if item.source in known and known[item.source] != item.sha256]
        if modified:
            reason = f"input changed: {modified[0]}" + (f" and {len(modified) - 1} more" if len(modified) > 1 else "")
        else:
            new = [item for item in inputs if item.source not in known]
            if not new:
                return None
            return _Plan(latest, manifest, False, None, new)
    return _Plan(latest, manifest, True, reason, inputs)


def run(inputs: list[str | Path], out: str | Path, config: Config, workers: int | None = None,
        rebuild: bool = False, wait: bool = False, progress: bool | None = None) -> RunResult:
    """Clean ``inputs`` into a new version under ``out``; see the module docstring."""
    store = VersionStore(out)
    found = discover([Path(p) for p in inputs])
    with store.lock(wait=wait):
        plan = _plan(store, found, config, rebuild)
        if plan is None:
            latest = store.latest()
            assert latest is not None
            return RunResult("up_to_date", store.path(latest), store.manifest(latest),
                             [f"{store.path(latest)} is up to date: no new or changed inputs, same config and tools"])
        name = store.next_name()
        build = store.new_build(name)
        try:
            manifest = _build(store, build, name, plan, config, workers, progress)
            final = store.commit(build, name)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    return RunResult("written", final, manifest)


def _build(store: VersionStore, build: Path, name: str, plan: _Plan, config: Config,
           workers: int | None, progress: bool | None) -> dict[str, Any]:
    started = time.perf_counter()
    pipeline = Pipeline(config)
    parent_dir = store.path(plan.parent) if plan.parent and not plan.rebuild else None
    incremental = parent_dir is not None
    state_dir = build / "state"
    state_dir.mkdir()
    if incremental:
        state = {stage.name: stage.load_state(parent_dir / "state") for stage in pipeline.corpus_stages}
        ids = _load_ids(parent_dir / "state" / _IDS_FILE)
        inherited = _link_parent_outputs(parent_dir, build, plan.parent_manifest)
    else:
        state, ids, inherited = pipeline.new_state(), set(), {"data": [], "records": None}
    out_config = config.section("output")
    totals = Counter()
    dropped, failed = Counter(), Counter()
    documents_per_input: Counter = Counter()
    data_writer = ShardedWriter(build / "data", out_config.shard_max_documents, out_config.shard_max_bytes,
                                out_config.compression_level, first_index=len(inherited["data"]))
    input_bytes = sum(item.size or 0 for item in plan.to_process)
    bar = _progress_bar(input_bytes, progress)
    documents = _read_all(plan.to_process, config, documents_per_input, bar)
    with LocalEngine(workers) as engine, data_writer, \
            gzip_writer(build / "records.jsonl.gz", out_config.compression_level, append=incremental) as records:
        for doc in pipeline.process(documents, state, engine=engine):
            _ensure_unique_id(doc, ids)
            totals["documents"] += 1
            totals["chars_in"] += doc.chars_in
            if doc.status == KEPT:
                totals["kept"] += 1
                totals["chars_out"] += len(doc.text or "")
                data_writer.write(doc.output_record())
            elif doc.status == DROPPED:
                dropped[doc.reason] += 1
            else:
                failed[doc.reason] += 1
            records.write(json_line(doc.audit_record()))
    if bar is not None:
        bar.close()
    state_files = [p for stage in pipeline.corpus_stages for p in stage.save_state(state[stage.name], state_dir)]
    state_files.append(_save_ids(ids, state_dir / _IDS_FILE))
    seconds = time.perf_counter() - started
    manifest = _manifest(name, plan, config, build, inherited, data_writer, state_files, pipeline,
                         documents_per_input, totals, dropped, failed, input_bytes, seconds)
    (build / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _read_all(items: list[InputFile], config: Config, per_input: Counter, bar: Any) -> Iterator[Document]:
    input_config = config.section("input")
    for item in items:
        for doc in read_documents(item, input_config):
            per_input[item.source] += 1
            yield doc
        if bar is not None:
            bar.update(item.size or 0)


def _progress_bar(total: int, progress: bool | None) -> Any:
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc="cleaning", file=sys.stderr)


def _ensure_unique_id(doc: Document, ids: set[str]) -> None:
    """Ids are unique in a corpus: a repeated record id gets its source appended (and a note why)."""
    if doc.id in ids:
        original, candidate, n = doc.id, f"{doc.id}@{doc.source}", 1
        while candidate in ids:
            n += 1
            candidate = f"{original}@{doc.source}#{n}"
        doc.id = candidate
        doc.record("read", renamed_from=original, why="id already used in this corpus")
    ids.add(doc.id)


def _load_ids(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return {json.loads(line) for line in handle}


def _save_ids(ids: set[str], path: Path) -> Path:
    with gzip_writer(path) as handle:
        for doc_id in sorted(ids):
            handle.write(json_line(doc_id))  # type: ignore[arg-type]
    return path


def _link_parent_outputs(parent_dir: Path, build: Path, parent_manifest: dict[str, Any] | None) -> dict[str, Any]:
    """Bring the parent's data shards (hard links) and records (a copy to append to) into the build."""
    assert parent_manifest is not None
    (build / "data").mkdir()
    data = []
    for entry in parent_manifest["outputs"]["data"]:
        source, target = parent_dir / entry["path"], build / entry["path"]
        try:
            os.link(source, target)
        except OSError:  # another filesystem, or links not supported
            shutil.copy2(source, target)
        data.append({**entry, "version": entry.get("version", parent_manifest["version"])})
    shutil.copyfile(parent_dir / "records.jsonl.gz", build / "records.jsonl.gz")
    return {"data": data, "records": parent_manifest["outputs"]["records"]}


def _manifest(name: str, plan: _Plan, config: Config, build: Path, inherited: dict[str, Any],
              writer: ShardedWriter, state_files: list[Path], pipeline: Pipeline, per_input: Counter,
              totals: Counter, dropped: Counter, failed: Counter, input_bytes: int, seconds: float) -> dict[str, Any]:
    incremental = plan.parent is not None and not plan.rebuild
    inputs = list(plan.parent_manifest["inputs"]) if incremental and plan.parent_manifest else []
    for item in plan.to_process:
        entry = item.manifest_entry()
        entry["version"] = name
        entry["documents"] = per_input.get(item.source, 0)
        inputs.append(entry)
    data = list(inherited["data"]) + [
        {"path": shard.path.relative_to(build).as_posix(), "sha256": file_sha256(shard.path),
         "documents": shard.documents, "bytes": shard.path.stat().st_size, "version": name}
        for shard in writer.shards
    ]
    records_path = build / "records.jsonl.gz"
    parent_records = inherited["records"]["documents"] if inherited["records"] else 0
    corpus_documents = sum(entry["documents"] for entry in data)
    return {
        "format": FORMAT_VERSION,
        "version": name,
        "parent": plan.parent,
        "rebuild": plan.rebuild,
        "rebuild_reason": plan.reason,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "tools": provenance.tools(),
        "fingerprint": provenance.output_fingerprint(),
        "config_sha256": config.sha256,
        "config": config.to_dict(),
        "inputs": inputs,
        "outputs": {
            "data": data,
            "records": {"path": "records.jsonl.gz", "sha256": file_sha256(records_path),
                        "documents": parent_records + totals["documents"], "bytes": records_path.stat().st_size},
            "state": [{"path": p.relative_to(build).as_posix(), "sha256": file_sha256(p), "bytes": p.stat().st_size}
                      for p in sorted(state_files)],
        },
        "stages": pipeline.stats_dict(),
        "run": {
            "documents": totals["documents"],
            "kept": totals["kept"],
            "dropped": dict(sorted(dropped.items())),
            "failed": dict(sorted(failed.items())),
            "chars_in": totals["chars_in"],
            "chars_out": totals["chars_out"],
            "input_files": len(plan.to_process),
            "input_bytes": input_bytes,
            "seconds": round(seconds, 3),
            "mb_per_second": round(input_bytes / 1e6 / seconds, 3) if seconds > 0 else None,
        },
        "corpus": {"documents": corpus_documents, "records": parent_records + totals["documents"],
                   "shards": len(data)},
    }
