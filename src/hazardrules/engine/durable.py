"""The durable-rules engine: ``classify(finding, engine="durable")``.

Install it with ``pip install hazardrules[durable]`` (durable-rules 2.0.28, which imports on CPython
3.11 and 3.12 only; on 3.13 its C extension fails to load because ``PyEval_CallObject`` was removed,
and asking for this engine raises :class:`~hazardrules.HazardRulesError` saying so).

What it does
------------
Each standard of a rule pack is compiled, from the conditions' ASTs (nothing is ever ``eval``-ed),
into durable-rules rulesets, once per (pack digest, standard, sector) and registered under names
derived from the pack digest. A finding is asserted as one durable-rules *fact* (never posted as an
event: an event is consumed by the first rule it matches), the actions record what matched, then the
fact is retracted and the finding's state deleted; every classification has its own state id.

* **Rules.** Every rule becomes two families of durable rules: one whose patterns match exactly
  when the rule (``applies and condition``) is *true*, one whose patterns match exactly when it is
  *false*. Negations are pushed down to the tests (durable-rules has no ``not``), ``and``/``or``/
  ``at_least`` become disjunctive normal form (one durable rule per term, since durable-rules fires
  a rule's action once per matching ``$or`` branch anyway), comparisons become ``$lt``/``$neq``/…
  tests whose left side is a fact, ``in``/``any_in`` over set facts become tests on one boolean
  property per allowed value.
* **Derivations** are forward chaining: a durable rule per derivation, with the derivation's
  position in dependency order as its priority, matches when its condition is true and the derived
  fact is still unknown; its action retracts the finding's fact and asserts it again with the derived
  fact set, which re-runs the match. A second rule matches when the condition is true but the fact
  already has another value: that is the same :class:`~hazardrules.FindingError` (``conflict``, same
  message) the native engine raises.
* **Unknown facts.** A fact absent from the finding is a property absent from the durable fact, and
  every test this engine emits matches only when the properties it reads are present (``$ex`` is
  added where durable-rules would otherwise match a missing property, e.g. a comparison with another
  fact). So when unknown facts could still decide a rule, neither its "true" nor its "false" patterns
  match and the rule comes out *unknown*: exactly Kleene's three-valued answer the native engine
  gives (``false and unknown`` is false, ``true or unknown`` is true, a comparison with an unknown is
  unknown, a derivation whose condition is unknown does not fire). The verdict, including
  ``undetermined`` and its missing facts, is therefore the native engine's; the differential tests
  check that on two-valued findings over the whole pack and on three-valued ones.

What it refuses (with a :class:`~hazardrules.HazardRulesError` that says to use the native engine)
rather than risk a silently different answer: a comparison with no single fact on either side
(``a + b > c``; durable-rules tests a property against a value), a division by anything but a
non-zero number (durable-rules divides integers as integers and cannot raise on zero), an
``at_least`` or a condition whose normal form would exceed :data:`MAX_TERMS` terms, a rule that reads
more than :data:`MAX_PROPERTIES` properties, and integers of magnitude 2**53 or more (durable-rules
computes in 64-bit integers and doubles).

Limits and quirks of durable-rules 2.0.28 found while building this, and what is done about them:

* a fact holds at most ~250 properties (error 302) and the alpha network's matching stack holds 64
  pending nodes (error 303, reached by ~64 rules matching one fact): a standard's rules are split
  into *shards* (one durable ruleset each, holding the derivations its rules depend on) and the
  durable rules of a shard hang under a tree of always-true marker tests with at most
  :data:`FAN_OUT` children per node;
* its JSON parser rejects numbers such as ``1e-05`` (an exponent without a point), so every JSON
  text sent to it is written by :func:`dumps` here; text values travel as numbers;
* it divides integers as integers, and a comparison with another property matches when that
  property is missing: handled as above (float divisors, ``$ex`` guards);
* deleting the state of a fact that matched no rule crashes the process (segmentation fault), and a
  fact that matches no rule raises ``MessageNotHandledException``: a catch-all rule of lowest
  priority matches every finding (its action also confirms that the finding was fully processed),
  so assertion is always handled; ``MessageNotHandledException`` on retraction is ignored (it is
  not an error for us);
* it holds at most 1024 live states (``MemoryError`` after that): every state is deleted as soon as
  its classification ends, so memory stays flat (measured over a million classifications, see
  benchmarks/RESULTS.md);
* it swallows exceptions raised by actions into the state: this engine's actions catch their own
  and the classification raises :class:`~hazardrules.HazardRulesError` instead.

Threads and global state: durable-rules keeps its rulesets and states in process-global C tables
and is not thread-safe, so this engine **serialises every classification and compilation behind one
process-wide lock** (:data:`LOCK`); calls from several threads are safe but do not run in parallel.
No durable-rules ``Host`` is created (it would start timer threads that dispatch actions in the
background); rulesets are created directly and kept for the life of the process, one set per pack
digest (:meth:`DurableEngine.reset` deletes them).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import math
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import FindingError, FindingProblem, HazardRulesError
from ..lang import ExpressionError, compile_expr, fact_names
from ..lang import nodes as n
from ..lang.check import ExprType
from ..pack.model import CompiledDerivation, CompiledRule, CompiledStandard, Pack
from .native import StandardResult, Value, conflict_message

INSTALL = "pip install hazardrules[durable]"
MAX_TERMS = 512  # terms of one pattern in disjunctive normal form
MAX_PROPERTIES = 240  # finding properties in one durable fact (durable-rules stops near 250)
FAN_OUT = 12  # children of one node of the marker tree (durable-rules' matching stack holds 64)
MAX_INTEGER = 2**53
LOCK = threading.Lock()

_SID = itertools.count(1)


# -- availability ----------------------------------------------------------------------------------
def unavailable_message(exc: BaseException, version: tuple[int, ...] | None = None) -> str:
    """Why durable-rules cannot be used here, and what to do about it."""
    version = version or tuple(int(sys.version_info[i]) for i in range(3))
    python = ".".join(str(v) for v in version[:3])
    alternative = "or classify with engine='native' (the default), which gives the same verdicts"
    if tuple(version[:2]) >= (3, 13):
        return (
            f"the durable engine needs durable-rules 2.0.28, which does not work on Python {python}: "
            "its C extension calls PyEval_CallObject, removed from Python in 3.13. Run hazardrules "
            f"on Python 3.11 or 3.12 with `{INSTALL}`, {alternative}"
        )
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("durable"):
        return (
            f"the durable engine needs durable-rules, which is not installed: `{INSTALL}` "
            f"(durable-rules 2.0.28, Python 3.11 or 3.12), {alternative}"
        )
    return (
        f"the durable engine needs durable-rules 2.0.28, which is installed but failed to import "
        f"({type(exc).__name__}: {exc}); reinstall it with `{INSTALL}`, {alternative}"
    )


@dataclass(frozen=True, slots=True)
class _Durable:
    engine: Any  # durable.engine
    core: Any  # durable_rules_engine, the C extension
    not_handled: type[Exception]


_loaded: _Durable | None = None


def _load() -> _Durable:
    global _loaded
    if _loaded is None:
        try:
            importlib.import_module("durable.lang")
            engine = importlib.import_module("durable.engine")
            core = importlib.import_module("durable_rules_engine")
        except ImportError as exc:
            raise HazardRulesError(unavailable_message(exc)) from exc
        _loaded = _Durable(engine, core, engine.MessageNotHandledException)
    return _loaded


# -- JSON that durable-rules parses ----------------------------------------------------------------
def dumps(value: Any) -> str:
    """JSON text for durable-rules: floats always have a point before an exponent (``1.0e-05``)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise HazardRulesError(f"the durable engine cannot pass the number {value} to durable-rules")
        text = repr(value)
        if "e" in text:
            mantissa, exponent = text.split("e")
            if "." not in mantissa:
                mantissa += ".0"
            text = f"{mantissa}e{exponent}"
        return text
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} for durable-rules")  # pragma: no cover


