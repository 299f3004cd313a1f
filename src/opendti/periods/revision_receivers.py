"""The rows a period's results are computed from that the console, the admin and the imports all
write (the period itself, its units and groups, the framework, its indicators, pillars and bands,
the units, their kinds and lineage): every save or delete raises the revision of the periods that
read the row, inside the writer's transaction (a receiver runs in it). The rows below the periods
app (frameworks, units) cannot call the periods app, so this is where they are watched.

A row that moves (a node given another framework, a lineage another successor) raises the periods
that read it before (pre_save, found from the stored row) and after (post_save). QuerySet.update
and bulk_create send no signal: the code that uses them on these models raises the revision
itself (there is none today outside new frameworks, which no period uses yet).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from opendti.frameworks.models import Band, BandScheme, Framework, InputSpec, Level, Node, Pillar
from opendti.units.models import Lineage, Unit, UnitKind

from .models import Participation, Period, RankingGroup
from .revision import RESULT_FIELDS, bump, bump_where

UID = "opendti.periods.revision."
ATTNAMES = {f.name: f.attname for f in Period._meta.concrete_fields}


def _period_changing(sender, instance: Period, raw: bool = False, update_fields=None, **kw) -> None:
    """Before a period is saved: whether a setting its results depend on changes."""
    instance._results_changed = False  # type: ignore[attr-defined]
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = [
        ATTNAMES[name] for name in RESULT_FIELDS if update_fields is None or name in update_fields
    ]
    if not fields:
        return
    stored = Period.objects.filter(pk=instance.pk).values(*fields).first()
    instance._results_changed = stored is None or any(  # type: ignore[attr-defined]
        stored[name] != getattr(instance, name) for name in fields
    )


def _period_saved(sender, instance: Period, created: bool, raw: bool = False, **kw) -> None:
    if not raw and getattr(instance, "_results_changed", False):
        bump([instance.pk])
    instance._results_changed = False  # type: ignore[attr-defined]


def _period_m2m(lookup: str):
    """A many-to-many of the period (its not-deployed indicators, its units): changed from the
    period (forward) or from the other side (reverse: `pk_set` holds the periods)."""

    def changed(sender, instance, action: str, reverse: bool, pk_set, **kw) -> None:
        if not reverse:
            if action in ("post_add", "post_remove", "post_clear"):
                bump([instance.pk])
        elif action in ("post_add", "post_remove"):
            bump(pk_set or ())
        elif action == "pre_clear":
            bump_where(lookup, [instance.pk])

    return changed


def _node_pillars(sender, instance, action: str, **kw) -> None:
    """Node.pillars: a node or a pillar, both of one framework."""
    if action in ("post_add", "post_remove", "post_clear"):
        bump_where("framework", [instance.framework_id])


# (model, the periods reading the stored row by its pk, the periods reading the row as it is)
Readers = dict[type[Model], tuple[str | None, Any]]
READERS: Readers = {
    # The period's own rows.
    Participation: ("participations", lambda p: ("pk", p.period_id)),
    RankingGroup: ("groups", lambda g: ("pk", g.period_id)),
    # The framework a period uses: its level's code, its total, pillars, indicators, bands.
    Level: (None, lambda level: ("framework__level", level.pk)),
    Framework: (None, lambda f: ("framework", f.pk)),
    Pillar: ("framework__pillars", lambda p: ("framework", p.framework_id)),
    Node: ("framework__nodes", lambda n: ("framework", n.framework_id)),
    InputSpec: ("framework__nodes__inputs", lambda s: ("framework__nodes", s.node_id)),
    BandScheme: ("framework__band_schemes", lambda s: ("framework", s.framework_id)),
    Band: ("framework__band_schemes__bands", lambda b: ("framework__band_schemes", b.scheme_id)),
    # The units: their code, name and kind, and the predecessors named beside them.
    UnitKind: (None, lambda k: ("participations__unit__kind", k.pk)),
    Lineage: (
        "participations__unit__predecessor_links",
        lambda link: ("participations__unit", link.successor_id),
    ),
}


def _reading(model: type[Model]) -> tuple[str | None, Any]:
    return READERS[model]


def _changing(sender, instance, raw: bool = False, **kw) -> None:
    """Before an existing row is saved: the periods that read it as stored (it may move)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    stored, _now = _reading(sender)
    if stored is not None:
        bump_where(stored, [instance.pk])


def _saved(sender, instance, created: bool = False, raw: bool = False, **kw) -> None:
    if raw:
        return
    _stored, now = _reading(sender)
    lookup, value = now(instance)
    bump_where(lookup, [value])


def _unit_saved(sender, instance: Unit, created: bool, raw: bool = False, **kw) -> None:
    """A unit's code, name or kind: the periods it takes part in, and those where it is named
    as a participant's predecessor. A new unit takes part in nothing yet."""
    if raw or created:
        return
    bump_where("participations__unit", [instance.pk])
    bump_where("participations__unit__predecessor_links__predecessor", [instance.pk])


def connect() -> None:
    pre_save.connect(_period_changing, sender=Period, dispatch_uid=UID + "period.pre", weak=False)
    post_save.connect(_period_saved, sender=Period, dispatch_uid=UID + "period.post", weak=False)
    m2m_changed.connect(
        _period_m2m("not_deployed"),
        sender=Period.not_deployed.through,
        dispatch_uid=UID + "not_deployed",
        weak=False,
    )
    # Period.units goes through Participation: .add() and .remove() there send no post_save.
    m2m_changed.connect(
        _period_m2m("units"), sender=Period.units.through, dispatch_uid=UID + "units", weak=False
    )
    m2m_changed.connect(
        _node_pillars, sender=Node.pillars.through, dispatch_uid=UID + "pillars", weak=False
    )
    for model in READERS:
        name = model._meta.label_lower
        pre_save.connect(_changing, sender=model, dispatch_uid=UID + name + ".pre", weak=False)
        post_save.connect(_saved, sender=model, dispatch_uid=UID + name + ".post", weak=False)
        post_delete.connect(_saved, sender=model, dispatch_uid=UID + name + ".del", weak=False)
    post_save.connect(_unit_saved, sender=Unit, dispatch_uid=UID + "unit.post", weak=False)
