"""The pipeline: stage order, any subset, stages used alone, errors recorded, batches for ETL."""

from __future__ import annotations

import pytest

import corpusclean
from corpusclean import Document, Pipeline
from corpusclean.engines.local import LocalEngine
from corpusclean.stages import REGISTRY
from corpusclean.stages.decode import Decode
from corpusclean.stages.exact_dedup import ExactDedup
from corpusclean.stages.script import Script


def _docs(raw_dir):
    return [Document(id=p.name, source=p.name, raw=p.read_bytes()) for p in sorted(raw_dir.iterdir())]


def test_in_process_and_engine_give_the_same_documents(raw_dir):
    pipeline = Pipeline()
    here = [(d.id, d.text, d.meta, d.trace, d.status) for d in pipeline.process(_docs(raw_dir))]
    with LocalEngine(workers=2, batch_documents=2) as engine:
        pooled = [(d.id, d.text, d.meta, d.trace, d.status) for d in pipeline.process(_docs(raw_dir), engine=engine)]
    assert here == pooled
    assert [stage for stage in (entry["stage"] for entry in here[0][3])] == ["decode", "script"]


def test_clean_runs_every_default_stage_on_bytes(raw_dir):
    result = corpusclean.clean((raw_dir / "001_5535c90c76241098.txt").read_bytes())
    assert result.dropped is None
    assert result.meta["encoding"] == "utf-8" and result.meta["script"] == "zh-Hant"
    assert "资源型经" in result.text and "資源型" not in result.text
    assert [entry["stage"] for entry in result.trace] == ["decode", "script"]


def test_a_subset_of_stages_runs_alone():
    result = corpusclean.clean("資源型經濟轉型", config={"stages": ["script"]})
    assert result.text == "资源型经济转型"
    assert [entry["stage"] for entry in result.trace] == ["script"]
    # without a decode stage, bytes must be UTF-8, and anything else is a clear drop
    assert corpusclean.clean("經濟".encode("utf-8"), config={"stages": ["script"]}).text == "经济"
    dropped = corpusclean.clean("經濟".encode("big5"), config={"stages": ["script"]})
    assert dropped.text is None and dropped.dropped == "undecodable"


def test_every_stage_is_usable_alone_from_python():
    doc = Decode()(Document(id="d", raw="中文".encode("gb18030") * 20))
    assert doc.text == "中文" * 20 and doc.meta["encoding"] == "gb18030"
    assert Script(target="zh-TW")(Document(id="s", text="软件和网络")).text == "軟件和網絡"
    dedup = ExactDedup()
    state = dedup.new_state()
    first, second = Document(id="a", text="同一篇文章。"), Document(id="b", text="同一篇 文章!")
    kept = list(dedup.process([first, second], state))
    assert [d.status for d in kept] == ["kept", "dropped"] and kept[1].duplicate_of == "a"
    assert set(REGISTRY) >= {"decode", "html", "unicode", "script", "exact_dedup"}


def test_stage_options_are_validated_when_built_from_python():
    with pytest.raises(corpusclean.ConfigError, match="unknown key script.traget"):
        Script(traget="zh-TW")


def test_pipeline_batches_share_corpus_state_when_asked():
    pipeline = Pipeline({"stages": ["unicode", "exact_dedup"]})
    state = pipeline.new_state()
    first = list(pipeline.process([Document(id="1", text="第一批的文章。")], state))
    second = list(pipeline.process([Document(id="2", text="第一批的文章！")], state))
    assert first[0].status == "kept"
    assert second[0].status == "dropped" and second[0].duplicate_of == "1"
    fresh = list(pipeline.process([Document(id="3", text="第一批的文章。")]))
    assert fresh[0].status == "kept"


def test_an_exception_in_a_stage_fails_that_document_only(monkeypatch):
    def boom(self, doc):
        if "炸" in doc.text:
            raise RuntimeError("unexpected input")
        return doc

    monkeypatch.setattr(Script, "process", boom)
    pipeline = Pipeline({"stages": ["script"]})
    docs = list(pipeline.process([Document(id="ok", text="正常"), Document(id="bad", text="炸")]))
    assert [d.status for d in docs] == ["kept", "failed"]
    assert docs[1].reason == "error" and "RuntimeError: unexpected input" in docs[1].trace[-1]["error"]
    assert pipeline.stats["script"].failed == {"error": 1}


def test_stage_statistics_count_in_out_changes_and_drops():
    pipeline = Pipeline({"stages": ["unicode", "script", "exact_dedup"]})
    docs = [Document(id="a", text="經濟"), Document(id="b", text="经济"), Document(id="c", text=" \u200b"[0])]
    list(pipeline.process(docs))
    stats = pipeline.stats_dict()
    assert stats["unicode"]["in"] == 3 and stats["unicode"]["dropped"] == {"empty": 1}
    assert stats["script"]["in"] == 2 and stats["script"]["changed"] == 1
    assert stats["exact_dedup"]["in"] == 2 and stats["exact_dedup"]["dropped"] == {"exact_duplicate": 1}
    assert stats["exact_dedup"]["out"] == 1
