"""The versioned store: immutable versions, no-op reruns, incremental adds, crashes, locking."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time

import pytest

import corpusclean
from corpusclean import config as config_module
from corpusclean.io import writers
from corpusclean.runner import run
from corpusclean.store.versions import StoreError, VersionStore, iter_records, open_version
from tests.helpers import copy_raw, data_hashes, tree_hashes

DEFAULT = config_module.resolve({})


def _run(inputs, out, config=DEFAULT, **kwargs):
    return run([inputs] if not isinstance(inputs, list) else inputs, out, config, workers=1, progress=False, **kwargs)


def test_first_run_writes_v0001_with_complete_manifest(tmp_path, raw_dir):
    result = _run(raw_dir, tmp_path / "clean")
    assert result.status == "written"
    assert result.version == tmp_path / "clean" / "v0001"
    manifest = json.loads((result.version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v0001" and manifest["parent"] is None and manifest["rebuild"] is False
    assert manifest["config"] == DEFAULT.to_dict()
    assert manifest["config_sha256"] == DEFAULT.sha256
    for library in ("ftfy", "charset-normalizer", "opencc", "code_sha256", "corpusclean"):
        assert library in manifest["tools"]
    assert manifest["tools"]["opencc"]["package"] in ("opencc", "opencc-python-reimplemented")
    raw_files = sorted(p.name for p in raw_dir.iterdir())
    assert [entry["path"] for entry in manifest["inputs"]] == raw_files
    for entry in manifest["inputs"]:
        assert len(entry["sha256"]) == 64 and entry["bytes"] == (raw_dir / entry["path"]).stat().st_size
    # every output file is listed with its real hash, and the listed counts are right
    for entry in manifest["outputs"]["data"]:
        path = result.version / entry["path"]
        assert writers.file_sha256(path) == entry["sha256"]
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            assert sum(1 for _ in handle) == entry["documents"]
    documents = list(open_version(result.version))
    records = list(iter_records(result.version))
    assert len(records) == len(raw_files) == manifest["run"]["documents"]
    assert len(documents) == manifest["run"]["kept"] == sum(r["status"] == "kept" for r in records)
    assert set(manifest["stages"]) == set(DEFAULT.stages)
    assert manifest["stages"]["decode"]["in"] == len(raw_files)
    assert not (tmp_path / "clean" / ".tmp-v0001").exists()


def test_rerun_with_same_inputs_is_up_to_date_and_writes_nothing(tmp_path, raw_dir):
    out = tmp_path / "clean"
    _run(raw_dir, out)
    before = tree_hashes(out)
    result = _run(raw_dir, out)
    assert result.status == "up_to_date"
    assert result.version == out / "v0001"
    assert tree_hashes(out) == before
    assert VersionStore(out).versions() == ["v0001"]


def test_new_inputs_make_incremental_version_deduplicated_against_parent(tmp_path):
    inputs = copy_raw(tmp_path / "raw")
    out = tmp_path / "clean"
    first = _run(inputs, out)
    parent_files = tree_hashes(first.version)
    # a repost of a traditional sample in simplified script, with full-width punctuation and
    # other line breaks, and one new document
    original = (inputs / "000_e5af8a80790e00d5.txt").read_text(encoding="utf-8")
    from corpusclean.text.chinese import convert

    repost = convert(original, "t2s").replace(",", "，").replace("\n", "\n\n")
    (inputs / "later").mkdir()
    (inputs / "later" / "repost.txt").write_text(repost, encoding="utf-8")
    (inputs / "later" / "new.txt").write_text("一篇全新的文章，讲述新的事情。", encoding="utf-8")
    second = _run(inputs, out)
    assert second.status == "written" and second.version.name == "v0002"
    manifest = second.manifest
    assert manifest["parent"] == "v0001" and manifest["rebuild"] is False
    assert manifest["run"]["documents"] == 2  # only the new files were processed
    assert {e["path"]: e["version"] for e in manifest["inputs"]}["later/new.txt"] == "v0002"
    ids = [doc["id"] for doc in open_version(second.version)]
    assert ids[:5] == [doc["id"] for doc in open_version(first.version)]
    assert ids[5:] == ["later/new.txt"]
    records = {r["id"]: r for r in iter_records(second.version)}
    assert len(records) == 7  # parent's records carried over, plus the two new ones
    assert records["later/repost.txt"]["status"] == "dropped"
    assert records["later/repost.txt"]["reason"] == "exact_duplicate"
    assert records["later/repost.txt"]["duplicate_of"] == "000_e5af8a80790e00d5.txt"
    # the parent is untouched, and its shard is shared, not copied
    assert tree_hashes(first.version) == parent_files
    assert os.path.samefile(first.version / "data/part-00000.jsonl.gz", second.version / "data/part-00000.jsonl.gz")
    assert [e.get("version") for e in manifest["outputs"]["data"]] == ["v0001", "v0002"]
    # and running again is a no-op
    assert _run(inputs, out).status == "up_to_date"


def test_changed_config_rebuilds_in_full_with_parent_recorded(tmp_path, raw_dir):
    out = tmp_path / "clean"
    _run(raw_dir, out)
    changed = config_module.resolve({"script": {"target": "zh-TW"}})
    result = _run(raw_dir, out, changed)
    assert result.version.name == "v0002"
    assert result.manifest["parent"] == "v0001"
    assert result.manifest["rebuild"] is True
    assert result.manifest["rebuild_reason"] == "config changed"
    assert result.manifest["run"]["documents"] == 5


def test_changed_input_file_rebuilds_in_full(tmp_path):
    inputs = copy_raw(tmp_path / "raw")
    out = tmp_path / "clean"
    _run(inputs, out)
    path = inputs / "003_c0235056f738e45f.txt"
    path.write_bytes(path.read_bytes() + "\n补充一段。\n".encode("utf-8"))
    result = _run(inputs, out)
    assert result.manifest["rebuild"] is True
    assert result.manifest["rebuild_reason"].startswith("input changed: 003_c0235056f738e45f.txt")


def test_crash_while_writing_leaves_no_version(tmp_path, raw_dir, monkeypatch):
    out = tmp_path / "clean"
    calls = {"n": 0}
    original_write = writers.ShardedWriter.write

    def crash_on_third(self, record):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        return original_write(self, record)

    monkeypatch.setattr(writers.ShardedWriter, "write", crash_on_third)
    with pytest.raises(OSError, match="simulated"):
        _run(raw_dir, out)
    assert VersionStore(out).versions() == []
    assert [p.name for p in out.iterdir() if p.name != ".lock"] == []
    monkeypatch.undo()
    assert _run(raw_dir, out).version.name == "v0001"


def test_build_left_by_a_killed_run_is_removed_and_never_a_version(tmp_path, raw_dir):
    out = tmp_path / "clean"
    abandoned = out / ".tmp-v0001-99999"
    (abandoned / "data").mkdir(parents=True)
    (abandoned / "data" / "part-00000.jsonl.gz").write_bytes(b"half")
    result = _run(raw_dir, out)
    assert result.version.name == "v0001"
    assert not abandoned.exists()


def test_second_run_on_same_output_fails_clearly_or_waits(tmp_path, raw_dir):
    out = tmp_path / "clean"
    store = VersionStore(out)
    with store.lock():
        with pytest.raises(StoreError, match="another corpusclean run is writing"):
            _run(raw_dir, out)
    assert store.versions() == []

    released = threading.Event()

    def hold_then_release():
        with store.lock():
            time.sleep(0.6)
        released.set()

    holder = threading.Thread(target=hold_then_release)
    holder.start()
    time.sleep(0.1)
    result = _run(raw_dir, out, wait=True)
    holder.join()
    assert released.is_set() and result.version.name == "v0001"


def test_versions_are_never_overwritten(tmp_path, raw_dir):
    out = tmp_path / "clean"
    _run(raw_dir, out)
    store = VersionStore(out)
    build = store.new_build("v0001")
    with pytest.raises(StoreError, match="never overwritten"):
        store.commit(build, "v0001")


def test_raw_is_never_modified(tmp_path, raw_dir):
    before = tree_hashes(raw_dir)
    _run(raw_dir, tmp_path / "clean")
    assert tree_hashes(raw_dir) == before


def test_output_is_byte_identical_for_one_and_two_workers(tmp_path, raw_dir):
    one = run([raw_dir], tmp_path / "one", DEFAULT, workers=1, progress=False)
    two = run([raw_dir], tmp_path / "two", DEFAULT, workers=2, progress=False)
    assert data_hashes(one.version) == data_hashes(two.version)


def test_shards_are_bounded(tmp_path, raw_dir):
    small = config_module.resolve({"output": {"shard_max_documents": 2}})
    result = _run(raw_dir, tmp_path / "clean", small)
    shards = result.manifest["outputs"]["data"]
    assert [s["documents"] for s in shards] == [2, 2, 1]
    assert [s["path"] for s in shards] == [f"data/part-0000{i}.jsonl.gz" for i in range(3)]
    assert len(list(open_version(result.version))) == 5


def test_open_version_reads_latest_under_a_root(tmp_path, raw_dir):
    _run(raw_dir, tmp_path / "clean")
    docs = list(corpusclean.open_version(tmp_path / "clean"))
    assert len(docs) == 5 and set(docs[0]) == {"id", "text", "source", "meta"}
