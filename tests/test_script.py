"""The ``script`` stage: script detection and OpenCC conversion, on OpenCC's own test data.

Measured with the native OpenCC binding (PyPI ``opencc`` 1.4.2, the C++
library; ``corpusclean.text.chinese.backend()`` reports it):

* ``testcases.strict.json`` (OpenCC's official cases at its 2026 HEAD,
  ``../shared/eval/opencc``, Apache-2.0): 543/543 checks through
  ``corpusclean.clean(text, config={"stages": ["script"], "script": {"opencc": cfg}})``;
* the legacy line-aligned set of OpenCC 1.1.6: 49/49;
* the golden US-constitution paragraph test: 414/414 lines (413 and the
  empty line after the final newline), and the whole file, for s2t, s2tw,
  s2hk, s2twp and s2hkp.

With opencc-python-reimplemented (older dictionaries, no s2hkp/hk2sp) the
eval README measured 226/484 of the official cases and 412/413 (393/413 for
s2twp) golden lines; those tests then report their count and skip, since
543/543 is only expected from the native library.
"""

from __future__ import annotations

import json

import pytest

import corpusclean
from corpusclean import Document
from corpusclean.stages.script import Script
from corpusclean.text import chinese
from tests.conftest import eval_path

NATIVE = chinese.backend()["package"] == "opencc"
GOLDEN_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")

TRADITIONAL_SEEDS = ("000_e5af8a80790e00d5.txt", "001_5535c90c76241098.txt")
SIMPLIFIED_SEEDS = ("002_3b3bfd8559e18818.txt", "003_c0235056f738e45f.txt", "004_b9314205b62cf6c8.txt")


def _convert(text: str, config: str) -> str | None:
    """The stage alone with a fixed OpenCC config, through the one-call API."""
    return corpusclean.clean(text, config={"stages": ["script"], "script": {"opencc": config}}).text


def _backend_note() -> str:
    backend = chinese.backend()
    return f"{backend['package']} {backend['version']}"


def test_all_official_opencc_cases():
    data = json.loads(eval_path("opencc", "testcases_json", "testcases.strict.json").read_text(encoding="utf-8"))
    checks = [(case["id"], config, case["input"], expected)
              for case in data["cases"] for config, expected in case["expected"].items()]
    assert len(checks) == 543
    failures = []
    for case_id, config, text, expected in checks:
        try:
            got = _convert(text, config)
        except Exception as error:  # noqa: BLE001  (a config the installed backend lacks)
            got = f"<{type(error).__name__}: {error}>"
        if got != expected:
            failures.append((case_id, config, text, expected, got))
    passed = len(checks) - len(failures)
    print(f"\nOpenCC official cases with {_backend_note()}: {passed}/{len(checks)}")
    if not NATIVE:
        pytest.skip(f"{passed}/543 with {_backend_note()}; 543/543 is expected only from native OpenCC")
    assert failures == []


def test_legacy_opencc_1_1_6_cases():
    folder = eval_path("opencc", "legacy_in_ans_ver.1.1.6")
    failures, total = [], 0
    for source in sorted(folder.glob("*.in")):
        config = source.stem
        inputs = source.read_text(encoding="utf-8").split("\n")
        answers = source.with_suffix(".ans").read_text(encoding="utf-8").split("\n")
        assert len(inputs) == len(answers), config
        for text, expected in zip(inputs, answers):
            if not text.strip():
                continue
            total += 1
            try:
                got = _convert(text, config)
            except Exception as error:  # noqa: BLE001
                got = f"<{type(error).__name__}>"
            if got != expected:
                failures.append((config, text, expected, got))
    assert total == 49
    print(f"\nOpenCC 1.1.6 legacy cases with {_backend_note()}: {total - len(failures)}/{total}")
    if not NATIVE:
        pytest.skip(f"{total - len(failures)}/49 with {_backend_note()}")
    assert failures == []


