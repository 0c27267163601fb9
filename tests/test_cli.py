"""The command line as a user meets it: exit codes, the last stdout line, config errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from corpusclean.store.versions import VersionStore
from tests.conftest import REPO, RAW


def cli(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "corpusclean", *args], cwd=cwd, input=stdin,
                          capture_output=True, env=env, timeout=300)


def test_run_defaults_raw_to_clean_and_prints_version_path_last(tmp_path):
    (tmp_path / "raw").symlink_to(RAW, target_is_directory=True)
    result = cli("run", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().strip().splitlines()
    assert lines[-1] == "clean/v0001"
    assert any("kept" in line and "5" in line for line in lines)
    assert (tmp_path / "clean" / "v0001" / "manifest.json").is_file()
    again = cli("run", cwd=tmp_path)
    assert again.returncode == 0
    out = again.stdout.decode().strip().splitlines()
    assert "up to date" in out[0] and out[-1] == "clean/v0001"


def test_config_error_exits_2_before_any_work(tmp_path):
    result = cli("run", str(RAW), "--out", "out", "--set", "script.tagret=zh-TW", cwd=tmp_path)
    assert result.returncode == 2
    assert "script.tagret" in result.stderr.decode()
    assert not (tmp_path / "out").exists()
    result = cli("run", str(RAW), "--out", "out", "--config", "missing.toml", cwd=tmp_path)
    assert result.returncode == 2 and "config file not found" in result.stderr.decode()


def test_usage_errors_exit_2(tmp_path):
    assert cli("run", "no-such-input", cwd=tmp_path).returncode == 2
    assert cli("frobnicate", cwd=tmp_path).returncode == 2
    assert cli("run", str(RAW), "--workers", "0", cwd=tmp_path).returncode == 2


def test_locked_output_exits_1(tmp_path):
    store = VersionStore(tmp_path / "out")
    with store.lock():
        result = cli("run", str(RAW), "--out", "out", "--workers", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert "another corpusclean run" in result.stderr.decode()


def test_set_overrides_apply(tmp_path):
    result = cli("run", str(RAW), "--out", "out", "--workers", "1", "--set", "script.target=zh-TW", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    manifest = json.loads((tmp_path / "out" / "v0001" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["script"]["target"] == "zh-TW"


def test_clean_one_document_from_stdin_and_file(tmp_path):
    text = "中華人民共和國的經濟。"
    result = cli("clean", cwd=tmp_path, stdin=text.encode("big5"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "中华人民共和国的经济。\n"
    page = tmp_path / "page.html"
    page.write_bytes('<html><head><title>标题</title><meta charset="gbk"></head><body><p>正文段落。</p>'
                     '<script>var x;</script></body></html>'.encode("gbk"))
    result = cli("clean", str(page), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    payload = json.loads(result.stdout)
    assert payload["text"] == "正文段落。"
    assert payload["meta"]["title"] == "标题" and payload["meta"]["encoding"] == "gb18030"
    assert payload["dropped"] is None
    assert [entry["stage"] for entry in payload["trace"]][:2] == ["decode", "html"]


def test_clean_reports_a_drop_on_stderr(tmp_path):
    result = cli("clean", cwd=tmp_path, stdin=b"")
    assert result.returncode == 0
    assert result.stdout == b"" and "dropped: empty" in result.stderr.decode()
