"""Check a finding against the pack's vocabulary and turn it into an evaluation environment."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import FindingError, FindingProblem, shorten
from ..models import Finding
from ..pack.format import FactSpec
from ..pack.model import Pack
from ..pack.sectors import resolve_sector


# Prepared findings and installations are not changed once made (not frozen: a frozen dataclass is
# several times slower to make, and one is made per classification).
@dataclass(slots=True)
class PreparedInstallation:
    id: str | None  # None: the one described by the finding's top-level facts
    kind: str
    facts: dict[str, Any]  # this installation's own facts, normalised


@dataclass(slots=True)
class Lifted:
    """A fact of the enterprise that one installation of the finding answers: the installation kind's
    ``implies`` or an ``any_installation`` derivation."""

    fact: str
    value: Any
    derivation: str  # the derivation's id, or installation:<kind>
    basis: str
    because: dict[str, Any]  # the installation's facts that made it hold
    installation: str | None  # the installation's id (None: the one of the top-level facts)


@dataclass(slots=True)
class PreparedFinding:
    finding: Finding
    sector: str
    facts: dict[str, Any]  # the enterprise's facts, normalised values: sets become frozensets
    installations: tuple[PreparedInstallation, ...] = ()
    implied: dict[str, Any] = field(default_factory=dict)  # facts the sectors answer (not "given")
    sectors: tuple[str, ...] = ()  # every sector of the finding; ``sector`` is the first
    lifted: dict[str, Lifted] = field(default_factory=dict)  # facts installations answer (in implied)
    merged: dict[str, Any] | None = None  # all_facts(), once worked out

    @property
    def all_sectors(self) -> tuple[str, ...]:
        return self.sectors or (self.sector,)

    @property
    def env(self) -> dict[str, Any]:
        """The enterprise's facts as rules see them: what the sector implies, then what was given."""
        return {**self.implied, **self.facts} if self.implied else self.facts

    def all_facts(self) -> dict[str, Any]:
        """Every fact given, the enterprise's and the installations' (for matters and warnings; worked
        out once: do not change it)."""
        if not self.installations:
            return self.facts
        if self.merged is None:
            merged = dict(self.facts)
            for installation in self.installations:
                merged.update(installation.facts)
            self.merged = merged
        return self.merged

    @property
    def given(self) -> bool:
        return bool(self.facts) or any(i.facts for i in self.installations)


def coerce_finding(finding: Finding | Mapping[str, Any]) -> Finding:
    if type(finding) is not dict:  # (a dict: the common case)
        if isinstance(finding, Finding):
            problem = _id_problem(finding.id)
            if problem is not None:
                raise FindingError([problem])
            return finding
        if not isinstance(finding, Mapping):
            message = f"a finding must be a JSON object (mapping), not {type(finding).__name__}"
            raise FindingError([FindingProblem("invalid", message)])
    data = dict(finding)
    problems: list[FindingProblem] = []
    identifier = data.get("id")
    problem = None if identifier is None else _id_problem(identifier)
    if problem is not None:
        problems.append(problem)
        del data["id"]
    observed = data.get("observed_on")
    if observed is not None:
        day = _DATES.get(observed) if type(observed) is str else None
        message = None
        if day is None:
            day, message = strict_date(observed, "observed_on")
            if day is not None and type(observed) is str:
                if len(_DATES) > 4096:
                    _DATES.clear()
                _DATES[observed] = day
        if message is not None:
            problems.append(FindingProblem("invalid_date", message, "observed_on"))
            del data["observed_on"]
        else:
            data["observed_on"] = day
    try:
        model = Finding.model_validate(data)
    except ValidationError as exc:
        problems.extend(FindingProblem("invalid", _pydantic_message(e), _field(e)) for e in exc.errors())
    else:
        for number, installation in enumerate(model.installations):
            if not _is_text(installation.id):
                message = f"installations[{number}].id {_describe(installation.id)} holds a lone surrogate"
                problems.append(FindingProblem("invalid_text", message, f"installations[{number}].id"))
    if problems:
        finding_id = data.get("id") if isinstance(data.get("id"), str) else None
        raise FindingError(_capped(_dedupe(problems)), finding_id) from None
    return model


