"""Config: typed sections with defaults; unknown keys and bad values are errors that name them."""

from __future__ import annotations

import pytest

from corpusclean import ConfigError
from corpusclean import config as config_module
from corpusclean.stages import DEFAULT_STAGES


def test_defaults_suit_a_chinese_corpus():
    config = config_module.resolve({})
    assert config.stages == tuple(DEFAULT_STAGES)
    assert config.section("script").target == "zh-Hans"
    assert config.section("unicode").normalization == "NFC"
    assert set(config.sections) == {"input", "output", *DEFAULT_STAGES}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"script": {"targett": "zh-TW"}}, "unknown key script.targett"),
        ({"scirpt": {}}, r"unknown config section \[scirpt\]"),
        ({"script": {"target": "klingon"}}, "target: expected one of"),
        ({"script": {"opencc": "s2x"}}, "unknown OpenCC config 's2x'"),
        ({"script": {"sample_chars": "many"}}, "script.sample_chars: expected an integer"),
        ({"unicode": {"prefilter": "yes"}}, "unicode.prefilter: expected true or false"),
        ({"output": {"compression_level": 12}}, "output.compression_level: must be 1..9"),
        ({"decode": {"likely_encodings": ["gb18030", "no-such-codec"]}}, "unknown codec 'no-such-codec'"),
        ({"stages": ["decode", "clean_everything"]}, "unknown stage 'clean_everything'"),
        ({"stages": "decode"}, "stages: expected a non-empty list"),
        ({"stages": ["script", "script"]}, "listed twice"),
        ({"input": {"max_document_bytes": 0}}, "input.max_document_bytes: must be positive"),
        ({"html": "yes"}, r"\[html\] must be a table"),
    ],
)
def test_bad_config_is_a_clear_error(values, message):
    with pytest.raises(ConfigError, match=message):
        config_module.resolve(values)


def test_unselected_stage_sections_are_validated_but_do_not_change_the_hash():
    only_script = config_module.resolve({"stages": ["script"]})
    with_unused = config_module.resolve({"stages": ["script"], "html": {"apply_to": "all"}})
    assert only_script.sha256 == with_unused.sha256
    with pytest.raises(ConfigError, match="unknown key html.nope"):
        config_module.resolve({"stages": ["script"], "html": {"nope": 1}})


def test_toml_file_and_overrides(tmp_path, monkeypatch):
    path = tmp_path / "corpusclean.toml"
    path.write_text('stages = ["decode", "script"]\n[script]\ntarget = "zh-TW"\n', encoding="utf-8")
    config = config_module.load(path, ["script.sample_chars=100", "output.compression_level=1"])
    assert config.stages == ("decode", "script")
    assert config.section("script").target == "zh-TW"
    assert config.section("script").sample_chars == 100
    assert config.section("output").compression_level == 1
    # corpusclean.toml in the working directory is picked up without --config
    monkeypatch.chdir(tmp_path)
    assert config_module.load().section("script").target == "zh-TW"
    assert config_module.load(overrides=['stages=["script"]']).stages == ("script",)
    assert config_module.load(overrides=["script.target=zh-HK"]).section("script").target == "zh-HK"


def test_invalid_toml_and_missing_file_are_config_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[script\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        config_module.load(bad)
    with pytest.raises(ConfigError, match="config file not found"):
        config_module.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="expected section.key=value"):
        config_module.load(overrides=["script.target"])


def test_resolved_config_round_trips_and_hash_is_stable():
    config = config_module.resolve({"script": {"target": "zh-TW"}})
    again = config_module.resolve(config.to_dict())
    assert again == config and again.sha256 == config.sha256
    assert config_module.resolve({}).sha256 != config.sha256
