"""Fuzzing: arbitrary text never breaks the expression parser, arbitrary data never breaks definition loading."""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.forms import (
    ExpressionSyntaxError,
    FillContext,
    FormDefinition,
    FormDefinitionError,
    evaluate_form,
    layout_for,
    parse_expression,
    tokenize,
)
from casedesk.forms._values import NodeSet

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Generating whole definitions is the slow part; fewer, richer examples.
FUZZ_DEFINITIONS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like expressions: their alphabet, keywords and function names, glued at random.
_PIECES = [
    "${a}",
    "${b}",
    "${rows}",
    ".",
    "..",
    "'",
    '"',
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "div",
    "mod",
    "/",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not(",
    "selected(",
    "count-selected(",
    "if(",
    "coalesce(",
    "concat(",
    "today()",
    "now()",
    "int(",
    "round(",
    "regex(",
    "date(",
    "age(",
    "sum(",
    "count(",
    "true()",
    "false()",
    "1",
    "0",
    "2.5",
    ".5",
    "'x'",
    "'2024-01-31'",
    " ",
    "${",
    "}",
    "$",
    "[",
    "]",
    "|",
    "::",
    "jr:",
    "\n",
]
expression_like = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
any_text = st.text(max_size=200)


class _Env:
    def __init__(self, values: dict[str, Any], this: Any) -> None:
        self.values = values
        self.this = this
        self.today = date(2024, 5, 20)
        self.now = datetime(2024, 5, 20, 9, 30)

    def lookup(self, key: str) -> Any:
        return self.values.get(key, "")

    def current(self) -> Any:
        return self.this


_scalar = st.one_of(
    st.just(""),
    st.text(max_size=12),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
_value = st.one_of(_scalar, st.lists(_scalar, max_size=4).map(lambda items: NodeSet(items)))


@FUZZ
@given(st.one_of(any_text, expression_like))
def test_parser_raises_only_syntax_errors(source: str) -> None:
    with contextlib.suppress(ExpressionSyntaxError):
        tokenize(source)
    try:
        parse_expression(source)
    except ExpressionSyntaxError as err:
        assert 0 <= err.offset <= len(source)
        assert str(err)


@FUZZ
@given(expression_like, st.fixed_dictionaries({"a": _value, "b": _value, "rows": _value}), _value)
def test_evaluation_of_any_parsable_expression_never_raises(source: str, values: dict[str, Any], this: Any) -> None:
    try:
        expression = parse_expression(source)
    except ExpressionSyntaxError:
        return
    result = expression.evaluate(_Env(values, this))
    assert isinstance(result, str | int | float | bool | date | NodeSet)


# --- definitions ----------------------------------------------------------------------------------------

_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
_json = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)
_types = st.sampled_from(
    [
        "text",
        "long_text",
        "integer",
        "decimal",
        "date",
        "time",
        "yes_no",
        "single_choice",
        "multiple_choice",
        "client_field",
        "goal_picker",
        "signature",
        "heading",
        "note",
        "group",
        "repeat",
        "calculate",
        "bogus",
        3,
        None,
    ]
)
_keys = st.sampled_from(["a", "b", "c", "d", "1bad", "", "rows", "g"])
_expressions = st.one_of(
    st.none(), expression_like, st.sampled_from(["${a} = 'yes'", "${b} + 1", "${c} > 2", ". > 0", "${zz}"])
)


@st.composite
def _field(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    field: dict[str, Any] = {"key": draw(_keys), "type": draw(_types), "label": draw(st.text(max_size=10))}
    for attribute in ("relevant", "constraint", "calculation", "default_expression"):
        if draw(st.booleans()):
            field[attribute] = draw(_expressions)
    if draw(st.booleans()):
        field["required"] = draw(st.one_of(st.booleans(), _expressions))
    if draw(st.booleans()):
        field["choices"] = draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {"value": st.sampled_from(["x", "y", "x y", ""]), "label": st.text(max_size=5)}
                    ),
                    max_size=3,
                ),
                _json,
            )
        )
    if draw(st.booleans()):
        field["binding"] = draw(st.sampled_from(["name", "dob", "shoe_size", 5]))
    if draw(st.booleans()):
        field["default"] = draw(_json_leaf)
    if draw(st.booleans()):
        field["print"] = draw(st.one_of(_json, st.fixed_dictionaries({"lines": st.integers(-2, 80)})))
    if depth < 2 and draw(st.booleans()):
        field["fields"] = draw(st.lists(_field(depth + 1), max_size=3))
    if draw(st.integers(0, 9)) == 0:
        field[draw(st.text(max_size=6))] = draw(_json)
    return field


