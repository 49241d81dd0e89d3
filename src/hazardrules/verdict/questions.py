"""The questions a verdict still needs answered, beside ``missing_facts``: for each open fact, the
Chinese question, its type, unit, bounds and allowed values (codes with their labels), the rules it
decides and the open facts it can decide through a derivation — so a form can be built from the
verdict alone."""

from __future__ import annotations

import functools

from .. import models
from ..pack.model import Pack
from .explanation import construct
from .judge import Judgement


@functools.lru_cache(maxsize=8192)
def base_question(pack: Pack, fact: str) -> models.Question:
    """The question for ``fact``, without the verdict-specific fields (kept per pack and fact)."""
    spec = pack.facts[fact]
    kind = spec.installation
    return construct(
        models.Question,
        fact=fact,
        label=spec.label,
        question=spec.question,
        type=spec.type,
        unit=spec.unit,
        minimum=spec.minimum,
        maximum=spec.maximum,
        values=dict(spec.values) if spec.values else None,
        installation_kind=kind,
        installation_kind_name=pack.installation_kinds[kind].name if kind else None,
        alternatives=[],
        rules=[],
        decides=[],
    )


@functools.lru_cache(maxsize=8192)
def direct_reads(pack: Pack, rule_id: str) -> frozenset[str]:
    """The facts a rule's condition and applicability read themselves (not through derivations)."""
    rule = pack.compiled_rule(rule_id)
    return frozenset((*rule.condition.facts, *(rule.applies.facts if rule.applies else ())))


def add_questions(
    pack: Pack, verdict: models.Verdict, judgements: list[Judgement], off: frozenset[str] = frozenset()
) -> None:
    """Fill ``verdict.questions``: one per fact of ``missing_facts``, in the same order (derivations of
    the documented readings in ``off`` decide nothing)."""
    missing = verdict.missing_facts
    if not missing:
        return
    wanted = set(missing)
    rules: dict[str, dict[str, None]] = {}
    for item in verdict.undetermined:
        for fact in item.missing:
            rules.setdefault(fact, {})[item.rule] = None
    for deferral in verdict.deferred:
        for fact in deferral.missing:
            rules.setdefault(fact, {})[deferral.cited.id] = None
    # A fact the open rules read themselves (contractor.present) is a question of its own, not another
    # way to answer the fact a derivation reads it for.
    direct = {f for item in verdict.undetermined for f in direct_reads(pack, item.rule)}
    decides: dict[str, dict[str, None]] = {}
    derivations = [d for j in judgements for d in j.standard.derivations] + list(pack.lifted)
    for derivation in derivations:
        target = derivation.spec.derives
        if target not in wanted or (derivation.spec.reading is not None and derivation.spec.reading in off):
            continue
        for fact in derivation.when.facts:
            if fact in wanted and fact != target and fact not in direct:
                decides.setdefault(fact, {})[target] = None
    verdict.questions = [
        base_question(pack, fact).model_copy(
            update={"rules": list(rules.get(fact, {})), "decides": list(decides.get(fact, {}))}
        )
        for fact in missing
    ]
