"""Matters a standard hands to other rules (工贸 第二条): find them in a finding, say who governs
them, and apply the governing standard when it is in the pack and the enterprise is within its scope."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Literal

from .. import models
from ..lang import explain
from ..pack.model import CompiledStandard, Pack
from .explanation import citation
from .finding import PreparedFinding
from .judge import Judgement
from .law import in_force

RouteState = Literal["applied", "not_applicable", "undetermined", "unavailable"]
Apply = Callable[[CompiledStandard, str], Judgement]


def matters_of(pack: Pack, prepared: PreparedFinding) -> dict[str, list[str]]:
    """Each matter the finding is about, with the facts that say so.

    A fact about a matter counts when it is given at all (on the enterprise or an installation),
    except a ``matter.*`` flag given as false.
    """
    out: dict[str, list[str]] = {}
    given = prepared.all_facts()
    if given.keys().isdisjoint(_matter_facts(pack)):
        return out
    for name, value in given.items():
        matter = pack.facts[name].matter
        if matter is None or (value is False and name.startswith("matter.")):
            continue
        out.setdefault(matter, []).append(name)
    return out


@functools.lru_cache(maxsize=16)
def _matter_facts(pack: Pack) -> frozenset[str]:
    """The facts of the pack that are about a matter."""
    return frozenset(name for name, spec in pack.facts.items() if spec.matter is not None)


def resolve(
    pack: Pack,
    prepared: PreparedFinding,
    judgements: list[Judgement],
    day: dt.date,
    apply: Apply,
    complete: bool = False,
) -> tuple[list[models.Deferred], list[tuple[Judgement, models.CitedProvision]]]:
    """The deferrals the finding triggers, and the governing standards applied through them.

    A governing standard applied through a route but none of whose rules the finding's facts touch
    (only ``matter.special_equipment`` was given, say) leaves the matter open: ``undetermined`` with
    nothing in ``missing``. A route whose enterprise is outside the governing standard leaves the
    matter to the deferring standard (``not_applicable``), or, when the route says the matter stays
    governed by other rules (``outside: other_rules``), open as ``unavailable``.
    """
    matters = matters_of(pack, prepared)
    if not matters:
        return [], []
    applied = {j.standard.slug for j in judgements}
    deferred: list[models.Deferred] = []
    routed: list[tuple[Judgement, models.CitedProvision]] = []
    for judgement in judgements:
        standard = judgement.standard
        env = judgement.enterprise.env
        for deferral in standard.meta.defers:
            if deferral.matter not in matters:
                continue
            provision = standard.provisions[deferral.basis]
            cited = models.CitedProvision(
                id=deferral.basis,
                citation=citation(standard, provision.path, provision.label),
                text=provision.text,
                text_status=provision.text_status,
            )
            state: RouteState = "unavailable"
            missing: list[str] = []
            route = standard.routes.get(deferral.matter)
            target = pack.standards.get(route.standard) if route else None
            if route is not None and target is not None and target.in_force(day):
                value = route.when.evaluate(env)
                if value is None:
                    state, missing = "undetermined", explain(route.when.ast, env).missing()
                elif value is False:
                    state = "not_applicable" if route.outside == "judged_here" else "unavailable"
                else:
                    state = "applied"
                    if target.slug not in applied:
                        applied.add(target.slug)
                        judgement = apply(target, route.as_sector)
                        routed.append((judgement, cited))
                        if not complete and not any(e.touched for e in judgement.items(False)):
                            state = "undetermined"
            deferred.append(
                models.Deferred(
                    matter=deferral.matter,
                    label=deferral.label,
                    governed_by=deferral.governed_by,
                    standards=list(deferral.standards),
                    in_pack=any(slug in pack.standards for slug in deferral.standards),
                    cited=cited,
                    facts=matters[deferral.matter],
                    route=state,
                    missing=missing,
                )
            )
    return deferred, routed


def notice(pack: Pack, deferred: models.Deferred, day: dt.date) -> models.Notice:
    """The verdict's note on a deferral, in Chinese."""
    outside = _outside_route(pack, deferred, day) if deferred.route == "unavailable" else None
    names = []
    for slug in deferred.standards:
        document = pack.register.get(slug)
        if document is None:
            names.append(slug)
        elif in_force(document, day):
            state = "" if slug in pack.standards else "，本规则包尚未收录"
            names.append(f"《{document.title}》（{document.document_number or slug}{state}）")
    where = "、".join(names) or "尚无对应的判定标准"
    head = (
        f"该发现涉及{deferred.label}（{'、'.join(deferred.facts)}），{deferred.cited.citation.label}规定"
        f"适用{deferred.governed_by}（{where}）"
    )
    if deferred.route == "applied":
        text, code = f"{head}：已同时按该标准判定。", "deferred_applied"
    elif deferred.route == "not_applicable":
        text, code = f"{head}：该企业不属于该标准的适用范围，只按本标准判定。", "deferred_not_applicable"
    elif deferred.route == "undetermined" and deferred.missing:
        text = f"{head}：是否适用该标准取决于{'、'.join(deferred.missing)}。"
        code = "deferred_undetermined"
    elif deferred.route == "undetermined":
        text = (
            f"{head}：已转按该标准判定，但给出的事实未涉及该标准的任何条款，"
            "该事项尚未判定，请给出该标准所需的事实。"
        )
        code = "deferred_undetermined"
    elif outside is not None:
        text, code = (
            f"{head}：该企业不属于《{outside.meta.title}》的适用范围，本规则包未收录可适用于该企业的"
            f"{deferred.governed_by}，请按其规定另行判定。",
            "deferred_unavailable",
        )
    else:
        text, code = (
            f"{head}：该标准未收录于规则包或当日不在施行，请按其规定另行判定。",
            "deferred_unavailable",
        )
    return models.Notice(code=code, message=text, facts=list(deferred.facts))


def _outside_route(pack: Pack, deferred: models.Deferred, day: dt.date) -> CompiledStandard | None:
    """The routed standard, when the deferral is open because the enterprise is outside its scope
    (``outside: other_rules``) rather than because it is missing from the pack."""
    deferring = pack.standards.get(deferred.cited.citation.standard)
    route = deferring.routes.get(deferred.matter) if deferring else None
    if route is None or route.outside != "other_rules":
        return None
    target = pack.standards.get(route.standard)
    return target if target is not None and target.in_force(day) else None
