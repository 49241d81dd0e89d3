"""What a verdict says about how its sector was found, when the caller gave an industry code or an
industry word rather than the sector: the basis (a note), and a warning when the mapping is one of
the pack's documented readings rather than the official classification."""

from __future__ import annotations

import functools

from .. import models
from ..errors import FindingError
from ..pack.model import Pack
from ..pack.sectors import sector_resolution
from .codes import CODES


def sector_notices(pack: Pack, given: str | list[str]) -> tuple[list[models.Notice], list[models.Notice]]:
    """(warnings, notes) about the finding's sector value(s); fresh lists every call."""
    if isinstance(given, str) and given in pack.sectors:
        return [], []  # a sector's slug: nothing to say
    values = (given,) if isinstance(given, str) else tuple(given)
    warnings: list[models.Notice] = []
    notes: list[models.Notice] = []
    for value in values:
        found = _notices(pack, value)
        warnings.extend(n.model_copy() for n in found[0])
        notes.extend(n.model_copy() for n in found[1])
    return warnings, notes


@functools.lru_cache(maxsize=1024)
def _notices(pack: Pack, value: str) -> tuple[tuple[models.Notice, ...], tuple[models.Notice, ...]]:
    try:
        found = sector_resolution(pack, value)
    except FindingError:  # pragma: no cover - the finding was prepared with this value already
        return (), ()
    if found.how not in ("code", "word"):
        return (), ()
    sector = pack.sectors[found.slug]
    what = "行业代码" if found.how == "code" else "行业用语"
    basis = "；".join(b.strip() for b in found.basis) or "（无）"
    extra = "".join(f"说明：{n.strip()}" for n in found.notes)
    notes = (
        _notice(
            "sector_from_industry",
            f"行业由{what}「{found.given}」（GB/T 4754-2017 {found.label}）"
            f"确定为{sector.name}（{found.slug}）。"
            f"依据：{basis}{'。' if not basis.endswith('。') else ''}{extra}",
        ),
    )
    warnings: tuple[models.Notice, ...] = ()
    if found.unverified:
        warnings = (
            _notice(
                "sector_unverified_mapping",
                f"行业「{found.given}」（{found.label}）对应为{sector.name}，所依据的是本规则包的解读，"
                "不是官方分类文件的原文（应急管理部办公厅的行业分类标准中该部分原文未见到）。"
                "企业实际所属行业不同的，适用的条款可能不同：请核对后直接给出行业。",
            ),
        )
    return warnings, notes


def _notice(code: str, message: str) -> models.Notice:
    assert code in CODES, code
    return models.Notice(code=code, message=message)