# -- how a finding becomes properties of a durable fact -------------------------------------------
class _Unsupported(Exception):
    """A condition this engine does not compile (it refuses rather than guess)."""


class _Encoding:
    """Property names and value codes for one pack (fact names are never used as property names)."""

    def __init__(self, pack: Pack) -> None:
        self.types: dict[str, ExprType] = dict(pack.fact_types)
        self.keys = {name: f"f{i}" for i, name in enumerate(sorted(self.types))}
        self.set_values: dict[str, tuple[str, ...]] = {
            name: tuple(sorted(t.values or ())) for name, t in self.types.items() if t.kind == "set"
        }
        strings = sorted({v for t in self.types.values() if t.kind == "string" for v in t.values or ()})
        self.strings: dict[str, int] = {s: i for i, s in enumerate(strings)}
        # A documented reading is a property of the finding's fact, true when the caller left it on;
        # its derivations' patterns test it.
        self.readings: dict[str, str] = {r: f"r{i}" for i, r in enumerate(sorted(pack.readings()))}

    def width(self, fact: str) -> int:
        """How many properties the fact takes in a durable fact."""
        return 1 + len(self.set_values.get(fact, ()))

    def member(self, fact: str, value: str) -> str | None:
        """The property saying whether set fact ``fact`` holds ``value`` (None: it never can)."""
        values = self.set_values[fact]
        return f"{self.keys[fact]}_{values.index(value)}" if value in values else None

    def code(self, text: str) -> int:
        """Text values travel as numbers (the same text, the same number, across the pack)."""
        found = self.strings.get(text)
        if found is None:  # a literal no fact can take: a fresh code that equals no fact's value
            found = self.strings[text] = len(self.strings)
        return found

    def constant(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return self.code(value)
        if isinstance(value, int):
            if abs(value) >= MAX_INTEGER:
                raise _Unsupported(f"the integer {value} is too large for durable-rules (|n| < 2**53)")
            return value
        if isinstance(value, float):
            return value  # a double on both sides
        raise _Unsupported(f"cannot pass {value!r} to durable-rules")

    def encode(self, fact: str, value: Any, out: dict[str, Any]) -> None:
        """Add the properties for one known fact to ``out``."""
        key = self.keys[fact]
        values = self.set_values.get(fact)
        if values is not None:
            out[key] = True
            for i, v in enumerate(values):
                out[f"{key}_{i}"] = v in value
            return
        try:
            out[key] = self.constant(value)
        except _Unsupported as exc:
            raise HazardRulesError(f"fact {fact!r}: {exc}; classify with engine='native'") from None


# -- patterns: disjunctive normal forms of durable-rules tests --------------------------------------
@dataclass(frozen=True, slots=True)
class _Test:
    """One durable-rules test on one property, hashable: the value is kept as its JSON text."""

    op: str  # "==", "!=", "<", "<=", ">", ">=", "ex", "nex"
    key: str
    text: str = "null"  # the value (a constant, or an expression reading other properties)
    constant: bool = True  # False when the value reads other properties

    @staticmethod
    def of(op: str, key: str, value: Any = None, constant: bool = True) -> _Test:
        return _Test(op, key, dumps(value), constant)

    def json(self) -> dict[str, Any]:
        if self.op == "ex":
            return {"$ex": {self.key: 1}}
        if self.op == "nex":
            return {"$nex": {self.key: 1}}
        value = json.loads(self.text)
        if self.op == "==":
            return {self.key: value}
        return {_DURABLE_OPS[self.op]: {self.key: value}}

    def sort_key(self) -> tuple[str, str, str]:
        return (self.key, self.op, self.text)


_DURABLE_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}

