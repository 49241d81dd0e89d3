"""The public data shapes: what callers send (:class:`Finding`) and get back (:class:`Verdict`).

These are the JSON shapes other systems code against (see DESIGN.md); ``hazardrules schema``
prints their JSON Schemas.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

FactValue = StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr]
Status = Literal["major", "not_major", "undetermined"]


class Installation(BaseModel):
    """One of several things on a site that a standard judges one by one (a dust-removal system,
    a storehouse, a burner, a pair of a building and an external target…), with its own facts."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The caller's name for it, unique in the finding (e.g. 1号库房)")
    kind: str = Field(
        description="An installation kind of the pack (rules/facts/*.yaml `installations`; the docs' "
        "facts page lists them with their facts)"
    )
    facts: dict[str, FactValue] = Field(
        default_factory=dict, description="Facts of this installation; an absent fact is unknown"
    )


class Finding(BaseModel):
    """One observation from a safety inspection: a sector, any subset of facts, and optionally the
    installations the facts are about."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"title": "Finding"})

    id: str | None = Field(default=None, description="The caller's identifier, echoed back")
    sector: str | Annotated[list[str], Field(min_length=1)] = Field(
        description="Sector slug (metallurgy), Chinese name (冶金) or GB/T 4754-2017 industry code (3110); "
        "or a list of them for a site run as several sectors (an underground mine with a tailings pond: "
        '["metal_mine_underground", "tailings_pond"]), judged under the law of each'
    )
    observed_on: dt.date | None = Field(
        default=None, description="Date of the observation; selects the standards in force"
    )
    facts: dict[str, FactValue] = Field(
        default_factory=dict,
        description="Known facts about the enterprise; an absent fact is unknown. Facts of one kind of "
        "installation given here describe one unnamed installation of that kind.",
    )
    installations: list[Installation] = Field(
        default_factory=list, description="Installations judged one by one, each with its own facts"
    )
    description: str | None = Field(default=None, description="The inspector's free text")


class Question(BaseModel):
    """A question an inspector answers to give one fact: the Chinese question, the answer's type,
    unit and bounds, and for a choice every allowed value's code with its Chinese label. The answer
    goes into the finding as ``facts[fact]`` (an installation's fact: on that installation)."""

    fact: str = Field(description="The fact the answer gives, e.g. contractor.coordinated")
    label: str = Field(description="The fact's short Chinese label")
    question: str = Field(description="The question, in Chinese")
    type: Literal["bool", "number", "integer", "enum", "set"] = Field(
        description="bool: true/false; number/integer: a number in `unit`; enum: one code of `values`; "
        "set: a list of codes of `values` (empty for none)"
    )
    unit: str | None = None
    minimum: int | float | None = Field(
        default=None, description="number/integer: the smallest sensible value"
    )
    maximum: int | float | None = Field(
        default=None, description="number/integer: the largest sensible value"
    )
    values: dict[str, str] | None = Field(
        default=None,
        description="enum/set: each allowed value's code (what the finding gives) → its Chinese label",
    )
    installation_kind: str | None = Field(
        default=None, description="The kind of installation this question is asked of, one by one"
    )
    installation_kind_name: str | None = Field(default=None, description="That kind's Chinese name")
    alternatives: list[Question] = Field(
        default_factory=list,
        description="Checklists: facts that answer this question instead, through a derivation",
    )
    rules: list[str] = Field(
        default_factory=list, description="Verdicts: the open rules (or deferrals) the answer helps decide"
    )
    decides: list[str] = Field(
        default_factory=list,
        description="Verdicts: other open facts this answer can decide through a derivation (it is their "
        "authorities' wording or a definition: answering it may make them unnecessary)",
    )


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)

    standard: str
    title: str
    document_number: str
    path: str
    label: str
    url: str | None = Field(
        default=None,
        description="Where the issuer published the document (its official page or gazette), when known",
    )


class TraceNode(BaseModel):
    """One sub-condition with its value: true, false or null (unknown). Traces are shared between
    verdicts (an explanation is computed once per distinct situation): they are frozen."""

    model_config = ConfigDict(frozen=True)

    expr: str
    value: Any
    fact: str | None = None
    children: list[TraceNode] = Field(default_factory=list)


