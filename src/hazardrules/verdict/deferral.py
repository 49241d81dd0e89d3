"""Matters a standard hands to other rules (工贸 第二条): find them in a finding, say who governs
them, and apply the governing standard when it is in the pack and the enterprise is within its scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from .. import models
from ..engine.native import StandardResult
from ..lang import explain
from ..pack.model import CompiledStandard, Pack
from .explanation import citation
from .finding import PreparedFinding

RouteState = Literal["applied", "not_applicable", "undetermined", "unavailable"]
Apply = Callable[[CompiledStandard, str], StandardResult]


def matters_of(pack: Pack, prepared: PreparedFinding) -> dict[str, list[str]]:
    """Each matter the finding is about, with the facts that say so.

    A fact about a matter counts when it is given at all, except a ``matter.*`` flag given as false.
    """
    out: dict[str, list[str]] = {}
    for name, value in prepared.facts.items():
        matter = pack.facts[name].matter
        if matter is None or (value is False and name.startswith("matter.")):
            continue
        out.setdefault(matter, []).append(name)
    return out


def resolve(
    pack: Pack, prepared: PreparedFinding, results: list[StandardResult], day: dt.date, apply: Apply
) -> tuple[list[models.Deferred], list[tuple[StandardResult, models.CitedProvision]]]:
    """The deferrals the finding triggers, and the governing standards applied through them."""
    matters = matters_of(pack, prepared)
    if not matters:
        return [], []
    applied = {r.standard.slug for r in results}
    deferred: list[models.Deferred] = []
    routed: list[tuple[StandardResult, models.CitedProvision]] = []
    for result in results:
        standard = result.standard
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
                value = route.when.evaluate(result.env)
                if value is None:
                    state, missing = "undetermined", explain(route.when.ast, result.env).missing()
                elif value is False:
                    state = "not_applicable"
                else:
                    state = "applied"
                    if target.slug not in applied:
                        applied.add(target.slug)
                        routed.append((apply(target, route.as_sector), cited))
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


def warning(deferred: models.Deferred) -> str:
    where = ", ".join(deferred.standards) or "no standard named yet"
    head = (
        f"the finding concerns {deferred.label} ({', '.join(deferred.facts)}), which "
        f"{deferred.cited.citation.label} hands to {deferred.governed_by} ({where})"
    )
    if deferred.route == "applied":
        return f"{head}: those rules were applied too"
    if deferred.route == "not_applicable":
        return f"{head}: the enterprise is outside that standard's scope, so only this standard applies"
    if deferred.route == "undetermined":
        return f"{head}: whether that standard applies depends on {', '.join(deferred.missing)}"
    return f"{head}, which is not in this pack yet: judge it under those rules"
