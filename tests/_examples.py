"""Every rule example of the shipped pack, as (rule id, number, finding, expectation)."""

from __future__ import annotations

from typing import Any

import hazardrules
from hazardrules.interfaces.describe import rule_detail


def all_examples() -> list[tuple[str, int, dict[str, Any], str]]:
    pack = hazardrules.load_pack()
    out = []
    for rule in pack.compiled_rules():
        for number, example in enumerate(rule_detail(pack, rule)["examples"], start=1):
            out.append((rule.id, number, example["finding"], example["expect"]))
    return out