def strict_date(value: Any, what: str) -> tuple[dt.date | None, str | None]:
    """A date from a ``date``, a ``datetime`` (its date) or exactly ``YYYY-MM-DD`` text; else a message.

    Stricter than pydantic, which also takes a number of seconds since 1970 or ``2024-03-01T00:00``.
    """
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            return None, f"{what}: {value!r} is not a day of the calendar"
    return None, f"{what} must be a date written YYYY-MM-DD; got {_describe(value)}"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATES: dict[str, dt.date] = {}  # YYYY-MM-DD texts already read


def _id_problem(value: Any) -> FindingProblem | None:
    if isinstance(value, str) and not _is_text(value):
        message = f"id {_describe(value)} holds a lone surrogate (not text)"
        return FindingProblem("invalid_text", message, "id")
    return None


def _is_text(value: str) -> bool:
    """False for a string holding a lone surrogate (``"\\ud800"`` in JSON), which no output can encode."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def prepare(pack: Pack, finding: Finding | Mapping[str, Any]) -> PreparedFinding:
    """Validate ``finding`` fully; raise :class:`FindingError` listing every problem."""
    model = coerce_finding(finding)
    problems: list[FindingProblem] = []
    sectors = _sectors(pack, model.sector, problems)
    sector = sectors[0] if sectors else ""
    hints = [MAX_HINTS]
    facts = _check_facts(pack, model.facts, "facts", problems, hints)
    enterprise_only = facts.keys().isdisjoint(_installation_facts(pack))  # (no fact of an installation)
    if (
        enterprise_only
        and not problems
        and not model.installations
        and len(sectors) == 1
        and not pack.sectors[sector].implies
    ):
        # The common case, as below: the enterprise's facts alone, nothing implied, no installation.
        return PreparedFinding(model, sector, facts, (), {}, (sector,), {})
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
        own = _check_facts(pack, installation.facts, f"{where}.facts", problems, hints)
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
    if enterprise_only:
        enterprise, facts = facts, {}  # the common case: every fact is the enterprise's
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
    implied: dict[str, Any] = {}
    implied_by: dict[str, str] = {}
    for slug in sectors:
        for name, value in pack.sectors[slug].implies.items():
            if name in implied and implied[name] != value:
                message = (
                    f"sector {implied_by[name]!r} makes fact {name!r} {implied[name]!r}, but sector "
                    f"{slug!r} ({pack.sectors[slug].name}) makes it {value!r}: they cannot be combined"
                )
                problems.append(FindingProblem("conflict", message, "sector"))
                continue
            implied[name], implied_by[name] = value, slug
    # a sector of one kind of device (a boiler works) reads top-level device facts as one such device
    if implicit:
        if len(sectors) == 1:
            default_kind = pack.sectors[sector].installation
        else:
            kinds = {pack.sectors[slug].installation for slug in sectors} - {None}
            default_kind = next(iter(kinds)) if len(kinds) == 1 else None
        implicit = _merge_broader(pack, implicit, default_kind)
    for name, value in implied.items():
        if name in enterprise and enterprise[name] != value:
            slug = implied_by[name]
            message = (
                f"fact {name!r} is {enterprise[name]!r} in the finding, but sector {slug!r} "
                f"({pack.sectors[slug].name}) makes it {value!r}"
            )
            problems.append(FindingProblem("conflict", message, f"facts.{name}"))
    every = (*[PreparedInstallation(None, kind, own) for kind, own in implicit.items()], *installations)
    lifted = _lift(pack, enterprise, implied, every, problems) if not problems else {}
    if problems:
        raise FindingError(_capped(problems), model.id)
    if lifted:
        implied = {**implied, **{fact: found.value for fact, found in lifted.items()}}
    return PreparedFinding(model, sector, enterprise, every, implied, tuple(sectors), lifted)


@functools.lru_cache(maxsize=16)
def _installation_facts(pack: Pack) -> frozenset[str]:
    """The facts of the pack that describe an installation."""
    return frozenset(name for name, spec in pack.facts.items() if spec.installation is not None)


def _lift(
    pack: Pack,
    enterprise: dict[str, Any],
    implied: dict[str, Any],
    installations: tuple[PreparedInstallation, ...],
    problems: list[FindingProblem],
) -> dict[str, Lifted]:
    """Facts of the enterprise that the finding's installations answer (monotone: an installation
    that exists, or whose facts satisfy an any_installation derivation, answers them for the site)."""
    if not installations or (
        not pack.lifted and not any(k.implies for k in pack.installation_kinds.values())
    ):
        return {}
    out: dict[str, Lifted] = {}
    base = {**implied, **enterprise}
    for installation in installations:
        kind = pack.installation_kinds[installation.kind]
        found = [
            Lifted(
                fact,
                value,
                f"installation:{installation.kind}",
                f"检查发现描述了{kind.name}（装置），即企业有此类装置",
                {},
                installation.id,
            )
            for fact, value in kind.implies.items()
        ]
        env = {**base, **installation.facts}
        for derivation in pack.lifted:
            if derivation.when.evaluate(env) is True:
                spec = derivation.spec
                because = {f: _plain(env[f]) for f in derivation.when.facts if f in installation.facts}
                found.append(Lifted(spec.derives, spec.value, spec.id, spec.basis, because, installation.id))
        for lifted in found:
            current = enterprise.get(lifted.fact, implied.get(lifted.fact))
            if current is None and lifted.fact in out:
                current = out[lifted.fact].value
            if current is None:
                out[lifted.fact] = lifted
            elif current != lifted.value:
                where = (
                    f"installation {lifted.installation!r}" if lifted.installation else "the finding's facts"
                )
                message = (
                    f"fact {lifted.fact!r} is {current!r} in the finding, but {where} "
                    f"({installation.kind}) makes it {lifted.value!r}: "
                    f"{lifted.derivation} ({lifted.basis.strip()})"
                )
                problems.append(FindingProblem("conflict", message, f"facts.{lifted.fact}"))
    return out


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, frozenset) else value


def _sectors(pack: Pack, given: str | list[str], problems: list[FindingProblem]) -> list[str]:
    """The finding's sector slugs, in order, each once (a list names a site run as several sectors)."""
    if isinstance(given, str) and given in pack.sectors:
        return [given]  # a slug (the common case)
    names = [given] if isinstance(given, str) else list(given)
    out: list[str] = []
    for number, name in enumerate(names):
        try:
            slug = resolve_sector(pack, name)
        except FindingError as exc:
            where = "sector" if isinstance(given, str) else f"sector[{number}]"
            problems.extend(FindingProblem(p.code, p.message, where) for p in exc.problems)
            continue
        if slug not in out:
            out.append(slug)
    return out


