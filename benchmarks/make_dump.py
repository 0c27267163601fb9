"""Build a realistic, deterministic raw dump for the benchmark from ``../shared/eval``.

Only the standard library is used, so the dump can be built with any Python.

Layout of ``DEST`` (everything is rebuilt from scratch on each call)::

    DEST/input/scrape-000.jsonl ...   JSONL records {"id", "text", "url"}
    DEST/input/html/00000-....html    raw HTML pages, one per file, original or transcoded bytes
    DEST/dump.json                    what was planted where (read by run.py's checks)

What goes in (shares are of input bytes and configurable):

* Wikipedia paragraphs: cmrc2018 (simplified) and drcd (traditional, grouped by article);
* THUCNews articles (simplified news, one long line each);
* classical poems from chinese-poetry (traditional 全唐诗, simplified 宋词), one poem per record;
* HTML pages from trafilatura-eval, readability-cjk and gne-test-pages.  One page is natively
  GB2312; some UTF-8 pages are transcoded to GBK (bytes via gb18030, the superset), either with
  the ``<meta charset>`` rewritten to ``gbk`` or with every charset declaration removed, so the
  decoder has to detect the encoding;
* planted duplicates: copies of an earlier record under a new id and URL (a mirror), either
  byte-identical text or with whitespace and line endings changed (same dedup key);
* boilerplate: site header and footer lines (navigation, ICP licence, copyright, editor) around
  some records;
* mojibake: UTF-8 text decoded as (sloppy) cp1252, over the whole record or only its first
  line, which ftfy can repair; and a smaller share of UTF-8 read as GBK, which it cannot.

When a source runs out before its byte share is reached it is reused, but recombined
(several random paragraphs, articles or poems per record; a unique comment block injected
into reused HTML pages) so that reuse does not create accidental exact duplicates: the
duplicate rate stays the planted one plus the natural duplicates of the sources.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import random
import re
import shutil
import sys
from pathlib import Path

GENERATOR_VERSION = 1


class EvalMissing(RuntimeError):
    """The eval data (or a folder the dump needs) is not there."""


# -- sources -----------------------------------------------------------------------------


def _read_jsonl_gz(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(rows) >= limit:
                break
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _require(path: Path) -> Path:
    if not path.exists():
        raise EvalMissing(f"missing eval data: {path}")
    return path


class Source:
    """One kind of text: natural records first, then recombinations once they run out."""

    def __init__(self, name: str, items: list[tuple[str, str]], url_prefix: str,
                 combine: tuple[int, int], rng: random.Random) -> None:
        self.name = name
        self.items = items  # (text, url slug)
        self.url_prefix = url_prefix
        self.combine = combine
        self.rng = rng
        self.position = 0
        self.cycle = 0
        self.order = list(range(len(items)))
        # collections of one script: slugs start with "<collection>/" (poetry) or share one group
        self._group_of = lambda i: items[i][1].split("/", 1)[0] if "/" in items[i][1] else ""
        self.groups: dict[str, list[int]] = {}
        for i in range(len(items)):
            self.groups.setdefault(self._group_of(i), []).append(i)

    def next(self) -> tuple[str, str]:
        """(text, url) of the next record of this source."""
        if self.position >= len(self.order):
            self.position = 0
            self.cycle += 1
            self.rng.shuffle(self.order)
        index = self.order[self.position]
        self.position += 1
        text, slug = self.items[index]
        if self.cycle == 0:
            return text, f"{self.url_prefix}{slug}"
        # reuse: a page that puts several records of the same collection (and script) together
        count = self.rng.randint(*self.combine)
        group = self.groups[self._group_of(index)]
        others = [group[self.rng.randrange(len(group))] for _ in range(count - 1)]
        parts = [text] + [self.items[i][0] for i in others]
        return "\n\n".join(parts), f"{self.url_prefix}{slug}?p={self.cycle}-{self.position}"


def load_sources(eval_dir: Path, rng: random.Random) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    cmrc = _read_jsonl_gz(_require(eval_dir / "cmrc2018" / "contexts.jsonl.gz"))
    sources["cmrc2018"] = Source(
        "cmrc2018", [(f"{r['title']}\n{r['context']}", f"{r['id']}") for r in cmrc],
        "https://zh.wikipedia.org/wiki/cmrc/", (2, 4), random.Random(rng.random()))

    drcd = _read_jsonl_gz(_require(eval_dir / "drcd" / "contexts.jsonl.gz"))
    articles: dict[str, list[str]] = {}
    for row in drcd:
        articles.setdefault(row["title"], []).append(row["context"])
    drcd_items = []
    for number, (title, paragraphs) in enumerate(articles.items()):
        drcd_items.append((title + "\n" + "\n".join(paragraphs), f"{number}"))
    sources["drcd"] = Source("drcd", drcd_items, "https://zh.wikipedia.org/zh-tw/drcd/", (2, 3),
                             random.Random(rng.random()))

    news = _read_jsonl_gz(_require(eval_dir / "thucnews-sample" / "thucnews_sample.jsonl.gz"))
    sources["thucnews"] = Source(
        "thucnews", [(r["text"], f"{i:05d}.shtml") for i, r in enumerate(news)],
        "http://news.sina.com.cn/c/2011-04-12/", (2, 3), random.Random(rng.random()))

    poems = []
    poetry = _require(eval_dir / "chinese-poetry")
    for row in _read_jsonl_gz(poetry / "quantangshi_poet_tang.trad.jsonl.gz", limit=6000):
        body = "\n".join(row.get("paragraphs") or [])
        if body.strip():
            poems.append((f"{row.get('title', '')}\n{row.get('author', '')}\n{body}", f"tang/{row['_idx']}-{len(poems)}"))
    for row in _read_jsonl_gz(poetry / "songci_ci_song.simp.jsonl.gz", limit=3000):
        body = "\n".join(row.get("paragraphs") or [])
        if body.strip():
            poems.append((f"{row.get('rhythmic', '')}\n{row.get('author', '')}\n{body}", f"ci/{row['_idx']}-{len(poems)}"))
    sources["poetry"] = Source("poetry", poems, "https://so.gushiwen.cn/shiwenv_", (3, 6),
                               random.Random(rng.random()))
    return sources


def _declares_gb_but_is_utf8(data: bytes) -> bool:
    match = re.search(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*(gb[a-z0-9_-]*)""", data[:4096], re.IGNORECASE)
    if not match:
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def load_html_pages(eval_dir: Path) -> list[tuple[str, bytes, bool]]:
    """(slug, raw bytes, priority) of every HTML page in a stable order.

    Priority pages come first and are always used as they are: the natively GB2312 page and
    the pages that declare gb2312 while their bytes are UTF-8.
    """
    paths = []
    for path in sorted(_require(eval_dir / "trafilatura-eval" / "html_gz").glob("*.html.gz")):
        paths.append(("trafilatura-" + path.name[: -len(".html.gz")], path))
    for path in sorted(_require(eval_dir / "readability-cjk").glob("*/source.html.gz")):
        paths.append(("readability-" + path.parent.name, path))
    tests = _require(eval_dir / "gne-test-pages" / "tests")
    for path in sorted(tests.rglob("*.html.gz")):
        rel = path.relative_to(tests).as_posix()[: -len(".html.gz")]
        paths.append(("gne-" + rel.replace("/", "-"), path))
    pages = []
    for slug, path in paths:
        data = gzip.decompress(path.read_bytes())
        try:
            data.decode("utf-8")
            native_legacy = False
        except UnicodeDecodeError:
            native_legacy = True
        pages.append((slug, data, native_legacy or _declares_gb_but_is_utf8(data)))
    pages.sort(key=lambda page: (not page[2], page[0]))
    return pages


