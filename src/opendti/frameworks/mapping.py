"""Which node of an older framework version each node of a newer one corresponds to, and whether
their scores may be compared across years.

An explicit `NodeMapping` row always wins (a renamed indicator is comparable only through one).
Otherwise the node with the same code is the counterpart: a leaf is comparable when its max
points, rule and rule parameters are unchanged; a parent when its own max is unchanged, every
scored leaf under it is comparable, and no scored leaf of its old counterpart was dropped. What is
not comparable says why, in words for the user.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from opendti import numbers

from .models import Framework, Node, NodeMapping


@dataclass(frozen=True)
class Correspondence:
    code: str  # the node's code in the newer framework
    sources: tuple[str, ...]  # its counterpart's code(s) in the older one; () when none
    comparable: bool
    reason: str  # why not comparable; for an explicit mapping, its note
    explicit: bool = False  # stated by a NodeMapping row


def _params(text: str) -> object:
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return text  # a stored text that is not JSON compares as text


def _number(value: Decimal | None) -> str:
    return numbers.vi(value, trim=True, missing="")


def _children(nodes: Iterable[Node]) -> dict[int, list[Node]]:
    children: dict[int, list[Node]] = {}
    for node in nodes:
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node)
    return children


def _scored_leaves(node: Node, children: Mapping[int, list[Node]]) -> list[Node]:
    """The leaves under a node (itself, for a leaf) that count toward its score."""
    if not node.scored:
        return []
    below = children.get(node.pk)
    if not below:
        return [node]
    return [leaf for child in below for leaf in _scored_leaves(child, children)]


def _leaf_reasons(old: Node, new: Node, old_children: Mapping[int, list[Node]]) -> list[str]:
    reasons = []
    if old_children.get(old.pk):
        reasons.append(_("đổi cách tính (trước đây là chỉ số có chỉ số con)"))
    elif old.rule != new.rule or _params(old.params) != _params(new.params):
        reasons.append(_("đổi cách tính"))
    elif old.scored != new.scored:
        reasons.append(_("đổi cách tính điểm"))
    if old.max_points != new.max_points:
        reasons.append(
            _("đổi điểm tối đa (%(old)s → %(new)s)")
            % {"old": _number(old.max_points), "new": _number(new.max_points)}
        )
    return reasons


def node_correspondence(old: Framework, new: Framework) -> dict[str, Correspondence]:
    """Every node of `new` (by code) with its counterpart in `old`. Three queries."""
    new_nodes = list(Node.objects.filter(framework=new).order_by("order"))
    if old.pk == new.pk:
        return {n.code: Correspondence(n.code, (n.code,), True, "") for n in new_nodes}
    old_nodes = list(Node.objects.filter(framework=old).order_by("order"))
    old_by_code = {n.code: n for n in old_nodes}
    old_by_pk = {n.pk: n for n in old_nodes}
    new_codes = {n.pk: n.code for n in new_nodes}
    stated: dict[str, list[NodeMapping]] = {}
    for mapping in NodeMapping.objects.filter(
        source__framework=old, target__framework=new
    ).order_by("source__order", "pk"):
        stated.setdefault(new_codes[mapping.target_id], []).append(mapping)
    old_children, new_children = _children(old_nodes), _children(new_nodes)

    result: dict[str, Correspondence] = {}
    for node in new_nodes:  # explicit rows, and leaves by their code
        rows = stated.get(node.code)
        if rows:
            notes = [r.note for r in rows if r.note]
            comparable = all(r.comparable for r in rows)
            reason = "; ".join(notes) or (
                "" if comparable else _("không tương ứng (theo bảng đối chiếu)")
            )
            sources = tuple(old_by_pk[r.source_id].code for r in rows)
            result[node.code] = Correspondence(node.code, sources, comparable, reason, True)
        elif new_children.get(node.pk):
            continue  # a parent: decided below, once its leaves are
        elif (counterpart := old_by_code.get(node.code)) is None:
            result[node.code] = Correspondence(node.code, (), False, _("chỉ số mới"))
        else:
            reasons = _leaf_reasons(counterpart, node, old_children)
            result[node.code] = Correspondence(
                node.code, (node.code,), not reasons, "; ".join(reasons)
            )

    for node in new_nodes:  # parents by their code
        if node.code in result:
            continue
        counterpart = old_by_code.get(node.code)
        if counterpart is None:
            result[node.code] = Correspondence(node.code, (), False, _("chỉ số mới"))
            continue
        reasons = []
        if counterpart.max_points != node.max_points:
            reasons.append(
                _("đổi điểm tối đa (%(old)s → %(new)s)")
                % {"old": _number(counterpart.max_points), "new": _number(node.max_points)}
            )
        leaves = _scored_leaves(node, new_children)
        changed = [leaf.code for leaf in leaves if not result[leaf.code].comparable]
        if changed:
            reasons.append(
                _("có chỉ số thành phần không so sánh được: %(codes)s")
                % {"codes": ", ".join(changed)}
            )
        kept = {code for leaf in leaves for code in result[leaf.code].sources}
        dropped = [
            leaf.code for leaf in _scored_leaves(counterpart, old_children) if leaf.code not in kept
        ]
        if dropped:
            reasons.append(_("bỏ chỉ số thành phần: %(codes)s") % {"codes": ", ".join(dropped)})
        result[node.code] = Correspondence(node.code, (node.code,), not reasons, "; ".join(reasons))
    return {n.code: result[n.code] for n in new_nodes}
