"""Every supported input format is read, with stable ids and bytes left undecoded."""

from __future__ import annotations

import gzip
import json

import zstandard

from corpusclean.config import InputConfig
from corpusclean.io.readers import discover, input_kind, read_documents


def test_every_supported_format_is_read(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    lines = [{"id": "z1", "text": "第一条"}, {"text": "第二条", "url": "https://example.com/2"}]
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines).encode("utf-8")
    (root / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(jsonl))
    (root / "b.jsonl.gz").write_bytes(gzip.compress(jsonl))
    (root / "sub" / "c.html.gz").write_bytes(gzip.compress("<p>网页</p>".encode("gbk")))
    (root / "d.gz").write_bytes(gzip.compress("纯文本".encode("utf-8")))
    (root / "e.htm").write_bytes(b"<p>x</p>")
    (root / ".hidden.txt").write_bytes(b"not an input")
    (root / "notes.docx").write_bytes(b"PK")
    items = discover([root])
    assert [item.source for item in items] == [
        "a.jsonl.zst", "b.jsonl.gz", "d.gz", "e.htm", "notes.docx", "sub/c.html.gz"]
    assert [item.supported for item in items] == [True, True, True, True, False, True]
    docs = [doc for item in items for doc in read_documents(item, InputConfig())]
    assert [doc.id for doc in docs] == ["z1", "a.jsonl.zst:2", "z1", "b.jsonl.gz:2", "d.gz", "e.htm", "sub/c.html.gz"]
    assert docs[1].text == "第二条" and docs[1].meta["url"] == "https://example.com/2"
    assert docs[4].raw == "纯文本".encode("utf-8") and docs[4].text is None  # bytes stay bytes
    assert docs[6].raw == "<p>网页</p>".encode("gbk") and docs[6].meta["format"] == "html"
    assert docs[5].meta["format"] == "html" and "format" not in docs[4].meta


def test_input_kinds():
    assert input_kind("x.TXT") == ("file", "text")
    assert input_kind("x.html.gz") == ("file", "html")
    assert input_kind("x.jsonl.zst") == ("jsonl", None)
    assert input_kind("x.txt.zst") is None
    assert input_kind("x.csv") is None
