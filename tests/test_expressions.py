"""The condition language: parser, type checker, Kleene semantics (hypothesis), fuzzing."""

from __future__ import annotations

import contextlib
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.lang import ExpressionError, ExprType, check, compile_expr, explain, parse
from hazardrules.lang import nodes as n
from hazardrules.lang.check import BOOL, NUMBER
from hazardrules.lang.parser import MAX_DEPTH

FACTS = ["a.p", "a.q", "a.r", "a.s"]
TYPES: dict[str, ExprType] = {
    **{f: BOOL for f in FACTS},
    "m.x": NUMBER,
    "m.y": NUMBER,
    "e.kind": ExprType("string", values=frozenset({"gas", "oil"})),
    "e.rooms": ExprType("set", values=frozenset({"office", "rest"})),
}

# -- strategies ----------------------------------------------------------------------------------
truth = st.sampled_from([True, False, None])


def envs(names: list[str] = FACTS) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: truth for name in names}).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def bool_exprs() -> st.SearchStrategy[n.Node]:
    leaves = st.one_of(st.sampled_from(FACTS).map(n.Fact), st.booleans().map(n.Literal))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(n.Not),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: n.And(tuple(xs))),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: n.Or(tuple(xs))),
            st.lists(inner, min_size=1, max_size=4).flatmap(
                lambda xs: st.integers(1, len(xs)).map(lambda k: n.AtLeast(k, tuple(xs)))
            ),
        ),
        max_leaves=8,
    )


def ev(node: n.Node, env: dict[str, Any]) -> Any:
    return compile_expr(node)(env)


# -- Kleene laws -----------------------------------------------------------------------------------
@given(bool_exprs(), bool_exprs(), envs())
def test_de_morgan(a: n.Node, b: n.Node, env: dict[str, Any]) -> None:
    assert ev(n.Not(n.And((a, b))), env) == ev(n.Or((n.Not(a), n.Not(b))), env)
    assert ev(n.Not(n.Or((a, b))), env) == ev(n.And((n.Not(a), n.Not(b))), env)


@given(bool_exprs(), bool_exprs(), bool_exprs(), envs())
def test_commutative_associative_distributive(a: n.Node, b: n.Node, c: n.Node, env: dict[str, Any]) -> None:
    assert ev(n.And((a, b)), env) == ev(n.And((b, a)), env)
    assert ev(n.Or((a, b)), env) == ev(n.Or((b, a)), env)
    assert ev(n.And((a, n.And((b, c)))), env) == ev(n.And((n.And((a, b)), c)), env)
    assert ev(n.And((a, n.Or((b, c)))), env) == ev(n.Or((n.And((a, b)), n.And((a, c)))), env)


@given(bool_exprs(), envs())
def test_identities_and_double_negation(a: n.Node, env: dict[str, Any]) -> None:
    value = ev(a, env)
    assert ev(n.Not(n.Not(a)), env) == value
    assert ev(n.And((a, n.Literal(True))), env) == value
    assert ev(n.Or((a, n.Literal(False))), env) == value
    assert ev(n.And((a, n.Literal(False))), env) is False
    assert ev(n.Or((a, n.Literal(True))), env) is True


@given(bool_exprs(), envs())
def test_excluded_middle_fails_only_on_unknown(a: n.Node, env: dict[str, Any]) -> None:
    value = ev(n.Or((a, n.Not(a))), env)
    assert value is (True if ev(a, env) is not None else None)


def test_truth_tables() -> None:
    p, q = n.Fact("a.p"), n.Fact("a.q")
    for x in (True, False, None):
        for y in (True, False, None):
            env = {k: v for k, v in (("a.p", x), ("a.q", y)) if v is not None}
            conj, disj = ev(n.And((p, q)), env), ev(n.Or((p, q)), env)
            assert conj is (False if False in (x, y) else None if None in (x, y) else True)
            assert disj is (True if True in (x, y) else None if None in (x, y) else False)
        assert ev(n.Not(p), {} if x is None else {"a.p": x}) is (None if x is None else not x)


