"""Typed configuration: one TOML section per stage, validated before any work starts.

The config a run used is resolved completely (every default filled in),
written into the version's manifest and hashed, so a version can be rebuilt
and a changed config is noticed.  Sections are the ``Config`` dataclasses
nested in each stage class plus ``[input]`` and ``[output]`` below; an unknown
key or a value of the wrong type is a :class:`ConfigError` that names it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import typing
from pathlib import Path
from typing import Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILENAME = "corpusclean.toml"


class ConfigError(ValueError):
    """A config file, section, key or value that cannot be used; the message names it."""


@dataclasses.dataclass(frozen=True)
class InputConfig:
    """How inputs are read (``[input]``)."""

    #: JSONL field holding the document text.
    text_field: str = "text"
    #: JSONL field holding the record's own id; used for the document id when present.
    id_field: str = "id"
    #: JSONL field holding the page URL, copied to ``meta.url``.
    url_field: str = "url"
    #: Inputs larger than this (bytes, per document) are recorded as ``too_large`` and skipped.
    max_document_bytes: int = 256 * 1024 * 1024

    def __post_init__(self) -> None:
        _require(self.max_document_bytes > 0, "max_document_bytes", "must be positive")


@dataclasses.dataclass(frozen=True)
class OutputConfig:
    """How a version's data shards are written (``[output]``)."""

    #: A shard is closed when it holds this many documents ...
    shard_max_documents: int = 100_000
    #: ... or this many bytes of uncompressed JSON lines, whichever comes first.
    shard_max_bytes: int = 128 * 1024 * 1024
    #: gzip level of data shards and records (1 fastest, 9 smallest).
    compression_level: int = 6

    def __post_init__(self) -> None:
        _require(self.shard_max_documents > 0, "shard_max_documents", "must be positive")
        _require(self.shard_max_bytes > 0, "shard_max_bytes", "must be positive")
        _require(1 <= self.compression_level <= 9, "compression_level", "must be 1..9")


def _require(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"{key}: {message}")


GLOBAL_SECTIONS: dict[str, type] = {"input": InputConfig, "output": OutputConfig}


