"""Check a finding against the pack's vocabulary and turn it into an evaluation environment."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import FindingError, FindingProblem
from ..models import Finding
from ..pack.format import FactSpec
from ..pack.model import Pack
from ..pack.sectors import resolve_sector


@dataclass(frozen=True, slots=True)
class PreparedInstallation:
    id: str | None  # None: the one described by the finding's top-level facts
    kind: str
    facts: dict[str, Any]  # this installation's own facts, normalised


@dataclass(frozen=True, slots=True)
class PreparedFinding:
    finding: Finding
    sector: str
    facts: dict[str, Any]  # the enterprise's facts, normalised values: sets become frozensets
    installations: tuple[PreparedInstallation, ...] = ()
    implied: dict[str, Any] = field(default_factory=dict)  # facts the sector answers (not "given")

    @property
    def env(self) -> dict[str, Any]:
        """The enterprise's facts as rules see them: what the sector implies, then what was given."""
        return {**self.implied, **self.facts} if self.implied else self.facts

    def all_facts(self) -> dict[str, Any]:
        """Every fact given, the enterprise's and the installations' (for matters and warnings)."""
        merged = dict(self.facts)
        for installation in self.installations:
            merged.update(installation.facts)
        return merged

    @property
    def given(self) -> bool:
        return bool(self.facts) or any(i.facts for i in self.installations)


def coerce_finding(finding: Finding | Mapping[str, Any]) -> Finding:
    if isinstance(finding, Finding):
        return finding
    if not isinstance(finding, Mapping):
        message = f"a finding must be a JSON object (mapping), not {type(finding).__name__}"
        raise FindingError([FindingProblem("invalid", message)])
    try:
        return Finding.model_validate(finding)
    except ValidationError as exc:
        problems = [FindingProblem("invalid", _pydantic_message(e), _field(e)) for e in exc.errors()]
        finding_id = finding.get("id") if isinstance(finding.get("id"), str) else None
        raise FindingError(_dedupe(problems), finding_id) from None


def prepare(pack: Pack, finding: Finding | Mapping[str, Any]) -> PreparedFinding:
    """Validate ``finding`` fully; raise :class:`FindingError` listing every problem."""
    model = coerce_finding(finding)
    problems: list[FindingProblem] = []
    sector = ""
    try:
        sector = resolve_sector(pack, model.sector)
    except FindingError as exc:
        problems.extend(exc.problems)
    facts = _check_facts(pack, model.facts, "facts", problems)
    installations: list[PreparedInstallation] = []
    listed: dict[str, list[str]] = {}
    seen: set[str] = set()
    for number, installation in enumerate(model.installations):
        where = f"installations[{number}]"
        if installation.id in seen:
            problems.append(
                FindingProblem(
                    "duplicate_installation", f"{where}: id {installation.id!r} is used twice", where
                )
            )
        seen.add(installation.id)
        kind = pack.installation_kinds.get(installation.kind)
        if kind is None:
            known_kinds = ", ".join(f"{k} ({v.name})" for k, v in pack.installation_kinds.items())
            message = f"{where}: unknown installation kind {installation.kind!r}; known: {known_kinds}"
            problems.append(FindingProblem("unknown_installation_kind", message, f"{where}.kind"))
            continue
        own = _check_facts(pack, installation.facts, f"{where}.facts", problems)
        lineage = pack.kind_lineage(installation.kind)
        for name in own:
            fact_kind = pack.facts[name].installation
            if fact_kind not in lineage:
                what = "a fact of the enterprise" if fact_kind is None else f"a fact of {fact_kind}"
                message = f"{where} ({installation.id}, {installation.kind}): {name!r} is {what}; " + (
                    "give it under the finding's facts"
                    if fact_kind is None
                    else "give it on such an installation"
                )
                problems.append(FindingProblem("misplaced_fact", message, f"{where}.facts.{name}"))
        for covered in lineage:
            listed.setdefault(covered, []).append(installation.id)
        installations.append(PreparedInstallation(installation.id, installation.kind, own))
    enterprise: dict[str, Any] = {}
    implicit: dict[str, dict[str, Any]] = {}
    for name, value in facts.items():
        fact_kind = pack.facts[name].installation
        if fact_kind is None:
            enterprise[name] = value
        elif fact_kind in listed:
            message = (
                f"fact {name!r} describes one {fact_kind} installation, but the finding lists "
                f"{fact_kind} installations ({', '.join(listed[fact_kind])}): give it on the one it is about"
            )
            problems.append(FindingProblem("misplaced_fact", message, f"facts.{name}"))
        else:
            implicit.setdefault(fact_kind, {})[name] = value
    default_kind = pack.sectors[sector].installation if sector else None
    implicit = _merge_broader(pack, implicit, default_kind)
    implied = dict(pack.sectors[sector].implies) if sector else {}
    for name, value in implied.items():
        if name in enterprise and enterprise[name] != value:
            message = (
                f"fact {name!r} is {enterprise[name]!r} in the finding, but sector {sector!r} "
                f"({pack.sectors[sector].name}) makes it {value!r}"
            )
            problems.append(FindingProblem("conflict", message, f"facts.{name}"))
    if problems:
        raise FindingError(problems, model.id)
    unnamed = [PreparedInstallation(None, kind, own) for kind, own in implicit.items()]
    return PreparedFinding(model, sector, enterprise, (*unnamed, *installations), implied)


