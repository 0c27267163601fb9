"""The html stage on markup and on real Chinese pages (trafilatura-eval, readability-cjk)."""

from __future__ import annotations

import gzip
import json

import corpusclean
from corpusclean import Document
from corpusclean.stages.html import Html, looks_like_html
from tests.conftest import eval_path


def test_blocks_become_lines_and_furniture_is_removed():
    page = """<!doctype html><html lang="zh-CN"><head><title> 新闻 标题 </title>
    <style>p{color:red}</style><script>var ad = 1;</script></head>
    <body><nav><a href="/">首页</a> <a href="/news">新闻</a></nav>
    <header>网站头部</header>
    <div class="article"><h1>新闻标题</h1>
    <p>第一段的<b>重点</b>内容，
    在源码里换了行。</p><p>Second paragraph with <i>inline</i>
    markup.</p><ul><li>一</li><li>二</li></ul>line<br>break
    <!-- a comment --></div>
    <aside>相关阅读</aside><footer>版权所有</footer><form>搜索</form></body></html>"""
    doc = Html()(Document(id="p", text=page, meta={"format": "html"}))
    assert doc.text.split("\n") == [
        "新闻标题",
        "第一段的重点内容，在源码里换了行。",
        "Second paragraph with inline markup.",
        "一",
        "二",
        "line",
        "break",
    ]
    assert doc.meta["title"] == "新闻 标题" and doc.meta["lang"] == "zh-CN"
    assert doc.trace[-1]["stage"] == "html"


def test_only_html_is_treated_as_html():
    assert looks_like_html("<html><body><p>x</p></body></html>")
    assert looks_like_html("  <!DOCTYPE html>\n<div>x</div>")
    assert not looks_like_html("新闻正文里提到 <p> 标签。")
    assert not looks_like_html("a < b and c > d")
    plain = Document(id="t", text="第一行\n第二行 <b>不是网页</b>")
    assert Html()(plain).text == "第一行\n第二行 <b>不是网页</b>"
    assert Html(apply_to="all")(Document(id="t", text="<b>粗体</b>文字")).text == "粗体文字"


def test_page_with_no_text_is_dropped():
    result = corpusclean.clean("<html><body><script>x()</script><nav>菜单</nav></body></html>")
    assert result.dropped == "empty"


def test_gb2312_page_from_trafilatura_eval_decodes_and_keeps_the_article():
    folder = eval_path("trafilatura-eval")
    annotations = json.loads((folder / "evaldata_cjk.json").read_text(encoding="utf-8"))
    entry = next(v for v in annotations.values() if v["file"].startswith("archive.org.he.xinhuanet"))
    data = gzip.decompress((folder / "html_gz" / (entry["file"] + ".gz")).read_bytes())
    result = corpusclean.clean(data, format="html")
    assert result.meta["encoding"] == "gb18030"
    for snippet in entry["with"]:
        assert snippet in result.text, snippet
    assert result.meta["title"]


def test_every_chinese_eval_page_yields_its_must_keep_snippets():
    folder = eval_path("trafilatura-eval")
    annotations = json.loads((folder / "evaldata_cjk.json").read_text(encoding="utf-8"))
    found = total = 0
    for entry in annotations.values():
        data = gzip.decompress((folder / "html_gz" / (entry["file"] + ".gz")).read_bytes())
        text = corpusclean.clean(data, format="html", config={"stages": ["decode", "html", "unicode"]}).text
        for snippet in entry["with"]:
            total += 1
            found += snippet in text
    assert total == 15 and found == total


def test_readability_pages_decode_and_extract(eval_dir):
    for name in ("gmw", "qq", "pixnet"):
        folder = eval_path("readability-cjk", name)
        metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        result = corpusclean.clean(gzip.decompress((folder / "source.html.gz").read_bytes()), format="html")
        assert result.dropped is None
        assert result.meta["encoding"] == "utf-8"  # qq declares gb2312 but serves UTF-8
        assert result.meta["script"] in ("zh-Hans", "zh-Hant")
        assert len(result.text) > 500
        title = corpusclean.clean(metadata["title"], config={"stages": ["script"]}).text
        assert title[:6] in result.text or title[:6] in result.meta["title"]
