"""The rule-pack file format: pydantic models of the YAML files under ``rules/``.

A pack is a directory holding ``pack.yaml`` (name and version), ``sectors.yaml``, any number of
``facts/*.yaml`` (the shared fact vocabulary, plus derivations that hold in every standard) and one
``standards/<slug>.yaml`` per standard. Everything here is data; conditions are strings in the
library's own expression language. ``hazardrules schema pack`` prints the JSON Schema of each file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")]
# A path segment is a number (第三条 → 3) or, for a provision the official text gives without a number,
# a name: ``lead`` for an unnumbered lead-in, or a segment declared under ``unnumbered`` (taxi).
SEGMENT = r"(?:\d+|[a-z][a-z0-9_]*)"
PATH = rf"{SEGMENT}(?:\.{SEGMENT})*"
RULE_ID = re.compile(rf"^(?P<slug>[a-z][a-z0-9]*(?:-[a-z0-9]+)*):(?P<path>{PATH})$")
NAMED_ID = re.compile(r"^(?P<slug>[a-z][a-z0-9]*(?:-[a-z0-9]+)*):(?P<name>[a-z][a-z0-9_-]*)$")
RuleId = Annotated[str, StringConstraints(pattern=RULE_ID.pattern)]
NamedId = Annotated[str, StringConstraints(pattern=NAMED_ID.pattern)]
FactType = Literal["bool", "number", "integer", "enum", "set"]
TextStatus = Literal["verified", "unverified"]
EvidenceKind = Literal["official_page", "government_page", "transcription", "mirror"]
Expectation = Literal["holds", "does_not_hold", "undetermined"]
DEV_NOTE = "A note for developers (English allowed); shown only on developer pages, never to auditors"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PackManifest(_Strict):
    """``pack.yaml``."""

    name: str
    version: str
    description: str | None = None


class FactSpec(_Strict):
    """One fact of the shared vocabulary."""

    type: FactType
    label: str = Field(description="Short Chinese label, used when conditions are shown in Chinese")
    question: str = Field(description="The question an inspector answers to give this fact")
    unit: str | None = None
    minimum: StrictInt | StrictFloat | None = Field(
        default=None, description="number/integer facts: the smallest value that makes sense (0 for counts)"
    )
    maximum: StrictInt | StrictFloat | None = Field(
        default=None, description="number/integer facts: the largest value that makes sense"
    )
    values: dict[str, str] | None = Field(
        default=None, description="enum/set facts: each allowed value with its Chinese label"
    )
    matter: str | None = Field(
        default=None,
        description="The matter (e.g. hazardous_chemicals) the fact is about, for deferral routing",
    )
    short: Identifier | None = Field(
        default=None,
        description="Short name of a scope fact for `hazardrules checklist --with` (e.g. dust)",
    )
    installation: Identifier | None = Field(
        default=None,
        description="The installation kind this fact describes (each installation answers for itself); "
        "absent: a fact of the enterprise",
    )
    notes: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)

    @model_validator(mode="after")
    def _values_match_type(self) -> FactSpec:
        if self.type in ("enum", "set") and not self.values:
            raise ValueError(f"a {self.type} fact needs 'values'")
        if self.type not in ("enum", "set") and self.values is not None:
            raise ValueError(f"a {self.type} fact takes no 'values'")
        if self.unit is not None and self.type not in ("number", "integer"):
            raise ValueError("only number and integer facts have a unit")
        bounds = [b for b in (self.minimum, self.maximum) if b is not None]
        if bounds and self.type not in ("number", "integer"):
            raise ValueError("only number and integer facts have a minimum or maximum")
        if any(isinstance(b, bool) or not math.isfinite(b) for b in bounds):
            raise ValueError("minimum and maximum are finite numbers")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        if self.short is not None and self.type != "bool":
            raise ValueError("only a bool fact can have a short name")
        return self


class DerivationSpec(_Strict):
    """Sets a fact when a condition holds: an official interpretation or a definition.

    A derivation in a standard file holds only when that standard is applied; one in a facts
    file holds everywhere. It must cite its basis.
    """

    id: NamedId
    derives: FactName
    value: bool | int | float | str
    when: str
    basis: str = Field(description="Where the interpretation comes from (document, article)")
    source_url: str | None = None
    reading: NamedId | None = Field(
        default=None,
        description="The documented reading (readings: of the same standard) this derivation belongs to: "
        "not the law or the issuer's interpretation; a caller can switch it off (classify(readings=…))",
    )
    any_installation: bool = Field(
        default=False,
        description="Facts files only: `when` reads the facts of one kind of installation and the derived "
        "fact is the enterprise's; it holds for the site when it holds for at least one installation "
        "(a dry collector of wood dust means the site has combustible dust)",
    )
    notes: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)


class ReadingSpec(_Strict):
    """A documented reading of provisions: an interpretation that is neither the text nor the issuer's
    own (a third-party checklist, enforcement practice). Its derivations name it (``reading:``); a
    verdict that used one says so, and ``classify(readings=…)`` switches readings on or off."""

    id: NamedId
    title: str = Field(description="What the reading is, in Chinese")
    publisher: str = Field(description="Who published it (Chinese); 'unknown' said in Chinese if unknown")
    official: bool = Field(
        description="Published by a government body (enforcement cases) rather than a third party; "
        "never the issuer's interpretation (that is a plain derivation)"
    )
    url: str | None = None
    provisions: list[str] = Field(
        default_factory=list, description="The provisions it reads, e.g. 第十一条第（二）项"
    )
    notes: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)


class InstallationKind(_Strict):
    """A kind of installation that standards judge one by one (除尘系统, 工（库）房, …)."""

    name: str = Field(description="Chinese name, e.g. 除尘系统")
    examples: str | None = Field(default=None, description="What counts as one, in Chinese")
    implies: dict[FactName, bool | int | float | str] = Field(
        default_factory=dict,
        description="Facts of the enterprise that a finding describing such an installation answers "
        "(a cooling-water system described means the site has one: foundry_cooling.present)",
    )
    is_a: Identifier | None = Field(
        default=None,
        description="A broader kind this kind is a case of (a boiler is a special-equipment device): "
        "facts and rules of the broader kind apply to every installation of this kind too",
    )
    notes: str | None = None


class FactsFile(_Strict):
    """``facts/*.yaml``."""

    installations: dict[Identifier, InstallationKind] = Field(default_factory=dict)
    facts: dict[FactName, FactSpec] = Field(default_factory=dict)
    derivations: list[DerivationSpec] = Field(default_factory=list)


class SectorSpec(_Strict):
    name: str = Field(description="Chinese name, e.g. 冶金")
    aliases: list[str] = Field(default_factory=list)
    industry_codes: list[Annotated[str, StringConstraints(pattern=r"^\d{2,4}$")]] = Field(
        default_factory=list, description="GB/T 4754-2017 codes (大类/中类/小类) the sector covers"
    )
    excludes: list[Annotated[str, StringConstraints(pattern=r"^\d{2,4}$")]] = Field(
        default_factory=list, description="GB/T 4754-2017 codes inside industry_codes that it does not"
    )
    basis: str | None = Field(default=None, description="Where the industry codes come from")
    implies: dict[FactName, bool | int | float | str] = Field(
        default_factory=dict,
        description="Facts the sector itself answers (a hazardous-chemicals trader is a 危险化学品经营单位)",
    )
    installation: Identifier | None = Field(
        default=None,
        description="The installation kind a finding in this sector is about (sector 锅炉: a boiler): facts "
        "of a broader kind given at the top level describe one installation of this kind",
    )
    notes: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)


IndustryCode = Annotated[str, StringConstraints(pattern=r"^\d{2,4}$")]


class IndustryMapping(_Strict):
    """GB/T 4754-2017 codes of one sector (``industries.yaml``): the 工贸 classification or a reading."""

    sector: Identifier
    include: list[IndustryCode] = Field(min_length=1)
    exclude: list[IndustryCode] = Field(default_factory=list)
    status: TextStatus = Field(
        description="verified: the classification's own text was seen; unverified: a documented reading "
        "(verdicts whose sector came from it carry the warning sector_unverified_mapping)"
    )
    basis: str = Field(description="The classification's text, or what the reading rests on (Chinese)")
    exclusions_seen: bool = Field(
        default=True, description="false: the classification excludes codes that were not seen"
    )
    notes: str | None = None


class IndustryElsewhere(_Strict):
    """Codes outside the 工贸 classification whose enterprises fall under other standards' sectors."""

    codes: list[IndustryCode] = Field(min_length=1)
    sectors: list[Identifier] = Field(min_length=1)
    notes: str | None = Field(default=None, description="How to decide, in Chinese")


class IndustryWord(_Strict):
    """A common industry word: the GB/T 4754-2017 codes it means, or sectors it may mean."""

    codes: list[IndustryCode] = Field(default_factory=list)
    sectors: list[Identifier] = Field(default_factory=list, description="An ambiguity: ask which")
    decides: str | None = Field(default=None, description="What decides an ambiguity (Chinese)")

    @model_validator(mode="after")
    def _one_meaning(self) -> IndustryWord:
        if bool(self.codes) == bool(self.sectors):
            raise ValueError("a word gives either codes or sectors (an ambiguity)")
        if self.sectors and not self.decides:
            raise ValueError("an ambiguous word says what decides it ('decides')")
        return self


class IndustryClassification(_Strict):
    title: str
    document_number: str
    issuer: str
    notes: str | None = None


class IndustriesFile(_Strict):
    """``industries.yaml`` (optional): industry codes and words → sectors, and the code table."""

    classification: IndustryClassification
    mappings: list[IndustryMapping] = Field(default_factory=list)
    elsewhere: list[IndustryElsewhere] = Field(default_factory=list)
    words: dict[Annotated[str, StringConstraints(min_length=1)], IndustryWord] = Field(default_factory=dict)
    table: str = Field(
        description="The GB/T 4754-2017 code table, one '<code> <name>' per line in the standard's order "
        "(门类 letters, then their 大类, 中类 and 小类)"
    )


class Distinction(_Strict):
    """Words that look like a provision's matter but are another one (特种设备作业 is not 特种作业):
    ``suggest`` demotes ``rules`` for a text that has one of ``words`` and none of ``unless``, and
    says why in ``note``."""

    name: str = Field(description="What the words are about, in Chinese (e.g. 特种设备作业)")
    words: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)
    unless: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list, description="Words that show the text is about the rules' matter after all"
    )
    rules: list[RuleId] = Field(min_length=1, description="The rules these words are not about")
    note: str = Field(description="Why, in Chinese, with the governing rules")


class SynonymsFile(_Strict):
    """``synonyms.yaml`` (optional): words inspectors write, grouped with the standards' words."""

    synonyms: list[list[Annotated[str, StringConstraints(min_length=1)]]]
    distinct: list[Distinction] = Field(default_factory=list)


class SectorsFile(_Strict):
    """``sectors.yaml``."""

    sectors: dict[Identifier, SectorSpec]


class Route(_Strict):
    """Where a deferred matter is judged when the governing standard is in the pack."""

    standard: Slug
    as_sector: Identifier = Field(description="The governing standard's sector whose rules apply")
    when: str = Field(description="When the enterprise falls within the governing standard's scope")
    outside: Literal["judged_here", "other_rules"] = Field(
        default="judged_here",
        description="When `when` is false: judged_here — the matter is judged under this standard "
        "alone; other_rules — it stays governed by rules the pack does not hold (the verdict names "
        "them and is never not_major on it)",
    )
    basis: str | None = None


class Deferral(_Strict):
    """A matter the standard hands to other rules (工贸 第二条: 危险化学品、消防（火灾）…)."""

    matter: Identifier
    label: str
    governed_by: str = Field(description="The rules that govern the matter, as the text names them")
    standards: list[Slug] = Field(
        default_factory=list, description="Slugs of those standards, whether or not in this pack"
    )
    basis: str = Field(description="The provision that defers, e.g. 第二条")
    route: Route | None = None


class OfficialPublication(_Strict):
    """Where the issuer published the document: the link a citation points to."""

    url: str | None = Field(description="The issuer's page or the official gazette; null if not located")
    kind: str = Field(description="What the page is, in Chinese (e.g. 发布机关网页（应急管理部）)")
    seen: bool = Field(
        description="Whether the wording was checked against this page (false: only its address is known)"
    )


class Evidence(_Strict):
    """One place where a provision's wording was checked, and what kind of copy it is.

    ``how``: ``official_page`` (the issuer's page or the official gazette), ``government_page``
    (another government body's repost), ``transcription`` (a third-party transcription, e.g. a
    GitHub file) or ``mirror`` (a copy on a news portal or an unrelated site). Government kinds
    must be on a government host; a mirror is never shown as the source. A copy known only by a
    search-index reference, with no address, has ``ref`` instead of ``url``.
    """

    url: str | None = None
    ref: str | None = Field(default=None, description="A copy without a web address, described in Chinese")
    how: EvidenceKind
    note: str | None = None

    @model_validator(mode="after")
    def _located(self) -> Evidence:
        if (self.url is None) == (self.ref is None):
            raise ValueError("evidence needs either 'url' or 'ref'")
        return self


class StandardMeta(_Strict):
    slug: Slug
    title: str
    document_number: str
    issuer: str
    published: dt.date | None = None
    effective: dt.date | None = Field(
        default=None, description="First day in force; null: in force from publication"
    )
    ends: dt.date | None = Field(default=None, description="First day no longer in force")
    sectors: list[Identifier]
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: str | None = None
    supplements: list[Slug] = Field(
        default_factory=list,
        description="Standards this one supplements and is applied with (矿安〔2024〕41号 → fm-2022)",
    )
    defers: list[Deferral] = Field(default_factory=list)
    official_publication: OfficialPublication | None = Field(
        default=None, description="The issuer's publication: what citations link to"
    )
    notes: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)


class Applicability(_Strict):
    sectors: list[Identifier] | None = Field(
        default=None, description="Sectors the rule applies to; default: the standard's"
    )
    when: str | None = Field(
        default=None, description="A condition on the enterprise (e.g. it uses liquid ammonia)"
    )
    installation: Identifier | None = Field(
        default=None,
        description="The installation kind the rule is judged on, when its facts do not say it alone "
        "(GB 45067 4.2 a): a boiler's periodic-inspection conclusion is a fact of every special-"
        "equipment device); the facts it reads must be of this kind or of a broader one",
    )


class ExampleInstallation(_Strict):
    id: str
    kind: Identifier
    facts: dict[FactName, Any] = Field(default_factory=dict)


class Example(_Strict):
    expect: Expectation
    facts: dict[FactName, Any] = Field(default_factory=dict)
    installations: list[ExampleInstallation] = Field(default_factory=list)
    sector: Identifier | None = Field(default=None, description="Default: the rule's first sector")
    observed_on: dt.date | None = Field(
        default=None, description="Default: the first day the standard is in force"
    )
    note: str | None = None


class Note(_Strict):
    text: str = Field(description="The note, in Chinese")
    basis: str | None = Field(default=None, description="Where an interpretation comes from")
    url: str | None = None
    dev_note: str | None = Field(default=None, description=DEV_NOTE)


class SourceDeviation(_Strict):
    """The rule's text differs from the official texts (sources/) because the official wording was found."""

    source_text: str = Field(description="The text in sources/, exactly, that this replaces")
    url: str = Field(description="Where the official wording was read")
    reason: str


class Citing(_Strict):
    """Another provision a hit also cites when ``when`` holds (e.g. 工贸 第十四条)."""

    provision: str
    when: str


class RuleSpec(_Strict):
    id: RuleId
    label: str = Field(description="The provision's Chinese label, e.g. 第三条第（一）项")
    text: str = Field(description="Verbatim text of the provision")
    text_status: TextStatus
    evidence: list[Evidence] = Field(
        default_factory=list, description="Where the wording was checked (required for a verified text)"
    )
    verified_on: dt.date | None = None
    deviation: SourceDeviation | None = None
    applies: Applicability = Field(default_factory=Applicability)
    condition: str
    also_cites: list[Citing] = Field(default_factory=list)
    catch_all: bool = Field(
        default=False,
        description="A catch-all provision (“其他……”): it holds on an official's judgement, given as a fact",
    )
    examples: list[Example]
    notes: list[Note] = Field(default_factory=list)


class UnencodedProvision(_Strict):
    """A provision of the standard that the pack does not encode, and why (its text is missing…).

    An open tail of the source (``（二）及以后``) is listed at the path of its first item (4.2).
    """

    path: Annotated[str, StringConstraints(pattern=rf"^{PATH}$")]
    label: str
    reason: str = Field(description="Why it is not encoded, in Chinese (e.g. 官方文本未能获取)")
    sectors: list[Identifier] | None = Field(
        default=None, description="Sectors it applies to; default: the standard's"
    )


class ProvisionSpec(_Strict):
    """A provision that is cited but is not itself a rule (scope, deferral, cross-cutting)."""

    path: Annotated[str, StringConstraints(pattern=rf"^{PATH}$")]
    label: str
    text: str
    text_status: TextStatus
    role: Literal["scope", "deferral", "cross_cutting", "definition", "other"]
    evidence: list[Evidence] = Field(
        default_factory=list, description="Where the wording was checked (required for a verified text)"
    )
    verified_on: dt.date | None = None
    deviation: SourceDeviation | None = None
    notes: list[Note] = Field(default_factory=list)


class UnnumberedArticle(_Strict):
    """An article the official text gives without a number (its number was not seen), named so that
    its provisions have paths: ``{source_label: 第?条（出租汽车客运企业）, segment: taxi}`` makes
    its item （一） ``<slug>:taxi.1``."""

    source_label: str = Field(description="The article's label in the official source, exactly")
    segment: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] = Field(
        description="The path segment standing for its unknown number (not 'lead')"
    )
    label: str = Field(
        description="How citations name it, in Chinese (e.g. 出租汽车客运企业条款（条号未见）)"
    )


class StandardFile(_Strict):
    """``standards/<slug>.yaml``."""

    standard: StandardMeta
    unnumbered: list[UnnumberedArticle] = Field(
        default_factory=list, description="Articles whose number the official text does not show"
    )
    provisions: list[ProvisionSpec] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(default_factory=list)
    derivations: list[DerivationSpec] = Field(default_factory=list)
    readings: list[ReadingSpec] = Field(
        default_factory=list, description="Documented readings that derivations of this file belong to"
    )
    unencoded: list[UnencodedProvision] = Field(
        default_factory=list,
        description="Provisions not in the pack: a verdict for their sectors is never not_major",
    )


DocumentKind = Literal["部门规章", "规范性文件", "强制性国家标准", "强制性行业标准", "推荐性国家标准", "其他"]


class RegisterDocument(_Strict):
    """One national major-hazard determination document, encoded in the pack or not."""

    id: Slug = Field(description="The standard's slug when encoded (standards/<id>.yaml)")
    title: str
    document_number: str | None = None
    issuer: str | None = None
    kind: DocumentKind
    published: dt.date | None = None
    effective: dt.date | None = Field(default=None, description="First day in force")
    ends: dt.date | None = Field(default=None, description="First day no longer in force")
    ends_basis: str | None = Field(default=None, description="Why it ends then (Chinese)")
    predecessors: list[Slug] = Field(default_factory=list)
    successor: Slug | None = None
    status_confirmed: bool = Field(
        default=True, description="false: whether it is in force is not confirmed (its verdicts say so)"
    )
    official_publication: str | None = Field(default=None, description="The issuer's page (URL)")
    sectors: list[Identifier]
    text: Literal["full", "partial", "none"] = Field(
        description="How much of the official text the project holds (rules/sources)"
    )
    not_encoded_reason: str | None = Field(
        default=None, description="Why it is not (fully) encoded, in Chinese"
    )
    notes: str | None = None
    evidence: list[str] = Field(default_factory=list)
    keywords: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list,
        description="Words of the domain a hazard description uses (水库, 机场, 学校): suggest() names a "
        "document that is not encoded when a description uses them",
    )


class RegisterFile(_Strict):
    """``register.yaml``: the register of the law the pack knows of."""

    documents: list[RegisterDocument]