class Derived(BaseModel):
    """A fact set by a derivation: a definition or an official interpretation — or, when ``reading``
    is set, a documented reading that is neither (see :attr:`Verdict.readings`)."""

    model_config = ConfigDict(frozen=True)

    fact: str
    value: Any
    derivation: str
    basis: str
    because: dict[str, Any]
    reading: str | None = Field(
        default=None,
        description="The documented reading (third-party checklist, enforcement practice) the derivation "
        "belongs to; null for a definition or an official interpretation",
    )


class Trace(BaseModel):
    model_config = ConfigDict(frozen=True)

    applies: TraceNode | None = Field(
        default=None, description="The rule's applicability condition, when it has one"
    )
    condition: TraceNode
    derived: list[Derived] = Field(default_factory=list)


class CitedProvision(BaseModel):
    """A provision cited beside a rule (e.g. 工贸 第十四条 for a failed device)."""

    id: str
    citation: Citation
    text: str
    text_status: Literal["verified", "unverified"]


class InstallationRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    """The installation a hit, an open question or a cleared rule is about."""

    id: str | None = Field(description="The caller's id; null for the one described by top-level facts")
    kind: str
    kind_name: str = Field(description="The kind's Chinese name, e.g. 除尘系统")


class Hit(BaseModel):
    """A rule that holds: the finding is a major hazard under this provision."""

    rule: str
    citation: Citation
    text: str
    text_status: Literal["verified", "unverified"]
    because: dict[str, Any] = Field(description="The facts that made the rule hold")
    installation: InstallationRef | None = Field(
        default=None, description="For a rule judged per installation: the one for which it holds"
    )
    also_cites: list[CitedProvision] = Field(default_factory=list)
    via: CitedProvision | None = Field(
        default=None, description="The deferring provision, when the rule applies through it (工贸 第二条)"
    )
    trace: Trace


class Undecided(BaseModel):
    """A rule that can be neither confirmed nor excluded with the facts given."""

    rule: str
    citation: Citation
    text: str
    text_status: Literal["verified", "unverified"]
    missing: list[str] = Field(description="Facts that would decide the rule")
    installation: InstallationRef | None = None
    via: CitedProvision | None = None
    trace: Trace


class Cleared(BaseModel):
    """A rule examined and found not to hold, with the facts that decided it."""

    rule: str
    label: str = Field(description="The provision's label, e.g. 第三条第（一）项")
    standard: str
    because: dict[str, Any] = Field(description="The facts that make it not hold")
    installation: InstallationRef | None = None
    via: CitedProvision | None = None


class Deferred(BaseModel):
    """A matter this standard hands to other rules (工贸 第二条)."""

    matter: str
    label: str
    governed_by: str
    standards: list[str]
    in_pack: bool = Field(description="Whether the governing standard is encoded in this pack")
    cited: CitedProvision
    facts: list[str] = Field(description="The finding's facts about this matter")
    route: Literal["applied", "not_applicable", "undetermined", "unavailable"] = Field(
        description="applied: the governing standard's rules were applied to the finding (their hits "
        "cite it); not_applicable: the enterprise is outside that standard's scope and the matter is "
        "judged here; undetermined: `missing` would decide it (or, with `missing` empty, the governing "
        "standard was applied but the finding's facts touch none of its rules); unavailable: the rules "
        "that govern the matter for this enterprise are not in the pack (the governing standard is "
        "missing or not in force on the day, or the enterprise is outside the one in the pack)"
    )
    missing: list[str] = Field(default_factory=list)


class StandardInForce(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    title: str
    document_number: str
    effective: dt.date | None
    ends: dt.date | None


class DocumentRef(BaseModel):
    """A document of the register of the law, encoded in the pack or not."""

    id: str
    title: str
    document_number: str | None
    effective: dt.date | None
    ends: dt.date | None
    encoding: Literal["encoded", "partial", "not_encoded"]
    official_publication: str | None = None


class Gap(BaseModel):
    """Why the verdict cannot be ``not_major``: law that governs the finding but was not applied."""

    code: Literal[
        "standard_not_encoded", "standard_status_unknown", "no_standard_in_force", "provisions_missing"
    ]
    message: str = Field(description="In Chinese, for the inspector")
    document: DocumentRef
    provisions: list[str] = Field(
        default_factory=list, description="For provisions_missing: the provisions not in the pack"
    )


class ReferenceHit(BaseModel):
    rule: str
    citation: Citation
    text: str
    because: dict[str, Any]
    installation: InstallationRef | None = None


class Reference(BaseModel):
    """The finding judged under a standard that is no longer in force, for reference only: never
    part of the verdict's status or hits."""

    code: Literal["superseded_reference"] = "superseded_reference"
    message: str
    standard: StandardInForce
    status: Status
    hits: list[ReferenceHit] = Field(default_factory=list)
    undetermined: list[str] = Field(default_factory=list, description="Rule ids still open under it")


class Notice(BaseModel):
    """A warning or note with a stable code (see ``hazardrules codes``) and a Chinese message."""

    code: str
    message: str
    facts: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)


