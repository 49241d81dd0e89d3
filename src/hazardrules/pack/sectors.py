"""Resolve what a caller names a sector — slug, Chinese name or GB/T 4754-2017 code — to a slug."""

from __future__ import annotations

import re

from ..errors import FindingError, FindingProblem
from .model import Pack

_CODE = re.compile(r"^[A-Ta-t]?(\d{2,4})$")


def resolve_sector(pack: Pack, value: str) -> str:
    text = value.strip()
    if text in pack.sectors:
        return text
    named = [slug for slug, spec in pack.sectors.items() if text == spec.name]
    if named:
        return named[0]
    aliased = [slug for slug, spec in pack.sectors.items() if text in spec.aliases]
    if len(aliased) == 1:
        return aliased[0]
    if aliased:
        choices = ", ".join(f"{slug} ({pack.sectors[slug].name})" for slug in aliased)
        message = (
            f"sector {value!r} covers several sectors judged by different provisions: {choices}; give one, "
            "or a list of those the site runs"
        )
        raise FindingError([FindingProblem("ambiguous_sector", message, "sector")])
    match = _CODE.match(text)
    if match:
        return _by_industry_code(pack, match[1], value)
    known = ", ".join(f"{slug} ({spec.name})" for slug, spec in pack.sectors.items())
    raise FindingError(
        [FindingProblem("unknown_sector", f"unknown sector {value!r}; known sectors: {known}", "sector")]
    )


def _by_industry_code(pack: Pack, code: str, given: str) -> str:
    matches: list[str] = []
    excluded: list[str] = []
    for slug, spec in pack.sectors.items():
        if not any(code.startswith(prefix) for prefix in spec.industry_codes):
            continue
        blocking = [x for x in spec.excludes if code.startswith(x)]
        if blocking:
            excluded.append(f"{spec.name} excludes {blocking[0]}")
        else:
            matches.append(slug)
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(matches)
        message = f"industry code {given!r} belongs to several sectors ({names}); give the sector slug"
        raise FindingError([FindingProblem("ambiguous_sector", message, "sector")])
    reason = f" ({'; '.join(excluded)})" if excluded else ""
    message = (
        f"industry code {given!r} (GB/T 4754-2017) is not covered by any sector of this pack{reason}; "
        "give the sector slug if you know it"
    )
    raise FindingError([FindingProblem("unknown_sector", message, "sector")])
