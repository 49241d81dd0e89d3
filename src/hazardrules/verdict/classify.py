"""``classify``: from a finding to a verdict, under the standards in force on the day."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

from .. import _version as _version_module
from .. import models
from ..engine.native import StandardResult
from ..engine.registry import get_engine
from ..errors import FindingError, FindingProblem
from ..pack.model import CompiledRule, CompiledStandard, Pack
from .arguments import arguments
from .deferral import resolve, warning
from .explanation import citation, construct, explain_rule
from .finding import PreparedFinding, prepare, today
from .select import selector


def classify(
    finding: models.Finding | Mapping[str, Any],
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    engine: str = "native",
) -> models.Verdict:
    """Classify one finding.

    ``on`` picks the standards in force that day (a date, a datetime's date or ``"YYYY-MM-DD"``;
    default: the finding's ``observed_on``, else today). With ``complete=True`` every applicable
    rule counts as touched, so the verdict lists every question still open (a whole-site
    inspection). ``select``/``ignore`` take rule ids or prefixes (a bare string is one prefix).
    ``pack`` is a :class:`~hazardrules.Pack` or a rule-pack directory. ``engine`` is ``"native"``
    (default) or ``"durable"`` (``pip install hazardrules[durable]``). Raises
    :class:`~hazardrules.FindingError` for a finding that cannot be classified and
    :class:`~hazardrules.ArgumentError` for a wrong argument.
    """
    on, complete, select, ignore, pack = arguments(on, complete, select, ignore, pack)
    runner = get_engine(engine)
    chosen = selector(pack, select, ignore)
    prepared = prepare(pack, finding)
    day = on or prepared.finding.observed_on or today()
    standards = _standards_in_force(pack, prepared, day)

    def apply(standard: CompiledStandard, sector: str) -> StandardResult:
        rules = standard.by_sector.get(sector, ())
        if not chosen.everything:
            rules = tuple(r for r in rules if chosen(r.id))
        try:
            return runner.evaluate(pack, standard, rules, prepared.facts)
        except FindingError as exc:
            raise FindingError(exc.problems, prepared.finding.id) from None

    results = [apply(standard, prepared.sector) for standard in standards]
    deferred, routed = resolve(pack, prepared, results, day, apply)
    applied: list[tuple[StandardResult, models.CitedProvision | None]] = [(r, None) for r in results]
    applied.extend(routed)
    return _verdict(pack, prepared, day, applied, deferred, complete, engine)


def _standards_in_force(pack: Pack, prepared: PreparedFinding, day: dt.date) -> list[CompiledStandard]:
    candidates = pack.standards_for(prepared.sector)
    in_force = [s for s in candidates if s.in_force(day)]
    if in_force:
        return in_force
    known = "; ".join(
        f"{s.slug} in force {s.meta.effective or s.meta.published or '?'}–{s.meta.ends or ''}"
        for s in candidates
    )
    message = f"no standard in this pack covers sector {prepared.sector!r} on {day.isoformat()}" + (
        f" ({known})" if known else ""
    )
    raise FindingError([FindingProblem("no_standard", message, "observed_on")], prepared.finding.id)


def _verdict(
    pack: Pack,
    prepared: PreparedFinding,
    day: dt.date,
    results: list[tuple[StandardResult, models.CitedProvision | None]],
    deferred: list[models.Deferred],
    complete: bool,
    engine: str,
) -> models.Verdict:
    given = prepared.facts.keys()
    hits: list[models.Hit] = []
    undecided: list[models.Undecided] = []
    read: set[str] = set()
    read_by_plan: list[frozenset[str]] = []
    for result, via in results:
        plan = result.plan
        if plan is None:
            for rule, value in result.values:
                read |= rule.touch
                if rule.applies is not None:
                    read.update(rule.applies.facts)
                if value is True:
                    hits.append(_hit(rule, result, via))
                elif value is None and (complete or not rule.touch.isdisjoint(given)):
                    undecided.append(_undecided(rule, result, via))
            continue
        # The same, with what the native engine's plan already knows about the rules.
        read_by_plan.append(plan.reads)
        touched: set[int] | None = None
        if not complete:
            touched = set()
            for fact in given:
                positions = plan.touched_by.get(fact)
                if positions is not None:
                    touched.update(positions)
        for position, (rule, value) in enumerate(result.values):
            if value is True:
                hits.append(_hit(rule, result, via))
            elif value is None and (touched is None or position in touched):
                undecided.append(_undecided(rule, result, via))
    missing: dict[str, None] = {}
    for item in undecided:
        missing.update(dict.fromkeys(item.missing))
    open_deferrals = [d for d in deferred if d.route in ("undetermined", "unavailable")]
    for deferral in open_deferrals:
        missing.update(dict.fromkeys(deferral.missing))
    status: models.Status = (
        "major" if hits else ("undetermined" if undecided or open_deferrals else "not_major")
    )
    read.update(f for f in given if pack.facts[f].matter)
    for result, _ in results:
        for route in result.standard.routes.values():
            read.update(route.when.facts)
    if read_by_plan:
        read = read.union(*read_by_plan)
    unused = [f for f in given if f not in read]
    warnings = [warning(d) for d in deferred]
    if not given:
        warnings.append("the finding gives no facts: only complete=True can say what to ask")
    if unused:
        warnings.append(
            f"facts read by no rule that applies to sector {prepared.sector!r}: {', '.join(unused)}"
        )
    return construct(
        models.Verdict,
        finding_id=prepared.finding.id,
        status=status,
        sector=prepared.sector,
        on=day,
        standards=[_standard(r.standard) for r, _ in results],
        hits=hits,
        undetermined=undecided,
        missing_facts=list(missing),
        deferred=deferred,
        complete=complete,
        warnings=warnings,
        pack=construct(models.PackInfo, name=pack.name, version=pack.version, digest=pack.digest),
        engine=engine,
        hazardrules_version=_version_module.__version__,
    )


def _hit(rule: CompiledRule, result: StandardResult, via: models.CitedProvision | None) -> models.Hit:
    trace, because, _ = explain_rule(rule, result)
    also = [
        construct(
            models.CitedProvision,
            id=c.provision_id,
            citation=citation(result.standard, c.provision.path, c.provision.label),
            text=c.provision.text,
            text_status=c.provision.text_status,
        )
        for c in rule.also_cites
        if c.when.evaluate(result.env) is True
    ]
    return construct(
        models.Hit,
        rule=rule.id,
        citation=citation(result.standard, rule.path, rule.spec.label),
        text=rule.spec.text,
        text_status=rule.spec.text_status,
        because=because,
        also_cites=also,
        via=via,
        trace=trace,
    )


def _undecided(
    rule: CompiledRule, result: StandardResult, via: models.CitedProvision | None
) -> models.Undecided:
    trace, _, missing = explain_rule(rule, result)
    return construct(
        models.Undecided,
        rule=rule.id,
        citation=citation(result.standard, rule.path, rule.spec.label),
        text=rule.spec.text,
        text_status=rule.spec.text_status,
        missing=missing,
        via=via,
        trace=trace,
    )


def _standard(standard: CompiledStandard) -> models.StandardInForce:
    meta = standard.meta
    return construct(
        models.StandardInForce,
        slug=meta.slug,
        title=meta.title,
        document_number=meta.document_number,
        effective=meta.effective,
        ends=meta.ends,
    )
