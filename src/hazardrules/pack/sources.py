"""Read the official texts (``shared/sources/<slug>.yaml``) for lint, tests and docs.

The installed library never needs them; ``hazardrules lint`` compares rule texts with them when it
can find them. A provision's path is made of the numbers in its labels (第三条 → 3, （一）→ 1,
十、 → 10, 1. → 1). Provisions without a number get an address too, so that a partial text can say
exactly what is missing:

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

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .numerals import label_numbers

SOURCES_ENV = "HAZARDRULES_SOURCES"
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
    lead: str | None = None  # the article's own sentence, for its single unnumbered situation
    tail: bool = False  # "（二）及以后": this item and any later ones, how many unknown

    @property
    def is_lead_in(self) -> bool:
        return self.path == LEAD or self.path.endswith("." + LEAD)


@dataclass(frozen=True, slots=True)
class Source:
    slug: str
    title: str | None
    document_number: str | None
    items: dict[str, SourceItem]
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


def read_provisions(directory: Path, slug: str) -> dict[str, Any] | None:
    file = directory / f"{slug}.yaml"
    if not file.is_file():
        return None
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def load_source(directory: Path, slug: str, names: Mapping[str, str] | None = None) -> Source | None:
    """The official text of ``slug``; ``names`` maps the labels of unnumbered articles to segments."""
    data = read_provisions(directory, slug)
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
        items[node.path] = SourceItem(
            node.path, label, node.item.get("text"), str(node.item.get("status")), node.lead, node.tail
        )
    return Source(
        slug, data.get("title"), data.get("document_number"), items, tuple(unplaced), frozenset(labels)
    )


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
    inside_lead = parent is not None and not label_numbers(str(parent.get("label", "")))
    lead_taken = inside_lead
    for provision in provisions:
        label = str(provision.get("label", ""))
        children = provision.get("children") or []
        numbers = tuple(str(n) for n in label_numbers(label))
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
