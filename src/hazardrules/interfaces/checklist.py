"""Inspection checklists: the questions that decide every rule applicable to a sector.

Built from a whole-site classification (``complete=True``) of a finding that knows nothing but the
chosen scope (``--with dust,…``), so the checklist is exactly what ``classify`` would still ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, Field

from ..errors import HazardRulesError
from ..lang.reads import values_read
from ..models import Citation, Gap, Question, StandardInForce, Verdict
from ..pack.model import Pack
from ..pack.resources import default_pack
from ..pack.sectors import resolve_sector
from ..verdict.classify import classify
from ..verdict.questions import base_question, direct_reads


class ChecklistItem(BaseModel):
    """One provision of a checklist: its citation and text, and the questions that decide it."""

    rule: str
    citation: Citation
    text: str
    text_status: str
    installation_kind: str | None = Field(
        default=None, description="Answer these questions for each installation of this kind"
    )
    installation_kind_name: str | None = None
    questions: list[Question]


class ScopeAnswer(BaseModel):
    """A scope fact the checklist assumes (``--with dust``: the enterprise has a dust explosion risk)."""

    fact: str
    label: str
    value: bool


class Checklist(BaseModel):
    """The questions that decide every rule applicable to a sector on a day (``hazardrules checklist``),
    grouped by provision, each with its answer's type and allowed values (codes and labels)."""

    sector: str
    sector_name: str
    on: dt.date
    standards: list[StandardInForce]
    scope: list[ScopeAnswer] = Field(description="The scope facts assumed, e.g. dust explosion risk")
    items: list[ChecklistItem]
    other_scopes: list[Question] = Field(
        description="Questions that decide whether further groups of rules apply (use --with)"
    )
    gaps: list[Gap] = Field(
        default_factory=list,
        description="Law that governs the sector but has no questions here (a standard or provisions "
        "not in the pack): check it against the official text",
    )


def scope_facts(pack: Pack) -> dict[str, str]:
    """Short name → scope fact (``dust`` → ``enterprise.dust_explosion_risk``)."""
    return {spec.short: name for name, spec in pack.facts.items() if spec.short}


def checklist(
    sector: str, *, with_: Iterable[str] = (), on: dt.date | None = None, pack: Pack | None = None
) -> Checklist:
    """The questions that decide every rule applicable to ``sector`` (with the chosen scopes)."""
    pack = pack or default_pack()
    shorts = scope_facts(pack)
    chosen = list(with_)
    unknown = [w for w in chosen if w not in shorts]
    if unknown:
        raise HazardRulesError(f"unknown --with {', '.join(unknown)} (known: {', '.join(sorted(shorts))})")
    slug = resolve_sector(pack, sector)
    implied = pack.sectors[slug].implies  # scope facts the sector answers itself
    scope = {fact: short in chosen for short, fact in shorts.items() if fact not in implied}
    verdict = classify({"sector": slug, "facts": scope}, on=on, complete=True, pack=pack)
    read = _values_read(pack, verdict)
    items: list[ChecklistItem] = []
    for undecided in verdict.undetermined:
        standard = pack.standards[undecided.citation.standard]
        # Facts the rule reads itself are asked as they are; the facts a derivation decides another
        # fact from (the authorities' wording) are offered beneath it as another way to answer.
        direct = direct_reads(pack, undecided.rule)
        derived_from = {
            fact: list(
                dict.fromkeys(
                    f
                    for d in standard.derived_by.get(fact, ())
                    for f in d.when.facts
                    if f not in direct and f != fact
                )
            )
            for fact in undecided.missing
        }
        nested = {f for fact in undecided.missing for f in derived_from[fact] if f in undecided.missing}
        questions = [
            _question(pack, fact, [_question(pack, f, read=read) for f in derived_from[fact]], read=read)
            for fact in undecided.missing
            if fact not in nested
        ]
        unit = pack.compiled_rule(undecided.rule)
        declared = unit.kinds[0] if len(unit.kinds) == 1 else None  # the rule's own kind (boiler)
        kind = declared or _kind_asked(pack, [q.fact for q in questions])
        previous = items[-1] if items else None
        if previous is not None and previous.rule == undecided.rule and previous.installation_kind == kind:
            continue
        items.append(
            ChecklistItem(
                rule=undecided.rule,
                citation=undecided.citation,
                text=undecided.text,
                text_status=undecided.text_status,
                installation_kind=kind,
                installation_kind_name=pack.installation_kinds[kind].name if kind else None,
                questions=questions,
            )
        )
    used = {
        f
        for s in verdict.standards
        for r in pack.standards[s.slug].by_sector.get(slug, ())
        for f in (r.applies.facts if r.applies else ())
    }
    others = [_question(pack, fact) for short, fact in shorts.items() if short not in chosen and fact in used]
    return Checklist(
        sector=slug,
        sector_name=pack.sectors[slug].name,
        on=verdict.on,
        standards=verdict.standards,
        scope=[
            ScopeAnswer(fact=f, label=pack.facts[f].label, value=v) for f, v in scope.items() if f in used
        ],
        items=items,
        other_scopes=others,
        gaps=verdict.gaps,
    )