@st.composite
def _definition(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": draw(st.sampled_from([1, 1, 1, 2, "1", None])),
        "key": draw(st.sampled_from(["form", "x y", "", 7])),
        "name": draw(st.sampled_from(["Form", "", None])),
        "version": draw(st.sampled_from([1, 2, 0, -1, "3", True])),
        "fields": draw(st.lists(_field(), max_size=5)),
    }
    if draw(st.booleans()):
        data["status"] = draw(st.sampled_from(["draft", "published", "final"]))
    return data


@FUZZ_DEFINITIONS
@given(st.one_of(_json, _definition()))
def test_loading_any_data_raises_only_definition_errors(data: Any) -> None:
    try:
        definition = FormDefinition.from_dict(data)
    except FormDefinitionError as err:
        assert err.problems
        assert all(isinstance(path, str) and isinstance(message, str) for path, message in err.problems)
        return
    # Whatever loads is usable: it round-trips and evaluates without errors of its own.
    assert FormDefinition.from_dict(json.loads(definition.to_json())) == definition
    evaluate_form(definition, {})


@FUZZ
@given(any_text)
def test_loading_any_json_text_raises_only_definition_errors(text: str) -> None:
    with contextlib.suppress(FormDefinitionError):
        FormDefinition.from_json(text)


def test_deeply_nested_data_is_refused_cleanly() -> None:
    data: Any = {"schema_version": 1, "key": "f", "name": "F", "fields": []}
    cursor = data["fields"]
    for _ in range(5000):
        inner: list[Any] = []
        cursor.append(inner)
        cursor = inner
    try:
        FormDefinition.from_dict(data)
    except FormDefinitionError as err:
        assert "nested" in str(err)
    else:  # pragma: no cover
        raise AssertionError("a 5000-level structure was accepted")


_INPUT_TYPES = [
    "text",
    "long_text",
    "integer",
    "decimal",
    "date",
    "time",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "client_field",
    "goal_picker",
    "signature",
    "calculate",
    "note",
]
_CONDITIONS = ["${%s} != ''", "${%s} = 'yes'", "${%s} > 2", "selected(${%s}, 'x')", "string-length(${%s}) < 5"]


@st.composite
def _valid_definition(draw: st.DrawFn) -> dict[str, Any]:
    """Definitions that pass validation: valid keys and types, references only to earlier fields."""
    count = draw(st.integers(1, 8))
    fields: list[dict[str, Any]] = []
    keys: list[str] = []
    for index in range(count):
        kind = draw(st.sampled_from(_INPUT_TYPES))
        key = f"f{index}"
        field: dict[str, Any] = {"key": key, "type": kind, "label": f"Question {index}"}
        if kind in ("single_choice", "multiple_choice"):
            field["choices"] = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]
        if kind == "client_field":
            field["binding"] = draw(st.sampled_from(["name", "dob", "phone"]))
        if kind == "calculate":
            field["calculation"] = f"coalesce(${{{keys[-1]}}}, 0)" if keys else "today()"
        if keys and draw(st.booleans()):
            field["relevant"] = draw(st.sampled_from(_CONDITIONS)) % draw(st.sampled_from(keys))
        if kind not in ("calculate", "note") and draw(st.booleans()):
            field["required"] = True
        if kind in ("integer", "decimal") and draw(st.booleans()):
            field["constraint"] = ". >= 0"
        fields.append(field)
        keys.append(key)
    if draw(st.booleans()):
        fields.append(
            {
                "key": "rows",
                "type": "repeat",
                "label": "Rows",
                "fields": [
                    {"key": "r_text", "type": "text", "label": "T"},
                    {"key": "r_num", "type": "integer", "label": "N", "relevant": "${f0} != 'zz'"},
                ],
            }
        )
    return {"schema_version": 1, "key": "fuzz", "name": "Fuzz", "fields": fields}


_answer = st.one_of(
    _json_leaf, st.lists(_json_leaf, max_size=3), st.dates(), st.sampled_from(["x", "yes", "2024-05-01", "12:30"])
)


@FUZZ_DEFINITIONS
@given(_valid_definition(), st.data())
def test_valid_definitions_round_trip_and_any_answers_evaluate(data: dict[str, Any], draw: st.DataObject) -> None:
    definition = FormDefinition.from_dict(data)
    assert FormDefinition.from_dict(json.loads(definition.to_json())) == definition
    answers = {f"f{index}": draw.draw(_answer) for index in range(len(data["fields"]))}
    answers["rows"] = draw.draw(
        st.one_of(
            _json_leaf, st.lists(st.dictionaries(st.sampled_from(["r_text", "r_num"]), _answer, max_size=2), max_size=3)
        )
    )
    result = evaluate_form(
        definition, answers, FillContext(client={"name": "A", "dob": "2000-01-01"}, today=date(2024, 5, 20))
    )
    assert all(issue.path and issue.message for issue in result.issues)
    layout_for(definition, answers)
    layout_for(definition)
