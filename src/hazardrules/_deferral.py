"""Matters a standard hands to other rules (工贸 第二条): find them in a finding and say who governs."""

from __future__ import annotations

from . import models
from ._engine import StandardResult
from ._explanation import citation
from ._finding import PreparedFinding
from ._pack import Pack


def matters_of(pack: Pack, prepared: PreparedFinding) -> dict[str, list[str]]:
    """Each matter the finding is about, with the facts that say so.

    A fact about a matter counts when it is given at all, except a ``matter.*`` flag given as false.
    """
    out: dict[str, list[str]] = {}
    for name, value in prepared.facts.items():
        matter = pack.facts[name].matter
        if matter is None or (
            value is False and pack.facts[name].type == "bool" and name.startswith("matter.")
        ):
            continue
        out.setdefault(matter, []).append(name)
    return out


def deferrals(pack: Pack, prepared: PreparedFinding, results: list[StandardResult]) -> list[models.Deferred]:
    matters = matters_of(pack, prepared)
    if not matters:
        return []
    out: list[models.Deferred] = []
    for result in results:
        standard = result.standard
        for deferral in standard.meta.defers:
            if deferral.matter not in matters:
                continue
            provision = standard.provisions[deferral.basis]
            out.append(
                models.Deferred(
                    matter=deferral.matter,
                    label=deferral.label,
                    governed_by=deferral.governed_by,
                    standards=list(deferral.standards),
                    in_pack=any(slug in pack.standards for slug in deferral.standards),
                    cited=models.CitedProvision(
                        id=deferral.basis,
                        citation=citation(standard, provision.path, provision.label),
                        text=provision.text,
                        text_status=provision.text_status,
                    ),
                    facts=matters[deferral.matter],
                )
            )
    return out