Term = frozenset[_Test]
DNF = list[Term]  # [] never matches, [frozenset()] always does
TRUE: DNF = [frozenset()]
FALSE: DNF = []


def _simplify(term: Iterable[_Test]) -> Term | None:
    """Drop a contradictory term (None) and tests implied by others."""
    tests = frozenset(term)
    equal: dict[str, str] = {}
    for t in tests:
        if t.op == "==" and t.constant and equal.setdefault(t.key, t.text) != t.text:
            return None
    compared = {t.key for t in tests if t.constant and t.op not in ("ex", "nex")}
    for t in tests:
        if t.op == "!=" and t.constant and equal.get(t.key) == t.text:
            return None
        if t.op == "nex" and (t.key in compared or any(u.key == t.key and u.op == "ex" for u in tests)):
            return None
    # A comparison with a constant only matches a present property: $ex beside it adds nothing.
    return frozenset(t for t in tests if not (t.op == "ex" and t.key in compared))


def _normal(terms: Iterable[Term | None], what: str) -> DNF:
    unique = sorted({t for t in terms if t is not None}, key=len)
    kept: DNF = []
    for term in unique:  # absorption: a term that contains a kept term adds nothing
        if not any(k <= term for k in kept):
            kept.append(term)
    if len(kept) > MAX_TERMS:
        raise _Unsupported(f"{what} expands to more than {MAX_TERMS} alternatives")
    return kept


def _conjoin(parts: Sequence[DNF], what: str) -> DNF:
    out: DNF = TRUE
    for part in parts:
        if len(out) * len(part) > MAX_TERMS * 8:
            raise _Unsupported(f"{what} expands to more than {MAX_TERMS} alternatives")
        out = _normal((_simplify(a | b) for a in out for b in part), what)
        if not out:
            return FALSE
    return out


