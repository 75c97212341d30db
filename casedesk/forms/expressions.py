"""A small, safe expression language for form logic (relevant, required, constraint, calculation, default).

It is the everyday subset of XLSForm's XPath, parsed by hand (tokenizer + recursive descent) into a tree
and evaluated by walking the tree. Nothing is ever handed to ``eval``/``exec``.

Syntax::

    ${key}                  value of another field          .          this field's value (constraints)
    12  3.5  'text'  "text" literals                        true()  false()
    + - * div mod /         arithmetic (``/`` = ``div``)      = != < <= > >=   comparisons
    and  or  not(x)         logic                           ( ... )    grouping
    selected(${f}, 'v')  count-selected(${f})  string-length(s)  if(c, a, b)  coalesce(a, b)
    concat(a, b, ...)  today()  now()  int(x)  number(x)  round(x, n)  regex(s, 'pattern')
    date('2024-05-01')  age(${dob})  sum(${q})  count(${repeat})  ... (see ``FUNCTIONS``)

Blank answers behave like XLSForm: arithmetic on a blank is blank, comparisons with a blank are false,
``${x} = ''`` tests for blank. Dates compare and subtract as dates (``${visit_date} <= today()``,
``today() - ${referral_date} > 30``).

Hostile input is bounded: expressions longer than ``MAX_EXPRESSION_LENGTH`` characters, with more than
``MAX_TOKENS`` tokens or nested deeper than ``MAX_NESTING`` are refused with an ``ExpressionSyntaxError``,
the only exception parsing ever raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from casedesk.errors import ValidationError
from casedesk.forms._ast import Call, Chain, Current, Literal, Negate, Node, Ref, depth, walk
from casedesk.forms._functions import FUNCTIONS, Environment, pattern_problem
from casedesk.forms._values import Value, arithmetic, compare, to_bool

MAX_EXPRESSION_LENGTH = 2000
MAX_TOKENS = 600
MAX_NESTING = 32
MAX_TREE_DEPTH = 80

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DIGITS = frozenset("0123456789")
_WORD_OPERATORS = {"and", "or", "div", "mod"}


class ExpressionSyntaxError(ValidationError):
    """An expression that cannot be parsed; ``offset`` is the 0-based character position of the problem."""

    def __init__(self, message: str, expression: str, offset: int) -> None:
        self.reason = message
        self.expression = expression
        self.offset = offset
        shown = expression if len(expression) <= 120 else expression[:117] + "..."
        super().__init__(f"{message} (at character {offset + 1} of '{shown}')")


class TokenKind(Enum):
    NUMBER = "number"
    STRING = "string"
    REF = "reference"
    DOT = "dot"
    NAME = "name"
    OPERATOR = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the value: number text, string contents, reference key, name or operator
    offset: int  # start in the source
    end: int  # end (exclusive) in the source


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens (the last is END). Raises ExpressionSyntaxError.

    References are returned with their raw name; whether it is a valid key is checked by the parser, so
    the XLSForm importer can tokenize expressions that use XLSForm names with dots or dashes.
    """
    if not isinstance(source, str):
        raise ExpressionSyntaxError("an expression must be text", repr(source)[:100], 0)
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionSyntaxError(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters", source, MAX_EXPRESSION_LENGTH
        )
    tokens: list[Token] = []
    index = 0
    length = len(source)
    while index < length:
        if len(tokens) > MAX_TOKENS:
            raise ExpressionSyntaxError(f"the expression has more than {MAX_TOKENS} parts", source, index)
        char = source[index]
        if char in " \t\r\n\u00a0":
            index += 1
            continue
        start = index
        if char == "$":
            if not source.startswith("${", index):
                raise ExpressionSyntaxError("'$' must start a field reference like ${name}", source, index)
            close = source.find("}", index + 2)
            if close < 0:
                raise ExpressionSyntaxError("field reference '${' is not closed with '}'", source, index)
            name = source[index + 2 : close].strip()
            if not name:
                raise ExpressionSyntaxError("empty field reference '${}'", source, index)
            tokens.append(Token(TokenKind.REF, name, start, close + 1))
            index = close + 1
            continue
        if char in "'\"":
            close = source.find(char, index + 1)
            if close < 0:
                raise ExpressionSyntaxError(f"text starting with {char} is not closed", source, index)
            tokens.append(Token(TokenKind.STRING, source[index + 1 : close], start, close + 1))
            index = close + 1
            continue
        if char in _DIGITS or (char == "." and index + 1 < length and source[index + 1] in _DIGITS):
            match = _NUMBER_RE.match(source, index)
            assert match is not None
            tokens.append(Token(TokenKind.NUMBER, match.group(), start, match.end()))
            index = match.end()
            continue
        if char == ".":
            if source.startswith("..", index):
                raise ExpressionSyntaxError(
                    "'..' (parent) paths are not supported; refer to fields as ${name}", source, index
                )
            tokens.append(Token(TokenKind.DOT, ".", start, index + 1))
            index += 1
            continue
        if char.isascii() and (char.isalpha() or char == "_"):
            match = _NAME_RE.match(source, index)
            assert match is not None
            end = match.end()
            if end < length and source[end] == ":":
                raise ExpressionSyntaxError(
                    f"'{source[index:end]}:...' (a namespaced XPath name) is not supported", source, index
                )
            tokens.append(Token(TokenKind.NAME, match.group(), start, end))
            index = end
            continue
        two = source[index : index + 2]
        if two in ("!=", "<=", ">="):
            tokens.append(Token(TokenKind.OPERATOR, two, start, index + 2))
            index += 2
            continue
        if two == "==":
            raise ExpressionSyntaxError("use a single '=' to compare", source, index)
        if two in ("&&", "||"):
            word = "and" if two == "&&" else "or"
            raise ExpressionSyntaxError(f"use '{word}' instead of '{two}'", source, index)
        if char in "=<>+-*/":
            tokens.append(Token(TokenKind.OPERATOR, char, start, index + 1))
            index += 1
            continue
        if char == "(":
            tokens.append(Token(TokenKind.LPAREN, char, start, index + 1))
            index += 1
            continue
        if char == ")":
            tokens.append(Token(TokenKind.RPAREN, char, start, index + 1))
            index += 1
            continue
        if char == ",":
            tokens.append(Token(TokenKind.COMMA, char, start, index + 1))
            index += 1
            continue
        if char in "[]":
            raise ExpressionSyntaxError("XPath predicates ([...]) are not supported", source, index)
        if char == "|":
            raise ExpressionSyntaxError("'|' (node-set union) is not supported", source, index)
        raise ExpressionSyntaxError(f"unexpected character {char!r}", source, index)
    tokens.append(Token(TokenKind.END, "", length, length))
    return tokens


