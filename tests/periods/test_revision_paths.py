"""The results revision through the console's pages (a period's settings, units and framework
version before it opens), under concurrent saves, and across a restore (periods/revision.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.services import answer_get, answer_save
from opendti.backup.archive import backup_restore
from opendti.frameworks.models import Framework, Level, Node
from opendti.periods import revision
from opendti.periods.models import Period
from opendti.periods.services import period_fingerprint
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.units.models import Unit
from tests.conftest import ROOT
from tests.portal.conftest import coordinator
from tests.portal.test_console import NEW, _create, _participants_post, _posted
from tests.portal.test_console_templates import SLUG, VALUES, _form, _url
from tests.production.conftest import database_url

__all__ = ["coordinator"]


def _revision(code: str) -> int:
    return revision.current(Period.objects.get(code=code).pk)


@pytest.mark.django_db
def test_the_consoles_settings_units_and_framework_raise_the_revision(coordinator):
    _create(coordinator)
    period = Period.objects.get(code=NEW)
    start = _revision(NEW)

    # Units chosen: the period's results have units now.
    units = {"xa-hoa-binh": "xa", "xa-tan-lap": "xa"}
    assert _participants_post(coordinator, NEW, units, "xa: Xã").status_code == 302
    chosen = _revision(NEW)
    assert chosen > start

    # A setting the results depend on (the decimals), through the settings page.
    posted = _posted(decimals="3", seen=period_fingerprint(period))
    assert coordinator.post(f"/ky/{NEW}/thiet-lap/", posted).status_code == 302
    decimals = _revision(NEW)
    assert decimals > chosen
    # The same form again, nothing changed: the results stand, so does the revision.
    period.refresh_from_db()
    posted = _posted(decimals="3", seen=period_fingerprint(period))
    assert coordinator.post(f"/ky/{NEW}/thiet-lap/", posted).status_code == 302
    assert _revision(NEW) == decimals

    # A framework version from a template (the preview writes nothing, the confirmation raises).
    assert coordinator.post(_url(NEW, f"{SLUG}/"), _form(VALUES)).status_code == 200
    assert _revision(NEW) == decimals
    confirm = coordinator.post(
        _url(NEW, f"{SLUG}/xac-nhan/"), _form(VALUES) | {"seen_framework": period.framework_id}
    )
    assert confirm.status_code == 302
    assert _revision(NEW) > decimals
    # The other periods of the demo were not touched by any of it.
    assert Period.objects.exclude(code=NEW).filter(previous__code=NEW).count() == 0


ROUNDS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_each_raise_the_revision_and_none_is_lost():
    """Two focal points save two indicators of one period at the same moment, several times: each
    acknowledged save raised the revision by one (an UPDATE adding one, never a read then a
    write). Real threads and connections (PostgreSQL when DATABASE_URL names it)."""
    demo_load()
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    period = submission.participation.period
    nodes = [Node.objects.get(framework=period.framework, code=c).pk for c in ("1.2", "3.2")]
    start = revision.current(period.pk)
    errors: list[BaseException] = []

    def saves(node_pk: int, barrier: threading.Barrier) -> None:
        try:
            node = Node.objects.prefetch_related("inputs").get(pk=node_pk)
            actor = User.objects.get(username="daumoi")
            for number in range(ROUNDS):
                version = answer_get(submission, node).version
                barrier.wait(timeout=20)
                answer_save(
                    submission=submission,
                    node=node,
                    raw={"": str(10 + number)},
                    version=version,
                    actor=actor,
                )
        except BaseException as error:  # surfaced below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    barrier = threading.Barrier(len(nodes))
    threads = [threading.Thread(target=saves, args=(pk, barrier)) for pk in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert revision.current(period.pk) == start + len(nodes) * ROUNDS


@pytest.mark.django_db(transaction=True)
def test_a_restore_leaves_every_revision_above_any_held_before(tmp_path):
    level = Level.objects.create(code="xa", name="Cấp xã")
    framework = Framework.objects.create(code="dti-xa", name="DTI xã", year=2025, level=level)
    period = Period.objects.create(code="2025-xa", title="2025", framework=framework, year=2025)
    revision.bump([period.pk])
    archive = tmp_path / "backup.tar"
    # `opendti backup` in its own process, as an operator runs it (its database snapshot is a
    # connection of its own, which a test's connections may not open).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opendti.config.settings.test",
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT / "src"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "opendti", "backup", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    backed_up = revision.current(period.pk)
    for _ in range(3):  # results computed and kept for these revisions of the data after it
        revision.bump([period.pk])
    held = revision.current(period.pk)
    backup_restore(archive, replace=True)
    restored = revision.current(Period.objects.get(code="2025-xa").pk)
    assert restored > held and restored != backed_up


@pytest.mark.django_db
def test_rows_changed_from_either_side_raise_the_periods_that_read_them():
    level = Level.objects.create(code="xa", name="Cấp xã")
    framework = Framework.objects.create(code="dti-xa", name="DTI xã", year=2025, level=level)
    period = Period.objects.create(code="2025-xa", title="2025", framework=framework, year=2025)
    other = Period.objects.create(code="2025-khac", title="khác", framework=framework, year=2025)
    unit = Unit.objects.create(code="xa-a", name="Xã A")
    seen = [revision.current(period.pk)]

    def raised() -> bool:
        seen.append(revision.current(period.pk))
        return seen[-1] > seen[-2]

    node = Node.objects.create(
        framework=framework, code="1", name="Chỉ số", kind="main", max_points=10
    )
    assert raised()  # a new indicator in the period's framework version
    period.units.add(unit)  # a participation made through the many-to-many (no post_save)
    assert raised()
    unit.periods.remove(period)
    assert raised()
    node.not_deployed_in.add(period)  # from the indicator's side
    assert raised()
    node.not_deployed_in.clear()
    assert raised()
    other.not_deployed.add(node)
    assert not raised()  # another period's setting