def _kind_asked(pack: Pack, facts: list[str]) -> str | None:
    """The installation kind the questions are asked of: the narrowest their facts describe (a boiler,
    not the special-equipment device it is a case of)."""
    kinds = [k for f in facts if (k := pack.facts[f].installation) is not None]
    for kind in kinds:
        if all(other in pack.kind_lineage(kind) for other in kinds):
            return kind
    return kinds[0] if kinds else None


def _values_read(pack: Pack, verdict: Verdict) -> dict[str, frozenset[str] | None]:
    """For each set fact, the values the rules applied in the verdict read (None: all)."""
    out: dict[str, frozenset[str] | None] = {}
    for standard in verdict.standards:
        compiled = pack.standards[standard.slug]
        pairs = [pair for unit in compiled.by_sector.get(verdict.sector, ()) for pair in unit.values_read]
        pairs += [pair for d in compiled.derivations for pair in values_read([d.when.ast], pack.fact_types)]
        for fact, values in pairs:
            if fact in out and out[fact] is None:
                continue
            out[fact] = None if values is None else (out.get(fact) or frozenset()) | values
    return out


def _question(
    pack: Pack,
    fact: str,
    alternatives: list[Question] | None = None,
    read: dict[str, frozenset[str] | None] | None = None,
) -> Question:
    """The question for ``fact``; a set fact offers only the values the rules read."""
    spec = pack.facts[fact]
    values = spec.values
    if spec.type == "set" and values and read is not None and read.get(fact) is not None:
        wanted = read[fact] or frozenset()
        values = {code: label for code, label in values.items() if code in wanted}
    return base_question(pack, fact).model_copy(
        update={"values": dict(values) if values else None, "alternatives": alternatives or []}
    )


def render_text(sheet: Checklist, shorts: dict[str, str]) -> str:
    """The checklist as Chinese text for an inspector."""
    lines = [f"检查清单：{sheet.sector_name}（{sheet.sector}），{sheet.on.isoformat()}"]
    for standard in sheet.standards:
        lines.append(f"适用标准：《{standard.title}》（{standard.document_number}）")
    assumed = [answer.label for answer in sheet.scope if answer.value]
    if assumed:
        lines.append("按存在以下情形检查：" + "、".join(assumed))
    for item in sheet.items:
        mark = "" if item.text_status == "verified" else "【条文未经核实】"
        lines += ["", f"{item.citation.label}（{item.rule}）{mark}", f"  {item.text}"]
        if item.installation_kind_name:
            lines.append(f"  （对每个{item.installation_kind_name}分别回答）")
        for question in item.questions:
            lines.append(f"  □ {question.question} {_answer_hint(question)}")
            if question.alternatives:
                lines.append("      也可以回答以下问题，由其推定：")
            for alternative in question.alternatives:
                lines.append(f"      · {alternative.question} {_answer_hint(alternative)}")
    if sheet.gaps:
        lines += ["", "未收录于规则包、须对照官方文本另行检查："]
        lines += [f"  ！{gap.message}" for gap in sheet.gaps]
    if sheet.other_scopes:
        lines += ["", "另需确认（决定专项条款是否适用）："]
        by_fact = {fact: short for short, fact in shorts.items()}
        for question in sheet.other_scopes:
            lines.append(f"  □ {question.question}（若是，用 --with {by_fact[question.fact]} 生成相应清单）")
    return "\n".join(lines)


def _answer_hint(question: Question) -> str:
    """``［是／否］``, ``［数值，m］`` or ``［单选：未设置（absent）／…］``: each value with the code a
    finding gives for it."""
    if question.type == "bool":
        return "［是／否］"
    if question.type in ("number", "integer"):
        kind = "整数" if question.type == "integer" else "数值"
        return f"［{kind}{('，' + question.unit) if question.unit else ''}］"
    values = "／".join(f"{label}（{code}）" for code, label in (question.values or {}).items())
    return f"［{'单选' if question.type == 'enum' else '多选'}：{values}］"