def _disjoin(parts: Sequence[DNF], what: str) -> DNF:
    return _normal((t for part in parts for t in part), what)


class _Compiler:
    """Turn a checked AST into the patterns matching exactly where it is true (or false)."""

    def __init__(self, encoding: _Encoding) -> None:
        self.enc = encoding

    def pattern(self, node: n.Node, want: bool) -> DNF:
        what = str(node)
        if isinstance(node, n.Literal) and isinstance(node.value, bool):
            return TRUE if node.value == want else FALSE
        if isinstance(node, n.Fact):
            if self.enc.types[node.name].kind != "bool":
                raise _Unsupported(f"{node} is not a condition")
            return [frozenset({_Test.of("==", self.enc.keys[node.name], want)})]
        if isinstance(node, n.Not):
            return self.pattern(node.operand, not want)
        if isinstance(node, n.And | n.Or):
            parts = [self.pattern(o, want) for o in node.operands]
            conjunctive = isinstance(node, n.And) == want
            return _conjoin(parts, what) if conjunctive else _disjoin(parts, what)
        if isinstance(node, n.AtLeast):
            return self.at_least(node, want)
        if isinstance(node, n.Compare):
            return self.compare(node, want)
        if isinstance(node, n.In):
            return self.membership(node, want != node.negated)
        if isinstance(node, n.AnyIn):
            return self.any_in(node, want)
        raise _Unsupported(f"{type(node).__name__} ({node}) is not a condition")

    def at_least(self, node: n.AtLeast, want: bool) -> DNF:
        # true: some `count` operands true; false: more than len - count operands false.
        size = len(node.operands)
        chosen = node.count if want else size - node.count + 1
        if math.comb(size, chosen) > MAX_TERMS:
            raise _Unsupported(f"{node} expands to more than {MAX_TERMS} alternatives")
        parts = [self.pattern(o, want) for o in node.operands]
        return _disjoin(
            [
                _conjoin([parts[i] for i in group], str(node))
                for group in itertools.combinations(range(size), chosen)
            ],
            str(node),
        )

    def compare(self, node: n.Compare, want: bool) -> DNF:
        if not fact_names(node):
            return TRUE if _constant(node) == want else FALSE
        op, left, right = node.op, node.left, node.right
        if not isinstance(left, n.Fact):
            if not isinstance(right, n.Fact):
                raise _Unsupported(
                    f"{node}: durable-rules compares one fact with a value; neither side is a fact"
                )
            op, left, right = _FLIP[op], right, left
        if not want:
            op = _NEGATE[op]
        key = self.enc.keys[left.name]
        value, reads = self.value(right)
        if not reads:
            return [frozenset({_Test.of(op, key, value)})]
        guards = {_Test.of("ex", key), *(_Test.of("ex", self.enc.keys[r]) for r in reads)}
        return [frozenset({*guards, _Test.of(op, key, value, constant=False)})]

    def value(self, node: n.Node) -> tuple[Any, tuple[str, ...]]:
        """A durable-rules value expression and the facts it reads."""
        if not fact_names(node):
            return self.enc.constant(_constant(node)), ()
        if isinstance(node, n.Fact):
            return {"$m": self.enc.keys[node.name]}, (node.name,)
        if isinstance(node, n.Negate):
            inner, reads = self.value(node.operand)
            return {"$mul": {"$l": -1, "$r": inner}}, reads
        if isinstance(node, n.Arith):
            left, left_reads = self.value(node.left)
            if node.op == "/":
                divisor = _constant(node.right) if not fact_names(node.right) else None
                if isinstance(divisor, bool) or not isinstance(divisor, int | float) or divisor == 0:
                    raise _Unsupported(f"{node}: the durable engine divides only by a non-zero number")
                return {"$div": {"$l": left, "$r": float(divisor)}}, left_reads
            right, right_reads = self.value(node.right)
            return {_ARITH[node.op]: {"$l": left, "$r": right}}, (*left_reads, *right_reads)
        raise _Unsupported(f"{node} is not a value durable-rules can compute")

    def membership(self, node: n.In, want: bool) -> DNF:
        item, container = node.item, node.container
        if not fact_names(node):
            return TRUE if _constant(node) == want else FALSE
        if isinstance(container, n.ListLiteral):
            if not isinstance(item, n.Fact):
                raise _Unsupported(f"{node}: durable-rules tests one fact against the list")
            key = self.enc.keys[item.name]
            codes = [self.enc.constant(v) for v in container.values]
            if want:
                return _disjoin([[frozenset({_Test.of("==", key, c)})] for c in codes], str(node))
            return _normal(
                [_simplify({_Test.of("ex", key), *(_Test.of("!=", key, c) for c in codes)})], str(node)
            )
        if not (isinstance(container, n.Fact) and container.name in self.enc.set_values):
            raise _Unsupported(f"{node}: 'in' needs a list or a set fact on its right")
        present = _Test.of("==", self.enc.keys[container.name], True)
        if isinstance(item, n.Literal) and isinstance(item.value, str):
            member = self.enc.member(container.name, item.value)
            if member is None:
                return FALSE if want else [frozenset({present})]
            return [frozenset({_Test.of("==", member, want)})]
        if isinstance(item, n.Fact) and self.enc.types[item.name].kind == "string":
            terms: list[Term | None] = []
            for text in sorted(self.enc.types[item.name].values or ()):
                is_value = _Test.of("==", self.enc.keys[item.name], self.enc.code(text))
                member = self.enc.member(container.name, text)
                if member is not None:
                    terms.append(frozenset({is_value, _Test.of("==", member, want)}))
                elif not want:
                    terms.append(frozenset({is_value, present}))
            return _normal(terms, str(node))
        raise _Unsupported(f"{node}: the item tested against a set must be text")

    def any_in(self, node: n.AnyIn, want: bool) -> DNF:
        container = node.container
        if not (isinstance(container, n.Fact) and container.name in self.enc.set_values):
            raise _Unsupported(f"{node}: any_in needs a set fact")
        members = [self.enc.member(container.name, str(v)) for v in node.values.values]
        known = [m for m in members if m is not None]
        if want:
            return _disjoin([[frozenset({_Test.of("==", m, True)})] for m in known], str(node))
        present = _Test.of("==", self.enc.keys[container.name], True)
        return _normal([_simplify({present, *(_Test.of("==", m, False) for m in known)})], str(node))


