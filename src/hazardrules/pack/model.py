"""A loaded rule pack: validated files compiled into callables and indexed by sector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import RuleNotFound
from ..lang import Evaluator, ExprType, Node
from .format import (
    DerivationSpec,
    FactSpec,
    PackManifest,
    ProvisionSpec,
    RuleSpec,
    SectorSpec,
    StandardMeta,
)


@dataclass(frozen=True, slots=True)
class CompiledExpr:
    text: str
    ast: Node
    evaluate: Evaluator
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledDerivation:
    spec: DerivationSpec
    scope: str | None  # the standard slug, or None for a pack-wide derivation
    when: CompiledExpr


@dataclass(frozen=True, slots=True)
class CompiledRoute:
    matter: str
    standard: str
    as_sector: str
    when: CompiledExpr


@dataclass(frozen=True, slots=True)
class CompiledCiting:
    provision: ProvisionSpec
    provision_id: str
    when: CompiledExpr


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    standard: str
    path: str
    file: str
    sectors: frozenset[str]
    applies: CompiledExpr | None
    condition: CompiledExpr
    also_cites: tuple[CompiledCiting, ...]
    touch: frozenset[str]  # every fact that can change the condition, through derivations too
    order: int  # position in the source file

    @property
    def id(self) -> str:
        return self.spec.id

    def sector_match(self, sector: str) -> bool:
        return sector in self.sectors


@dataclass(slots=True)
class CompiledStandard:
    meta: StandardMeta
    file: str
    rules: tuple[CompiledRule, ...]
    provisions: dict[str, ProvisionSpec]  # by id, e.g. gm-2023:14
    derivations: tuple[CompiledDerivation, ...]  # pack-wide and own, in dependency order
    derived_by: dict[str, tuple[CompiledDerivation, ...]]
    parsed_rules: tuple[RuleSpec, ...] = ()  # every rule of the file, compiled or not (for lint)
    routes: dict[str, CompiledRoute] = field(default_factory=dict)  # matter → route
    by_sector: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.meta.slug

    def in_force(self, day: dt.date) -> bool:
        start = self.meta.effective or self.meta.published
        if start is not None and day < start:
            return False
        return self.meta.ends is None or day < self.meta.ends


@dataclass(slots=True, eq=False)
class Pack:
    """A validated, compiled rule pack. Obtain one with :func:`hazardrules.load_pack`."""

    root: str
    manifest: PackManifest
    digest: str
    facts: dict[str, FactSpec]
    fact_types: dict[str, ExprType]
    sectors: dict[str, SectorSpec]
    standards: dict[str, CompiledStandard]
    rule_index: dict[str, CompiledRule]
    global_derivations: tuple[CompiledDerivation, ...]
    fact_files: dict[str, str] = field(default_factory=dict)  # fact → the file that defines it
    synonyms: tuple[tuple[str, ...], ...] = ()  # for suggest()

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    def rules(self, standard: str | None = None) -> list[RuleSpec]:
        """The rules, in the order of their standards' texts; optionally one standard's only."""
        return [r.spec for r in self.compiled_rules(standard)]

    def compiled_rules(self, standard: str | None = None) -> Iterator[CompiledRule]:
        for slug, compiled in self.standards.items():
            if standard is None or slug == standard:
                yield from compiled.rules

    def rule(self, rule_id: str) -> RuleSpec:
        """The rule with this id; :class:`~hazardrules.errors.RuleNotFound` if there is none."""
        return self.compiled_rule(rule_id).spec

    def compiled_rule(self, rule_id: str) -> CompiledRule:
        try:
            return self.rule_index[rule_id]
        except KeyError:
            raise RuleNotFound(f"no rule {rule_id!r} in pack {self.name}") from None

    def standard(self, slug: str) -> StandardMeta:
        try:
            return self.standards[slug].meta
        except KeyError:
            known = ", ".join(self.standards)
            raise RuleNotFound(f"no standard {slug!r} in pack {self.name} (known: {known})") from None

    def standards_for(self, sector: str) -> list[CompiledStandard]:
        return [s for s in self.standards.values() if sector in s.by_sector]

    def fact_labels(self) -> Mapping[str, str]:
        return {name: spec.label for name, spec in self.facts.items()}
