"""Shared fixtures: the project's sample scrapes, their gold labels and the public eval data.

The eval data lives in ``../shared/eval`` beside the repository (never copied
into it unless its README allows); tests that need it are skipped cleanly
when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"
RAW = REPO / "raw"


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL.is_dir():
        pytest.skip("../shared/eval is not present")
    return EVAL


def eval_path(*parts: str) -> Path:
    """A path under ../shared/eval; skips the calling test when it is absent."""
    path = EVAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def gold() -> dict:
    path = SHARED / "gold" / "seeds.json"
    if not path.is_file():
        pytest.skip("../shared/gold/seeds.json is not present")
    return json.loads(path.read_text(encoding="utf-8"))
