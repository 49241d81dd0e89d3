"""The engines behind ``classify``: each turns (standard, candidate rules, facts) into a
:class:`~hazardrules.engine.native.StandardResult`; verdicts, traces and explanations are built from that
result the same way whatever the engine."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..errors import HazardRulesError
from ..pack.model import CompiledRule, CompiledStandard, Pack
from .native import StandardResult, evaluate


class Engine(Protocol):
    name: str

    def evaluate(
        self,
        pack: Pack,
        standard: CompiledStandard,
        rules: Sequence[CompiledRule],
        facts: Mapping[str, Any],
        off: frozenset[str] = frozenset(),
    ) -> StandardResult: ...


class NativeEngine:
    """Compiled closures, three-valued (the default)."""

    name = "native"

    def evaluate(
        self,
        pack: Pack,
        standard: CompiledStandard,
        rules: Sequence[CompiledRule],
        facts: Mapping[str, Any],
        off: frozenset[str] = frozenset(),
    ) -> StandardResult:
        return evaluate(standard, rules, facts, off)


# name → "module:attribute" of an engine class, imported on first use (optional dependencies).
_OPTIONAL = {"durable": "hazardrules.engine.durable:DurableEngine"}
_LOADED: dict[str, Engine] = {"native": NativeEngine()}


def engine_names() -> tuple[str, ...]:
    return ("native", *_OPTIONAL)


def get_engine(name: str) -> Engine:
    engine = _LOADED.get(name)
    if engine is not None:
        return engine
    target = _OPTIONAL.get(name)
    if target is None:
        raise HazardRulesError(f"unknown engine {name!r} (available: {', '.join(engine_names())})")
    module_name, attribute = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise HazardRulesError(f"the {name} engine is not part of this version of hazardrules") from None
        raise
    loaded: Engine = getattr(module, attribute)()
    _LOADED[name] = loaded
    return loaded
