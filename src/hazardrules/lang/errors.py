"""The one exception the expression language raises."""

from __future__ import annotations

from typing import Any

from ..errors import HazardRulesError


class ExpressionError(HazardRulesError, ValueError):
    """A condition that cannot be parsed, typed or evaluated.

    ``position`` is the 0-based character offset in the condition text, when known.
    """

    def __init__(self, message: str, position: int | None = None, text: str | None = None) -> None:
        self.message = message
        self.position = position
        self.text = text
        super().__init__(self._render())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.position, self.text))

    def _render(self) -> str:
        if self.position is None or self.text is None:
            return self.message
        return f"{self.message} (at column {self.position + 1}: {_excerpt(self.text, self.position)})"


def _excerpt(text: str, position: int, width: int = 24) -> str:
    start = max(0, position - width)
    return f"…{text[start:position]}⟨here⟩{text[position : position + width]}…"