# Binary operator levels, loosest first: (level name, operators).
_LEVELS: tuple[tuple[str, frozenset[str]], ...] = (
    ("or", frozenset({"or"})),
    ("and", frozenset({"and"})),
    ("equality", frozenset({"=", "!="})),
    ("relational", frozenset({"<", "<=", ">", ">="})),
    ("additive", frozenset({"+", "-"})),
    ("multiplicative", frozenset({"*", "/", "div", "mod"})),
)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.position = 0
        self.nesting = 0

    def error(self, message: str, offset: int | None = None) -> ExpressionSyntaxError:
        where = self.peek().offset if offset is None else offset
        return ExpressionSyntaxError(message, self.source, where)

    def peek(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        if token.kind is not TokenKind.END:
            self.position += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind is TokenKind.END:
            raise self.error("the expression is empty")
        node = self.level(0)
        token = self.peek()
        if token.kind is not TokenKind.END:
            raise self.error(f"unexpected {_describe(token)} after a complete expression")
        return node

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(f"the expression is nested more than {MAX_NESTING} levels deep")

    def operator_at(self, level: int) -> str | None:
        token = self.peek()
        operators = _LEVELS[level][1]
        if token.kind is TokenKind.OPERATOR and token.text in operators:
            return token.text
        if token.kind is TokenKind.NAME and token.text in operators:
            return token.text
        return None

    def level(self, index: int) -> Node:
        if index == len(_LEVELS):
            return self.unary()
        start = self.peek().offset
        first_operand = self.level(index + 1)
        rest: list[tuple[str, Node]] = []
        while (operator := self.operator_at(index)) is not None:
            operator_token = self.advance()
            if self.peek().kind is TokenKind.END:
                raise self.error(f"'{operator_token.text}' needs a value after it")
            rest.append(("div" if operator == "/" else operator, self.level(index + 1)))
        if not rest:
            return first_operand
        return Chain(_LEVELS[index][0], first_operand, tuple(rest), start)

    def unary(self) -> Node:
        token = self.peek()
        if token.kind is TokenKind.OPERATOR and token.text == "-":
            self.advance()
            self.enter()
            operand = self.unary()
            self.nesting -= 1
            if isinstance(operand, Literal) and not isinstance(operand.value, str):
                return Literal(-operand.value, token.offset)
            return Negate(operand, token.offset)
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind is TokenKind.NUMBER:
            text = token.text
            if "." in text or len(text) > 15:
                return Literal(float(text), token.offset)
            return Literal(int(text), token.offset)
        if kind is TokenKind.STRING:
            return Literal(token.text, token.offset)
        if kind is TokenKind.REF:
            if not KEY_RE.match(token.text):
                raise self.error(
                    f"'{token.text}' is not a valid field name (use letters, digits and _)",
                    token.offset,
                )
            return Ref(token.text, token.offset)
        if kind is TokenKind.DOT:
            return Current(token.offset)
        if kind is TokenKind.LPAREN:
            self.enter()
            if self.peek().kind is TokenKind.RPAREN:
                raise self.error("empty parentheses")
            inner = self.level(0)
            closing = self.advance()
            if closing.kind is not TokenKind.RPAREN:
                raise self.error(f"expected ')' but found {_describe(closing)}", closing.offset)
            self.nesting -= 1
            return inner
        if kind is TokenKind.NAME:
            return self.call(token)
        if kind is TokenKind.END:
            raise self.error("the expression ends where a value was expected", token.offset)
        raise self.error(f"expected a value but found {_describe(token)}", token.offset)

    def call(self, name_token: Token) -> Node:
        name = name_token.text
        if self.peek().kind is not TokenKind.LPAREN:
            if name in ("true", "false"):
                raise self.error(f"write {name}() with parentheses", name_token.offset)
            if name in _WORD_OPERATORS:
                raise self.error(f"'{name}' needs a value before it", name_token.offset)
            raise self.error(
                f"unknown name '{name}'; refer to a field as ${{{name}}} or put text in quotes",
                name_token.offset,
            )
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.error(f"unknown function '{name}()'", name_token.offset)
        self.advance()  # (
        self.enter()
        args: list[Node] = []
        if self.peek().kind is not TokenKind.RPAREN:
            while True:
                args.append(self.level(0))
                separator = self.advance()
                if separator.kind is TokenKind.RPAREN:
                    break
                if separator.kind is not TokenKind.COMMA:
                    raise self.error(
                        f"expected ',' or ')' in {name}() but found {_describe(separator)}", separator.offset
                    )
        else:
            self.advance()
        self.nesting -= 1
        if not function.min_args <= len(args) <= function.max_args:
            raise self.error(f"{name}() takes {_arity(function.min_args, function.max_args)}", name_token.offset)
        if name == "regex" and isinstance(args[1], Literal):
            problem = pattern_problem(str(args[1].value))
            if problem is not None:
                raise self.error(problem, args[1].offset)
        return Call(name, tuple(args), name_token.offset)


def _arity(low: int, high: int) -> str:
    if low == high:
        return "no arguments" if low == 0 else f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


def _describe(token: Token) -> str:
    if token.kind is TokenKind.END:
        return "the end of the expression"
    if token.kind is TokenKind.STRING:
        return "text in quotes"
    if token.kind is TokenKind.REF:
        return f"${{{token.text}}}"
    return f"'{token.text}'"


@dataclass(frozen=True)
class Expression:
    """A parsed expression. ``references``: the field keys it reads; ``uses_current``: it reads ``.``."""

    source: str
    root: Node
    references: frozenset[str]
    uses_current: bool

    def evaluate(self, env: Environment) -> Value:
        return _evaluate(self.root, env)

    def is_true(self, env: Environment) -> bool:
        return to_bool(self.evaluate(env))


@lru_cache(maxsize=4096)
def parse_expression(source: str) -> Expression:
    """Parse (cached: expressions are immutable). Raises ExpressionSyntaxError, and nothing else."""
    if not isinstance(source, str):
        raise ExpressionSyntaxError("an expression must be text", repr(source)[:100], 0)
    try:
        root = _Parser(source).parse()
    except RecursionError:  # pragma: no cover - the nesting limit keeps well below the recursion limit
        raise ExpressionSyntaxError("the expression is too deeply nested", source, 0) from None
    if depth(root) > MAX_TREE_DEPTH:
        raise ExpressionSyntaxError("the expression is too deeply nested", source, 0)
    nodes = walk(root)
    references = frozenset(node.key for node in nodes if isinstance(node, Ref))
    uses_current = any(isinstance(node, Current) for node in nodes)
    return Expression(source, root, references, uses_current)


def references(source: str) -> frozenset[str]:
    """Field keys an expression reads (for dependency tracking and the editor)."""
    return parse_expression(source).references


def rename_references(source: str, renames: Mapping[str, str]) -> str:
    """The expression with ``${old}`` replaced by ``${new}`` (or by a literal when the new text is quoted).

    ``renames`` maps old key -> new key; a value starting with a quote (``"''"``) replaces the whole
    reference with that literal text. Everything else is kept byte for byte.
    """
    pieces: list[str] = []
    last = 0
    for token in tokenize(source):
        if token.kind is TokenKind.REF and token.text in renames:
            replacement = renames[token.text]
            pieces.append(source[last : token.offset])
            pieces.append(replacement if replacement[:1] in ("'", '"') else "${" + replacement + "}")
            last = token.end
    pieces.append(source[last:])
    return "".join(pieces)


def _evaluate(node: Node, env: Environment) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return env.lookup(node.key)
    if isinstance(node, Current):
        return env.current()
    if isinstance(node, Chain):
        return _evaluate_chain(node, env)
    if isinstance(node, Negate):
        return arithmetic("-", 0, _evaluate(node.operand, env))
    function = FUNCTIONS[node.name]
    return function.impl([_evaluate(arg, env) for arg in node.args], env)


def _evaluate_chain(node: Chain, env: Environment) -> Value:
    if node.level == "or":
        if to_bool(_evaluate(node.first, env)):
            return True
        return any(to_bool(_evaluate(operand, env)) for _, operand in node.rest)
    if node.level == "and":
        if not to_bool(_evaluate(node.first, env)):
            return False
        return all(to_bool(_evaluate(operand, env)) for _, operand in node.rest)
    result = _evaluate(node.first, env)
    for operator, operand in node.rest:
        right = _evaluate(operand, env)
        if node.level in ("equality", "relational"):
            result = compare(operator, result, right)
        else:
            result = arithmetic(operator, result, right)
    return result


__all__ = [
    "FUNCTIONS",
    "KEY_RE",
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING",
    "MAX_TOKENS",
    "Environment",
    "Expression",
    "ExpressionSyntaxError",
    "Token",
    "TokenKind",
    "parse_expression",
    "references",
    "rename_references",
    "tokenize",
]