@given(bool_exprs(), envs(), envs())
def test_knowing_more_never_changes_a_known_value(
    a: n.Node, env: dict[str, Any], more: dict[str, Any]
) -> None:
    """Kleene logic is monotone in information: filling in unknowns keeps known results."""
    before = ev(a, env)
    extended = {**more, **env}
    if before is not None:
        assert ev(a, extended) == before


@given(bool_exprs(), envs())
def test_compiled_and_explained_agree(a: n.Node, env: dict[str, Any]) -> None:
    trace = explain(a, env)
    assert trace.value == ev(a, env)
    if trace.value is None:
        missing = trace.missing()
        assert missing and all(f not in env for f in missing)
    else:
        # The supporting facts alone decide the value.
        support = trace.support()
        assert ev(a, support) == trace.value


@given(bool_exprs(), envs())
def test_render_and_parse_round_trip(a: n.Node, env: dict[str, Any]) -> None:
    again = parse(str(a))
    assert str(again) == str(a)
    assert ev(again, env) == ev(a, env)


@given(st.text(max_size=80))
@settings(max_examples=500)
def test_any_text_parses_or_raises_our_error(text: str) -> None:
    try:
        node = parse(text)
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        check(node, TYPES, text)


@given(
    st.lists(
        st.sampled_from(
            [
                "a.p",
                "and",
                "or",
                "not",
                "(",
                ")",
                "1",
                "<",
                "m.x",
                "in",
                "[",
                "]",
                ",",
                '"gas"',
                "e.kind",
                "at_least",
                "any_in",
                "e.rooms",
                "-",
                "*",
                "true",
            ]
        ),
        max_size=30,
    )
)
@settings(max_examples=500)
def test_token_soup_parses_or_raises_our_error(tokens: list[str]) -> None:
    text = " ".join(tokens)
    with contextlib.suppress(ExpressionError):
        check(parse(text), TYPES, text)


# -- parser and checker details --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("m.x > 30", True),
        ("m.x <= 0.98 * m.y", True),
        ("m.x > 0.98 * m.y", False),
        ("m.x - m.y == -10", True),
        ('e.kind in ["gas"]', True),
        ('e.kind not in ["gas"]', False),
        ('"office" in e.rooms', True),
        ('"rest" in e.rooms', False),
        ('any_in(e.rooms, ["rest", "office"])', True),
        ('any_in(e.rooms, ["rest"])', False),
        ("at_least(2, a.p, a.q, a.r)", None),
        ("not (m.x > 30) or a.q", None),
    ],
)
def test_evaluation(text: str, value: Any) -> None:
    node = parse(text)
    assert check(node, TYPES, text).kind == "bool"
    env = {"m.x": 40, "m.y": 50, "e.kind": "gas", "e.rooms": frozenset({"office"}), "a.p": True}
    assert ev(node, env) == value


def test_comparison_with_unknown_is_unknown() -> None:
    assert ev(parse("m.x > 3"), {}) is None
    assert ev(parse('e.kind == "gas"'), {}) is None
    assert ev(parse('"office" in e.rooms'), {}) is None
    assert ev(parse('any_in(e.rooms, ["office"])'), {}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a.p > 1", "'>' compares numbers, but a.p is a boolean"),
        ("m.x == true", "cannot compare m.x (a number) with true (a boolean)"),
        ('e.kind == "coal"', "e.kind can never be 'coal'"),
        ('e.kind in ["gas", "coal"]', "e.kind can never be 'coal'"),
        ('"garage" in e.rooms', "e.rooms can never be 'garage'"),
        ('any_in(e.rooms, ["garage"])', "e.rooms can never be 'garage'"),
        ('any_in(a.p, ["x"])', "any_in needs a set fact"),
        ("m.x and a.p", "'and' needs a condition, but m.x is a number"),
        ("nope.x", "unknown fact 'nope.x'"),
        ("a.pp", "did you mean 'a.p'?"),
        ("m.x + a.p > 1", "'+' needs a number"),
    ],
)
def test_type_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=None) as caught:
        check(parse(text), TYPES, text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a.p and",
        "(a.p",
        "a.p)",
        "m.x < m.y < 3",
        "foo(a.p)",
        "at_least(0, a.p)",
        "at_least(3, a.p, a.q)",
        "at_least",
        "[a.p]",
        "a.p ; a.q",
        "'unterminated",
        "((" * 100,
        "__import__('os')",
        "any_in(e.rooms)",
        "any_in(e.rooms, e.kind)",
        "a.p.__class__",
        "lambda: 1",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ExpressionError):
        check(parse(text), TYPES, text)


