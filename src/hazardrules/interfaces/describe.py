"""Plain-data views of rules, shared by the CLI (``rules list/show``) and the documentation."""

from __future__ import annotations

from typing import Any

from ..pack.format import Example
from ..pack.model import CompiledRule, Pack


def rule_summary(rule: CompiledRule) -> dict[str, Any]:
    """The object ``rules list --format json`` prints for each rule."""
    spec = rule.spec
    return {
        "id": spec.id,
        "standard": rule.standard,
        "path": rule.path,
        "label": spec.label,
        "text": spec.text,
        "text_status": spec.text_status,
        "sectors": sorted(rule.sectors),
        "source_url": spec.source_url,
        "verified_on": spec.verified_on.isoformat() if spec.verified_on else None,
    }


def rule_detail(pack: Pack, rule: CompiledRule) -> dict[str, Any]:
    """The object ``rules show ID --format json`` prints: the summary plus logic and examples."""
    spec = rule.spec
    standard = pack.standards[rule.standard].meta
    ordered = [s for s in standard.sectors if s in rule.sectors] or sorted(rule.sectors)
    detail = rule_summary(rule)
    detail.update(
        {
            "title": standard.title,
            "document_number": standard.document_number,
            "applies": {"sectors": ordered, "when": spec.applies.when},
            "condition": spec.condition,
            "facts": list(
                dict.fromkeys([*(rule.applies.facts if rule.applies else ()), *rule.condition.facts])
            ),
            "also_cites": [c.model_dump() for c in spec.also_cites],
            "kinds": [k for k in rule.kinds if k is not None],
            "catch_all": spec.catch_all,
            "examples": [example_of(pack, rule, example) for example in spec.examples],
            "notes": [note.model_dump(exclude_none=True) for note in spec.notes],
            "deviation": spec.deviation.model_dump() if spec.deviation else None,
        }
    )
    return detail


def example_of(pack: Pack, rule: CompiledRule, example: Example) -> dict[str, Any]:
    """A worked example as the finding to classify (dated in the standard's period) and its outcome."""
    meta = pack.standards[rule.standard].meta
    ordered = [s for s in meta.sectors if s in rule.sectors] or sorted(rule.sectors)
    day = example.observed_on or meta.effective or meta.published
    finding: dict[str, Any] = {"sector": example.sector or ordered[0], "facts": dict(example.facts)}
    if example.installations:
        finding["installations"] = [i.model_dump() for i in example.installations]
    if day is not None:
        finding["observed_on"] = day.isoformat()
    out: dict[str, Any] = {"finding": finding, "expect": example.expect}
    if example.note:
        out["note"] = example.note
    return out