@pytest.mark.parametrize("config", GOLDEN_CONFIGS)
def test_golden_paragraph_line_by_line_and_whole(config):
    source = eval_path("opencc", "golden", "input", "us_constitution_zhs.txt").read_text(encoding="utf-8")
    expected = eval_path("opencc", "golden", "output", f"us_constitution_zhs.{config}.txt").read_text(encoding="utf-8")
    lines, wanted = source.split("\n"), expected.split("\n")
    assert len(lines) == len(wanted) == 414
    same = 0
    for line, want in zip(lines, wanted):
        if not line.strip():
            # a blank document is dropped as empty by the pipeline; the golden line is blank too
            assert not want.strip()
            same += 1
            continue
        same += _convert(line, config) == want
    whole = _convert(source, config)
    print(f"\ngolden {config} with {_backend_note()}: {same}/{len(lines)} lines, whole file {'equal' if whole == expected else 'differs'}")
    if not NATIVE:
        pytest.skip(f"golden {config}: {same}/414 lines with {_backend_note()}")
    assert same == len(lines)
    assert whole == expected


# -- the default target and detection on real text ---------------------------------------------


@pytest.mark.parametrize("name", TRADITIONAL_SEEDS)
def test_traditional_seed_comes_out_simplified_by_default(raw_dir, name):
    text = (raw_dir / name).read_text(encoding="utf-8")
    result = corpusclean.clean(text, config={"stages": ["script"]})
    assert result.meta["script"] == "zh-Hant"
    assert result.text == chinese.convert(text, "t2s") != text
    (entry,) = result.trace
    assert entry["stage"] == "script" and entry["script"] == "zh-Hant" and entry["converted"] == "t2s"
    assert entry["chars_converted"] == entry["traditional"] > 500
    assert result.text == chinese.convert(result.text, "t2s")  # nothing traditional left


@pytest.mark.parametrize("name", SIMPLIFIED_SEEDS)
def test_simplified_seed_is_left_alone_by_default(raw_dir, name):
    text = (raw_dir / name).read_text(encoding="utf-8")
    doc = Script()(Document(id=name, text=text))
    assert doc.text == text
    assert doc.meta["script"] == "zh-Hans"
    (entry,) = doc.trace
    assert entry["converted"] is None and entry["traditional"] == 0 and entry["simplified"] > 500


@pytest.mark.parametrize(
    ("target", "from_traditional", "from_simplified"),
    [
        ("zh-Hans", "t2s", None),
        ("zh-Hant", None, "s2t"),
        ("zh-TW", "t2tw", "s2tw"),
        ("zh-HK", "t2hk", "s2hk"),
        ("keep", None, None),
    ],
)
def test_each_target_applies_the_right_conversion(raw_dir, target, from_traditional, from_simplified):
    stage = Script(target=target)
    for names, script, config in ((TRADITIONAL_SEEDS, "zh-Hant", from_traditional),
                                  (SIMPLIFIED_SEEDS, "zh-Hans", from_simplified)):
        for name in names:
            text = (raw_dir / name).read_text(encoding="utf-8")
            doc = stage(Document(id=name, text=text))
            assert doc.meta["script"] == script, (target, name)
            expected = text if config is None else chinese.convert(text, config)
            assert doc.text == expected, (target, name)
            # the trace names the conversion only when the text changed
            assert doc.trace[-1]["converted"] == (config if expected != text else None), (target, name)


def test_a_few_words_in_each_target():
    assert Script(target="zh-Hant")(Document(id="a", text="软件和网络")).text == "軟件和網絡"
    assert Script(target="zh-TW")(Document(id="b", text="软件和网络")).text == "軟件和網絡"
    assert corpusclean.clean("软件和网络", config={"stages": ["script"], "script": {"opencc": "s2twp"}}).text == "軟體和網路"
    assert Script(target="zh-HK")(Document(id="c", text="着")).text == "着"
    assert Script()(Document(id="d", text="資訊軟體")).text == "资讯软体"


