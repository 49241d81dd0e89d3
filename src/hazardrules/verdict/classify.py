"""``classify``: from a finding to a verdict, under the law governing its sector on the day.

``not_major`` is earned: no applicable rule holds, none the finding touches is open, at least one
rule was examined and cleared, no governing standard or provision is missing from the pack and no
deferred matter is left open. Anything less is ``undetermined``, saying why.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from itertools import chain
from operator import attrgetter
from typing import Any, Literal, overload

from .. import _version as _version_module
from .. import models
from ..engine.registry import get_engine
from ..errors import ArgumentError, FindingError, FindingProblem, shorten
from ..pack.model import CompiledRule, CompiledStandard, Pack
from ..pack.resources import default_pack
from .arguments import arguments, reading_switch
from .codes import CODES
from .deferral import notice as deferral_notice
from .deferral import resolve
from .explanation import (
    builder,
    citation,
    construct,
    explain_because,
    explain_missing,
    explained,
    own_because,
)
from .finding import PreparedFinding, PreparedInstallation, prepare, today
from .industry import sector_notices
from .judge import Evaluated, Judge, Judgement
from .law import governing_law, governing_law_of, own_gaps
from .questions import questions
from .readings import add_lifted, add_readings, readings_used
from .reads import Reads, sector_reads
from .select import Selector, selector

Detail = Literal["full", "summary"]
_NO_READINGS_OFF: frozenset[str] = frozenset()
_NONE: frozenset[str] = frozenset()


@overload
def classify(
    finding: models.Finding | Mapping[str, Any],
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    engine: str = "native",
    readings: Iterable[str] | str | None = None,
    detail: Literal["full"] = "full",
) -> models.Verdict: ...


@overload
def classify(
    finding: models.Finding | Mapping[str, Any],
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    engine: str = "native",
    readings: Iterable[str] | str | None = None,
    detail: Literal["summary"],
) -> models.Summary: ...


def classify(
    finding: models.Finding | Mapping[str, Any],
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    engine: str = "native",
    readings: Iterable[str] | str | None = None,
    detail: Detail = "full",
) -> models.Verdict | models.Summary:
    """Classify one finding.

    ``on`` picks the law in force that day (a date, a datetime's date or ``"YYYY-MM-DD"``; default:
    the finding's ``observed_on``, else today). With ``complete=True`` every applicable rule counts
    as touched, so the verdict lists every question still open (a whole-site inspection).
    ``select``/``ignore`` take rule ids or prefixes (a bare string is one prefix). ``pack`` is a
    :class:`~hazardrules.Pack` or a rule-pack directory. ``engine`` is ``"native"`` (default) or
    ``"durable"`` (``pip install hazardrules[durable]``). ``readings`` chooses the documented readings
    (interpretations that are not the law: third-party checklists, enforcement practice) that may set
    facts: ``None``/``"all"`` (default) every one, ``"none"`` or ``[]`` none, or a list of reading ids;
    a verdict that used one lists it in ``readings`` with the warning ``reading_applied``. Raises
    :class:`~hazardrules.FindingError`
    for a finding that cannot be classified, including one with no facts at all (unless
    ``complete=True``), and :class:`~hazardrules.ArgumentError` for a wrong argument.
    ``detail="summary"`` returns a :class:`~hazardrules.Summary` instead: the same decision without
    citations, traces or explanations, several times faster to build and a fraction of the size.
    """
    if detail != "full" and detail != "summary":
        raise ArgumentError(f"detail must be 'full' or 'summary', not {shorten(repr(detail))}")
    if (
        on is None
        and select is None
        and ignore is None
        and pack is None
        and (complete is False or complete is True)
    ):
        pack = default_pack()  # the common call: nothing to check
        chosen: Selector | None = None
    else:
        on, complete, select, ignore, pack = arguments(on, complete, select, ignore, pack)
        chosen = selector(pack, select, ignore)
        chosen = None if chosen.everything else chosen
    off = _NO_READINGS_OFF if readings is None else reading_switch(pack, readings)
    runner = get_engine(engine)
    prepared = prepare(pack, finding)
    if not complete and not prepared.given:
        message = "the finding gives no facts: give what was observed, or use complete=True for a checklist"
        raise FindingError([FindingProblem("no_facts", message, "facts")], prepared.finding.id)
    day = on or prepared.finding.observed_on or today()
    sectors = prepared.all_sectors
    if len(sectors) == 1:
        law = governing_law(pack, sectors[0], day, prepared.finding.id)
    else:
        law = governing_law_of(pack, sectors, day, prepared.finding.id)
    judge = Judge(pack, runner, prepared, chosen, off)
    by_standard = law.sectors  # the sectors each standard is applied for, when not all of them
    if by_standard:
        judgements = [judge.apply(s, by_standard.get(s.slug, sectors)) for s in law.standards]
    else:  # one sector: each standard on its rules for it
        judgements = [judge.apply(standard, sectors) for standard in law.standards]
    deferred, routed = resolve(pack, prepared, judgements, day, judge.apply, complete)
    applied: list[tuple[Judgement, models.CitedProvision | None]] = [(j, None) for j in judgements]
    if routed:
        applied.extend(routed)
        judgements = [j for j, _ in applied]
    if detail == "summary":
        return _summary(pack, prepared, day, applied, deferred, law.gaps, complete, engine)
    references = (
        [_reference(pack, judge.apply(s, by_standard.get(s.slug, sectors)), complete) for s in law.references]
        if law.references
        else []
    )
    verdict = _verdict(
        pack, prepared, day, applied, judgements, deferred, law.gaps, references, complete, engine, off
    )
    given_sector = prepared.finding.sector
    if not isinstance(given_sector, str) or given_sector not in pack.sectors:  # (a slug: nothing to say)
        sector_warnings, sector_notes = sector_notices(pack, given_sector)
        verdict.warnings.extend(sector_warnings)
        verdict.notes[:0] = sector_notes
    for judgement in judgements:
        if judgement.enterprise.origin or judgement.per_kind:  # (else no reading set a fact)
            add_readings(pack, verdict, judgements, complete)
            break
    if prepared.lifted:
        add_lifted(verdict, prepared)
    return verdict


def _verdict(
    pack: Pack,
    prepared: PreparedFinding,
    day: dt.date,
    judgements: list[tuple[Judgement, models.CitedProvision | None]],
    applied: list[Judgement],  # the judgements, without their routes
    deferred: list[models.Deferred],
    gaps: list[models.Gap],
    references: list[models.Reference],
    complete: bool,
    engine: str,
    off: frozenset[str],
) -> models.Verdict:
    hits: list[models.Hit] = []
    undecided: list[models.Undecided] = []
    cleared: list[models.Cleared] = []
    out_of_scope: list[str] = []  # cleared only because the rule does not apply (applies.when false)
    for judgement, via in judgements:
        items = judgement.items(complete)
        # A rule is cleared only when every part of it examined is false: a rule with one open part
        # (another kind of installation, another installation) is open, not partly cleared.
        holding: AbstractSet[str] = _NONE
        open_rules: AbstractSet[str] = _NONE
        if len(items) > 1:  # (with one item, no other part of its rule is there)
            holding = {e.unit.id for e in items if e.value is True}
            open_rules = {e.unit.id for e in items if e.value is None}
        for item in items:
            rule_id = item.unit.id
            value = item.value
            if value is True:
                hits.append(_hit(pack, item, via))
            elif rule_id in holding:
                continue
            elif value is None:
                undecided.append(_undecided(pack, item, via))
            elif rule_id not in open_rules:
                cleared.append(_cleared(pack, item, via))
                applies = item.unit.applies
                if applies is not None and applies.evaluate(item.result.env) is False:
                    out_of_scope.append(rule_id)
    missing = dict.fromkeys(chain.from_iterable(map(_MISSING, undecided))) if undecided else {}
    open_deferrals = [d for d in deferred if d.route in ("undetermined", "unavailable")] if deferred else []
    for deferral in open_deferrals:
        missing.update(dict.fromkeys(deferral.missing))
    warnings: list[models.Notice] = []
    notes = [deferral_notice(pack, d, day) for d in deferred] if deferred else []
    if judgements:
        warnings.extend(_unread(pack, prepared, applied))
    # A value given for a fact the rules read, but itself read by none, leaves the observation unjudged.
    unjudged = bool(warnings) and any(w.code == "value_not_read" for w in warnings)
    status: models.Status
    if hits:
        status = "major"
    elif undecided or open_deferrals or gaps or unjudged:
        status = "undetermined"
    elif not cleared:
        status = "undetermined"
        if judgements:
            warnings.append(
                _notice(
                    "nothing_examined",
                    "给出的事实没有判定任何一条适用条款（既未成立，也未排除），因此不能给出“不构成重大事故隐患”的结论。",
                )
            )
    else:
        status = "not_major"
        examined = {item.unit.id for j, _ in judgements for item in j.items(complete)}
        catch_alls = [
            rule_id for j, _ in judgements for rule_id in _catch_alls(j.units) if rule_id not in examined
        ]
        if len(out_of_scope) == len(cleared):
            ids = list(dict.fromkeys(out_of_scope))
            notes.append(
                _notice(
                    "outside_scope",
                    f"所判定的条款（{'、'.join(ids)}）都因适用条件不满足而不成立：检查对象不在这些条款的适用范围内。"
                    "“不构成”只表示这些判定标准不把它判定为重大事故隐患，其他违法违规行为仍应依法处理。",
                    rules=ids,
                )
            )
        if catch_alls:
            ids = list(dict.fromkeys(catch_alls))
            notes.append(
                _notice(
                    "catch_all_not_assessed",
                    f"兜底条款（{'、'.join(ids)}）需要由监管部门认定，本次未作评估；“不构成”不包括该项。",
                    rules=ids,
                )
            )
    if day > today():
        message = f"判定日期 {day.isoformat()} 晚于今天：所用的是目前已知将于该日施行的标准，届时可能已修订。"
        warnings.append(_notice("date_in_future", message))
    unverified = [h.rule for h in hits if h.text_status != "verified"] if hits else []
    if unverified:
        warnings.append(
            _notice(
                "text_unverified",
                f"命中条款{'、'.join(unverified)}的条文尚未与官方文本核对，引用前请核对原文。",
                rules=unverified,
            )
        )
    missing_facts = list(missing)
    return _VERDICT(
        {
            "finding_id": prepared.finding.id,
            "status": status,
            "sector": prepared.sector,
            "sectors": list(prepared.all_sectors),
            "on": day,
            "standards": [_standard(j.standard) for j in applied],
            "hits": hits,
            "undetermined": undecided,
            "missing_facts": missing_facts,
            "questions": questions(
                pack, missing_facts, undecided, deferred, [j.standard for j in applied], off
            )
            if missing_facts
            else [],
            "cleared": cleared,
            "gaps": own_gaps(gaps) if gaps else [],
            "reference": references,
            "deferred": deferred,
            "complete": complete,
            "warnings": warnings,
            "notes": notes,
            "readings": [],
            "pack": _pack_info(pack),
            "engine": engine,
            "hazardrules_version": _version_module.__version__,
        }
    )


def _summary(
    pack: Pack,
    prepared: PreparedFinding,
    day: dt.date,
    judgements: list[tuple[Judgement, models.CitedProvision | None]],
    deferred: list[models.Deferred],
    gaps: list[models.Gap],
    complete: bool,
    engine: str,
) -> models.Summary:
    """What :func:`_verdict` decides, without building citations, traces or explanations."""
    hits: dict[str, None] = {}
    undecided: dict[str, None] = {}
    missing: dict[str, None] = {}
    unverified = cleared = False
    in_scope_cleared = False  # a rule cleared although it applies (not only by its applies.when)
    examined: set[str] = set()
    for judgement, _ in judgements:
        items = judgement.items(complete)
        holding = {e.unit.id for e in items if e.value is True}
        open_rules = {e.unit.id for e in items if e.value is None}
        for item in items:
            rule_id = item.unit.id
            examined.add(rule_id)
            if item.value is True:
                hits[rule_id] = None
                unverified = unverified or item.unit.spec.text_status != "verified"
            elif rule_id in holding:
                continue
            elif item.value is None:
                undecided[rule_id] = None
                missing.update(dict.fromkeys(explain_missing(item.unit, item.result)))
            elif rule_id not in open_rules:
                cleared = True
                applies = item.unit.applies
                if applies is None or applies.evaluate(item.result.env) is not False:
                    in_scope_cleared = True
    open_deferrals = [d for d in deferred if d.route in ("undetermined", "unavailable")]
    for deferral in open_deferrals:
        missing.update(dict.fromkeys(deferral.missing))
    warnings: dict[str, None] = {}
    notes = {deferral_notice(pack, d, day).code: None for d in deferred}
    if judgements:
        warnings.update((w.code, None) for w in _unread(pack, prepared, [j for j, _ in judgements]))
    status: models.Status
    if hits:
        status = "major"
    elif undecided or open_deferrals or gaps or "value_not_read" in warnings:
        status = "undetermined"
    elif not cleared:
        status = "undetermined"
        if judgements:
            warnings["nothing_examined"] = None
    else:
        status = "not_major"
        if not in_scope_cleared:
            notes["outside_scope"] = None
        if any(rule_id not in examined for j, _ in judgements for rule_id in _catch_alls(j.units)):
            notes["catch_all_not_assessed"] = None
    if day > today():
        warnings["date_in_future"] = None
    if unverified:
        warnings["text_unverified"] = None
    sector_warnings, sector_notes = sector_notices(pack, prepared.finding.sector)  # as the verdict has them
    warnings.update((w.code, None) for w in sector_warnings)
    notes = {**{n.code: None for n in sector_notes}, **notes}
    if readings_used([j for j, _ in judgements], complete):
        warnings["reading_applied"] = None
    return construct(
        models.Summary,
        finding_id=prepared.finding.id,
        status=status,
        sector=prepared.sector,
        sectors=list(prepared.all_sectors),
        on=day,
        standards=[j.standard.slug for j, _ in judgements],
        hits=list(hits),
        undetermined=list(undecided),
        missing_facts=list(missing),
        warnings=list(warnings),
        notes=list(notes),
        gaps=list(dict.fromkeys(g.code for g in gaps)),
        complete=complete,
        pack=_pack_info(pack),
        engine=engine,
        hazardrules_version=_version_module.__version__,
    )


def summarise(verdict: models.Verdict) -> models.Summary:
    """The summary of a full verdict (what ``classify(…, detail="summary")`` returns directly)."""
    return construct(
        models.Summary,
        finding_id=verdict.finding_id,
        status=verdict.status,
        sector=verdict.sector,
        sectors=list(verdict.sectors),
        on=verdict.on,
        standards=[s.slug for s in verdict.standards],
        hits=list(dict.fromkeys(h.rule for h in verdict.hits)),
        undetermined=list(dict.fromkeys(u.rule for u in verdict.undetermined)),
        missing_facts=list(verdict.missing_facts),
        warnings=list(dict.fromkeys(w.code for w in verdict.warnings)),
        notes=list(dict.fromkeys(n.code for n in verdict.notes)),
        gaps=list(dict.fromkeys(g.code for g in verdict.gaps)),
        complete=verdict.complete,
        pack=verdict.pack,
        engine=verdict.engine,
        hazardrules_version=verdict.hazardrules_version,
    )


def _notice(
    code: str, message: str, facts: list[str] | None = None, rules: list[str] | None = None
) -> models.Notice:
    assert code in CODES, code
    return construct(models.Notice, code=code, message=message, facts=facts or [], rules=rules or [])


def _unread(pack: Pack, prepared: PreparedFinding, judgements: list[Judgement]) -> list[models.Notice]:
    """Warnings for facts, and values of set facts, that no applied rule reads."""
    if len(judgements) == 1:
        reads = _reads(pack, judgements[0])
    else:
        reads = _merged(tuple([_reads(pack, judgement) for judgement in judgements]))
    given = prepared.all_facts()
    if given.keys() <= reads.facts and given.keys().isdisjoint(_set_facts(pack)):
        return []  # every fact given is read, none is a set of values (the common case)
    out: list[models.Notice] = []
    facts = pack.facts
    unread = [f for f in given if f not in reads.facts and not facts[f].matter]
    if unread:
        where = "；".join(f"{f}（{pack.facts[f].label}）{_readers(pack, f, None)}" for f in unread)
        out.append(
            _notice(
                "fact_not_read",
                f"以下事实不被行业“{_names(pack, prepared)}”当日适用的任何条款读取，对判定没有作用：{where}",
                facts=unread,
            )
        )
    for fact, value in given.items():
        if not isinstance(value, frozenset) or fact in unread:
            continue
        read = reads.values.get(fact, frozenset())
        if read is None:
            continue
        labels = pack.facts[fact].values or {}
        for item in sorted(value - read):
            out.append(
                _notice(
                    "value_not_read",
                    f"「{pack.facts[fact].label}」中的选项「{labels.get(item, item)}」（{item}）不被行业"
                    f"“{_names(pack, prepared)}”当日适用的任何条款读取，对判定没有作用"
                    f"{_readers(pack, fact, item)}",
                    facts=[fact],
                )
            )
    return out


_UNITS: dict[tuple[int, str], tuple[tuple[CompiledRule, ...], CompiledStandard, Reads]] = {}


def _reads(pack: Pack, judgement: Judgement) -> Reads:
    """:func:`sector_reads`, kept per tuple of units applied."""
    units = judgement.units
    key = (id(units), judgement.sector)
    found = _UNITS.get(key)
    if found is None or found[0] is not units or found[1] is not judgement.standard:
        if len(_UNITS) > 4096:
            _UNITS.clear()
        found = _UNITS[key] = (units, judgement.standard, sector_reads(pack, judgement))
    return found[2]


_CATCH_ALLS: dict[int, tuple[tuple[CompiledRule, ...], tuple[str, ...]]] = {}


def _catch_alls(units: tuple[CompiledRule, ...]) -> tuple[str, ...]:
    """The ids of the catch-all provisions among ``units``, in order (kept per tuple)."""
    found = _CATCH_ALLS.get(id(units))
    if found is None or found[0] is not units:
        if len(_CATCH_ALLS) > 4096:
            _CATCH_ALLS.clear()
        found = _CATCH_ALLS[id(units)] = (units, tuple(u.id for u in units if u.spec.catch_all))
    return found[1]


@functools.lru_cache(maxsize=16)
def _set_facts(pack: Pack) -> frozenset[str]:
    """The facts of the pack whose value is a set of values."""
    return frozenset(name for name, spec in pack.facts.items() if spec.type == "set")


_MERGED: dict[tuple[int, ...], tuple[tuple[Reads, ...], Reads]] = {}


def _merged(reads: tuple[Reads, ...]) -> Reads:
    """What any of several judgements reads: their facts, and for a set fact the values any reads
    (None when one reads every value). Kept per tuple of (cached) reads."""
    if len(reads) == 1:
        return reads[0]
    key = tuple(map(id, reads))
    found = _MERGED.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], reads, strict=True)):
        return found[1]
    values: dict[str, frozenset[str] | None] = {}
    for fact in {f for r in reads for f in r.values}:
        found_values = [r.values.get(fact, frozenset()) for r in reads]
        values[fact] = None if any(v is None for v in found_values) else frozenset().union(*found_values)  # type: ignore[arg-type]
    merged = Reads(frozenset().union(*(r.facts for r in reads)), values)
    if len(_MERGED) > 1024:
        _MERGED.clear()
    _MERGED[key] = (reads, merged)
    return merged


def _names(pack: Pack, prepared: PreparedFinding) -> str:
    return "、".join(pack.sectors[s].name for s in prepared.all_sectors)


@functools.lru_cache(maxsize=4096)
def _readers(pack: Pack, fact: str, value: str | None) -> str:
    """Which rules elsewhere in the pack read the fact (or the value), for a warning."""
    found = []
    for rule in pack.compiled_rules():
        read = dict(rule.values_read)
        if (value is None and fact in rule.touch) or (
            value is not None
            and fact in read
            and (
                read[fact] is None or value in read[fact]  # type: ignore[operator]
            )
        ):
            sectors = "、".join(pack.sectors[s].name for s in sorted(rule.sectors))
            found.append(f"{rule.id}（{sectors}）")
    if not found:
        return ""
    shown = "、".join(found[:5]) + ("等" if len(found) > 5 else "")
    return f"；读取它的条款：{shown}"


_REFS: dict[tuple[int, str | None, str], tuple[Pack, models.InstallationRef]] = {}


def _installation(pack: Pack, installation: PreparedInstallation | None) -> models.InstallationRef | None:
    """The (frozen, shared) reference to an installation."""
    if installation is None:
        return None
    key = (id(pack), installation.id, installation.kind)
    found = _REFS.get(key)
    if found is None or found[0] is not pack:
        kind = pack.installation_kinds[installation.kind]
        ref = construct(
            models.InstallationRef, id=installation.id, kind=installation.kind, kind_name=kind.name
        )
        if len(_REFS) > 10_000:
            _REFS.clear()
        found = _REFS[key] = (pack, ref)
    return found[1]


def _hit(pack: Pack, item: Evaluated, via: models.CitedProvision | None) -> models.Hit:
    rule, result = item.unit, item.result
    entry = explained(rule, result)
    also = (
        [
            construct(
                models.CitedProvision,
                id=c.provision_id,
                citation=citation(result.standard, c.provision.path, c.provision.label),
                text=c.provision.text,
                text_status=c.provision.text_status,
            )
            for c in rule.also_cites
            if c.when.evaluate(result.env) is True
        ]
        if rule.also_cites
        else []
    )
    cited, text, text_status = _cited(rule, result.standard)
    return _HIT(
        {
            "rule": rule.id,
            "citation": cited,
            "text": text,
            "text_status": text_status,
            "because": own_because(entry),
            "installation": None if item.installation is None else _installation(pack, item.installation),
            "also_cites": also,
            "via": via,
            "trace": entry[1],
        },
    )


def _undecided(pack: Pack, item: Evaluated, via: models.CitedProvision | None) -> models.Undecided:
    rule, result = item.unit, item.result
    entry = explained(rule, result)
    found = _CITED.get(id(rule))  # _cited, inline
    if found is None or found[0] is not rule or found[1] is not result.standard:
        cited, text, text_status = _cited(rule, result.standard)
    else:
        cited, text, text_status = found[2]
    return _UNDECIDED(
        {
            "rule": rule.id,
            "citation": cited,
            "text": text,
            "text_status": text_status,
            "missing": entry[3].copy(),
            "installation": None if item.installation is None else _installation(pack, item.installation),
            "via": via,
            "trace": entry[1],
        },
    )


def _cleared(pack: Pack, item: Evaluated, via: models.CitedProvision | None) -> models.Cleared:
    rule = item.unit
    return _CLEARED(
        {
            "rule": rule.id,
            "label": rule.spec.label,
            "standard": rule.standard,
            "because": explain_because(rule, item.result),
            "installation": None if item.installation is None else _installation(pack, item.installation),
            "via": via,
        }
    )


_MISSING = attrgetter("missing")
_HIT = builder(models.Hit)
_CLEARED = builder(models.Cleared)
_VERDICT = builder(models.Verdict)
_UNDECIDED = builder(models.Undecided)
_CITED: dict[int, tuple[CompiledRule, CompiledStandard, tuple[models.Citation, str, str]]] = {}


def _cited(rule: CompiledRule, standard: CompiledStandard) -> tuple[models.Citation, str, str]:
    """A rule's (frozen, shared) citation, its text and the text's status, kept per rule."""
    found = _CITED.get(id(rule))
    if found is None or found[0] is not rule or found[1] is not standard:
        if len(_CITED) > 50_000:
            _CITED.clear()
        spec = rule.spec
        found = _CITED[id(rule)] = (
            rule,
            standard,
            (citation(standard, rule.path, spec.label), spec.text, spec.text_status),
        )
    return found[2]


def _reference(pack: Pack, judgement: Judgement, complete: bool) -> models.Reference:
    """The finding judged under a superseded standard: a note, never hits of the verdict."""
    items = judgement.items(complete)
    hits = [
        models.ReferenceHit(
            rule=e.unit.id,
            citation=citation(judgement.standard, e.unit.path, e.unit.spec.label),
            text=e.unit.spec.text,
            because=explain_because(e.unit, e.result),
            installation=_installation(pack, e.installation),
        )
        for e in items
        if e.value is True
    ]
    holding = {h.rule for h in hits}
    open_ = list(dict.fromkeys(e.unit.id for e in items if e.value is None and e.unit.id not in holding))
    cleared = any(e.value is False for e in items)
    status: models.Status = "major" if hits else ("undetermined" if open_ or not cleared else "not_major")
    meta = judgement.standard.meta
    words = {"major": "构成重大事故隐患", "not_major": "不构成重大事故隐患", "undetermined": "无法判定"}
    last = (meta.ends - dt.timedelta(days=1)).isoformat() if meta.ends else "—"
    message = (
        f"仅供参考：按已不再施行的《{meta.title}》（{meta.document_number}，"
        f"施行至{last}），该发现{words[status]}"
        f"{'（' + '、'.join(h.citation.label for h in hits) + '）' if hits else ''}。"
        "这不是本次判定的依据，不得作为现行标准引用。"
    )
    return models.Reference(
        message=message,
        standard=_standard(judgement.standard),
        status=status,
        hits=hits,
        undetermined=open_,
    )


_SHARED: dict[int, tuple[Any, Any]] = {}


def _pack_info(pack: Pack) -> models.PackInfo:
    found = _SHARED.get(id(pack))
    if found is None or found[0] is not pack:
        info = construct(models.PackInfo, name=pack.name, version=pack.version, digest=pack.digest)
        found = _SHARED[id(pack)] = (pack, info)
    return found[1]


def _standard(standard: CompiledStandard) -> models.StandardInForce:
    found = _SHARED.get(id(standard))
    if found is None or found[0] is not standard:
        found = _SHARED[id(standard)] = (standard, _standard_model(standard))
    return found[1]


def _standard_model(standard: CompiledStandard) -> models.StandardInForce:
    meta = standard.meta
    return construct(
        models.StandardInForce,
        slug=meta.slug,
        title=meta.title,
        document_number=meta.document_number,
        effective=meta.effective,
        ends=meta.ends,
    )
