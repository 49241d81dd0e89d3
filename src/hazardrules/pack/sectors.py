"""Resolve what a caller names a sector — slug, Chinese name, alias, GB/T 4754-2017 code or industry
word — to a slug (:func:`resolve_sector`), or to a :class:`~.industries.Resolution` saying how."""

from __future__ import annotations

import functools

from ..errors import FindingError, FindingProblem
from .industries import Resolution, resolve_code, resolve_word
from .model import Pack


def resolve_sector(pack: Pack, value: str) -> str:
    return sector_resolution(pack, value).slug


def sector_resolution(pack: Pack, value: str) -> Resolution:
    """How ``value`` names a sector; :class:`FindingError` (unknown_sector, ambiguous_sector) saying
    why when it names none or several."""
    return _resolution(pack, value)


@functools.lru_cache(maxsize=4096)
def _resolution(pack: Pack, value: str) -> Resolution:
    text = value.strip()
    if text in pack.sectors:
        return Resolution(text, value, "slug")
    named = [slug for slug, spec in pack.sectors.items() if text == spec.name]
    if named:
        return Resolution(named[0], value, "name")
    aliased = [slug for slug, spec in pack.sectors.items() if text in spec.aliases]
    if len(aliased) == 1:
        return Resolution(aliased[0], value, "alias")
    if aliased:
        choices = ", ".join(f"{slug} ({pack.sectors[slug].name})" for slug in aliased)
        message = (
            f"sector {value!r} covers several sectors judged by different provisions: {choices}; give one, "
            "or a list of those the site runs"
        )
        raise FindingError([FindingProblem("ambiguous_sector", message, "sector")])
    found = resolve_code(pack, text, value) or resolve_word(pack, text, value)
    if found is not None:
        return found
    known = ", ".join(f"{slug} ({spec.name})" for slug, spec in pack.sectors.items())
    raise FindingError(
        [
            FindingProblem(
                "unknown_sector",
                f"unknown sector {value!r}; known sectors: {known}; a GB/T 4754-2017 industry code "
                "(e.g. 3392) or an industry name (e.g. 家具制造) is also accepted",
                "sector",
            )
        ]
    )
