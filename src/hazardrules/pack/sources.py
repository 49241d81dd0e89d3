"""Read the official texts (``sources/<slug>.yaml`` inside a rule pack) for lint, tests and docs.

The texts travel with the pack (``rules/sources/`` in the repository, ``hazardrules/rules/sources``
in the wheel); the pack loader ignores the folder and classification never reads it. A provision's
path is made of the numbers in its labels (第三条 → 3, （一）→ 1, 十、 → 10, 1. → 1) and the letters
of lettered items (4.2 → 4.2, a) → 4.2.a); unnumbered lead-ins (导语) have no path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from .numerals import label_path

SOURCES_FOLDER = "sources"
CLOSING = ("；", "。")


@dataclass(frozen=True, slots=True)
class SourceItem:
    path: str
    label: str
    text: str | None
    status: str  # verified, memory, missing
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Publication:
    """Where the issuer published the document (``official_publication`` of a source file)."""

    url: str | None
    kind: str | None
    seen: bool


@dataclass(frozen=True, slots=True)
class Source:
    slug: str
    title: str | None
    document_number: str | None
    items: dict[str, SourceItem]
    publication: Publication | None = None


def pack_sources_dir(pack_root: Traversable | Path) -> Path | None:
    """The pack's own ``sources/`` folder, if it has one."""
    candidate = Path(str(pack_root)) / SOURCES_FOLDER
    return candidate if candidate.is_dir() else None


def load_source(directory: Path, slug: str, document_number: str | None = None) -> Source | None:
    """The official text of standard ``slug``: ``<slug>.yaml``, or a companion document held inside
    another source file (a supplement such as 矿安〔2024〕41号 in fm-2022.yaml), found by its slug or
    its document number."""
    data = source_document(directory, slug, document_number)
    if data is None:
        return None
    items: dict[str, SourceItem] = {}
    _collect(data.get("provisions") or [], (), items)
    publication = data.get("official_publication")
    return Source(
        slug,
        data.get("title"),
        data.get("document_number"),
        items,
        Publication(publication.get("url"), publication.get("kind"), bool(publication.get("seen")))
        if isinstance(publication, dict)
        else None,
    )


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


def _collect(provisions: list[dict[str, Any]], prefix: tuple[str, ...], out: dict[str, SourceItem]) -> None:
    for provision in provisions:
        label = str(provision.get("label", ""))
        segments = tuple(label_path(label).split(".")) if _is_numbered(label) else ()
        path = prefix + segments
        if segments:
            key = ".".join(path)
            evidence = tuple(str(e) for e in provision.get("evidence") or ())
            out[key] = SourceItem(key, label, provision.get("text"), str(provision.get("status")), evidence)
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