def _merge_broader(
    pack: Pack,
    implicit: dict[str, dict[str, Any]],
    default_kind: str | None,
) -> dict[str, dict[str, Any]]:
    """Top-level facts of a broader kind (a special-equipment device) describe the same unnamed
    installation as the top-level facts of the one narrower kind given (a boiler), or, when none is
    given, one of the kind the sector is about (sector 锅炉: a boiler). With facts of several narrower
    kinds they stay an installation of their own."""
    if len(implicit) == 1 and (default_kind is None or default_kind in implicit):
        return implicit  # one kind, the sector's own or none said (the common case): nothing to merge
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
    pack: Pack, given: Mapping[str, Any], where: str, problems: list[FindingProblem], hints: list[int]
) -> dict[str, Any]:
    """Check ``given`` facts; ``hints`` holds how many did-you-mean suggestions are left to work out."""
    facts: dict[str, Any] = {}
    known = pack.facts
    for name, value in given.items():
        spec = known.get(name)
        if spec is not None:  # the common cases, without a call (check_value decides the rest)
            kind = spec.type
            if kind == "bool":
                if value is True or value is False:
                    facts[name] = value
                    continue
            elif kind == "enum":
                if type(value) is str and spec.values and value in spec.values:
                    facts[name] = value
                    continue
            elif type(value) is int and (kind == "integer" or kind == "number"):
                low, high = spec.minimum, spec.maximum
                if (
                    -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
                    and (low is None or value >= low)
                    and (high is None or value <= high)
                ):
                    facts[name] = value
                    continue
        if spec is None:
            close = None
            if hints[0] > 0:
                hints[0] -= 1
                close = close_match(pack, name)
            hint = f" (did you mean {close!r}?)" if close else ""
            message = f"unknown fact {shorten(name)!r}{hint}"
            problems.append(FindingProblem("unknown_fact", message, f"{where}.{shorten(name)}"))
            continue
        normalised, problem = check_fact(name, spec, value, where)
        if problem is not None:
            problems.append(problem)
        else:
            facts[name] = normalised
    return facts


MAX_HINTS = 5  # did-you-mean suggestions computed per finding (each compares with the whole vocabulary)
MAX_HINT_NAME = 100  # no suggestion for a longer name: no fact name is that long
MAX_PROBLEMS = 20  # problems listed per finding; the rest are counted
MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer every JSON reader (and durable-rules) holds exactly