def _constant(node: n.Node) -> Any:
    try:
        return compile_expr(node)({})
    except ExpressionError as exc:
        raise _Unsupported(f"{node}: {exc}") from None


# -- compiled rulesets ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Run:
    """What one classification made of one shard."""

    facts: Mapping[str, Any]
    current: dict[str, Any]
    values: dict[int, bool] = field(default_factory=dict)
    derived: dict[str, tuple[int, Any]] = field(default_factory=dict)  # fact → (derivation, value)
    conflicts: list[tuple[int, str, str]] = field(default_factory=list)  # (derivation, fact, message)
    errors: list[str] = field(default_factory=list)
    done: bool = False

    def value_of(self, fact: str) -> Any:
        return self.derived[fact][1] if fact in self.derived else self.facts.get(fact)


@dataclass(slots=True)
class _Shard:
    """One durable-rules ruleset: some of a standard's rules and the derivations they depend on."""

    name: str
    ruleset: Any
    facts: frozenset[str]
    rules: tuple[int, ...]
    derivations: tuple[int, ...]
    run: _Run | None = None
    readings: tuple[str, ...] = ()  # the documented readings its derivations belong to


@dataclass(slots=True)
class _Compiled:
    standard: str
    rule_ids: tuple[str, ...]
    shards: tuple[_Shard, ...]


@dataclass(slots=True)
class _PackEntry:
    encoding: _Encoding
    compiled: dict[tuple[str, str], _Compiled] = field(default_factory=dict)


