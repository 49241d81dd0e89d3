"""The plain-finding fast path makes exactly the Finding that pydantic's validation makes, or none.

``coerce_finding`` skips pydantic for the common input (a dict with a sector's name and facts of
plain values); whatever it returns must equal ``Finding.model_validate`` of the same input, fields
set included, and whatever it declines must still be validated (so bad input keeps pydantic's errors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hazardrules.models import Finding
from hazardrules.verdict.finding import _plain_finding

_text = st.text(max_size=6)  # lone surrogates included: pydantic takes them
_values = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False),
    _text,
    st.lists(_text, max_size=3),
    st.tuples(_text),  # not a list: pydantic's to judge
    st.none(),
    st.sets(_text, max_size=2),
    st.lists(st.integers(), min_size=1, max_size=2),
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.none(), _text, st.integers()),
        "sector": st.one_of(_text, st.lists(_text, max_size=2), st.none(), st.integers()),
        "observed_on": st.one_of(st.none(), st.dates(), st.datetimes(), _text),
        "facts": st.one_of(
            st.dictionaries(st.one_of(_text, st.integers()), _values, max_size=4), st.none(), st.lists(_text)
        ),
        "description": st.one_of(st.none(), _text, st.integers()),
        "installations": st.just([]),
        "unknown": st.integers(),
    },
)


@given(_fields)
def test_the_fast_path_makes_what_validation_makes(data: dict[str, Any]) -> None:
    fast = _plain_finding(dict(data))
    try:
        validated: Finding | None = Finding.model_validate(data)
    except ValidationError:
        validated = None
    if fast is None:
        return  # declined: classify validates it (errors included) as before
    assert validated is not None, data
    assert fast == validated
    assert fast.__dict__ == validated.__dict__
    assert list(fast.__dict__) == list(validated.__dict__)
    assert fast.model_fields_set == validated.model_fields_set
    assert fast.model_dump_json() == validated.model_dump_json()
    assert fast.__pydantic_extra__ == validated.__pydantic_extra__
    assert fast.__pydantic_private__ == validated.__pydantic_private__
    assert all(type(fast.facts[k]) is type(v) for k, v in validated.facts.items())


_plain = st.fixed_dictionaries(
    {"sector": _text},
    optional={
        "id": st.one_of(st.none(), _text),
        "observed_on": st.one_of(st.none(), st.dates()),
        "facts": st.dictionaries(
            _text,
            st.one_of(st.booleans(), st.integers(), st.floats(), _text, st.lists(_text, max_size=3)),
            max_size=4,
        ),
        "description": st.one_of(st.none(), _text),
    },
)


@given(_plain)
def test_the_fast_path_takes_every_plain_finding(data: dict[str, Any]) -> None:
    fast = _plain_finding(dict(data))
    assert fast is not None, data
    validated = Finding.model_validate(data)
    assert fast.model_fields_set == validated.model_fields_set
    assert fast.model_dump_json() == validated.model_dump_json()
    assert repr(fast) == repr(validated)  # (NaN != NaN: compared as written)


def test_the_fast_path_takes_the_common_finding_and_owns_its_facts() -> None:
    facts: dict[str, Any] = {"a": True, "b": ["x"]}
    data = {"id": "1", "sector": "metallurgy", "observed_on": dt.date(2024, 3, 1), "facts": facts}
    fast = _plain_finding(data)
    assert fast is not None and fast == Finding.model_validate(data)
    assert fast.facts is not facts and fast.facts["b"] is not facts["b"]
    assert fast.installations == [] and fast.model_fields_set == set(data)
