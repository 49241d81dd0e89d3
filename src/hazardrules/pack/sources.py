"""Read the official texts (``shared/sources/<slug>.yaml``) for lint and tests.

The installed library never needs them; ``hazardrules lint`` compares rule texts with them when it
can find them. A provision's path is made of the numbers in its labels (第三条 → 3, （一）→ 1,
十、 → 10, 1. → 1) and the letters of lettered items (4.2 → 4.2, a) → 4.2.a); unnumbered lead-ins
(导语) have no path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .numerals import label_path

SOURCES_ENV = "HAZARDRULES_SOURCES"
CLOSING = ("；", "。")


@dataclass(frozen=True, slots=True)
class SourceItem:
    path: str
    label: str
    text: str | None
    status: str  # verified, memory, missing


@dataclass(frozen=True, slots=True)
class Source:
    slug: str
    title: str | None
    document_number: str | None
    items: dict[str, SourceItem]


def find_sources_dir(start: Path | None = None) -> Path | None:
    """``$HAZARDRULES_SOURCES``, else the nearest ``shared/sources`` above ``start``."""
    configured = os.environ.get(SOURCES_ENV)
    if configured:
        return Path(configured)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "shared" / "sources"
        if candidate.is_dir():
            return candidate
    return None


def load_source(directory: Path, slug: str) -> Source | None:
    file = directory / f"{slug}.yaml"
    if not file.is_file():
        return None
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    items: dict[str, SourceItem] = {}
    _collect(data.get("provisions") or [], (), items)
    return Source(slug, data.get("title"), data.get("document_number"), items)


def _collect(provisions: list[dict[str, Any]], prefix: tuple[str, ...], out: dict[str, SourceItem]) -> None:
    for provision in provisions:
        label = str(provision.get("label", ""))
        segments = tuple(label_path(label).split(".")) if _is_numbered(label) else ()
        path = prefix + segments
        if segments:
            key = ".".join(path)
            out[key] = SourceItem(key, label, provision.get("text"), str(provision.get("status")))
        _collect(provision.get("children") or [], path, out)


def _is_numbered(label: str) -> bool:
    return bool(label_path(label)) and "及以后" not in label


def text_matches(rule_text: str, source_text: str | None) -> bool:
    """Equal character for character, except that the closing ；/。 may be dropped."""
    if source_text is None:
        return False
    if rule_text == source_text:
        return True
    return source_text.endswith(CLOSING) and rule_text == source_text[:-1]
