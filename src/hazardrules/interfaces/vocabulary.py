"""The fact vocabulary as a caller sees it: :func:`hazardrules.facts` and ``hazardrules facts`` — every
fact (optionally those a sector's or a standard's rules read) with its question, type, unit, bounds,
allowed values (codes and labels), the rules that read it and the derivations that can set it; and
the installation kinds (``--kinds``)."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from ..errors import ArgumentError
from ..models import Question
from ..pack.model import CompiledRule, Pack
from ..pack.resources import default_pack
from ..pack.sectors import resolve_sector
from ..verdict.questions import base_question
from .describe import TYPE


class FactInfo(Question):
    """One fact of the vocabulary: its question (codes and labels of its values) and who reads it."""

    rules: list[str] = Field(
        default_factory=list, description="The rules that read it (conditions, applicability)"
    )
    derivations: list[str] = Field(
        default_factory=list,
        description="Derivations that can set it (definitions, interpretations, documented readings)",
    )
    alternatives: list[Question] = Field(default_factory=list, exclude=True)  # checklists only
    decides: list[str] = Field(default_factory=list, exclude=True)  # verdicts only
    matter: str | None = Field(default=None, description="A matter deferred to other rules (工贸 第二条)")
    short: str | None = Field(default=None, description="Its name for `hazardrules checklist --with`")
    notes: str | None = None


class InstallationKindInfo(BaseModel):
    """A kind of installation a finding may list (``installations[].kind``)."""

    kind: str
    name: str
    examples: str | None = None
    implies: dict[str, object] = Field(
        default_factory=dict, description="Facts of the enterprise that describing one answers"
    )
    facts: list[str] = Field(description="The facts each such installation answers for itself")


def facts(
    sector: str | None = None, *, standard: str | None = None, pack: Pack | None = None
) -> list[FactInfo]:
    """The fact vocabulary, in the pack's order; with ``sector`` (slug, Chinese name, industry code or
    word) and/or ``standard`` (slug), only the facts their rules read (through derivations too).

    Raises :class:`~hazardrules.FindingError` for an unknown sector and
    :class:`~hazardrules.ArgumentError` for an unknown standard.
    """
    pack = pack or default_pack()
    if standard is not None and standard not in pack.standards:
        raise ArgumentError(f"unknown standard {standard!r} (known: {', '.join(pack.standards)})")
    rules = list(_rules(pack, resolve_sector(pack, sector) if sector else None, standard))
    wanted: set[str] | None = None
    if sector is not None or standard is not None:
        wanted = set()
        for rule in rules:
            wanted |= rule.touch
            wanted.update(f for c in rule.also_cites for f in c.when.facts)
    readers: dict[str, dict[str, None]] = {}
    for rule in rules:
        for fact in (*rule.condition.facts, *(rule.applies.facts if rule.applies else ())):
            readers.setdefault(fact, {})[rule.id] = None
    setters: dict[str, dict[str, None]] = {}
    chosen = [pack.standards[standard]] if standard else list(pack.standards.values())
    for compiled in chosen:
        for derivation in compiled.derivations:
            setters.setdefault(derivation.spec.derives, {})[derivation.spec.id] = None
    for derivation in pack.lifted:
        setters.setdefault(derivation.spec.derives, {})[derivation.spec.id] = None
    out = []
    for name, spec in pack.facts.items():
        if wanted is not None and name not in wanted:
            continue
        base = base_question(pack, name).model_dump(exclude={"rules", "decides", "alternatives"})
        out.append(
            FactInfo(
                **base,
                rules=list(readers.get(name, {})),
                derivations=list(setters.get(name, {})),
                matter=spec.matter,
                short=spec.short,
                notes=spec.notes,
            )
        )
    return out


def installation_kinds(pack: Pack | None = None) -> list[InstallationKindInfo]:
    """Every installation kind of the pack with the facts its installations answer."""
    pack = pack or default_pack()
    return [
        InstallationKindInfo(
            kind=kind,
            name=spec.name,
            examples=spec.examples,
            implies=dict(spec.implies),
            facts=[name for name, fact in pack.facts.items() if fact.installation == kind],
        )
        for kind, spec in pack.installation_kinds.items()
    ]


def _rules(pack: Pack, sector: str | None, standard: str | None) -> Iterable[CompiledRule]:
    seen: set[str] = set()
    for slug, compiled in pack.standards.items():
        if standard is not None and slug != standard:
            continue
        units = compiled.by_sector.get(sector, ()) if sector is not None else compiled.units
        for unit in units:
            if unit.key not in seen:
                seen.add(unit.key)
                yield unit


def answer_kind(question: Question) -> str:
    """``单选：未设置（absent）／…`` — the answer a question takes, every value with its code."""
    kind = TYPE[question.type] + (f"（{question.unit}）" if question.unit else "")
    bounds = [
        f"不小于{question.minimum:g}" if question.minimum is not None else "",
        f"不大于{question.maximum:g}" if question.maximum is not None else "",
    ]
    if any(bounds):
        kind += "，" + "、".join(b for b in bounds if b)
    if question.values:
        kind += "：" + "／".join(f"{label}（{code}）" for code, label in question.values.items())
    return kind


def render_text(entries: list[FactInfo], title: str) -> str:
    """The vocabulary as Chinese text for a terminal."""
    lines = [f"{title}：共 {len(entries)} 个事实"]
    for entry in entries:
        where = f"（{entry.installation_kind_name}，逐个回答）" if entry.installation_kind_name else ""
        lines += ["", f"{entry.fact}「{entry.label}」［{answer_kind(entry)}］{where}"]
        lines.append(f"  问题：{entry.question}")
        if entry.rules:
            lines.append(f"  读取它的条款：{'、'.join(entry.rules)}")
        if entry.derivations:
            lines.append(f"  可由推导得出：{'、'.join(entry.derivations)}")
        if entry.short:
            lines.append(f"  检查清单选项：--with {entry.short}")
    return "\n".join(lines)


def render_kinds(kinds: list[InstallationKindInfo]) -> str:
    lines = [f"装置（设施）类型：共 {len(kinds)} 种"]
    for kind in kinds:
        lines += ["", f"{kind.kind}「{kind.name}」"]
        if kind.examples:
            lines.append(f"  指：{kind.examples}")
        if kind.implies:
            lines.append("  描述此类装置即回答：" + "、".join(f"{f}={v}" for f, v in kind.implies.items()))
        lines.append(f"  事实：{'、'.join(kind.facts) or '（无）'}")
    return "\n".join(lines)
