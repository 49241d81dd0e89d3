"""Safe YAML reading for rule packs: plain data only, and nothing a hostile pack could abuse.

- No Python objects (the safe loader); duplicate keys are errors rather than silently lost.
- Anchors and aliases (``&name`` / ``*name``) are allowed, since the shipped pack shares value lists
  with them, but their expansion is bounded: a document may not stand for more than
  :data:`MAX_VALUES` values once every alias is expanded, and an alias may not refer to a node
  that contains it. An alias "bomb" (aliases of aliases: 10⁸ values from a few lines) would
  otherwise load, then exhaust memory in whatever walks the data (lint, ``rules show``). The
  expanded size is counted on the node graph, once per node, so nothing is ever expanded.
- At most :data:`MAX_DEPTH` levels of nesting (counted through aliases) and no integer longer than
  :data:`MAX_INT_DIGITS` digits (Python refuses to convert very long ones).

Every refusal is an :class:`UnsafeYaml` naming the line and, inside a ``rules``/``derivations``/
``provisions`` list, the item (its ``id`` or ``path``).
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 64
MAX_VALUES = 500_000  # the largest shipped file holds about 10,000
MAX_INT_DIGITS = 30
_INT_TAG = "tag:yaml.org,2002:int"
_ITEM_LISTS = {"rules": "id", "derivations": "id", "provisions": "path"}


class DuplicateKeyError(yaml.YAMLError):
    pass


class UnsafeYaml(yaml.YAMLError):
    """YAML that a rule pack may not contain; ``item`` names the rule (or other item) when known."""

    def __init__(self, message: str, line: int, item: str | None = None) -> None:
        self.message = message
        self.line = line
        self.item = item
        super().__init__(f"{message} (line {line})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.line, self.item))


class _StrictLoader(_Base):  # type: ignore[misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise DuplicateKeyError(f"duplicate key {key!r} on line {line}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)


def load_yaml(text: str) -> Any:
    """Parse YAML into plain data (dicts, lists, strings, numbers, booleans, dates)."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check(root: yaml.Node) -> None:
    """Refuse alias cycles, over-large expansions, deep nesting and over-long integers.

    The composer gives an alias the very node object its anchor names, so the document is a graph
    whose shared nodes are the aliases. One depth-first walk (own stack, no recursion) computes each
    node's expanded size and height from its children's, once per node.
    """
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    parent: dict[int, yaml.Node] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            height[key] = 1 + max((height[id(c)] for c in children), default=0)
            if height[key] > MAX_DEPTH:
                raise _unsafe(f"nested more than {MAX_DEPTH} levels deep", node, parent)
            if size[key] > MAX_VALUES:
                message = f"stands for more than {MAX_VALUES:,} values once its aliases (*name) are expanded"
                raise _unsafe(message, node, parent)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _unsafe("an alias (*name) refers to a node that contains it", node, parent)
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG and len(node.value) > MAX_INT_DIGITS:
            raise _unsafe(f"an integer longer than {MAX_INT_DIGITS} digits", node, parent)
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            parent.setdefault(id(child), node)
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _unsafe(message: str, node: yaml.Node, parent: dict[int, yaml.Node]) -> UnsafeYaml:
    """The error at ``node``, naming the rule (or derivation, provision) it sits in, if any."""
    chain = [node]
    while id(chain[-1]) in parent and len(chain) < 4 * MAX_DEPTH:
        chain.append(parent[id(chain[-1])])
    item = None
    # chain[-1] is the document, chain[-2] a top-level key or value, chain[-3] a list entry.
    if len(chain) >= 3 and isinstance(chain[-1], yaml.MappingNode):
        for key, value in chain[-1].value:
            if value is chain[-2] and isinstance(key, yaml.ScalarNode) and key.value in _ITEM_LISTS:
                item = _label(chain[-3], _ITEM_LISTS[key.value])
    return UnsafeYaml(message, node.start_mark.line + 1, item)


def _label(entry: yaml.Node, field: str) -> str | None:
    if isinstance(entry, yaml.MappingNode):
        for key, value in entry.value:
            if isinstance(key, yaml.ScalarNode) and key.value == field and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None
