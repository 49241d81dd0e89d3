"""The public data shapes: what callers send (:class:`Finding`) and get back (:class:`Verdict`).

These are the JSON shapes other systems code against (see DESIGN.md); ``hazardrules schema``
prints their JSON Schemas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

FactValue = StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr]
Status = Literal["major", "not_major", "undetermined"]


class Finding(BaseModel):
    """One observation from a safety inspection: a sector and any subset of facts."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"title": "Finding"})

    id: str | None = Field(default=None, description="The caller's identifier, echoed back")
    sector: str = Field(
        description="Sector slug (metallurgy), Chinese name (冶金) or GB/T 4754-2017 industry code (3110)"
    )
    observed_on: dt.date | None = Field(
        default=None, description="Date of the observation; selects the standards in force"
    )
    facts: dict[str, FactValue] = Field(
        default_factory=dict, description="Known facts; an absent fact is unknown"
    )
    description: str | None = Field(default=None, description="The inspector's free text")


class Citation(BaseModel):
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
    """One sub-condition with its value: true, false or null (unknown)."""

    expr: str
    value: Any
    fact: str | None = None
    children: list[TraceNode] = Field(default_factory=list)


class Derived(BaseModel):
    """A fact set by a derivation (an official interpretation or a definition)."""

    fact: str
    value: Any
    derivation: str
    basis: str
    because: dict[str, Any]


class Trace(BaseModel):
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


class Hit(BaseModel):
    """A rule that holds: the finding is a major hazard under this provision."""

    rule: str
    citation: Citation
    text: str
    text_status: Literal["verified", "unverified"]
    because: dict[str, Any] = Field(description="The facts that made the rule hold")
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
    via: CitedProvision | None = None
    trace: Trace


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
        "cite it); not_applicable: the enterprise is outside that standard's scope; undetermined: "
        "`missing` would decide it; unavailable: the governing standard is not in the pack"
    )
    missing: list[str] = Field(default_factory=list)


class StandardInForce(BaseModel):
    slug: str
    title: str
    document_number: str
    effective: dt.date | None
    ends: dt.date | None


class PackInfo(BaseModel):
    name: str
    version: str
    digest: str


class Verdict(BaseModel):
    """The answer for one finding."""

    model_config = ConfigDict(json_schema_extra={"title": "Verdict"})

    finding_id: str | None
    status: Status
    sector: str = Field(description="The sector slug the finding was classified under")
    on: dt.date = Field(description="The day whose standards were applied")
    standards: list[StandardInForce]
    hits: list[Hit] = Field(default_factory=list)
    undetermined: list[Undecided] = Field(default_factory=list)
    missing_facts: list[str] = Field(
        default_factory=list, description="Every fact that would decide an undetermined rule"
    )
    deferred: list[Deferred] = Field(default_factory=list)
    complete: bool = Field(description="Whether every applicable rule was considered touched")
    warnings: list[str] = Field(default_factory=list)
    pack: PackInfo
    engine: str
    hazardrules_version: str
