"""Which law governs a sector on a day: the encoded standards to apply, the gaps (law that governs
but is not applied) and the superseded standards to show for reference — from the pack's register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import models
from ..errors import FindingError, FindingProblem
from ..pack.format import RegisterDocument
from ..pack.model import CompiledStandard, Pack
from .explanation import construct


@dataclass(slots=True)
class Law:
    standards: list[CompiledStandard] = field(default_factory=list)  # encoded, in force: applied
    gaps: list[models.Gap] = field(default_factory=list)
    references: list[CompiledStandard] = field(default_factory=list)  # superseded, encoded
    # For a finding in several sectors: each standard (applied or reference) → the sectors it governs.
    sectors: dict[str, tuple[str, ...]] = field(default_factory=dict)


def governing_law_of(
    pack: Pack, sectors: tuple[str, ...], day: dt.date, finding_id: str | None = None
) -> Law:
    """The law for a site run as several sectors: each sector's law, merged (each standard once,
    judged on the rules of every sector it governs; each gap once)."""
    merged = Law()
    for sector in sectors:
        law = governing_law(pack, sector, day, finding_id)
        for standard in law.standards:
            if standard.slug not in merged.sectors:
                merged.standards.append(standard)
            merged.sectors[standard.slug] = (*merged.sectors.get(standard.slug, ()), sector)
        for standard in law.references:
            if standard not in merged.references and standard.slug not in merged.sectors:
                merged.references.append(standard)
            if standard in merged.references:
                merged.sectors[standard.slug] = (*merged.sectors.get(standard.slug, ()), sector)
        for gap in law.gaps:
            if gap not in merged.gaps:
                merged.gaps.append(gap)
    return merged


def in_force(document: RegisterDocument, day: dt.date) -> bool:
    start = document.effective or document.published
    if start is not None and day < start:
        return False
    return document.ends is None or day < document.ends


def document_ref(pack: Pack, document: RegisterDocument) -> models.DocumentRef:
    return models.DocumentRef(
        id=document.id,
        title=document.title,
        document_number=document.document_number,
        effective=document.effective or document.published,
        ends=document.ends,
        encoding=pack.encoding(document.id),  # type: ignore[arg-type]
        official_publication=document.official_publication,
    )


def _name(document: RegisterDocument) -> str:
    number = f"（{document.document_number}）" if document.document_number else ""
    return f"《{document.title}》{number}"


_CACHE: dict[tuple[int, str, dt.date], tuple[Pack, Law | None]] = {}


def governing_law(pack: Pack, sector: str, day: dt.date, finding_id: str | None = None) -> Law:
    """The law for ``sector`` on ``day``; :class:`FindingError` (no_standard) when none is known.

    Kept per (pack, sector, day): a register of thousands of findings asks the same few questions.
    The law returned is shared: do not change it (a verdict copies its gaps, see :func:`own_gaps`).
    """
    key = (id(pack), sector, day)
    found = _CACHE.get(key)
    if found is None or found[0] is not pack:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        try:
            law: Law | None = _governing_law(pack, sector, day)
        except FindingError:
            law = None
        found = _CACHE[key] = (pack, law)
    if found[1] is None:
        _no_standard(pack, sector, day, finding_id)
    law = found[1]
    assert law is not None
    return law


def own_gaps(gaps: list[models.Gap]) -> list[models.Gap]:
    """Copies of (shared) gaps for one verdict: nothing in them is shared with another verdict."""
    return [
        construct(
            models.Gap,
            code=gap.code,
            message=gap.message,
            document=construct(models.DocumentRef, **gap.document.__dict__),
            provisions=list(gap.provisions),
        )
        for gap in gaps
    ]


def _governing_law(pack: Pack, sector: str, day: dt.date) -> Law:
    documents = pack.documents_for(sector)
    if not pack.register:  # a pack without a register: its standards are all the law it knows
        standards = [s for s in pack.standards_for(sector) if s.in_force(day)]
        if not standards:
            _no_standard(pack, sector, day, None)
        return Law(standards=standards)
    law = Law()
    current = [d for d in documents if in_force(d, day)]
    for document in current:
        standard = pack.standards.get(document.id)
        if standard is not None and standard.in_force(day) and document.status_confirmed:
            law.standards.append(standard)
            unencoded = [
                p
                for p in standard.unencoded
                if sector in (p.sectors if p.sectors is not None else standard.meta.sectors)
            ]
            if unencoded:
                by_reason: dict[str, list[str]] = {}
                for p in unencoded:
                    by_reason.setdefault(p.reason, []).append(p.label)
                listed = "；".join(f"{'、'.join(labels)}——{reason}" for reason, labels in by_reason.items())
                law.gaps.append(
                    models.Gap(
                        code="provisions_missing",
                        message=f"{_name(document)}中适用于该行业的以下条款未收录于规则包：{listed}。"
                        "因此不能判定为不构成重大事故隐患；请对照官方文本就这些条款另行判定。",
                        document=document_ref(pack, document),
                        provisions=[f"{standard.slug}:{p.path}" for p in unencoded],
                    )
                )
            continue
        if not document.status_confirmed:
            code = "standard_status_unknown"
            message = (
                f"{_name(document)}可能适用于该行业，但其现行状态未经确认"
                f"{'，且未收录于规则包' if standard is None else ''}：请按该文件的现行规定另行判定。"
            )
        else:
            code = "standard_not_encoded"
            reason = document.not_encoded_reason or "尚未编码"
            message = f"该行业当日适用{_name(document)}，本规则包尚未收录——{reason}。请按该标准另行判定。"
        law.gaps.append(
            models.Gap(code=code, message=message, document=document_ref(pack, document))  # type: ignore[arg-type]
        )
        for predecessor in document.predecessors:
            _add_reference(pack, law, predecessor, day)
    if current:
        return law
    ended = sorted((d for d in documents if d.ends is not None and d.ends <= day), key=lambda d: d.ends)  # type: ignore[arg-type, return-value]
    if not ended:
        _no_standard(pack, sector, day, None)
    last = ended[-1]
    basis = f"（{last.ends_basis}）" if last.ends_basis else ""
    law.gaps.append(
        models.Gap(
            code="no_standard_in_force",
            message=f"{_name(last)}自{last.ends.isoformat()}起不再作为现行标准{basis}，"  # type: ignore[union-attr]
            f"该行业当日没有经确认施行、且收录于规则包的判定标准：请按现行规定另行判定。",
            document=document_ref(pack, last),
        )
    )
    _add_reference(pack, law, last.id, day)
    return law


def _add_reference(pack: Pack, law: Law, document: str, day: dt.date) -> None:
    standard = pack.standards.get(document)
    if standard is None or standard.in_force(day) or standard in law.references:
        return
    law.references.append(standard)


def _no_standard(pack: Pack, sector: str, day: dt.date, finding_id: str | None) -> None:
    known = [
        f"{d.title} {(d.effective or d.published or '?')}–{d.ends or ''}" for d in pack.documents_for(sector)
    ] or [
        f"{s.slug} {s.meta.effective or s.meta.published or '?'}–{s.meta.ends or ''}"
        for s in pack.standards_for(sector)
    ]
    message = f"no standard known to this pack governs sector {sector!r} on {day.isoformat()}" + (
        f" (known: {'; '.join(known)})" if known else ""
    )
    raise FindingError([FindingProblem("no_standard", message, "observed_on")], finding_id)
