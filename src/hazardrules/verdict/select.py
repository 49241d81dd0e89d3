"""Select and ignore rules by id or prefix, as ruff and Checkov do (``gm-2023:11`` → 11, 11.1, …)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from ..errors import ArgumentError, shorten
from ..pack.model import Pack


def matches(rule_id: str, pattern: str) -> bool:
    if rule_id == pattern:
        return True
    if pattern.endswith(":"):
        return rule_id.startswith(pattern)
    if ":" not in pattern:  # a standard slug
        return rule_id.startswith(pattern + ":")
    return rule_id.startswith(pattern + ".")


class Selector:
    def __init__(self, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> None:
        self.select = select
        self.ignore = ignore

    def __call__(self, rule_id: str) -> bool:
        if self.select is not None and not any(matches(rule_id, p) for p in self.select):
            return False
        return not any(matches(rule_id, p) for p in self.ignore)

    @property
    def everything(self) -> bool:
        return self.select is None and not self.ignore


def selector(pack: Pack, select: Iterable[str] | None, ignore: Iterable[str] | None) -> Selector:
    return _cached(pack, tuple(select) if select is not None else None, tuple(ignore or ()))


@functools.lru_cache(maxsize=256)
def _cached(pack: Pack, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> Selector:
    for option, patterns in (("select", select or ()), ("ignore", ignore)):
        for pattern in patterns:
            if not isinstance(pattern, str) or not any(matches(r, pattern) for r in pack.rule_index):
                raise ArgumentError(f"{option}: {shorten(repr(pattern))} matches no rule in pack {pack.name}")
    return Selector(select, ignore)
