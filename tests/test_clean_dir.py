"""``clean/`` must be exactly what the current code produces from ``raw/``.

The latest committed version is rebuilt from ``raw/`` with the config its
manifest records, and its data files and records must match byte for byte;
its code fingerprint must be the current code's, so ``corpusclean run`` on a
fresh clone reports it up to date instead of rebuilding.
"""

from __future__ import annotations

import json

from corpusclean import config as config_module
from corpusclean import provenance
from corpusclean.runner import run
from corpusclean.store.versions import VersionStore
from tests.conftest import REPO
from tests.helpers import data_hashes

CLEAN = REPO / "clean"


def test_clean_dir_matches_the_code(tmp_path, raw_dir):
    latest = VersionStore(CLEAN).latest()
    assert latest is not None, "clean/ has no version: run `corpusclean run` and commit clean/"
    manifest = json.loads((CLEAN / latest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tools"]["code_sha256"] == provenance.code_sha256(), (
        "clean/ was made by other code: regenerate it with `corpusclean run` and commit it")
    assert {entry["path"] for entry in manifest["inputs"]} == {p.name for p in raw_dir.iterdir()}
    config = config_module.resolve(manifest["config"])
    assert config.sha256 == manifest["config_sha256"]
    rebuilt = run([raw_dir], tmp_path / "clean", config, workers=2, progress=False)
    assert data_hashes(rebuilt.version) == data_hashes(CLEAN / latest)
