"""Read the official texts (``sources/<slug>.yaml`` inside a rule pack) for lint, tests and docs.

The texts travel with the pack (``rules/sources/`` in the repository, ``hazardrules/rules/sources``
in the wheel); the pack loader ignores the folder and classification never reads it. A provision's
path is made of the numbers in its labels (第三条 → 3, （一）→ 1, 十、 → 10, 1. → 1) and the letters
of lettered items (4.2 → 4.2, a) → 4.2.a). Provisions without a number get an address too, so that
a partial text can say exactly what is missing:

- an open tail (``（二）及以后``: items after the last one seen, how many unknown) takes the number of
  its first item (``4.2``) and is marked ``tail``;
- the single unnumbered situation of a numbered article (``（不分项）``) takes the article's path,
  the article's own sentence becoming its ``lead``;
- an unnumbered lead-in (导语, 序言) is addressed ``lead`` under its parent (``fishing-2022:lead``)
  and is not part of its children's paths; it is not a situation, so coverage does not require it;
- an article whose number was not seen (``第?条（出租汽车客运企业）``) takes the named segment the
  standard file gives it under ``unnumbered`` (``road-2023:taxi``); without one it is *unplaced*,
  and lint asks for a name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from .numerals import label_path

SOURCES_FOLDER = "sources"
CLOSING = ("；", "。")
LEAD = "lead"
TAIL = "及以后"
UNKNOWN_NUMBER = re.compile(r"^第[?？]+条")


@dataclass(frozen=True, slots=True)
class SourceItem:
    path: str
    label: str
    text: str | None
    status: str  # verified, memory, missing
    evidence: tuple[str, ...] = ()
    lead: str | None = None  # the article's own sentence, for its single unnumbered situation
    tail: bool = False  # "（二）及以后": this item and any later ones, how many unknown

    @property
    def is_lead_in(self) -> bool:
        return self.path == LEAD or self.path.endswith("." + LEAD)


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
    unplaced: tuple[str, ...] = ()  # labels of provisions without a number and without a name
    labels: frozenset[str] = frozenset()  # every provision's label

    def situations(self) -> list[SourceItem]:
        """The items a pack must account for: leaves that are not lead-ins, in source order."""
        paths = list(self.items)
        return [
            item
            for path, item in self.items.items()
            if not item.is_lead_in and not any(other.startswith(path + ".") for other in paths)
        ]


@dataclass(frozen=True, slots=True)
class Node:
    """One provision of a source file as read in order: its depth, its address (None: unplaced)."""

    depth: int
    path: str | None
    item: dict[str, Any]
    lead: str | None = None
    tail: bool = False


def pack_sources_dir(pack_root: Traversable | Path) -> Path | None:
    """The pack's own ``sources/`` folder, if it has one."""
    candidate = Path(str(pack_root)) / SOURCES_FOLDER
    return candidate if candidate.is_dir() else None


def load_source(
    directory: Path,
    slug: str,
    document_number: str | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> Source | None:
    """The official text of standard ``slug``: ``<slug>.yaml``, or a companion document held inside
    another source file (a supplement such as 矿安〔2024〕41号 in fm-2022.yaml), found by its slug or
    its document number. ``names`` maps the labels of unnumbered articles to path segments."""
    data = source_document(directory, slug, document_number)
    if data is None:
        return None
    items: dict[str, SourceItem] = {}
    unplaced: list[str] = []
    labels: set[str] = set()
    for node in walk(data.get("provisions") or [], names):
        label = str(node.item.get("label", ""))
        labels.add(label)
        if node.path is None:
            if UNKNOWN_NUMBER.match(label):
                unplaced.append(label)
            continue
        evidence = tuple(str(e) for e in node.item.get("evidence") or ())
        status = str(node.item.get("status"))
        items[node.path] = SourceItem(
            node.path, label, node.item.get("text"), status, evidence, node.lead, node.tail
        )
    publication = data.get("official_publication")
    return Source(
        slug,
        data.get("title"),
        data.get("document_number"),
        items,
        Publication(publication.get("url"), publication.get("kind"), bool(publication.get("seen")))
        if isinstance(publication, dict)
        else None,
        tuple(unplaced),
        frozenset(labels),
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


def walk(
    provisions: list[dict[str, Any]],
    names: Mapping[str, str] | None = None,
    prefix: tuple[str, ...] | None = (),
    depth: int = 0,
    parent: dict[str, Any] | None = None,
) -> Iterator[Node]:
    """Every provision in source order with its address (see the module docstring).

    ``prefix`` is None under an unplaced article: nothing below it has an address. Only the first
    unnumbered lead-in of a level is addressed, and nothing inside a lead-in is.
    """
    names = names or {}
    inside_lead = parent is not None and not label_path(str(parent.get("label", "")))
    lead_taken = inside_lead
    for provision in provisions:
        label = str(provision.get("label", ""))
        children = provision.get("children") or []
        read = label_path(label)
        numbers = tuple(read.split(".")) if read else ()
        lead: str | None = None
        own: tuple[str, ...] | None
        if prefix is None:
            own = None
        elif UNKNOWN_NUMBER.match(label):
            name = names.get(label)
            own = (*prefix, name) if name else None
        elif numbers:
            own = (*prefix, *numbers)
        elif not children and parent is not None and prefix and len(parent.get("children") or []) == 1:
            own = prefix  # the single unnumbered situation of a numbered article
            lead = parent.get("text")
        elif not lead_taken:
            own = (*prefix, LEAD)
            lead_taken = True
        else:
            own = None
        path = ".".join(own) if own is not None else None
        yield Node(depth, path, provision, lead, TAIL in label)
        below: tuple[str, ...] | None = own
        if own is not None and own and own[-1] == LEAD:
            below = prefix  # a lead-in is not part of its children's paths
        yield from walk(children, names, below, depth + 1, provision)


def text_matches(rule_text: str, source_text: str | None) -> bool:
    """Equal character for character, except that the closing ；/。 may be dropped."""
    if source_text is None:
        return False
    if rule_text == source_text:
        return True
    return source_text.endswith(CLOSING) and rule_text == source_text[:-1]