class ReadingUsed(BaseModel):
    """A documented reading the verdict relied on: neither the text of a standard nor its issuer's
    interpretation (a third-party checklist, enforcement practice). ``classify(readings=…)`` and
    ``hazardrules classify --readings`` switch readings off."""

    id: str
    title: str = Field(description="What the reading is, in Chinese")
    publisher: str
    official: bool = Field(
        description="true: published by a government body (enforcement cases), still not the issuer's "
        "interpretation; false: a third party"
    )
    url: str | None = None
    provisions: list[str] = Field(default_factory=list, description="The provisions it reads")
    derivations: list[str] = Field(description="Its derivations that set a fact the verdict used")
    rules: list[str] = Field(description="The rules whose value those facts decided or affected")


class PackInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    digest: str


class Verdict(BaseModel):
    """The answer for one finding."""

    model_config = ConfigDict(json_schema_extra={"title": "Verdict"})

    finding_id: str | None
    status: Status
    sector: str = Field(description="The sector slug the finding was classified under (the first one)")
    sectors: list[str] = Field(
        default_factory=list,
        description="Every sector the finding was classified under, in the finding's order",
    )
    on: dt.date = Field(description="The day whose standards were applied")
    standards: list[StandardInForce] = Field(description="The encoded standards applied")
    hits: list[Hit] = Field(default_factory=list)
    undetermined: list[Undecided] = Field(default_factory=list)
    missing_facts: list[str] = Field(
        default_factory=list, description="Every fact that would decide an undetermined rule"
    )
    questions: list[Question] = Field(
        default_factory=list,
        description="One question per fact of missing_facts, in the same order: what to ask next, with the "
        "answer's type, unit and allowed values (codes and labels)",
    )
    cleared: list[Cleared] = Field(
        default_factory=list, description="Rules examined that do not hold, with what decided them"
    )
    gaps: list[Gap] = Field(
        default_factory=list, description="Law governing the finding that the pack could not apply"
    )
    reference: list[Reference] = Field(
        default_factory=list, description="Evaluations under superseded standards, for reference only"
    )
    deferred: list[Deferred] = Field(default_factory=list)
    complete: bool = Field(description="Whether every applicable rule was considered touched")
    warnings: list[Notice] = Field(default_factory=list)
    notes: list[Notice] = Field(default_factory=list)
    readings: list[ReadingUsed] = Field(
        default_factory=list,
        description="Documented readings (not the law) that set facts the verdict used; each also gives "
        "the warning reading_applied. classify(readings=…) switches them off",
    )
    pack: PackInfo
    engine: str
    hazardrules_version: str


class Summary(BaseModel):
    """A verdict without its explanations (``detail="summary"``): what a register keeps per finding.

    The same decision as the full :class:`Verdict` — status, the rules that hold and those still
    open, the facts still needed, the codes of its warnings, notes and gaps — without citations,
    traces, ``because`` or cleared rules. Rule ids and codes are listed once each, in the verdict's
    order. ``classify_table`` returns one row of this shape per finding.
    """

    model_config = ConfigDict(json_schema_extra={"title": "Summary"})

    finding_id: str | None
    status: Status
    sector: str = Field(description="The sector slug the finding was classified under (the first one)")
    sectors: list[str] = Field(description="Every sector the finding was classified under")
    on: dt.date = Field(description="The day whose standards were applied")
    standards: list[str] = Field(description="Slugs of the encoded standards applied")
    hits: list[str] = Field(default_factory=list, description="Ids of the rules that hold")
    undetermined: list[str] = Field(default_factory=list, description="Ids of the rules still open")
    missing_facts: list[str] = Field(
        default_factory=list, description="Every fact that would decide an undetermined rule"
    )
    warnings: list[str] = Field(default_factory=list, description="Codes of the verdict's warnings")
    notes: list[str] = Field(default_factory=list, description="Codes of the verdict's notes")
    gaps: list[str] = Field(default_factory=list, description="Codes of the verdict's gaps")
    complete: bool
    pack: PackInfo
    engine: str
    hazardrules_version: str
