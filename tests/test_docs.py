"""The README's config reference lists every config key the code accepts."""

from __future__ import annotations

import dataclasses
import re

from corpusclean.config import GLOBAL_SECTIONS
from corpusclean.stages import REGISTRY
from tests.conftest import REPO


def test_readme_config_reference_is_complete():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = readme[readme.index("## Configuration"):readme.index("## Library use")]
    sections = {**GLOBAL_SECTIONS, **{name: stage.Config for name, stage in REGISTRY.items()}}
    for section, config_cls in sections.items():
        assert f"**[{section}]**" in reference, f"README has no [{section}] section"
        start = reference.index(f"**[{section}]**")
        following = re.search(r"\*\*\[", reference[start + 3:])
        block = reference[start:start + 3 + following.start()] if following else reference[start:]
        for field in dataclasses.fields(config_cls):
            assert f"`{field.name}`" in block, f"README config reference lacks {section}.{field.name}"