class DurableEngine:
    """Classify with durable-rules (see the module documentation for what it does and refuses).

    Unknown facts give the native engine's three-valued answer (a rule neither pattern of which
    matches is unknown). Thread-safe by serialisation: every call holds the process-wide
    :data:`LOCK`. Raises :class:`~hazardrules.HazardRulesError` on creation when durable-rules
    cannot be imported (not installed, or Python 3.13), saying why and how to install it.
    """

    name = "durable"

    def __init__(self) -> None:
        self._durable = _load()
        self._packs: dict[str, _PackEntry] = {}

    # -- the engine interface ----------------------------------------------------------------------
    def evaluate(
        self,
        pack: Pack,
        standard: CompiledStandard,
        rules: Sequence[CompiledRule],
        facts: Mapping[str, Any],
        off: frozenset[str] = frozenset(),
    ) -> StandardResult:
        with LOCK:
            encoding, compiled = self._compiled(pack, standard, rules)
            runs = [self._classify(encoding, shard, standard, facts, off) for shard in compiled.shards]
        conflicts = sorted(c for run in runs for c in run.conflicts)
        if conflicts:
            _, fact, message = conflicts[0]
            raise FindingError([FindingProblem("conflict", message, f"facts.{fact}")])
        env = dict(facts)
        origin: dict[str, CompiledDerivation] = {}
        values: dict[str, bool] = {}
        for run in runs:
            for fact, (index, value) in run.derived.items():
                env[fact] = value
                origin[fact] = standard.derivations[index]
            for position, value in run.values.items():
                values[compiled.rule_ids[position]] = value
        missing = [r.key for r in rules if r.key not in compiled.rule_ids]
        if missing:  # pragma: no cover - the rules always come from the standard compiled
            raise HazardRulesError(f"durable engine: rules {missing} are not in the compiled ruleset")
        result: list[tuple[CompiledRule, Value]] = [(r, values.get(r.key)) for r in rules]
        return StandardResult(standard, env, origin, result, off=off)

    def reset(self) -> None:
        """Delete every durable-rules ruleset this engine created (they are rebuilt on demand)."""
        with LOCK:
            for entry in self._packs.values():
                for compiled in entry.compiled.values():
                    for shard in compiled.shards:
                        self._durable.core.delete_ruleset(shard.ruleset._handle)
            self._packs.clear()

    def ruleset_names(self) -> list[str]:
        """The durable-rules rulesets registered so far."""
        with LOCK:
            return [s.name for e in self._packs.values() for c in e.compiled.values() for s in c.shards]

    # -- classification ----------------------------------------------------------------------------
    def _classify(
        self,
        encoding: _Encoding,
        shard: _Shard,
        standard: CompiledStandard,
        facts: Mapping[str, Any],
        off: frozenset[str],
    ) -> _Run:
        sid = str(next(_SID))
        fact: dict[str, Any] = {"sid": sid, "id": 1, "k": 1, "z": 0}
        for name, value in facts.items():
            if name in shard.facts:
                encoding.encode(name, value, fact)
        for reading in shard.readings:
            fact[encoding.readings[reading]] = reading not in off
        run = _Run(facts, fact)
        ruleset = shard.ruleset
        failures: list[BaseException] = []

        def complete(error: BaseException | None, state: Any) -> None:
            if error is not None:
                failures.append(error)

        shard.run = run
        try:
            try:
                handle = ruleset.assert_fact(fact)
            except self._durable.not_handled:  # cannot happen: the "done" rule matches every finding
                raise HazardRulesError("durable engine: durable-rules did not handle the finding") from None
            try:
                ruleset.do_actions(handle, complete)
            finally:
                with contextlib.suppress(self._durable.not_handled):  # nothing reacts: not an error
                    ruleset.do_actions(ruleset.retract_fact(run.current), complete)
                ruleset.delete_state(sid)
        finally:
            shard.run = None
        if failures or run.errors:
            problems = [str(f) for f in failures] + run.errors
            raise HazardRulesError(
                f"durable engine failed on standard {standard.slug}: {'; '.join(problems)}"
            )
        if not run.done:
            raise HazardRulesError(f"durable engine: the finding was not fully processed ({shard.name})")
        return run

    # -- compilation -------------------------------------------------------------------------------
    def _compiled(
        self, pack: Pack, standard: CompiledStandard, rules: Sequence[CompiledRule]
    ) -> tuple[_Encoding, _Compiled]:
        entry = self._packs.get(pack.digest)
        if entry is None:
            entry = self._packs[pack.digest] = _PackEntry(_Encoding(pack))
        sector = next((s for s, chosen in standard.by_sector.items() if chosen is rules), "*")
        key = (standard.slug, sector)
        compiled = entry.compiled.get(key)
        if compiled is None:
            chosen = standard.by_sector[sector] if sector != "*" else standard.units
            compiled = entry.compiled[key] = _build(
                self._durable, entry.encoding, pack.digest, standard, sector, chosen
            )
        return entry.encoding, compiled


@dataclass(slots=True)
class _Unit:
    """A rule or a derivation no rule needs, with the facts (closure) its shard must hold."""

    rule: int | None
    derivation: int | None
    facts: frozenset[str]