def close_match(pack: Pack, name: str) -> str | None:
    """The vocabulary's closest fact name to ``name`` (did you mean …?), cached; None for long names."""
    if len(name) > MAX_HINT_NAME:
        return None
    return _close_match(pack, name)


@functools.lru_cache(maxsize=4096)
def _close_match(pack: Pack, name: str) -> str | None:
    close = difflib.get_close_matches(name, list(pack.facts), n=1)
    return close[0] if close else None


def _capped(problems: list[FindingProblem]) -> list[FindingProblem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    last = FindingProblem("too_many_problems", f"… and {more} more problem(s) not listed")
    return [*problems[:MAX_PROBLEMS], last]


def check_fact(
    name: str, spec: FactSpec, value: Any, where: str = "facts"
) -> tuple[Any, FindingProblem | None]:
    """Return the normalised value, or the problem (``wrong_type`` or ``out_of_range``)."""
    normalised, message = check_value(name, spec, value)
    if message is None:
        return normalised, None
    code = "out_of_range" if message.startswith(_RANGE) else "wrong_type"
    return None, FindingProblem(code, message.removeprefix(_RANGE), f"{where}.{shorten(name)}")


_RANGE = "\0range:"  # marks an out-of-range message from check_value (stripped by check_fact)


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
            return _in_range(name, spec, value)  # the common case, checked in full below otherwise
        unit = f" in {spec.unit}" if spec.unit else ""
        what = "a whole number" if kind == "integer" else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"fact {name!r} ({spec.label}) is {what}{unit}; got {_describe(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"fact {name!r} ({spec.label}) must be a finite number; got {value}"
        if kind == "integer" and not isinstance(value, int):
            return None, f"fact {name!r} ({spec.label}) is {what}{unit}; got {_describe(value)}"
        return _in_range(name, spec, value)
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


def _in_range(name: str, spec: FactSpec, value: int | float) -> tuple[Any, str | None]:
    low = spec.minimum
    high = spec.maximum
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER or isinstance(value, float):
        if (low is None or value >= low) and (high is None or value <= high):
            return value, None
    else:
        low = -MAX_SAFE_INTEGER if low is None else max(low, -MAX_SAFE_INTEGER)
        high = MAX_SAFE_INTEGER if high is None else min(high, MAX_SAFE_INTEGER)
    unit = f" {spec.unit}" if spec.unit else ""
    if low is not None and high is not None:
        expected = f"between {low:g} and {high:g}{unit}"
    elif low is not None:
        expected = f"at least {low:g}{unit}"
    else:
        expected = f"at most {high:g}{unit}"
    return None, f"{_RANGE}fact {name!r} ({spec.label}) is {expected}; got {_describe(value)}"


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
    """A short description of a value for a message: never longer than about 100 characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int) and not -(10**30) < value < 10**30:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, int | float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{shorten(value)!r} (text)"
    if isinstance(value, list | tuple | set | frozenset):
        shown = [shorten(str(v), 20) for v in list(value)[:5]]
        more = f" … {len(value)} in all" if len(value) > 5 else ""
        return f"a list {shown}{more}"
    return f"a {type(value).__name__}"


def _pydantic_message(error: Any) -> str:
    loc = shorten(".".join(str(p) for p in error["loc"]))
    if error["type"] == "missing":
        return f"{loc} is required"
    if error["type"] == "extra_forbidden":
        if error["loc"][:1] == ("installations",):
            return f"unknown field {loc!r} (an installation has id, kind, facts)"
        fields = "id, sector, observed_on, facts, installations, description"
        return f"unknown field {loc!r} (a finding has {fields})"
    if error["loc"][:1] == ("facts",) and len(error["loc"]) > 1:
        name = shorten(str(error["loc"][1]))
        got = _describe(error.get("input"))
        return f"fact {name!r} must be true/false, a number, text or a list of text; got {got}"
    return f"{loc}: {shorten(error['msg'])}"


def _field(error: Any) -> str:
    loc = error["loc"]
    return shorten(".".join(str(p) for p in (loc[:2] if loc[:1] == ("facts",) else loc)))


def _dedupe(problems: list[FindingProblem]) -> list[FindingProblem]:
    seen: set[str] = set()
    out = []
    for problem in problems:
        if problem.message not in seen:
            seen.add(problem.message)
            out.append(problem)
    return out
