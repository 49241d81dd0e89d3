"""Read the official texts (``shared/sources/<slug>.yaml``) for lint and tests.

The installed library never needs them; ``hazardrules lint`` compares rule texts with them when it
can find them. A provision's path is made of the numbers in its labels (第三条 → 3, （一）→ 1,
十、 → 10, 1. → 1); unnumbered lead-ins (导语) have no path.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .numerals import label_numbers

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


def load_source(directory: Path, slug: str, document_number: str | None = None) -> Source | None:
    """The official text of standard ``slug``: ``<slug>.yaml``, or a companion document held inside
    another source file (a supplement such as 矿安〔2024〕41号 in fm-2022.yaml), found by its slug or
    its document number."""
    data = source_document(directory, slug, document_number)
    if data is None:
        return None
    items: dict[str, SourceItem] = {}
    _collect(data.get("provisions") or [], (), items)
    return Source(slug, data.get("title"), data.get("document_number"), items)


def source_document(directory: Path, slug: str, document_number: str | None = None) -> dict[str, Any] | None:
    """The raw source record of ``slug`` (see :func:`load_source`)."""
    file = directory / f"{slug}.yaml"
    if file.is_file():
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        return data if isinstance(data, dict) else {}
    companions = _companions(str(directory.resolve()))
    found = companions.get(slug)
    if found is None and document_number:
        found = companions.get(document_number)
    return found


@functools.lru_cache(maxsize=8)
def _companions(directory: str) -> dict[str, dict[str, Any]]:
    """Companion documents of every source file, by slug, suggested slug and document number."""
    out: dict[str, dict[str, Any]] = {}
    for file in sorted(Path(directory).glob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        if "companion_documents" not in text:
            continue
        data = yaml.safe_load(text) or {}
        for companion in data.get("companion_documents") or []:
            if not isinstance(companion, dict):
                continue
            for key in ("slug", "slug_suggestion", "document_number"):
                value = companion.get(key)
                if isinstance(value, str) and value:
                    out.setdefault(value, companion)
    return out


def _collect(provisions: list[dict[str, Any]], prefix: tuple[int, ...], out: dict[str, SourceItem]) -> None:
    for provision in provisions:
        label = str(provision.get("label", ""))
        numbers = tuple(label_numbers(label)) if _is_numbered(label) else ()
        path = prefix + numbers
        if numbers:
            key = ".".join(map(str, path))
            out[key] = SourceItem(key, label, provision.get("text"), str(provision.get("status")))
        _collect(provision.get("children") or [], path, out)


def _is_numbered(label: str) -> bool:
    return bool(label_numbers(label)) and "及以后" not in label


def text_matches(rule_text: str, source_text: str | None) -> bool:
    """Equal character for character, except that the closing ；/。 may be dropped."""
    if source_text is None:
        return False
    if rule_text == source_text:
        return True
    return source_text.endswith(CLOSING) and rule_text == source_text[:-1]