def test_error_reports_the_column() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("a.p and and a.q")
    assert caught.value.position == 8
    assert "column 9" in str(caught.value)


# -- undefined arithmetic is unknown ----------------------------------------------------------------
UNDEFINED = "(m.x / m.y > 1)"  # with m.y = 0: a division by zero
ZERO = {"m.x": 1, "m.y": 0}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("m.x / m.y > 1", None),
        ("not (m.x / m.y > 1)", None),
        ("m.x / m.y > 1 or a.p", True),
        ("a.p or m.x / m.y > 1", True),
        ("m.x / m.y > 1 and not a.p", False),
        ("at_least(1, m.x / m.y > 1, a.p)", True),
    ],
)
def test_division_by_zero_is_unknown(text: str, value: Any) -> None:
    node = parse(text)
    check(node, TYPES, text)
    env = {**ZERO, "a.p": True}
    assert ev(node, env) is value
    assert explain(node, env).value is value


@pytest.mark.parametrize(
    "text", ["m.x * m.y > 1", "m.x * m.y - m.x * m.y < 1", "m.x * m.y / (m.x * m.y) == 1", "m.y / 3 > 1"]
)
def test_overflow_is_unknown(text: str) -> None:
    """A result too large for a float (infinity, then NaN) has no value either."""
    huge = {"m.x": 1e300, "m.y": 10**400}
    assert ev(parse(text), huge) is None
    assert explain(parse(text), huge).value is None


@given(bool_exprs(), envs(["a.p", "a.q", "a.r"]))
def test_undefined_arithmetic_behaves_as_a_missing_fact(a: n.Node, env: dict[str, Any]) -> None:
    """Every Kleene law keeps holding: an undefined value is exactly an unknown fact, whatever the
    order of evaluation (so no short-circuit decides whether a batch crashes)."""
    text = str(a)
    with_division = parse(text.replace("a.s", UNDEFINED))
    assert ev(with_division, {**env, **ZERO}) == ev(a, env)
    assert explain(with_division, {**env, **ZERO}).value == ev(a, env)


def test_division_by_a_literal_zero_is_refused_when_checked() -> None:
    text = "m.x / 0 > 1"
    with pytest.raises(ExpressionError, match="division by zero") as caught:
        check(parse(text), TYPES, text)
    assert caught.value.position == text.index("0")


# -- one depth limit for every operator --------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        " + ".join(["m.x"] * 400) + " > 1",  # a 400-term sum nests to the left
        " * ".join(["m.x"] * 70) + " > 1",
        "(" * 65 + "a.p" + ")" * 65,
        "not " * 65 + "a.p",
        "-" * 66 + "m.x > 1",
        "at_least(1, " * 65 + "a.p" + ")" * 65,
    ],
)
def test_deep_conditions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match=f"nested more than {MAX_DEPTH} levels"):
        parse(text)


def test_the_depth_limit_is_exact() -> None:
    # Compare at level 1, then one level per '+': 63 terms make 62 sums under the comparison.
    fits = " + ".join(["m.x"] * (MAX_DEPTH - 1)) + " > 1"
    assert ev(parse(fits), {"m.x": 1}) is True
    with pytest.raises(ExpressionError):
        parse(" + ".join(["m.x"] * (MAX_DEPTH + 1)) + " > 1")
    wide = " and ".join(["a.p"] * 400)  # side by side: one level, however many
    assert ev(parse(wide), {"a.p": True}) is True


def test_expression_errors_survive_pickling() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("a.p and and a.q")
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.message, again.position, again.text, str(again)) == (
        caught.value.message,
        caught.value.position,
        caught.value.text,
        str(caught.value),
    )
    assert isinstance(again, hazardrules.HazardRulesError)
