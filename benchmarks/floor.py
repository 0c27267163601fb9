"""The floor: the least any cleaner must do with the dump, in one process.

    python benchmarks/floor.py INPUT_DIR OUTPUT_FILE [LEVEL]

Reads every input file in the order corpusclean does (sorted relative paths), parses each
JSONL line with ``json.loads``, and writes one gzip JSONL file at corpusclean's default
compression level (6).  HTML files are read whole and written as one record each (decoded
as UTF-8 with replacement: no detection, no extraction).  Prints ``{"documents", "bytes"}``.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    input_dir, output = Path(argv[0]), Path(argv[1])
    level = int(argv[2]) if len(argv) > 2 else 6
    paths = []
    for dirpath, dirnames, filenames in os.walk(input_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        paths.extend(Path(dirpath) / f for f in filenames if not f.startswith("."))
    paths.sort(key=lambda p: p.relative_to(input_dir).as_posix())
    documents = 0
    size = 0
    with open(output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0) as out:
        for path in paths:
            name = path.name.lower()
            if name.endswith(".jsonl"):
                with open(path, "rb") as handle:
                    for line in handle:
                        size += len(line)
                        if not line.strip():
                            continue
                        record = json.loads(line)
                        out.write((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
                        documents += 1
            elif name.endswith((".html", ".htm", ".txt")):
                data = path.read_bytes()
                size += len(data)
                record = {"id": path.relative_to(input_dir).as_posix(), "text": data.decode("utf-8", errors="replace")}
                out.write((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
                documents += 1
    print(json.dumps({"documents": documents, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
