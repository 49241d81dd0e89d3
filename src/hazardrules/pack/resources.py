"""Find and cache the rule pack shipped with the library."""

from __future__ import annotations

import functools
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import HazardRulesError
from .loader import load_pack_from
from .model import Pack


def shipped_rules_dir() -> Traversable | Path:
    """``hazardrules/rules`` inside an installed wheel, or ``rules/`` of a source checkout."""
    packaged = files("hazardrules") / "rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if (checkout / "pack.yaml").is_file():
        return checkout
    raise HazardRulesError("this installation of hazardrules has no rule pack (hazardrules/rules)")


@functools.lru_cache(maxsize=1)
def default_pack() -> Pack:
    return load_pack_from(shipped_rules_dir())


def load_pack(path: str | Path | None = None) -> Pack:
    """Load a rule pack: the shipped one (cached) by default, or the directory at ``path``."""
    if path is None:
        return default_pack()
    return load_pack_from(Path(path))
