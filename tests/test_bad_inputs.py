"""Bad inputs are recorded, never crash a run, and nothing is lost."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from corpusclean import config as config_module
from corpusclean.runner import run
from corpusclean.store.versions import iter_records, open_version

PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


@pytest.fixture()
def bad_inputs(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_bytes(b"  \n\t\n")
    (root / "binary.txt").write_bytes(PNG_HEADER + bytes(range(256)) * 40)
    (root / "nul_bytes.txt").write_bytes(("正文\x00之中有\x00空字节。" + "这是一段正常的新闻正文。" * 5).encode("utf-8"))
    (root / "nul_only.txt").write_bytes(b"\x00" * 4096)
    (root / "invalid_utf8.txt").write_bytes("新闻正文，".encode("utf-8") + b"\xff\xfe\xc3" + "后续内容。".encode("utf-8"))
    (root / "gbk.html").write_bytes(
        '<html><head><meta charset="gb2312"><title>标题</title></head><body><p>简体中文网页正文。</p></body></html>'.encode("gbk"))
    (root / "corrupt.txt.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    (root / "broken_link.txt").symlink_to(root / "does-not-exist.txt")
    (root / "records.jsonl").write_bytes(
        b'{"id": "a", "text": "\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1"}\n'
        b"not json at all\n"
        b'{"id": "b", "body": "no text field"}\n'
        b"\n"
        b'["an", "array"]\n'
        b'{"text": "\xe6\x97\xa0 id \xe7\x9a\x84\xe8\xae\xb0\xe5\xbd\x95", "url": "https://example.com/x"}\n'
    )
    (root / "picture.png").write_bytes(PNG_HEADER)
    big = ("一行很长的文字没有换行" * (50 * 1024 * 1024 // 33 + 1)).encode("utf-8")
    (root / "huge_single_line.txt").write_bytes(big[: 50 * 1024 * 1024 - 1])
    return root


def test_bad_inputs_are_recorded_and_the_run_succeeds(tmp_path, bad_inputs):
    result = run([bad_inputs], tmp_path / "clean", config_module.resolve({}), workers=2, progress=False)
    records = {r["id"]: r for r in iter_records(result.version)}
    status = {doc_id: (r["status"], r["reason"]) for doc_id, r in records.items()}
    assert status["empty.txt"] == ("dropped", "empty")
    assert status["blank.txt"] == ("dropped", "empty")
    assert status["binary.txt"] == ("dropped", "undecodable")
    assert status["nul_only.txt"] == ("dropped", "undecodable")
    assert status["nul_bytes.txt"] == ("kept", None)
    assert status["invalid_utf8.txt"][0] in ("kept", "dropped")
    assert status["gbk.html"] == ("kept", None)
    assert status["corrupt.txt.gz"] == ("failed", "unreadable")
    assert status["broken_link.txt"] == ("failed", "unreadable")
    assert status["a"] == ("kept", None)
    assert status["records.jsonl:2"] == ("failed", "bad_json")
    assert status["b"] == ("failed", "missing_text")
    assert status["records.jsonl:5"] == ("failed", "bad_json")
    assert status["records.jsonl:6"] == ("kept", None)
    assert status["huge_single_line.txt"] == ("kept", None)
    assert len(records) == 15  # every document of every readable input, blank JSONL lines are not documents

    docs = {doc["id"]: doc for doc in open_version(result.version)}
    assert docs["nul_bytes.txt"]["text"] == "正文之中有空字节。" + "这是一段正常的新闻正文。" * 5
    assert docs["gbk.html"]["text"] == "简体中文网页正文。"
    assert docs["gbk.html"]["meta"]["encoding"] == "gb18030"
    assert docs["gbk.html"]["meta"]["title"] == "标题"
    assert docs["records.jsonl:6"]["meta"]["url"] == "https://example.com/x"
    assert len(docs["huge_single_line.txt"]["text"]) > 16_000_000

    inputs = {entry["path"]: entry for entry in result.manifest["inputs"]}
    assert inputs["picture.png"]["skipped"] == "unsupported_type"
    assert "error" in inputs["broken_link.txt"]
    assert result.manifest["run"]["failed"] == {"bad_json": 2, "missing_text": 1, "unreadable": 2}


def test_unreadable_file_is_recorded(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read a file without read permission")
    root = tmp_path / "in"
    root.mkdir()
    secret = root / "secret.txt"
    secret.write_text("不可读", encoding="utf-8")
    secret.chmod(0)
    result = run([root], tmp_path / "clean", config_module.resolve({}), workers=1, progress=False)
    (record,) = iter_records(result.version)
    assert (record["status"], record["reason"]) == ("failed", "unreadable")


def test_oversized_document_is_recorded_not_read(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "big.txt").write_text("字" * 2000, encoding="utf-8")
    with gzip.open(root / "lines.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "small", "text": "短文本"}) + "\n")
        handle.write(json.dumps({"id": "large", "text": "长" * 5000}) + "\n")
        handle.write(json.dumps({"id": "after", "text": "之后的文本"}) + "\n")
    config = config_module.resolve({"input": {"max_document_bytes": 4000}})
    result = run([root], tmp_path / "clean", config, workers=1, progress=False)
    status = {r["id"]: (r["status"], r["reason"]) for r in iter_records(result.version)}
    assert status == {
        "big.txt": ("failed", "too_large"),
        "small": ("kept", None),
        "lines.jsonl.gz:2": ("failed", "too_large"),
        "after": ("kept", None),
    }


def test_repeated_record_ids_are_made_unique(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.jsonl").write_text('{"id": "x", "text": "第一篇"}\n', encoding="utf-8")
    (root / "b.jsonl").write_text('{"id": "x", "text": "第二篇"}\n', encoding="utf-8")
    result = run([root], tmp_path / "clean", config_module.resolve({}), workers=1, progress=False)
    ids = [doc["id"] for doc in open_version(result.version)]
    assert ids == ["x", "x@b.jsonl:1"]
