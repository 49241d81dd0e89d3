"""Plain-data views of rules, shared by the CLI (``rules list/show``) and the documentation."""

from __future__ import annotations

from typing import Any

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
            "examples": [
                {
                    "finding": {
                        "sector": example.sector or ordered[0],
                        "facts": dict(example.facts),
                        **({"observed_on": example.observed_on.isoformat()} if example.observed_on else {}),
                    },
                    "expect": example.expect,
                    **({"note": example.note} if example.note else {}),
                }
                for example in spec.examples
            ],
            "notes": [note.model_dump(exclude_none=True) for note in spec.notes],
            "deviation": spec.deviation.model_dump() if spec.deviation else None,
        }
    )
    return detail