def _build(
    durable: _Durable,
    encoding: _Encoding,
    digest: str,
    standard: CompiledStandard,
    sector: str,
    rules: Sequence[CompiledRule],
) -> _Compiled:
    compiler = _Compiler(encoding)
    derivations = standard.derivations
    by_fact: dict[str, list[int]] = {}
    for i, d in enumerate(derivations):
        by_fact.setdefault(d.spec.derives, []).append(i)

    def closure(start: Iterable[str]) -> tuple[frozenset[str], frozenset[int]]:
        facts: set[str] = set()
        used: set[int] = set()
        stack = list(start)
        while stack:
            fact = stack.pop()
            if fact in facts:
                continue
            facts.add(fact)
            for i in by_fact.get(fact, ()):
                used.add(i)
                stack.extend(derivations[i].when.facts)
        return frozenset(facts), frozenset(used)

    # Patterns first, so that an unsupported condition is reported before anything is registered.
    patterns: list[tuple[DNF, DNF]] = []
    units: list[_Unit] = []
    reached: set[int] = set()
    for position, rule in enumerate(rules):
        try:
            condition = (
                rule.condition.ast if rule.applies is None else n.And((rule.applies.ast, rule.condition.ast))
            )
            patterns.append((compiler.pattern(condition, True), compiler.pattern(condition, False)))
        except _Unsupported as exc:
            raise _refuse(f"rule {rule.id}", exc) from None
        reads = [*rule.condition.facts, *(rule.applies.facts if rule.applies else ())]
        facts, used = closure(reads)
        reached |= used
        units.append(_Unit(position, None, facts))
    for i, d in enumerate(derivations):
        if i not in reached:
            facts, _ = closure([*d.when.facts, d.spec.derives])
            units.append(_Unit(None, i, facts))
    derivation_patterns: dict[int, DNF] = {}
    for i, d in enumerate(derivations):
        try:
            pattern = compiler.pattern(d.when.ast, True)
            encoding.constant(d.spec.value)
        except _Unsupported as exc:
            raise _refuse(f"derivation {d.spec.id}", exc) from None
        if d.spec.reading is not None:  # runs only when the caller left its reading on
            gate = _Test.of("==", encoding.readings[d.spec.reading], True)
            pattern = [term | {gate} for term in pattern]
        derivation_patterns[i] = pattern

    # Shards: consecutive units while their facts fit in one durable fact.
    groups: list[list[_Unit]] = []
    held: list[set[str]] = []
    for unit in units:
        need = sum(encoding.width(f) for f in unit.facts)
        if need > MAX_PROPERTIES:
            what = f"rule {rules[unit.rule].id}" if unit.rule is not None else "a derivation"
            raise _refuse(what, _Unsupported(f"it reads {need} properties, more than {MAX_PROPERTIES}"))
        if groups:
            merged = held[-1] | unit.facts
            total = sum(encoding.width(f) for f in merged)
            if total <= MAX_PROPERTIES:
                groups[-1].append(unit)
                held[-1] = merged
                continue
        groups.append([unit])
        held.append(set(unit.facts))
    if not groups:
        groups.append([])
        held.append(set())

    shards: list[_Shard] = []
    tag = digest.removeprefix("sha256:")[:16]
    for number, group in enumerate(groups):
        facts = frozenset(held[number])
        _, needed = closure(facts)
        needed_derivations = tuple(sorted(needed | {u.derivation for u in group if u.derivation is not None}))
        name = f"hazardrules-{tag}-{standard.slug}-{sector}-{number}"
        readings = sorted({r for i in needed_derivations if (r := derivations[i].spec.reading) is not None})
        shard = _Shard(
            name,
            None,
            facts,
            tuple(u.rule for u in group if u.rule is not None),
            needed_derivations,
            readings=tuple(readings),
        )
        shard.ruleset = _ruleset(durable, encoding, shard, standard, patterns, derivation_patterns)
        shards.append(shard)
    return _Compiled(standard.slug, tuple(r.key for r in rules), tuple(shards))


def _refuse(what: str, exc: _Unsupported) -> HazardRulesError:
    return HazardRulesError(
        f"the durable engine cannot compile {what}: {exc}. Classify with engine='native' (the default)"
    )