def test_wikipedia_paragraphs_are_detected_and_converted(eval_dir):
    """Every DRCD (Taiwan) paragraph is zh-Hant and becomes t2s of itself; every cmrc2018 one is zh-Hans and is kept."""
    import gzip

    def paragraphs(folder):
        with gzip.open(eval_path(folder, "contexts.jsonl.gz"), "rt", encoding="utf-8") as handle:
            return [json.loads(line)["context"] for line in handle]

    stage = Script()
    for folder, script, config in (("drcd", "zh-Hant", "t2s"), ("cmrc2018", "zh-Hans", None)):
        wrong = []
        for text in paragraphs(folder):
            doc = stage(Document(id=folder, text=text))
            expected = text if config is None else chinese.convert(text, config)
            if doc.meta["script"] != script or doc.text != expected:
                wrong.append(text[:30])
        assert wrong == [], folder
    # a document longer than the sample is converted as a whole, not only where it was sampled
    long_text = "\n".join(paragraphs("drcd")[:60])
    assert len(long_text) > 3 * Script().config.sample_chars
    doc = stage(Document(id="long", text=long_text))
    assert doc.text == chinese.convert(long_text, "t2s")


# -- edge cases and configuration -------------------------------------------------------------


@pytest.mark.parametrize("config", [{}, {"target": "zh-TW"}, {"opencc": "s2twp"}, {"opencc": "t2s"}])
def test_text_without_han_is_und_and_untouched(config):
    text = "Hello, world! 123 “quoted” ‘text’ (2024) ｶﾀｶﾅ ひらがな 한국어"
    result = corpusclean.clean(text, config={"stages": ["script"], "script": config})
    assert result.text == text
    assert result.meta["script"] == "und"
    assert result.trace[-1]["han"] == 0 and result.trace[-1]["converted"] is None


def test_shared_characters_only_are_zh_and_untouched():
    doc = Script()(Document(id="z", text="大山中的人"))  # no script-specific character
    assert doc.meta["script"] == "zh" and doc.text == "大山中的人"


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"target": "zh-CN"}, "target"),
        ({"target": "simplified"}, "target"),
        ({"opencc": "s2x"}, "opencc"),
        ({"opencc": "zh-Hans"}, "opencc"),
        ({"sample_chars": -1}, "sample_chars"),
        ({"traget": "zh-Hans"}, "script.traget"),
    ],
)
def test_bad_values_raise_config_error_naming_the_key(section, key):
    with pytest.raises(corpusclean.ConfigError, match=key.replace(".", r"\.")):
        corpusclean.clean("中文", config={"stages": ["script"], "script": section})
    with pytest.raises(corpusclean.ConfigError, match=key.replace(".", r"\.")):
        Script(**{k: v for k, v in section.items()})


def test_an_opencc_config_may_be_named_with_its_json_suffix():
    assert _convert("软件", "s2twp.json") == "軟體"


def test_traditional_text_under_a_simplified_header_is_converted():
    """A reposted traditional poem wrapped in a simplified site's header and footer."""
    header = "首页 新闻 诗词 关于我们\n唐诗三百首精选\n"
    poem = "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。\n白日依山盡，黃河入海流。欲窮千里目，更上一層樓。\n"
    footer = "版权所有 转载请注明出处 联系电话 010-12345678\n"
    doc = Script()(Document(id="mixed", text=header + poem + footer))
    assert doc.meta["script"] == "zh-Hans"  # the simplified wrapper is the majority ...
    assert doc.text == header + chinese.convert(poem, "t2s") + footer  # ... but the poem is converted
    assert doc.trace[-1]["converted"] == "t2s"


def test_a_stray_traditional_character_in_simplified_text_is_left_alone():
    """t2s on simplified text changes legitimate characters too (黄霑 → 黄沾): a trace is not converted."""
    text = "黄霑是香港著名的词作家和作曲家，创作了大量脍炙人口的流行歌曲，被誉为香港四大才子之一。" * 2
    doc = Script()(Document(id="stray", text=text))
    assert doc.meta["script"] == "zh-Hans" and doc.trace[-1]["traditional"] > 0
    assert doc.text == text and doc.trace[-1]["converted"] is None
    assert Script(mixed_share=0.0)(Document(id="strict", text=text)).text == chinese.convert(text, "t2s")


def test_supplementary_plane_characters_are_counted():
    """Extension B characters live in their own pattern (for speed); they still count."""
    traditional_only, _ = chinese._script_specific()
    astral = traditional_only._astral.pattern[1]  # the first Extension B traditional-only character
    assert astral > "\uffff" and chinese.convert(astral, "t2s") != astral
    script, counts = chinese.detect_script(astral * 3 + "的")
    assert counts["traditional"] == 3 and script == "zh-Hant"