def _check_value(where: str, expected: Any, value: Any) -> Any:
    """Check ``value`` against a dataclass field annotation; return it (ints widened to float)."""
    origin = typing.get_origin(expected)
    if origin is Literal:
        choices = typing.get_args(expected)
        if value not in choices:
            raise ConfigError(f"{where}: expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value
    if origin in (list, tuple):
        (item_type,) = typing.get_args(expected)[:1]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return tuple(_check_value(f"{where}[{i}]", item_type, v) for i, v in enumerate(value))
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        options = typing.get_args(expected)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _check_value(where, option, value)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: {value!r} is not a valid value")
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
    elif expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
    elif expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    elif expected is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def build_section(section: str, config_cls: type, values: dict[str, Any]) -> Any:
    """Build a section's dataclass from plain values, naming any unknown key or bad value."""
    if not isinstance(values, dict):
        raise ConfigError(f"[{section}] must be a table, got {values!r}")
    hints = typing.get_type_hints(config_cls)
    fields = {f.name for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise ConfigError(f"unknown key {section}.{unknown[0]} (known keys of [{section}]: {known})")
    checked = {key: _check_value(f"{section}.{key}", hints[key], value) for key, value in values.items()}
    try:
        return config_cls(**checked)
    except ConfigError as error:
        raise ConfigError(f"{section}.{error}") from None
    except (TypeError, ValueError) as error:
        raise ConfigError(f"[{section}]: {error}") from None


def section_to_dict(section: Any) -> dict[str, Any]:
    """A section's values as plain JSON/TOML types (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(section)))


@dataclasses.dataclass(frozen=True)
class Config:
    """A fully resolved run configuration: the stage order and one typed section per part."""

    stages: tuple[str, ...]
    sections: dict[str, Any]

    def section(self, name: str) -> Any:
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        """Plain, complete form: what is written to the manifest and hashed."""
        out: dict[str, Any] = {"stages": list(self.stages)}
        for name in sorted(self.sections):
            out[name] = section_to_dict(self.sections[name])
        return out

    @property
    def sha256(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def resolve(values: dict[str, Any] | None = None) -> Config:
    """Validate a TOML-shaped dict and fill in every default.

    Only the sections of the selected stages (plus ``input`` and ``output``)
    are kept, so options of stages that do not run never change the config
    hash.  A section for a stage that exists but is not selected is accepted
    (a config file can keep settings for a stage that is switched off).
    """
    from corpusclean.stages import DEFAULT_STAGES, REGISTRY

    values = dict(values or {})
    stages = values.pop("stages", DEFAULT_STAGES)
    if isinstance(stages, str) or not isinstance(stages, (list, tuple)) or not stages:
        raise ConfigError(f"stages: expected a non-empty list of stage names, got {stages!r}")
    for name in stages:
        if name not in REGISTRY:
            raise ConfigError(f"stages: unknown stage {name!r} (known: {', '.join(sorted(REGISTRY))})")
    if len(set(stages)) != len(stages):
        raise ConfigError(f"stages: a stage is listed twice in {list(stages)!r}")
    for key in values:
        if key not in REGISTRY and key not in GLOBAL_SECTIONS:
            known = ", ".join(sorted([*REGISTRY, *GLOBAL_SECTIONS, "stages"]))
            raise ConfigError(f"unknown config section [{key}] (known: {known})")
    sections: dict[str, Any] = {}
    for name, cls in GLOBAL_SECTIONS.items():
        sections[name] = build_section(name, cls, values.get(name, {}))
    for name in stages:
        stage_cls = REGISTRY[name]
        sections[name] = build_section(name, stage_cls.Config, values.get(name, {}))
    for name, stage_values in values.items():
        if name in REGISTRY and name not in stages:
            build_section(name, REGISTRY[name].Config, stage_values)  # validate, then ignore
    return Config(stages=tuple(stages), sections=sections)


def parse_override(assignment: str) -> tuple[list[str], Any]:
    """Parse ``section.key=value`` (value in TOML syntax, bare words taken as strings)."""
    if "=" not in assignment:
        raise ConfigError(f"--set {assignment!r}: expected section.key=value")
    dotted, raw_value = assignment.split("=", 1)
    path = [part.strip() for part in dotted.strip().split(".")]
    if not all(path) or len(path) > 2:
        raise ConfigError(f"--set {assignment!r}: expected section.key=value or stages=[...]")
    try:
        value = tomllib.loads(f"value = {raw_value.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw_value.strip()
    return path, value


def apply_overrides(values: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Return a copy of ``values`` with each ``--set`` assignment applied."""
    merged = json.loads(json.dumps(values))
    for assignment in assignments:
        path, value = parse_override(assignment)
        if len(path) == 1:
            merged[path[0]] = value
        else:
            section = merged.setdefault(path[0], {})
            if not isinstance(section, dict):
                raise ConfigError(f"--set {assignment!r}: [{path[0]}] is not a table")
            section[path[1]] = value
    return merged


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file, turning syntax errors into a :class:`ConfigError`."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load(path: str | Path | None = None, overrides: list[str] | None = None,
         values: dict[str, Any] | None = None) -> Config:
    """Resolve the config a run uses.

    ``path`` if given, else ``corpusclean.toml`` in the working directory if
    present, else the defaults; then ``values`` (a dict shaped like the TOML)
    and ``--set`` ``overrides`` on top.
    """
    base: dict[str, Any] = {}
    if path is not None:
        base = read_toml(Path(path))
    elif Path(CONFIG_FILENAME).is_file():
        base = read_toml(Path(CONFIG_FILENAME))
    if values:
        base = _deep_merge(base, values)
    return resolve(apply_overrides(base, overrides or []))


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
