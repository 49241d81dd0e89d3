"""A loaded rule pack: validated files compiled into callables and indexed by sector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import RuleNotFound
from ..lang import Evaluator, ExprType, Node
from .format import (
    DerivationSpec,
    Distinction,
    FactSpec,
    IndustriesFile,
    InstallationKind,
    PackManifest,
    ProvisionSpec,
    ReadingSpec,
    RegisterDocument,
    RuleSpec,
    SectorSpec,
    StandardMeta,
    UnencodedProvision,
    UnnumberedArticle,
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
    outside: str = "judged_here"  # when ``when`` is false: judged_here or other_rules


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
    touch: frozenset[str]  # every fact that can change applies or condition, through derivations too
    order: int  # position in the source file
    key: str = ""  # unique per evaluable unit: the id, or id#kind for one part of a rule on several kinds
    kind: str | None = None  # the installation kind it is judged on; None: the enterprise
    kinds: tuple[str | None, ...] = (None,)  # of the whole rule: every part's kind
    values_read: tuple[tuple[str, frozenset[str] | None], ...] = ()  # set fact → values read (None: all)
    id: str = ""  # the rule id (spec.id), kept as a field: read on every classification

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
    # The evaluable units: each rule, or for a rule whose alternatives are about different kinds of
    # installation, one unit per kind (same id and spec, its own key, kind and condition).
    units: tuple[CompiledRule, ...] = ()
    by_sector: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)  # sector → units
    unencoded: tuple[UnencodedProvision, ...] = ()
    readings: dict[str, ReadingSpec] = field(default_factory=dict)  # id → documented reading
    unnumbered: tuple[UnnumberedArticle, ...] = ()
    reading_derivations: bool = False  # some derivation (own or pack-wide) belongs to a documented reading

    @property
    def names(self) -> dict[str, str]:
        """Source label → path segment, for the articles the official text gives without a number."""
        return {a.source_label: a.segment for a in self.unnumbered}

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
    distinctions: tuple[Distinction, ...] = ()  # for suggest(): words that are another matter
    installation_kinds: dict[str, InstallationKind] = field(default_factory=dict)
    register: dict[str, RegisterDocument] = field(default_factory=dict)  # id → document
    industries: IndustriesFile | None = None  # industry codes and words → sectors (industries.yaml)
    # Derivations from one installation's facts to the enterprise (any_installation), applied when a
    # finding is prepared, whatever the standard.
    lifted: tuple[CompiledDerivation, ...] = ()

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

    def documents_for(self, sector: str) -> list[RegisterDocument]:
        """Every document of the register that governs ``sector``, in register order."""
        return [d for d in self.register.values() if sector in d.sectors]

    def encoding(self, document: str) -> str:
        """encoded, partial (provisions missing from the pack) or not_encoded."""
        standard = self.standards.get(document)
        if standard is None:
            return "not_encoded"
        return "partial" if standard.unencoded else "encoded"

    def readings(self) -> dict[str, ReadingSpec]:
        """Every documented reading of the pack, by id."""
        return {rid: r for standard in self.standards.values() for rid, r in standard.readings.items()}

    def kind_lineage(self, kind: str) -> tuple[str, ...]:
        """The kind and the broader kinds it is a case of (boiler → boiler, special_equipment)."""
        lineage = [kind]
        spec = self.installation_kinds.get(kind)
        while spec is not None and spec.is_a is not None and spec.is_a not in lineage:
            lineage.append(spec.is_a)
            spec = self.installation_kinds.get(spec.is_a)
        return tuple(lineage)

    def fact_labels(self) -> Mapping[str, str]:
        return {name: spec.label for name, spec in self.facts.items()}
