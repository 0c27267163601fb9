"""What a corpusclean version did with the damage planted in the benchmark dump.

    python benchmarks/checks.py VERSION_DIR DUMP_JSON      (prints JSON)

Run by run.py with the repository's virtualenv Python, so that the script check can use
OpenCC; without ``opencc`` importable that one check is skipped.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

# A UTF-8 lead byte of a CJK character (E4-E9, read as cp1252: ä..é) followed by a continuation
# byte read as cp1252 (C1 control, Latin-1 or one of cp1252's 0x80-0x9F letters and signs).
CP1252_MOJIBAKE = re.compile(
    "[\u00e4-\u00e9][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
FOOTERS = ("版权所有", "版權", "ICP", "责任编辑", "最后修订", "最後修訂", "隐私政策", "隱私政策", "分享到")


def _read_gz_jsonl(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _kind(doc_id: str) -> str:
    return doc_id.split("-", 1)[0] if not doc_id.startswith("html/") else "html"


def checks(version: Path, dump: dict) -> dict:
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    records = {r["id"]: r for r in _read_gz_jsonl(version / "records.jsonl.gz")}
    texts = {}
    for shard in sorted((version / "data").glob("*.jsonl.gz")):
        for row in _read_gz_jsonl(shard):
            texts[row["id"]] = row
    planted = dump["planted"]

    html = []
    for item in dump["html_files"]:
        record = records.get(item["id"], {})
        decode = next((t for t in record.get("trace", []) if t.get("stage") == "decode"), {})
        row = texts.get(item["id"], {})
        text = row.get("text", "")
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        html.append({
            "file": item["id"], "variant": item["variant"], "expected": item["expected_encoding"],
            "got": decode.get("encoding"), "method": decode.get("method"), "confidence": decode.get("confidence"),
            "ok": decode.get("encoding") == item["expected_encoding"], "status": record.get("status"),
            "reason": record.get("reason"), "bytes": item["bytes"], "chars_out": record.get("chars_out"),
            "cjk_share": round(cjk / len(text), 3) if text else None,
            "replacement_chars": text.count("\ufffd"), "title": row.get("meta", {}).get("title"),
        })

    def mojibake_left(ids: list[str]) -> dict:
        kept = [i for i in ids if i in texts]
        left = [i for i in kept if CP1252_MOJIBAKE.search(texts[i]["text"])]
        examples = []
        for i in left[:5]:
            text = texts[i]["text"]
            match = CP1252_MOJIBAKE.search(text)
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.start())
            examples.append({"id": i, "line": text[line_start: line_end if line_end >= 0 else None][:80]})
        return {"planted": len(ids), "kept": len(kept), "still_mojibake": len(left), "examples": examples,
                "not_kept": {i: records.get(i, {}).get("reason") for i in ids if i not in texts}}

    def duplicates(entries: list[dict]) -> dict:
        caught = [e for e in entries if records.get(e["id"], {}).get("reason") == "exact_duplicate"
                  and records[e["id"]].get("duplicate_of") == e["of"]]
        missed = [e["id"] for e in entries if e not in caught]
        return {"planted": len(entries), "dropped_as_duplicate_of_original": len(caught), "missed": missed[:10]}

    garbled = set(planted["mojibake_gbk"])
    boiler = [i for i in planted["boilerplate"] if i not in garbled]
    boiler_kept = [i for i in boiler if i in texts]
    boiler_left = [i for i in boiler_kept if any(f in texts[i]["text"] for f in FOOTERS)]

    not_kept = Counter(f"{r['status']}:{r['reason']}" for r in records.values() if r["status"] != "kept")
    result = {
        "html_decode": html,
        "html_decode_ok": sum(h["ok"] for h in html),
        "mojibake_cp1252_whole": mojibake_left(planted["mojibake_cp1252"]),
        "mojibake_cp1252_first_line": mojibake_left(planted["mojibake_cp1252_first_line"]),
        "mojibake_utf8_as_gbk": {"planted": len(garbled), "kept_unrepaired": sum(1 for i in garbled if i in texts)},
        "exact_duplicates": duplicates(planted["exact_duplicates"]),
        "whitespace_duplicates": duplicates(planted["whitespace_duplicates"]),
        "boilerplate": {"planted": len(boiler), "kept": len(boiler_kept),
                        "footer_lines_still_in_text": len(boiler_left)},
        "not_kept_by_reason": dict(sorted(not_kept.items())),
        "script": _script_check(manifest, texts, set(planted["boilerplate"]) - garbled, garbled),
    }
    return result


def _script_check(manifest: dict, texts: dict, boiler: set, garbled: set) -> dict:
    """With target zh-Hans: kept documents that t2s would still change (left in traditional)."""
    target = manifest.get("config", {}).get("script", {}).get("target")
    if "script" not in manifest.get("config", {}).get("stages", []) or target != "zh-Hans":
        return {"skipped": f"script stage not run or target {target!r} is not zh-Hans"}
    try:
        import opencc
    except ImportError:
        return {"skipped": "opencc not importable by this Python"}
    t2s = opencc.OpenCC("t2s")
    left = []
    for doc_id, row in texts.items():
        if doc_id in garbled:
            continue
        text = row["text"]
        converted = t2s.convert(text)
        if len(converted) == len(text):
            changed = sum(map(str.__ne__, text, converted))
        else:
            changed = sum((Counter(text) - Counter(converted)).values())
        if changed >= 3:
            left.append((doc_id, changed, row.get("meta", {}).get("script")))
    by = Counter(f"{_kind(i)}{' +boilerplate' if i in boiler else ''} (detected {s})" for i, _, s in left)
    return {
        "threshold_chars": 3,
        "kept_documents_still_traditional": len(left),
        "of_kept": len(texts),
        "by_source": dict(by.most_common()),
        "examples": [{"id": i, "traditional_chars": n, "detected": s} for i, n, s in sorted(left, key=lambda x: -x[1])[:5]],
    }


if __name__ == "__main__":
    version_dir, dump_json = Path(sys.argv[1]), Path(sys.argv[2])
    print(json.dumps(checks(version_dir, json.loads(dump_json.read_text(encoding="utf-8"))), ensure_ascii=False))
