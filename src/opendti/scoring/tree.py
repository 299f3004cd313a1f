"""The framework tree prepared for scoring: validated once, children and pillar members indexed.

Which nodes count for a unit depends only on its ranking group (`applies_to`) and on the period's
not-deployed policy, so the counted max of every node is worked out once per group here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .bands import BandSchemeError, validate_scheme
from .model import NODE_KINDS, TOTAL, Framework, Node
from .rules import RuleError, build_rule

ZERO = Decimal(0)

# How a node takes part for a group: counted, scored zero (not deployed), out, or informational.
IN, ZERO_SCORE, OUT, INFO = "in", "zero", "out", "info"


class FrameworkError(ValueError):
    """The framework is not consistent; `code` names the node concerned ('' for the whole)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PreparedTree:
    nodes: dict[str, Node]
    children: dict[str, list[str]]
    roots: list[str]
    post_order: list[str]
    pillar_members: dict[str, list[str]]

    def is_leaf(self, code: str) -> bool:
        return not self.children[code]


def prepare(framework: Framework) -> PreparedTree:
    nodes: dict[str, Node] = {}
    pillar_codes = {pillar.code for pillar in framework.pillars}
    for node in framework.nodes:
        if node.code in nodes:
            raise FrameworkError(node.code, "the code is used twice")
        if node.code == TOTAL or node.code in pillar_codes:
            raise FrameworkError(node.code, "a node code must differ from TOTAL and pillar codes")
        if node.kind not in NODE_KINDS:
            raise FrameworkError(node.code, f"kind must be one of {', '.join(NODE_KINDS)}")
        if node.max_points < ZERO:
            raise FrameworkError(node.code, "max points cannot be negative")
        unknown = [p for p in node.pillars if p not in pillar_codes]
        if unknown:
            raise FrameworkError(node.code, f"unknown pillar {', '.join(unknown)}")
        nodes[node.code] = node
    children: dict[str, list[str]] = {code: [] for code in nodes}
    roots: list[str] = []
    for node in framework.nodes:
        if node.parent is None:
            roots.append(node.code)
        elif node.parent not in nodes:
            raise FrameworkError(
                node.code, f"parent '{node.parent}' is not a node of the framework"
            )
        else:
            children[node.parent].append(node.code)
    post_order: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str) -> None:
        # Iterative depth-first walk so that deep trees and cycles give a clear error.
        stack = [(code, False)]
        while stack:
            current, done = stack.pop()
            if done:
                state[current] = 2
                post_order.append(current)
                continue
            if state.get(current) == 1:
                raise FrameworkError(current, "the tree has a cycle through this node")
            state[current] = 1
            stack.append((current, True))
            stack.extend((child, False) for child in reversed(children[current]))

    for root in roots:
        visit(root)
    if len(post_order) != len(nodes):
        orphan = next(code for code in nodes if code not in state)
        raise FrameworkError(orphan, "the tree has a cycle through this node")

    for code in post_order:
        node = nodes[code]
        counted = [nodes[c] for c in children[code] if nodes[c].scored]
        if counted and node.scored:
            parts = sum((c.max_points for c in counted), ZERO)
            if parts != node.max_points:
                raise FrameworkError(
                    code, f"max points {node.max_points} differ from its scored children's {parts}"
                )
        if children[code] and node.rule is not None:
            raise FrameworkError(code, "only a leaf can have a rule; this node has children")
        if node.rule is not None:
            try:
                build_rule(node.rule.name, node.rule.params, node.max_points)
            except RuleError as exc:
                raise FrameworkError(code, str(exc)) from None

    for scheme in (framework.total_bands, framework.pillar_bands):
        if scheme is not None:
            try:
                validate_scheme(scheme)
            except BandSchemeError as exc:
                raise FrameworkError("", f"band scheme: {exc}") from None

    members: dict[str, list[str]] = {pillar.code: [] for pillar in framework.pillars}
    for code in _pre_order(roots, children):
        for pillar in nodes[code].pillars:
            if not _ancestor_has(nodes, code, pillar):
                members[pillar].append(code)
    return PreparedTree(nodes, children, roots, post_order, members)


def _pre_order(roots: list[str], children: dict[str, list[str]]) -> list[str]:
    ordered: list[str] = []
    stack = list(reversed(roots))
    while stack:
        code = stack.pop()
        ordered.append(code)
        stack.extend(reversed(children[code]))
    return ordered


def _ancestor_has(nodes: dict[str, Node], code: str, pillar: str) -> bool:
    parent = nodes[code].parent
    while parent is not None:
        if pillar in nodes[parent].pillars:
            return True
        parent = nodes[parent].parent
    return False


def node_status(tree: PreparedTree, group: str, not_deployed: str) -> dict[str, str]:
    """Each node's part for units of `group`, inherited down the tree."""
    status: dict[str, str] = {}
    for code in _pre_order(tree.roots, tree.children):
        node = tree.nodes[code]
        inherited = status[node.parent] if node.parent is not None else IN
        if inherited == OUT or (node.applies_to and group not in node.applies_to):
            status[code] = OUT
        elif inherited == INFO or not node.scored:
            status[code] = INFO
        elif inherited == ZERO_SCORE or not node.deployed:
            status[code] = OUT if not_deployed == "exclude" else ZERO_SCORE
        else:
            status[code] = IN
    return status


def counted_max(tree: PreparedTree, status: dict[str, str]) -> dict[str, Decimal | None]:
    """Each node's max over the parts that count for a group (None where the node is out)."""
    result: dict[str, Decimal | None] = {}
    for code in tree.post_order:
        if status[code] == OUT:
            result[code] = None
        elif tree.is_leaf(code) or status[code] == INFO:
            result[code] = tree.nodes[code].max_points
        else:
            parts = [result[c] for c in tree.children[code] if status[c] in (IN, ZERO_SCORE)]
            present = [p for p in parts if p is not None]
            result[code] = sum(present, ZERO) if present else None
    return result