def _merge_broader(
    pack: Pack,
    implicit: dict[str, dict[str, Any]],
    default_kind: str | None,
) -> dict[str, dict[str, Any]]:
    """Top-level facts of a broader kind (a special-equipment device) describe the same unnamed
    installation as the top-level facts of the one narrower kind given (a boiler), or, when none is
    given, one of the kind the sector is about (sector 锅炉: a boiler). With facts of several narrower
    kinds they stay an installation of their own."""
    out = dict(implicit)
    for broad in list(implicit):
        narrower = [k for k in implicit if k != broad and broad in pack.kind_lineage(k)]
        if not narrower and default_kind and default_kind != broad:
            if broad in pack.kind_lineage(default_kind):
                out[default_kind] = out.pop(broad)
            continue
        if len(narrower) != 1:
            # None, or several (a boiler's and a crane's facts): which one the broader facts describe
            # is not said, so they stay with an installation of their own kind (never guessed).
            continue
        out[narrower[0]] = {**implicit[broad], **out[narrower[0]]}
        del out[broad]
    return out


def _check_facts(
    pack: Pack, given: Mapping[str, Any], where: str, problems: list[FindingProblem]
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    known = pack.facts
    for name, value in given.items():
        spec = known.get(name)
        if spec is not None and spec.type == "bool" and (value is True or value is False):
            facts[name] = value  # the common case, without a call
            continue
        if spec is None:
            close = difflib.get_close_matches(name, list(pack.facts), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(FindingProblem("unknown_fact", f"unknown fact {name!r}{hint}", f"{where}.{name}"))
            continue
        normalised, problem = check_value(name, spec, value)
        if problem:
            problems.append(FindingProblem("wrong_type", problem, f"{where}.{name}"))
        else:
            facts[name] = normalised
    return facts


def check_value(name: str, spec: FactSpec, value: Any) -> tuple[Any, str | None]:
    """Return the normalised value, or an error message saying what was expected."""
    kind = spec.type
    if kind == "bool":
        if value is True or value is False:
            return value, None
        return None, f"fact {name!r} ({spec.label}) is true or false; got {_describe(value)}"
    if kind in ("number", "integer"):
        cls = type(value)
        if cls is int or (cls is float and kind == "number" and math.isfinite(value)):
            return value, None  # the common case, checked in full below otherwise
        unit = f" in {spec.unit}" if spec.unit else ""
        what = "a whole number" if kind == "integer" else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"fact {name!r} ({spec.label}) is {what}{unit}; got {_describe(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"fact {name!r} ({spec.label}) must be a finite number; got {value}"
        if kind == "integer" and not isinstance(value, int):
            return None, f"fact {name!r} ({spec.label}) is {what}{unit}; got {_describe(value)}"
        return value, None
    allowed = spec.values or {}
    if kind == "enum":
        if isinstance(value, str) and value in allowed:
            return value, None
        got = _describe(value)
        return None, f"fact {name!r} ({spec.label}) must be one of {_listing(allowed)}; got {got}"
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
        unknown = [v for v in value if v not in allowed]
        if not unknown:
            return frozenset(value), None
        return None, (
            f"fact {name!r} ({spec.label}) has unknown value(s) {unknown}; allowed: {_listing(allowed)}"
        )
    got = _describe(value)
    return None, f"fact {name!r} ({spec.label}) is a list of values from {_listing(allowed)}; got {got}"


def _listing(allowed: dict[str, str]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in allowed.items())


def today() -> dt.date:
    """Today's date (local time); ``date.today()`` is looked up at most once a second."""
    second = int(time.time())
    if _today[0] != second:
        _today[:] = [second, dt.date.today()]
    return _today[1]  # type: ignore[no-any-return]


_today: list[Any] = [None, None]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{value!r} (text)"
    if isinstance(value, list | tuple | set | frozenset):
        return f"a list {sorted(map(str, value))}"
    return f"a {type(value).__name__}"


def _pydantic_message(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return f"{loc} is required"
    if error["type"] == "extra_forbidden":
        if error["loc"][:1] == ("installations",):
            return f"unknown field {loc!r} (an installation has id, kind, facts)"
        fields = "id, sector, observed_on, facts, installations, description"
        return f"unknown field {loc!r} (a finding has {fields})"
    if error["loc"][:1] == ("facts",) and len(error["loc"]) > 1:
        name = error["loc"][1]
        return (
            f"fact {name!r} must be true/false, a number, text or a list of text; got {error.get('input')!r}"
        )
    return f"{loc}: {error['msg']}"


def _field(error: Any) -> str:
    loc = error["loc"]
    return ".".join(str(p) for p in (loc[:2] if loc[:1] == ("facts",) else loc))


def _dedupe(problems: list[FindingProblem]) -> list[FindingProblem]:
    seen: set[str] = set()
    out = []
    for problem in problems:
        if problem.message not in seen:
            seen.add(problem.message)
            out.append(problem)
    return out