# -- damage --------------------------------------------------------------------------------

_CP1252_SLOPPY = {}
for _byte in range(0x80, 0x100):
    try:
        _CP1252_SLOPPY[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        _CP1252_SLOPPY[_byte] = chr(_byte)  # undefined in cp1252: the C1 control, as ftfy's sloppy codec
_LATIN1_TO_CP1252 = str.maketrans({chr(b): c for b, c in _CP1252_SLOPPY.items()})


def mojibake_cp1252(text: str) -> str:
    """UTF-8 bytes read as Windows-1252: 中文 -> ä¸­æ–‡ (ftfy can undo this)."""
    return text.encode("utf-8").decode("latin-1").translate(_LATIN1_TO_CP1252)


def mojibake_gbk(text: str) -> str:
    """UTF-8 bytes read as GBK: 中文 -> 涓枃 (nothing in the pipeline undoes this)."""
    return text.encode("utf-8").decode("gb18030", errors="replace")


BOILERPLATE = {
    "cmrc2018": (["跳转到导航 跳转到搜索", "维基百科，自由的百科全书"],
                 ["本页面最后修订于2018年3月1日 (星期四) 08:12。",
                  "本站的全部文字在知识共享 署名-相同方式共享 3.0协议之条款下提供，附加条款亦可能应用。",
                  "隐私政策 关于维基百科 免责声明 手机版视图"]),
    "drcd": (["跳至導覽 跳至搜尋", "維基百科，自由的百科全書"],
             ["本頁面最後修訂於2017年9月13日 (星期三) 03:41。",
              "本站的全部文字在創用CC 姓名標示-相同方式分享 3.0 協議之條款下提供，附加條款亦可能應用。",
              "隱私政策 關於維基百科 免責聲明 手機版檢視"]),
    "thucnews": (["新浪首页 > 新闻中心 > 滚动新闻", "登录 | 注册 | 新浪微博 | 手机新浪网"],
                 ["分享到：新浪微博 腾讯微博 QQ空间 人人网", "（责任编辑：王磊）",
                  "新浪公司 版权所有 Copyright © 1996-2011 SINA Corporation, All Rights Reserved",
                  "京ICP证000007号 京公网安备11000002000016号"]),
    "poetry": (["古诗文网 首页 诗文 名句 作者 古籍 登录"],
               ["参考资料：完善 ▲ 本节内容整理自网络（或由匿名网友上传），原作者已无法考证，版权归原作者所有。",
                "© 2022 古诗文网 | 诗文 | 名句 | 作者 | 古籍 | 纠错 京ICP备2021034496号"]),
}


def add_boilerplate(text: str, source: str, rng: random.Random) -> str:
    header, footer = BOILERPLATE[source]
    head = header[: rng.randint(1, len(header))]
    foot = footer[rng.randint(0, len(footer) - 1):]
    return "\n".join([*head, text, *foot])


def whitespace_variant(text: str) -> str:
    """Same dedup key, different bytes: CRLF line ends, doubled breaks, stray spaces."""
    return "  " + text.replace("\n", " \r\n\r\n") + " \n"


# -- HTML ----------------------------------------------------------------------------------

_CHARSET_ATTR = re.compile(r"""(<meta[^>]*?charset\s*=\s*["']?)\s*[A-Za-z0-9_.:-]+""", re.IGNORECASE)
_META_CHARSET_TAG = re.compile(r"""<meta\s+charset\s*=\s*["']?[A-Za-z0-9_.:-]+["']?\s*/?>""", re.IGNORECASE)
_CONTENT_CHARSET = re.compile(r""";\s*charset\s*=\s*[A-Za-z0-9_.:-]+""", re.IGNORECASE)
_JAPANESE = re.compile("[\u3040-\u30ff]")


def transcode_gbk(page: bytes, declare: bool) -> bytes | None:
    """A UTF-8 Chinese page re-encoded as GBK, declared as such or with no declaration at all."""
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(_JAPANESE.findall(text[:20000])) > 20:
        return None  # Japanese pages would not be served as GBK
    if declare:
        text, found = _CHARSET_ATTR.subn(lambda m: m.group(1) + "gbk", text)
        if not found:  # the page declared nothing: add a declaration, as a GBK server page would have
            head = re.search(r"<head[^>]*>", text[:4096], re.IGNORECASE)
            at = head.end() if head else 0
            text = text[:at] + '<meta charset="gbk">' + text[at:]
    else:
        text = _META_CHARSET_TAG.sub("", text)
        text = _CONTENT_CHARSET.sub("", text)
    return text.encode("gb18030")


def inject_comment(page: bytes, comment: str, encoding: str) -> bytes:
    """Reused page: a comment block before </body>, so its text differs from earlier copies."""
    block = f'<div class="comment"><p>{comment}</p></div>'.encode(encoding, errors="ignore")
    at = page.lower().rfind(b"</body>")
    return page[:at] + block + page[at:] if at >= 0 else page + block


# -- the dump ------------------------------------------------------------------------------

DEFAULT_SHARES = {"html": 0.20, "cmrc2018": 0.12, "drcd": 0.18, "thucnews": 0.30, "poetry": 0.20}


def build_dump(eval_dir: Path, dest: Path, mb: float = 10.0, seed: int = 20240601,
               shares: dict[str, float] | None = None, files: int = 4, dup_rate: float = 0.04,
               boilerplate_rate: float = 0.15, mojibake_rate: float = 0.03,
               mojibake_gbk_rate: float = 0.005, log=print) -> dict:
    """Write the dump to ``dest`` (replacing it) and return its description (also ``dest/dump.json``)."""
    shares = dict(shares or DEFAULT_SHARES)
    total_share = sum(shares.values())
    shares = {k: v / total_share for k, v in shares.items()}
    rng = random.Random(seed)
    sources = load_sources(eval_dir, rng)
    pages = load_html_pages(eval_dir)
    if dest.exists():
        shutil.rmtree(dest)
    input_dir = dest / "input"
    (input_dir / "html").mkdir(parents=True)
    target = int(mb * 1e6)

    # HTML pages ---------------------------------------------------------------------------
    html_target = int(target * shares.get("html", 0.0))
    html_files: list[dict] = []
    html_bytes = 0
    page_rng = random.Random(rng.random())
    priority = [i for i, page in enumerate(pages) if page[2]]
    rest = [i for i, page in enumerate(pages) if not page[2]]
    order = priority + page_rng.sample(rest, len(rest))
    n = 0
    transcodable = 0
    while html_bytes < html_target:
        cycle, slot = divmod(n, len(order))
        slug, raw, is_priority = pages[order[slot]]
        variant, data, encoding = "original", raw, None
        if not is_priority:
            transcodable += 1
        if not is_priority and transcodable % 3 in (1, 2):
            declare = transcodable % 3 == 1
            transcoded = transcode_gbk(raw, declare)
            if transcoded is not None:
                variant, data, encoding = ("gbk-declared" if declare else "gbk-undeclared"), transcoded, "gb18030"
        if encoding is None:
            try:
                raw.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "gb18030"  # the one natively GB2312 page
        if cycle:
            comment_text, _ = sources["thucnews"].next()
            data = inject_comment(data, comment_text[:300], encoding)
        name = f"html/{n:05d}-{slug}{'' if variant == 'original' else '.' + variant}.html"
        (input_dir / name).write_bytes(data)
        html_files.append({"id": name, "page": slug, "variant": variant, "expected_encoding": encoding,
                           "bytes": len(data)})
        html_bytes += len(data)
        n += 1

    # JSONL records ------------------------------------------------------------------------
    text_shares = {k: v for k, v in shares.items() if k != "html" and v > 0}
    text_shares = {k: v / sum(text_shares.values()) for k, v in text_shares.items()}
    jsonl_target = max(0, target - html_bytes)
    per_file = max(1, jsonl_target // max(1, files))
    written = {k: 0 for k in text_shares}
    planted: dict[str, list] = {"exact_duplicates": [], "whitespace_duplicates": [], "mojibake_cp1252": [],
                                "mojibake_cp1252_first_line": [], "mojibake_gbk": [], "boilerplate": []}
    pending: list[tuple[int, dict, str]] = []  # (due record number, original record, kind)
    records = 0
    jsonl_bytes = 0
    file_index = -1
    handle = None
    file_bytes = per_file
    jsonl_files = []
    seen_texts: set[bytes] = set()
    files_open = contextlib.ExitStack()

    def emit(record: dict) -> None:
        nonlocal records, jsonl_bytes, handle, file_index, file_bytes
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        if file_bytes >= per_file and file_index + 1 < files:
            if handle:
                handle.close()
            file_index += 1
            name = f"scrape-{file_index:03d}.jsonl"
            jsonl_files.append(name)
            handle = files_open.enter_context(open(input_dir / name, "wb"))  # noqa: SIM115
            file_bytes = 0
        handle.write(line)
        file_bytes += len(line)
        jsonl_bytes += len(line)
        records += 1

    with files_open:
        while jsonl_bytes < jsonl_target:
            due = [p for p in pending if p[0] <= records]
            if due:
                pending[:] = [p for p in pending if p[0] > records]
                for _, original, kind in due:
                    copy_id = f"{original['id']}-mirror{len(planted[kind])}"
                    text = original["text"] if kind == "exact_duplicates" else whitespace_variant(original["text"])
                    url = original["url"].replace("://", "://mirror.", 1)
                    emit({"id": copy_id, "text": text, "url": url})
                    planted[kind].append({"id": copy_id, "of": original["id"]})
                continue
            # the source furthest behind its byte share goes next
            source = max(text_shares, key=lambda k: text_shares[k] * (jsonl_bytes + 1) - written[k])
            text, url = sources[source].next()
            key = hashlib.sha1(text.encode("utf-8")).digest()
            if key in seen_texts:
                continue  # a recombination that happens to repeat: not a planted duplicate, skip it
            seen_texts.add(key)
            record_id = f"{source}-{records:07d}"
            roll = rng.random()
            if roll < boilerplate_rate:
                text = add_boilerplate(text, source, rng)
                planted["boilerplate"].append(record_id)
            roll = rng.random()
            if roll < mojibake_rate:
                if rng.random() < 0.67 or "\n" not in text:
                    text = mojibake_cp1252(text)
                    planted["mojibake_cp1252"].append(record_id)
                else:
                    first, rest = text.split("\n", 1)
                    text = mojibake_cp1252(first) + "\n" + rest
                    planted["mojibake_cp1252_first_line"].append(record_id)
            elif roll < mojibake_rate + mojibake_gbk_rate:
                text = mojibake_gbk(text)
                planted["mojibake_gbk"].append(record_id)
            record = {"id": record_id, "text": text, "url": url}
            before = jsonl_bytes
            emit(record)
            written[source] += jsonl_bytes - before
            if rng.random() < dup_rate:
                kind = "exact_duplicates" if rng.random() < 0.75 else "whitespace_duplicates"
                pending.append((records + rng.randint(1, 400), record, kind))

    description = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "mb_target": mb,
        "shares": shares,
        "input_dir": "input",
        "input_bytes": html_bytes + jsonl_bytes,
        "html_bytes": html_bytes,
        "jsonl_bytes": jsonl_bytes,
        "jsonl_files": jsonl_files,
        "jsonl_records": records,
        "jsonl_bytes_by_source": written,
        "source_cycles": {k: s.cycle for k, s in sources.items()},
        "html_files": html_files,
        "planted": planted,
        "digest": dump_digest(input_dir),
    }
    (dest / "dump.json").write_text(json.dumps(description, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return description


def dump_digest(input_dir: Path) -> str:
    """One sha256 over every input file's path and bytes: equal seeds give equal digests."""
    digest = hashlib.sha256()
    for path in sorted(p for p in input_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(input_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description="Build the benchmark dump only.")
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--eval", type=Path, default=here.parent.parent / "shared" / "eval")
    parser.add_argument("--dest", type=Path, default=here / "out" / "dump")
    args = parser.parse_args(argv)
    try:
        info = build_dump(args.eval, args.dest, args.mb, args.seed)
    except EvalMissing as error:
        print(f"skipped: {error}", file=sys.stderr)
        return 0
    print(f"{info['input_bytes'] / 1e6:.2f} MB, {info['jsonl_records']} records, {len(info['html_files'])} HTML "
          f"files -> {args.dest} (digest {info['digest'][:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
