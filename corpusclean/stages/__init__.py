"""Stage registry: every stage is known by the name used in ``stages = [...]``."""

from __future__ import annotations

from corpusclean.stages.base import CorpusStage, Stage

REGISTRY: dict[str, type[Stage] | type[CorpusStage]] = {}


def register(cls):
    """Class decorator: make a stage selectable by its ``name`` in the config."""
    if cls.name in REGISTRY:
        raise ValueError(f"stage name {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


# Importing the modules registers the built-in stages, in the default order.
from corpusclean.stages import decode, html, unicode, script, exact_dedup  # noqa: E402,F401

DEFAULT_STAGES: list[str] = ["decode", "html", "unicode", "script", "exact_dedup"]

__all__ = ["REGISTRY", "DEFAULT_STAGES", "Stage", "CorpusStage", "register"]
