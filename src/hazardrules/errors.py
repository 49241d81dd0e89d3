"""Exceptions. Every message names what is wrong and where.

Every exception here survives a pickle round trip (``__reduce__`` rebuilds it from its fields), so
errors raised in a :class:`~concurrent.futures.ProcessPoolExecutor` worker reach the caller intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class HazardRulesError(Exception):
    """Base class of every error this library raises on purpose."""


class ArgumentError(HazardRulesError, ValueError):
    """An argument of a public function that cannot be used (a usage error, exit code 2 in the CLI)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a rule pack: the file, the rule (or other item) and what is wrong."""

    file: str
    item: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}: {self.item}" if self.item else self.file
        return f"{where}: {self.message}"


class PackError(HazardRulesError):
    """A rule pack that cannot be loaded; ``problems`` lists everything found in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the rule pack has {len(problems)} problem(s):\n{lines}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


@dataclass(frozen=True, slots=True)
class FindingProblem:
    """One thing wrong with a finding. ``code`` is stable for programs to match on."""

    # unknown_fact, wrong_type, out_of_range, unknown_sector, invalid, invalid_text, conflict,
    # no_standard, too_many_problems, …
    code: str
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return self.message


class FindingError(HazardRulesError, ValueError):
    """A finding that cannot be classified; ``problems`` lists every problem found."""

    def __init__(self, problems: list[FindingProblem], finding_id: str | None = None) -> None:
        self.problems = problems
        self.finding_id = finding_id
        prefix = f"finding {shorten(finding_id)!r}: " if finding_id else ""
        super().__init__(prefix + "; ".join(p.message for p in problems))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems, self.finding_id))

    def to_dict(self) -> dict[str, object]:
        return {
            "finding_id": self.finding_id,
            "problems": [{"code": p.code, "field": p.field, "message": p.message} for p in self.problems],
        }


class RuleNotFound(HazardRulesError, KeyError):
    """No rule with that id in the pack."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "rule not found"


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with the number left out, so a message stays readable."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(+{len(text) - limit} chars)"
