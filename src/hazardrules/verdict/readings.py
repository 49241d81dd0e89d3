"""What a verdict says about facts that were not given: the documented readings it relied on (never
the law: listed in ``readings`` with the warning ``reading_applied``), and the facts of the enterprise
that one of the finding's installations answered (shown in the traces as derived, with their basis)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import models
from ..pack.model import Pack
from .codes import CODES
from .explanation import construct
from .finding import PreparedFinding
from .judge import Judgement


def readings_used(
    judgements: list[Judgement], complete: bool
) -> dict[str, tuple[dict[str, None], dict[str, None]]]:
    """Each documented reading whose derivations set a fact a reported rule reads: its derivations
    and those rules (for the verdict and, as a code, for the summary)."""
    used: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for judgement in judgements:
        if not judgement.enterprise.origin and not judgement.per_kind:
            continue  # no derivation set a fact (the common case)
        if not judgement.standard.reading_derivations:
            continue  # no derivation of the standard belongs to a reading
        results = [judgement.enterprise, *(r for runs in judgement.per_kind.values() for _, r, _ in runs)]
        if not any(d.spec.reading for result in results for d in result.origin.values()):
            continue
        for item in judgement.items(complete):
            for fact, derivation in item.result.origin.items():
                reading = derivation.spec.reading
                if reading is not None and fact in item.unit.touch:
                    derivations, rules = used.setdefault(reading, ({}, {}))
                    derivations[derivation.spec.id] = None
                    rules[item.unit.id] = None
    return used


def add_readings(pack: Pack, verdict: models.Verdict, judgements: list[Judgement], complete: bool) -> None:
    """List the documented readings whose derivations set a fact that a reported rule reads."""
    used = readings_used(judgements, complete)
    if not used:
        return
    known = pack.readings()
    for reading_id, (derivations, rules) in used.items():
        spec = known[reading_id]
        verdict.readings.append(
            models.ReadingUsed(
                id=reading_id,
                title=spec.title,
                publisher=spec.publisher,
                official=spec.official,
                url=spec.url,
                provisions=list(spec.provisions),
                derivations=list(derivations),
                rules=list(rules),
            )
        )
        kind = "政府部门的执法实践" if spec.official else "第三方资料"
        message = (
            f"判定使用了解读「{spec.title}」（{spec.publisher}，{kind}）推定的事实，涉及"
            f"{'、'.join(rules)}。该解读不是判定标准的条文，也不是发布机关的解释；"
            f"不采用时请以 readings 参数（命令行 --readings）将其关闭。"
        )
        assert "reading_applied" in CODES
        verdict.warnings.append(
            models.Notice(code="reading_applied", message=message, facts=[], rules=list(rules))
        )


def add_lifted(verdict: models.Verdict, prepared: PreparedFinding) -> None:
    """Show, in each trace that reads one, the facts of the enterprise an installation answered."""
    lifted = prepared.lifted
    if not lifted:
        return
    items: list[models.Hit | models.Undecided] = [*verdict.hits, *verdict.undetermined]
    for item in items:
        read = {fact for fact in _facts(item.trace) if fact in lifted}
        known = {d.fact for d in item.trace.derived}
        extra = [
            construct(
                models.Derived,
                fact=fact,
                value=lifted[fact].value,
                derivation=lifted[fact].derivation,
                basis=lifted[fact].basis,
                because=dict(lifted[fact].because),
                reading=None,
            )
            for fact in sorted(read - known)
        ]
        if extra:
            item.trace = item.trace.model_copy(update={"derived": [*item.trace.derived, *extra]})


def _facts(trace: models.Trace) -> Iterator[str]:
    stack = [trace.condition, *([trace.applies] if trace.applies else [])]
    while stack:
        node = stack.pop()
        if node.fact is not None:
            yield node.fact
        stack.extend(node.children)
