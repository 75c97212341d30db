"""The form expression language: syntax, every operator and function, blanks, dates, errors, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from casedesk.errors import ValidationError
from casedesk.forms import ExpressionSyntaxError, parse_expression, references, rename_references, tokenize
from casedesk.forms._values import NodeSet
from casedesk.forms.expressions import MAX_EXPRESSION_LENGTH, MAX_NESTING, TokenKind


@dataclass
class Env:
    values: dict[str, Any] = field(default_factory=dict)
    this: Any = ""
    today: date = date(2024, 5, 20)
    now: datetime = datetime(2024, 5, 20, 9, 30)

    def lookup(self, key: str) -> Any:
        return self.values.get(key, "")

    def current(self) -> Any:
        return self.this


def ev(source: str, **values: Any) -> Any:
    this = values.pop("this", "")
    return parse_expression(source).evaluate(Env(values, this))


# --- syntax ---------------------------------------------------------------------------------------------


def test_tokenizer_reports_kinds_and_positions() -> None:
    tokens = tokenize("${age} >= 18 and selected(., 'yes')")
    kinds = [t.kind for t in tokens]
    assert kinds == [
        TokenKind.REF,
        TokenKind.OPERATOR,
        TokenKind.NUMBER,
        TokenKind.NAME,
        TokenKind.NAME,
        TokenKind.LPAREN,
        TokenKind.DOT,
        TokenKind.COMMA,
        TokenKind.STRING,
        TokenKind.RPAREN,
        TokenKind.END,
    ]
    assert tokens[0].text == "age" and (tokens[0].offset, tokens[0].end) == (0, 6)
    assert tokens[8].text == "yes"


def test_references_are_extracted_for_dependency_tracking() -> None:
    assert references("${a} + ${b} * count(${rows}) - ${a}") == frozenset({"a", "b", "rows"})
    assert references("today()") == frozenset()
    assert parse_expression(". > 3").uses_current
    assert not parse_expression("${x} > 3").uses_current


def test_precedence_and_associativity_follow_xpath() -> None:
    assert ev("1 + 2 * 3") == 7
    assert ev("(1 + 2) * 3") == 9
    assert ev("10 - 4 - 3") == 3
    assert ev("12 div 3 div 2") == 2
    assert ev("1 = 1 and 2 = 3 or 4 = 4") is True
    assert ev("1 = 2 and 2 = 2 or 1 = 2") is False
    assert ev("-2 * -3") == 6
    assert ev("- ${x}", x=4) == -4


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("7 + 3", 10),
        ("7 - 10", -3),
        ("6 * 7", 42),
        ("7 div 2", 3.5),
        ("7 / 2", 3.5),
        ("7 mod 3", 1),
        ("-7 mod 3", -1),
        ("2.5 + .5", 3),
        ("1 = 1", True),
        ("1 != 1", False),
        ("2 < 3", True),
        ("3 <= 3", True),
        ("2 > 3", False),
        ("3 >= 4", False),
        ("'b' = 'b'", True),
        ("\"double\" = 'double'", True),
        ("'10' = 10", True),
        ("true() and not(false())", True),
        ("true() or false()", True),
    ],
)
def test_operators(source: str, expected: Any) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("selected(${f}, 'b')", {"f": "a b c"}, True),
        ("selected(${f}, 'd')", {"f": "a b c"}, False),
        ("selected(${f}, '')", {"f": "a b c"}, False),
        ("count-selected(${f})", {"f": "a b c"}, 3),
        ("count-selected(${f})", {"f": ""}, 0),
        ("selected-at(${f}, 1)", {"f": "a b c"}, "b"),
        ("string-length(${t})", {"t": "Zoë"}, 3),
        ("string-length(${t})", {}, 0),
        ("if(${n} > 17, 'adult', 'minor')", {"n": 30}, "adult"),
        ("if(${n} > 17, 'adult', 'minor')", {"n": 3}, "minor"),
        ("coalesce(${a}, ${b})", {"b": "fallback"}, "fallback"),
        ("coalesce(${a}, ${b})", {"a": "first", "b": "second"}, "first"),
        ("concat(${a}, ' ', ${b}, 2)", {"a": "Ana", "b": "Lopez"}, "Ana Lopez2"),
        ("int(3.9)", {}, 3),
        ("int(-3.9)", {}, -3),
        ("number('4.25')", {}, 4.25),
        ("number('abc')", {}, ""),
        ("round(2.345, 2)", {}, 2.35),
        ("round(2.5)", {}, 3),
        ("round(1234.5, -2)", {}, 1200),
        ("regex(${e}, '^[a-z]+@[a-z]+\\.org$')", {"e": "ana@agency.org"}, True),
        ("regex(${e}, '^[a-z]+@[a-z]+\\.org$')", {"e": "not an email"}, False),
        ("contains('Supported living', 'living')", {}, True),
        ("starts-with('R-1001', 'R-')", {}, True),
        ("ends-with('R-1001', '01')", {}, True),
        ("substr('abcdef', 1, 3)", {}, "bc"),
        ("normalize-space('  a   b ')", {}, "a b"),
        ("floor(2.7) + ceiling(2.1) + abs(-1)", {}, 6),
        ("pow(2, 10)", {}, 1024),
        ("max(3, 9, 4) - min(3, 9, 4)", {}, 6),
        ("join(', ', ${rows})", {"rows": NodeSet(("a", "", "b"))}, "a, b"),
        ("sum(${rows})", {"rows": NodeSet((15, 45, ""))}, 60),
        ("count(${rows})", {"rows": NodeSet(("", "", ""))}, 3),
        ("string(12.0)", {}, "12"),
        ("boolean('')", {}, False),
    ],
)
def test_functions(source: str, values: dict[str, Any], expected: Any) -> None:
    assert ev(source, **values) == expected


def test_current_value_in_constraints() -> None:
    constraint = parse_expression(". >= 0 and . < 120")
    assert constraint.is_true(Env(this=30))
    assert not constraint.is_true(Env(this=130))
    assert parse_expression("not(selected(., 'none') and count-selected(.) > 1)").is_true(Env(this="a b"))
    assert not parse_expression("not(selected(., 'none') and count-selected(.) > 1)").is_true(Env(this="none b"))


def test_whitespace_between_function_name_and_parenthesis_is_allowed() -> None:
    # XLSForms in the wild write "selected (., 'no')"
    assert ev("selected (., 'no')", this="yes no") is True


# --- blanks ---------------------------------------------------------------------------------------------


def test_blank_answers_behave_like_xlsform() -> None:
    assert ev("${missing} + 1") == ""
    assert ev("${missing} * 2 + 3") == ""
    assert ev("${missing} > 0") is False
    assert ev("${missing} < 0") is False
    assert ev("${missing} = ''") is True
    assert ev("${missing} != ''") is False
    assert ev("${n} = ''", n=0) is False
    assert ev("${missing} = 0") is False
    assert ev("-${missing}") == ""
    assert ev("'abc' + 1") == ""
    assert ev("1 div 0") == ""
    assert ev("5 mod 0") == ""
    assert ev("round(${missing}, 2)") == ""
    assert ev("int(${missing})") == ""
    assert ev("age(${missing})") == ""
    assert ev("sum(${rows})", rows=NodeSet()) == 0


def test_floats_print_without_noise() -> None:
    assert ev("string(0.1 + 0.2)") == "0.3"
    assert ev("string(10 div 4)") == "2.5"


# --- dates ----------------------------------------------------------------------------------------------


def test_dates_compare_and_subtract() -> None:
    assert ev("${d} < today()", d=date(2024, 1, 1)) is True
    assert ev("${d} <= today()", d=date(2024, 5, 20)) is True
    assert ev("${d} > today()", d=date(2024, 5, 21)) is True
    assert ev("'2024-01-31' < '2024-02-01'") is True
    assert ev("today() = '2024-05-20'") is True
    assert ev("today() - ${d}", d=date(2024, 5, 1)) == 19
    assert ev("today() - 20") == date(2024, 4, 30)
    assert ev("${d} + 7", d=date(2024, 12, 28)) == date(2025, 1, 4)
    assert ev("date('2024-02-29') + 365") == date(2025, 2, 28)
    assert ev("today() - ${d} > 30", d="2024-04-01") is True
    assert ev("decimal-date-time('1970-01-11')") == 10
    assert ev("format-date(date('2024-03-05'), '%m/%d/%Y %e %n %y')") == "03/05/2024 5 3 24"
    assert ev("now() > today()") is True
    assert ev("date('not a date')") == ""
    assert ev("${d} < today()", d="garbage") is False


def test_age_in_whole_years() -> None:
    assert ev("age(${dob})", dob=date(1988, 3, 14)) == 36
    assert ev("age(${dob})", dob=date(1988, 5, 21)) == 35  # birthday tomorrow
    assert ev("age(${dob})", dob=date(1988, 5, 20)) == 36  # birthday today
    assert ev("age('2000-02-29', '2021-02-28')") == 20
    assert ev("age('2030-01-01')") == ""  # born in the future: no age


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fragment", "offset"),
    [
        ("1 +", "'+' needs a value after it", 3),
        ("${age", "not closed", 0),
        ("'abc", "not closed", 0),
        ("foo(1)", "unknown function 'foo()'", 0),
        ("true", "write true() with parentheses", 0),
        ("${a} == 2", "single '='", 5),
        ("${a} && ${b}", "use 'and'", 5),
        ("(1 + 2", "expected ')'", 6),
        ("1 2", "unexpected '2'", 2),
        ("age", "refer to a field as ${age}", 0),
        ("${my.name}", "not a valid field name", 0),
        ("", "empty", 0),
        ("/data/age > 3", "expected a value", 0),
        ("../age", "'..' (parent) paths are not supported", 0),
        ("jr:choice-name(${x}, 'x')", "namespaced", 0),
        ("${a}[1]", "predicates", 4),
        ("if(1, 2)", "if() takes 3 arguments", 0),
        ("today(1)", "today() takes no arguments", 0),
        ("regex(${x}, '(a+)+$')", "can hang", 12),
        ("regex(${x}, '[unclosed')", "not valid", 12),
        ("1 + #", "unexpected character '#'", 4),
        ("${}", "empty field reference", 0),
        ("and 1", "'and' needs a value before it", 0),
    ],
)
def test_syntax_errors_say_what_and_where(source: str, fragment: str, offset: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression(source)
    assert fragment in str(caught.value)
    assert caught.value.offset == offset
    assert f"at character {offset + 1}" in str(caught.value)
    assert isinstance(caught.value, ValidationError)


def test_hostile_input_is_refused_not_crashing() -> None:
    with pytest.raises(ExpressionSyntaxError, match="longer than"):
        parse_expression("1" + " + 1" * MAX_EXPRESSION_LENGTH)
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse_expression("(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1))
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse_expression("-" * 200 + "1")
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse_expression("not(" * 100 + "1" + ")" * 100)
    with pytest.raises(ExpressionSyntaxError):
        parse_expression(123)  # type: ignore[arg-type]


def test_long_flat_sums_are_fine() -> None:
    """An 80-question score is a flat chain, not 80 levels of nesting."""
    source = " + ".join(f"${{q{i}}}" for i in range(80))
    values = {f"q{i}": 1 for i in range(80)}
    assert ev(source, **values) == 80


def test_regex_guards_dynamic_patterns_and_long_text() -> None:
    assert ev("regex(${t}, ${p})", t="aaaa", p="(a+)+$") is False  # refused pattern: false, no hang
    assert ev("regex(${t}, ${p})", t="abc", p="[") is False
    assert ev("regex(${t}, 'a')", t="a" * 20_000) is False


def test_rename_references_keeps_the_rest_byte_for_byte() -> None:
    source = "selected(${old_key}, 'x') and ${other}='${old_key}'"
    renamed = rename_references(source, {"old_key": "new_key"})
    assert renamed == "selected(${new_key}, 'x') and ${other}='${old_key}'"
    assert rename_references("${gone} + 1", {"gone": "''"}) == "'' + 1"