def _ruleset(
    durable: _Durable,
    encoding: _Encoding,
    shard: _Shard,
    standard: CompiledStandard,
    patterns: list[tuple[DNF, DNF]],
    derivation_patterns: dict[int, DNF],
) -> Any:
    """Register one shard as a durable-rules ruleset; its actions write into ``shard.run``."""
    entries: list[tuple[str, Term, int, Callable[[Any], None]]] = []  # name, term, priority, action
    last = len(standard.derivations) + 1

    def checked(action: Callable[[_Run], None]) -> Callable[[Any], None]:
        def run_action(c: Any) -> None:
            run = shard.run
            if run is None:  # pragma: no cover - actions only run inside _classify
                return
            try:
                if c._m["m"]["id"] != run.current["id"]:
                    run.errors.append("an action ran on a superseded fact")
                    return
                action(run)
            except Exception as exc:  # durable-rules would swallow it into the state
                run.errors.append(f"{type(exc).__name__}: {exc}")

        return run_action

    for i in shard.derivations:
        derivation = standard.derivations[i]
        spec = derivation.spec
        key = encoding.keys[spec.derives]
        value = encoding.constant(spec.value)

        def derive(run: _Run, i: int = i, derivation: CompiledDerivation = derivation) -> None:
            fact = derivation.spec.derives
            if fact in run.facts or fact in run.derived:
                run.errors.append(f"derivation {derivation.spec.id} fired on a known fact")
                return
            old = run.current
            new = dict(old)
            encoding.encode(fact, derivation.spec.value, new)
            new["id"] = old["id"] + 1
            run.derived[fact] = (i, derivation.spec.value)
            run.current = new
            with contextlib.suppress(durable.not_handled):
                shard.ruleset.retract_fact(old)
            shard.ruleset.assert_fact(new)

        def conflict(run: _Run, i: int = i, derivation: CompiledDerivation = derivation) -> None:
            fact, spec = derivation.spec.derives, derivation.spec
            source = (
                f"derivation {standard.derivations[run.derived[fact][0]].spec.id}"
                if fact in run.derived
                else "the finding"
            )
            run.conflicts.append((i, fact, conflict_message(spec, run.value_of(fact), source)))

        for t, term in enumerate(derivation_patterns[i]):
            entries.append((f"d{i}_{t}", term | {_Test.of("nex", key)}, i + 1, checked(derive)))
            clash = frozenset({*term, _Test.of("ex", key), _Test.of("!=", key, value)})
            entries.append((f"x{i}_{t}", clash, i + 1, checked(conflict)))

    for position in shard.rules:
        true, false = patterns[position]
        for polarity, dnf in ((True, true), (False, false)):

            def record(run: _Run, position: int = position, polarity: bool = polarity) -> None:
                if run.values.setdefault(position, polarity) is not polarity:
                    run.errors.append("a rule matched as both true and false")

            for t, term in enumerate(dnf):
                entries.append((f"{'t' if polarity else 'f'}{position}_{t}", term, last, checked(record)))

    def finish(run: _Run) -> None:
        run.done = True

    definition: dict[str, Any] = {}
    actions: dict[str, Callable[[Any], None]] = {}
    levels = 0
    while FAN_OUT ** (levels + 1) < len(entries):
        levels += 1
    for place, (name, term, priority, action) in enumerate(entries):
        markers = [
            {"$lt": {"z": (level + 1) * 1_000_000 + place // FAN_OUT ** (levels - level)}}
            for level in range(levels)
        ]
        tests = [t.json() for t in sorted(term, key=_Test.sort_key)]
        definition[name] = {"all": [{"m": {"$and": [{"k": 1}, *markers, *tests]}}], "pri": priority}
        actions[name] = action
    definition["done"] = {"all": [{"m": {"k": 1}}], "pri": last + 1}
    actions["done"] = checked(finish)
    return _make_ruleset(durable, shard.name, definition, actions)


_ruleset_class: Any = None


def _make_ruleset(durable: _Durable, name: str, definition: dict[str, Any], actions: dict[str, Any]) -> Any:
    """A ``durable.engine.Ruleset`` whose JSON is written by :func:`dumps` (durable's own
    ``json.dumps`` writes numbers such as ``1e-05`` that its parser rejects)."""
    global _ruleset_class
    if _ruleset_class is None:
        base = durable.engine.Ruleset

        class Ruleset(base):  # type: ignore[misc,valid-type]
            def __init__(self, name: str, definition: dict[str, Any], actions: dict[str, Any]) -> None:
                self._name = name
                self._host = None
                self._actions = {k: durable.engine.Promise(v) for k, v in actions.items()}
                self._definition = definition
                self._handle = durable.core.create_ruleset(name, dumps(definition))

            def assert_fact(self, fact: dict[str, Any]) -> Any:
                return self._handle_result(durable.core.assert_fact(self._handle, dumps(fact)), fact)

            def retract_fact(self, fact: dict[str, Any]) -> Any:
                return self._handle_result(durable.core.retract_fact(self._handle, dumps(fact)), fact)

        _ruleset_class = Ruleset
    return _ruleset_class(name, definition, actions)
