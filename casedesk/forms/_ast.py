"""Syntax tree of a parsed form expression (see casedesk.forms.expressions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float
    offset: int


@dataclass(frozen=True, slots=True)
class Ref:
    """``${key}``: the value of another field."""

    key: str
    offset: int


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value of the field the expression belongs to (constraints)."""

    offset: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    offset: int


@dataclass(frozen=True, slots=True)
class Chain:
    """Operands joined by operators of one precedence level, left to right: ``a + b - c``.

    Keeping a flat chain (not a left-deep tree) means ``${q1} + ${q2} + ... + ${q80}`` (a score) does not
    nest 80 levels deep.
    """

    level: str  # "or", "and", "equality", "relational", "additive", "multiplicative"
    first: Node
    rest: tuple[tuple[str, Node], ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    offset: int


Node = Literal | Ref | Current | Negate | Chain | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Chain):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes, depth first, without recursion."""
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found


def depth(node: Node) -> int:
    deepest = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest
