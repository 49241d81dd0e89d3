"""The fact vocabulary as plain data for other systems (``GET /v1/facts``, the JSON Schemas):
every fact with its type, unit, range and value codes with their Chinese labels, the installation
kinds, and which facts the rules applied to a sector can read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..pack.format import FactType
from ..pack.model import Pack
from ..pack.sectors import resolve_sector


class FactInfo(BaseModel):
    """One fact of the vocabulary."""

    name: str
    type: FactType
    label: str = Field(description="Short Chinese label")
    question: str = Field(description="The question an inspector answers (Chinese)")
    unit: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    values: dict[str, str] | None = Field(
        default=None, description="enum/set facts: each value code with its Chinese label, in order"
    )
    installation: str | None = Field(
        default=None, description="The installation kind the fact describes; null: the enterprise"
    )
    matter: str | None = Field(
        default=None, description="The deferred matter the fact is about (e.g. hazardous_chemicals)"
    )
    short: str | None = Field(default=None, description="Short name for checklist --with")


class KindInfo(BaseModel):
    """One installation kind."""

    kind: str
    name: str = Field(description="Chinese name, e.g. 除尘系统")
    examples: str | None = None
    is_a: str | None = Field(
        default=None, description="The broader kind it is a case of, whose facts it answers too"
    )
    facts: list[str] = Field(
        description="The facts an installation of this kind answers (its broader kinds' too)"
    )


class Vocabulary(BaseModel):
    """The facts a finding can give (all, or those the rules for one sector read)."""

    sector: str | None = Field(description="The sector the list is restricted to; null: every fact")
    facts: list[FactInfo]
    installation_kinds: list[KindInfo]


def fact_info(pack: Pack, name: str) -> FactInfo:
    spec = pack.facts[name]
    return FactInfo(
        name=name,
        type=spec.type,
        label=spec.label,
        question=spec.question,
        unit=spec.unit,
        minimum=spec.minimum,
        maximum=spec.maximum,
        values=dict(spec.values) if spec.values else None,
        installation=spec.installation,
        matter=spec.matter,
        short=spec.short,
    )


def sector_facts(pack: Pack, sector: str) -> list[str]:
    """The facts a finding of ``sector`` can usefully give, on any day, in vocabulary order.

    That is every fact an applicable rule (or a derivation feeding it) reads, the facts that route a
    deferred matter and the rules of the standard it is routed to, every fact about a deferred matter,
    and the facts the sector itself answers: exactly the facts a verdict never warns about as
    ``fact_not_read`` (a test checks this against :func:`hazardrules.classify`).
    """
    read: set[str] = set(pack.sectors[sector].implies)
    for standard in pack.standards_for(sector):
        for unit in standard.by_sector.get(sector, ()):
            read |= unit.touch
        for route in standard.routes.values():
            read.update(route.when.facts)
            target = pack.standards.get(route.standard)
            if target is not None:
                for unit in target.by_sector.get(route.as_sector, ()):
                    read |= unit.touch
    read.update(name for name, spec in pack.facts.items() if spec.matter)
    return [name for name in pack.facts if name in read]


def vocabulary(pack: Pack, sector: str | None = None) -> Vocabulary:
    """Every fact and installation kind, or only those a finding of ``sector`` can usefully give."""
    slug = resolve_sector(pack, sector) if sector is not None else None
    names = sector_facts(pack, slug) if slug is not None else list(pack.facts)
    facts = [fact_info(pack, name) for name in names]
    kinds = [
        KindInfo(
            kind=kind,
            name=spec.name,
            examples=spec.examples,
            is_a=spec.is_a,
            facts=[f.name for f in facts if f.installation in pack.kind_lineage(kind)],
        )
        for kind, spec in pack.installation_kinds.items()
    ]
    return Vocabulary(
        sector=slug, facts=facts, installation_kinds=[k for k in kinds if k.facts or slug is None]
    )
