"""Every worked example of every rule, run through the public API."""

from __future__ import annotations

from typing import Any

import pytest

import hazardrules

from ._examples import all_examples

EXAMPLES = all_examples()


@pytest.mark.parametrize(
    ("rule_id", "number", "finding", "expect"),
    EXAMPLES,
    ids=[f"{r}#{n}-{e}" for r, n, _, e in EXAMPLES],
)
def test_example(rule_id: str, number: int, finding: dict[str, Any], expect: str) -> None:
    verdict = hazardrules.classify(finding, complete=True, select=[rule_id])
    held = {h.rule for h in verdict.hits}
    open_ = {u.rule for u in verdict.undetermined}
    outcome = "holds" if rule_id in held else "undetermined" if rule_id in open_ else "does_not_hold"
    assert outcome == expect


def test_every_rule_has_all_three_kinds_of_example(pack: hazardrules.Pack) -> None:
    for rule in pack.rules():
        kinds = {e.expect for e in rule.examples}
        assert kinds >= {"holds", "does_not_hold", "undetermined"}, rule.id


def test_undetermined_examples_name_what_is_missing() -> None:
    for rule_id, _, finding, expect in EXAMPLES:
        if expect != "undetermined":
            continue
        verdict = hazardrules.classify(finding, complete=True, select=[rule_id])
        # A selection is a prefix (fm-2022:1.20 also selects 1.20.1–1.20.6), and a rule with alternatives
        # about the whole site and about one kind of installation (coal-2020:8.1) can be open in both parts.
        own = [u for u in verdict.undetermined if u.rule == rule_id]
        assert own, rule_id
        for undecided in own:
            assert undecided.missing, rule_id
            assert not set(undecided.missing) & set(finding["facts"]), rule_id
