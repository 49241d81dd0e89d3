"""The questions a verdict still needs answered, beside ``missing_facts``: for each open fact, the
Chinese question, its type, unit, bounds and allowed values (codes with their labels), the rules it
decides and the open facts it can decide through a derivation — so a form can be built from the
verdict alone."""

from __future__ import annotations

import functools
from typing import Any

from .. import models
from ..pack.model import CompiledStandard, Pack
from .explanation import build, builder
from .judge import Judgement


@functools.lru_cache(maxsize=8192)
def _question_fields(pack: Pack, fact: str) -> dict[str, Any]:
    """The fields of the question for ``fact`` that do not depend on the verdict (kept per pack and
    fact; never handed out: each question gets its own copy of the mutable ones)."""
    spec = pack.facts[fact]
    kind = spec.installation
    return {
        "fact": fact,
        "label": spec.label,
        "question": spec.question,
        "type": spec.type,
        "unit": spec.unit,
        "minimum": spec.minimum,
        "maximum": spec.maximum,
        "values": dict(spec.values) if spec.values else None,
        "installation_kind": kind,
        "installation_kind_name": pack.installation_kinds[kind].name if kind else None,
        "alternatives": [],
        "rules": [],
        "decides": [],
    }


def question(
    pack: Pack, fact: str, rules: list[str] | None = None, decides: list[str] | None = None
) -> models.Question:
    """A new question for ``fact`` (its own lists and ``values``), with the rules it helps decide and
    the open facts it can decide through a derivation."""
    fields = _question_fields(pack, fact).copy()
    values = fields["values"]
    if values is not None:
        fields["values"] = values.copy()
    fields["alternatives"] = []
    fields["rules"] = [] if rules is None else rules
    fields["decides"] = [] if decides is None else decides
    return build(models.Question, fields)


def base_question(pack: Pack, fact: str) -> models.Question:
    """The question for ``fact``, without the verdict-specific fields (a new model each call)."""
    return question(pack, fact)


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
    verdict.questions = questions(
        pack,
        verdict.missing_facts,
        verdict.undetermined,
        verdict.deferred,
        [j.standard for j in judgements],
        off,
    )


def questions(
    pack: Pack,
    missing: list[str],
    undetermined: list[models.Undecided],
    deferred: list[models.Deferred],
    standards: list[CompiledStandard],
    off: frozenset[str] = frozenset(),
) -> list[models.Question]:
    """One question per fact of ``missing`` (a verdict's ``missing_facts``), in the same order, each
    with the open rules (and deferrals) it helps decide and the open facts it can decide through a
    derivation of ``standards`` (or of the pack) not in a documented reading of ``off``.

    What they say is worked out once per situation (the open rules with their missing facts, the
    deferrals', the standards applied, the readings off) and kept; each call returns new models."""
    if not missing:
        return []
    applied = tuple(standards)
    key = (
        id(pack),
        tuple(map(id, applied)),
        off,
        tuple([(u.rule, *u.missing) for u in undetermined]),
        tuple([(d.cited.id, *d.missing) for d in deferred if d.missing]) if deferred else (),
        tuple(missing),
    )
    found = _ASKED.get(key)
    # (the standards compare by identity first: the same objects, as the ids in the key say)
    if found is None or found[0] is not pack or found[1] != applied:
        asked = [
            (t, t["values"], t["rules"], t["decides"])
            for t in _asked(pack, missing, undetermined, deferred, standards, off)
        ]
        if len(_ASKED) > 4096:
            _ASKED.clear()
        found = _ASKED[key] = (pack, applied, asked)
    out: list[models.Question] = []
    append, question = out.append, _question
    for template, values, rules, decides in found[2]:
        fields = template.copy()  # each question's own mutable fields: none is shared
        if values is not None:
            fields["values"] = values.copy()
        fields["alternatives"] = []
        fields["rules"] = rules.copy()
        fields["decides"] = decides.copy()
        append(question(fields))
    return out


_question = builder(models.Question)
# each question's fields, with its values, rules and decides (kept: never handed out)
Asked = tuple[dict[str, Any], dict[str, str] | None, list[str], list[str]]
_ASKED: dict[tuple[Any, ...], tuple[Pack, tuple[CompiledStandard, ...], list[Asked]]] = {}


def _asked(
    pack: Pack,
    missing: list[str],
    undetermined: list[models.Undecided],
    deferred: list[models.Deferred],
    standards: list[CompiledStandard],
    off: frozenset[str],
) -> list[dict[str, Any]]:
    """The fields of each question (kept: never handed out)."""
    wanted = set(missing)
    rules: dict[str, dict[str, None]] = {}
    for item in undetermined:
        for fact in item.missing:
            rules.setdefault(fact, {})[item.rule] = None
    for deferral in deferred:
        for fact in deferral.missing:
            rules.setdefault(fact, {})[deferral.cited.id] = None
    # A fact the open rules read themselves (contractor.present) is a question of its own, not another
    # way to answer the fact a derivation reads it for.
    direct = {f for item in undetermined for f in direct_reads(pack, item.rule)}
    decides: dict[str, dict[str, None]] = {}
    by_target = _derivations_by_target(pack, tuple(standards))
    found = [entry for target in wanted for entry in by_target.get(target, ())]
    found.sort()  # in the order of the derivations, as they are applied
    for _, target, reading, facts in found:
        if reading is not None and reading in off:
            continue
        for fact in facts:
            if fact in wanted and fact != target and fact not in direct:
                decides.setdefault(fact, {})[target] = None
    return [
        {
            **_question_fields(pack, fact),
            "rules": list(rules.get(fact, ())),
            "decides": list(decides.get(fact, ())),
        }
        for fact in missing
    ]


Entry = tuple[int, str, str | None, tuple[str, ...]]  # (position, derived fact, reading, facts read)
_BY_TARGET: dict[tuple[int, ...], tuple[Pack, tuple[CompiledStandard, ...], dict[str, list[Entry]]]] = {}


def _derivations_by_target(pack: Pack, standards: tuple[CompiledStandard, ...]) -> dict[str, list[Entry]]:
    """The derivations of the standards applied (then the pack's lifted ones), in order, by the fact
    each derives: computed once per (pack, standards applied)."""
    key = (id(pack), *map(id, standards))
    found = _BY_TARGET.get(key)
    if (
        found is not None
        and found[0] is pack
        and all(a is b for a, b in zip(found[1], standards, strict=True))
    ):
        return found[2]
    derivations = [d for s in standards for d in s.derivations] + list(pack.lifted)
    index: dict[str, list[Entry]] = {}
    for position, derivation in enumerate(derivations):
        spec = derivation.spec
        index.setdefault(spec.derives, []).append(
            (position, spec.derives, spec.reading, derivation.when.facts)
        )
    if len(_BY_TARGET) > 1024:
        _BY_TARGET.clear()
    _BY_TARGET[key] = (pack, standards, index)
    return index
